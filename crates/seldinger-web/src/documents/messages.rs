//! This area's messages, each in both languages (see [`crate::i18n`]).

use crate::i18n::messages;

messages! { MESSAGES {
    "mdt.doc.back" => "Back to the checklist", "Retour à la check-list";

    "mdt.doc.issued" => "Issued on", "Édité le";
    "mdt.doc.born" => "born on", "né(e) le";
    "mdt.doc.salutation" => "Dear Madam, dear Sir,", "Madame, Monsieur,";
    "mdt.doc.convocation.intro" => "You have an appointment in the interventional radiology department for the following procedure:", "Un rendez-vous vous est fixé dans le service de radiologie interventionnelle pour le geste suivant :";
    "mdt.doc.date" => "Date", "Date";
    "mdt.doc.time" => "Time of the procedure", "Heure du geste";
    "mdt.doc.arrival" => "Please arrive at", "Présentez-vous à";
    "mdt.doc.room" => "Room", "Salle";
    "mdt.doc.stay" => "Planned stay", "Durée prévue du séjour";
    "mdt.doc.arrival.text" => "Please come to the department's reception one hour before the time of the procedure, so that the team can prepare you.", "Merci de vous présenter à l'accueil du service une heure avant l'heure du geste, afin que l'équipe puisse vous préparer.";
    "mdt.doc.date_pending" => "The date and time of your procedure have not been set yet: they will be sent to you shortly.", "La date et l'heure de votre geste ne sont pas encore fixées : elles vous seront communiquées prochainement.";
    "mdt.doc.bring" => "What to bring", "À apporter";
    "mdt.doc.bring.identity" => "An identity document", "Une pièce d'identité";
    "mdt.doc.bring.insurance" => "Your health insurance card and, if you have one, your complementary insurance card", "Votre carte Vitale et, le cas échéant, votre attestation de mutuelle";
    "mdt.doc.bring.letter" => "This letter and your doctor's referral letter", "Cette convocation et le courrier de votre médecin";
    "mdt.doc.bring.imaging" => "Your recent imaging (reports, CD or images)", "Vos examens d'imagerie récents (comptes rendus, CD ou images)";
    "mdt.doc.bring.labs" => "Your latest blood test results", "Vos derniers résultats de prise de sang";
    "mdt.doc.bring.medication" => "The list of your current medications (your prescriptions)", "La liste de vos médicaments en cours (vos ordonnances)";
    "mdt.doc.contact" => "Contact", "Contact";
    "mdt.doc.contact.text" => "If you cannot come, or if you have a question, call the interventional radiology secretariat as soon as possible, on working days.", "Si vous ne pouvez pas venir, ou pour toute question, appelez au plus tôt le secrétariat de radiologie interventionnelle, les jours ouvrables.";
    "mdt.doc.closing" => "Yours sincerely, the interventional radiology team.", "Veuillez agréer, Madame, Monsieur, nos salutations distinguées. L'équipe de radiologie interventionnelle.";
    "mdt.doc.for" => "For:", "Pour :";

    "mdt.doc.sheet.received" => "I have received this information sheet and was able to ask my questions.", "J'ai reçu cette fiche d'information et j'ai pu poser mes questions.";
    "mdt.doc.sheet.patient_signature" => "Patient's signature", "Signature du patient";
} }
