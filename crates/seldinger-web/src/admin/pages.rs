//! The users page (accounts and their live API tokens; a new account; disabling,
//! enabling, a password reset; revoking a token) and the audit log.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use seldinger_domain::{Permission, Role};
use seldinger_store::{ApiToken, AuditRecord, EmergencyAccess, User};

use super::{
    AuditParams, EmergencyParams, UserInput, new_user, reset_password as reset, token_for,
    username_taken,
};
use crate::auth::Ctx;
use crate::error::{AppError, refusal};
use crate::html::{
    DoneQuery, FieldErrors, FormData, Layout, PageResult, render, render_with, see_other,
};
use crate::json::parse_id;
use crate::{AppState, auth};

/// An account and its live API tokens.
pub struct UserRow {
    user: User,
    tokens: Vec<ApiToken>,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    l: Layout,
    rows: Vec<UserRow>,
    f: UserInput,
    errors: FieldErrors,
    done: Option<&'static str>,
    /// Why the last action changed nothing (a rule of the accounts), in the page's language.
    refused: Option<String>,
}

impl UsersPage {
    async fn new(state: &AppState, ctx: &Ctx) -> Result<Self, AppError> {
        let mut rows = Vec::new();
        for user in state.store().list_users().await? {
            let mut tokens = state.store().list_tokens(user.id).await?;
            tokens.retain(ApiToken::is_live);
            rows.push(UserRow { user, tokens });
        }
        Ok(Self {
            l: Layout::new(ctx, "/users", "users"),
            rows,
            f: UserInput::default(),
            errors: FieldErrors::default(),
            done: None,
            refused: None,
        })
    }

    /// Whether the row is the signed-in administrator's own account.
    pub fn is_me(&self, user: &User) -> bool {
        self.l.user.as_ref().is_some_and(|me| me.id == user.id)
    }

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

pub async fn users(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let mut page = UsersPage::new(&state, &ctx).await?;
    page.done = match q.done.as_str() {
        "created" => Some("users.created"),
        "disabled" => Some("users.disabled.done"),
        "enabled" => Some("users.enabled.done"),
        "revoked" => Some("users.token.revoked"),
        _ => None,
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
    let result = match new_user(&input).await {
        Ok(new) => state
            .store()
            .create_user(&ctx.actor(), new, state.now())
            .await
            .map_err(|e| username_taken(e.into())),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(see_other("/users?done=created")),
        Err(AppError::Invalid(invalid)) => {
            let mut page = UsersPage::new(&state, &ctx).await?;
            page.errors = FieldErrors::from_invalid(&invalid, ctx.lang, |f| f);
            page.f = UserInput {
                password: String::new(),
                ..input
            };
            Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(other) => Err(other.into()),
    }
}

/// Disables an account; one's own or the last active administrator's is refused: the
/// users page comes back (409) saying why, and nothing changed.
pub async fn disable_user(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(username): Path<String>,
) -> PageResult {
    let disabled = state
        .store()
        .disable_user(&ctx.actor(), &username, state.now())
        .await
        .map_err(AppError::from);
    match disabled {
        Ok(_) => Ok(see_other("/users?done=disabled")),
        Err(err) => match refusal(&err, ctx.lang) {
            Some(reason) => {
                let mut page = UsersPage::new(&state, &ctx).await?;
                page.refused = Some(reason);
                Ok(render_with(StatusCode::CONFLICT, &page))
            }
            None => Err(err.into()),
        },
    }
}

pub async fn enable_user(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(username): Path<String>,
) -> PageResult {
    state
        .store()
        .enable_user(&ctx.actor(), &username, state.now())
        .await?;
    Ok(see_other("/users?done=enabled"))
}

#[derive(Template)]
#[template(path = "admin/reset.html")]
pub struct ResetPage {
    l: Layout,
    username: String,
    full_name: String,
    temporary: String,
}

/// Resets a password and shows the temporary one, on this answer only.
pub async fn reset_password(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(username): Path<String>,
) -> PageResult {
    let (user, temporary) = reset(&state, &ctx, &username).await?;
    Ok(render(&ResetPage {
        l: Layout::new(&ctx, "/users", "users"),
        username: user.username,
        full_name: user.full_name,
        temporary,
    }))
}

#[derive(Template)]
#[template(path = "admin/token.html")]
pub struct TokenPage {
    l: Layout,
    username: String,
    token: String,
}

/// A token for one's own account (an older form of `/account`'s); refused (403) for
/// anyone else's.
pub async fn create_token(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(username): Path<String>,
) -> PageResult {
    let (_, token) = token_for(&state, &ctx, &username).await?;
    Ok(render(&TokenPage {
        l: Layout::new(&ctx, "/users", "users"),
        username,
        token,
    }))
}

/// Revokes anyone's token.
pub async fn revoke_token(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    state
        .store()
        .revoke_token(&ctx.actor(), parse_id(&id)?, state.now())
        .await?;
    Ok(see_other("/users?done=revoked"))
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
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
                ("patient", params.patient.as_str()),
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

/// The emergency accesses of a period, for the quality officer.
#[derive(Template)]
#[template(path = "admin/emergency.html")]
pub struct EmergencyPage {
    l: Layout,
    since: String,
    error: Option<String>,
    grants: Vec<EmergencyAccess>,
}

pub async fn emergency_accesses(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<EmergencyParams>,
) -> PageResult {
    let now = state.now();
    let l = Layout::new(&ctx, "/audit/emergency", "audit");
    let (since, limit) = match params.window(now) {
        Ok(window) => window,
        Err(invalid) => {
            let errors = FieldErrors::from_invalid(&invalid, ctx.lang, |f| f);
            return Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &EmergencyPage {
                    l,
                    since: params.since.clone(),
                    error: errors
                        .get("since")
                        .or(errors.get("limit"))
                        .map(str::to_string),
                    grants: Vec::new(),
                },
            ));
        }
    };
    let grants = state
        .store()
        .emergency_accesses(&ctx.actor(), since, limit, now)
        .await?;
    Ok(render(&EmergencyPage {
        l,
        since: since.date().to_string(),
        error: None,
        grants,
    }))
}
