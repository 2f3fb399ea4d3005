//! Patients over JSON: search, register, read, replace, withdraw; a patient's cases and
//! timeline.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use seldinger_domain::invalid::Problem;
use seldinger_domain::patient::{
    Allergy, Anticoagulant, NewPatient, PatientInput, PatientQuery, RawEntry, Sex,
};
use seldinger_domain::{FieldError, PatientId};
use seldinger_store::Patient;
use seldinger_store::timeline::TimelineItem;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::href;
use crate::AppState;
use crate::auth::Ctx;
use crate::json::{ApiJson, ApiQuery, ApiResult, parse_id, withdrawal_reason};
use crate::outputs::{CaseListItem, EmergencyAccessOut, PatientOut};

fn with_duplicates(patient: Patient, duplicates: &[Patient]) -> Value {
    let mut body = json!(PatientOut::from(patient));
    body["possible_duplicates"] = duplicates.iter().map(|d| json!(d.id)).collect();
    body
}

pub async fn create_patient(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<PatientInput>,
) -> ApiResult<Response> {
    let now = state.now();
    let patient = NewPatient::parse(&input, now)?;
    let actor = ctx.actor();
    let duplicates = state
        .store()
        .possible_duplicates(&actor, &patient, None, now)
        .await?;
    let created = state.store().create_patient(&actor, &patient, now).await?;
    let location = format!("/api/v1/patients/{}", created.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        axum::Json(with_duplicates(created, &duplicates)),
    )
        .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    #[serde(default)]
    pub q: String,
    pub limit: Option<u64>,
}

pub async fn search_patients(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> ApiResult<axum::Json<Value>> {
    let query = PatientQuery::parse(&params.q)?;
    let limit = params.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(FieldError::new(
            "limit",
            Problem::BadFormat {
                expected: "a number from 1 to 200",
            },
        )
        .into());
    }
    let found = state
        .store()
        .search_patients(&ctx.actor(), &query, limit, state.now())
        .await?;
    let items: Vec<PatientOut> = found.into_iter().map(PatientOut::from).collect();
    Ok(axum::Json(json!({ "items": items })))
}

pub async fn get_patient(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<PatientOut>> {
    let id: PatientId = parse_id(&id)?;
    let patient = state
        .store()
        .get_patient(&ctx.actor(), id, state.now())
        .await?;
    Ok(axum::Json(patient.into()))
}

/// The body of `PUT /api/v1/patients/{id}`: the whole record and the version it was read at.
// It repeats `PatientInput`'s fields because `#[serde(flatten)]` would silently disable
// `deny_unknown_fields`, and an unknown field must be refused.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatientUpdate {
    /// The version that was read.
    pub version: i64,
    /// 1 to 32 letters, digits and `-_/.`, at least one digit, spaces around it trimmed
    /// (`Mrn::parse`).
    #[schema(
        pattern = r"^\s*(?=[A-Za-z0-9_./-]{1,32}\s*$)[A-Za-z0-9_./-]*[0-9][A-Za-z0-9_./-]*\s*$"
    )]
    pub mrn: String,
    /// Letters of any script (`[^\W\d_]`), spaces, hyphens, apostrophes, full stops;
    /// at least one letter (`text::person_name`).
    #[schema(
        max_length = 100,
        pattern = r"^(?:[^\W\d_]|[\s'’.-])*[^\W\d_](?:[^\W\d_]|[\s'’.-])*$"
    )]
    pub family_name: String,
    #[schema(
        max_length = 100,
        pattern = r"^(?:[^\W\d_]|[\s'’.-])*[^\W\d_](?:[^\W\d_]|[\s'’.-])*$"
    )]
    pub given_names: String,
    #[schema(value_type = String, format = Date)]
    pub birth_date: String,
    #[schema(value_type = Sex)]
    pub sex: String,
    #[schema(value_type = Vec<Allergy>, max_items = 20)]
    pub allergies: Vec<RawEntry>,
    #[schema(value_type = Vec<Anticoagulant>, max_items = 20)]
    pub anticoagulants: Vec<RawEntry>,
}

pub async fn update_patient(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PatientUpdate>,
) -> ApiResult<axum::Json<Value>> {
    let id: PatientId = parse_id(&id)?;
    let now = state.now();
    let input = PatientInput {
        mrn: body.mrn,
        family_name: body.family_name,
        given_names: body.given_names,
        birth_date: body.birth_date,
        sex: body.sex,
        allergies: body.allergies,
        anticoagulants: body.anticoagulants,
    };
    let patient = NewPatient::parse(&input, now)?;
    let actor = ctx.actor();
    let duplicates = state
        .store()
        .possible_duplicates(&actor, &patient, Some(id), now)
        .await?;
    let updated = state
        .store()
        .update_patient(&actor, id, body.version, &patient, now)
        .await?;
    Ok(axum::Json(with_duplicates(updated, &duplicates)))
}

/// The body of `DELETE /api/v1/patients/{id}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatientWithdrawal {
    /// The version that was read.
    pub version: i64,
    /// Why the record is withdrawn (it goes to the audit log): 1 to 500 characters
    /// once trimmed, no control characters but line breaks and tabs.
    #[serde(default)]
    #[schema(
        required = true,
        pattern = r"^\s*(?=[\s\S]{0,499}\S\s*$)[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub reason: String,
}

/// Withdraws a patient registered in error (a soft delete, audited with its reason).
pub async fn delete_patient(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PatientWithdrawal>,
) -> ApiResult<StatusCode> {
    let id: PatientId = parse_id(&id)?;
    let reason = withdrawal_reason(&body.reason)?;
    state
        .store()
        .delete_patient(&ctx.actor(), id, body.version, &reason, state.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn list_patient_cases(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    let id: PatientId = parse_id(&id)?;
    let now = state.now();
    let actor = ctx.actor();
    // An unknown patient is a 404, not an empty list.
    state.store().get_patient(&actor, id, now).await?;
    let items: Vec<CaseListItem> = state
        .store()
        .patient_cases(&actor, id, now)
        .await?
        .into_iter()
        .map(|c| CaseListItem::new(c, now, &ctx.timezone))
        .collect();
    Ok(axum::Json(json!({ "items": items })))
}

/// The timeline as JSON, oldest first.
pub async fn timeline(
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

/// The body of `POST /api/v1/patients/{id}/emergency-access`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmergencyRequest {
    pub reason: String,
}

/// Opens one patient's record to a referring physician for a limited time, with a
/// reason (an emergency, "break the glass"); 201 with the access.
pub async fn open_emergency_access(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<EmergencyRequest>,
) -> ApiResult<Response> {
    let id: PatientId = parse_id(&id)?;
    let grant = state
        .store()
        .open_emergency_access(&ctx.actor(), id, &body.reason, state.now())
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(EmergencyAccessOut::from(grant)),
    )
        .into_response())
}
