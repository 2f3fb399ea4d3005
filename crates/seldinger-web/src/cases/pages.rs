//! The pages of referrals, cases, consultations, the clinic and the worklists. Forms
//! post and redirect; a form with errors comes back (422) with each message beside its
//! field; a refused action comes back (409) on the case page with the reason.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use seldinger_domain::case::{self, CaseEvent, NewReferral, ReferralInput, Side, Urgency};
use seldinger_domain::catalog::Organ;
use seldinger_domain::consultation::{
    ConsultationBooking, ConsultationBookingInput, ConsultationKind, ConsultationRecord,
    ConsultationRecordInput, ConsultationStatus,
};
use seldinger_domain::localtime::{from_local, local_date};
use seldinger_domain::patient::{AllergyKind, AnticoagulantDrug, RawEntry, parse_date};
use seldinger_domain::{
    CaseId, ConsultationId, FieldError, Invalid, Lang, PatientId, Permission, Problem, Role,
};
use seldinger_store::cases::{CaseSummary, Worklist};
use seldinger_store::catalog::ProcedureVersion;
use seldinger_store::consultations::{Consent, Consultation};
use seldinger_store::followups::WaitingCounts;
use seldinger_store::{Patient, StoreError};
use serde::Deserialize;
use time::{Date, Duration, OffsetDateTime};

use super::api::{consultation_day, parse_consent, procedure_code, slot};
use super::{WORKLISTS, worklist_named};
use crate::auth::Ctx;
use crate::calendar::{day_bounds, today};
use crate::calendar::{days_between, local_now};
use crate::case_page::{CaseForms, FamilyGroup, procedure_groups, refuse};
use crate::case_view::{Banner, Words, conflict_message};
use crate::error::AppError;
use crate::html::{FieldErrors, FormData, Layout, PageResult, render, render_with, see_other};
use crate::json::parse_id;
use crate::{AppState, case_page};

fn same(field: &str) -> &str {
    field
}

// ---------------------------------------------------------------------------------------
// Worklists

/// How many cases of each list the landing page shows.
const PREVIEW: u64 = 3;
/// How many cases a worklist page shows.
const PAGE_SIZE: u64 = 100;

pub struct WorklistCard {
    pub slug: &'static str,
    pub total: u64,
    pub top: Vec<CaseSummary>,
}

#[derive(Template)]
#[template(path = "cases/worklists.html")]
pub struct WorklistsPage {
    l: Layout,
    w: Words,
    cards: Vec<WorklistCard>,
    consultations_today: usize,
    today: String,
    now: OffsetDateTime,
    after: WaitingCounts,
}

impl WorklistsPage {
    pub fn title_key(&self, slug: &str) -> String {
        format!("worklist.{slug}")
    }

    pub fn hint_key(&self, slug: &str) -> String {
        format!("worklist.{slug}.hint")
    }

    pub fn waiting(&self, c: &CaseSummary) -> i64 {
        days_between(c.referred_at, self.now, &self.l.timezone)
    }

    pub fn procedure<'a>(&self, c: &'a CaseSummary) -> &'a str {
        c.procedure_name(self.w.0)
    }

    pub fn count(&self, n: &u64) -> String {
        self.l.number(usize::try_from(*n).unwrap_or(usize::MAX))
    }

    pub fn today_count(&self) -> String {
        self.l.number(self.consultations_today)
    }
}

pub async fn worklists(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let now = state.now();
    let actor = ctx.actor();
    let mut cards = Vec::new();
    for (slug, list) in WORKLISTS {
        let (top, total) = state
            .store()
            .worklist(&actor, list, PREVIEW, 0, now)
            .await?;
        cards.push(WorklistCard { slug, total, top });
    }
    let day = today(&state, &ctx);
    let (from, to) = day_bounds(day, &ctx.timezone);
    let consultations_today = state
        .store()
        .consultations_between(&actor, from, to, None, now)
        .await?
        .iter()
        .filter(|c| c.status != ConsultationStatus::Cancelled)
        .count();
    let after = state.store().waiting_counts(now).await?;
    Ok(render(&WorklistsPage {
        l: Layout::new(&ctx, "/worklists", "worklists"),
        w: Words(ctx.lang),
        cards,
        consultations_today,
        today: day.to_string(),
        now,
        after,
    }))
}

#[derive(Template)]
#[template(path = "cases/worklist.html")]
pub struct WorklistPage {
    l: Layout,
    w: Words,
    slug: &'static str,
    list: Worklist,
    rows: Vec<CaseSummary>,
    total: u64,
    page: u64,
    pages: u64,
    now: OffsetDateTime,
}

impl WorklistPage {
    pub fn title_key(&self) -> String {
        format!("worklist.{}", self.slug)
    }

    pub fn hint_key(&self) -> String {
        format!("worklist.{}.hint", self.slug)
    }

    pub fn waiting(&self, c: &CaseSummary) -> i64 {
        days_between(c.referred_at, self.now, &self.l.timezone)
    }

    pub fn age(&self, c: &CaseSummary) -> i32 {
        crate::i18n::age(c.birth_date, local_date(self.now, &self.l.timezone))
    }

    pub fn procedure<'a>(&self, c: &'a CaseSummary) -> &'a str {
        c.procedure_name(self.w.0)
    }

    /// The message key of what this list is for, for this user.
    pub fn action_key(&self) -> &'static str {
        match self.list {
            Worklist::ToTriage if self.l.can(Permission::Triage) => "worklist.action.triage",
            Worklist::AwaitingConsultation if self.l.can(Permission::ConsultationBook) => {
                "worklist.action.book_consultation"
            }
            Worklist::Consulted if self.l.can(Permission::Triage) => "worklist.action.decide",
            Worklist::AwaitingMdt if self.l.can(Permission::MdtManage) => "worklist.action.agenda",
            Worklist::ToSchedule if self.l.can(Permission::BookingManage) => "worklist.action.book",
            _ => "worklist.action.open",
        }
    }

    pub fn action_href(&self, c: &CaseSummary) -> String {
        match self.action_key() {
            "worklist.action.book_consultation" => format!("/cases/{}#book-consultation", c.id),
            "worklist.action.agenda" => "/mdt".to_string(),
            "worklist.action.book" => format!("/cases/{}/booking", c.id),
            _ => format!("/cases/{}", c.id),
        }
    }

    /// "101–200 / 1,234": the rows shown and the total.
    pub fn range(&self) -> String {
        let first = (self.page - 1) * PAGE_SIZE + 1;
        let last = (first + self.rows.len() as u64)
            .saturating_sub(1)
            .max(first);
        format!(
            "{}–{} / {}",
            self.count(&first),
            self.count(&last),
            self.count(&self.total)
        )
    }

    pub fn count(&self, n: &u64) -> String {
        self.l.number(usize::try_from(*n).unwrap_or(usize::MAX))
    }

    pub fn previous(&self) -> Option<String> {
        (self.page > 1).then(|| format!("/worklists/{}?page={}", self.slug, self.page - 1))
    }

    pub fn next(&self) -> Option<String> {
        (self.page < self.pages).then(|| format!("/worklists/{}?page={}", self.slug, self.page + 1))
    }
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    page: String,
}

pub async fn worklist(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let list = worklist_named(&slug)?;
    let slug = WORKLISTS
        .iter()
        .find(|(_, l)| *l == list)
        .map(|(s, _)| *s)
        .unwrap_or("to_triage");
    let page = q.page.trim().parse::<u64>().unwrap_or(1).max(1);
    let now = state.now();
    let (rows, total) = state
        .store()
        .worklist(&ctx.actor(), list, PAGE_SIZE, (page - 1) * PAGE_SIZE, now)
        .await?;
    Ok(render(&WorklistPage {
        l: Layout::new(&ctx, format!("/worklists/{slug}"), "worklists"),
        w: Words(ctx.lang),
        slug,
        list,
        rows,
        total,
        page,
        pages: total.div_ceil(PAGE_SIZE).max(1),
        now,
    }))
}

// ---------------------------------------------------------------------------------------
// Referral

/// One allergy or treatment of the referral form: ticked or not, with its note.
pub struct EntryValue {
    pub code: &'static str,
    pub checked: bool,
    pub note: String,
}

/// The referral form's values as typed.
#[derive(Default)]
pub struct ReferralValues {
    pub patient_id: String,
    pub referring_physician: String,
    pub referring_service: String,
    pub indication: String,
    pub target_organ: String,
    pub target_site: String,
    pub side: String,
    pub lesion_size_mm: String,
    pub requested_procedure: String,
    pub urgency: String,
    pub clinical_question: String,
    pub referral_date: String,
    pub allergies: Vec<EntryValue>,
    pub drugs: Vec<EntryValue>,
}

/// Entries of one kind from a patient's record, notes joined (several "other" entries).
fn entry_from_record(code: &'static str, notes: Vec<Option<String>>) -> EntryValue {
    EntryValue {
        code,
        checked: !notes.is_empty(),
        note: notes.into_iter().flatten().collect::<Vec<_>>().join("; "),
    }
}

impl ReferralValues {
    /// A new referral for `patient`: their allergies and treatments ticked, the
    /// signed-in referring physician's name, today's date.
    fn for_patient(patient: &Patient, ctx: &Ctx, today: Date) -> Self {
        let user = &ctx.principal.user;
        Self {
            patient_id: patient.id.to_string(),
            referring_physician: if user.role == Role::ReferringPhysician {
                user.full_name.clone()
            } else {
                String::new()
            },
            referral_date: today.to_string(),
            allergies: AllergyKind::ALL
                .iter()
                .map(|kind| {
                    let notes = patient
                        .allergies
                        .iter()
                        .filter(|a| a.kind == *kind)
                        .map(|a| a.note.clone())
                        .collect();
                    entry_from_record(kind.code(), notes)
                })
                .collect(),
            drugs: AnticoagulantDrug::ALL
                .iter()
                .map(|drug| {
                    let notes = patient
                        .anticoagulants
                        .iter()
                        .filter(|a| a.drug == *drug)
                        .map(|a| a.note.clone())
                        .collect();
                    entry_from_record(drug.code(), notes)
                })
                .collect(),
            ..Default::default()
        }
    }

    fn from_form(form: &FormData) -> Self {
        let ticked = |name: &str, codes: Vec<&'static str>, prefix: &str| -> Vec<EntryValue> {
            let all = form.all(name);
            codes
                .into_iter()
                .map(|code| EntryValue {
                    code,
                    checked: all.iter().any(|c| c == code),
                    note: form.get(&format!("{prefix}{code}")).to_string(),
                })
                .collect()
        };
        Self {
            patient_id: form.get("patient_id").into(),
            referring_physician: form.get("referring_physician").into(),
            referring_service: form.get("referring_service").into(),
            indication: form.get("indication").into(),
            target_organ: form.get("target_organ").into(),
            target_site: form.get("target_site").into(),
            side: form.get("side").into(),
            lesion_size_mm: form.get("lesion_size_mm").into(),
            requested_procedure: form.get("requested_procedure").into(),
            urgency: form.get("urgency").into(),
            clinical_question: form.get("clinical_question").into(),
            referral_date: form.get("referral_date").into(),
            allergies: ticked(
                "allergy",
                AllergyKind::ALL.iter().map(|k| k.code()).collect(),
                "allergy_note_",
            ),
            drugs: ticked(
                "drug",
                AnticoagulantDrug::ALL.iter().map(|d| d.code()).collect(),
                "drug_note_",
            ),
        }
    }

    /// The domain's input, and the errors of what the form alone can tell (a lesion
    /// size that is not a number).
    fn input(&self) -> (ReferralInput, Vec<FieldError>) {
        let mut errors = Vec::new();
        let lesion_size_mm = match self.lesion_size_mm.trim() {
            "" => None,
            raw => match raw.parse::<u32>() {
                Ok(mm) => Some(mm),
                Err(_) => {
                    errors.push(FieldError::new(
                        "lesion_size_mm",
                        Problem::BadFormat {
                            expected: "millimetres, from 1 to 500",
                        },
                    ));
                    None
                }
            },
        };
        let entries = |values: &[EntryValue]| -> Vec<RawEntry> {
            values
                .iter()
                .filter(|e| e.checked)
                .map(|e| RawEntry {
                    kind: e.code.to_string(),
                    note: e.note.clone(),
                })
                .collect()
        };
        let input = ReferralInput {
            patient_id: self.patient_id.clone(),
            referring_physician: self.referring_physician.clone(),
            referring_service: self.referring_service.clone(),
            indication: self.indication.clone(),
            target_organ: self.target_organ.clone(),
            target_site: self.target_site.clone(),
            side: self.side.clone(),
            lesion_size_mm,
            requested_procedure: self.requested_procedure.clone(),
            urgency: self.urgency.clone(),
            clinical_question: self.clinical_question.clone(),
            anticoagulants: entries(&self.drugs),
            allergies: entries(&self.allergies),
            referral_date: self.referral_date.clone(),
        };
        (input, errors)
    }
}

/// Domain field paths → referral form fields.
fn referral_field(field: &str) -> &str {
    if field.starts_with("allergies") {
        "allergies"
    } else if field.starts_with("anticoagulants") {
        "anticoagulants"
    } else {
        field
    }
}

#[derive(Template)]
#[template(path = "cases/referral_form.html")]
pub struct ReferralFormPage {
    l: Layout,
    w: Words,
    banner: Option<Banner>,
    f: ReferralValues,
    errors: FieldErrors,
    groups: Vec<FamilyGroup>,
}

impl ReferralFormPage {
    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    pub fn urgencies(&self) -> &'static [Urgency] {
        Urgency::ALL
    }

    pub fn organs(&self) -> &'static [Organ] {
        Organ::ALL
    }

    pub fn sides(&self) -> &'static [Side] {
        Side::ALL
    }

    pub fn allergy_label(&self, code: &str) -> &'static str {
        AllergyKind::parse(code)
            .map(|k| self.w.allergy(&k))
            .unwrap_or("")
    }

    pub fn drug_label(&self, code: &str) -> &'static str {
        AnticoagulantDrug::parse(code)
            .map(|d| self.w.drug(&d))
            .unwrap_or("")
    }
}

#[derive(Deserialize, Default)]
pub struct ReferralQuery {
    #[serde(default)]
    patient: String,
}

pub async fn new_referral(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ReferralQuery>,
) -> PageResult {
    // A referral is always about a patient: without one, find them first.
    if q.patient.trim().is_empty() {
        return Ok(see_other("/patients"));
    }
    let id: PatientId = parse_id(q.patient.trim())?;
    let now = state.now();
    let day = today(&state, &ctx);
    let patient = state.store().get_patient(&ctx.actor(), id, now).await?;
    let w = Words(ctx.lang);
    let page = ReferralFormPage {
        l: Layout::new(&ctx, format!("/referrals/new?patient={id}"), "patients"),
        w,
        f: ReferralValues::for_patient(&patient, &ctx, day),
        banner: Some(Banner::new(patient, day)),
        errors: FieldErrors::default(),
        groups: procedure_groups(&state, w).await?,
    };
    Ok(render(&page))
}

pub async fn create_referral(
    State(state): State<AppState>,
    ctx: Ctx,
    form: FormData,
) -> PageResult {
    let now = state.now();
    let actor = ctx.actor();
    let f = ReferralValues::from_form(&form);
    let (input, extra) = f.input();
    let invalid = match NewReferral::parse(&input, local_now(now, &ctx.timezone)) {
        Ok(referral) if extra.is_empty() => {
            match state.store().create_referral(&actor, &referral, now).await {
                Ok(case) => return Ok(see_other(&format!("/cases/{}?done=referred", case.id))),
                Err(StoreError::Invalid(invalid)) => invalid,
                Err(other) => return Err(other.into()),
            }
        }
        Ok(_) => Invalid(extra),
        Err(Invalid(mut errors)) => {
            errors.extend(extra);
            Invalid(errors)
        }
    };
    let day = today(&state, &ctx);
    let banner = match f.patient_id.trim().parse::<PatientId>() {
        Ok(id) => match state.store().get_patient(&actor, id, now).await {
            Ok(patient) => Some(Banner::new(patient, day)),
            Err(StoreError::NotFound) => None,
            Err(other) => return Err(other.into()),
        },
        Err(_) => None,
    };
    let w = Words(ctx.lang);
    let page = ReferralFormPage {
        l: Layout::new(&ctx, "/referrals", "patients"),
        w,
        banner,
        errors: FieldErrors::from_invalid(&invalid, ctx.lang, referral_field),
        f,
        groups: procedure_groups(&state, w).await?,
    };
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

// ---------------------------------------------------------------------------------------
// The case page

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

pub async fn case(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let id: CaseId = parse_id(&id)?;
    case_page::show(&state, &ctx, id, &q.done).await
}

#[expect(
    clippy::too_many_arguments,
    reason = "the action and how to show its refusal"
)]
async fn transition(
    state: &AppState,
    ctx: &Ctx,
    id: CaseId,
    event: CaseEvent,
    done: &str,
    f: CaseForms,
    form: &'static str,
    map: fn(&str) -> &str,
) -> PageResult {
    match state
        .store()
        .transition_case(&ctx.actor(), id, &event, state.now())
        .await
    {
        Ok(_) => Ok(see_other(&format!("/cases/{id}?done={done}"))),
        Err(e) => refuse(state, ctx, id, e.into(), f, form, map).await,
    }
}

pub async fn accept_case(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let id: CaseId = parse_id(&id)?;
    let f = CaseForms::default();
    transition(
        &state,
        &ctx,
        id,
        CaseEvent::Accept,
        "accepted",
        f,
        "triage",
        same,
    )
    .await
}

pub async fn send_case_to_mdt(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let id: CaseId = parse_id(&id)?;
    let f = CaseForms::default();
    let event = CaseEvent::SendToMdt;
    transition(&state, &ctx, id, event, "sent_to_mdt", f, "triage", same).await
}

fn decline_field(field: &str) -> &str {
    if field == "reason" {
        "decline_reason"
    } else {
        field
    }
}

fn cancel_field(field: &str) -> &str {
    if field == "reason" {
        "cancel_reason"
    } else {
        field
    }
}

pub async fn decline_case(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: CaseId = parse_id(&id)?;
    let raw = form.get("reason");
    let f = CaseForms {
        decline_reason: raw.to_string(),
        ..Default::default()
    };
    match case::reason(raw) {
        Ok(reason) => {
            let event = CaseEvent::Decline { reason };
            transition(
                &state,
                &ctx,
                id,
                event,
                "declined",
                f,
                "decline",
                decline_field,
            )
            .await
        }
        Err(e) => refuse(&state, &ctx, id, e.into(), f, "decline", decline_field).await,
    }
}

pub async fn cancel_case(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: CaseId = parse_id(&id)?;
    let raw = form.get("reason");
    let f = CaseForms {
        cancel_reason: raw.to_string(),
        ..Default::default()
    };
    match case::reason(raw) {
        Ok(reason) => {
            let event = CaseEvent::Cancel { reason };
            transition(
                &state,
                &ctx,
                id,
                event,
                "cancelled",
                f,
                "cancel",
                cancel_field,
            )
            .await
        }
        Err(e) => refuse(&state, &ctx, id, e.into(), f, "cancel", cancel_field).await,
    }
}

pub async fn plan_case(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: CaseId = parse_id(&id)?;
    let raw = form.get("procedure");
    let f = CaseForms {
        procedure: raw.to_string(),
        ..Default::default()
    };
    let result = match procedure_code("procedure", raw) {
        Ok(code) => state
            .store()
            .plan_procedure(&ctx.actor(), id, code.as_ref(), state.now())
            .await
            .map_err(AppError::from),
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/cases/{id}?done=planned"))),
        Err(e) => refuse(&state, &ctx, id, e, f, "plan", same).await,
    }
}

pub async fn book_consultation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: CaseId = parse_id(&id)?;
    let f = CaseForms {
        kind: form.get("kind").into(),
        clinician: form.get("clinician").into(),
        starts_at: form.get("starts_at").into(),
        duration: form.get("duration_minutes").into(),
        ..Default::default()
    };
    let mut errors = Vec::new();
    let duration_minutes = match f.duration.trim() {
        "" => None,
        raw => match raw.parse::<u32>() {
            Ok(minutes) => Some(minutes),
            Err(_) => {
                errors.push(FieldError::new(
                    "duration_minutes",
                    Problem::BadFormat {
                        expected: "minutes, from 5 to 240",
                    },
                ));
                None
            }
        },
    };
    let input = ConsultationBookingInput {
        kind: f.kind.clone(),
        clinician: f.clinician.clone(),
        starts_at: f.starts_at.clone(),
        duration_minutes,
    };
    let booking = match ConsultationBooking::parse(&input) {
        Ok(booking) if errors.is_empty() => booking,
        Ok(_) => {
            let invalid = AppError::Invalid(Invalid(errors));
            return refuse(&state, &ctx, id, invalid, f, "book", same).await;
        }
        Err(Invalid(mut found)) => {
            found.extend(errors);
            let invalid = AppError::Invalid(Invalid(found));
            return refuse(&state, &ctx, id, invalid, f, "book", same).await;
        }
    };
    let starts_at = from_local(booking.starts_at, &ctx.timezone);
    match state
        .store()
        .book_consultation(&ctx.actor(), id, &slot(&booking, starts_at), state.now())
        .await
    {
        Ok(_) => Ok(see_other(&format!("/cases/{id}?done=consultation_booked"))),
        Err(e) => refuse(&state, &ctx, id, e.into(), f, "book", same).await,
    }
}

fn consent_field(field: &str) -> &str {
    match field {
        "date" => "consent_date",
        "note" => "consent_note",
        other => other,
    }
}

/// Withdraws consent (the page's only consent decision outside a consultation).
pub async fn record_consent(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: CaseId = parse_id(&id)?;
    let f = CaseForms {
        consent_date: form.get("date").into(),
        consent_note: form.get("note").into(),
        ..Default::default()
    };
    let day = today(&state, &ctx);
    let result = match parse_consent("withdrawn", &f.consent_date, &f.consent_note, day) {
        Ok((decision, date, note)) => state
            .store()
            .record_consent(
                &ctx.actor(),
                id,
                decision,
                date,
                note.as_deref(),
                state.now(),
            )
            .await
            .map_err(AppError::from),
        Err(invalid) => Err(invalid.into()),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/cases/{id}?done=consent_withdrawn"))),
        Err(e) => refuse(&state, &ctx, id, e, f, "consent", consent_field).await,
    }
}

// ---------------------------------------------------------------------------------------
// Consultations

/// The consultation form's values as typed.
#[derive(Default)]
pub struct RecordValues {
    pub outcome: String,
    pub sheet_given: bool,
    pub sheet_language: String,
    pub risks_explained: String,
    pub alternatives_discussed: String,
    pub consent: String,
    pub consent_date: String,
    pub notes: String,
}

impl RecordValues {
    fn initial(day: Date, lang: Lang) -> Self {
        Self {
            outcome: "done".into(),
            sheet_language: lang.code().into(),
            consent_date: day.to_string(),
            ..Default::default()
        }
    }

    fn from_form(form: &FormData) -> Self {
        Self {
            outcome: form.get("outcome").into(),
            sheet_given: form.has("information_sheet_given"),
            sheet_language: form.get("sheet_language").into(),
            risks_explained: form.get("risks_explained").into(),
            alternatives_discussed: form.get("alternatives_discussed").into(),
            consent: form.get("consent").into(),
            consent_date: form.get("consent_date").into(),
            notes: form.get("notes").into(),
        }
    }

    fn input(&self) -> ConsultationRecordInput {
        ConsultationRecordInput {
            outcome: self.outcome.clone(),
            information_sheet_given: self.sheet_given,
            sheet_language: self.sheet_language.clone(),
            risks_explained: self.risks_explained.clone(),
            alternatives_discussed: self.alternatives_discussed.clone(),
            consent: self.consent.clone(),
            consent_date: self.consent_date.clone(),
            notes: self.notes.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "cases/consultation.html")]
pub struct ConsultationPage {
    l: Layout,
    w: Words,
    banner: Banner,
    c: Consultation,
    planned: ProcedureVersion,
    consent: Option<Consent>,
    /// The language the procedure's risks are shown in.
    risks_lang: Lang,
    f: RecordValues,
    errors: FieldErrors,
    refusal: Option<String>,
    can_record: bool,
    can_cancel: bool,
}

impl ConsultationPage {
    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    pub fn risks(&self) -> &str {
        self.planned.definition.risks.get(self.risks_lang)
    }

    pub fn procedure_name(&self) -> &str {
        self.w.text(&self.planned.definition.name)
    }

    pub fn risks_in(&self, lang: &str) -> bool {
        self.risks_lang.code() == lang
    }

    pub fn languages(&self) -> [Lang; 2] {
        [Lang::Fr, Lang::En]
    }

    pub fn is_ir(&self) -> bool {
        self.c.kind == ConsultationKind::IrPre
    }
}

#[derive(Deserialize, Default)]
pub struct RisksQuery {
    #[serde(default)]
    lang: String,
}

#[expect(
    clippy::too_many_arguments,
    reason = "the page and what the last action left"
)]
async fn show_consultation(
    state: &AppState,
    ctx: &Ctx,
    id: ConsultationId,
    f: Option<RecordValues>,
    errors: FieldErrors,
    refusal: Option<String>,
    risks_lang: Option<Lang>,
    status: StatusCode,
) -> PageResult {
    let store = state.store();
    let now = state.now();
    let actor = ctx.actor();
    let c = store.consultation(id).await?;
    let case = store.get_case(&actor, c.case_id, now).await?;
    let patient = store.get_patient(&actor, case.patient_id, now).await?;
    let planned = store.procedure_version(case.planned_version_id).await?;
    let consent = store
        .case_consents(c.case_id)
        .await?
        .into_iter()
        .find(|x| x.consultation_id == Some(id));
    let risks_lang = risks_lang.unwrap_or(ctx.lang);
    let l = Layout::new(ctx, format!("/consultations/{id}"), "worklists");
    let booked = c.status == ConsultationStatus::Booked;
    let page = ConsultationPage {
        can_record: booked && l.can(Permission::ConsultationRecord),
        can_cancel: booked && l.can(Permission::ConsultationBook),
        l,
        w: Words(ctx.lang),
        banner: Banner::new(patient, today(state, ctx)),
        f: f.unwrap_or_else(|| {
            RecordValues::initial(consultation_day(&c, &ctx.timezone), risks_lang)
        }),
        c,
        planned,
        consent,
        risks_lang,
        errors,
        refusal,
    };
    Ok(render_with(status, &page))
}

pub async fn consultation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<RisksQuery>,
) -> PageResult {
    let id: ConsultationId = parse_id(&id)?;
    let lang = q.lang.parse::<Lang>().ok();
    show_consultation(
        &state,
        &ctx,
        id,
        None,
        FieldErrors::default(),
        None,
        lang,
        StatusCode::OK,
    )
    .await
}

pub async fn record_consultation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: ConsultationId = parse_id(&id)?;
    let now = state.now();
    let found = state.store().consultation(id).await?;
    let f = RecordValues::from_form(&form);
    let lang = f.sheet_language.parse::<Lang>().ok();
    let day = consultation_day(&found, &ctx.timezone);
    let result =
        match ConsultationRecord::parse(&f.input(), found.kind, day, local_now(now, &ctx.timezone))
        {
            Ok(record) => state
                .store()
                .record_consultation(&ctx.actor(), id, &record, now)
                .await
                .map_err(AppError::from),
            Err(invalid) => Err(invalid.into()),
        };
    match result {
        Ok(_) => Ok(see_other(&format!(
            "/cases/{}?done=consultation_recorded",
            found.case_id
        ))),
        Err(AppError::Invalid(invalid)) => {
            let errors = FieldErrors::from_invalid(&invalid, ctx.lang, same);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            show_consultation(&state, &ctx, id, Some(f), errors, None, lang, status).await
        }
        Err(AppError::Conflict(conflict)) => {
            let refusal = Some(conflict_message(&conflict, ctx.lang, &ctx.timezone));
            let errors = FieldErrors::default();
            let status = StatusCode::CONFLICT;
            show_consultation(&state, &ctx, id, Some(f), errors, refusal, lang, status).await
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn cancel_consultation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let id: ConsultationId = parse_id(&id)?;
    match state
        .store()
        .cancel_consultation(&ctx.actor(), id, state.now())
        .await
    {
        Ok(c) => Ok(see_other(&format!(
            "/cases/{}?done=consultation_cancelled",
            c.case_id
        ))),
        Err(StoreError::Conflict(conflict)) => {
            let refusal = Some(conflict_message(&conflict, ctx.lang, &ctx.timezone));
            let errors = FieldErrors::default();
            let status = StatusCode::CONFLICT;
            show_consultation(&state, &ctx, id, None, errors, refusal, None, status).await
        }
        Err(other) => Err(other.into()),
    }
}

// ---------------------------------------------------------------------------------------
// The clinic: the day's consultations by clinician

pub struct ClinicRow {
    pub c: Consultation,
    pub patient: Option<Patient>,
}

pub struct ClinicGroup {
    pub clinician: String,
    pub rows: Vec<ClinicRow>,
}

#[derive(Template)]
#[template(path = "cases/clinic.html")]
pub struct ClinicPage {
    l: Layout,
    w: Words,
    day: Date,
    date: String,
    previous: String,
    next: String,
    groups: Vec<ClinicGroup>,
    error: Option<String>,
}

impl ClinicPage {
    pub fn cancelled(&self, c: &Consultation) -> bool {
        c.status == ConsultationStatus::Cancelled
    }
}

#[derive(Deserialize, Default)]
pub struct ClinicQuery {
    #[serde(default)]
    date: String,
}

pub async fn clinic(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ClinicQuery>,
) -> PageResult {
    let now = state.now();
    let actor = ctx.actor();
    let l = Layout::new(&ctx, "/clinic", "worklists");
    let (day, error) = if q.date.trim().is_empty() {
        (today(&state, &ctx), None)
    } else {
        match parse_date("date", &q.date) {
            Ok(day) => (day, None),
            Err(e) => (today(&state, &ctx), Some(e.problem.message(ctx.lang))),
        }
    };
    let mut groups: Vec<ClinicGroup> = Vec::new();
    if error.is_none() {
        let (from, to) = day_bounds(day, &ctx.timezone);
        let found = state
            .store()
            .consultations_between(&actor, from, to, None, now)
            .await?;
        // Each consultation's patient, read once per case (each read audited).
        let mut patients: HashMap<CaseId, Option<Patient>> = HashMap::new();
        for c in &found {
            if patients.contains_key(&c.case_id) {
                continue;
            }
            let patient = match state.store().get_case(&actor, c.case_id, now).await {
                Ok(case) => match state
                    .store()
                    .get_patient(&actor, case.patient_id, now)
                    .await
                {
                    Ok(p) => Some(p),
                    Err(StoreError::NotFound) => None,
                    Err(other) => return Err(other.into()),
                },
                Err(StoreError::NotFound) => None,
                Err(other) => return Err(other.into()),
            };
            patients.insert(c.case_id, patient);
        }
        let mut by_clinician: Vec<ClinicGroup> = Vec::new();
        for c in found {
            let patient = patients.get(&c.case_id).cloned().flatten();
            let row = ClinicRow { c, patient };
            match by_clinician
                .iter_mut()
                .find(|g| g.clinician == row.c.clinician_name)
            {
                Some(group) => group.rows.push(row),
                None => by_clinician.push(ClinicGroup {
                    clinician: row.c.clinician_name.clone(),
                    rows: vec![row],
                }),
            }
        }
        by_clinician.sort_by_cached_key(|g| seldinger_domain::text::fold(&g.clinician));
        groups = by_clinician;
    }
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ClinicPage {
        l,
        w: Words(ctx.lang),
        date: if error.is_some() {
            q.date.clone()
        } else {
            day.to_string()
        },
        previous: (day - Duration::days(1)).to_string(),
        next: (day + Duration::days(1)).to_string(),
        day,
        groups,
        error,
    };
    Ok(render_with(status, &page))
}

// ---------------------------------------------------------------------------------------
// The patient page's list of cases
