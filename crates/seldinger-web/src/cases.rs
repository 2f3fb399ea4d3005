//! Referrals and cases: the referral form, the case page with its history and actions
//! (triage, planning, cancellation), consultations and consent, and the worklists.
//! Pages and JSON API.

use serde_json::{Value, json};

use crate::routes::Route;

/// This area's routes, each with the access it demands.
#[rustfmt::skip] // One route per line: this is a table, read as one.
pub(crate) fn routes() -> Vec<Route> {
    vec![]
}

/// This area's part of the OpenAPI document: `tags`, `paths` and `schemas`.
pub(crate) fn openapi() -> Value {
    json!({ "tags": [], "paths": {}, "schemas": {} })
}
