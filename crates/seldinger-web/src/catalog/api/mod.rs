//! The catalog's JSON handlers, one module per subject.

pub(super) mod procedures;
pub(super) mod resources;
pub(super) mod staff;
pub(super) mod thresholds;
