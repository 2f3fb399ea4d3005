//! This area's messages, each in both languages (see [`crate::i18n`]).

use crate::i18n::messages;

messages! { MESSAGES {
    "worklist.title" => "Worklists", "Listes de travail";
    "worklist.to_triage" => "Referrals to triage", "Demandes à trier";
    "worklist.to_triage.hint" => "New referrals waiting for a radiologist: accept, decline or send to the MDT.", "Nouvelles demandes en attente d'un radiologue : accepter, refuser ou présenter en RCP.";
    "worklist.awaiting_consultation" => "Awaiting consultation", "En attente de consultation";
    "worklist.awaiting_consultation.hint" => "Accepted cases whose pre-procedure consultation is still to be held.", "Dossiers acceptés dont la consultation pré-interventionnelle reste à faire.";
    "worklist.consulted" => "Consulted, to decide", "Vus en consultation, à décider";
    "worklist.consulted.hint" => "Consulted cases waiting for a decision: plan the procedure or send to the MDT.", "Dossiers vus en consultation en attente de décision : programmer le geste ou présenter en RCP.";
    "worklist.awaiting_mdt" => "Awaiting MDT", "En attente de RCP";
    "worklist.awaiting_mdt.hint" => "Cases to put on the agenda of a multidisciplinary meeting.", "Dossiers à inscrire à l'ordre du jour d'une réunion de concertation pluridisciplinaire.";
    "worklist.to_schedule" => "To schedule", "À programmer";
    "worklist.to_schedule.hint" => "Decided procedures waiting for a slot: room, operator, equipment and bed.", "Gestes décidés en attente d'un créneau : salle, opérateur, matériel et lit.";
    "worklist.empty" => "No case in this list.", "Aucun dossier dans cette liste.";
    "worklist.see_all" => "See the whole list", "Voir toute la liste";
    "worklist.days" => "d", "j";
    "worklist.waiting" => "Waiting", "Attente";
    "worklist.clinic_today" => "Today's consultations", "Consultations du jour";
    "worklist.pages" => "Pages", "Pages";
    "worklist.previous" => "Previous page", "Page précédente";
    "worklist.next" => "Next page", "Page suivante";
    "worklist.action.triage" => "Triage", "Trier";
    "worklist.action.book_consultation" => "Book a consultation", "Prendre rendez-vous";
    "worklist.action.decide" => "Decide", "Décider";
    "worklist.action.agenda" => "Put on an agenda", "Inscrire en RCP";
    "worklist.action.book" => "Book", "Programmer";
    "worklist.action.open" => "Open", "Ouvrir";

    "worklist.after" => "After the procedure", "Après le geste";
    "worklist.after.pathology" => "Specimens awaiting their pathology result.", "Prélèvements en attente du résultat anatomopathologique.";
    "worklist.after.follow_up" => "Follow-up contacts due", "Contacts de suivi à faire";
    "worklist.after.follow_up.hint" => "Day-7 and day-30 contacts, consultations and imaging within their window today.", "Contacts J7 et J30, consultations et imagerie dont la fenêtre est ouverte aujourd'hui.";
    "worklist.after.overdue" => "Overdue", "En retard";
    "worklist.after.serious" => "Serious adverse events to report", "Événements indésirables graves à déclarer";
    "worklist.after.serious.hint" => "Serious events whose report is not yet marked as sent, nearest deadline first.", "Événements graves dont la déclaration n'est pas encore marquée comme faite, échéance la plus proche d'abord.";
} }
