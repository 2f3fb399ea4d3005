//! The same stories against whichever engine `SELDINGER_TEST_DATABASE` names (SQLite when
//! unset); CI runs this binary on both.
//!
//! - `patients`: patients, accounts, sessions, the audit log.
//! - `support`: the clock and helpers every story uses.
#![expect(
    clippy::unwrap_used,
    reason = "setup helpers outside #[test] functions: a failed setup should panic"
)]

mod patients;
mod support;
