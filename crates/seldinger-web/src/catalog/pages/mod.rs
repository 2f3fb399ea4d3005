//! The catalog's pages, one module per subject.

pub(super) mod procedures;
pub(super) mod resources;
pub(super) mod staff;
pub(super) mod thresholds;
