//! The patient list and search, the patient page with their cases, the patient form
//! (register, edit, withdraw a record registered in error), and the timeline across cases.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use seldinger_domain::patient::{
    AllergyKind, AnticoagulantDrug, NewPatient, PatientInput, PatientQuery, RawEntry, Sex,
};
use seldinger_domain::{Invalid, Lang, PatientId, Permission, Problem, followup};
use seldinger_store::timeline::{TimelineEntry, TimelineItem};
use seldinger_store::{Conflict, Patient, StoreError};
use serde::Deserialize;
use time::{Date, OffsetDateTime};

use super::href;
use crate::AppState;
use crate::auth::Ctx;
use crate::case_view::Words;
use crate::error::AppError;
use crate::html::{FieldErrors, FormData, Layout, PageResult, render, render_with, see_other};
use crate::i18n::{age, lookup};
use crate::json::{parse_id, withdrawal_reason};

/// One row of a patient list, with what the list shows.
pub struct PatientRow {
    pub patient: Patient,
    pub age: i32,
}

impl PatientRow {
    fn new(patient: Patient, today: time::Date) -> Self {
        let age = age(patient.birth_date, today);
        Self { patient, age }
    }

    pub fn contrast_allergy(&self) -> bool {
        self.patient
            .allergies
            .iter()
            .any(|a| a.kind == AllergyKind::IodinatedContrast)
    }

    pub fn latex_allergy(&self) -> bool {
        self.patient
            .allergies
            .iter()
            .any(|a| a.kind == AllergyKind::Latex)
    }

    pub fn other_allergy(&self) -> bool {
        self.patient
            .allergies
            .iter()
            .any(|a| a.kind == AllergyKind::Other)
    }

    pub fn anticoagulated(&self) -> bool {
        !self.patient.anticoagulants.is_empty()
    }

    pub fn sex_key(&self) -> String {
        format!("sex.{}", self.patient.sex.code())
    }
}

#[derive(Template)]
#[template(path = "patients/list.html")]
pub struct PatientsPage {
    l: Layout,
    q: String,
    rows: Vec<PatientRow>,
    error: Option<String>,
    withdrawn: bool,
    /// More patients match than the list shows.
    more: bool,
}

/// How many patients a list shows.
const LIST_SIZE: usize = 50;

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    withdrawn: String,
}

pub async fn patients(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<SearchQuery>,
) -> PageResult {
    let now = state.now();
    let l = Layout::new(&ctx, "/patients", "patients");
    let parsed = match PatientQuery::parse(&query.q) {
        Ok(parsed) => parsed,
        Err(e) => {
            let error = Some(format!(
                "{} {}",
                l.t("patients.search.label"),
                e.problem.message(ctx.lang)
            ));
            return Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &PatientsPage {
                    l,
                    q: query.q,
                    rows: Vec::new(),
                    error,
                    withdrawn: false,
                    more: false,
                },
            ));
        }
    };
    let mut found = state
        .store()
        .search_patients(&ctx.actor(), &parsed, LIST_SIZE as u64 + 1, now)
        .await?;
    let more = found.len() > LIST_SIZE;
    found.truncate(LIST_SIZE);
    let rows = found
        .into_iter()
        .map(|p| PatientRow::new(p, now.date()))
        .collect();
    let withdrawn = !query.withdrawn.is_empty();
    Ok(render(&PatientsPage {
        l,
        q: query.q,
        rows,
        error: None,
        withdrawn,
        more,
    }))
}

#[derive(Template)]
#[template(path = "patients/patient.html")]
pub struct PatientPage {
    l: Layout,
    row: PatientRow,
    saved: bool,
    cases: PatientCases,
}

impl PatientPage {
    pub fn allergy_key(&self, kind: &AllergyKind) -> String {
        format!("allergy.{}", kind.code())
    }

    pub fn drug_key(&self, drug: &AnticoagulantDrug) -> String {
        format!("drug.{}", drug.code())
    }
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: String,
}

pub async fn patient(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let id: PatientId = parse_id(&id)?;
    let now = state.now();
    let patient = state.store().get_patient(&ctx.actor(), id, now).await?;
    let cases = patient_cases(&state, &ctx, id).await?;
    let l = Layout::new(&ctx, format!("/patients/{id}"), "patients");
    Ok(render(&PatientPage {
        l,
        row: PatientRow::new(patient, now.date()),
        saved: !q.saved.is_empty(),
        cases,
    }))
}

/// The patient form's values as typed, so a form with errors comes back filled in.
#[derive(Default)]
pub struct PatientFormValues {
    pub mrn: String,
    pub family_name: String,
    pub given_names: String,
    pub birth_date: String,
    pub sex: String,
    pub contrast: bool,
    pub contrast_note: String,
    pub latex: bool,
    pub latex_note: String,
    pub other_allergy: String,
    pub drugs: Vec<String>,
    pub other_drug: String,
    pub version: i64,
}

impl PatientFormValues {
    fn from_form(form: &FormData) -> Self {
        Self {
            mrn: form.get("mrn").into(),
            family_name: form.get("family_name").into(),
            given_names: form.get("given_names").into(),
            birth_date: form.get("birth_date").into(),
            sex: form.get("sex").into(),
            contrast: form.has("allergy_contrast"),
            contrast_note: form.get("allergy_contrast_note").into(),
            latex: form.has("allergy_latex"),
            latex_note: form.get("allergy_latex_note").into(),
            other_allergy: form.get("allergy_other").into(),
            drugs: form.all("drug"),
            other_drug: form.get("drug_other").into(),
            version: form.get("version").parse().unwrap_or(0),
        }
    }

    fn from_patient(p: &Patient) -> Self {
        let note = |kind: AllergyKind| {
            p.allergies
                .iter()
                .find(|a| a.kind == kind)
                .map(|a| a.note.clone().unwrap_or_default())
        };
        Self {
            mrn: p.mrn.clone(),
            family_name: p.family_name.clone(),
            given_names: p.given_names.clone(),
            birth_date: p.birth_date.to_string(),
            sex: p.sex.code().into(),
            contrast: note(AllergyKind::IodinatedContrast).is_some(),
            contrast_note: note(AllergyKind::IodinatedContrast).unwrap_or_default(),
            latex: note(AllergyKind::Latex).is_some(),
            latex_note: note(AllergyKind::Latex).unwrap_or_default(),
            other_allergy: note(AllergyKind::Other).unwrap_or_default(),
            drugs: p
                .anticoagulants
                .iter()
                .filter(|a| a.drug != AnticoagulantDrug::Other)
                .map(|a| a.drug.code().into())
                .collect(),
            other_drug: p
                .anticoagulants
                .iter()
                .find(|a| a.drug == AnticoagulantDrug::Other)
                .and_then(|a| a.note.clone())
                .unwrap_or_default(),
            version: p.version,
        }
    }

    /// The domain input. Notes already stored on a treatment are kept when it stays checked.
    fn input(&self, existing: Option<&Patient>) -> PatientInput {
        let mut allergies = Vec::new();
        if self.contrast {
            allergies.push(RawEntry {
                kind: "iodinated_contrast".into(),
                note: self.contrast_note.clone(),
            });
        }
        if self.latex {
            allergies.push(RawEntry {
                kind: "latex".into(),
                note: self.latex_note.clone(),
            });
        }
        if !self.other_allergy.trim().is_empty() {
            allergies.push(RawEntry {
                kind: "other".into(),
                note: self.other_allergy.clone(),
            });
        }
        let mut anticoagulants: Vec<RawEntry> = self
            .drugs
            .iter()
            .map(|code| {
                let kept = existing
                    .and_then(|p| p.anticoagulants.iter().find(|a| a.drug.code() == code))
                    .and_then(|a| a.note.clone())
                    .unwrap_or_default();
                RawEntry {
                    kind: code.clone(),
                    note: kept,
                }
            })
            .collect();
        if !self.other_drug.trim().is_empty() {
            anticoagulants.push(RawEntry {
                kind: "other".into(),
                note: self.other_drug.clone(),
            });
        }
        PatientInput {
            mrn: self.mrn.clone(),
            family_name: self.family_name.clone(),
            given_names: self.given_names.clone(),
            birth_date: self.birth_date.clone(),
            sex: self.sex.clone(),
            allergies,
            anticoagulants,
        }
    }

    pub fn has_drug(&self, code: &&str) -> bool {
        self.drugs.iter().any(|d| d == code)
    }
}

/// Domain field paths → form fields.
fn form_field(field: &str) -> &str {
    if field.starts_with("allergies") {
        "allergies"
    } else if field.starts_with("anticoagulants") {
        "anticoagulants"
    } else {
        field
    }
}

#[derive(Template)]
#[template(path = "patients/form.html")]
pub struct PatientFormPage {
    l: Layout,
    /// `None` when registering a new patient.
    id: Option<String>,
    f: PatientFormValues,
    errors: FieldErrors,
    duplicates: Vec<PatientRow>,
    stale: bool,
}

impl PatientFormPage {
    pub fn sexes(&self) -> &'static [Sex] {
        Sex::ALL
    }

    pub fn drugs(&self) -> Vec<&'static str> {
        AnticoagulantDrug::ALL
            .iter()
            .filter(|d| **d != AnticoagulantDrug::Other)
            .map(|d| d.code())
            .collect()
    }

    pub fn sex_key(&self, sex: &Sex) -> String {
        format!("sex.{}", sex.code())
    }

    pub fn drug_key(&self, code: &&str) -> String {
        format!("drug.{code}")
    }

    pub fn action(&self) -> String {
        match &self.id {
            Some(id) => format!("/patients/{id}"),
            None => "/patients".into(),
        }
    }

    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }
}

impl PatientFormPage {
    fn new(ctx: &Ctx, id: Option<PatientId>, f: PatientFormValues) -> Self {
        let path = match id {
            Some(id) => format!("/patients/{id}/edit"),
            None => "/patients/new".into(),
        };
        Self {
            l: Layout::new(ctx, path, "patients"),
            id: id.map(|id| id.to_string()),
            f,
            errors: FieldErrors::default(),
            duplicates: Vec::new(),
            stale: false,
        }
    }

    /// The form again (422), each field error beside its field, the typed values kept.
    fn refused(mut self, invalid: &Invalid) -> Response {
        self.errors = FieldErrors::from_invalid(invalid, self.l.tr.0, form_field);
        render_with(StatusCode::UNPROCESSABLE_ENTITY, &self)
    }

    /// The form again (409): someone else saved first; `current` is the version to build on.
    fn stale(mut self, current: i64) -> Response {
        self.f.version = current;
        self.stale = true;
        render_with(StatusCode::CONFLICT, &self)
    }
}

/// A store conflict on a patient form, as the form shows it.
fn form_conflict(page: PatientFormPage, err: StoreError) -> PageResult {
    match err {
        StoreError::Conflict(Conflict::Duplicate { field }) => {
            Ok(page.refused(&Invalid::one(field, Problem::AlreadyUsed)))
        }
        StoreError::Conflict(Conflict::StaleVersion { current }) => Ok(page.stale(current)),
        other => Err(other.into()),
    }
}

pub async fn new_patient(ctx: Ctx) -> Response {
    let values = PatientFormValues {
        sex: "unknown".into(),
        ..Default::default()
    };
    render(&PatientFormPage::new(&ctx, None, values))
}

pub async fn create_patient(State(state): State<AppState>, ctx: Ctx, form: FormData) -> PageResult {
    let now = state.now();
    let mut page = PatientFormPage::new(&ctx, None, PatientFormValues::from_form(&form));
    let patient = match NewPatient::parse(&page.f.input(None), now) {
        Ok(patient) => patient,
        Err(invalid) => return Ok(page.refused(&invalid)),
    };
    let actor = ctx.actor();
    if !form.has("confirm_duplicate") {
        let duplicates = state
            .store()
            .possible_duplicates(&actor, &patient, None, now)
            .await?;
        if !duplicates.is_empty() {
            page.duplicates = duplicates
                .into_iter()
                .map(|p| PatientRow::new(p, now.date()))
                .collect();
            return Ok(render_with(StatusCode::CONFLICT, &page));
        }
    }
    match state.store().create_patient(&actor, &patient, now).await {
        Ok(created) => Ok(see_other(&format!("/patients/{}?saved=1", created.id))),
        Err(e) => form_conflict(page, e),
    }
}

pub async fn edit_patient(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let id: PatientId = parse_id(&id)?;
    let patient = state
        .store()
        .get_patient(&ctx.actor(), id, state.now())
        .await?;
    Ok(render(&PatientFormPage::new(
        &ctx,
        Some(id),
        PatientFormValues::from_patient(&patient),
    )))
}

pub async fn update_patient(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: PatientId = parse_id(&id)?;
    let now = state.now();
    let actor = ctx.actor();
    let existing = state.store().get_patient(&actor, id, now).await?;
    let page = PatientFormPage::new(&ctx, Some(id), PatientFormValues::from_form(&form));
    let patient = match NewPatient::parse(&page.f.input(Some(&existing)), now) {
        Ok(patient) => patient,
        Err(invalid) => return Ok(page.refused(&invalid)),
    };
    match state
        .store()
        .update_patient(&actor, id, page.f.version, &patient, now)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/patients/{id}?saved=1"))),
        Err(e) => form_conflict(page, e),
    }
}

/// Withdraws a patient registered in error; refusals come back on the edit form, showing
/// the stored values.
pub async fn delete_patient(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: PatientId = parse_id(&id)?;
    let now = state.now();
    let actor = ctx.actor();
    let version: i64 = form.get("version").parse().unwrap_or(0);
    let result = match withdrawal_reason(form.get("reason")) {
        Ok(reason) => state
            .store()
            .delete_patient(&actor, id, version, &reason, now)
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    let refusal = match result {
        Ok(()) => return Ok(see_other("/patients?withdrawn=1")),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(Conflict::StaleVersion { .. }))) => e,
        Err(other) => return Err(other.into()),
    };
    let current = state.store().get_patient(&actor, id, now).await?;
    let page = PatientFormPage::new(&ctx, Some(id), PatientFormValues::from_patient(&current));
    Ok(match refusal {
        AppError::Invalid(invalid) => page.refused(&invalid),
        _ => page.stale(current.version),
    })
}

/// One case on the patient page.
pub struct PatientCaseRow {
    pub id: String,
    pub status_code: &'static str,
    pub status: &'static str,
    pub urgency_code: &'static str,
    pub urgency: &'static str,
    pub procedure: String,
    pub referral_date: Date,
    pub referring_physician: String,
}

/// The patient's cases, for the patient page (`shown` only to those who read cases).
#[derive(Default)]
pub struct PatientCases {
    pub shown: bool,
    pub can_refer: bool,
    pub patient_id: String,
    pub rows: Vec<PatientCaseRow>,
}

/// Loads the patient's cases for the patient page; the list is audited by the store.
async fn patient_cases(
    state: &AppState,
    ctx: &Ctx,
    patient: PatientId,
) -> Result<PatientCases, AppError> {
    let mut out = PatientCases {
        shown: ctx.can(Permission::CaseRead),
        can_refer: ctx.can(Permission::ReferralCreate),
        patient_id: patient.to_string(),
        rows: Vec::new(),
    };
    if !out.shown {
        return Ok(out);
    }
    let w = Words(ctx.lang);
    out.rows = state
        .store()
        .patient_cases(&ctx.actor(), patient, state.now())
        .await?
        .into_iter()
        .map(|c| PatientCaseRow {
            id: c.id.to_string(),
            status_code: c.status.code(),
            status: w.status(&c.status),
            urgency_code: c.urgency.code(),
            urgency: w.urgency(&c.urgency),
            procedure: c.procedure_name(ctx.lang).to_string(),
            referral_date: c.referral_date,
            referring_physician: c.referring_physician,
        })
        .collect();
    Ok(out)
}

/// One line of the timeline, ready to show.
pub struct Line {
    pub at: OffsetDateTime,
    pub case_id: String,
    pub procedure: String,
    pub kind: &'static str,
    pub what: String,
    pub detail: String,
    pub href: String,
    pub planned: bool,
    pub alert: bool,
}

#[derive(Template)]
#[template(path = "patients/timeline.html")]
pub struct TimelinePage {
    pub l: Layout,
    pub patient_id: String,
    pub patient_name: String,
    pub lines: Vec<Line>,
}

fn word(key: &str, lang: Lang) -> String {
    lookup(key, lang).unwrap_or(key).to_string()
}

fn line(e: &TimelineEntry, terms: &[seldinger_domain::adverse::Term], lang: Lang) -> Line {
    let (kind, what, detail, planned, alert) = match &e.item {
        TimelineItem::CaseEvent { event, by, .. } => (
            "case_event",
            word(&format!("case.event.{event}"), lang),
            by.clone(),
            false,
            false,
        ),
        TimelineItem::Consultation {
            kind,
            status,
            clinician,
            ..
        } => (
            "consultation",
            word(&format!("consult.kind.{}", kind.code()), lang),
            format!(
                "{clinician} — {}",
                word(&format!("consult.status.{}", status.code()), lang)
            ),
            false,
            false,
        ),
        TimelineItem::Addendum { by } => (
            "addendum",
            word("timeline.addendum", lang),
            by.clone(),
            false,
            false,
        ),
        TimelineItem::Pathology {
            label, category, ..
        } => (
            "pathology",
            word("timeline.pathology", lang),
            format!("{label} — {}", category.label(lang)),
            false,
            false,
        ),
        TimelineItem::AdverseEvent {
            term,
            phase,
            cirse_grade,
            serious,
            ..
        } => (
            "adverse_event",
            terms
                .iter()
                .find(|t| &t.code == term)
                .map_or_else(|| term.clone(), |t| t.name(lang).to_string()),
            format!(
                "{} — CIRSE {cirse_grade}{}",
                phase.label(lang),
                if *serious {
                    format!(" — {}", word("timeline.serious", lang))
                } else {
                    String::new()
                }
            ),
            false,
            *serious,
        ),
        TimelineItem::FollowUp { code, status, .. } => (
            "follow_up",
            followup::label(code, lang).to_string(),
            status.label(lang).to_string(),
            *status == followup::Status::Planned,
            false,
        ),
    };
    Line {
        at: e.at,
        case_id: e.case_id.to_string(),
        procedure: e.procedure_code.clone(),
        kind,
        what,
        detail,
        href: href(e),
        planned,
        alert,
    }
}

/// A patient's timeline across cases (PRODUCT.md, pathway; issue "Pathway II", item 5): everything
/// about them in time order, each line linking to where it is recorded.
pub async fn timeline(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let id: PatientId = parse_id(&id)?;
    let now = state.now();
    let actor = ctx.actor();
    let patient = state.store().get_patient(&actor, id, now).await?;
    let (_, entries) = state.store().patient_timeline(&actor, id, now).await?;
    let terms = state.store().ae_terms().await?;
    let l = Layout::new(&ctx, format!("/patients/{id}/timeline"), "patients");
    Ok(render(&TimelinePage {
        patient_id: id.to_string(),
        patient_name: format!("{} {}", patient.family_name, patient.given_names),
        lines: entries.iter().map(|e| line(e, &terms, ctx.lang)).collect(),
        l,
    }))
}
