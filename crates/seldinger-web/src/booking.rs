//! Booking a case (with the next feasible slots), moving and cancelling bookings, the
//! week calendar of a room, the day's list per room and the anesthetists' list. Pages and
//! JSON API.

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
