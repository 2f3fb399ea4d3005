//! This area's messages, each in both languages (see [`crate::i18n`]).

use crate::i18n::messages;

messages! { MESSAGES {
    "case.referral.new" => "New referral", "Nouvelle demande d'acte";
    "case.referral.submit" => "Send the referral", "Envoyer la demande";
    "case.referral.from_record" => "Ticked from the patient's record; change them if they are no longer right.", "Cochées d'après le dossier du patient ; modifiez-les si elles ne sont plus exactes.";
    "case.choose" => "— Choose —", "— Choisir —";

    "case.referring_service" => "Service", "Service";

    "case.target_organ" => "Organ", "Organe";
    "case.target_site" => "Site", "Site";
    "case.target_site.hint" => "e.g. right upper lobe, segment VII", "ex. lobe supérieur droit, segment VII";
    "case.side" => "Side", "Côté";
    "case.lesion_size" => "Lesion size (mm)", "Taille de la lésion (mm)";
} }
