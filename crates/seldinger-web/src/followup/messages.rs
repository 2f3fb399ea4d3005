//! This area's messages, each in both languages (see [`crate::i18n`]).

use crate::i18n::messages;

messages! { MESSAGES {
    "followup.title" => "Follow-up", "Suivi";

    "ae.patient" => "Patient", "Patient";

    "fu.worklist.title" => "Follow-up", "Suivi";
    "fu.list.due" => "Due", "À faire";
    "fu.list.overdue" => "Overdue", "En retard";
    "fu.worklist.empty" => "Nothing on this list.", "Rien sur cette liste.";
    "fu.item" => "Follow-up", "Suivi";
    "fu.due_on" => "Due", "Prévu le";
    "fu.window_end" => "Window ends", "Fin de fenêtre";
    "fu.late" => "Late", "Retard";
    "fu.days" => "d", "j";
    "fu.status" => "Status", "Statut";
    "fu.contact_date" => "Date of the contact", "Date du contact";
    "fu.findings" => "Findings", "Constatations";
    "fu.record" => "Record the contact", "Enregistrer le contact";
    "fu.recorded" => "Contact recorded.", "Contact enregistré.";
    "fu.recorded_by" => "Recorded by", "Enregistré par";
    "fu.new_event" => "An adverse event found at this contact: record it", "Un événement indésirable constaté lors de ce contact : le déclarer";
    "fu.case_title" => "Follow-up and closure", "Suivi et clôture";
    "fu.case.none" => "No follow-up planned yet: it is planned when the report is signed.", "Aucun suivi planifié : il l'est à la signature du compte rendu.";
    "fu.close" => "Close the case", "Clôturer le dossier";
    "fu.close.hint" => "A case closes once every follow-up item is recorded.", "Un dossier se clôture quand tous les éléments de suivi sont enregistrés.";
    "fu.reopen" => "Reopen the case", "Rouvrir le dossier";
    "fu.reopen.reason" => "Why reopen it", "Motif de la réouverture";
    "fu.closed" => "Case closed.", "Dossier clôturé.";
    "fu.reopened" => "Case reopened.", "Dossier rouvert.";
    "fu.overdue" => "overdue", "en retard";
    "fu.open" => "Open", "Ouvrir";
} }
