//! Adverse events over JSON. An event's onset is written as local wall-clock time
//! (`YYYY-MM-DDTHH:MM`, the department's zone, as the form) and read back as an instant
//! (UTC, RFC 3339) with the phase that follows from it.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use seldinger_domain::adverse::EventInput;
use seldinger_domain::{AdverseEventId, CaseId, FollowUpId};
use seldinger_store::adverse::AdverseEventRecord;
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::AppState;
use crate::auth::Ctx;
use crate::json::{ApiJson, ApiQuery, ApiResult, parse_id, rfc3339};
use crate::outputs::case_body;

fn event_body(r: &AdverseEventRecord, now: OffsetDateTime) -> Value {
    let e = &r.event;
    json!({
        "id": r.id,
        "case_id": r.case_id,
        "term": e.term,
        "description": e.description,
        "onset": rfc3339(&r.onset),
        "phase": r.phase,
        "grades": e.grades,
        "cirse_grade": e.grade("cirse").map(|g| g.code.clone()),
        "serious": e.serious,
        "serious_criteria": e.serious_criteria,
        "related_to_procedure": e.related_to_procedure,
        "related_to_device": e.related_to_device,
        "action": e.action,
        "action_note": e.action_note,
        "outcome": e.outcome,
        "resolution_date": e.resolution_date.map(|d| d.to_string()),
        "report_due_at": r.report_due_at.as_ref().map(rfc3339),
        "report_overdue": r.is_report_overdue(now),
        "reported_at": r.reported_at.as_ref().map(rfc3339),
        "follow_up_id": r.follow_up_id,
        "version": r.version,
        "created_at": rfc3339(&r.created_at),
    })
}

pub async fn case_events(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    let id: CaseId = parse_id(&id)?;
    let now = state.now();
    let items: Vec<Value> = state
        .store()
        .case_adverse_events(&ctx.actor(), id, now)
        .await?
        .iter()
        .map(|r| event_body(r, now))
        .collect();
    Ok(axum::Json(json!({ "items": items })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateParams {
    /// The follow-up contact where the event was found.
    pub follow_up: Option<String>,
}

/// Records an event: 201; 422 naming each bad field (no CIRSE grade, an onset before the
/// procedure…); 409 `event_needs_procedure` before the procedure.
pub async fn create_event(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<CreateParams>,
    ApiJson(input): ApiJson<EventInput>,
) -> ApiResult<Response> {
    let id: CaseId = parse_id(&id)?;
    let follow_up: Option<FollowUpId> = params.follow_up.as_deref().map(parse_id).transpose()?;
    let now = state.now();
    let record = state
        .store()
        .record_adverse_event(
            &ctx.actor(),
            id,
            &input,
            follow_up,
            state.config().serious_event_reporting_hours,
            now,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        [(
            header::LOCATION,
            format!("/api/v1/adverse-events/{}", record.id),
        )],
        axum::Json(event_body(&record, now)),
    )
        .into_response())
}

pub async fn get_event(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    let id: AdverseEventId = parse_id(&id)?;
    let now = state.now();
    let record = state.store().adverse_event(&ctx.actor(), id, now).await?;
    Ok(axum::Json(event_body(&record, now)))
}

/// An event as `PUT` sends it: every field of [`EventInput`] present (empty text where
/// there is nothing to say), so that a revision never clears what it did not repeat.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompleteEvent {
    pub term: String,
    pub description: String,
    pub onset: String,
    pub cirse_grade: String,
    pub sir_grade: String,
    pub ctcae_grade: String,
    pub serious: bool,
    pub serious_criteria: Vec<String>,
    pub related_to_procedure: String,
    pub related_to_device: String,
    pub action: String,
    pub action_note: String,
    pub outcome: String,
    pub resolution_date: String,
}

impl From<CompleteEvent> for EventInput {
    fn from(e: CompleteEvent) -> Self {
        Self {
            term: e.term,
            description: e.description,
            onset: e.onset,
            cirse_grade: e.cirse_grade,
            sir_grade: e.sir_grade,
            ctcae_grade: e.ctcae_grade,
            serious: e.serious,
            serious_criteria: e.serious_criteria,
            related_to_procedure: e.related_to_procedure,
            related_to_device: e.related_to_device,
            action: e.action,
            action_note: e.action_note,
            outcome: e.outcome,
            resolution_date: e.resolution_date,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventUpdate {
    pub version: i64,
    pub event: CompleteEvent,
}

/// Revises an event at `version` (409 when stale); every version is kept.
pub async fn update_event(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<EventUpdate>,
) -> ApiResult<axum::Json<Value>> {
    let id: AdverseEventId = parse_id(&id)?;
    let now = state.now();
    let record = state
        .store()
        .update_adverse_event(
            &ctx.actor(),
            id,
            body.version,
            &EventInput::from(body.event),
            state.config().serious_event_reporting_hours,
            now,
        )
        .await?;
    Ok(axum::Json(event_body(&record, now)))
}

pub async fn mark_reported(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    let id: AdverseEventId = parse_id(&id)?;
    let now = state.now();
    let record = state.store().mark_reported(&ctx.actor(), id, now).await?;
    Ok(axum::Json(event_body(&record, now)))
}

/// Serious events not yet reported, the nearest deadline first, with their case.
pub async fn reports_due(State(state): State<AppState>, ctx: Ctx) -> ApiResult<axum::Json<Value>> {
    let now = state.now();
    let items: Vec<Value> = state
        .store()
        .reports_due(&ctx.actor(), now)
        .await?
        .iter()
        .map(|(r, c)| {
            let mut v = event_body(r, now);
            v["case"] = case_body(c);
            v
        })
        .collect();
    Ok(axum::Json(json!({ "items": items })))
}

pub async fn terms(State(state): State<AppState>) -> ApiResult<axum::Json<Value>> {
    let items = state.store().ae_terms().await?;
    Ok(axum::Json(json!({ "items": items })))
}

pub async fn grade_systems(State(state): State<AppState>) -> ApiResult<axum::Json<Value>> {
    let items = state.store().grade_systems().await?;
    Ok(axum::Json(json!({ "items": items })))
}
