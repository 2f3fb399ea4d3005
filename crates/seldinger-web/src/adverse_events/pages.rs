//! The case's adverse events with the form, an event's revision, marking a serious
//! event reported, the serious-event due list, and the department's terms.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use seldinger_domain::adverse::{EventInput, Term, TermInput};
use seldinger_domain::case::CaseStatus;
use seldinger_domain::localtime::{local_input, to_local};
use seldinger_domain::{AdverseEventId, CaseId, FollowUpId, Permission};
use seldinger_store::cases::CaseSummary;
use seldinger_store::{Conflict, StoreError};
use serde::Deserialize;

use super::{EventChoices, EventView, event_view};
use crate::AppState;
use crate::auth::Ctx;
use crate::case_view::{Banner, Words, case_header};
use crate::error::AppError;
use crate::html::{
    DoneQuery, FieldErrors, FormData, FormRefusal, Layout, PageResult, render, see_other,
};
use crate::i18n::message;
use crate::json::parse_id;

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
#[template(path = "adverse_events/events.html")]
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
#[template(path = "adverse_events/event_edit.html")]
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
#[template(path = "adverse_events/serious.html")]
pub struct SeriousPage {
    l: Layout,
    rows: Vec<DueRow>,
    notice: Option<String>,
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

/// A term as listed.
pub struct TermRow {
    pub code: String,
    pub name_fr: String,
    pub name_en: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "adverse_events/terms.html")]
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
