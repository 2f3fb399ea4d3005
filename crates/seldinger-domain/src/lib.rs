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
//! - [`user`]: usernames, passwords (temporary ones too), roles, languages.
//! - [`access`]: the permission matrix (role → permissions).
//! - [`audit`]: what the audit log records.
//! - [`case`]: the pathway of one case, referral to closure, as a state machine; the
//!   referral that opens it.
//! - [`catalog`]: procedure types (families, defaults, texts in both languages).
//! - [`consultation`]: consultations and consent.
//! - [`mdt`]: multidisciplinary meetings and their decisions.
//! - [`resources`]: rooms, equipment, bed units, staff availability.
//! - [`checklist`]: the pre-procedure checklist and its lab thresholds; the time-out.
//! - [`rules`]: rules checked against stored state (the pathway, accounts), with their
//!   messages.
//! - [`report`]: the procedure report (dose, technique by family), signature, addenda.
//! - [`pathology`]: specimen results and their turnaround.
//! - [`adverse`]: adverse events, their terms, versioned grading systems (CIRSE 2017,
//!   SIR 2017, CTCAE v5), seriousness and the reporting clock.
//! - [`followup`]: the follow-up planned at signature, due and overdue items, contacts.
//! - [`number`]: decimals and counts as typed (French comma), within plausible ranges.
//! - [`localtime`]: the department's wall-clock time (zone passed in).
//! - [`clock`]: the `Clock` trait and a manual clock for tests.

pub mod access;
pub mod adverse;
pub mod audit;
pub mod case;
pub mod catalog;
pub mod checklist;
pub mod clock;
pub mod consultation;
pub mod followup;
pub mod ids;
pub mod invalid;
pub mod localtime;
pub mod mdt;
pub mod number;
pub mod pathology;
pub mod patient;
pub mod report;
pub mod resources;
pub mod rules;
pub mod text;
pub mod user;

pub use access::{Access, Permission};
pub use clock::Clock;
pub use ids::{
    AdverseEventId, BedUnitId, BookingId, CaseId, ConsultationId, EquipmentId, FollowUpId,
    MeetingId, PatientId, ProcedureTypeId, ProcedureVersionId, ReportId, RoomId, SpecimenId,
    TokenId, UserId,
};
pub use invalid::{FieldError, Invalid, Problem};
pub use user::{Lang, Role};
