//! MDT meetings (PRODUCT.md, pathway step 4, "RCP"): the list of meetings, the meeting
//! form (kind, local start, place, attendees by specialty), the meeting with its agenda
//! and one decision form per undecided case, and the printable record.
//!
//! - [`pages`]: the meeting pages (templates in `templates/mdt/`).
//! - [`api`]: the same over JSON; [`spec`]: this area's part of the OpenAPI document;
//!   [`messages`]: its messages.
//!
//! The store does the pathway's work: a decision moves its case (an IR procedure sends it
//! to scheduling with the decided catalog version). Shared here by both faces: the
//! labels of meeting kinds, specialties and decisions, and a meeting's start as the form
//! shows it (the API takes an instant and places it on the same local clock).

mod api;
mod messages;
mod pages;
mod spec;

use axum::http::Method;
use seldinger_domain::case::MdtDecision;
use seldinger_domain::localtime::to_local;
use seldinger_domain::mdt::{MeetingKind, Specialty};
use seldinger_domain::{Access, Lang, Permission};
use serde_json::Value;
use time::OffsetDateTime;

use crate::i18n::coded;
use crate::routes::{Route, route};

pub(crate) use messages::MESSAGES;

/// This area's routes, each with the access it demands.
#[rustfmt::skip] // One route per line: this is a table, read as one.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Needs;
    use Method as M;
    use Permission::*;
    vec![
        route(M::GET,    "/mdt",                                          Needs(CaseRead),      pages::list_meetings),
        route(M::POST,   "/mdt",                                          Needs(MdtManage),     pages::create_meeting),
        route(M::GET,    "/mdt/new",                                      Needs(MdtManage),     pages::new_meeting),
        route(M::GET,    "/mdt/{id}",                                     Needs(CaseRead),      pages::meeting),
        route(M::POST,   "/mdt/{id}",                                     Needs(MdtManage),     pages::update_meeting),
        route(M::GET,    "/mdt/{id}/edit",                                Needs(MdtManage),     pages::edit_meeting),
        route(M::GET,    "/mdt/{id}/record",                              Needs(CaseRead),      pages::meeting_record),
        route(M::POST,   "/mdt/{id}/agenda",                              Needs(MdtManage),     pages::add_to_agenda),
        route(M::POST,   "/mdt/{id}/agenda/{case}/remove",                Needs(MdtManage),     pages::remove_from_agenda),
        route(M::POST,   "/mdt/{id}/agenda/{case}/decision",              Needs(MdtDecide),     pages::decide),
        route(M::GET,    "/api/v1/mdt",                                   Needs(CaseRead),      api::list_meetings),
        route(M::POST,   "/api/v1/mdt",                                   Needs(MdtManage),     api::create_meeting),
        route(M::GET,    "/api/v1/mdt/{id}",                              Needs(CaseRead),      api::get_meeting),
        route(M::PUT,    "/api/v1/mdt/{id}",                              Needs(MdtManage),     api::update_meeting),
        route(M::POST,   "/api/v1/mdt/{id}/agenda",                       Needs(MdtManage),     api::add_to_agenda),
        route(M::DELETE, "/api/v1/mdt/{id}/agenda/{case}",                Needs(MdtManage),     api::remove_from_agenda),
        route(M::POST,   "/api/v1/mdt/{id}/agenda/{case}/decision",       Needs(MdtDecide),     api::decide),
    ]
}

/// This area's part of the OpenAPI document: `tags`, `paths` and `schemas`.
pub(crate) fn openapi() -> Value {
    spec::openapi()
}

fn kind_label(kind: MeetingKind, lang: Lang) -> &'static str {
    coded("mdt.kind", kind.code(), lang)
}

fn specialty_label(specialty: Specialty, lang: Lang) -> &'static str {
    coded("mdt.specialty", specialty.code(), lang)
}

fn decision_label(decision: MdtDecision, lang: Lang) -> &'static str {
    coded("mdt.decision", decision.code(), lang)
}

/// `YYYY-MM-DDTHH:MM`, what `<input type=datetime-local>` shows.
pub(super) fn local_input(at: OffsetDateTime, zone: &jiff::tz::TimeZone) -> String {
    seldinger_domain::localtime::local_input(to_local(at, zone))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::assert_labelled;

    #[test]
    fn every_coded_label_exists_in_both_languages() {
        assert_labelled("mdt.kind", MeetingKind::ALL.iter().map(|k| k.code()));
        assert_labelled("mdt.specialty", Specialty::ALL.iter().map(|s| s.code()));
        assert_labelled("mdt.decision", MdtDecision::ALL.iter().map(|d| d.code()));
        assert_eq!(
            kind_label(MeetingKind::ThoracicOncology, Lang::Fr),
            "RCP d'oncologie thoracique"
        );
    }
}
