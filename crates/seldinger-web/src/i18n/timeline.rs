//! The patient timeline.

messages! { MESSAGES {
    "timeline.title" => "Timeline", "Chronologie";
    "timeline.link" => "Timeline across cases", "Chronologie de tous les dossiers";
    "timeline.empty" => "Nothing recorded yet.", "Rien d'enregistré pour l'instant.";
    "timeline.when" => "When", "Quand";
    "timeline.case" => "Case", "Dossier";
    "timeline.what" => "What", "Quoi";
    "timeline.detail" => "Detail", "Détail";
    "timeline.planned" => "planned", "prévu";
    "timeline.addendum" => "Report addendum", "Addendum au compte rendu";
    "timeline.pathology" => "Pathology result", "Résultat anatomopathologique";
    "timeline.serious" => "serious", "grave";
} }
