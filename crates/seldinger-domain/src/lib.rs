//! The domain of Seldinger: what an interventional radiology department knows, as types.
//!
//! Pure: no IO, no clock read, no randomness. Everything that depends on the time takes
//! `now` (or a [`clock::Clock`]) as a parameter, so pathways and deadlines are testable.
//! Values are parsed at the edge ("parse, don't validate"): once a [`patient::NewPatient`]
//! or a [`user::Username`] exists, it is valid.
//!
//! Modules:
//! - [`ids`]: UUIDv7 identifiers wrapped in newtypes.
//! - [`text`]: accent- and case-folding for search, person-name rules.
//! - [`invalid`]: field-level validation errors, in French and English.
//! - [`patient`]: patients, allergies, anticoagulants, search queries.
//! - [`user`]: usernames, roles, languages.
//! - [`access`]: the permission matrix (role → permissions).
//! - [`audit`]: what the audit log records.
//! - [`case`]: the pathway of one case, referral to closure, as a state machine.
//! - [`clock`]: the `Clock` trait and a manual clock for tests.

pub mod access;
pub mod audit;
pub mod case;
pub mod clock;
pub mod ids;
pub mod invalid;
pub mod patient;
pub mod text;
pub mod user;

pub use access::{Access, Permission};
pub use clock::Clock;
pub use ids::{PatientId, UserId};
pub use invalid::{FieldError, Invalid, Problem};
pub use user::{Lang, Role};
