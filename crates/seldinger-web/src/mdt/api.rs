//! The JSON API of meetings, the checklist and the time-out.
//!
//! Instants are UTC RFC 3339. A meeting's `starts_at` is taken as an instant, placed on
//! the department's local clock (`localtime::to_local` in the store's zone) to the
//! minute, and parsed with the same `NewMeeting::parse` as the form, so both paths
//! check the same rules and the store keeps one representation (local wall-clock time
//! placed in the zone). Seconds are dropped.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use seldinger_domain::case::{CaseStatus, MdtDecision, Urgency};
use seldinger_domain::checklist::{
    Checklist, ChecklistInput, ChecklistItem, ItemState, TimeOut, TimeOutInput,
};
use seldinger_domain::invalid::Problem;
use seldinger_domain::localtime::to_local;
use seldinger_domain::mdt::{
    Attendee, AttendeeInput, Decision, DecisionInput, MeetingInput, MeetingKind, NewMeeting,
};
use seldinger_domain::patient::Sex;
use seldinger_domain::{
    BookingId, CaseId, FieldError, Invalid, Lang, MeetingId, PatientId, ProcedureVersionId,
};
use seldinger_store::checklists::{ChecklistView, TimeOutRecord};
use seldinger_store::mdt::{AgendaItem, Meeting};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::AppState;
use crate::auth::Ctx;
use crate::error::{ApiError, AppError};
use crate::json::{ApiJson, ApiQuery, parse_id};

type ApiResult<T> = Result<T, ApiError>;

#[derive(Serialize)]
pub struct MeetingOut {
    pub id: MeetingId,
    pub kind: MeetingKind,
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    pub location: Option<String>,
    pub attendees: Vec<Attendee>,
    pub version: i64,
    /// Cases on the agenda.
    pub items: i64,
    /// Cases with a decision.
    pub decided: i64,
}

impl From<Meeting> for MeetingOut {
    fn from(m: Meeting) -> Self {
        Self {
            id: m.id,
            kind: m.kind,
            starts_at: m.starts_at,
            location: m.location,
            attendees: m.attendees,
            version: m.version,
            items: m.items,
            decided: m.decided,
        }
    }
}

#[derive(Serialize)]
pub struct AgendaPatient {
    pub id: PatientId,
    pub mrn: String,
    pub family_name: String,
    pub given_names: String,
    pub birth_date: String,
    pub sex: Sex,
}

#[derive(Serialize)]
pub struct AgendaItemOut {
    pub position: i32,
    pub case_id: CaseId,
    pub status: CaseStatus,
    pub urgency: Urgency,
    pub patient: AgendaPatient,
    pub procedure_code: String,
    pub procedure_name: Value,
    pub indication: String,
    pub referring_physician: String,
    pub decision: Option<MdtDecision>,
    pub procedure_version_id: Option<ProcedureVersionId>,
    pub rationale: Option<String>,
    pub responsible_physician: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
}

impl From<AgendaItem> for AgendaItemOut {
    fn from(i: AgendaItem) -> Self {
        let c = i.case;
        Self {
            position: i.position,
            case_id: c.id,
            status: c.status,
            urgency: c.urgency,
            patient: AgendaPatient {
                id: c.patient_id,
                mrn: c.mrn,
                family_name: c.family_name,
                given_names: c.given_names,
                birth_date: c.birth_date.to_string(),
                sex: c.sex,
            },
            procedure_code: c.procedure_code,
            procedure_name: json!({ "fr": c.procedure_fr, "en": c.procedure_en }),
            indication: c.indication,
            referring_physician: c.referring_physician,
            decision: i.decision,
            procedure_version_id: i.procedure_version_id,
            rationale: i.rationale,
            responsible_physician: i.responsible_physician,
            decided_at: i.decided_at,
        }
    }
}

fn meeting_body(meeting: Meeting, agenda: Vec<AgendaItem>) -> Value {
    let mut body = json!(MeetingOut::from(meeting));
    body["agenda"] = json!(
        agenda
            .into_iter()
            .map(AgendaItemOut::from)
            .collect::<Vec<_>>()
    );
    body
}

/// An RFC 3339 instant from a field.
fn instant(field: &str, raw: &str) -> Result<OffsetDateTime, FieldError> {
    if raw.trim().is_empty() {
        return Err(FieldError::new(field, Problem::Required));
    }
    OffsetDateTime::parse(raw.trim(), &Rfc3339).map_err(|_| {
        FieldError::new(
            field,
            Problem::BadFormat {
                expected: "an RFC 3339 instant, e.g. 2026-11-24T13:00:00Z",
            },
        )
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingsParams {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

/// Meetings starting in `[from, to)` (default: the last 30 days and the next year).
pub async fn list_meetings(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<MeetingsParams>,
) -> ApiResult<axum::Json<Value>> {
    let now = state.now();
    let mut errors = seldinger_domain::invalid::Collector::default();
    let from = match params.from.trim() {
        "" => Some(now - Duration::days(30)),
        raw => errors.check(instant("from", raw)),
    };
    let to = match params.to.trim() {
        "" => Some(now + Duration::days(366)),
        raw => errors.check(instant("to", raw)),
    };
    if let (Some(from), Some(to)) = (from, to)
        && to <= from
    {
        errors.push(FieldError::new(
            "to",
            Problem::BadFormat {
                expected: "an instant after `from`",
            },
        ));
    }
    errors.finish()?;
    let (Some(from), Some(to)) = (from, to) else {
        return Err(AppError::Invalid(Invalid(Vec::new())).into());
    };
    let items: Vec<MeetingOut> = state
        .store()
        .list_meetings(from, to)
        .await?
        .into_iter()
        .map(MeetingOut::from)
        .collect();
    Ok(axum::Json(json!({ "items": items })))
}

/// The body of `POST /api/v1/mdt`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingBody {
    #[serde(default)]
    pub kind: String,
    /// RFC 3339.
    #[serde(default)]
    pub starts_at: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub attendees: Vec<AttendeeInput>,
}

/// The body of `PUT /api/v1/mdt/{id}`: the meeting and the version it was read at
/// (the fields repeated, since `flatten` would disable `deny_unknown_fields`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingUpdate {
    pub version: i64,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub starts_at: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub attendees: Vec<AttendeeInput>,
}

/// Parses a meeting whose start is an RFC 3339 instant: every field error at once.
fn new_meeting(
    state: &AppState,
    kind: String,
    starts_at: &str,
    location: String,
    attendees: Vec<AttendeeInput>,
) -> Result<NewMeeting, AppError> {
    let (local, start_error) = match instant("starts_at", starts_at) {
        Ok(at) => (super::meetings::local_input(at, state.store().zone()), None),
        // Any valid placeholder, so that the other fields are still checked.
        Err(e) => ("2000-01-01T00:00".to_string(), Some(e)),
    };
    let parsed = NewMeeting::parse(&MeetingInput {
        kind,
        starts_at: local,
        location,
        attendees,
    });
    match (parsed, start_error) {
        (Ok(meeting), None) => Ok(meeting),
        (Ok(_), Some(e)) => Err(AppError::Invalid(Invalid(vec![e]))),
        (Err(Invalid(mut errors)), Some(e)) => {
            errors.insert(0, e);
            Err(AppError::Invalid(Invalid(errors)))
        }
        (Err(invalid), None) => Err(AppError::Invalid(invalid)),
    }
}

pub async fn create_meeting(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<MeetingBody>,
) -> ApiResult<Response> {
    let new = new_meeting(
        &state,
        body.kind,
        &body.starts_at,
        body.location,
        body.attendees,
    )?;
    let created = state
        .store()
        .create_meeting(&ctx.actor(), &new, state.now())
        .await?;
    let location = format!("/api/v1/mdt/{}", created.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        axum::Json(MeetingOut::from(created)),
    )
        .into_response())
}

pub async fn get_meeting(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    let id: MeetingId = parse_id(&id)?;
    let (meeting, agenda) = state.store().meeting(&ctx.actor(), id, state.now()).await?;
    Ok(axum::Json(meeting_body(meeting, agenda)))
}

pub async fn update_meeting(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<MeetingUpdate>,
) -> ApiResult<axum::Json<MeetingOut>> {
    let id: MeetingId = parse_id(&id)?;
    let new = new_meeting(
        &state,
        body.kind,
        &body.starts_at,
        body.location,
        body.attendees,
    )?;
    let updated = state
        .store()
        .update_meeting(&ctx.actor(), id, body.version, &new, state.now())
        .await?;
    Ok(axum::Json(updated.into()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgendaAdd {
    #[serde(default)]
    pub case_id: String,
}

/// Puts a case on the agenda; answers the meeting with its agenda.
pub async fn add_to_agenda(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AgendaAdd>,
) -> ApiResult<axum::Json<Value>> {
    let id: MeetingId = parse_id(&id)?;
    let case: CaseId = match body.case_id.trim() {
        "" => return Err(FieldError::new("case_id", Problem::Required).into()),
        raw => raw.parse().map_err(|_| {
            FieldError::new(
                "case_id",
                Problem::BadFormat {
                    expected: "a case id",
                },
            )
        })?,
    };
    let now = state.now();
    let actor = ctx.actor();
    state.store().add_to_agenda(&actor, id, case, now).await?;
    let (meeting, agenda) = state.store().meeting(&actor, id, now).await?;
    Ok(axum::Json(meeting_body(meeting, agenda)))
}

pub async fn remove_from_agenda(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, case)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let id: MeetingId = parse_id(&id)?;
    let case: CaseId = parse_id(&case)?;
    state
        .store()
        .remove_from_agenda(&ctx.actor(), id, case, state.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records the MDT's decision for a case; answers the case's new status.
pub async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, case)): Path<(String, String)>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> ApiResult<axum::Json<Value>> {
    let id: MeetingId = parse_id(&id)?;
    let case: CaseId = parse_id(&case)?;
    let decision = Decision::parse(&input)?;
    let status = state
        .store()
        .decide(&ctx.actor(), id, case, &decision, state.now())
        .await?;
    Ok(axum::Json(json!({ "case_id": case, "status": status })))
}

#[derive(Serialize)]
struct ItemOut {
    item: ChecklistItem,
    label: &'static str,
    state: ItemState,
    /// Why the item blocks, as a stable code.
    reason: Option<&'static str>,
    /// The same, in the caller's language.
    message: Option<String>,
}

#[derive(Serialize)]
struct TimeOutOut {
    booking_id: BookingId,
    identity_confirmed: bool,
    site_confirmed: bool,
    side_confirmed: bool,
    procedure_confirmed: bool,
    notes: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    recorded_at: OffsetDateTime,
    recorded_by: String,
}

impl From<TimeOutRecord> for TimeOutOut {
    fn from(t: TimeOutRecord) -> Self {
        Self {
            booking_id: t.booking_id,
            identity_confirmed: t.timeout.identity_confirmed,
            site_confirmed: t.timeout.site_confirmed,
            side_confirmed: t.timeout.side_confirmed,
            procedure_confirmed: t.timeout.procedure_confirmed,
            notes: t.timeout.notes,
            recorded_at: t.recorded_at,
            recorded_by: t.recorded_by,
        }
    }
}

fn checklist_body(view: ChecklistView, timeouts: Vec<TimeOutRecord>, lang: Lang) -> Value {
    let items: Vec<ItemOut> = view
        .status
        .items
        .iter()
        .map(|s| ItemOut {
            item: s.item,
            label: s.item.label(lang),
            state: s.state,
            reason: s.reason.as_ref().map(|r| r.code()),
            message: s.reason.as_ref().map(|r| r.message(lang)),
        })
        .collect();
    let t = &view.thresholds;
    let updated_at = view
        .updated_at
        .and_then(|at| at.format(&Rfc3339).ok())
        .map(Value::String)
        .unwrap_or(Value::Null);
    json!({
        "checklist": view.checklist.to_input(),
        "version": view.version,
        "updated_at": updated_at,
        "complete": view.status.is_complete(),
        "blocking": view.status.blocking().count(),
        "booked": view.booked,
        "procedure_date": view.procedure_date.to_string(),
        "items": items,
        "thresholds": {
            "bleeding_risk": t.bleeding_risk,
            "inr_max": t.inr_max.to_string(),
            "platelets_min": t.platelets_min,
            "egfr_min": t.egfr_min,
            "lab_max_age_days": t.lab_max_age_days,
            "source": t.source,
        },
        "timeouts": timeouts.into_iter().map(TimeOutOut::from).collect::<Vec<_>>(),
    })
}

pub async fn get_checklist(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    let id: CaseId = parse_id(&id)?;
    let view = state
        .store()
        .checklist(&ctx.actor(), id, state.now())
        .await?;
    let timeouts = state.store().case_timeouts(id).await?;
    Ok(axum::Json(checklist_body(view, timeouts, ctx.lang)))
}

/// The body of `PUT /api/v1/cases/{id}/checklist`: the checklist and the version it
/// was read at (0 the first time); the fields repeated for `deny_unknown_fields`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistUpdate {
    pub version: i64,
    #[serde(default)]
    pub information_sheet_delivered: bool,
    #[serde(default)]
    pub inr: String,
    #[serde(default)]
    pub inr_date: String,
    #[serde(default)]
    pub platelets: String,
    #[serde(default)]
    pub platelets_date: String,
    #[serde(default)]
    pub creatinine: String,
    #[serde(default)]
    pub creatinine_date: String,
    #[serde(default)]
    pub egfr: String,
    #[serde(default)]
    pub egfr_date: String,
    #[serde(default)]
    pub anticoagulant_plan: String,
    #[serde(default)]
    pub anticoagulant_note: String,
    #[serde(default)]
    pub fasting_confirmed: bool,
    #[serde(default)]
    pub premedication: String,
    #[serde(default)]
    pub pregnancy: String,
    #[serde(default)]
    pub notes: String,
}

impl ChecklistUpdate {
    fn input(self) -> (i64, ChecklistInput) {
        (
            self.version,
            ChecklistInput {
                information_sheet_delivered: self.information_sheet_delivered,
                inr: self.inr,
                inr_date: self.inr_date,
                platelets: self.platelets,
                platelets_date: self.platelets_date,
                creatinine: self.creatinine,
                creatinine_date: self.creatinine_date,
                egfr: self.egfr,
                egfr_date: self.egfr_date,
                anticoagulant_plan: self.anticoagulant_plan,
                anticoagulant_note: self.anticoagulant_note,
                fasting_confirmed: self.fasting_confirmed,
                premedication: self.premedication,
                pregnancy: self.pregnancy,
                notes: self.notes,
            },
        )
    }
}

/// Saves the checklist; answers the evaluated checklist and the case's status.
pub async fn save_checklist(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ChecklistUpdate>,
) -> ApiResult<axum::Json<Value>> {
    let id: CaseId = parse_id(&id)?;
    let now = state.now();
    let (version, input) = body.input();
    let today = to_local(now, state.store().zone()).date();
    let checklist = Checklist::parse(&input, today)?;
    let (view, status) = state
        .store()
        .save_checklist(&ctx.actor(), id, version, &checklist, now)
        .await?;
    let timeouts = state.store().case_timeouts(id).await?;
    let mut body = checklist_body(view, timeouts, ctx.lang);
    body["status"] = json!(status);
    Ok(axum::Json(body))
}

/// Records the time-out on the day; 201 with the record.
pub async fn record_timeout(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<TimeOutInput>,
) -> ApiResult<Response> {
    let id: CaseId = parse_id(&id)?;
    let timeout = TimeOut::parse(&input)?;
    let record = state
        .store()
        .record_timeout(&ctx.actor(), id, &timeout, state.now())
        .await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/cases/{id}/checklist"))],
        axum::Json(TimeOutOut::from(record)),
    )
        .into_response())
}
