//! This area's messages, each in both languages (see [`crate::i18n`]).

use crate::i18n::messages;

messages! { MESSAGES {
    "mdt.title" => "MDT meetings", "Réunions de concertation pluridisciplinaire";
    "mdt.awaiting" => "Cases awaiting the MDT", "Dossiers en attente de RCP";
    "mdt.new" => "New meeting", "Nouvelle réunion";
    "mdt.upcoming" => "Upcoming", "À venir";
    "mdt.past" => "Last 30 days", "30 derniers jours";
    "mdt.none.upcoming" => "No meeting planned.", "Aucune réunion prévue.";
    "mdt.none.past" => "No meeting in the last 30 days.", "Aucune réunion ces 30 derniers jours.";
    "mdt.when" => "Date and time", "Date et heure";
    "mdt.kind" => "Meeting", "Réunion";
    "mdt.location" => "Place", "Lieu";
    "mdt.cases" => "Cases", "Dossiers";
    "mdt.decided" => "Decided", "Décidés";
    "mdt.new.title" => "New MDT meeting", "Nouvelle RCP";
    "mdt.edit.title" => "Edit the meeting", "Modifier la réunion";
    "mdt.stale" => "Someone else changed this meeting while you were editing it. The values below are the current ones: make your changes again and save.", "Quelqu'un d'autre a modifié cette réunion pendant votre saisie. Les valeurs ci-dessous sont les valeurs actuelles : refaites vos modifications puis enregistrez.";
    "mdt.starts_at" => "Start", "Début";
    "mdt.local_time" => "Local time", "Heure locale";
    "mdt.attendees" => "Attendees", "Participants";
    "mdt.attendees.hint" => "One attendee per row; empty rows are ignored.", "Un participant par ligne ; les lignes vides sont ignorées.";
    "mdt.attendees.none" => "No attendee recorded.", "Aucun participant renseigné.";
    "mdt.attendee.name" => "Name", "Nom";
    "mdt.attendee.specialty" => "Specialty", "Spécialité";

    "mdt.record" => "Meeting record", "Compte rendu";
    "mdt.agenda" => "Agenda", "Ordre du jour";
    "mdt.agenda.empty" => "No case on the agenda yet.", "Aucun dossier à l'ordre du jour pour l'instant.";
    "mdt.agenda.add" => "Add a case", "Inscrire un dossier";
    "mdt.agenda.case" => "Case awaiting the MDT", "Dossier en attente de RCP";
    "mdt.agenda.no_candidates" => "No other case is awaiting the MDT.", "Aucun autre dossier n'est en attente de RCP.";
    "mdt.agenda.choose" => "Choose a case.", "Choisissez un dossier.";
    "mdt.agenda.unknown" => "This is not a case.", "Ce n'est pas un dossier.";
    "mdt.agenda.remove" => "Take off the agenda", "Retirer de l'ordre du jour";

    "mdt.case.referring" => "Referring physician", "Médecin demandeur";

    "mdt.case.indication" => "Indication:", "Indication :";
    "mdt.decision" => "Decision", "Décision";
    "mdt.procedure" => "IR procedure", "Geste de radiologie interventionnelle";
    "mdt.procedure.hint" => "Required when the decision is an IR procedure.", "Obligatoire si la décision est un geste de radiologie interventionnelle.";
    "mdt.rationale" => "Rationale", "Argumentaire";
    "mdt.responsible" => "Responsible physician", "Médecin responsable";
    "mdt.decide" => "Record the decision", "Enregistrer la décision";
    "mdt.undecided" => "No decision yet.", "Pas encore de décision.";
    "mdt.done.created" => "Meeting planned.", "Réunion planifiée.";
    "mdt.done.updated" => "Meeting saved.", "Réunion enregistrée.";
    "mdt.done.added" => "The case is on the agenda.", "Le dossier est inscrit à l'ordre du jour.";
    "mdt.done.removed" => "The case was taken off the agenda.", "Le dossier a été retiré de l'ordre du jour.";
    "mdt.done.decided" => "Decision recorded; the case is now:", "Décision enregistrée ; le dossier est désormais :";
    "mdt.done.decided.plain" => "Decision recorded.", "Décision enregistrée.";
    "mdt.back" => "Back to the meeting", "Retour à la réunion";
    "mdt.record.title" => "MDT meeting record", "Compte rendu de RCP";
    "mdt.record.cases" => "Cases discussed", "Dossiers discutés";
    "mdt.record.undecided" => "No decision recorded at this meeting.", "Aucune décision enregistrée lors de cette réunion.";
    "mdt.record.signed" => "Decisions taken collectively by the attendees listed above.", "Décisions prises collégialement par les participants ci-dessus.";
    "mdt.record.signature" => "Signature of the coordinating physician", "Signature du médecin coordonnateur";

    "mdt.kind.thoracic_oncology" => "Thoracic oncology MDT", "RCP d'oncologie thoracique";
    "mdt.kind.digestive_oncology" => "Digestive oncology MDT", "RCP d'oncologie digestive";
    "mdt.kind.hepatobiliary" => "Hepatobiliary MDT", "RCP hépatobiliaire";
    "mdt.kind.urologic_oncology" => "Urologic oncology MDT", "RCP d'onco-urologie";
    "mdt.kind.gynecologic_oncology" => "Gynecologic oncology MDT", "RCP d'onco-gynécologie";
    "mdt.kind.musculoskeletal" => "Musculoskeletal MDT", "RCP ostéo-articulaire";
    "mdt.kind.vascular" => "Vascular MDT", "RCP vasculaire";
    "mdt.kind.general" => "General MDT", "RCP générale";
    "mdt.specialty.interventional_radiology" => "Interventional radiology", "Radiologie interventionnelle";
    "mdt.specialty.radiology" => "Diagnostic radiology", "Radiologie diagnostique";
    "mdt.specialty.oncology" => "Medical oncology", "Oncologie médicale";
    "mdt.specialty.surgery" => "Surgery", "Chirurgie";
    "mdt.specialty.radiation_oncology" => "Radiation oncology", "Radiothérapie";
    "mdt.specialty.gastroenterology" => "Gastroenterology", "Gastro-entérologie";
    "mdt.specialty.pulmonology" => "Pulmonology", "Pneumologie";
    "mdt.specialty.urology" => "Urology", "Urologie";
    "mdt.specialty.gynecology" => "Gynecology", "Gynécologie";
    "mdt.specialty.pathology" => "Pathology", "Anatomopathologie";
    "mdt.specialty.anesthesia" => "Anesthesia", "Anesthésie";
    "mdt.specialty.nuclear_medicine" => "Nuclear medicine", "Médecine nucléaire";
    "mdt.specialty.other" => "Other", "Autre";
    "mdt.decision.ir_procedure" => "IR procedure", "Geste de radiologie interventionnelle";
    "mdt.decision.surgery" => "Surgery", "Chirurgie";
    "mdt.decision.radiotherapy" => "Radiotherapy", "Radiothérapie";
    "mdt.decision.systemic_therapy" => "Systemic therapy", "Traitement systémique";
    "mdt.decision.surveillance" => "Surveillance", "Surveillance";
    "mdt.decision.more_work_up" => "More work-up", "Complément de bilan";
} }
