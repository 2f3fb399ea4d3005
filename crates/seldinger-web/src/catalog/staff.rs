//! The availability of the people a booking needs: operators (interventional
//! radiologists) and anesthetists, each with weekly hours and dated exceptions (away, or
//! present at other hours). Hours are local wall-clock time.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use seldinger_domain::invalid::Collector;
use seldinger_domain::localtime::local_date;
use seldinger_domain::patient::parse_date;
use seldinger_domain::resources::{
    AvailabilityException, AvailabilityExceptionInput, Span, WEEKDAYS, WeeklyHours,
};
use seldinger_domain::{Permission, Role};
use seldinger_store::resources::StaffAvailability;
use seldinger_store::{Conflict, StoreError};
use serde::{Deserialize, Serialize};
use time::Date;

use super::resources::{days, short_days};
use super::{render_with, see_other};
use crate::AppState;
use crate::auth::{Ctx, urlencode};
use crate::error::{ApiError, AppError, PageError};
use crate::html::{FieldErrors, FormData, Layout, render};
use crate::json::ApiJson;

type PageResult = Result<Response, PageError>;
type ApiResult<T> = Result<T, ApiError>;

/// The roles that are booked on procedures, in the order the pages show them.
const BOOKED: [Role; 2] = [Role::InterventionalRadiologist, Role::Anesthetist];

fn spans_text(spans: &[Span]) -> String {
    spans.iter().map(Span::label).collect::<Vec<_>>().join(", ")
}

/// The department's today, in its own zone.
fn today(state: &AppState) -> Date {
    local_date(state.now(), &state.config().timezone)
}

/// Someone who can be booked, by username; anyone else (or nobody) is 404.
async fn find(state: &AppState, username: &str) -> Result<StaffAvailability, AppError> {
    let username = username.trim().to_lowercase();
    let from = today(state);
    for role in BOOKED {
        if let Some(person) = state
            .store()
            .staff_availability(role, from)
            .await?
            .into_iter()
            .find(|p| p.username == username)
        {
            return Ok(person);
        }
    }
    Err(AppError::NotFound)
}

// ---------------------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------------------

pub struct ExceptionRow {
    pub date: Date,
    pub iso: String,
    pub hours: String,
    pub reason: String,
}

pub struct PersonRow {
    pub username: String,
    pub full_name: String,
    pub weekly: [String; 7],
    pub set: bool,
    pub exceptions: Vec<ExceptionRow>,
}

impl PersonRow {
    fn new(p: &StaffAvailability) -> Self {
        Self {
            username: p.username.clone(),
            full_name: p.full_name.clone(),
            weekly: p.weekly.texts(),
            set: p.version > 0,
            exceptions: p
                .exceptions
                .iter()
                .map(|(_, e)| ExceptionRow {
                    date: e.date,
                    iso: e.date.to_string(),
                    hours: spans_text(&e.hours),
                    reason: e.reason.clone().unwrap_or_default(),
                })
                .collect(),
        }
    }

    pub fn link(&self) -> String {
        format!("/resources/staff/{}", urlencode(&self.username))
    }
}

pub struct RoleGroup {
    pub id: &'static str,
    pub title: &'static str,
    pub people: Vec<PersonRow>,
}

#[derive(Template)]
#[template(path = "catalog/staff.html")]
pub struct StaffPage {
    l: Layout,
    groups: Vec<RoleGroup>,
}

impl StaffPage {
    pub fn short_days(&self) -> Vec<&'static str> {
        short_days(self.l.lang())
    }
}

pub async fn list_page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let from = today(&state);
    let mut groups = Vec::new();
    for role in BOOKED {
        let people = state.store().staff_availability(role, from).await?;
        let (id, title) = match role {
            Role::Anesthetist => ("anesthetists", "resources.staff.anesthetists"),
            _ => ("operators", "resources.staff.operators"),
        };
        groups.push(RoleGroup {
            id,
            title,
            people: people.iter().map(PersonRow::new).collect(),
        });
    }
    Ok(render(&StaffPage {
        l: Layout::new(&ctx, "/resources/staff", "resources"),
        groups,
    }))
}

#[derive(Clone, Debug, Default)]
pub struct ExceptionForm {
    pub date: String,
    pub hours: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "catalog/staff_person.html")]
pub struct PersonPage {
    l: Layout,
    person: PersonRow,
    role: &'static str,
    hours: [String; 7],
    version: i64,
    weekly_errors: FieldErrors,
    stale: bool,
    x: ExceptionForm,
    exception_errors: FieldErrors,
    saved: Option<&'static str>,
}

impl PersonPage {
    fn new(ctx: &Ctx, p: &StaffAvailability) -> Self {
        Self {
            l: Layout::new(
                ctx,
                format!("/resources/staff/{}", urlencode(&p.username)),
                "resources",
            ),
            person: PersonRow::new(p),
            role: p.role.label(ctx.lang),
            hours: p.weekly.texts(),
            version: p.version,
            weekly_errors: FieldErrors::default(),
            stale: false,
            x: ExceptionForm::default(),
            exception_errors: FieldErrors::default(),
            saved: None,
        }
    }

    pub fn days(&self) -> Vec<(usize, &'static str, &'static str)> {
        days(self.l.lang())
    }

    pub fn hours(&self, i: &usize) -> &str {
        self.hours.get(*i).map(String::as_str).unwrap_or("")
    }

    pub fn day_err(&self, day: &str) -> Option<&str> {
        self.weekly_errors.get(&format!("hours.{day}"))
    }

    pub fn x_err(&self, field: &str) -> Option<&str> {
        self.exception_errors.get(field)
    }
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: String,
}

pub async fn person_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(username): Path<String>,
    Query(query): Query<SavedQuery>,
) -> PageResult {
    let person = find(&state, &username).await?;
    let mut page = PersonPage::new(&ctx, &person);
    page.saved = match query.saved.as_str() {
        "weekly" => Some("resources.staff.saved"),
        "exception" => Some("resources.staff.exception.saved"),
        "removed" => Some("resources.staff.exception.removed"),
        _ => None,
    };
    Ok(render(&page))
}

pub async fn set_weekly_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(username): Path<String>,
    form: FormData,
) -> PageResult {
    let person = find(&state, &username).await?;
    let hours: [String; 7] =
        std::array::from_fn(|i| form.get(&format!("hours_{}", WEEKDAYS[i])).into());
    let version: i64 = form.get("version").trim().parse().unwrap_or(0);
    let mut errors = Collector::default();
    let weekly = WeeklyHours::parse(&mut errors, "hours", &hours);
    if let Err(invalid) = errors.finish() {
        let mut page = PersonPage::new(&ctx, &person);
        page.hours = hours;
        page.version = version;
        page.weekly_errors = FieldErrors::from_invalid(&invalid, ctx.lang, |f| f);
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    match state
        .store()
        .set_weekly_availability(&ctx.actor(), person.user_id, version, &weekly, state.now())
        .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/resources/staff/{}?saved=weekly",
            urlencode(&person.username)
        ))),
        Err(StoreError::Conflict(Conflict::StaleVersion { .. })) => {
            let current = find(&state, &username).await?;
            let mut page = PersonPage::new(&ctx, &current);
            page.stale = true;
            Ok(render_with(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn add_exception_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(username): Path<String>,
    form: FormData,
) -> PageResult {
    let person = find(&state, &username).await?;
    let x = ExceptionForm {
        date: form.get("date").into(),
        hours: form.get("hours").into(),
        reason: form.get("reason").into(),
    };
    let parsed = AvailabilityException::parse(&AvailabilityExceptionInput {
        date: x.date.clone(),
        hours: x.hours.clone(),
        reason: x.reason.clone(),
    });
    let exception = match parsed {
        Ok(exception) => exception,
        Err(invalid) => {
            let mut page = PersonPage::new(&ctx, &person);
            page.exception_errors = FieldErrors::from_invalid(&invalid, ctx.lang, |f| f);
            page.x = x;
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    state
        .store()
        .set_availability_exception(&ctx.actor(), person.user_id, &exception, state.now())
        .await?;
    Ok(see_other(&format!(
        "/resources/staff/{}?saved=exception",
        urlencode(&person.username)
    )))
}

/// A date from a path: anything that is not one names nothing.
fn path_date(raw: &str) -> Result<Date, AppError> {
    parse_date("date", raw).map_err(|_| AppError::NotFound)
}

pub async fn remove_exception_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((username, date)): Path<(String, String)>,
) -> PageResult {
    let person = find(&state, &username).await?;
    let date = path_date(&date)?;
    state
        .store()
        .remove_availability_exception(&ctx.actor(), person.user_id, date, state.now())
        .await?;
    Ok(see_other(&format!(
        "/resources/staff/{}?saved=removed",
        urlencode(&person.username)
    )))
}

// ---------------------------------------------------------------------------------------
// API
// ---------------------------------------------------------------------------------------

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
    #[serde(default)]
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
    #[serde(default)]
    pub hours: String,
    #[serde(default)]
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
