//! Adverse events, follow-up contacts, closing and reopening a case.

messages! { MESSAGES {
    "followup.title" => "Follow-up", "Suivi";
} }
