//! The same stories against whichever engine `SELDINGER_TEST_DATABASE` names (SQLite when
//! unset); CI runs this binary on both.
//!
//! - `patients`: patients, accounts, sessions, the audit log.
//! - `accounts`: an active administrator always remains, enabling, password change and
//!   reset, a user's API tokens.
//! - `audit`: every read and write of patient data names the patient; a referring
//!   physician's scope and emergency access.
//! - `pathway`: steps 1–6 of the pathway, referral to time-out: catalog, resources,
//!   cases, consultations, MDT, bookings, checklists.
//! - `outcomes`: steps 7–11: report, specimens and pathology, adverse events,
//!   follow-up, closure.
//! - `availability`: the database gone (PostgreSQL behind a relay): `Unavailable` within
//!   a second, and back by itself; the statement timeout.
//! - `support`: the clock and helpers every story uses.
#![expect(
    clippy::unwrap_used,
    reason = "setup helpers outside #[test] functions: a failed setup should panic"
)]

mod accounts;
mod audit;
mod availability;
mod outcomes;
mod pathway;
mod patients;
mod support;
