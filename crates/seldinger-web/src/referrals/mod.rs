//! Referrals and triage (PRODUCT.md, pathway steps 1 and 2): the referral form opens a
//! case for a registered patient; the case page (`/cases/{id}`, and its JSON,
//! `GET /api/v1/cases/{id}`) is where a radiologist triages it — accept, decline with a
//! reason, send to the MDT — plans the procedure after a consultation, or cancels the
//! case with a reason (step 11's cancellation).
//!
//! - [`pages`]: the referral form, the case page's route, triage, planning and
//!   cancellation (templates in `templates/referrals/`; the case page itself is
//!   [`crate::case_page`], shared with `consultations`, whose forms it also holds).
//! - [`api`]: the same over JSON, and a case's detail; [`spec`]: this area's part of the
//!   OpenAPI document; [`messages`]: its messages.
//!
//! Status changes never happen here: a handler names a `CaseEvent` and the store asks
//! `CaseStatus::apply` inside its transaction.

mod api;
mod messages;
mod pages;
mod spec;

use axum::http::Method;
use seldinger_domain::catalog::ProcedureCode;
use seldinger_domain::{Access, FieldError, Permission};
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
        route(M::GET,  "/referrals/new",                          Needs(ReferralCreate),     pages::new_referral),
        route(M::POST, "/referrals",                              Needs(ReferralCreate),     pages::create_referral),
        route(M::GET,  "/cases/{id}",                             Needs(CaseRead),           pages::case),
        route(M::POST, "/cases/{id}/accept",                      Needs(Triage),             pages::accept_case),
        route(M::POST, "/cases/{id}/decline",                     Needs(Triage),             pages::decline_case),
        route(M::POST, "/cases/{id}/send-to-mdt",                 Needs(Triage),             pages::send_case_to_mdt),
        route(M::POST, "/cases/{id}/plan",                        Needs(Triage),             pages::plan_case),
        route(M::POST, "/cases/{id}/cancel",                      Needs(CaseCancel),         pages::cancel_case),
        route(M::POST, "/api/v1/cases",                           Needs(ReferralCreate),     api::create_referral),
        route(M::GET,  "/api/v1/cases/{id}",                      Needs(CaseRead),           api::get_case),
        route(M::POST, "/api/v1/cases/{id}/accept",               Needs(Triage),             api::accept_case),
        route(M::POST, "/api/v1/cases/{id}/decline",              Needs(Triage),             api::decline_case),
        route(M::POST, "/api/v1/cases/{id}/send-to-mdt",          Needs(Triage),             api::send_case_to_mdt),
        route(M::POST, "/api/v1/cases/{id}/plan",                 Needs(Triage),             api::plan_case),
        route(M::POST, "/api/v1/cases/{id}/cancel",               Needs(CaseCancel),         api::cancel_case),
    ]
}

/// This area's part of the OpenAPI document: `tags`, `paths` and `schemas`.
pub(crate) fn openapi() -> Value {
    spec::openapi()
}

/// A procedure code typed for `field`, or none when left empty.
pub(crate) fn procedure_code(field: &str, raw: &str) -> Result<Option<ProcedureCode>, FieldError> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    ProcedureCode::parse(raw)
        .map(Some)
        .map_err(|e| FieldError::new(field, e.problem))
}
