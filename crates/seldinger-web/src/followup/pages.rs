//! The pages of adverse events, follow-up and closure.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use seldinger_domain::case::{CaseEvent, CaseStatus, status_label};
use seldinger_domain::followup::{ContactInput, Status};
use seldinger_domain::localtime::to_local;
use seldinger_domain::{CaseId, FollowUpId, Permission, followup};
use seldinger_store::cases::CaseSummary;
use seldinger_store::followups::FollowUpRecord;
use serde::Deserialize;

use super::follow_up_list;
use crate::AppState;
use crate::auth::Ctx;
use crate::case_view::{Banner, Words, case_header};
use crate::error::{AppError, refusal};
use crate::html::Choice;
use crate::html::{
    DoneQuery, FieldErrors, FormData, FormRefusal, Layout, PageResult, render, see_other,
};
use crate::i18n::message;
use crate::json::parse_id;

const PAGE_SIZE: u64 = 100;

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
    let offset = q.offset.min(crate::json::MAX_OFFSET);
    let now = state.now();
    let store = state.store();
    let (items, total) = store
        .follow_up_worklist(&ctx.actor(), list, PAGE_SIZE, offset, now)
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
        offset,
        next: (offset.saturating_add(PAGE_SIZE) < total)
            .then_some(offset.saturating_add(PAGE_SIZE)),
        previous: (offset > 0).then(|| offset.saturating_sub(PAGE_SIZE)),
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
    let item: FollowUpRecord = store.follow_up(&actor, id, now).await?;
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
    let items = store.follow_ups(&actor, id, now).await?;
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
