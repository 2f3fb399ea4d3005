//! This area's messages, each in both languages (see [`crate::i18n`]).

use crate::i18n::messages;

messages! { MESSAGES {
    "mdt.side.left" => "Left", "Gauche";
    "mdt.side.right" => "Right", "Droit";
    "mdt.side.bilateral" => "Bilateral", "Bilatéral";
    "mdt.side.midline" => "Midline", "Médian";
    "mdt.side.not_applicable" => "Not applicable", "Sans objet";
    "mdt.checklist.title" => "Pre-procedure checklist", "Check-list pré-procédure";
    "mdt.checklist.stale" => "Someone else saved this checklist while you were filling it in. The values below are the current ones: check them and save again.", "Quelqu'un d'autre a enregistré cette check-list pendant votre saisie. Les valeurs ci-dessous sont les valeurs actuelles : vérifiez-les puis enregistrez à nouveau.";
    "mdt.checklist.booking" => "Booking", "Réservation";
    "mdt.checklist.not_booked" => "Not booked yet", "Pas encore programmé";
    "mdt.checklist.evaluation" => "Where the checklist stands", "Où en est la check-list";
    "mdt.checklist.ready" => "The case is ready.", "Le dossier est prêt.";
    "mdt.checklist.not_ready" => "Not ready — items blocking:", "Pas prêt — éléments bloquants :";
    "mdt.checklist.complete_unbooked" => "Nothing is missing; the case becomes ready once it is booked.", "Rien ne manque ; le dossier sera prêt une fois programmé.";
    "mdt.checklist.state.done" => "Done", "Fait";
    "mdt.checklist.state.not_needed" => "Not needed", "Sans objet";
    "mdt.checklist.state.missing" => "Missing", "Manquant";
    "mdt.checklist.state.failed" => "Blocking", "Bloquant";
    "mdt.checklist.thresholds" => "Thresholds in force", "Seuils en vigueur";
    "mdt.checklist.risk" => "bleeding risk", "risque hémorragique";
    "mdt.checklist.risk.low" => "low", "faible";
    "mdt.checklist.risk.high" => "high", "élevé";
    "mdt.checklist.inr_max" => "Highest INR", "INR maximal";
    "mdt.checklist.platelets_min" => "Lowest platelets", "Plaquettes minimales";
    "mdt.checklist.egfr_min" => "Lowest eGFR before contrast", "DFG minimal avant injection";
    "mdt.checklist.egfr_unit" => "mL/min/1.73 m²", "mL/min/1,73 m²";
    "mdt.checklist.max_age" => "Labs sampled within", "Bilan prélevé depuis moins de";
    "mdt.checklist.days" => "days", "jours";
    "mdt.checklist.source" => "Source:", "Source :";
    "mdt.checklist.form" => "Fill in the checklist", "Remplir la check-list";
    "mdt.checklist.needs_booking" => "The checklist is filled in once the case is booked.", "La check-list se remplit une fois le dossier programmé.";
    "mdt.checklist.sheet" => "Information sheet handed to the patient", "Fiche d'information remise au patient";
    "mdt.checklist.labs" => "Laboratory results", "Bilan biologique";
    "mdt.checklist.labs.hint" => "Each result with the day it was sampled; leave empty what is not known yet.", "Chaque résultat avec son jour de prélèvement ; laissez vide ce qui n'est pas encore connu.";
    "mdt.checklist.sampled" => "Sampled on", "Prélevé le";
    "mdt.checklist.platelets" => "Platelets (G/L)", "Plaquettes (G/L)";
    "mdt.checklist.creatinine" => "Creatinine (µmol/L)", "Créatinine (µmol/L)";
    "mdt.checklist.egfr" => "eGFR (mL/min/1.73 m²)", "DFG (mL/min/1,73 m²)";
    "mdt.checklist.plan" => "Anticoagulant and antiplatelet plan", "Conduite à tenir pour les anticoagulants et antiagrégants";
    "mdt.checklist.plan_note" => "Plan details", "Précisions sur la conduite à tenir";
    "mdt.checklist.premedication" => "Premedication (contrast allergy)", "Prémédication (allergie au produit de contraste)";
    "mdt.checklist.pregnancy" => "Pregnancy status", "Statut de grossesse";
    "mdt.checklist.fasting" => "Fasting confirmed", "Jeûne confirmé";
    "mdt.checklist.notes" => "Notes", "Remarques";
    "mdt.timeout.title" => "Time-out", "Time-out";
    "mdt.timeout.recorded" => "Time-out recorded by", "Time-out enregistré par";
    "mdt.timeout.unconfirmed" => "Every check must be confirmed before the time-out is recorded.", "Chaque vérification doit être confirmée avant d'enregistrer le time-out.";
    "mdt.timeout.identity" => "Identity confirmed", "Identité confirmée";
    "mdt.timeout.site" => "Site confirmed", "Site confirmé";
    "mdt.timeout.side" => "Side confirmed", "Côté confirmé";
    "mdt.timeout.procedure" => "Procedure confirmed", "Geste confirmé";
    "mdt.timeout.submit" => "Record the time-out", "Enregistrer le time-out";
    "mdt.timeout.pending" => "The time-out has not been recorded yet.", "Le time-out n'est pas encore enregistré.";
    "mdt.timeout.done" => "Time-out recorded.", "Time-out enregistré.";
} }
