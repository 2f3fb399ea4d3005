//! The JSON API of reports, specimens and pathology results.
//!
//! A report travels as its stored form (`report`: instants in UTC RFC 3339, numbers as
//! numbers) with its state, version, signature, addenda and what it still lacks for
//! signature; it is written as the form's fields (`ReportInput`: text or numbers, local
//! wall-clock times `YYYY-MM-DDTHH:MM` in the department's zone, lists as arrays), so the
//! API and the page check the same rules.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use seldinger_domain::audit::{AuditAction, ObjectRef};
use seldinger_domain::pathology::ResultInput;
use seldinger_domain::report::{Addendum, AddendumInput, ReportInput};
use seldinger_domain::{CaseId, SpecimenId};
use seldinger_store::reports::{ReportRecord, SpecimenRecord};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::Ctx;
use crate::error::{ApiError, AppError};
use crate::json::{ApiJson, ApiQuery, PageParams, page_limit, parse_id, rfc3339};

type ApiResult<T> = Result<T, ApiError>;

fn report_body(r: &ReportRecord) -> Value {
    json!({
        "id": r.id,
        "case_id": r.case_id,
        "state": if r.signed.is_some() { "signed" } else { "draft" },
        "version": r.version,
        "report": r.report,
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

fn specimen_body(s: &SpecimenRecord) -> Value {
    json!({
        "id": s.id,
        "case_id": s.case_id,
        "position": s.position,
        "label": s.label,
        "collected_on": s.collected_on.to_string(),
        "result": s.result.as_ref().map(|r| json!({
            "adequacy": r.result.adequacy,
            "category": r.result.category,
            "histology": r.result.histology,
            "result_date": r.result.result_date.to_string(),
            "turnaround_days": r.turnaround_days,
            "recorded_at": rfc3339(&r.recorded_at),
            "recorded_by": r.recorded_by,
        })),
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
    Ok(axum::Json(report_body(&report)))
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
    store.get_case(&ctx.actor(), id, now).await?;
    let (procedure, input) = store.report_template(id).await?;
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
    Ok(axum::Json(report_body(&saved)))
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
    Ok(axum::Json(report_body(&signed)))
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
        axum::Json(report_body(&report)),
    )
        .into_response())
}

pub async fn case_specimens(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    let id: CaseId = parse_id(&id)?;
    let now = state.now();
    let store = state.store();
    let actor = ctx.actor();
    store.get_case(&actor, id, now).await?;
    let specimens = store.specimens(id).await?;
    store
        .audit(
            &actor,
            AuditAction::SpecimenList,
            Some(&ObjectRef::new("case", id)),
            None,
            now,
        )
        .await?;
    let items: Vec<Value> = specimens.iter().map(specimen_body).collect();
    Ok(axum::Json(json!({ "items": items })))
}

pub async fn get_specimen(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    let id: SpecimenId = parse_id(&id)?;
    let specimen = state.store().specimen(id).await?;
    state
        .store()
        .audit(
            &ctx.actor(),
            AuditAction::SpecimenList,
            Some(&ObjectRef::new("case", specimen.case_id)),
            Some(&format!("specimen {}", specimen.position)),
            state.now(),
        )
        .await?;
    Ok(axum::Json(specimen_body(&specimen)))
}

/// Specimens awaiting their result, oldest first, with their case and patient.
pub async fn pending_specimens(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(params): ApiQuery<PageParams>,
) -> ApiResult<axum::Json<Value>> {
    let limit = page_limit(params.limit)?;
    let offset = params.offset.unwrap_or(0);
    let (items, total) = state
        .store()
        .pending_specimens(&ctx.actor(), limit, offset, state.now())
        .await?;
    let items: Vec<Value> = items
        .iter()
        .map(|p| {
            let mut v = specimen_body(&p.specimen);
            v["patient"] = json!({
                "id": p.case.patient_id,
                "mrn": p.case.mrn,
                "family_name": p.case.family_name,
                "given_names": p.case.given_names,
                "birth_date": p.case.birth_date.to_string(),
            });
            v["procedure_code"] = json!(p.case.procedure_code);
            v
        })
        .collect();
    Ok(axum::Json(
        json!({ "items": items, "total": total, "limit": limit, "offset": offset }),
    ))
}

/// Records a specimen's result, once: 404 for an unknown specimen, 409
/// `pathology_already_recorded` for a second result, 422 for bad fields.
pub async fn record_result(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ResultInput>,
) -> ApiResult<Response> {
    let id: SpecimenId = parse_id(&id)?;
    let specimen = state
        .store()
        .record_pathology(&ctx.actor(), id, &input, state.now())
        .await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/specimens/{id}"))],
        axum::Json(specimen_body(&specimen)),
    )
        .into_response())
}
