//! This area's messages, each in both languages (see [`crate::i18n`]).

use crate::i18n::messages;

messages! { MESSAGES {
    "ae.title" => "Adverse events", "Événements indésirables";
    "ae.none" => "No adverse event recorded.", "Aucun événement indésirable enregistré.";
    "ae.new" => "Record an adverse event", "Déclarer un événement indésirable";
    "ae.edit" => "Revise the adverse event", "Réviser l'événement indésirable";
    "ae.hint" => "Immediate complications of the procedure are recorded here too. The phase follows from the onset.", "Les complications immédiates du geste sont aussi déclarées ici. La phase découle de la date de survenue.";
    "ae.needs_procedure" => "Adverse events are recorded once the procedure is performed.", "Les événements indésirables se déclarent une fois le geste réalisé.";
    "ae.term" => "Event", "Événement";
    "ae.description" => "Description", "Description";
    "ae.description.hint" => "Required for « Other ».", "Obligatoire pour « Autre ».";
    "ae.onset" => "Onset", "Survenue";
    "ae.phase" => "Phase", "Phase";
    "ae.cirse_grade" => "CIRSE grade (required)", "Grade CIRSE (obligatoire)";
    "ae.sir_grade" => "SIR grade", "Grade SIR";
    "ae.ctcae_grade" => "CTCAE grade", "Grade CTCAE";
    "ae.grades" => "Grades", "Grades";
    "ae.not_graded" => "— not graded —", "— non gradé —";
    "ae.serious" => "Serious adverse event", "Événement indésirable grave";
    "ae.serious.badge" => "serious", "grave";
    "ae.serious_criteria" => "Seriousness criteria", "Critères de gravité";
    "ae.related_to_procedure" => "Related to the procedure", "Lien avec le geste";
    "ae.related_to_device" => "Related to the device under study", "Lien avec le dispositif à l'étude";
    "ae.no_device" => "— no device under study —", "— pas de dispositif à l'étude —";
    "ae.action" => "Action taken", "Conduite tenue";
    "ae.action_note" => "Details of the action", "Précisions sur la conduite tenue";
    "ae.outcome" => "Outcome", "Évolution";
    "ae.resolution_date" => "Resolution date", "Date de résolution";
    "ae.submit" => "Record the event", "Enregistrer l'événement";
    "ae.update" => "Save the revision", "Enregistrer la révision";
    "ae.recorded" => "Adverse event recorded.", "Événement indésirable enregistré.";
    "ae.updated" => "Adverse event revised.", "Événement indésirable révisé.";
    "ae.reported_done" => "Marked as reported.", "Marqué comme déclaré.";
    "ae.stale" => "Someone revised this event in the meantime: here is their version; your changes were not saved.", "Quelqu'un a révisé cet événement entre-temps : voici sa version ; vos modifications n'ont pas été enregistrées.";
    "ae.report_due" => "Report due by", "À déclarer avant le";
    "ae.report_overdue" => "Report overdue", "Déclaration en retard";
    "ae.reported_at" => "Reported on", "Déclaré le";
    "ae.mark_reported" => "Mark as reported", "Marquer comme déclaré";
    "ae.found_at" => "Found at the follow-up contact", "Constaté lors du contact de suivi";

    "ae.revise" => "Revise", "Réviser";
    "ae.serious_list.title" => "Serious adverse events to report", "Événements indésirables graves à déclarer";
    "ae.serious_list.empty" => "No serious event awaiting its report.", "Aucun événement grave en attente de déclaration.";

    "ae.terms.title" => "Adverse-event terms", "Termes des événements indésirables";
    "ae.terms.hint" => "The list offered when an event is recorded. A withdrawn term stays on the events that used it.", "La liste proposée à la déclaration d'un événement. Un terme retiré reste sur les événements qui l'emploient.";
    "ae.terms.code" => "Code", "Code";
    "ae.terms.name_fr" => "French name", "Nom en français";
    "ae.terms.name_en" => "English name", "Nom en anglais";
    "ae.terms.active" => "Offered", "Proposé";
    "ae.terms.add" => "Add or change a term", "Ajouter ou modifier un terme";
    "ae.terms.add.hint" => "Saving with an existing code changes that term.", "Enregistrer avec un code existant modifie ce terme.";
    "ae.terms.save" => "Save the term", "Enregistrer le terme";
    "ae.terms.saved" => "Term saved.", "Terme enregistré.";
    "ae.terms.withdrawn" => "withdrawn", "retiré";
} }
