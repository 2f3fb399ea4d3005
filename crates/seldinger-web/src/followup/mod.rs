//! Follow-up and closure (PRODUCT.md, pathway steps 10 and 11): the follow-up planned at
//! signature (day-7 and day-30 calls, a consultation, imaging or volumetry), the due and
//! overdue worklists (`/worklists/follow-up`), recording a contact once, the case's
//! follow-up page, closing a case once every item is recorded, and reopening it with a
//! reason.
//!
//! - [`pages`]: the worklist, a contact, the case's follow-up with close and reopen
//!   (templates in `templates/followup/`).
//! - [`api`]: the same over JSON; [`spec`]: this area's part of the OpenAPI document;
//!   [`messages`]: its messages.
//!
//! Shared here by both faces: which list a request names ([`follow_up_list`]). An adverse
//! event found at a contact is recorded on the case's events page (`adverse_events`),
//! which the contact page links to.

mod api;
mod messages;
mod pages;
mod spec;

use seldinger_domain::Permission;
use seldinger_store::followups::FollowUpList;
use serde_json::Value;

use crate::error::AppError;
use crate::routes::{Route, route};

pub(crate) use messages::MESSAGES;

/// This area's routes, each with the access it demands.
#[rustfmt::skip] // One route per line: this is a table, read as one.
pub(crate) fn routes() -> Vec<Route> {
    use seldinger_domain::Access::Needs;
    use axum::http::Method as M;
    use Permission::*;
    vec![
        route(M::GET,  "/worklists/follow-up",                     Needs(CaseRead),           pages::follow_up_worklist),
        route(M::GET,  "/follow-ups/{id}",                         Needs(CaseRead),           pages::follow_up),
        route(M::POST, "/follow-ups/{id}",                         Needs(FollowUpRecord),     pages::record_follow_up),
        route(M::GET,  "/cases/{id}/follow-up",                    Needs(CaseRead),           pages::case_follow_up),
        route(M::POST, "/cases/{id}/close",                        Needs(CaseClose),          pages::close_case),
        route(M::POST, "/cases/{id}/reopen",                       Needs(CaseClose),          pages::reopen_case),
        route(M::GET,  "/api/v1/cases/{id}/follow-ups",            Needs(CaseRead),           api::case_follow_ups),
        route(M::GET,  "/api/v1/follow-ups",                       Needs(CaseRead),           api::follow_up_worklist),
        route(M::GET,  "/api/v1/follow-ups/{id}",                  Needs(CaseRead),           api::get_follow_up),
        route(M::POST, "/api/v1/follow-ups/{id}",                  Needs(FollowUpRecord),     api::record_follow_up),
        route(M::POST, "/api/v1/cases/{id}/close",                 Needs(CaseClose),          api::close_case),
        route(M::POST, "/api/v1/cases/{id}/reopen",                Needs(CaseClose),          api::reopen_case),
    ]
}

/// This area's part of the OpenAPI document: `tags`, `paths` and `schemas`.
pub(crate) fn openapi() -> Value {
    spec::openapi()
}

/// `due` (the default) or `overdue`; anything else is a bad request naming `list`.
fn follow_up_list(raw: &str) -> Result<FollowUpList, AppError> {
    match raw.trim() {
        "" | "due" => Ok(FollowUpList::Due),
        "overdue" => Ok(FollowUpList::Overdue),
        _ => Err(seldinger_domain::FieldError::new(
            "list",
            seldinger_domain::invalid::Problem::BadFormat {
                expected: "due or overdue",
            },
        )
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_follow_up_list_is_due_or_overdue() {
        assert_eq!(follow_up_list("").ok(), Some(FollowUpList::Due));
        assert_eq!(follow_up_list("overdue").ok(), Some(FollowUpList::Overdue));
        assert!(follow_up_list("late").is_err());
    }
}
