//! The worklists before the procedure (PRODUCT.md, pathway steps 1–5): the landing page
//! of clinical staff (`/worklists`: each list's count and most urgent cases, today's
//! consultations, and what waits after the procedure — specimens without a result,
//! follow-up due and overdue, serious events not yet reported), and one list, page by
//! page: referrals to triage, awaiting consultation, consulted (to decide), awaiting the
//! MDT, to schedule. The lists after the procedure (`/worklists/pathology`,
//! `/worklists/follow-up`, `/worklists/serious-events`) are declared by their areas.
//!
//! - [`pages`]: the landing page and one list (templates in `templates/worklists/`).
//! - [`api`]: one list over JSON; [`spec`]: this area's part of the OpenAPI document;
//!   [`messages`]: its messages.

mod api;
mod messages;
mod pages;
mod spec;

use axum::http::Method;
use seldinger_domain::{Access, Permission};
use seldinger_store::cases::Worklist;
use serde_json::Value;

use crate::error::AppError;
use crate::routes::{Route, route};

pub(crate) use messages::MESSAGES;

/// This area's routes, each with the access it demands.
#[rustfmt::skip] // One route per line: this is a table, read as one.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Needs;
    use Method as M;
    use Permission::*;
    vec![
        route(M::GET,  "/worklists",                              Needs(CaseRead),           pages::worklists),
        route(M::GET,  "/worklists/{list}",                       Needs(CaseRead),           pages::worklist),
        route(M::GET,  "/api/v1/worklists/{list}",                Needs(CaseRead),           api::get_worklist),
    ]
}

/// This area's part of the OpenAPI document: `tags`, `paths` and `schemas`.
pub(crate) fn openapi() -> Value {
    spec::openapi()
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
