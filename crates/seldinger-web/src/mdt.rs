//! MDT meetings (agenda, decisions, the printable record), the pre-procedure checklist,
//! the time-out, and the patient documents (convocation, preparation, information
//! sheet). Pages and JSON API.

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
