//! Messages of bookings, calendars, the day's lists and the anesthetists' list.

// `messages!` is in scope from the parent module (declared before this one).

messages! { MESSAGES {
    "nav.schedule" => "Schedule", "Planning";
} }
