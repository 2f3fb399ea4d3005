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
use seldinger_domain::invalid::Problem;
use seldinger_domain::mdt::{
    Attendee, AttendeeInput, Decision, DecisionInput, MeetingInput, MeetingKind, NewMeeting,
};
use seldinger_domain::patient::Sex;
use seldinger_domain::{CaseId, FieldError, Invalid, MeetingId, PatientId, ProcedureVersionId};
use seldinger_store::mdt::{AgendaItem, Meeting};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use super::local_input;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::json::{ApiJson, ApiQuery, ApiResult, parse_id};

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
            Problem::Inconsistent {
                en: "an instant after `from`",
                fr: "un instant après `from`",
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
    pub kind: String,
    pub starts_at: String,
    pub location: String,
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
        Ok(at) => (local_input(at, state.store().zone()), None),
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
