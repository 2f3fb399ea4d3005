//! The JSON API of adverse events, follow-up and closure.
//!
//! An event's onset is written as local wall-clock time (`YYYY-MM-DDTHH:MM`, the
//! department's zone, as the form) and read back as an instant (UTC, RFC 3339) with the
//! phase that follows from it.

use axum::extract::{Path, State};
use seldinger_domain::case::CaseEvent;
use seldinger_domain::followup::ContactInput;
use seldinger_domain::{CaseId, FollowUpId};
use seldinger_store::followups::FollowUpRecord;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::json::{ApiJson, ApiQuery, ApiResult, page_limit, parse_id, rfc3339};
use crate::outputs::case_body;

fn follow_up_body(f: &FollowUpRecord) -> Value {
    json!({
        "id": f.id,
        "case_id": f.case_id,
        "code": f.code,
        "kind": f.kind,
        "due_on": f.due_on.to_string(),
        "window_end": f.window_end.to_string(),
        "status": f.status,
        "contact_date": f.contact_date.map(|d| d.to_string()),
        "findings": f.findings,
        "recorded_at": f.recorded_at.as_ref().map(rfc3339),
        "recorded_by": f.recorded_by,
    })
}

pub async fn case_follow_ups(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    let id: CaseId = parse_id(&id)?;
    let items: Vec<Value> = state
        .store()
        .follow_ups(&ctx.actor(), id, state.now())
        .await?
        .iter()
        .map(follow_up_body)
        .collect();
    Ok(axum::Json(json!({ "items": items })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorklistParams {
    pub list: Option<String>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

/// The due or overdue follow-up, oldest first, with each item's case: one store query
/// and one count, whatever the page size.
pub async fn follow_up_worklist(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(params): ApiQuery<WorklistParams>,
) -> ApiResult<axum::Json<Value>> {
    let list = super::follow_up_list(params.list.as_deref().unwrap_or_default())?;
    let limit = page_limit(params.limit)?;
    let offset = crate::json::page_offset(params.offset)?;
    let (items, total) = state
        .store()
        .follow_up_worklist(&ctx.actor(), list, limit, offset, state.now())
        .await?;
    let items: Vec<Value> = items
        .iter()
        .map(|(f, c)| {
            let mut v = follow_up_body(f);
            v["case"] = case_body(c);
            v
        })
        .collect();
    Ok(axum::Json(json!({
        "list": list.code(), "items": items, "total": total, "limit": limit, "offset": offset
    })))
}

pub async fn get_follow_up(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    let id: FollowUpId = parse_id(&id)?;
    let item = state
        .store()
        .follow_up(&ctx.actor(), id, state.now())
        .await?;
    Ok(axum::Json(follow_up_body(&item)))
}

/// Records the contact, once (409 `follow_up_already_recorded` the second time).
pub async fn record_follow_up(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ContactInput>,
) -> ApiResult<axum::Json<Value>> {
    let id: FollowUpId = parse_id(&id)?;
    let item = state
        .store()
        .record_follow_up(&ctx.actor(), id, &input, state.now())
        .await?;
    Ok(axum::Json(follow_up_body(&item)))
}

async fn transition(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    event: CaseEvent,
) -> ApiResult<axum::Json<Value>> {
    let id: CaseId = parse_id(id)?;
    let case = state
        .store()
        .transition_case(&ctx.actor(), id, &event, state.now())
        .await?;
    Ok(axum::Json(
        json!({ "id": case.id, "status": case.status, "version": case.version }),
    ))
}

/// Closes a case whose follow-up is complete (409 `follow_up_incomplete` otherwise).
pub async fn close_case(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    transition(&state, &ctx, &id, CaseEvent::Close).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReopenBody {
    #[serde(default)]
    pub reason: String,
}

/// Reopens a closed case, with a reason.
pub async fn reopen_case(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReopenBody>,
) -> ApiResult<axum::Json<Value>> {
    let reason = seldinger_domain::case::reason(&body.reason).map_err(AppError::from)?;
    transition(&state, &ctx, &id, CaseEvent::Reopen { reason }).await
}
