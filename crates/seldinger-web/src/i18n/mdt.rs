//! Messages of MDT meetings, the checklist, the time-out and patient documents.

// `messages!` is in scope from the parent module (declared before this one).

messages! { MESSAGES {
    "nav.mdt" => "MDT", "RCP";
} }
