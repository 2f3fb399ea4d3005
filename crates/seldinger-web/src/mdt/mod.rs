//! MDT meetings (agenda, decisions, the printable record), the pre-procedure checklist,
//! the time-out, and the patient documents (convocation, preparation, information
//! sheet). Pages and JSON API.
//!
//! - [`meetings`]: the meeting pages — list, form, the meeting with its agenda and
//!   decision forms, the printable record.
//! - [`checklist`]: the checklist page of a booked case, its form, and the time-out form
//!   shown on the day.
//! - [`documents`]: the printable patient documents, in French or English.
//! - [`api`]: the same actions as JSON under `/api/v1`; [`spec`]: their OpenAPI part.
//!
//! The store does the pathway's work (a decision moves its case, a saved checklist
//! decides readiness) and audits every read; this module parses input with the
//! domain's parsers, shows refusals with their reason (409) and field errors beside
//! their fields (422).

mod api;
mod checklist;
mod documents;
mod meetings;
mod spec;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use seldinger_domain::case::{MdtDecision, Side};
use seldinger_domain::mdt::{MeetingKind, Specialty};
use seldinger_domain::{Lang, Permission};
use serde_json::Value;

use crate::routes::{Route, route};

/// This area's routes, each with the access it demands.
#[rustfmt::skip] // One route per line: this is a table, read as one.
pub(crate) fn routes() -> Vec<Route> {
    use seldinger_domain::Access::Needs;
    use axum::http::Method as M;
    use Permission::*;
    vec![
        route(M::GET,    "/mdt",                                          Needs(CaseRead),      meetings::list_meetings),
        route(M::POST,   "/mdt",                                          Needs(MdtManage),     meetings::create_meeting),
        route(M::GET,    "/mdt/new",                                      Needs(MdtManage),     meetings::new_meeting),
        route(M::GET,    "/mdt/{id}",                                     Needs(CaseRead),      meetings::meeting),
        route(M::POST,   "/mdt/{id}",                                     Needs(MdtManage),     meetings::update_meeting),
        route(M::GET,    "/mdt/{id}/edit",                                Needs(MdtManage),     meetings::edit_meeting),
        route(M::GET,    "/mdt/{id}/record",                              Needs(CaseRead),      meetings::meeting_record),
        route(M::POST,   "/mdt/{id}/agenda",                              Needs(MdtManage),     meetings::add_to_agenda),
        route(M::POST,   "/mdt/{id}/agenda/{case}/remove",                Needs(MdtManage),     meetings::remove_from_agenda),
        route(M::POST,   "/mdt/{id}/agenda/{case}/decision",              Needs(MdtDecide),     meetings::decide),
        route(M::GET,    "/cases/{id}/checklist",                         Needs(CaseRead),      checklist::checklist),
        route(M::POST,   "/cases/{id}/checklist",                         Needs(ChecklistEdit), checklist::save_checklist),
        route(M::POST,   "/cases/{id}/timeout",                           Needs(TimeOut),       checklist::record_timeout),
        route(M::GET,    "/cases/{id}/documents/{kind}",                  Needs(CaseRead),      documents::document),
        route(M::GET,    "/api/v1/mdt",                                   Needs(CaseRead),      api::list_meetings),
        route(M::POST,   "/api/v1/mdt",                                   Needs(MdtManage),     api::create_meeting),
        route(M::GET,    "/api/v1/mdt/{id}",                              Needs(CaseRead),      api::get_meeting),
        route(M::PUT,    "/api/v1/mdt/{id}",                              Needs(MdtManage),     api::update_meeting),
        route(M::POST,   "/api/v1/mdt/{id}/agenda",                       Needs(MdtManage),     api::add_to_agenda),
        route(M::DELETE, "/api/v1/mdt/{id}/agenda/{case}",                Needs(MdtManage),     api::remove_from_agenda),
        route(M::POST,   "/api/v1/mdt/{id}/agenda/{case}/decision",       Needs(MdtDecide),     api::decide),
        route(M::GET,    "/api/v1/cases/{id}/checklist",                  Needs(CaseRead),      api::get_checklist),
        route(M::PUT,    "/api/v1/cases/{id}/checklist",                  Needs(ChecklistEdit), api::save_checklist),
        route(M::POST,   "/api/v1/cases/{id}/timeout",                    Needs(TimeOut),       api::record_timeout),
    ]
}

/// This area's part of the OpenAPI document: `tags`, `paths` and `schemas`.
pub(crate) fn openapi() -> Value {
    spec::openapi()
}

/// A page with a status other than 200 (a form with errors, a refusal).
fn render_with(status: StatusCode, template: &impl Template) -> Response {
    (status, crate::html::render(template)).into_response()
}

/// POST/redirect/GET.
fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// A message of this area's table for a code (`mdt.kind.thoracic_oncology`); the code
/// itself if the key is missing (a unit test keeps that from happening).
fn coded(prefix: &str, code: &'static str, lang: Lang) -> &'static str {
    crate::i18n::lookup(&format!("{prefix}.{code}"), lang).unwrap_or(code)
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

fn side_label(side: Side, lang: Lang) -> &'static str {
    coded("mdt.side", side.code(), lang)
}

use crate::error::refusal;

pub use crate::html::Choice;

/// Text typed with line breaks, as paragraphs (catalog texts, notes).
fn paragraphs(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use seldinger_domain::checklist::{AnticoagulantPlan, ItemState};

    #[test]
    fn every_coded_label_exists_in_both_languages() {
        let mut keys: Vec<String> = Vec::new();
        keys.extend(
            MeetingKind::ALL
                .iter()
                .map(|k| format!("mdt.kind.{}", k.code())),
        );
        keys.extend(
            Specialty::ALL
                .iter()
                .map(|s| format!("mdt.specialty.{}", s.code())),
        );
        keys.extend(
            MdtDecision::ALL
                .iter()
                .map(|d| format!("mdt.decision.{}", d.code())),
        );
        keys.extend(Side::ALL.iter().map(|s| format!("mdt.side.{}", s.code())));
        for state in [
            ItemState::Done,
            ItemState::NotNeeded,
            ItemState::Missing,
            ItemState::Failed,
        ] {
            keys.push(format!(
                "mdt.checklist.state.{}",
                checklist::state_code(state)
            ));
        }
        for key in keys {
            assert!(crate::i18n::exists(&key), "{key} is missing");
        }
        assert_eq!(
            kind_label(MeetingKind::ThoracicOncology, Lang::Fr),
            "RCP d'oncologie thoracique"
        );
        assert_eq!(AnticoagulantPlan::Bridged.label(Lang::Fr), "Relais");
    }

    #[test]
    fn catalog_texts_become_paragraphs() {
        assert_eq!(
            paragraphs("Un.\n\n  Deux. \nTrois."),
            ["Un.", "Deux.", "Trois."]
        );
    }
}
