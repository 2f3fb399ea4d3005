//! The JSON API of the session, patients, users and tokens, and the audit log; the
//! extractors it shares with every area are in [`crate::json`].

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use seldinger_domain::audit::{AuditAction, ObjectRef};
use seldinger_domain::patient::{NewPatient, PatientInput, PatientQuery, RawEntry, parse_date};
use seldinger_domain::user::{NewPassword, Username, full_name};
use seldinger_domain::{
    FieldError, Invalid, Lang, PatientId, Permission, Role, invalid::Collector, invalid::Problem,
};
use seldinger_store::{AuditFilter, AuditRecord, NewUser, Patient, User};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::AppState;
use crate::auth::{self, Ctx, Visitor};
use crate::error::{ApiError, AppError};
use crate::json::{ApiJson, ApiQuery, ApiResult, parse_id, withdrawal_reason};
use crate::outputs::{PatientOut, UserOut};

fn with_duplicates(patient: Patient, duplicates: &[Patient]) -> Value {
    let mut body = json!(PatientOut::from(patient));
    body["possible_duplicates"] = duplicates.iter().map(|d| json!(d.id)).collect();
    body
}

pub async fn create_patient(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<PatientInput>,
) -> ApiResult<Response> {
    let now = state.now();
    let patient = NewPatient::parse(&input, now)?;
    let actor = ctx.actor();
    let duplicates = state
        .store()
        .possible_duplicates(&actor, &patient, None, now)
        .await?;
    let created = state.store().create_patient(&actor, &patient, now).await?;
    let location = format!("/api/v1/patients/{}", created.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        axum::Json(with_duplicates(created, &duplicates)),
    )
        .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    #[serde(default)]
    pub q: String,
    pub limit: Option<u64>,
}

pub async fn search_patients(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> ApiResult<axum::Json<Value>> {
    let query = PatientQuery::parse(&params.q)?;
    let limit = params.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(FieldError::new(
            "limit",
            Problem::BadFormat {
                expected: "a number from 1 to 200",
            },
        )
        .into());
    }
    let found = state
        .store()
        .search_patients(&ctx.actor(), &query, limit, state.now())
        .await?;
    let items: Vec<PatientOut> = found.into_iter().map(PatientOut::from).collect();
    Ok(axum::Json(json!({ "items": items })))
}

pub async fn get_patient(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<PatientOut>> {
    let id: PatientId = parse_id(&id)?;
    let patient = state
        .store()
        .get_patient(&ctx.actor(), id, state.now())
        .await?;
    Ok(axum::Json(patient.into()))
}

/// The body of `PUT /api/v1/patients/{id}`: the whole record and the version it was read at.
/// It repeats `PatientInput`'s fields because `#[serde(flatten)]` would silently disable
/// `deny_unknown_fields`, and an unknown field must be refused.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatientUpdate {
    pub version: i64,
    #[serde(default)]
    pub mrn: String,
    #[serde(default)]
    pub family_name: String,
    #[serde(default)]
    pub given_names: String,
    #[serde(default)]
    pub birth_date: String,
    #[serde(default)]
    pub sex: String,
    #[serde(default)]
    pub allergies: Vec<RawEntry>,
    #[serde(default)]
    pub anticoagulants: Vec<RawEntry>,
}

pub async fn update_patient(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PatientUpdate>,
) -> ApiResult<axum::Json<Value>> {
    let id: PatientId = parse_id(&id)?;
    let now = state.now();
    let input = PatientInput {
        mrn: body.mrn,
        family_name: body.family_name,
        given_names: body.given_names,
        birth_date: body.birth_date,
        sex: body.sex,
        allergies: body.allergies,
        anticoagulants: body.anticoagulants,
    };
    let patient = NewPatient::parse(&input, now)?;
    let actor = ctx.actor();
    let duplicates = state
        .store()
        .possible_duplicates(&actor, &patient, Some(id), now)
        .await?;
    let updated = state
        .store()
        .update_patient(&actor, id, body.version, &patient, now)
        .await?;
    Ok(axum::Json(with_duplicates(updated, &duplicates)))
}

/// The body of `DELETE /api/v1/patients/{id}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatientWithdrawal {
    pub version: i64,
    #[serde(default)]
    pub reason: String,
}

/// Withdraws a patient registered in error (a soft delete, audited with its reason).
pub async fn delete_patient(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PatientWithdrawal>,
) -> ApiResult<StatusCode> {
    let id: PatientId = parse_id(&id)?;
    let reason = withdrawal_reason(&body.reason)?;
    state
        .store()
        .delete_patient(&ctx.actor(), id, body.version, &reason, state.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn me_body(user: User, csrf: Option<&str>) -> Value {
    let permissions: Vec<Permission> = user.role.permissions().to_vec();
    let mut body = json!(UserOut::from(user));
    body["permissions"] = json!(permissions);
    if let Some(csrf) = csrf {
        body["csrf_token"] = json!(csrf);
    }
    body
}

pub async fn get_me(ctx: Ctx) -> axum::Json<Value> {
    let csrf = ctx.principal.session.as_ref().map(|s| s.csrf_token.clone());
    axum::Json(me_body(ctx.principal.user, csrf.as_deref()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageBody {
    pub language: String,
}

pub async fn set_my_language(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<LanguageBody>,
) -> ApiResult<axum::Json<Value>> {
    let language: Lang = body.language.parse()?;
    state
        .store()
        .set_language(ctx.principal.user.id, language)
        .await?;
    let user = User {
        language,
        ..ctx.principal.user
    };
    Ok(axum::Json(me_body(user, None)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInBody {
    pub username: String,
    pub password: String,
}

/// Signs in and sets the session cookie; the body carries the CSRF token to send back
/// in `X-CSRF-Token` on writes.
pub async fn create_session(
    State(state): State<AppState>,
    visitor: Visitor,
    ApiJson(body): ApiJson<SignInBody>,
) -> ApiResult<Response> {
    match login(&state, &visitor, &body.username, &body.password).await? {
        Some((user, session_id)) => {
            let csrf = state
                .store()
                .session(
                    &auth::digest(&session_id),
                    state.now(),
                    state.config().session_idle,
                )
                .await?
                .map(|(_, s)| s.csrf_token);
            let cookie = auth::session_cookie(&session_id, state.config().secure_cookies);
            Ok((
                [(header::SET_COOKIE, cookie)],
                axum::Json(me_body(user, csrf.as_deref())),
            )
                .into_response())
        }
        None => Err(ApiError(AppError::Unauthorized)),
    }
}

/// Checks the rate limit and the password, audits the attempt, opens the session.
pub(crate) async fn login(
    state: &AppState,
    visitor: &Visitor,
    username: &str,
    password: &str,
) -> Result<Option<(User, String)>, AppError> {
    let now = state.now();
    let key = visitor
        .client_addr
        .clone()
        .unwrap_or_else(|| "unknown".into());
    let attempted = username.trim().to_lowercase();
    let attempted: String = attempted.chars().take(64).collect();
    let actor = seldinger_domain::audit::Actor {
        user_id: None,
        username: attempted.clone(),
        role: None,
        client_addr: visitor.client_addr.clone(),
    };
    if !state
        .0
        .limiter
        .allow(&key, now, state.config().login_attempts_per_minute)
    {
        state
            .store()
            .audit(
                &actor,
                AuditAction::LoginFailed,
                None,
                Some("rate limited"),
                now,
            )
            .await?;
        return Err(AppError::TooManyRequests);
    }
    match auth::sign_in(state, &attempted, password).await? {
        Some((user, session)) => {
            let actor = user.actor(visitor.client_addr.clone());
            state
                .store()
                .audit(
                    &actor,
                    AuditAction::LoginSucceeded,
                    Some(&ObjectRef::new("user", user.id)),
                    None,
                    now,
                )
                .await?;
            Ok(Some((user, session)))
        }
        None => {
            state
                .store()
                .audit(&actor, AuditAction::LoginFailed, None, None, now)
                .await?;
            Ok(None)
        }
    }
}

pub async fn delete_session(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Response> {
    sign_out(&state, &ctx).await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, auth::expired_session_cookie())],
    )
        .into_response())
}

pub(crate) async fn sign_out(state: &AppState, ctx: &Ctx) -> Result<(), AppError> {
    if let Some(session) = &ctx.principal.session {
        state.store().delete_session(&session.id_hash).await?;
    }
    state
        .store()
        .audit(&ctx.actor(), AuditAction::Logout, None, None, state.now())
        .await?;
    Ok(())
}

pub async fn list_users(State(state): State<AppState>) -> ApiResult<axum::Json<Value>> {
    let users: Vec<UserOut> = state
        .store()
        .list_users()
        .await?
        .into_iter()
        .map(UserOut::from)
        .collect();
    Ok(axum::Json(json!({ "items": users })))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub full_name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub password: String,
}

/// Validates a new account and hashes its password.
pub(crate) async fn new_user(input: &UserInput) -> Result<NewUser, AppError> {
    let mut errors = Collector::default();
    let username = errors.check(Username::parse(&input.username));
    let full_name = errors.check(full_name(&input.full_name));
    let role = errors.check(Role::parse(&input.role));
    let language = errors.check(
        input
            .language
            .as_deref()
            .filter(|l| !l.is_empty())
            .unwrap_or("fr")
            .parse::<Lang>(),
    );
    let password = errors.check(NewPassword::parse(&input.password));
    errors.finish()?;
    match (username, full_name, role, language, password) {
        (Some(username), Some(full_name), Some(role), Some(language), Some(password)) => {
            Ok(NewUser {
                username,
                full_name,
                role,
                language,
                password_hash: auth::hash_password_blocking(password.expose().to_string()).await?,
            })
        }
        _ => Err(AppError::Invalid(Invalid(Vec::new()))),
    }
}

pub(crate) fn username_taken(err: AppError) -> AppError {
    match err {
        AppError::Conflict(seldinger_store::Conflict::Duplicate { field: "username" }) => {
            AppError::Invalid(Invalid::one("username", Problem::AlreadyUsed))
        }
        other => other,
    }
}

pub async fn create_user(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<UserInput>,
) -> ApiResult<Response> {
    let new = new_user(&input).await?;
    let user = state
        .store()
        .create_user(&ctx.actor(), new, state.now())
        .await
        .map_err(|e| username_taken(e.into()))?;
    Ok((StatusCode::CREATED, axum::Json(UserOut::from(user))).into_response())
}

pub async fn disable_user(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(username): Path<String>,
) -> ApiResult<axum::Json<UserOut>> {
    let user = state
        .store()
        .disable_user(&ctx.actor(), &username, state.now())
        .await?;
    Ok(axum::Json(user.into()))
}

/// Creates an API token for a user; the token is in the answer and nowhere else.
pub async fn create_token(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(username): Path<String>,
) -> ApiResult<Response> {
    let token = issue_token(&state, &ctx, &username).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({ "username": username, "token": token })),
    )
        .into_response())
}

pub(crate) async fn issue_token(
    state: &AppState,
    ctx: &Ctx,
    username: &str,
) -> Result<String, AppError> {
    let user = state
        .store()
        .user_with_password(username)
        .await?
        .ok_or(AppError::NotFound)?
        .0;
    let token = auth::new_secret("sld_");
    state
        .store()
        .create_token(&ctx.actor(), user.id, &auth::digest(&token), state.now())
        .await?;
    Ok(token)
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    #[serde(default)]
    pub object: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub since: String,
    #[serde(default)]
    pub until: String,
    pub before: Option<i64>,
    pub limit: Option<u64>,
}

impl AuditParams {
    pub fn filter(&self) -> Result<AuditFilter, Invalid> {
        let mut errors = Collector::default();
        let object = match self.object.trim() {
            "" => None,
            raw => errors.check(ObjectRef::parse(raw).ok_or_else(|| {
                FieldError::new(
                    "object",
                    Problem::BadFormat {
                        expected: "type/id",
                    },
                )
            })),
        };
        let action = match self.action.trim() {
            "" => None,
            raw => errors.check(AuditAction::parse(raw)),
        };
        let day = |field: &str, raw: &str| -> Option<OffsetDateTime> {
            (!raw.trim().is_empty())
                .then(|| parse_date(field, raw).map(|d| d.midnight().assume_utc()))?
                .ok()
        };
        let since = day("since", &self.since);
        if since.is_none() && !self.since.trim().is_empty() {
            errors.push(FieldError::new("since", Problem::NotADate));
        }
        let until = day("until", &self.until).map(|d| d + time::Duration::days(1));
        if until.is_none() && !self.until.trim().is_empty() {
            errors.push(FieldError::new("until", Problem::NotADate));
        }
        errors.finish()?;
        Ok(AuditFilter {
            object,
            username: Some(self.username.trim().to_lowercase()).filter(|u| !u.is_empty()),
            action,
            since,
            until,
            before_id: self.before,
            limit: self.limit.unwrap_or(100).clamp(1, 1000),
        })
    }
}

#[derive(Serialize)]
pub struct AuditOut {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub username: String,
    pub role: Option<String>,
    pub action: String,
    pub object: Option<String>,
    pub client_addr: Option<String>,
    pub detail: Option<String>,
}

impl From<AuditRecord> for AuditOut {
    fn from(r: AuditRecord) -> Self {
        let object = match (r.object_type, r.object_id) {
            (Some(kind), Some(id)) => Some(format!("{kind}/{id}")),
            _ => None,
        };
        Self {
            id: r.id,
            at: r.at,
            username: r.username,
            role: r.role,
            action: r.action,
            object,
            client_addr: r.client_addr,
            detail: r.detail,
        }
    }
}

pub async fn list_audit(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(params): ApiQuery<AuditParams>,
) -> ApiResult<axum::Json<Value>> {
    let filter = params.filter()?;
    let items: Vec<AuditOut> = state
        .store()
        .list_audit(&ctx.actor(), &filter, state.now())
        .await?
        .into_iter()
        .map(AuditOut::from)
        .collect();
    Ok(axum::Json(json!({ "items": items })))
}
