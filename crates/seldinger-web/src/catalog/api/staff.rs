//! Staff availability over JSON: weekly hours and dated exceptions.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use seldinger_domain::Role;
use seldinger_domain::invalid::Collector;
use seldinger_domain::resources::{AvailabilityException, AvailabilityExceptionInput, WeeklyHours};
use seldinger_store::resources::StaffAvailability;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::Ctx;
use crate::catalog::{BOOKED, find, path_date, spans_text, today};
use crate::json::{ApiJson, ApiResult};

#[derive(Serialize)]
pub struct ExceptionOut {
    pub date: String,
    /// Hours present that day (`HH:MM-HH:MM, …`, local time); empty: away all day.
    pub hours: String,
    pub reason: Option<String>,
}

#[derive(Serialize)]
pub struct StaffOut {
    pub username: String,
    pub full_name: String,
    pub role: Role,
    /// Monday first, local time; empty when not present that weekday.
    pub weekly: [String; 7],
    /// 0 until the weekly hours are first set.
    pub version: i64,
    /// From today on, by date.
    pub exceptions: Vec<ExceptionOut>,
}

impl From<StaffAvailability> for StaffOut {
    fn from(p: StaffAvailability) -> Self {
        Self {
            weekly: p.weekly.texts(),
            exceptions: p
                .exceptions
                .into_iter()
                .map(|(_, e)| ExceptionOut {
                    date: e.date.to_string(),
                    hours: spans_text(&e.hours),
                    reason: e.reason,
                })
                .collect(),
            username: p.username,
            full_name: p.full_name,
            role: p.role,
            version: p.version,
        }
    }
}

/// Operators, then anesthetists, each by name.
pub async fn list(State(state): State<AppState>) -> ApiResult<axum::Json<serde_json::Value>> {
    let from = today(&state);
    let mut items: Vec<StaffOut> = Vec::new();
    for role in BOOKED {
        items.extend(
            state
                .store()
                .staff_availability(role, from)
                .await?
                .into_iter()
                .map(StaffOut::from),
        );
    }
    Ok(axum::Json(serde_json::json!({ "items": items })))
}

/// The body of `PUT /api/v1/staff/{username}/weekly`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeeklyBody {
    /// The version read (0 before the hours were first set).
    pub version: i64,
    /// Monday first: `08:00-12:00, 13:30-18:00`, empty when absent.
    pub hours: [String; 7],
}

pub async fn set_weekly(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(username): Path<String>,
    ApiJson(body): ApiJson<WeeklyBody>,
) -> ApiResult<axum::Json<StaffOut>> {
    let person = find(&state, &username).await?;
    let mut errors = Collector::default();
    let weekly = WeeklyHours::parse(&mut errors, "hours", &body.hours);
    errors.finish()?;
    state
        .store()
        .set_weekly_availability(
            &ctx.actor(),
            person.user_id,
            body.version,
            &weekly,
            state.now(),
        )
        .await?;
    Ok(axum::Json(find(&state, &username).await?.into()))
}

/// The body of `PUT /api/v1/staff/{username}/exceptions/{date}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExceptionBody {
    /// Hours present that day; empty: away all day.
    pub hours: String,
    pub reason: String,
}

pub async fn set_exception(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((username, date)): Path<(String, String)>,
    ApiJson(body): ApiJson<ExceptionBody>,
) -> ApiResult<axum::Json<StaffOut>> {
    let person = find(&state, &username).await?;
    let exception = AvailabilityException::parse(&AvailabilityExceptionInput {
        date,
        hours: body.hours,
        reason: body.reason,
    })?;
    state
        .store()
        .set_availability_exception(&ctx.actor(), person.user_id, &exception, state.now())
        .await?;
    Ok(axum::Json(find(&state, &username).await?.into()))
}

pub async fn remove_exception(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((username, date)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let person = find(&state, &username).await?;
    let date = path_date(&date)?;
    state
        .store()
        .remove_availability_exception(&ctx.actor(), person.user_id, date, state.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
