//! Referrals and cases over JSON: a referral opens a case; a case's detail; triage,
//! planning, cancellation. Instants are UTC, RFC 3339; a refused transition is a 409 whose
//! `code` says why.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use seldinger_domain::case::{CaseEvent, CaseStatus, NewReferral, ReferralInput, Side, Urgency};
use seldinger_domain::catalog::{Anesthesia, Bilingual, Organ, ProcedureFamily, Stay};
use seldinger_domain::mdt::MeetingKind;
use seldinger_domain::patient::{Allergy, Anticoagulant};
use seldinger_domain::{
    BookingId, CaseId, MeetingId, PatientId, ProcedureTypeId, ProcedureVersionId, RoomId, UserId,
    case,
};
use seldinger_store::bookings::BookingRecord;
use seldinger_store::cases::{CaseEventRecord, CaseRecord};
use seldinger_store::catalog::ProcedureVersion;
use seldinger_store::mdt::AgendaItem;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::procedure_code;
use crate::AppState;
use crate::auth::Ctx;
use crate::calendar::local_now;
use crate::case_view::CaseView;
use crate::error::AppError;
use crate::json::{ApiJson, ApiResult, created, parse_id, parse_json};
use crate::outputs::{ConsentOut, ConsultationOut, PatientOut};

/// A case as stored.
#[derive(Serialize)]
pub struct CaseOut {
    pub id: CaseId,
    pub patient_id: PatientId,
    pub status: CaseStatus,
    pub version: i64,
    pub urgency: Urgency,
    pub referring_physician: String,
    pub referring_service: Option<String>,
    pub indication: String,
    pub target_organ: Organ,
    pub target_site: Option<String>,
    pub side: Side,
    pub lesion_size_mm: Option<u16>,
    pub requested_type_id: ProcedureTypeId,
    pub planned_version_id: ProcedureVersionId,
    pub clinical_question: Option<String>,
    pub anticoagulants: Vec<Anticoagulant>,
    pub allergies: Vec<Allergy>,
    pub referral_date: String,
    #[serde(with = "time::serde::rfc3339")]
    pub referred_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub status_changed_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<CaseRecord> for CaseOut {
    fn from(c: CaseRecord) -> Self {
        Self {
            id: c.id,
            patient_id: c.patient_id,
            status: c.status,
            version: c.version,
            urgency: c.urgency,
            referring_physician: c.referring_physician,
            referring_service: c.referring_service,
            indication: c.indication,
            target_organ: c.target_organ,
            target_site: c.target_site,
            side: c.side,
            lesion_size_mm: c.lesion_size_mm,
            requested_type_id: c.requested_type_id,
            planned_version_id: c.planned_version_id,
            clinical_question: c.clinical_question,
            anticoagulants: c.anticoagulants,
            allergies: c.allergies,
            referral_date: c.referral_date.to_string(),
            referred_at: c.referred_at,
            status_changed_at: c.status_changed_at,
            updated_at: c.updated_at,
        }
    }
}

/// The catalog version a case is planned with.
#[derive(Serialize)]
pub struct PlannedProcedure {
    pub version_id: ProcedureVersionId,
    pub type_id: ProcedureTypeId,
    pub version: i32,
    pub code: String,
    pub name: Bilingual,
    pub family: ProcedureFamily,
    pub anesthesia: Anesthesia,
    pub stay: Stay,
    pub duration_minutes: u16,
}

impl From<ProcedureVersion> for PlannedProcedure {
    fn from(v: ProcedureVersion) -> Self {
        Self {
            version_id: v.id,
            type_id: v.type_id,
            version: v.version,
            code: v.definition.code.to_string(),
            name: v.definition.name,
            family: v.definition.family,
            anesthesia: v.definition.anesthesia,
            stay: v.definition.stay,
            duration_minutes: v.definition.duration_minutes,
        }
    }
}

#[derive(Serialize)]
pub struct HistoryOut {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub username: String,
    pub event: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub detail: Option<String>,
}

impl From<CaseEventRecord> for HistoryOut {
    fn from(e: CaseEventRecord) -> Self {
        Self {
            id: e.id,
            at: e.at,
            username: e.username,
            event: e.event,
            from_status: e.from_status,
            to_status: e.to_status,
            detail: e.detail,
        }
    }
}

#[derive(Serialize)]
pub struct MdtItemOut {
    pub meeting_id: MeetingId,
    pub meeting_kind: MeetingKind,
    #[serde(with = "time::serde::rfc3339")]
    pub meeting_starts_at: OffsetDateTime,
    pub position: i32,
    pub decision: Option<seldinger_domain::case::MdtDecision>,
    pub procedure_version_id: Option<ProcedureVersionId>,
    pub rationale: Option<String>,
    pub responsible_physician: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
}

impl From<AgendaItem> for MdtItemOut {
    fn from(i: AgendaItem) -> Self {
        Self {
            meeting_id: i.meeting_id,
            meeting_kind: i.meeting_kind,
            meeting_starts_at: i.meeting_starts_at,
            position: i.position,
            decision: i.decision,
            procedure_version_id: i.procedure_version_id,
            rationale: i.rationale,
            responsible_physician: i.responsible_physician,
            decided_at: i.decided_at,
        }
    }
}

#[derive(Serialize)]
pub struct BookingOut {
    pub id: BookingId,
    pub room_id: RoomId,
    pub room_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub ends_at: OffsetDateTime,
    pub operator_id: UserId,
    pub operator_name: String,
    pub anesthetist_id: Option<UserId>,
    pub anesthetist_name: Option<String>,
    pub active: bool,
    pub cancel_reason: Option<String>,
    pub version: i64,
}

impl From<BookingRecord> for BookingOut {
    fn from(b: BookingRecord) -> Self {
        Self {
            id: b.id,
            room_id: b.room_id,
            room_name: b.room_name,
            starts_at: b.starts_at,
            ends_at: b.ends_at,
            operator_id: b.operator_id,
            operator_name: b.operator_name,
            anesthetist_id: b.anesthetist_id,
            anesthetist_name: b.anesthetist_name,
            active: b.active,
            cancel_reason: b.cancel_reason,
            version: b.version,
        }
    }
}

fn case_detail(view: CaseView) -> Value {
    let history: Vec<HistoryOut> = view.history.into_iter().map(Into::into).collect();
    let consultations: Vec<ConsultationOut> =
        view.consultations.into_iter().map(Into::into).collect();
    let consents: Vec<ConsentOut> = view.consents.into_iter().map(Into::into).collect();
    let mdt_items: Vec<MdtItemOut> = view.mdt_items.into_iter().map(Into::into).collect();
    let bookings: Vec<BookingOut> = view.bookings.into_iter().map(Into::into).collect();
    json!({
        "case": CaseOut::from(view.case),
        "patient": PatientOut::from(view.patient),
        "planned_procedure": PlannedProcedure::from(view.planned),
        "history": history,
        "consultations": consultations,
        "consents": consents,
        "mdt_items": mdt_items,
        "bookings": bookings,
    })
}

pub async fn create_referral(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<ReferralInput>,
) -> ApiResult<Response> {
    let now = state.now();
    let referral = NewReferral::parse(&input, local_now(now, &ctx.timezone))?;
    let case = state
        .store()
        .create_referral(&ctx.actor(), &referral, now)
        .await?;
    Ok(created(
        format!("/api/v1/cases/{}", case.id),
        json!(CaseOut::from(case)),
    ))
}

pub async fn get_case(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    let id: CaseId = parse_id(&id)?;
    let view = CaseView::load(&state, &ctx.actor(), id).await?;
    Ok(axum::Json(case_detail(view)))
}

async fn transition(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    event: CaseEvent,
) -> ApiResult<axum::Json<CaseOut>> {
    let id: CaseId = parse_id(id)?;
    let case = state
        .store()
        .transition_case(&ctx.actor(), id, &event, state.now())
        .await?;
    Ok(axum::Json(case.into()))
}

/// The body of decline and cancel.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    #[serde(default)]
    pub reason: String,
}

/// A reason as the API takes it: an empty one is left for the state machine to refuse
/// (409 `reason_required`); a present one must be acceptable text (else 422).
fn api_reason(raw: &str) -> Result<String, AppError> {
    if raw.trim().is_empty() {
        Ok(String::new())
    } else {
        Ok(case::reason(raw)?)
    }
}

pub async fn accept_case(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<CaseOut>> {
    transition(&state, &ctx, &id, CaseEvent::Accept).await
}

pub async fn decline_case(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> ApiResult<axum::Json<CaseOut>> {
    let reason = api_reason(&body.reason)?;
    transition(&state, &ctx, &id, CaseEvent::Decline { reason }).await
}

pub async fn send_case_to_mdt(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<CaseOut>> {
    transition(&state, &ctx, &id, CaseEvent::SendToMdt).await
}

pub async fn cancel_case(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> ApiResult<axum::Json<CaseOut>> {
    let reason = api_reason(&body.reason)?;
    transition(&state, &ctx, &id, CaseEvent::Cancel { reason }).await
}

/// The body of `plan`: another procedure than the one the case is planned with.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PlanBody {
    #[serde(default)]
    pub procedure: Option<String>,
}

/// A body that may be left out: empty means the default; otherwise it must be JSON.
fn optional_json<T: DeserializeOwned + Default>(
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<T, AppError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json") || ct.contains("+json"));
    if !is_json {
        return Err(AppError::UnsupportedMediaType);
    }
    parse_json(body)
}

pub async fn plan_case(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<axum::Json<CaseOut>> {
    let id: CaseId = parse_id(&id)?;
    let body: PlanBody = optional_json(&headers, &body)?;
    let procedure = procedure_code("procedure", body.procedure.as_deref().unwrap_or(""))?;
    let case = state
        .store()
        .plan_procedure(&ctx.actor(), id, procedure.as_ref(), state.now())
        .await?;
    Ok(axum::Json(case.into()))
}
