//! How values cross the database boundary, for every area of the store: table and column
//! names, instants in UTC, JSON columns, and the error for a stored value that no longer
//! parses. A leaf: it knows no area.

use sea_orm::sea_query::Alias;

use crate::{StoreError, StoreResult};

/// Table and column names, once.
pub(crate) fn name(s: &'static str) -> Alias {
    Alias::new(s)
}

/// An instant on the UTC clock. Instants given by callers (a booking's start, a list's
/// window) are stored and compared in UTC: SQLite keeps them as RFC 3339 text and
/// compares that text, so `10:15+01:00` would otherwise sort after `09:30Z`.
pub(crate) fn utc(at: time::OffsetDateTime) -> time::OffsetDateTime {
    at.to_offset(time::UtcOffset::UTC)
}

/// A value kept as JSON text (lists of allergies, a report's content…).
pub(crate) fn json(value: &impl serde::Serialize) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Other(e.to_string()))
}

/// A stored value that does not parse: a bug or a damaged database, answered 500.
pub(crate) fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Other(format!("stored {what}: {e}"))
}

/// An instant as RFC 3339 to the second (UTC), for the text of audit details.
pub(crate) fn rfc3339_seconds(at: time::OffsetDateTime) -> String {
    let at = at.replace_nanosecond(0).unwrap_or(at);
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| at.to_string())
}

/// The version a record gets when the edit made at `expected` lands. A client may send any
/// `expected`, the type's maximum included: that one never matches a stored row (the edit
/// is a stale-version conflict), and must not overflow on the way.
pub(crate) fn next_version<V: Version>(expected: V) -> V {
    expected.next()
}

/// A version counter: `i64` for most records, `i32` for a procedure type's.
pub(crate) trait Version: Copy {
    fn next(self) -> Self;
}

impl Version for i32 {
    fn next(self) -> Self {
        self.saturating_add(1)
    }
}

impl Version for i64 {
    fn next(self) -> Self {
        self.saturating_add(1)
    }
}
