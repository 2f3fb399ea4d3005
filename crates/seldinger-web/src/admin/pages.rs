//! The users page (accounts, a new account, disabling one, an API token) and the audit log.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use seldinger_domain::{Permission, Role};
use seldinger_store::{AuditRecord, User};
use serde::Deserialize;

use super::{AuditParams, UserInput, issue_token, new_user, username_taken};
use crate::AppState;
use crate::auth::{self, Ctx};
use crate::error::AppError;
use crate::html::{FieldErrors, FormData, Layout, PageResult, render, render_with, see_other};

#[derive(Template)]
#[template(path = "admin/users.html")]
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
#[template(path = "admin/token.html")]
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
    let token = issue_token(&state, &ctx, &username).await?;
    Ok(render(&TokenPage {
        l: Layout::new(&ctx, "/users", "users"),
        username,
        token,
    }))
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
