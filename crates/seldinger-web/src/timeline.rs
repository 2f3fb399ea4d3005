//! A patient's timeline (PRODUCT.md, pathway; issue "Pathway II", item 5): one page, and
//! its JSON, with everything about a patient across cases, in time order, each line
//! linking to where it is recorded.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Method;
use seldinger_domain::{Access, Lang, PatientId, Permission, followup};
use seldinger_store::timeline::{TimelineEntry, TimelineItem};
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::AppState;
use crate::auth::Ctx;
use crate::error::{ApiError, PageError};
use crate::html::{Layout, render};
use crate::i18n::lookup;
use crate::json::parse_id;
use crate::openapi::{items, ok, path_param};
use crate::routes::{Route, route};

type PageResult = Result<axum::response::Response, PageError>;
type ApiResult<T> = Result<T, ApiError>;

#[rustfmt::skip] // One route per line: this is a table, read as one.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Needs;
    use Method as M;
    use Permission::CaseRead;
    vec![
        route(M::GET, "/patients/{id}/timeline",        Needs(CaseRead), page),
        route(M::GET, "/api/v1/patients/{id}/timeline", Needs(CaseRead), api),
    ]
}

pub(crate) fn openapi() -> Value {
    json!({
        "tags": [
            { "name": "timeline", "description": "Everything about a patient across cases, in time order." }
        ],
        "paths": {
            "/api/v1/patients/{id}/timeline": {
                "parameters": [path_param("id", "The patient's id (UUID).")],
                "get": {
                    "tags": ["timeline"], "summary": "A patient's timeline, oldest first (planned follow-up at its due date).", "operationId": "patient_timeline",
                    "responses": ok("200", "The entries.", items("TimelineEntry"), &["401", "403", "404", "503"])
                }
            }
        },
        "schemas": {
            "TimelineEntry": {
                "type": "object",
                "required": ["at", "case_id", "procedure_code", "kind", "code", "href"],
                "properties": {
                    "at": { "type": "string", "format": "date-time" },
                    "case_id": { "type": "string", "format": "uuid" },
                    "procedure_code": { "type": "string" },
                    "kind": { "type": "string", "enum": ["case_event", "consultation", "addendum", "pathology", "adverse_event", "follow_up"] },
                    "code": { "type": "string", "description": "What happened within its kind: the case event, the consultation kind, the pathology category, the adverse-event term, the follow-up item." },
                    "status": { "type": "string", "description": "The consultation's or the follow-up item's status; the case's status after a case event." },
                    "by": { "type": "string" },
                    "cirse_grade": { "type": "string" },
                    "serious": { "type": "boolean" },
                    "href": { "type": "string", "description": "The page where it is recorded." }
                }
            }
        }
    })
}

/// One line of the timeline, ready to show.
pub struct Line {
    pub at: OffsetDateTime,
    pub case_id: String,
    pub procedure: String,
    pub kind: &'static str,
    pub what: String,
    pub detail: String,
    pub href: String,
    pub planned: bool,
    pub alert: bool,
}

#[derive(Template)]
#[template(path = "timeline.html")]
pub struct TimelinePage {
    pub l: Layout,
    pub patient_id: String,
    pub patient_name: String,
    pub lines: Vec<Line>,
}

fn word(key: &str, lang: Lang) -> String {
    lookup(key, lang).unwrap_or(key).to_string()
}

fn href(e: &TimelineEntry) -> String {
    let case = format!("/cases/{}", e.case_id);
    match &e.item {
        TimelineItem::CaseEvent { .. } | TimelineItem::Consultation { .. } => case,
        TimelineItem::Addendum { .. } | TimelineItem::Pathology { .. } => format!("{case}/report"),
        TimelineItem::AdverseEvent { .. } => format!("{case}/events"),
        TimelineItem::FollowUp { id, .. } => format!("/follow-ups/{id}"),
    }
}

fn line(e: &TimelineEntry, terms: &[seldinger_domain::adverse::Term], lang: Lang) -> Line {
    let (kind, what, detail, planned, alert) = match &e.item {
        TimelineItem::CaseEvent { event, by, .. } => (
            "case_event",
            word(&format!("case.event.{event}"), lang),
            by.clone(),
            false,
            false,
        ),
        TimelineItem::Consultation {
            kind,
            status,
            clinician,
            ..
        } => (
            "consultation",
            word(&format!("consult.kind.{}", kind.code()), lang),
            format!(
                "{clinician} — {}",
                word(&format!("consult.status.{}", status.code()), lang)
            ),
            false,
            false,
        ),
        TimelineItem::Addendum { by } => (
            "addendum",
            word("timeline.addendum", lang),
            by.clone(),
            false,
            false,
        ),
        TimelineItem::Pathology {
            label, category, ..
        } => (
            "pathology",
            word("timeline.pathology", lang),
            format!("{label} — {}", category.label(lang)),
            false,
            false,
        ),
        TimelineItem::AdverseEvent {
            term,
            phase,
            cirse_grade,
            serious,
            ..
        } => (
            "adverse_event",
            terms
                .iter()
                .find(|t| &t.code == term)
                .map_or_else(|| term.clone(), |t| t.name(lang).to_string()),
            format!(
                "{} — CIRSE {cirse_grade}{}",
                phase.label(lang),
                if *serious {
                    format!(" — {}", word("timeline.serious", lang))
                } else {
                    String::new()
                }
            ),
            false,
            *serious,
        ),
        TimelineItem::FollowUp { code, status, .. } => (
            "follow_up",
            followup::label(code, lang).to_string(),
            status.label(lang).to_string(),
            *status == followup::Status::Planned,
            false,
        ),
    };
    Line {
        at: e.at,
        case_id: e.case_id.to_string(),
        procedure: e.procedure_code.clone(),
        kind,
        what,
        detail,
        href: href(e),
        planned,
        alert,
    }
}

pub async fn page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let id: PatientId = parse_id(&id)?;
    let now = state.now();
    let actor = ctx.actor();
    let patient = state.store().get_patient(&actor, id, now).await?;
    let (_, entries) = state.store().patient_timeline(&actor, id, now).await?;
    let terms = state.store().ae_terms().await?;
    let l = Layout::new(&ctx, format!("/patients/{id}/timeline"), "patients");
    Ok(render(&TimelinePage {
        patient_id: id.to_string(),
        patient_name: format!("{} {}", patient.family_name, patient.given_names),
        lines: entries.iter().map(|e| line(e, &terms, ctx.lang)).collect(),
        l,
    }))
}

pub async fn api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    let id: PatientId = parse_id(&id)?;
    let now = state.now();
    let actor = ctx.actor();
    state.store().get_patient(&actor, id, now).await?;
    let (_, entries) = state.store().patient_timeline(&actor, id, now).await?;
    let items: Vec<Value> = entries
        .iter()
        .map(|e| {
            let mut v = json!({
                "at": crate::json::rfc3339(&e.at),
                "case_id": e.case_id.to_string(),
                "procedure_code": e.procedure_code,
                "href": href(e),
            });
            let (kind, fields) = match &e.item {
                TimelineItem::CaseEvent {
                    event,
                    to_status,
                    by,
                } => (
                    "case_event",
                    json!({ "code": event, "status": to_status, "by": by }),
                ),
                TimelineItem::Consultation {
                    kind,
                    status,
                    clinician,
                    ..
                } => (
                    "consultation",
                    json!({ "code": kind.code(), "status": status.code(), "by": clinician }),
                ),
                TimelineItem::Addendum { by } => {
                    ("addendum", json!({ "code": "addendum", "by": by }))
                }
                TimelineItem::Pathology { category, .. } => {
                    ("pathology", json!({ "code": category.code() }))
                }
                TimelineItem::AdverseEvent {
                    term,
                    cirse_grade,
                    serious,
                    ..
                } => (
                    "adverse_event",
                    json!({ "code": term, "cirse_grade": cirse_grade, "serious": serious }),
                ),
                TimelineItem::FollowUp { code, status, .. } => (
                    "follow_up",
                    json!({ "code": code, "status": status.code() }),
                ),
            };
            v["kind"] = json!(kind);
            if let (Some(into), Some(from)) = (v.as_object_mut(), fields.as_object()) {
                into.extend(from.clone());
            }
            v
        })
        .collect();
    Ok(axum::Json(json!({ "items": items })))
}
