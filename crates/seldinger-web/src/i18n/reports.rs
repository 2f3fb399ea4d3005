//! Procedure reports, addenda, specimens and pathology.

messages! { MESSAGES {
    "report.title" => "Procedure report", "Compte rendu opératoire";
} }
