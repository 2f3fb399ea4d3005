//! The availability of the people a booking needs: operators (interventional
//! radiologists) and anesthetists, each with weekly hours and dated exceptions (away, or
//! present at other hours). Hours are local wall-clock time.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use seldinger_domain::invalid::Collector;
use seldinger_domain::resources::{
    AvailabilityException, AvailabilityExceptionInput, WEEKDAYS, WeeklyHours,
};
use seldinger_domain::{Permission, Role};
use seldinger_store::resources::StaffAvailability;
use seldinger_store::{Conflict, StoreError};
use serde::Deserialize;
use time::Date;

use super::resources::{days, short_days};
use crate::AppState;
use crate::auth::{Ctx, urlencode};
use crate::catalog::{BOOKED, find, path_date, spans_text, today};
use crate::html::{FieldErrors, FormData, Layout, PageResult, render, render_with, see_other};

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
