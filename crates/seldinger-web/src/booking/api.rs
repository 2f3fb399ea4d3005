//! The booking API: book, move and cancel; the next feasible slots; the day's schedule,
//! a room's calendar and the anesthetists' list. Instants are UTC RFC 3339; dates
//! (`YYYY-MM-DD`) are days on the department's clock.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use seldinger_domain::invalid::{Collector, FieldError, Problem};
use seldinger_domain::localtime::from_local;
use seldinger_domain::{BookingId, CaseId, RoomId};
use seldinger_store::bookings::{BookedCase, BookingRecord, ListFilter};
use seldinger_store::cases::CaseSummary;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, OffsetDateTime};

use super::{BookingInput, Detail, Resources, Times, date_or, details, is_ready, monday, today};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::json::{ApiJson, ApiQuery, ApiResult, parse_id, withdrawal_reason};

/// The body of `POST /api/v1/cases/{id}/booking`: what is absent takes its default (the
/// procedure's duration and equipment, no anesthetist, no bed).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookingBody {
    #[serde(default)]
    pub room: String,
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub end: Option<String>,
    #[serde(default)]
    pub operator: String,
    #[serde(default)]
    pub anesthetist: Option<String>,
    #[serde(default)]
    pub equipment: Option<Vec<String>>,
    #[serde(default)]
    pub bed_unit: Option<String>,
}

impl BookingBody {
    fn input(self) -> BookingInput {
        BookingInput {
            room: self.room,
            start: self.start,
            end: self.end.unwrap_or_default(),
            operator: self.operator,
            anesthetist: self.anesthetist.unwrap_or_default(),
            equipment: self.equipment,
            bed_unit: self.bed_unit.unwrap_or_default(),
        }
    }
}

/// The body of `PUT /api/v1/bookings/{id}`: the whole booking, every field present (`null`
/// where a new booking would take its default), so that a move never drops what the
/// request did not repeat.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookingMove {
    pub room: String,
    pub start: String,
    #[serde(deserialize_with = "crate::json::nullable")]
    pub end: Option<String>,
    pub operator: String,
    #[serde(deserialize_with = "crate::json::nullable")]
    pub anesthetist: Option<String>,
    #[serde(deserialize_with = "crate::json::nullable")]
    pub equipment: Option<Vec<String>>,
    #[serde(deserialize_with = "crate::json::nullable")]
    pub bed_unit: Option<String>,
}

impl From<BookingMove> for BookingBody {
    fn from(m: BookingMove) -> Self {
        Self {
            room: m.room,
            start: m.start,
            end: m.end,
            operator: m.operator,
            anesthetist: m.anesthetist,
            equipment: m.equipment,
            bed_unit: m.bed_unit,
        }
    }
}

/// A booking as the API shows it; people also by username, as requests name them.
#[derive(Serialize)]
pub struct BookingOut {
    pub id: BookingId,
    pub case_id: CaseId,
    pub room_id: RoomId,
    pub room_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub start: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub end: OffsetDateTime,
    pub operator_id: String,
    pub operator: String,
    pub operator_name: String,
    pub anesthetist_id: Option<String>,
    pub anesthetist: Option<String>,
    pub anesthetist_name: Option<String>,
    pub equipment: Vec<String>,
    pub bed_unit: Option<String>,
    pub active: bool,
    pub cancel_reason: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub version: i64,
}

impl BookingOut {
    fn new(b: BookingRecord, res: &Resources) -> Self {
        Self {
            id: b.id,
            case_id: b.case_id,
            room_id: b.room_id,
            room_name: b.room_name,
            start: b.starts_at,
            end: b.ends_at,
            operator_id: b.operator_id.to_string(),
            operator: res.username(b.operator_id),
            operator_name: b.operator_name,
            anesthetist_id: b.anesthetist_id.map(|a| a.to_string()),
            anesthetist: b.anesthetist_id.map(|a| res.username(a)),
            anesthetist_name: b.anesthetist_name,
            equipment: b.equipment.iter().map(ToString::to_string).collect(),
            bed_unit: b.bed_unit_id.map(|u| u.to_string()),
            active: b.active,
            cancel_reason: b.cancel_reason,
            created_at: b.created_at,
            version: b.version,
        }
    }
}

/// Books a case that is to schedule: 201 and the booking, or 409 with every conflict.
pub async fn book_case(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<BookingBody>,
) -> ApiResult<Response> {
    let case: CaseId = parse_id(&id)?;
    let res = Resources::load(&state).await?;
    let request = res.parse(&body.input(), Times::Rfc3339)?;
    let booking = state
        .store()
        .book_case(&ctx.actor(), case, &request, state.now())
        .await?;
    let location = format!("/api/v1/bookings/{}", booking.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(BookingOut::new(booking, &res)),
    )
        .into_response())
}

/// Reads a booking (audited as a read of its case).
pub async fn get_booking(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<BookingOut>> {
    let id: BookingId = parse_id(&id)?;
    let booking = state.store().booking(&ctx.actor(), id, state.now()).await?;
    let res = Resources::load(&state).await?;
    Ok(Json(BookingOut::new(booking, &res)))
}

/// Moves an active booking: checked as a new one, its own place set aside.
pub async fn move_booking(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<BookingMove>,
) -> ApiResult<Json<BookingOut>> {
    let id: BookingId = parse_id(&id)?;
    let res = Resources::load(&state).await?;
    let request = res.parse(&BookingBody::from(body).input(), Times::Rfc3339)?;
    let moved = state
        .store()
        .move_booking(&ctx.actor(), id, &request, state.now())
        .await?;
    Ok(Json(BookingOut::new(moved, &res)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancelBody {
    #[serde(default)]
    pub reason: String,
}

/// Cancels an active booking with a reason; the case goes back to "to schedule".
pub async fn cancel_booking(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CancelBody>,
) -> ApiResult<Json<BookingOut>> {
    let id: BookingId = parse_id(&id)?;
    let reason = withdrawal_reason(&body.reason)?;
    let cancelled = state
        .store()
        .cancel_booking(&ctx.actor(), id, &reason, state.now())
        .await?;
    let res = Resources::load(&state).await?;
    Ok(Json(BookingOut::new(cancelled, &res)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlotParams {
    pub from: Option<String>,
    pub days: Option<u16>,
    pub count: Option<usize>,
    pub room: Option<String>,
    pub operator: Option<String>,
    pub anesthetist: Option<String>,
}

/// A feasible slot: posting `room`, `start`, `operator` and `anesthetist` back books it.
#[derive(Serialize)]
pub struct SlotOut {
    pub room: RoomId,
    pub room_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub start: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub end: OffsetDateTime,
    pub operator: String,
    pub operator_name: String,
    pub anesthetist: Option<String>,
    pub anesthetist_name: Option<String>,
    pub equipment: Vec<String>,
    pub bed_unit: Option<String>,
    pub bed_dates: Vec<String>,
}

fn optional(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|r| !r.is_empty())
}

/// The next feasible slots of a case's planned procedure.
pub async fn next_slots(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<SlotParams>,
) -> ApiResult<Json<Value>> {
    let case: CaseId = parse_id(&id)?;
    let res = Resources::load(&state).await?;
    let zone = state.store().zone().clone();
    let mut errors = Collector::default();
    let from = match params.from.as_deref().map(str::trim) {
        None | Some("") => Some(state.now()),
        Some(raw) => errors.check(
            OffsetDateTime::parse(raw, &Rfc3339)
                .or_else(|_| {
                    seldinger_domain::patient::parse_date("from", raw)
                        .map(|d| from_local(d.midnight(), &zone))
                })
                .map_err(|_| {
                    FieldError::new(
                        "from",
                        Problem::BadFormat {
                            expected: "an RFC 3339 instant or a date, YYYY-MM-DD",
                        },
                    )
                }),
        ),
    };
    let days = params.days.unwrap_or(21);
    if !(1..=90).contains(&days) {
        errors.push(FieldError::new(
            "days",
            Problem::BadFormat {
                expected: "a number of days from 1 to 90",
            },
        ));
    }
    let count = params.count.unwrap_or(10);
    if !(1..=50).contains(&count) {
        errors.push(FieldError::new(
            "count",
            Problem::BadFormat {
                expected: "a number of slots from 1 to 50",
            },
        ));
    }
    let room = optional(&params.room).and_then(|raw| errors.check(res.room_id("room", raw)));
    let operator =
        optional(&params.operator).and_then(|raw| errors.check(res.operator_id("operator", raw)));
    let anesthetist = optional(&params.anesthetist)
        .and_then(|raw| errors.check(res.anesthetist_id("anesthetist", raw)));
    errors.finish()?;
    let from = from.unwrap_or_else(|| state.now());
    let slots = state
        .store()
        .next_slots(case, from, days, count, room, operator, anesthetist)
        .await?;
    let items: Vec<SlotOut> = slots
        .into_iter()
        .map(|s| SlotOut {
            room: s.room,
            room_name: res.room_name(s.room),
            start: s.start,
            end: s.end,
            operator: res.username(s.operator),
            operator_name: res.full_name(s.operator),
            anesthetist: s.anesthetist.map(|a| res.username(a)),
            anesthetist_name: s.anesthetist.map(|a| res.full_name(a)),
            equipment: s
                .allocation
                .equipment
                .iter()
                .map(ToString::to_string)
                .collect(),
            bed_unit: s.allocation.bed_unit.map(|u| u.to_string()),
            bed_dates: s
                .allocation
                .bed_dates
                .iter()
                .map(ToString::to_string)
                .collect(),
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

/// What a schedule shows of a booked case.
#[derive(Serialize)]
pub struct CaseOut {
    pub id: CaseId,
    pub status: String,
    pub urgency: String,
    pub patient_id: String,
    pub mrn: String,
    pub family_name: String,
    pub given_names: String,
    pub birth_date: String,
    pub sex: String,
    pub indication: String,
    pub target_organ: String,
    pub side: String,
    pub procedure_code: String,
    pub procedure_name: Value,
}

impl From<CaseSummary> for CaseOut {
    fn from(c: CaseSummary) -> Self {
        Self {
            id: c.id,
            status: c.status.code().into(),
            urgency: c.urgency.code().into(),
            patient_id: c.patient_id.to_string(),
            mrn: c.mrn,
            family_name: c.family_name,
            given_names: c.given_names,
            birth_date: c.birth_date.to_string(),
            sex: c.sex.code().into(),
            indication: c.indication,
            target_organ: c.target_organ.code().into(),
            side: c.side.code().into(),
            procedure_code: c.procedure_code,
            procedure_name: json!({ "fr": c.procedure_fr, "en": c.procedure_en }),
        }
    }
}

/// A booked case in a schedule: the booking, the case, whether the checklist is complete
/// (`ready`) and whether the time-out is recorded.
#[derive(Serialize)]
pub struct ScheduledOut {
    pub booking: BookingOut,
    pub case: CaseOut,
    pub ready: bool,
    pub timed_out: bool,
    /// On the anesthetists' list: the planned anesthesia and the patient's alerts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anesthesia: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allergies: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anticoagulants: Option<Vec<String>>,
}

fn scheduled(
    rows: Vec<BookedCase>,
    details: Option<Vec<Detail>>,
    res: &Resources,
) -> Vec<ScheduledOut> {
    let mut details = details.map(IntoIterator::into_iter);
    rows.into_iter()
        .map(|row| {
            let detail = details.as_mut().and_then(Iterator::next);
            ScheduledOut {
                ready: is_ready(row.case.status),
                timed_out: row.timed_out,
                booking: BookingOut::new(row.booking, res),
                case: row.case.into(),
                anesthesia: detail
                    .as_ref()
                    .map(|d| d.procedure.anesthesia.code().to_string()),
                allergies: detail
                    .as_ref()
                    .map(|d| d.allergies.iter().map(|a| a.code().to_string()).collect()),
                anticoagulants: detail.map(|d| {
                    d.anticoagulants
                        .iter()
                        .map(|a| a.code().to_string())
                        .collect()
                }),
            }
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayParams {
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub room: String,
}

/// A day's bookings (all rooms, or one), in time order.
pub async fn day_schedule(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(params): ApiQuery<DayParams>,
) -> ApiResult<Json<Value>> {
    let res = Resources::load(&state).await?;
    let mut errors = Collector::default();
    let date = errors.check(date_or("date", &params.date, today(&state)));
    let room = match params.room.trim() {
        "" => None,
        raw => errors.check(res.room_id("room", raw)),
    };
    errors.finish()?;
    let date = date.unwrap_or_else(|| today(&state));
    let (from, to) = state.store().local_day(date);
    let filter = ListFilter {
        room,
        ..ListFilter::default()
    };
    let rows = state
        .store()
        .booked_cases(&ctx.actor(), from, to, filter, state.now())
        .await?;
    Ok(Json(
        json!({ "date": date.to_string(), "items": scheduled(rows, None, &res) }),
    ))
}

/// A range of local days, `from` to `to` included; `days` when `to` is not given.
fn date_range(
    state: &AppState,
    from: &str,
    to: &str,
    default_from: Date,
    days: i64,
) -> Result<(Date, Date), AppError> {
    let mut errors = Collector::default();
    let first = errors.check(date_or("from", from, default_from));
    let last = match to.trim() {
        "" => first.map(|first| first + Duration::days(days - 1)),
        raw => errors.check(seldinger_domain::patient::parse_date("to", raw)),
    };
    if let (Some(first), Some(last)) = (first, last) {
        if last < first {
            errors.push(FieldError::new(
                "to",
                Problem::Inconsistent {
                    en: "a date on or after `from`",
                    fr: "une date égale ou postérieure à `from`",
                },
            ));
        } else if last - first > Duration::days(62) {
            errors.push(FieldError::new(
                "to",
                Problem::Inconsistent {
                    en: "at most 63 days after `from`",
                    fr: "63 jours après `from` au plus",
                },
            ));
        }
    }
    errors.finish()?;
    match (first, last) {
        (Some(first), Some(last)) => Ok((first, last)),
        _ => Ok((today(state), today(state))),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarParams {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

/// A room's bookings over a range of days (default: this week, Monday to Sunday).
pub async fn room_calendar(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<CalendarParams>,
) -> ApiResult<Json<Value>> {
    let id: RoomId = parse_id(&id)?;
    let room = state.store().room(id).await?.room;
    let (first, last) = date_range(&state, &params.from, &params.to, monday(today(&state)), 7)?;
    let (from, _) = state.store().local_day(first);
    let (_, to) = state.store().local_day(last);
    let filter = ListFilter {
        room: Some(id),
        ..ListFilter::default()
    };
    let rows = state
        .store()
        .booked_cases(&ctx.actor(), from, to, filter, state.now())
        .await?;
    let res = Resources::load(&state).await?;
    let hours: serde_json::Map<String, Value> = seldinger_domain::resources::WEEKDAYS
        .iter()
        .zip(room.hours.texts())
        .map(|(day, text)| ((*day).to_string(), json!(text)))
        .collect();
    Ok(Json(json!({
        "room": {
            "id": room.id, "code": room.code, "name": room.name,
            "room_type": room.room_type.code(), "active": room.active, "hours": hours,
        },
        "from": first.to_string(),
        "to": last.to_string(),
        "items": scheduled(rows, None, &res),
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnesthesiaParams {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub anesthetist: String,
}

/// The bookings with an anesthetist (one, or all) over a range of days (default: seven
/// from today), with the planned anesthesia and the patient's alerts. Each case and
/// patient read is audited.
pub async fn anesthesia_list(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(params): ApiQuery<AnesthesiaParams>,
) -> ApiResult<Json<Value>> {
    let res = Resources::load(&state).await?;
    let anesthetist = match params.anesthetist.trim() {
        "" => None,
        raw => Some(
            res.anesthetist_id("anesthetist", raw)
                .map_err(AppError::from)?,
        ),
    };
    let (first, last) = date_range(&state, &params.from, &params.to, today(&state), 7)?;
    let (from, _) = state.store().local_day(first);
    let (_, to) = state.store().local_day(last);
    let filter = ListFilter {
        anesthetist,
        with_anesthetist: true,
        ..ListFilter::default()
    };
    let actor = ctx.actor();
    let rows = state
        .store()
        .booked_cases(&actor, from, to, filter, state.now())
        .await?;
    let details = details(&state, &rows).await?;
    Ok(Json(json!({
        "from": first.to_string(),
        "to": last.to_string(),
        "items": scheduled(rows, Some(details), &res),
    })))
}
