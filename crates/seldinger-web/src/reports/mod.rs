//! (being built)

use serde_json::{Value, json};

use crate::routes::Route;

/// This area's routes, each with the access it demands.
pub(crate) fn routes() -> Vec<Route> {
    Vec::new()
}

/// This area's part of the OpenAPI document: `tags`, `paths` and `schemas`.
pub(crate) fn openapi() -> Value {
    json!({ "tags": [], "paths": {}, "schemas": {} })
}
