//! Specimens and their results over JSON.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use seldinger_domain::pathology::ResultInput;
use seldinger_domain::{CaseId, SpecimenId};
use seldinger_store::reports::SpecimenRecord;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::Ctx;
use crate::json::{ApiJson, ApiQuery, ApiResult, PageParams, page_limit, parse_id, rfc3339};

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

pub async fn case_specimens(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    let id: CaseId = parse_id(&id)?;
    let now = state.now();
    let store = state.store();
    let actor = ctx.actor();
    let specimens = store.specimens(&actor, id, now).await?;
    let items: Vec<Value> = specimens.iter().map(specimen_body).collect();
    Ok(axum::Json(json!({ "items": items })))
}

pub async fn get_specimen(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    let id: SpecimenId = parse_id(&id)?;
    let specimen = state
        .store()
        .specimen(&ctx.actor(), id, state.now())
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
    let offset = crate::json::page_offset(params.offset)?;
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
