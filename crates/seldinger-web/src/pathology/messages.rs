//! This area's messages, each in both languages (see [`crate::i18n`]).

use crate::i18n::messages;

messages! { MESSAGES {
    "report.specimen.result" => "Result", "Résultat";

    "pathology.title" => "Pathology: specimens awaiting a result", "Anatomopathologie : prélèvements en attente de résultat";

    "pathology.empty" => "No specimen awaiting a result.", "Aucun prélèvement en attente de résultat.";
    "pathology.label" => "Specimen", "Prélèvement";
    "pathology.collected" => "Collected", "Prélevé le";
    "pathology.waiting" => "Waiting", "Attente";
    "pathology.days" => "d", "j";
    "pathology.record" => "Record the result", "Saisir le résultat";
    "pathology.specimen" => "Specimen", "Prélèvement";
    "pathology.adequacy" => "Adequacy", "Qualité du prélèvement";
    "pathology.category" => "Category", "Catégorie";
    "pathology.histology" => "Histology", "Histologie";
    "pathology.result_date" => "Date of the result", "Date du résultat";
    "pathology.turnaround" => "Turnaround", "Délai";
    "pathology.recorded_by" => "Recorded by", "Saisi par";
    "pathology.recorded" => "Result recorded.", "Résultat enregistré.";
    "pathology.category.hint" => "Non-diagnostic exactly when the specimen is inadequate; benign or malignant needs the histology.", "Non diagnostique si et seulement si le prélèvement est non contributif ; bénin ou malin exige l'histologie.";
} }
