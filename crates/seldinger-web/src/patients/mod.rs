//! Patients: the list and search, the patient page (their record, their cases), the
//! patient form (register, edit, withdraw a record registered in error), and the timeline
//! of everything about a patient across cases. Before pathway step 1 (PRODUCT.md): every
//! case is about a registered patient.
//!
//! - [`pages`]: the list, the patient page, the form, the timeline (templates in
//!   `templates/patients/`).
//! - [`api`]: the same over JSON; [`spec`]: this area's part of the OpenAPI document;
//!   [`messages`]: its messages.
//!
//! Every read of a patient is audited by the store; a search's entry names the records
//! it showed.

mod api;
mod messages;
mod pages;
mod spec;

use axum::http::Method;
use seldinger_domain::{Access, Permission};
use seldinger_store::timeline::{TimelineEntry, TimelineItem};
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
        route(M::GET,    "/patients",                          Needs(PatientRead),  pages::patients),
        route(M::POST,   "/patients",                          Needs(PatientWrite), pages::create_patient),
        route(M::GET,    "/patients/new",                      Needs(PatientWrite), pages::new_patient),
        route(M::GET,    "/patients/{id}",                     Needs(PatientRead),  pages::patient),
        route(M::POST,   "/patients/{id}",                     Needs(PatientWrite), pages::update_patient),
        route(M::GET,    "/patients/{id}/edit",                Needs(PatientWrite), pages::edit_patient),
        route(M::POST,   "/patients/{id}/delete",              Needs(PatientWrite), pages::delete_patient),
        route(M::GET,    "/patients/{id}/timeline",            Needs(CaseRead),     pages::timeline),
        route(M::GET,    "/api/v1/patients",                   Needs(PatientRead),  api::search_patients),
        route(M::POST,   "/api/v1/patients",                   Needs(PatientWrite), api::create_patient),
        route(M::GET,    "/api/v1/patients/{id}",              Needs(PatientRead),  api::get_patient),
        route(M::PUT,    "/api/v1/patients/{id}",              Needs(PatientWrite), api::update_patient),
        route(M::DELETE, "/api/v1/patients/{id}",              Needs(PatientWrite), api::delete_patient),
        route(M::GET,    "/api/v1/patients/{id}/cases",        Needs(CaseRead),     api::list_patient_cases),
        route(M::GET,    "/api/v1/patients/{id}/timeline",     Needs(CaseRead),     api::timeline),
    ]
}

/// This area's part of the OpenAPI document: `tags`, `paths` and `schemas`.
pub(crate) fn openapi() -> Value {
    spec::openapi()
}

/// Where a timeline entry is recorded (the page a line links to).
fn href(e: &TimelineEntry) -> String {
    let case = format!("/cases/{}", e.case_id);
    match &e.item {
        TimelineItem::CaseEvent { .. } | TimelineItem::Consultation { .. } => case,
        TimelineItem::Addendum { .. } | TimelineItem::Pathology { .. } => format!("{case}/report"),
        TimelineItem::AdverseEvent { .. } => format!("{case}/events"),
        TimelineItem::FollowUp { id, .. } => format!("/follow-ups/{id}"),
    }
}
