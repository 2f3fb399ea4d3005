//! The pages of adverse events, follow-up and closure.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use seldinger_domain::adverse::{EventInput, Term, TermInput};
use seldinger_domain::case::{CaseEvent, CaseStatus, status_label};
use seldinger_domain::followup::{self, ContactInput, Status};
use seldinger_domain::localtime::{local_input, to_local};
use seldinger_domain::{AdverseEventId, CaseId, FollowUpId, Lang, Permission};
use seldinger_store::cases::CaseSummary;
use seldinger_store::followups::FollowUpRecord;
use seldinger_store::{Conflict, StoreError};
use serde::Deserialize;

use super::{Choice, EventChoices, EventView, event_view, follow_up_list};
use crate::AppState;
use crate::auth::Ctx;
use crate::case_view::{Banner, Words, case_header};
use crate::error::{AppError, PageError, refusal};
use crate::html::{FieldErrors, FormData, FormRefusal, Layout, render};
use crate::i18n::lookup;
use crate::json::parse_id;

type PageResult = Result<Response, PageError>;

const PAGE_SIZE: u64 = 100;

fn message(key: &str, lang: Lang) -> String {
    lookup(key, lang).unwrap_or_default().to_string()
}

fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// The event form: where it posts, what it holds, its errors and choices.
pub struct EventForm {
    pub action: String,
    pub submit: &'static str,
    pub f: EventInput,
    pub errors: FieldErrors,
    pub version: Option<i64>,
    pub follow_up: Option<String>,
    pub c: EventChoices,
}

impl EventForm {
    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    pub fn has_criterion(&self, code: &str) -> bool {
        self.f.serious_criteria.iter().any(|c| c == code)
    }
}

fn typed_event(form: &FormData) -> EventInput {
    EventInput {
        term: form.get("term").into(),
        description: form.get("description").into(),
        onset: form.get("onset").into(),
        cirse_grade: form.get("cirse_grade").into(),
        sir_grade: form.get("sir_grade").into(),
        ctcae_grade: form.get("ctcae_grade").into(),
        serious: form.has("serious"),
        serious_criteria: form.all("serious_criteria"),
        related_to_procedure: form.get("related_to_procedure").into(),
        related_to_device: form.get("related_to_device").into(),
        action: form.get("action").into(),
        action_note: form.get("action_note").into(),
        outcome: form.get("outcome").into(),
        resolution_date: form.get("resolution_date").into(),
    }
}

/// The input that shows a stored event again (to revise it); the stored onset is
/// already local wall-clock time.
fn event_input(r: &seldinger_store::adverse::AdverseEventRecord) -> EventInput {
    let e = &r.event;
    let grade = |s: &str| e.grade(s).map(|g| g.code.clone()).unwrap_or_default();
    let onset = e.onset;
    EventInput {
        term: e.term.clone(),
        description: e.description.clone().unwrap_or_default(),
        onset: local_input(onset),
        cirse_grade: grade("cirse"),
        sir_grade: grade("sir"),
        ctcae_grade: grade("ctcae"),
        serious: e.serious,
        serious_criteria: e
            .serious_criteria
            .iter()
            .map(|c| c.code().to_string())
            .collect(),
        related_to_procedure: e.related_to_procedure.code().into(),
        related_to_device: e
            .related_to_device
            .map(|d| d.code().to_string())
            .unwrap_or_default(),
        action: e.action.code().into(),
        action_note: e.action_note.clone().unwrap_or_default(),
        outcome: e.outcome.code().into(),
        resolution_date: e.resolution_date.map(|d| d.to_string()).unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "followup/events.html")]
pub struct EventsPage {
    l: Layout,
    w: Words,
    banner: Banner,
    case_id: String,
    procedure: String,
    events: Vec<EventView>,
    form: Option<EventForm>,
    performed: bool,
    notice: Option<String>,
    refusal: Option<String>,
}

#[derive(Default)]
struct EventsOutcome {
    typed: Option<(EventInput, FieldErrors)>,
    follow_up: Option<String>,
    notice: Option<String>,
    refusal: Option<String>,
}

async fn events_page(
    state: &AppState,
    ctx: &Ctx,
    id: CaseId,
    outcome: EventsOutcome,
    status: StatusCode,
) -> PageResult {
    let now = state.now();
    let actor = ctx.actor();
    let store = state.store();
    let (case, patient, procedure) = case_header(state, &actor, id, now).await?;
    let records = store.case_adverse_events(id).await?;
    let terms = store.ae_terms().await?;
    let systems = store.grade_systems().await?;
    let today = to_local(now, store.zone()).date();
    let l = Layout::new(ctx, format!("/cases/{id}/events"), "worklists");
    let lang = l.lang();
    let performed = matches!(
        case.status,
        CaseStatus::Performed | CaseStatus::FollowUp | CaseStatus::Closed
    );
    let form = (performed && l.can(Permission::AdverseEventRecord)).then(|| {
        let (f, errors) = outcome.typed.unwrap_or_else(|| {
            (
                EventInput {
                    onset: local_input(to_local(now, store.zone())),
                    ..EventInput::default()
                },
                FieldErrors::default(),
            )
        });
        EventForm {
            action: format!("/cases/{id}/events"),
            submit: "ae.submit",
            f,
            errors,
            version: None,
            follow_up: outcome.follow_up,
            c: EventChoices::new(&terms, &systems, lang),
        }
    });
    let page = EventsPage {
        w: Words(lang),
        banner: Banner::new(patient, today),
        case_id: id.to_string(),
        procedure: procedure.definition.name.get(lang).to_string(),
        events: records
            .iter()
            .map(|r| event_view(r, &terms, &systems, &l, now))
            .collect(),
        form,
        performed,
        notice: outcome.notice,
        refusal: outcome.refusal,
        l,
    };
    Ok((status, render(&page)).into_response())
}

#[derive(Deserialize, Default)]
pub struct EventsQuery {
    #[serde(default)]
    done: String,
    #[serde(default)]
    follow_up: String,
}

pub async fn events(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<EventsQuery>,
) -> PageResult {
    let id: CaseId = parse_id(&id)?;
    let notice = match q.done.as_str() {
        "recorded" => Some(message("ae.recorded", ctx.lang)),
        "updated" => Some(message("ae.updated", ctx.lang)),
        "reported" => Some(message("ae.reported_done", ctx.lang)),
        _ => None,
    };
    let outcome = EventsOutcome {
        notice,
        follow_up: (!q.follow_up.trim().is_empty()).then(|| q.follow_up.trim().to_string()),
        ..EventsOutcome::default()
    };
    events_page(&state, &ctx, id, outcome, StatusCode::OK).await
}

/// Records an event: field errors beside their fields (422: no CIRSE grade, an onset
/// before the procedure…), a refusal with its reason (409), nothing saved either way.
pub async fn create_event(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: CaseId = parse_id(&id)?;
    let input = typed_event(&form);
    let follow_up_raw = form.get("follow_up").trim().to_string();
    let follow_up: Option<FollowUpId> = match follow_up_raw.as_str() {
        "" => None,
        raw => Some(parse_id(raw)?),
    };
    let hours = state.config().serious_event_reporting_hours;
    match state
        .store()
        .record_adverse_event(&ctx.actor(), id, &input, follow_up, hours, state.now())
        .await
    {
        Ok(_) => Ok(see_other(&format!("/cases/{id}/events?done=recorded"))),
        Err(e) => {
            let (outcome, status) = match FormRefusal::of(e, ctx.lang)? {
                FormRefusal::Fields(errors) => (
                    EventsOutcome {
                        typed: Some((input, errors)),
                        follow_up: follow_up.map(|f| f.to_string()),
                        ..EventsOutcome::default()
                    },
                    StatusCode::UNPROCESSABLE_ENTITY,
                ),
                FormRefusal::Reason(reason) => (
                    EventsOutcome {
                        refusal: Some(reason),
                        ..EventsOutcome::default()
                    },
                    StatusCode::CONFLICT,
                ),
                FormRefusal::Stale => (EventsOutcome::default(), StatusCode::CONFLICT),
            };
            events_page(&state, &ctx, id, outcome, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "followup/event_edit.html")]
pub struct EventEditPage {
    l: Layout,
    w: Words,
    banner: Banner,
    case_id: String,
    form: EventForm,
    stale: bool,
}

async fn edit_page(
    state: &AppState,
    ctx: &Ctx,
    id: AdverseEventId,
    typed: Option<(EventInput, FieldErrors, i64)>,
    stale: bool,
    status: StatusCode,
) -> PageResult {
    let now = state.now();
    let actor = ctx.actor();
    let store = state.store();
    let record = store.adverse_event(id).await?;
    let case = store.get_case(&actor, record.case_id, now).await?;
    let patient = store.get_patient(&actor, case.patient_id, now).await?;
    let terms = store.ae_terms().await?;
    let systems = store.grade_systems().await?;
    let today = to_local(now, store.zone()).date();
    let l = Layout::new(ctx, format!("/events/{id}/edit"), "worklists");
    let lang = l.lang();
    let (f, errors, version) =
        typed.unwrap_or_else(|| (event_input(&record), FieldErrors::default(), record.version));
    let page = EventEditPage {
        w: Words(lang),
        banner: Banner::new(patient, today),
        case_id: record.case_id.to_string(),
        form: EventForm {
            action: format!("/events/{id}"),
            submit: "ae.update",
            f,
            errors,
            version: Some(version),
            follow_up: None,
            c: EventChoices::new(&terms, &systems, lang),
        },
        stale,
        l,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn edit_event(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let id: AdverseEventId = parse_id(&id)?;
    edit_page(&state, &ctx, id, None, false, StatusCode::OK).await
}

/// Saves a revision of an event (every version is kept by the store).
pub async fn update_event(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: AdverseEventId = parse_id(&id)?;
    let input = typed_event(&form);
    let version: i64 = form.get("version").parse().unwrap_or(0);
    let hours = state.config().serious_event_reporting_hours;
    match state
        .store()
        .update_adverse_event(&ctx.actor(), id, version, &input, hours, state.now())
        .await
    {
        Ok(r) => Ok(see_other(&format!(
            "/cases/{}/events?done=updated",
            r.case_id
        ))),
        Err(StoreError::Invalid(invalid)) => {
            let errors = FieldErrors::from_invalid(&invalid, ctx.lang, |f| f);
            edit_page(
                &state,
                &ctx,
                id,
                Some((input, errors, version)),
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(StoreError::Conflict(Conflict::StaleVersion { .. })) => {
            edit_page(&state, &ctx, id, None, true, StatusCode::CONFLICT).await
        }
        Err(e) => Err(AppError::from(e).into()),
    }
}

/// Marks a serious event reported; back to where the button was.
pub async fn mark_reported(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: AdverseEventId = parse_id(&id)?;
    let record = state
        .store()
        .mark_reported(&ctx.actor(), id, state.now())
        .await
        .map_err(AppError::from)?;
    let back = if form.get("from") == "list" {
        "/worklists/serious-events?done=reported".to_string()
    } else {
        format!("/cases/{}/events?done=reported", record.case_id)
    };
    Ok(see_other(&back))
}

/// A serious event awaiting its report, on the list.
pub struct DueRow {
    pub event: EventView,
    /// The case and its patient.
    pub case: CaseSummary,
}

#[derive(Template)]
#[template(path = "followup/serious.html")]
pub struct SeriousPage {
    l: Layout,
    rows: Vec<DueRow>,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

pub async fn serious_events(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let now = state.now();
    let store = state.store();
    let due = store.reports_due(&ctx.actor(), now).await?;
    let terms = store.ae_terms().await?;
    let systems = store.grade_systems().await?;
    let l = Layout::new(&ctx, "/worklists/serious-events", "worklists");
    let lang = l.lang();
    let rows = due
        .iter()
        .map(|(r, c)| DueRow {
            event: event_view(r, &terms, &systems, &l, now),
            case: c.clone(),
        })
        .collect();
    let notice = (q.done == "reported").then(|| message("ae.reported_done", lang));
    Ok(render(&SeriousPage { l, rows, notice }))
}

/// A follow-up item on the worklist.
pub struct FollowUpRow {
    pub id: String,
    pub label: &'static str,
    pub due_on: String,
    pub window_end: String,
    pub late_days: i64,
    /// The case and its patient.
    pub case: CaseSummary,
}

#[derive(Template)]
#[template(path = "followup/worklist.html")]
pub struct FollowUpWorklistPage {
    l: Layout,
    list: &'static str,
    rows: Vec<FollowUpRow>,
    total: u64,
    offset: u64,
    next: Option<u64>,
    previous: Option<u64>,
}

#[derive(Deserialize, Default)]
pub struct WorklistQuery {
    #[serde(default)]
    list: String,
    #[serde(default)]
    offset: u64,
}

pub async fn follow_up_worklist(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<WorklistQuery>,
) -> PageResult {
    let list = follow_up_list(&q.list)?;
    let now = state.now();
    let store = state.store();
    let (items, total) = store
        .follow_up_worklist(&ctx.actor(), list, PAGE_SIZE, q.offset, now)
        .await?;
    let today = to_local(now, store.zone()).date();
    let l = Layout::new(
        &ctx,
        format!("/worklists/follow-up?list={}", list.code()),
        "worklists",
    );
    let lang = l.lang();
    let rows = items
        .iter()
        .map(|(f, c)| FollowUpRow {
            id: f.id.to_string(),
            label: followup::label(&f.code, lang),
            due_on: l.date(&f.due_on),
            window_end: l.date(&f.window_end),
            late_days: (today - f.window_end).whole_days().max(0),
            case: c.clone(),
        })
        .collect();
    Ok(render(&FollowUpWorklistPage {
        l,
        list: list.code(),
        rows,
        total,
        offset: q.offset,
        next: (q.offset + PAGE_SIZE < total).then_some(q.offset + PAGE_SIZE),
        previous: (q.offset > 0).then(|| q.offset.saturating_sub(PAGE_SIZE)),
    }))
}

#[derive(Template)]
#[template(path = "followup/contact.html")]
pub struct ContactPage {
    l: Layout,
    w: Words,
    banner: Banner,
    case_id: String,
    procedure: String,
    id: String,
    label: &'static str,
    due_on: String,
    window_end: String,
    overdue: bool,
    recorded: Option<Recorded>,
    f: ContactInput,
    errors: FieldErrors,
    refusal: Option<String>,
    notice: Option<String>,
    statuses: Vec<Choice>,
}

impl ContactPage {
    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }
}

/// A recorded contact, as shown.
pub struct Recorded {
    pub status: &'static str,
    pub date: String,
    pub findings: String,
    pub by: String,
    pub at: String,
}

async fn contact_page(
    state: &AppState,
    ctx: &Ctx,
    id: FollowUpId,
    typed: Option<(ContactInput, FieldErrors)>,
    refusal: Option<String>,
    notice: Option<String>,
    status: StatusCode,
) -> PageResult {
    let now = state.now();
    let actor = ctx.actor();
    let store = state.store();
    let item: FollowUpRecord = store.follow_up(id).await?;
    let (_, patient, procedure) = case_header(state, &actor, item.case_id, now).await?;
    let today = to_local(now, store.zone()).date();
    let l = Layout::new(ctx, format!("/follow-ups/{id}"), "worklists");
    let lang = l.lang();
    let (f, errors) = typed.unwrap_or_else(|| {
        (
            ContactInput {
                date: today.to_string(),
                ..ContactInput::default()
            },
            FieldErrors::default(),
        )
    });
    let recorded = (item.status != Status::Planned).then(|| Recorded {
        status: item.status.label(lang),
        date: item.contact_date.map(|d| l.date(&d)).unwrap_or_default(),
        findings: item.findings.clone().unwrap_or_default(),
        by: item.recorded_by.clone().unwrap_or_default(),
        at: item.recorded_at.map(|t| l.datetime(&t)).unwrap_or_default(),
    });
    let page = ContactPage {
        w: Words(lang),
        banner: Banner::new(patient, today),
        case_id: item.case_id.to_string(),
        procedure: procedure.definition.name.get(lang).to_string(),
        id: id.to_string(),
        label: followup::label(&item.code, lang),
        due_on: l.date(&item.due_on),
        window_end: l.date(&item.window_end),
        overdue: followup::is_overdue(item.status, item.window_end, today),
        recorded,
        f,
        errors,
        refusal,
        notice,
        statuses: [Status::Done, Status::Unreachable, Status::Missed]
            .iter()
            .map(|s| Choice {
                code: s.code().into(),
                label: s.label(lang).into(),
            })
            .collect(),
        l,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn follow_up(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let id: FollowUpId = parse_id(&id)?;
    let notice = (q.done == "recorded").then(|| message("fu.recorded", ctx.lang));
    contact_page(&state, &ctx, id, None, None, notice, StatusCode::OK).await
}

/// Records the contact, once: 422 beside the fields, 409 with the reason the second time.
pub async fn record_follow_up(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: FollowUpId = parse_id(&id)?;
    let input = ContactInput {
        status: form.get("status").into(),
        date: form.get("date").into(),
        findings: form.get("findings").into(),
    };
    match state
        .store()
        .record_follow_up(&ctx.actor(), id, &input, state.now())
        .await
    {
        Ok(_) => Ok(see_other(&format!("/follow-ups/{id}?done=recorded"))),
        Err(e) => {
            let (typed, refusal, status) = match FormRefusal::of(e, ctx.lang)? {
                FormRefusal::Fields(errors) => (
                    Some((input, errors)),
                    None,
                    StatusCode::UNPROCESSABLE_ENTITY,
                ),
                FormRefusal::Reason(reason) => (None, Some(reason), StatusCode::CONFLICT),
                FormRefusal::Stale => (None, None, StatusCode::CONFLICT),
            };
            contact_page(&state, &ctx, id, typed, refusal, None, status).await
        }
    }
}

/// One follow-up item of a case.
pub struct ItemRow {
    pub id: String,
    pub label: &'static str,
    pub due_on: String,
    pub window_end: String,
    pub status: &'static str,
    pub status_code: &'static str,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "followup/case.html")]
pub struct CaseFollowUpPage {
    l: Layout,
    w: Words,
    banner: Banner,
    case_id: String,
    procedure: String,
    case_status: &'static str,
    items: Vec<ItemRow>,
    can_close: bool,
    can_reopen: bool,
    reason: String,
    reason_error: Option<String>,
    refusal: Option<String>,
    notice: Option<String>,
}

async fn case_page(
    state: &AppState,
    ctx: &Ctx,
    id: CaseId,
    reason: Option<(String, String)>,
    refusal: Option<String>,
    notice: Option<String>,
    status: StatusCode,
) -> PageResult {
    let now = state.now();
    let actor = ctx.actor();
    let store = state.store();
    let (case, patient, procedure) = case_header(state, &actor, id, now).await?;
    let items = store.follow_ups(id).await?;
    let today = to_local(now, store.zone()).date();
    let l = Layout::new(ctx, format!("/cases/{id}/follow-up"), "worklists");
    let lang = l.lang();
    let (reason, reason_error) = reason.unzip();
    let page = CaseFollowUpPage {
        w: Words(lang),
        banner: Banner::new(patient, today),
        case_id: id.to_string(),
        procedure: procedure.definition.name.get(lang).to_string(),
        case_status: status_label(case.status, lang),
        items: items
            .iter()
            .map(|f| ItemRow {
                id: f.id.to_string(),
                label: followup::label(&f.code, lang),
                due_on: l.date(&f.due_on),
                window_end: l.date(&f.window_end),
                status: f.status.label(lang),
                status_code: f.status.code(),
                overdue: followup::is_overdue(f.status, f.window_end, today),
            })
            .collect(),
        can_close: l.can(Permission::CaseClose) && case.status.apply(&CaseEvent::Close).is_ok(),
        can_reopen: l.can(Permission::CaseClose) && case.status == CaseStatus::Closed,
        reason: reason.unwrap_or_default(),
        reason_error,
        refusal,
        notice,
        l,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn case_follow_up(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let id: CaseId = parse_id(&id)?;
    let notice = match q.done.as_str() {
        "closed" => Some(message("fu.closed", ctx.lang)),
        "reopened" => Some(message("fu.reopened", ctx.lang)),
        _ => None,
    };
    case_page(&state, &ctx, id, None, None, notice, StatusCode::OK).await
}

async fn transition(
    state: &AppState,
    ctx: &Ctx,
    id: CaseId,
    event: CaseEvent,
    done: &str,
) -> PageResult {
    match state
        .store()
        .transition_case(&ctx.actor(), id, &event, state.now())
        .await
        .map_err(AppError::from)
    {
        Ok(_) => Ok(see_other(&format!("/cases/{id}/follow-up?done={done}"))),
        Err(e) => match refusal(&e, ctx.lang) {
            Some(why) => {
                case_page(state, ctx, id, None, Some(why), None, StatusCode::CONFLICT).await
            }
            None => Err(e.into()),
        },
    }
}

pub async fn close_case(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let id: CaseId = parse_id(&id)?;
    transition(&state, &ctx, id, CaseEvent::Close, "closed").await
}

/// Reopens a closed case; the reason is required (422 beside the field).
pub async fn reopen_case(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: CaseId = parse_id(&id)?;
    let typed = form.get("reason");
    match seldinger_domain::case::reason(typed) {
        Ok(reason) => transition(&state, &ctx, id, CaseEvent::Reopen { reason }, "reopened").await,
        Err(e) => {
            let message = e.problem.message(ctx.lang);
            case_page(
                &state,
                &ctx,
                id,
                Some((typed.to_string(), message)),
                None,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// A term as listed.
pub struct TermRow {
    pub code: String,
    pub name_fr: String,
    pub name_en: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "followup/terms.html")]
pub struct TermsPage {
    l: Layout,
    terms: Vec<TermRow>,
    f: TermInput,
    errors: FieldErrors,
    notice: Option<String>,
}

impl TermsPage {
    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }
}

async fn terms_page(
    state: &AppState,
    ctx: &Ctx,
    typed: Option<(TermInput, FieldErrors)>,
    notice: Option<String>,
    status: StatusCode,
) -> PageResult {
    let terms: Vec<Term> = state.store().ae_terms().await?;
    let (f, errors) = typed.unwrap_or_else(|| {
        (
            TermInput {
                active: true,
                ..TermInput::default()
            },
            FieldErrors::default(),
        )
    });
    let page = TermsPage {
        l: Layout::new(ctx, "/admin/ae-terms", "catalog"),
        terms: terms
            .into_iter()
            .map(|t| TermRow {
                code: t.code,
                name_fr: t.name_fr,
                name_en: t.name_en,
                active: t.active,
            })
            .collect(),
        f,
        errors,
        notice,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn ae_terms(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let notice = (q.done == "saved").then(|| message("ae.terms.saved", ctx.lang));
    terms_page(&state, &ctx, None, notice, StatusCode::OK).await
}

pub async fn save_ae_term(State(state): State<AppState>, ctx: Ctx, form: FormData) -> PageResult {
    let input = TermInput {
        code: form.get("code").into(),
        name_fr: form.get("name_fr").into(),
        name_en: form.get("name_en").into(),
        active: form.has("active"),
    };
    let term = match Term::parse(&input) {
        Ok(term) => term,
        Err(invalid) => {
            let errors = FieldErrors::from_invalid(&invalid, ctx.lang, |f| f);
            return terms_page(
                &state,
                &ctx,
                Some((input, errors)),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    state
        .store()
        .save_ae_term(&ctx.actor(), &term, state.now())
        .await
        .map_err(AppError::from)?;
    Ok(see_other("/admin/ae-terms?done=saved"))
}
