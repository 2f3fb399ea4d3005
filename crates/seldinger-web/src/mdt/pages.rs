//! The meeting pages: the list, the meeting form, the meeting with its agenda and one
//! decision form per undecided case, and the printable record ("compte rendu de RCP").

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use seldinger_domain::case::{CaseStatus, MdtDecision, status_label};
use seldinger_domain::localtime::to_local;
use seldinger_domain::mdt::{
    AttendeeInput, Decision, DecisionInput, MeetingInput, MeetingKind, NewMeeting, Specialty,
};
use seldinger_domain::{CaseId, Invalid, Lang, MeetingId, Permission};
use seldinger_store::cases::Worklist;
use seldinger_store::mdt::{AgendaItem, Meeting};
use seldinger_store::{Conflict, StoreError};
use serde::Deserialize;
use time::Duration;

use super::{decision_label, kind_label, local_input, specialty_label};
use crate::AppState;
use crate::auth::{Ctx, urlencode};
use crate::error::{AppError, refusal};
use crate::html::{
    Choice, FieldErrors, FormData, Layout, PageResult, render, render_with, see_other,
};
use crate::i18n::age;
use crate::json::parse_id;

/// How many attendee rows the meeting form offers at least.
const ATTENDEE_ROWS: usize = 8;

/// How many days back the list of meetings reaches.
const PAST_DAYS: i64 = 30;

/// How far ahead the list of meetings reaches.
const AHEAD_DAYS: i64 = 366;

/// A meeting as pages show it, labels in the page's language.
pub struct MeetingView {
    pub id: String,
    pub kind: &'static str,
    pub when: String,
    pub date: String,
    pub location: String,
    pub attendees: Vec<(String, &'static str)>,
    pub items: i64,
    pub decided: i64,
}

impl MeetingView {
    fn new(m: &Meeting, l: &Layout) -> Self {
        let lang = l.lang();
        Self {
            id: m.id.to_string(),
            kind: kind_label(m.kind, lang),
            when: l.datetime(&m.starts_at),
            date: l.local_date(&m.starts_at),
            location: m.location.clone().unwrap_or_default(),
            attendees: m
                .attendees
                .iter()
                .map(|a| (a.name.clone(), specialty_label(a.specialty, lang)))
                .collect(),
            items: m.items,
            decided: m.decided,
        }
    }
}

#[derive(Template)]
#[template(path = "mdt/meetings.html")]
pub struct MeetingsPage {
    l: Layout,
    upcoming: Vec<MeetingView>,
    past: Vec<MeetingView>,
}

pub async fn list_meetings(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let now = state.now();
    let l = Layout::new(&ctx, "/mdt", "mdt");
    let meetings = state
        .store()
        .list_meetings(
            now - Duration::days(PAST_DAYS),
            now + Duration::days(AHEAD_DAYS),
        )
        .await?;
    let today = to_local(now, state.store().zone()).date();
    let (upcoming, mut past): (Vec<&Meeting>, Vec<&Meeting>) = meetings
        .iter()
        .partition(|m| to_local(m.starts_at, state.store().zone()).date() >= today);
    past.reverse();
    Ok(render(&MeetingsPage {
        upcoming: upcoming.iter().map(|m| MeetingView::new(m, &l)).collect(),
        past: past.iter().map(|m| MeetingView::new(m, &l)).collect(),
        l,
    }))
}

/// The meeting form's values as typed (or as stored), rows included.
#[derive(Default)]
pub struct MeetingValues {
    pub kind: String,
    pub starts_at: String,
    pub location: String,
    pub rows: Vec<AttendeeInput>,
    pub version: i64,
}

impl MeetingValues {
    fn from_form(form: &FormData) -> Self {
        let names = form.all("attendee_name");
        let specialties = form.all("attendee_specialty");
        let rows = (0..names.len().max(specialties.len()))
            .map(|i| AttendeeInput {
                name: names.get(i).cloned().unwrap_or_default(),
                specialty: specialties.get(i).cloned().unwrap_or_default(),
            })
            .collect();
        Self {
            kind: form.get("kind").into(),
            starts_at: form.get("starts_at").into(),
            location: form.get("location").into(),
            rows,
            version: form.get("version").parse().unwrap_or(0),
        }
    }

    fn from_meeting(m: &Meeting, zone: &jiff::tz::TimeZone) -> Self {
        Self {
            kind: m.kind.code().into(),
            starts_at: local_input(m.starts_at, zone),
            location: m.location.clone().unwrap_or_default(),
            rows: m
                .attendees
                .iter()
                .map(|a| AttendeeInput {
                    name: a.name.clone(),
                    specialty: a.specialty.code().into(),
                })
                .collect(),
            version: m.version,
        }
    }

    fn input(&self) -> MeetingInput {
        MeetingInput {
            kind: self.kind.clone(),
            starts_at: self.starts_at.clone(),
            location: self.location.clone(),
            attendees: self.rows.clone(),
        }
    }

    /// The rows typed, then empty ones: at least [`ATTENDEE_ROWS`], and always three
    /// free rows after the last one filled.
    fn padded(mut self) -> Self {
        let filled = self
            .rows
            .iter()
            .rposition(|r| !r.name.trim().is_empty() || !r.specialty.trim().is_empty())
            .map_or(0, |i| i + 1);
        self.rows.truncate(filled);
        let total = (filled + 3).max(ATTENDEE_ROWS);
        self.rows.resize_with(total, AttendeeInput::default);
        self
    }
}

#[derive(Template)]
#[template(path = "mdt/meeting_form.html")]
pub struct MeetingFormPage {
    l: Layout,
    /// `None` for a new meeting.
    id: Option<String>,
    f: MeetingValues,
    errors: FieldErrors,
    stale: bool,
}

impl MeetingFormPage {
    fn new(ctx: &Ctx, id: Option<MeetingId>, f: MeetingValues) -> Self {
        let path = match id {
            Some(id) => format!("/mdt/{id}/edit"),
            None => "/mdt/new".into(),
        };
        Self {
            l: Layout::new(ctx, path, "mdt"),
            id: id.map(|id| id.to_string()),
            f: f.padded(),
            errors: FieldErrors::default(),
            stale: false,
        }
    }

    pub fn kinds(&self) -> Vec<Choice> {
        MeetingKind::ALL
            .iter()
            .map(|k| Choice {
                code: k.code().into(),
                label: kind_label(*k, self.l.lang()).into(),
            })
            .collect()
    }

    pub fn specialties(&self) -> Vec<Choice> {
        Specialty::ALL
            .iter()
            .map(|s| Choice {
                code: s.code().into(),
                label: specialty_label(*s, self.l.lang()).into(),
            })
            .collect()
    }

    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    /// The error of one attendee row's field (`name` or `specialty`).
    pub fn row_err(&self, row: &usize, part: &str) -> Option<&str> {
        self.errors.get(&format!("attendees.{row}.{part}"))
    }

    pub fn action(&self) -> String {
        match &self.id {
            Some(id) => format!("/mdt/{id}"),
            None => "/mdt".into(),
        }
    }

    /// The form again (422), each error beside its field, the typed values kept.
    fn refused(mut self, invalid: &Invalid) -> Response {
        self.errors = FieldErrors::from_invalid(invalid, self.l.lang(), |f| f);
        render_with(StatusCode::UNPROCESSABLE_ENTITY, &self)
    }
}

pub async fn new_meeting(ctx: Ctx) -> Response {
    render(&MeetingFormPage::new(&ctx, None, MeetingValues::default()))
}

pub async fn create_meeting(State(state): State<AppState>, ctx: Ctx, form: FormData) -> PageResult {
    let values = MeetingValues::from_form(&form);
    let new = match NewMeeting::parse(&values.input()) {
        Ok(new) => new,
        Err(invalid) => return Ok(MeetingFormPage::new(&ctx, None, values).refused(&invalid)),
    };
    let created = state
        .store()
        .create_meeting(&ctx.actor(), &new, state.now())
        .await?;
    Ok(see_other(&format!("/mdt/{}?done=created", created.id)))
}

pub async fn edit_meeting(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let id: MeetingId = parse_id(&id)?;
    let (meeting, _) = state.store().meeting(&ctx.actor(), id, state.now()).await?;
    let values = MeetingValues::from_meeting(&meeting, state.store().zone());
    Ok(render(&MeetingFormPage::new(&ctx, Some(id), values)))
}

/// Saves the meeting's changes if the version read is still current; otherwise the form
/// comes back (409) with the values now stored and the version to build on.
pub async fn update_meeting(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: MeetingId = parse_id(&id)?;
    let values = MeetingValues::from_form(&form);
    let version = values.version;
    let new = match NewMeeting::parse(&values.input()) {
        Ok(new) => new,
        Err(invalid) => return Ok(MeetingFormPage::new(&ctx, Some(id), values).refused(&invalid)),
    };
    let actor = ctx.actor();
    let now = state.now();
    match state
        .store()
        .update_meeting(&actor, id, version, &new, now)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/mdt/{id}?done=updated"))),
        Err(StoreError::Conflict(Conflict::StaleVersion { .. })) => {
            let (current, _) = state.store().meeting(&actor, id, now).await?;
            let mut page = MeetingFormPage::new(
                &ctx,
                Some(id),
                MeetingValues::from_meeting(&current, state.store().zone()),
            );
            page.stale = true;
            Ok(render_with(StatusCode::CONFLICT, &page))
        }
        Err(other) => Err(other.into()),
    }
}

/// A decision as typed, with its errors, for one agenda row.
#[derive(Default)]
pub struct DecisionForm {
    pub decision: String,
    pub procedure: String,
    pub rationale: String,
    pub responsible_physician: String,
    pub errors: FieldErrors,
}

impl DecisionForm {
    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }
}

/// What was decided for a case, as the page shows it.
pub struct Decided {
    pub decision: &'static str,
    pub procedure: Option<String>,
    pub rationale: String,
    pub physician: String,
    pub at: String,
}

/// One case on the agenda.
pub struct AgendaRow {
    pub case_id: String,
    pub family_name: String,
    pub given_names: String,
    pub birth_date: String,
    pub age: i32,
    pub mrn: String,
    pub procedure: String,
    pub indication: String,
    pub referring: String,
    pub status: &'static str,
    pub decided: Option<Decided>,
    pub form: DecisionForm,
}

impl AgendaRow {
    fn new(item: &AgendaItem, l: &Layout, today: time::Date, procedure: Option<String>) -> Self {
        let lang = l.lang();
        let c = &item.case;
        Self {
            case_id: c.id.to_string(),
            family_name: c.family_name.clone(),
            given_names: c.given_names.clone(),
            birth_date: l.date(&c.birth_date),
            age: age(c.birth_date, today),
            mrn: c.mrn.clone(),
            procedure: match lang {
                Lang::Fr => c.procedure_fr.clone(),
                Lang::En => c.procedure_en.clone(),
            },
            indication: c.indication.clone(),
            referring: c.referring_physician.clone(),
            status: status_label(c.status, lang),
            decided: item.decision.map(|decision| Decided {
                decision: decision_label(decision, lang),
                procedure,
                rationale: item.rationale.clone().unwrap_or_default(),
                physician: item.responsible_physician.clone().unwrap_or_default(),
                at: item
                    .decided_at
                    .map(|at| l.datetime(&at))
                    .unwrap_or_default(),
            }),
            form: DecisionForm {
                procedure: c.procedure_code.clone(),
                responsible_physician: l.user_name().to_string(),
                ..DecisionForm::default()
            },
        }
    }
}

/// The name, in `lang`, of the procedure version an IR decision chose.
async fn decided_procedure(
    state: &AppState,
    item: &AgendaItem,
    lang: Lang,
) -> Result<Option<String>, AppError> {
    match (item.decision, item.procedure_version_id) {
        (Some(MdtDecision::IrProcedure), Some(version)) => {
            let v = state.store().procedure_version(version).await?;
            Ok(Some(v.definition.name.get(lang).to_string()))
        }
        _ => Ok(None),
    }
}

async fn agenda_rows(
    state: &AppState,
    items: &[AgendaItem],
    l: &Layout,
) -> Result<Vec<AgendaRow>, AppError> {
    let today = to_local(state.now(), state.store().zone()).date();
    let mut rows = Vec::with_capacity(items.len());
    for item in items {
        let procedure = decided_procedure(state, item, l.lang()).await?;
        rows.push(AgendaRow::new(item, l, today, procedure));
    }
    Ok(rows)
}

#[derive(Template)]
#[template(path = "mdt/meeting.html")]
pub struct MeetingPage {
    l: Layout,
    m: MeetingView,
    agenda: Vec<AgendaRow>,
    /// Cases awaiting the MDT not on this agenda (for those who manage meetings).
    candidates: Vec<Choice>,
    procedures: Vec<Choice>,
    notice: Option<String>,
    refusal: Option<String>,
    add_error: Option<String>,
}

impl MeetingPage {
    pub fn decisions(&self) -> Vec<Choice> {
        MdtDecision::ALL
            .iter()
            .map(|d| Choice {
                code: d.code().into(),
                label: decision_label(*d, self.l.lang()).into(),
            })
            .collect()
    }
}

/// What a meeting page shows besides the meeting: the outcome of the last action.
#[derive(Default)]
struct Outcome {
    notice: Option<String>,
    refusal: Option<String>,
    add_error: Option<String>,
    /// A decision form that came back with errors.
    decision: Option<(CaseId, DecisionForm)>,
}

async fn meeting_page(
    state: &AppState,
    ctx: &Ctx,
    id: MeetingId,
    outcome: Outcome,
    status: StatusCode,
) -> PageResult {
    let now = state.now();
    let actor = ctx.actor();
    let (meeting, items) = state.store().meeting(&actor, id, now).await?;
    let l = Layout::new(ctx, format!("/mdt/{id}"), "mdt");
    let mut agenda = agenda_rows(state, &items, &l).await?;
    if let Some((case, form)) = outcome.decision {
        let case = case.to_string();
        if let Some(row) = agenda.iter_mut().find(|r| r.case_id == case) {
            row.form = form;
        }
    }
    let mut candidates = Vec::new();
    if l.can(Permission::MdtManage) {
        let (waiting, _) = state
            .store()
            .worklist(&actor, Worklist::AwaitingMdt, 500, 0, now)
            .await?;
        let today = to_local(now, state.store().zone()).date();
        candidates = waiting
            .iter()
            .filter(|c| !items.iter().any(|i| i.case.id == c.id))
            .map(|c| Choice {
                code: c.id.to_string(),
                label: format!(
                    "{} {} · {} ({} {}) · {}",
                    c.family_name.to_uppercase(),
                    c.given_names,
                    l.date(&c.birth_date),
                    age(c.birth_date, today),
                    l.t("patient.years"),
                    match l.lang() {
                        Lang::Fr => &c.procedure_fr,
                        Lang::En => &c.procedure_en,
                    }
                ),
            })
            .collect();
    }
    let mut procedures = Vec::new();
    if l.can(Permission::MdtDecide) {
        procedures = state
            .store()
            .list_procedure_types(false)
            .await?
            .into_iter()
            .map(|p| Choice {
                label: p.definition.name.get(l.lang()).to_string(),
                code: p.definition.code.to_string(),
            })
            .collect();
    }
    let page = MeetingPage {
        m: MeetingView::new(&meeting, &l),
        agenda,
        candidates,
        procedures,
        notice: outcome.notice,
        refusal: outcome.refusal,
        add_error: outcome.add_error,
        l,
    };
    Ok(render_with(status, &page))
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
    #[serde(default)]
    status: String,
}

pub async fn meeting(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let id: MeetingId = parse_id(&id)?;
    let lang = ctx.lang;
    let message = |key: &str| {
        crate::i18n::lookup(key, lang)
            .unwrap_or_default()
            .to_string()
    };
    let notice = match q.done.as_str() {
        "created" => Some(message("mdt.done.created")),
        "updated" => Some(message("mdt.done.updated")),
        "added" => Some(message("mdt.done.added")),
        "removed" => Some(message("mdt.done.removed")),
        "decided" => Some(match CaseStatus::parse(&q.status) {
            Ok(status) => format!(
                "{} {}",
                message("mdt.done.decided"),
                status_label(status, lang)
            ),
            Err(_) => message("mdt.done.decided.plain"),
        }),
        _ => None,
    };
    let outcome = Outcome {
        notice,
        ..Outcome::default()
    };
    meeting_page(&state, &ctx, id, outcome, StatusCode::OK).await
}

pub async fn add_to_agenda(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: MeetingId = parse_id(&id)?;
    let raw = form.get("case_id").trim();
    let case: CaseId = match raw.parse() {
        Ok(case) => case,
        Err(_) => {
            let key = if raw.is_empty() {
                "mdt.agenda.choose"
            } else {
                "mdt.agenda.unknown"
            };
            let outcome = Outcome {
                add_error: Some(ctx_message(&ctx, key)),
                ..Outcome::default()
            };
            return meeting_page(&state, &ctx, id, outcome, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let result = state
        .store()
        .add_to_agenda(&ctx.actor(), id, case, state.now())
        .await
        .map_err(AppError::from);
    after_action(&state, &ctx, id, result, "added").await
}

pub async fn remove_from_agenda(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, case)): Path<(String, String)>,
) -> PageResult {
    let id: MeetingId = parse_id(&id)?;
    let case: CaseId = parse_id(&case)?;
    let result = state
        .store()
        .remove_from_agenda(&ctx.actor(), id, case, state.now())
        .await
        .map_err(AppError::from);
    after_action(&state, &ctx, id, result, "removed").await
}

/// Redirects to the meeting after an agenda change, or shows the meeting again with
/// the reason the pathway refused it (409).
async fn after_action(
    state: &AppState,
    ctx: &Ctx,
    id: MeetingId,
    result: Result<(), AppError>,
    done: &str,
) -> PageResult {
    match result {
        Ok(()) => Ok(see_other(&format!("/mdt/{id}?done={done}"))),
        Err(e) => match refusal(&e, ctx.lang) {
            Some(reason) => {
                let outcome = Outcome {
                    refusal: Some(reason),
                    ..Outcome::default()
                };
                meeting_page(state, ctx, id, outcome, StatusCode::CONFLICT).await
            }
            None => Err(e.into()),
        },
    }
}

fn ctx_message(ctx: &Ctx, key: &str) -> String {
    crate::i18n::lookup(key, ctx.lang)
        .unwrap_or_default()
        .to_string()
}

pub async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, case)): Path<(String, String)>,
    form: FormData,
) -> PageResult {
    let id: MeetingId = parse_id(&id)?;
    let case: CaseId = parse_id(&case)?;
    let input = DecisionInput {
        decision: form.get("decision").into(),
        procedure: form.get("procedure").into(),
        rationale: form.get("rationale").into(),
        responsible_physician: form.get("responsible_physician").into(),
    };
    let typed = |invalid: Option<&Invalid>| DecisionForm {
        decision: input.decision.clone(),
        procedure: input.procedure.clone(),
        rationale: input.rationale.clone(),
        responsible_physician: input.responsible_physician.clone(),
        errors: invalid
            .map(|i| FieldErrors::from_invalid(i, ctx.lang, |f| f))
            .unwrap_or_default(),
    };
    let refused = |invalid: &Invalid| Outcome {
        decision: Some((case, typed(Some(invalid)))),
        ..Outcome::default()
    };
    let decision = match Decision::parse(&input) {
        Ok(decision) => decision,
        Err(invalid) => {
            let outcome = refused(&invalid);
            return meeting_page(&state, &ctx, id, outcome, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    match state
        .store()
        .decide(&ctx.actor(), id, case, &decision, state.now())
        .await
        .map_err(AppError::from)
    {
        Ok(status) => Ok(see_other(&format!(
            "/mdt/{id}?done=decided&status={}#case-{case}",
            urlencode(status.code())
        ))),
        Err(AppError::Invalid(invalid)) => {
            let outcome = refused(&invalid);
            meeting_page(&state, &ctx, id, outcome, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => match refusal(&e, ctx.lang) {
            Some(reason) => {
                let outcome = Outcome {
                    refusal: Some(reason),
                    decision: Some((case, typed(None))),
                    ..Outcome::default()
                };
                meeting_page(&state, &ctx, id, outcome, StatusCode::CONFLICT).await
            }
            None => Err(e.into()),
        },
    }
}

#[derive(Template)]
#[template(path = "mdt/record.html")]
pub struct RecordPage {
    l: Layout,
    m: MeetingView,
    agenda: Vec<AgendaRow>,
}

/// The meeting's record, to print and sign.
pub async fn meeting_record(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let id: MeetingId = parse_id(&id)?;
    let (meeting, items) = state.store().meeting(&ctx.actor(), id, state.now()).await?;
    let l = Layout::new(&ctx, format!("/mdt/{id}/record"), "mdt");
    let agenda = agenda_rows(&state, &items, &l).await?;
    Ok(render(&RecordPage {
        m: MeetingView::new(&meeting, &l),
        agenda,
        l,
    }))
}
