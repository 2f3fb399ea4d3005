//! Referrals and cases: the referral form, triage (accept, decline, send to the MDT),
//! planning and cancellation, consultations and consent, the clinic and the worklists.
//! Pages and JSON API.
//!
//! Submodules: [`pages`] (HTML handlers and their templates in `templates/cases/`),
//! [`api`] (JSON handlers and their output types), [`doc`] (this area's part of the
//! OpenAPI document). Shared here: the route table and the worklists by name. The case
//! page itself is [`crate::case_page`]; what other areas' pages show of a case is
//! [`crate::case_view`].
//!
//! Status changes never happen here: a handler names a [`CaseEvent`] and the store asks
//! [`CaseStatus::apply`] inside its transaction.

mod api;
mod doc;
mod pages;

use axum::http::Method;
use seldinger_domain::{Access, Permission};
use seldinger_store::cases::Worklist;

pub(crate) use doc::openapi;

use crate::error::AppError;
use crate::routes::{Route, route};

/// This area's routes, each with the access it demands.
#[rustfmt::skip] // One route per line: this is a table, read as one.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Needs;
    use Method as M;
    use Permission::*;
    vec![
        route(M::GET,  "/worklists",                              Needs(CaseRead),           pages::worklists),
        route(M::GET,  "/worklists/{list}",                       Needs(CaseRead),           pages::worklist),
        route(M::GET,  "/referrals/new",                          Needs(ReferralCreate),     pages::new_referral),
        route(M::POST, "/referrals",                              Needs(ReferralCreate),     pages::create_referral),
        route(M::GET,  "/cases/{id}",                             Needs(CaseRead),           pages::case),
        route(M::POST, "/cases/{id}/accept",                      Needs(Triage),             pages::accept_case),
        route(M::POST, "/cases/{id}/decline",                     Needs(Triage),             pages::decline_case),
        route(M::POST, "/cases/{id}/send-to-mdt",                 Needs(Triage),             pages::send_case_to_mdt),
        route(M::POST, "/cases/{id}/plan",                        Needs(Triage),             pages::plan_case),
        route(M::POST, "/cases/{id}/cancel",                      Needs(CaseCancel),         pages::cancel_case),
        route(M::POST, "/cases/{id}/consultations",               Needs(ConsultationBook),   pages::book_consultation),
        route(M::POST, "/cases/{id}/consent",                     Needs(ConsultationRecord), pages::record_consent),
        route(M::GET,  "/consultations/{id}",                     Needs(CaseRead),           pages::consultation),
        route(M::POST, "/consultations/{id}",                     Needs(ConsultationRecord), pages::record_consultation),
        route(M::POST, "/consultations/{id}/cancel",              Needs(ConsultationBook),   pages::cancel_consultation),
        route(M::GET,  "/clinic",                                 Needs(CaseRead),           pages::clinic),
        route(M::POST, "/api/v1/cases",                           Needs(ReferralCreate),     api::create_referral),
        route(M::GET,  "/api/v1/cases/{id}",                      Needs(CaseRead),           api::get_case),
        route(M::POST, "/api/v1/cases/{id}/accept",               Needs(Triage),             api::accept_case),
        route(M::POST, "/api/v1/cases/{id}/decline",              Needs(Triage),             api::decline_case),
        route(M::POST, "/api/v1/cases/{id}/send-to-mdt",          Needs(Triage),             api::send_case_to_mdt),
        route(M::POST, "/api/v1/cases/{id}/plan",                 Needs(Triage),             api::plan_case),
        route(M::POST, "/api/v1/cases/{id}/cancel",               Needs(CaseCancel),         api::cancel_case),
        route(M::POST, "/api/v1/cases/{id}/consultations",        Needs(ConsultationBook),   api::book_consultation),
        route(M::POST, "/api/v1/cases/{id}/consent",              Needs(ConsultationRecord), api::record_consent),
        route(M::GET,  "/api/v1/consultations",                   Needs(CaseRead),           api::list_consultations),
        route(M::GET,  "/api/v1/consultations/{id}",              Needs(CaseRead),           api::get_consultation),
        route(M::POST, "/api/v1/consultations/{id}",              Needs(ConsultationRecord), api::record_consultation),
        route(M::POST, "/api/v1/consultations/{id}/cancel",       Needs(ConsultationBook),   api::cancel_consultation),
        route(M::GET,  "/api/v1/worklists/{list}",                Needs(CaseRead),           api::get_worklist),
    ]
}

/// The worklists, by the name their paths use, in the order the landing page shows them.
pub(crate) const WORKLISTS: [(&str, Worklist); 5] = [
    ("to_triage", Worklist::ToTriage),
    ("awaiting_consultation", Worklist::AwaitingConsultation),
    ("consulted", Worklist::Consulted),
    ("awaiting_mdt", Worklist::AwaitingMdt),
    ("to_schedule", Worklist::ToSchedule),
];

/// The worklist a path names; any other name names nothing (404).
pub(crate) fn worklist_named(slug: &str) -> Result<Worklist, AppError> {
    WORKLISTS
        .iter()
        .find(|(name, _)| *name == slug)
        .map(|(_, list)| *list)
        .ok_or(AppError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::assert_labelled;

    #[test]
    fn every_worklist_and_its_action_have_words_in_both_languages() {
        assert_labelled(
            "worklist.action",
            vec![
                "triage",
                "book_consultation",
                "decide",
                "agenda",
                "book",
                "open",
            ],
        );
        for (slug, _) in WORKLISTS {
            assert_labelled("worklist", [slug, &format!("{slug}.hint")]);
        }
    }

    #[test]
    fn worklists_are_found_by_name_and_nothing_else() {
        assert_eq!(
            worklist_named("to_schedule").ok(),
            Some(Worklist::ToSchedule)
        );
        assert!(worklist_named("everything").is_err());
    }
}
