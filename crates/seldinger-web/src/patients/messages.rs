//! This area's messages, each in both languages (see [`crate::i18n`]).

use crate::i18n::messages;

messages! { MESSAGES {
    "patients.title" => "Patients", "Patients";
    "patients.search.label" => "Name, birth date or MRN", "Nom, date de naissance ou IPP";
    "patients.search.hint" => "e.g. helene dupre, 12/03/1956 or IP-000123", "ex. helene dupre, 12/03/1956 ou IP-000123";
    "patients.new" => "New patient", "Nouveau patient";
    "patients.recent" => "Recently updated", "Modifiés récemment";
    "patients.results" => "Results", "Résultats";
    "patients.more" => "More patients match: only the first 50 are shown. Add a given name or a birth date.", "D'autres patients correspondent : seuls les 50 premiers sont affichés. Ajoutez un prénom ou une date de naissance.";
    "patients.none" => "No patient matches this search.", "Aucun patient ne correspond à cette recherche.";

    "patient.name" => "Name", "Nom";
    "patient.family_name" => "Family name", "Nom de famille";
    "patient.given_names" => "Given names", "Prénoms";

    "patient.age" => "Age", "Âge";

    "patient.allergy.other" => "Other allergy", "Autre allergie";

    "patient.anticoagulant.other" => "Other treatment", "Autre traitement";

    "patient.new.title" => "New patient", "Nouveau patient";
    "patient.edit.title" => "Edit patient", "Modifier le patient";
    "patient.duplicates.title" => "Possible duplicate", "Doublon possible";
    "patient.duplicates.text" => "A patient with the same names and birth date already exists:", "Un patient de mêmes nom, prénoms et date de naissance existe déjà :";
    "patient.duplicates.confirm" => "This is a different person: register anyway", "Il s'agit d'une autre personne : enregistrer quand même";
    "patient.stale" => "Someone else changed this record while you were editing it. Review the current values below and save again.", "Quelqu'un d'autre a modifié ce dossier pendant votre saisie. Vérifiez les valeurs actuelles ci-dessous puis enregistrez à nouveau.";
    "patient.withdraw.title" => "Registered in error?", "Enregistré par erreur ?";
    "patient.withdraw.text" => "Withdrawing hides this record from searches; it is kept, with the reason, in the audit trail.", "Retirer ce dossier le masque des recherches ; il est conservé, avec le motif, dans la traçabilité.";
    "patient.withdraw.reason" => "Reason", "Motif";
    "patient.withdraw.submit" => "Withdraw this record", "Retirer ce dossier";
    "patient.withdraw.done" => "The record was withdrawn.", "Le dossier a été retiré.";

    "case.patient.title" => "Cases", "Dossiers";
    "case.patient.none" => "No case for this patient yet.", "Aucun dossier pour ce patient.";
    "case.patient.new_referral" => "New referral", "Nouvelle demande";

    "timeline.title" => "Timeline", "Chronologie";
    "timeline.link" => "Timeline across cases", "Chronologie de tous les dossiers";
    "timeline.empty" => "Nothing recorded yet.", "Rien d'enregistré pour l'instant.";
    "timeline.when" => "When", "Quand";

    "timeline.what" => "What", "Quoi";
    "timeline.detail" => "Detail", "Détail";
    "timeline.planned" => "planned", "prévu";
    "timeline.addendum" => "Report addendum", "Addendum au compte rendu";
    "timeline.pathology" => "Pathology result", "Résultat anatomopathologique";
    "timeline.serious" => "serious", "grave";
} }
