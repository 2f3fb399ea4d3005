//! This area's messages, each in both languages (see [`crate::i18n`]).

use crate::i18n::messages;

messages! { MESSAGES {
    "report.title" => "Procedure report", "Compte rendu opératoire";

    "report.print" => "Print", "Imprimer";
    "report.print.fr" => "Print in French", "Imprimer en français";
    "report.print.en" => "Print in English", "Imprimer en anglais";
    "report.state.new" => "Not started", "Non commencé";
    "report.state.draft" => "Draft", "Brouillon";
    "report.state.signed" => "Signed", "Signé";
    "report.signed_by" => "Signed by", "Signé par";
    "report.draft_notice" => "Draft: saving it does not sign it. The procedure is recorded as performed when the first draft is saved.", "Brouillon : l'enregistrer ne le signe pas. Le geste est enregistré comme réalisé au premier enregistrement.";
    "report.locked" => "This report is signed: it can no longer be changed. Corrections are made by a signed addendum.", "Ce compte rendu est signé : il ne peut plus être modifié. Les corrections se font par un addendum signé.";
    "report.not_performable" => "The report can be written once the case is ready (checklist complete) or performed.", "Le compte rendu peut être rédigé quand le dossier est prêt (check-list complète) ou réalisé.";
    "report.save" => "Save draft", "Enregistrer le brouillon";
    "report.sign" => "Sign the report", "Signer le compte rendu";
    "report.sign.hint" => "Signing locks the report, creates the specimens for pathology and plans the follow-up.", "La signature verrouille le compte rendu, crée les prélèvements pour l'anatomopathologie et planifie le suivi.";
    "report.missing" => "Still missing before signature:", "Encore manquant avant signature :";
    "report.complete" => "Complete: ready to be signed.", "Complet : prêt à être signé.";
    "report.saved" => "Draft saved.", "Brouillon enregistré.";
    "report.signed" => "Report signed. Specimens and follow-up are planned.", "Compte rendu signé. Prélèvements et suivi planifiés.";
    "report.stale" => "Someone saved this report in the meantime: here is their version; your changes were not saved.", "Quelqu'un a enregistré ce compte rendu entre-temps : voici sa version ; vos modifications n'ont pas été enregistrées.";

    "report.section.procedure" => "Procedure", "Geste";
    "report.section.team" => "Team", "Équipe";
    "report.section.technique" => "Technique", "Technique";
    "report.section.dose" => "Radiation dose", "Dose d'irradiation";
    "report.section.result" => "Result", "Résultat";
    "report.section.specimens" => "Specimens", "Prélèvements";
    "report.one_per_line" => "One per line.", "Un par ligne.";
    "report.dose.hint" => "As the modality displays it. Required for signature when the guidance uses ionising radiation.", "Tels qu'affichés par la modalité. Obligatoires à la signature quand le guidage est irradiant.";
    "report.field.started_at" => "Start", "Début";
    "report.field.ended_at" => "End", "Fin";
    "report.field.operators" => "Operators", "Opérateurs";
    "report.field.assistants" => "Assistants", "Aides";
    "report.field.guidance" => "Guidance", "Guidage";
    "report.field.anesthesia" => "Anesthesia", "Anesthésie";
    "report.field.access_route" => "Access route", "Voie d'abord";
    "report.field.devices" => "Devices and materials", "Matériel utilisé";
    "report.field.contrast_agent" => "Contrast agent", "Produit de contraste";
    "report.field.contrast_ml" => "Contrast volume (mL)", "Volume de contraste (mL)";
    "report.field.dap_gycm2" => "Dose-area product (Gy·cm²)", "Produit dose-surface (Gy·cm²)";
    "report.field.fluoroscopy_s" => "Fluoroscopy time (s)", "Durée de scopie (s)";
    "report.field.air_kerma_mgy" => "Reference air kerma (mGy)", "Kerma dans l'air au point de référence (mGy)";
    "report.field.ct_dlp_mgycm" => "CT dose-length product (mGy·cm)", "PDL scanner (mGy·cm)";
    "report.field.exposures" => "Number of exposures", "Nombre d'acquisitions";
    "report.field.biopsy_needle_gauge" => "Needle gauge (G)", "Calibre de l'aiguille (G)";
    "report.field.biopsy_cores" => "Number of cores", "Nombre de carottes";
    "report.field.ablation_modality" => "Ablation energy", "Énergie d'ablation";
    "report.field.ablation_energy_kj" => "Energy delivered (kJ)", "Énergie délivrée (kJ)";
    "report.field.ablation_power_w" => "Power (W)", "Puissance (W)";
    "report.field.ablation_duration_min" => "Duration (min)", "Durée (min)";
    "report.field.ablation_applications" => "Applications", "Applications";
    "report.field.ablation_zone_mm" => "Ablation zone (mm)", "Zone d'ablation (mm)";
    "report.field.embolization_agent" => "Embolic agent", "Agent d'embolisation";
    "report.field.embolization_target_vessel" => "Target vessel", "Vaisseau cible";
    "report.field.drainage_catheter_fr" => "Catheter size (Fr)", "Calibre du drain (Fr)";
    "report.field.technical_success" => "Technical success", "Succès technique";
    "report.field.findings" => "Findings", "Constatations";
    "report.field.conclusion" => "Conclusion", "Conclusion";
    "report.field.specimens" => "Specimen labels", "Étiquettes des prélèvements";
    "report.modality.radiofrequency" => "Radiofrequency", "Radiofréquence";
    "report.modality.microwave" => "Microwave", "Micro-ondes";
    "report.modality.cryoablation" => "Cryoablation", "Cryoablation";

    "report.complications" => "Immediate complications are recorded as adverse events.", "Les complications immédiates sont enregistrées comme événements indésirables.";
    "report.events" => "Adverse events of this case", "Événements indésirables du dossier";
    "report.addenda" => "Addenda", "Addenda";
    "report.addendum" => "Addendum", "Addendum";
    "report.addendum.text" => "Text of the addendum", "Texte de l'addendum";
    "report.addendum.submit" => "Sign the addendum", "Signer l'addendum";
    "report.addendum.added" => "Addendum signed.", "Addendum signé.";
    "report.no_addenda" => "No addendum.", "Aucun addendum.";
    "report.specimens.none" => "No specimen.", "Aucun prélèvement.";

    "report.print.patient" => "Patient", "Patient";
    "report.print.born" => "born", "né(e) le";
    "report.print.issued" => "Printed on", "Imprimé le";
    "report.print.unsigned" => "DRAFT — not signed", "BROUILLON — non signé";
    "report.print.back" => "Back to the report", "Retour au compte rendu";
    "report.print.signature" => "Electronically signed by", "Signé électroniquement par";

    "pathology.count" => "specimens", "prélèvements";
} }
