//! The interface: server-rendered pages that work without JavaScript. Forms post and
//! redirect (POST/redirect/GET); a form with errors is rendered again with each message
//! beside its field. Templates are askama's, escaped by default.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use seldinger_domain::invalid::Problem;
use seldinger_domain::patient::{
    AllergyKind, AnticoagulantDrug, NewPatient, PatientInput, PatientQuery, RawEntry, Sex,
};
use seldinger_domain::{Invalid, Lang, PatientId, Permission, Role};
use seldinger_store::{AuditRecord, Conflict, Patient, StoreError, User};
use serde::Deserialize;

use crate::AppState;
use crate::api::{self, AuditParams, UserInput};
use crate::auth::{self, Ctx, LANG_COOKIE, Visitor};
use crate::error::{AppError, PageError};
use crate::i18n::{Tr, age};

type PageResult = Result<Response, PageError>;

/// Renders a template; a template that fails is a bug, answered 500.
pub fn render<T: Template>(template: &T) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error / erreur interne",
            )
                .into_response()
        }
    }
}

fn render_with(status: StatusCode, template: &impl Template) -> Response {
    (status, render(template)).into_response()
}

/// How a page shows the store's refusal of its form; any other error is returned as it
/// is (an error page).
pub enum FormRefusal {
    /// Field errors, beside their fields (422).
    Fields(FieldErrors),
    /// Someone saved in the meantime (409, the stored values shown again).
    Stale,
    /// A rule or a transition refused, with its reason (409).
    Reason(String),
}

impl FormRefusal {
    pub fn of(err: StoreError, lang: Lang) -> Result<Self, AppError> {
        match err {
            StoreError::Invalid(invalid) => Ok(Self::Fields(FieldErrors::from_invalid(
                &invalid,
                lang,
                |f| f,
            ))),
            StoreError::Conflict(Conflict::StaleVersion { .. }) => Ok(Self::Stale),
            other => {
                let e = AppError::from(other);
                crate::error::refusal(&e, lang).map(Self::Reason).ok_or(e)
            }
        }
    }
}

/// A code and its label, for a `<select>` or a group of checkboxes.
pub struct Choice {
    pub code: String,
    pub label: String,
}

/// The choices of a coded enumeration: every value, its code, its label.
pub fn choices<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            code: code(*v).to_string(),
            label: label(*v).to_string(),
        })
        .collect()
}

/// The language a printed document is asked in (`?lang=fr|en`), the user's when none.
pub fn document_lang(raw: &str, default: Lang) -> Result<Lang, AppError> {
    match raw.trim() {
        "" => Ok(default),
        raw => raw.parse().map_err(|_| AppError::BadRequest {
            detail: "lang must be fr or en".into(),
            field: Some("lang".into()),
        }),
    }
}

/// What every page's frame needs: language, the signed-in user, the CSRF token, and
/// which section is current.
pub struct Layout {
    pub tr: Tr,
    pub timezone: jiff::tz::TimeZone,
    pub user: Option<User>,
    pub csrf: String,
    pub path: String,
    pub section: &'static str,
}

impl Layout {
    pub fn new(ctx: &Ctx, path: impl Into<String>, section: &'static str) -> Self {
        Self {
            tr: Tr(ctx.lang),
            timezone: ctx.timezone.clone(),
            user: Some(ctx.principal.user.clone()),
            csrf: ctx.csrf().to_string(),
            path: path.into(),
            section,
        }
    }

    pub fn anonymous(lang: Lang) -> Self {
        Self {
            tr: Tr(lang),
            timezone: jiff::tz::TimeZone::UTC,
            user: None,
            csrf: String::new(),
            path: "/".into(),
            section: "",
        }
    }

    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        self.tr.t(key)
    }

    pub fn date(&self, date: &time::Date) -> String {
        self.tr.date(date)
    }

    pub fn datetime(&self, at: &time::OffsetDateTime) -> String {
        self.tr.datetime(at, &self.timezone)
    }

    /// The department's time zone, e.g. Europe/Paris.
    pub fn timezone_name(&self) -> &str {
        self.timezone.iana_name().unwrap_or("UTC")
    }

    pub fn number(&self, n: usize) -> String {
        self.tr.number(i64::try_from(n).unwrap_or(i64::MAX))
    }

    pub fn lang_code(&self) -> &'static str {
        self.tr.0.code()
    }

    pub fn other_lang(&self) -> &'static str {
        match self.tr.0 {
            Lang::Fr => "en",
            Lang::En => "fr",
        }
    }

    fn can(&self, permission: Permission) -> bool {
        self.user.as_ref().is_some_and(|u| u.role.can(permission))
    }

    pub fn can_read_patients(&self) -> bool {
        self.can(Permission::PatientRead)
    }

    pub fn can_write_patients(&self) -> bool {
        self.can(Permission::PatientWrite)
    }

    pub fn can_admin_users(&self) -> bool {
        self.can(Permission::UserAdmin)
    }

    pub fn can_read_audit(&self) -> bool {
        self.can(Permission::AuditRead)
    }

    pub fn can_read_cases(&self) -> bool {
        self.can(Permission::CaseRead)
    }

    pub fn can_refer(&self) -> bool {
        self.can(Permission::ReferralCreate)
    }

    pub fn can_triage(&self) -> bool {
        self.can(Permission::Triage)
    }

    pub fn can_cancel_cases(&self) -> bool {
        self.can(Permission::CaseCancel)
    }

    pub fn can_book_consultations(&self) -> bool {
        self.can(Permission::ConsultationBook)
    }

    pub fn can_record_consultations(&self) -> bool {
        self.can(Permission::ConsultationRecord)
    }

    pub fn can_manage_mdt(&self) -> bool {
        self.can(Permission::MdtManage)
    }

    pub fn can_decide_mdt(&self) -> bool {
        self.can(Permission::MdtDecide)
    }

    pub fn can_book(&self) -> bool {
        self.can(Permission::BookingManage)
    }

    pub fn can_edit_checklist(&self) -> bool {
        self.can(Permission::ChecklistEdit)
    }

    pub fn can_time_out(&self) -> bool {
        self.can(Permission::TimeOut)
    }

    pub fn can_admin_catalog(&self) -> bool {
        self.can(Permission::CatalogAdmin)
    }

    pub fn can_admin_resources(&self) -> bool {
        self.can(Permission::ResourceAdmin)
    }

    pub fn can_edit_reports(&self) -> bool {
        self.can(Permission::ReportEdit)
    }

    pub fn can_sign_reports(&self) -> bool {
        self.can(Permission::ReportSign)
    }

    pub fn can_record_pathology(&self) -> bool {
        self.can(Permission::PathologyRecord)
    }

    pub fn can_record_events(&self) -> bool {
        self.can(Permission::AdverseEventRecord)
    }

    pub fn can_report_events(&self) -> bool {
        self.can(Permission::AdverseEventReport)
    }

    pub fn can_record_follow_up(&self) -> bool {
        self.can(Permission::FollowUpRecord)
    }

    pub fn can_close_cases(&self) -> bool {
        self.can(Permission::CaseClose)
    }

    /// A local wall-clock time (HH:MM) of an instant, in the department's zone.
    pub fn time(&self, at: &time::OffsetDateTime) -> String {
        let local = seldinger_domain::localtime::to_local(*at, &self.timezone);
        format!("{:02}:{:02}", local.hour(), local.minute())
    }

    /// The local date of an instant, in the department's zone.
    pub fn local_date(&self, at: &time::OffsetDateTime) -> String {
        self.date(&seldinger_domain::localtime::to_local(*at, &self.timezone).date())
    }

    /// The language code of the page, for choosing a text in a [`Bilingual`].
    ///
    /// [`Bilingual`]: seldinger_domain::catalog::Bilingual
    pub fn lang(&self) -> Lang {
        self.tr.0
    }

    pub fn role_label(&self, role: &Role) -> &'static str {
        role.label(self.tr.0)
    }

    pub fn user_role(&self) -> &'static str {
        self.user
            .as_ref()
            .map(|u| u.role.label(self.tr.0))
            .unwrap_or("")
    }

    pub fn user_name(&self) -> &str {
        self.user
            .as_ref()
            .map(|u| u.full_name.as_str())
            .unwrap_or("")
    }

    pub fn signed_in(&self) -> bool {
        self.user.is_some()
    }

    pub fn is(&self, section: &str) -> bool {
        self.section == section
    }
}

/// An urlencoded form as its pairs (repeated keys kept, as checkboxes send them).
pub struct FormData(Vec<(String, String)>);

impl FormData {
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, v)| k == name && !v.is_empty())
    }
}

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| AppError::BadRequest {
                detail: format!("unreadable form: {e}"),
                field: None,
            })?;
        serde_urlencoded::from_bytes(&bytes)
            .map(FormData)
            .map_err(|e| {
                PageError(AppError::BadRequest {
                    detail: format!("malformed form: {e}"),
                    field: None,
                })
            })
    }
}

/// Field messages keyed by field name, in the page's language.
#[derive(Default)]
pub struct FieldErrors(HashMap<String, String>);

impl FieldErrors {
    pub fn from_invalid(invalid: &Invalid, lang: Lang, map: fn(&str) -> &str) -> Self {
        let mut errors = HashMap::new();
        for e in &invalid.0 {
            errors
                .entry(map(&e.field).to_string())
                .or_insert_with(|| e.problem.message(lang));
        }
        Self(errors)
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }
}

/// Only local paths are followed after sign-in or a language switch.
fn local_path(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/"
    }
}

fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub title_fr: &'static str,
    pub title_en: &'static str,
    /// What exactly was refused (a pathway conflict), in both languages.
    pub detail_fr: Option<String>,
    pub detail_en: Option<String>,
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    l: Layout,
    next: String,
    username: String,
    message: Option<&'static str>,
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    lang: String,
}

pub async fn login_form(visitor: Visitor, Query(query): Query<LoginQuery>) -> Response {
    let chosen: Option<Lang> = query.lang.parse().ok();
    let lang = chosen.unwrap_or(visitor.lang);
    let page = LoginPage {
        l: Layout::anonymous(lang),
        next: local_path(&query.next).to_string(),
        username: String::new(),
        message: (!query.next.is_empty() && query.next != "/").then_some("login.expired"),
    };
    let mut response = render(&page);
    if let Some(lang) = chosen
        && let Ok(value) = format!(
            "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
            lang.code()
        )
        .parse()
    {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

pub async fn login(State(state): State<AppState>, visitor: Visitor, form: FormData) -> PageResult {
    let next = local_path(form.get("next")).to_string();
    let username = form.get("username").to_string();
    let failed = |message: &'static str, status: StatusCode| {
        let page = LoginPage {
            l: Layout::anonymous(visitor.lang),
            next: next.clone(),
            username: username.clone(),
            message: Some(message),
        };
        render_with(status, &page)
    };
    match api::login(&state, &visitor, &username, form.get("password")).await {
        Ok(Some((_, session_id))) => {
            let cookie = auth::session_cookie(&session_id, state.config().secure_cookies);
            Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response())
        }
        Ok(None) => Ok(failed("login.failed", StatusCode::UNAUTHORIZED)),
        Err(AppError::TooManyRequests) => {
            Ok(failed("login.limited", StatusCode::TOO_MANY_REQUESTS))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn logout(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    api::sign_out(&state, &ctx).await?;
    Ok((
        [(header::SET_COOKIE, auth::expired_session_cookie())],
        Redirect::to("/login"),
    )
        .into_response())
}

pub async fn set_language(State(state): State<AppState>, ctx: Ctx, form: FormData) -> PageResult {
    let language: Lang = form.get("language").parse().map_err(AppError::from)?;
    state
        .store()
        .set_language(ctx.principal.user.id, language)
        .await?;
    Ok(see_other(local_path(form.get("next"))))
}

pub async fn home(ctx: Ctx) -> Response {
    let target = if ctx.can(Permission::CaseRead) {
        "/worklists"
    } else if ctx.can(Permission::PatientRead) {
        "/patients"
    } else if ctx.can(Permission::UserAdmin) {
        "/users"
    } else {
        "/audit"
    };
    see_other(target)
}

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
#[template(path = "patients.html")]
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
#[template(path = "patient.html")]
pub struct PatientPage {
    l: Layout,
    row: PatientRow,
    saved: bool,
    cases: crate::cases::PatientCases,
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
    let id = api::parse_patient_id(&id)?;
    let now = state.now();
    let patient = state.store().get_patient(&ctx.actor(), id, now).await?;
    let cases = crate::cases::patient_cases(&state, &ctx, id).await?;
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
#[template(path = "patient_form.html")]
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
    let id = api::parse_patient_id(&id)?;
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
    let id = api::parse_patient_id(&id)?;
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
    let id = api::parse_patient_id(&id)?;
    let now = state.now();
    let actor = ctx.actor();
    let version: i64 = form.get("version").parse().unwrap_or(0);
    let result = match api::withdrawal_reason(form.get("reason")) {
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

#[derive(Template)]
#[template(path = "users.html")]
pub struct UsersPage {
    l: Layout,
    users: Vec<User>,
    f: UserInput,
    errors: FieldErrors,
    done: Option<&'static str>,
}

impl UsersPage {
    pub fn roles(&self) -> &'static [Role] {
        Role::ALL
    }

    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    pub fn chosen_language(&self) -> &str {
        self.f.language.as_deref().unwrap_or("fr")
    }
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

pub async fn users(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let done = match q.done.as_str() {
        "created" => Some("users.created"),
        "disabled" => Some("users.disabled.done"),
        _ => None,
    };
    let page = UsersPage {
        l: Layout::new(&ctx, "/users", "users"),
        users: state.store().list_users().await?,
        f: UserInput::default(),
        errors: FieldErrors::default(),
        done,
    };
    Ok(render(&page))
}

pub async fn create_user(State(state): State<AppState>, ctx: Ctx, form: FormData) -> PageResult {
    let input = UserInput {
        username: form.get("username").into(),
        full_name: form.get("full_name").into(),
        role: form.get("role").into(),
        language: Some(form.get("language").to_string()),
        password: form.get("password").into(),
    };
    let result = match api::new_user(&input).await {
        Ok(new) => state
            .store()
            .create_user(&ctx.actor(), new, state.now())
            .await
            .map_err(|e| api::username_taken(e.into())),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(see_other("/users?done=created")),
        Err(AppError::Invalid(invalid)) => {
            let page = UsersPage {
                l: Layout::new(&ctx, "/users", "users"),
                users: state.store().list_users().await?,
                errors: FieldErrors::from_invalid(&invalid, ctx.lang, |f| f),
                f: UserInput {
                    password: String::new(),
                    ..input
                },
                done: None,
            };
            Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn disable_user(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(username): Path<String>,
) -> PageResult {
    state
        .store()
        .disable_user(&ctx.actor(), &username, state.now())
        .await?;
    Ok(see_other("/users?done=disabled"))
}

#[derive(Template)]
#[template(path = "token.html")]
pub struct TokenPage {
    l: Layout,
    username: String,
    token: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(username): Path<String>,
) -> PageResult {
    let token = api::issue_token(&state, &ctx, &username).await?;
    Ok(render(&TokenPage {
        l: Layout::new(&ctx, "/users", "users"),
        username,
        token,
    }))
}

#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    l: Layout,
    f: AuditParams,
    entries: Vec<AuditRecord>,
    errors: FieldErrors,
    older: Option<String>,
}

impl AuditPage {
    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    pub fn object(&self, e: &AuditRecord) -> String {
        match (&e.object_type, &e.object_id) {
            (Some(kind), Some(id)) => format!("{kind}/{id}"),
            _ => String::new(),
        }
    }

    /// Links an entry's object to its page when there is one.
    pub fn object_link(&self, e: &AuditRecord) -> Option<String> {
        match (e.object_type.as_deref(), &e.object_id) {
            (Some("patient"), Some(id)) if self.l.can_read_patients() => {
                Some(format!("/patients/{id}"))
            }
            _ => None,
        }
    }

    /// The role of an entry in the page's language (entries of the system have none).
    pub fn role(&self, e: &AuditRecord) -> &'static str {
        e.role
            .as_deref()
            .and_then(|r| Role::parse(r).ok())
            .map(|r| r.label(self.l.tr.0))
            .unwrap_or("")
    }

    /// The records a search entry names (its detail is `results=N id id …`), to list them
    /// folded instead of as one long line.
    pub fn result_ids(&self, e: &AuditRecord) -> Vec<String> {
        match e.detail.as_deref() {
            Some(detail) if detail.starts_with("results=") => detail
                .split_whitespace()
                .skip(1)
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        }
    }

    pub fn actions(&self) -> &'static [seldinger_domain::audit::AuditAction] {
        seldinger_domain::audit::AuditAction::ALL
    }
}

pub async fn audit(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<AuditParams>,
) -> PageResult {
    let l = Layout::new(&ctx, "/audit", "audit");
    let filter = match params.filter() {
        Ok(filter) => filter,
        Err(invalid) => {
            let errors = FieldErrors::from_invalid(&invalid, ctx.lang, |f| f);
            let page = AuditPage {
                l,
                f: params,
                entries: Vec::new(),
                errors,
                older: None,
            };
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let entries = state
        .store()
        .list_audit(&ctx.actor(), &filter, state.now())
        .await?;
    let older = (entries.len() as u64 == filter.limit)
        .then(|| entries.last().map(|e| e.id))
        .flatten()
        .map(|before| {
            let query = [
                ("object", params.object.as_str()),
                ("username", params.username.as_str()),
                ("action", params.action.as_str()),
                ("since", params.since.as_str()),
                ("until", params.until.as_str()),
                ("before", &before.to_string()),
            ]
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", auth::urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
            format!("/audit?{query}")
        });
    Ok(render(&AuditPage {
        l,
        f: params,
        entries,
        errors: FieldErrors::default(),
        older,
    }))
}
