//! The JSON API of referrals, cases, consultations and worklists. Instants are UTC,
//! RFC 3339; a refused transition is a 409 whose `code` says why.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use seldinger_domain::case::{
    self, CaseEvent, CaseStatus, NewReferral, ReferralInput, Side, Urgency,
};
use seldinger_domain::catalog::{
    Anesthesia, Bilingual, Organ, ProcedureCode, ProcedureFamily, Stay,
};
use seldinger_domain::consultation::{
    ConsentDecision, ConsultationBooking, ConsultationBookingInput, ConsultationRecord,
    ConsultationRecordInput,
};
use seldinger_domain::invalid::{Collector, Problem};
use seldinger_domain::localtime::{from_local, local_date};
use seldinger_domain::mdt::MeetingKind;
use seldinger_domain::patient::{Allergy, Anticoagulant, parse_date};
use seldinger_domain::{
    BookingId, CaseId, ConsultationId, FieldError, Invalid, MeetingId, PatientId, ProcedureTypeId,
    ProcedureVersionId, RoomId, UserId,
};
use seldinger_store::bookings::BookingRecord;
use seldinger_store::cases::{CaseEventRecord, CaseRecord};
use seldinger_store::catalog::ProcedureVersion;
use seldinger_store::consultations::{Consultation, ConsultationSlot};
use seldinger_store::mdt::AgendaItem;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, OffsetDateTime};

use super::worklist_named;
use crate::AppState;
use crate::auth::Ctx;
use crate::calendar::local_now;
use crate::case_view::CaseView;
use crate::error::{ApiError, AppError};
use crate::json::{ApiJson, ApiQuery, created, parse_id, parse_json};
use crate::outputs::PatientOut;
use crate::outputs::{CaseListItem, ConsentOut, ConsultationOut};

type ApiResult<T> = Result<T, ApiError>;

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

/// A procedure code typed for `field`, or none when left empty.
pub(crate) fn procedure_code(field: &str, raw: &str) -> Result<Option<ProcedureCode>, FieldError> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    ProcedureCode::parse(raw)
        .map(Some)
        .map_err(|e| FieldError::new(field, e.problem))
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

/// The body of booking a consultation over the API (the start is an RFC 3339 instant).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct BookingBody {
    #[serde(default)]
    pub kind: String,
    /// The clinician's username.
    #[serde(default)]
    pub clinician: String,
    #[serde(default)]
    pub starts_at: String,
    #[serde(default)]
    pub duration_minutes: Option<u32>,
}

/// Checks a booking sent over the API; the start is an instant, not local time.
fn api_booking(body: &BookingBody) -> Result<(ConsultationBooking, OffsetDateTime), Invalid> {
    let mut errors = Collector::default();
    let starts = match body.starts_at.trim() {
        "" => {
            errors.push(FieldError::new("starts_at", Problem::Required));
            None
        }
        raw => errors.check(OffsetDateTime::parse(raw, &Rfc3339).map_err(|_| {
            FieldError::new(
                "starts_at",
                Problem::BadFormat {
                    expected: "an RFC 3339 instant, e.g. 2026-11-23T08:30:00Z",
                },
            )
        })),
    };
    // The domain checks the other fields; the start it sees is only a placeholder
    // when the instant did not parse (its error is already collected).
    let at = starts
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(time::UtcOffset::UTC);
    let input = ConsultationBookingInput {
        kind: body.kind.clone(),
        clinician: body.clinician.clone(),
        starts_at: format!("{}T{:02}:{:02}", at.date(), at.hour(), at.minute()),
        duration_minutes: body.duration_minutes,
    };
    let parsed = ConsultationBooking::parse(&input);
    if let Err(Invalid(more)) = &parsed {
        for e in more {
            errors.push(e.clone());
        }
    }
    errors.finish()?;
    match (parsed, starts) {
        (Ok(booking), Some(starts)) => Ok((booking, starts)),
        _ => Err(Invalid(Vec::new())),
    }
}

pub(crate) fn slot(
    booking: &ConsultationBooking,
    starts_at: OffsetDateTime,
) -> ConsultationSlot<'_> {
    ConsultationSlot {
        kind: booking.kind,
        clinician: &booking.clinician,
        starts_at,
        ends_at: starts_at + booking.duration,
    }
}

pub async fn book_consultation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<BookingBody>,
) -> ApiResult<Response> {
    let id: CaseId = parse_id(&id)?;
    let (booking, starts_at) = api_booking(&body)?;
    let booked = state
        .store()
        .book_consultation(&ctx.actor(), id, &slot(&booking, starts_at), state.now())
        .await?;
    Ok(created(
        format!("/api/v1/consultations/{}", booked.id),
        json!(ConsultationOut::from(booked)),
    ))
}

/// The body of a consent decision recorded outside a consultation.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ConsentBody {
    #[serde(default)]
    pub decision: String,
    /// The day the patient decided (YYYY-MM-DD); today when left out.
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub note: String,
}

/// Checks a consent decision; field names are `decision`, `date`, `note`.
pub(crate) fn parse_consent(
    decision: &str,
    date: &str,
    note: &str,
    today: Date,
) -> Result<(ConsentDecision, Date, Option<String>), Invalid> {
    let mut errors = Collector::default();
    let decision = errors.check(
        ConsentDecision::parse(decision).map_err(|e| FieldError::new("decision", e.problem)),
    );
    let date = if date.trim().is_empty() {
        Some(today)
    } else {
        errors.check(parse_date("date", date).and_then(|d| {
            if d > today {
                Err(FieldError::new("date", Problem::DateInFuture))
            } else {
                Ok(d)
            }
        }))
    };
    let note = errors.check(seldinger_domain::text::free_text("note", note, 500));
    errors.finish()?;
    match (decision, date, note) {
        (Some(decision), Some(date), Some(note)) => Ok((decision, date, note)),
        _ => Err(Invalid(Vec::new())),
    }
}

pub async fn record_consent(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ConsentBody>,
) -> ApiResult<Response> {
    let id: CaseId = parse_id(&id)?;
    let now = state.now();
    let today = local_date(now, &ctx.timezone);
    let (decision, date, note) = parse_consent(&body.decision, &body.date, &body.note, today)?;
    state
        .store()
        .record_consent(&ctx.actor(), id, decision, date, note.as_deref(), now)
        .await?;
    let recorded = state
        .store()
        .case_consents(id)
        .await?
        .pop()
        .map(ConsentOut::from);
    Ok(created(format!("/api/v1/cases/{id}"), json!(recorded)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsultationsParams {
    /// First instant (RFC 3339); the start of today (department's day) by default.
    pub from: Option<String>,
    /// End instant, excluded; a day after `from` by default.
    pub to: Option<String>,
    /// One clinician's consultations (username).
    pub clinician: Option<String>,
}

fn instant(field: &str, raw: &str) -> Result<OffsetDateTime, FieldError> {
    OffsetDateTime::parse(raw.trim(), &Rfc3339).map_err(|_| {
        FieldError::new(
            field,
            Problem::BadFormat {
                expected: "an RFC 3339 instant, e.g. 2026-11-23T00:00:00Z",
            },
        )
    })
}

pub async fn list_consultations(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(params): ApiQuery<ConsultationsParams>,
) -> ApiResult<axum::Json<Value>> {
    let now = state.now();
    let mut errors = Collector::default();
    let from = match params.from.as_deref() {
        Some(raw) => errors.check(instant("from", raw)),
        None => Some(from_local(
            local_date(now, &ctx.timezone).midnight(),
            &ctx.timezone,
        )),
    };
    let to = match (params.to.as_deref(), from) {
        (Some(raw), _) => errors.check(instant("to", raw)),
        (None, Some(from)) => Some(from + Duration::days(1)),
        (None, None) => None,
    };
    if let (Some(from), Some(to)) = (from, to)
        && (to <= from || to - from > Duration::days(31))
    {
        errors.push(FieldError::new(
            "to",
            Problem::BadFormat {
                expected: "after `from`, at most 31 days later",
            },
        ));
    }
    let clinician = match params.clinician.as_deref().map(str::trim) {
        Some(username) if !username.is_empty() => {
            match state
                .store()
                .user_with_password(&username.to_lowercase())
                .await?
            {
                Some((user, _)) => Some(user.id),
                None => {
                    errors.push(FieldError::new("clinician", Problem::NoSuchRecord));
                    None
                }
            }
        }
        _ => None,
    };
    errors.finish()?;
    let (Some(from), Some(to)) = (from, to) else {
        return Err(AppError::Invalid(Invalid(Vec::new())).into());
    };
    let items: Vec<ConsultationOut> = state
        .store()
        .consultations_between(&ctx.actor(), from, to, clinician, now)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(axum::Json(json!({ "items": items })))
}

/// A consultation and the consent decided at it. Reading it audits a read of its case.
async fn consultation_detail(
    state: &AppState,
    ctx: &Ctx,
    id: ConsultationId,
) -> Result<Value, AppError> {
    let found = state.store().consultation(id).await?;
    state
        .store()
        .get_case(&ctx.actor(), found.case_id, state.now())
        .await?;
    let consent = state
        .store()
        .case_consents(found.case_id)
        .await?
        .into_iter()
        .find(|c| c.consultation_id == Some(id))
        .map(ConsentOut::from);
    let mut body = json!(ConsultationOut::from(found));
    body["consent"] = json!(consent);
    Ok(body)
}

pub async fn get_consultation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    let id: ConsultationId = parse_id(&id)?;
    Ok(axum::Json(consultation_detail(&state, &ctx, id).await?))
}

/// The date a consultation took place, on the department's calendar.
pub(crate) fn consultation_day(c: &Consultation, zone: &jiff::tz::TimeZone) -> Date {
    local_date(c.starts_at, zone)
}

pub async fn record_consultation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ConsultationRecordInput>,
) -> ApiResult<axum::Json<Value>> {
    let id: ConsultationId = parse_id(&id)?;
    let now = state.now();
    let found = state.store().consultation(id).await?;
    let record = ConsultationRecord::parse(
        &input,
        found.kind,
        consultation_day(&found, &ctx.timezone),
        local_now(now, &ctx.timezone),
    )?;
    state
        .store()
        .record_consultation(&ctx.actor(), id, &record, now)
        .await?;
    Ok(axum::Json(consultation_detail(&state, &ctx, id).await?))
}

pub async fn cancel_consultation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<ConsultationOut>> {
    let id: ConsultationId = parse_id(&id)?;
    let cancelled = state
        .store()
        .cancel_consultation(&ctx.actor(), id, state.now())
        .await?;
    Ok(axum::Json(cancelled.into()))
}

pub async fn get_worklist(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(list): Path<String>,
    ApiQuery(params): ApiQuery<crate::json::PageParams>,
) -> ApiResult<axum::Json<Value>> {
    let list = worklist_named(&list)?;
    let limit = crate::json::page_limit(params.limit)?;
    let offset = params.offset.unwrap_or(0);
    let now = state.now();
    let (cases, total) = state
        .store()
        .worklist(&ctx.actor(), list, limit, offset, now)
        .await?;
    let items: Vec<CaseListItem> = cases
        .into_iter()
        .map(|c| CaseListItem::new(c, now, &ctx.timezone))
        .collect();
    Ok(axum::Json(
        json!({ "items": items, "total": total, "limit": limit, "offset": offset }),
    ))
}
