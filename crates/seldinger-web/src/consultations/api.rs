//! Consultations and consent over JSON. Instants are UTC, RFC 3339.

use axum::extract::{Path, State};
use axum::response::Response;
use seldinger_domain::consultation::{
    ConsultationBooking, ConsultationBookingInput, ConsultationRecord, ConsultationRecordInput,
};
use seldinger_domain::invalid::{Collector, Problem};
use seldinger_domain::localtime::{from_local, local_date};
use seldinger_domain::{CaseId, ConsultationId, FieldError, Invalid};
use serde::Deserialize;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use super::{consultation_day, parse_consent, slot};
use crate::AppState;
use crate::auth::Ctx;
use crate::calendar::local_now;
use crate::error::AppError;
use crate::json::{ApiJson, ApiQuery, ApiResult, created, parse_id};
use crate::outputs::{ConsentOut, ConsultationOut};

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
        .case_consents(&ctx.actor(), id, now)
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
    fn given(raw: &Option<String>) -> Option<&str> {
        raw.as_deref().filter(|s| !s.trim().is_empty())
    }
    let from = match given(&params.from) {
        Some(raw) => errors.check(instant("from", raw)),
        None => Some(from_local(
            local_date(now, &ctx.timezone).midnight(),
            &ctx.timezone,
        )),
    };
    let to = match (given(&params.to), from) {
        (Some(raw), _) => errors.check(instant("to", raw)),
        (None, Some(from)) => Some(from + Duration::days(1)),
        (None, None) => None,
    };
    if let (Some(from), Some(to)) = (from, to)
        && (to <= from || to - from > Duration::days(31))
    {
        errors.push(FieldError::new(
            "to",
            Problem::Inconsistent {
                en: "after `from`, at most 31 days later",
                fr: "après `from`, 31 jours plus tard au plus",
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
    let found = state
        .store()
        .consultation(&ctx.actor(), id, state.now())
        .await?;
    let consent = state
        .store()
        .case_consents(&ctx.actor(), found.case_id, state.now())
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

pub async fn record_consultation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ConsultationRecordInput>,
) -> ApiResult<axum::Json<Value>> {
    let id: ConsultationId = parse_id(&id)?;
    let now = state.now();
    let found = state.store().consultation(&ctx.actor(), id, now).await?;
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
