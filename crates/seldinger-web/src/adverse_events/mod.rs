//! Adverse events (PRODUCT.md, pathway step 9), during the procedure and at follow-up: an
//! event of a performed case (a term of the department's list, onset, grades in versioned
//! systems — CIRSE 2017 required, SIR and CTCAE v5 optional — seriousness and its
//! criteria, relatedness, action, outcome), its revisions (every version kept), the
//! serious-event due list (`/worklists/serious-events`) until each is marked reported,
//! and the department's terms.
//!
//! - [`pages`]: the case's events with the form, a revision, the due list, the terms
//!   (templates in `templates/adverse_events/`).
//! - [`api`]: the same over JSON; [`spec`]: this area's part of the OpenAPI document;
//!   [`messages`]: its messages.
//!
//! The store keeps the rules: an event needs a performed procedure and cannot start
//! before it; its phase follows from its onset; a serious event gets its reporting
//! deadline (`WebConfig::serious_event_reporting_hours`). Shared here by the pages: an
//! event as they show it ([`EventView`]) and the choices of its form.

mod api;
mod messages;
mod pages;
mod spec;

use axum::http::Method;
use seldinger_domain::adverse::{
    Action, GradeSystem, Outcome, Relatedness, SeriousCriterion, Term, current,
};
use seldinger_domain::{Access, Lang, Permission};
use seldinger_store::adverse::AdverseEventRecord;
use serde_json::Value;

use crate::html::Choice;
use crate::html::{Layout, choices};
use crate::routes::{Route, route};

pub(crate) use messages::MESSAGES;

/// This area's routes, each with the access it demands.
#[rustfmt::skip] // One route per line: this is a table, read as one.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Needs;
    use Method as M;
    use Permission::*;
    vec![
        route(M::GET,  "/cases/{id}/events",                       Needs(CaseRead),           pages::events),
        route(M::POST, "/cases/{id}/events",                       Needs(AdverseEventRecord), pages::create_event),
        route(M::GET,  "/events/{id}/edit",                        Needs(AdverseEventRecord), pages::edit_event),
        route(M::POST, "/events/{id}",                             Needs(AdverseEventRecord), pages::update_event),
        route(M::POST, "/events/{id}/reported",                    Needs(AdverseEventReport), pages::mark_reported),
        route(M::GET,  "/worklists/serious-events",                Needs(CaseRead),           pages::serious_events),
        route(M::GET,  "/admin/ae-terms",                          Needs(CatalogAdmin),       pages::ae_terms),
        route(M::POST, "/admin/ae-terms",                          Needs(CatalogAdmin),       pages::save_ae_term),
        route(M::GET,  "/api/v1/cases/{id}/adverse-events",        Needs(CaseRead),           api::case_events),
        route(M::POST, "/api/v1/cases/{id}/adverse-events",        Needs(AdverseEventRecord), api::create_event),
        route(M::GET,  "/api/v1/adverse-events/reports-due",       Needs(CaseRead),           api::reports_due),
        route(M::GET,  "/api/v1/adverse-events/{id}",              Needs(CaseRead),           api::get_event),
        route(M::PUT,  "/api/v1/adverse-events/{id}",              Needs(AdverseEventRecord), api::update_event),
        route(M::POST, "/api/v1/adverse-events/{id}/reported",     Needs(AdverseEventReport), api::mark_reported),
        route(M::GET,  "/api/v1/ae-terms",                         Needs(CaseRead),           api::terms),
        route(M::GET,  "/api/v1/grade-systems",                    Needs(CaseRead),           api::grade_systems),
    ]
}

/// This area's part of the OpenAPI document: `tags`, `paths` and `schemas`.
pub(crate) fn openapi() -> Value {
    spec::openapi()
}

/// The name of a term in `lang`; the code for a term no longer listed.
fn term_name(terms: &[Term], code: &str, lang: Lang) -> String {
    terms
        .iter()
        .find(|t| t.code == code)
        .map_or_else(|| code.to_string(), |t| t.name(lang).to_string())
}

/// A grade as shown: `CIRSE 2017 : 3 — its meaning` (the code alone for a version no
/// longer stored).
fn grade_label(
    systems: &[GradeSystem],
    system: &str,
    version: &str,
    code: &str,
    lang: Lang,
) -> String {
    let label = systems
        .iter()
        .find(|s| s.system == system && s.version == version)
        .and_then(|s| s.grade(code))
        .map_or_else(
            || code.to_string(),
            |g| match lang {
                Lang::Fr => g.label_fr.clone(),
                Lang::En => g.label_en.clone(),
            },
        );
    format!("{} {version} : {label}", system.to_uppercase())
}

/// An adverse event, as the pages show it.
pub struct EventView {
    pub id: String,
    pub term: String,
    pub description: String,
    pub onset: String,
    pub phase: &'static str,
    pub cirse: String,
    pub grades: Vec<String>,
    pub serious: bool,
    pub criteria: String,
    pub related_to_procedure: &'static str,
    pub related_to_device: Option<&'static str>,
    pub action: String,
    pub outcome: String,
    pub due: Option<String>,
    pub overdue: bool,
    pub reported: Option<String>,
}

fn event_view(
    r: &AdverseEventRecord,
    terms: &[Term],
    systems: &[GradeSystem],
    l: &Layout,
    now: time::OffsetDateTime,
) -> EventView {
    let lang = l.lang();
    let e = &r.event;
    EventView {
        id: r.id.to_string(),
        term: term_name(terms, &e.term, lang),
        description: e.description.clone().unwrap_or_default(),
        onset: l.datetime(&r.onset),
        phase: r.phase.label(lang),
        cirse: e.grade("cirse").map(|g| g.code.clone()).unwrap_or_default(),
        grades: e
            .grades
            .iter()
            .map(|g| grade_label(systems, &g.system, &g.version, &g.code, lang))
            .collect(),
        serious: e.serious,
        criteria: e
            .serious_criteria
            .iter()
            .map(|c| c.label(lang))
            .collect::<Vec<_>>()
            .join(", "),
        related_to_procedure: e.related_to_procedure.label(lang),
        related_to_device: e.related_to_device.map(|d| d.label(lang)),
        action: match &e.action_note {
            Some(note) => format!("{} — {note}", e.action.label(lang)),
            None => e.action.label(lang).to_string(),
        },
        outcome: match e.resolution_date {
            Some(d) => format!("{} ({})", e.outcome.label(lang), l.date(&d)),
            None => e.outcome.label(lang).to_string(),
        },
        due: r.report_due_at.map(|d| l.datetime(&d)),
        overdue: r.is_report_overdue(now),
        reported: r.reported_at.map(|d| l.datetime(&d)),
    }
}

/// The choices of an event form, in `lang`.
pub struct EventChoices {
    pub terms: Vec<Choice>,
    pub cirse: Vec<Choice>,
    pub sir: Vec<Choice>,
    pub ctcae: Vec<Choice>,
    pub criteria: Vec<Choice>,
    pub relatedness: Vec<Choice>,
    pub actions: Vec<Choice>,
    pub outcomes: Vec<Choice>,
}

impl EventChoices {
    fn new(terms: &[Term], systems: &[GradeSystem], lang: Lang) -> Self {
        let grades = |system: &str| -> Vec<Choice> {
            current(systems, system)
                .map(|s| {
                    s.grades
                        .iter()
                        .map(|g| Choice {
                            code: g.code.clone(),
                            label: match lang {
                                Lang::Fr => g.label_fr.clone(),
                                Lang::En => g.label_en.clone(),
                            },
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        Self {
            terms: terms
                .iter()
                .filter(|t| t.active)
                .map(|t| Choice {
                    code: t.code.clone(),
                    label: t.name(lang).to_string(),
                })
                .collect(),
            cirse: grades("cirse"),
            sir: grades("sir"),
            ctcae: grades("ctcae"),
            criteria: choices(SeriousCriterion::ALL, SeriousCriterion::code, |c| {
                c.label(lang)
            }),
            relatedness: choices(Relatedness::ALL, Relatedness::code, |r| r.label(lang)),
            actions: choices(Action::ALL, Action::code, |a| a.label(lang)),
            outcomes: choices(Outcome::ALL, Outcome::code, |o| o.label(lang)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use seldinger_domain::adverse::{DEFAULT_TERMS, default_systems};

    #[test]
    fn a_grade_reads_with_its_system_version_and_meaning() {
        let systems = default_systems();
        let shown = grade_label(&systems, "cirse", "2017", "3", Lang::Fr);
        assert!(shown.starts_with("CIRSE 2017 : 3 — "), "{shown}");
        assert_eq!(
            grade_label(&systems, "cirse", "2030", "3", Lang::En),
            "CIRSE 2030 : 3"
        );
    }

    #[test]
    fn the_event_form_offers_every_current_grade_and_active_term() {
        let systems = default_systems();
        let terms: Vec<Term> = DEFAULT_TERMS
            .iter()
            .map(|(code, fr, en)| Term {
                code: (*code).into(),
                name_fr: (*fr).into(),
                name_en: (*en).into(),
                active: *code != "pain",
            })
            .collect();
        let c = EventChoices::new(&terms, &systems, Lang::En);
        let cirse: Vec<&str> = c.cirse.iter().map(|g| g.code.as_str()).collect();
        assert_eq!(cirse, ["1", "2", "3", "4", "5", "6"]);
        assert!(!c.ctcae.is_empty() && !c.sir.is_empty());
        assert!(
            c.terms.iter().all(|t| t.code != "pain"),
            "withdrawn terms are not offered"
        );
        assert_eq!(
            term_name(&terms, "pain", Lang::Fr),
            "Douleur",
            "but still named"
        );
    }
}
