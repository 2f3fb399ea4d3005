//! The pages of signing in, patients, users and tokens, and the audit log; the machinery
//! they share with every area is in [`crate::html`].

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
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
use crate::error::AppError;
use crate::html::{
    FieldErrors, FormData, Layout, PageResult, local_path, render, render_with, see_other,
};
use crate::i18n::age;
use crate::json::{parse_id, withdrawal_reason};

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
    let id: PatientId = parse_id(&id)?;
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
            (Some("patient"), Some(id)) if self.l.can(Permission::PatientRead) => {
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
