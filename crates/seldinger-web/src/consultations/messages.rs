//! This area's messages, each in both languages (see [`crate::i18n`]).

use crate::i18n::messages;

messages! { MESSAGES {
    "consult.back" => "Back to the case", "Retour au dossier";
    "consult.risks.title" => "Risks of the procedure", "Risques du geste";
    "consult.risks.hint" => "A reminder from the catalog version the case is planned with; explain them in the patient's language.", "Rappel tiré de la version du catalogue avec laquelle le dossier est prévu ; à expliquer dans la langue du patient.";
    "consult.record.title" => "Consultation record", "Compte rendu de consultation";
    "consult.record.submit" => "Record the consultation", "Enregistrer la consultation";
    "consult.outcome" => "The consultation", "La consultation";
    "consult.outcome.done" => "took place", "a eu lieu";
    "consult.outcome.missed" => "did not take place (patient absent)", "n'a pas eu lieu (patient absent)";
    "consult.sheet" => "Information sheet", "Fiche d'information";
    "consult.sheet.given" => "Handed over", "Remise au patient";
    "consult.sheet.not_given" => "Not handed over", "Non remise";
    "consult.sheet.language" => "Language of the sheet", "Langue de la fiche";

    "consult.risks_explained" => "Risks explained", "Risques expliqués";
    "consult.required" => "required", "obligatoire";
    "consult.alternatives" => "Alternatives discussed", "Alternatives discutées";
    "consult.alternatives.hint" => "The least invasive option was offered; the patient may seek a second opinion.", "L'option la moins invasive a été proposée ; le patient peut demander un second avis.";

    "consult.notes" => "Notes", "Notes";
    "consult.recorded_at" => "Recorded", "Enregistrée le";
    "consult.not_recorded" => "This consultation has not been recorded yet.", "Cette consultation n'a pas encore été renseignée.";
    "consult.cancel.title" => "The consultation will not take place?", "La consultation n'aura pas lieu ?";
    "consult.cancel.submit" => "Cancel the consultation", "Annuler la consultation";

    "clinic.title" => "Consultations", "Consultations";
    "clinic.date" => "Day", "Jour";
    "clinic.show" => "Show", "Afficher";
    "clinic.previous" => "Previous day", "Jour précédent";
    "clinic.next" => "Next day", "Jour suivant";
    "clinic.none" => "No consultation on this day.", "Aucune consultation ce jour.";
    "clinic.case" => "Case", "Dossier";
} }
