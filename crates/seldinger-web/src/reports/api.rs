//! The JSON API of reports, specimens and pathology results.
//!
//! A report travels as the form's fields (`report`, a `ReportInput`: text or numbers,
//! local wall-clock times `YYYY-MM-DDTHH:MM` in the department's zone, lists as arrays) —
//! what `GET` answers is what `PUT` takes back after editing, and the API and the page
//! check the same rules — with its state, version, signature, addenda and what it still
//! lacks for signature.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use seldinger_domain::CaseId;
use seldinger_domain::report::{Addendum, AddendumInput, ReportInput};
use seldinger_store::reports::ReportRecord;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::json::{ApiJson, ApiResult, parse_id, rfc3339};

fn report_body(state: &AppState, r: &ReportRecord) -> Value {
    json!({
        "id": r.id,
        "case_id": r.case_id,
        "state": if r.signed.is_some() { "signed" } else { "draft" },
        "version": r.version,
        "report": ReportInput::from_report(&r.report, state.store().zone()),
        "missing_for_signature": if r.signed.is_some() {
            Vec::new()
        } else {
            r.report.missing_for_signature().into_iter().map(|e| e.field).collect()
        },
        "created_at": rfc3339(&r.created_at),
        "updated_at": rfc3339(&r.updated_at),
        "signed_at": r.signed.as_ref().map(|(at, _)| rfc3339(at)),
        "signed_by": r.signed.as_ref().map(|(_, by)| by),
        "addenda": r.addenda.iter().map(|a| json!({
            "text": a.text,
            "signed_at": rfc3339(&a.signed_at),
            "signed_by": a.signed_by,
        })).collect::<Vec<_>>(),
    })
}

/// The case's report; 404 until a draft is saved (the template is at `…/report/template`).
pub async fn get_report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    let id: CaseId = parse_id(&id)?;
    let report = state
        .store()
        .report(&ctx.actor(), id, state.now())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(axum::Json(report_body(&state, &report)))
}

/// The fields of a new report, prefilled from the booking and the catalog.
pub async fn report_template(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    let id: CaseId = parse_id(&id)?;
    let now = state.now();
    let store = state.store();
    let (procedure, input) = store.report_template(&ctx.actor(), id, now).await?;
    Ok(axum::Json(json!({
        "family": procedure.family,
        "report": input,
    })))
}

/// The body of `PUT /api/v1/cases/{id}/report`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportUpdate {
    /// The version read (0 for the first draft).
    pub version: i64,
    pub report: ReportInput,
}

/// Saves the draft; a signed report is refused (409 `report_signed`), nothing changed.
pub async fn save_report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReportUpdate>,
) -> ApiResult<axum::Json<Value>> {
    let id: CaseId = parse_id(&id)?;
    let saved = state
        .store()
        .save_report(&ctx.actor(), id, body.version, &body.report, state.now())
        .await?;
    Ok(axum::Json(report_body(&state, &saved)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignBody {
    pub version: i64,
}

/// Signs the report at `version`: 422 with each missing field when incomplete.
pub async fn sign_report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SignBody>,
) -> ApiResult<axum::Json<Value>> {
    let id: CaseId = parse_id(&id)?;
    let signed = state
        .store()
        .sign_report(&ctx.actor(), id, body.version, state.now())
        .await?;
    Ok(axum::Json(report_body(&state, &signed)))
}

/// Adds a signed addendum: 201 with the report.
pub async fn add_addendum(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<AddendumInput>,
) -> ApiResult<Response> {
    let id: CaseId = parse_id(&id)?;
    let addendum = Addendum::parse(&input)?;
    let report = state
        .store()
        .add_addendum(&ctx.actor(), id, &addendum, state.now())
        .await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/cases/{id}/report"))],
        axum::Json(report_body(&state, &report)),
    )
        .into_response())
}
