//! Messages of referrals, cases, consultations and worklists.

// `messages!` is in scope from the parent module (declared before this one).

messages! { MESSAGES {
    "nav.worklists" => "Worklists", "Listes de travail";
} }
