//! The pre-procedure checklist and the time-out (PRODUCT.md, pathway step 6): the
//! checklist page of a booked case (who and what, each item's state with the reason it
//! blocks, the thresholds in force with their source, the form) and, on the day of a
//! ready case's booking, the time-out (identity, site, side and procedure confirmed).
//!
//! - [`pages`]: the checklist page (template in `templates/checklist/`).
//! - [`api`]: the same over JSON; [`spec`]: this area's part of the OpenAPI document;
//!   [`messages`]: its messages.
//!
//! "Ready" is never typed: the store evaluates the checklist against the procedure's
//! bleeding-risk thresholds and moves the case; a value out of range or without its date
//! is saved, and the evaluation says why it blocks.

mod api;
mod messages;
mod pages;
mod spec;

use axum::http::Method;
use seldinger_domain::case::Side;
use seldinger_domain::checklist::ItemState;
use seldinger_domain::{Access, Lang, Permission};
use serde_json::Value;

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
        route(M::GET,    "/cases/{id}/checklist",                         Needs(CaseRead),      pages::checklist),
        route(M::POST,   "/cases/{id}/checklist",                         Needs(ChecklistEdit), pages::save_checklist),
        route(M::POST,   "/cases/{id}/timeout",                           Needs(TimeOut),       pages::record_timeout),
        route(M::GET,    "/api/v1/cases/{id}/checklist",                  Needs(CaseRead),      api::get_checklist),
        route(M::PUT,    "/api/v1/cases/{id}/checklist",                  Needs(ChecklistEdit), api::save_checklist),
        route(M::POST,   "/api/v1/cases/{id}/timeout",                    Needs(TimeOut),       api::record_timeout),
    ]
}

/// This area's part of the OpenAPI document: `tags`, `paths` and `schemas`.
pub(crate) fn openapi() -> Value {
    spec::openapi()
}

/// The code of an item's state, for CSS classes, message keys and the API.
pub(crate) fn state_code(state: ItemState) -> &'static str {
    match state {
        ItemState::Done => "done",
        ItemState::NotNeeded => "not_needed",
        ItemState::Missing => "missing",
        ItemState::Failed => "failed",
    }
}

fn side_label(side: Side, lang: Lang) -> &'static str {
    coded("mdt.side", side.code(), lang)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::assert_labelled;
    use seldinger_domain::checklist::AnticoagulantPlan;

    #[test]
    fn every_coded_label_exists_in_both_languages() {
        assert_labelled("mdt.side", Side::ALL.iter().map(|s| s.code()));
        assert_labelled(
            "mdt.checklist.state",
            [
                ItemState::Done,
                ItemState::NotNeeded,
                ItemState::Missing,
                ItemState::Failed,
            ]
            .map(state_code),
        );
        assert_eq!(AnticoagulantPlan::Bridged.label(Lang::Fr), "Relais");
    }
}
