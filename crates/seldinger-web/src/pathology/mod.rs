//! Pathology (PRODUCT.md, pathway step 8): the specimens a signed report lists, the
//! pathologists' worklist (specimens awaiting their result, `/worklists/pathology`), and
//! each specimen's result — adequacy, category, histology — recorded once.
//!
//! - [`pages`]: the worklist and a specimen's page with its result form (templates in
//!   `templates/pathology/`).
//! - [`api`]: the same over JSON; [`spec`]: this area's part of the OpenAPI document;
//!   [`messages`]: its messages.
//!
//! Specimens are created by the store when the report is signed; every read of one is
//! audited as a specimen read of its case.

mod api;
mod messages;
mod pages;
mod spec;

use axum::http::Method;
use seldinger_domain::{Access, Permission};
use serde_json::Value;

use crate::routes::{Route, route};

pub(crate) use messages::MESSAGES;

/// This area's routes, each with the access it demands.
#[rustfmt::skip] // One route per line: this is a table, read as one.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Needs;
    use Method as M;
    use Permission::*;
    vec![
        route(M::GET,  "/worklists/pathology",                Needs(CaseRead),        pages::pathology_worklist),
        route(M::GET,  "/specimens/{id}",                     Needs(CaseRead),        pages::specimen),
        route(M::POST, "/specimens/{id}",                     Needs(PathologyRecord), pages::record_result),
        route(M::GET,  "/api/v1/cases/{id}/specimens",        Needs(CaseRead),        api::case_specimens),
        route(M::GET,  "/api/v1/specimens/pending",           Needs(CaseRead),        api::pending_specimens),
        route(M::GET,  "/api/v1/specimens/{id}",              Needs(CaseRead),        api::get_specimen),
        route(M::POST, "/api/v1/specimens/{id}/result",       Needs(PathologyRecord), api::record_result),
    ]
}

/// This area's part of the OpenAPI document: `tags`, `paths` and `schemas`.
pub(crate) fn openapi() -> Value {
    spec::openapi()
}
