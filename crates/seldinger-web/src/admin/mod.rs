//! Administration: accounts (create, disable — never one's own nor the last active
//! administrator —, enable, reset a password to a temporary one shown once), everyone's
//! API tokens (seen and revoked, never made for someone else: a token is made by its
//! owner, in `account`, or on the host), and the audit log, read-only, with its filters.
//! Not a pathway step: who may use the system, and the record of everything that was
//! done with patient data (PRODUCT.md, "What every part must respect").
//!
//! - [`pages`]: the users page and the audit log (templates in `templates/admin/`).
//! - [`api`]: the same over JSON; [`spec`]: this area's part of the OpenAPI document;
//!   [`messages`]: its messages.
//!
//! Shared here by both faces: reading a new account ([`UserInput`], [`new_user`]), a
//! token asked for a user ([`token_for`]: only one's own), a password reset
//! ([`reset_password`]), reading the audit filter ([`AuditParams`]).

mod api;
mod messages;
mod pages;
mod spec;

use axum::http::Method;
use seldinger_domain::audit::{AuditAction, ObjectRef};
use seldinger_domain::invalid::{Collector, Problem};
use seldinger_domain::patient::parse_date;
use seldinger_domain::user::{NewPassword, Username, full_name, temporary_password};
use seldinger_domain::{Access, FieldError, Invalid, Lang, PatientId, Permission, Role};
use seldinger_store::{ApiToken, AuditFilter, NewUser, User};
use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;

use crate::auth::Ctx;
use crate::error::{AppError, Denial};
use crate::routes::{Route, route};
use crate::{AppState, auth};

pub(crate) use messages::MESSAGES;

/// This area's routes, each with the access it demands.
#[rustfmt::skip] // One route per line: this is a table, read as one.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Needs;
    use Method as M;
    use Permission::*;
    vec![
        route(M::GET,    "/users",                             Needs(UserAdmin),    pages::users),
        route(M::POST,   "/users",                             Needs(UserAdmin),    pages::create_user),
        route(M::POST,   "/users/{username}/disable",          Needs(UserAdmin),    pages::disable_user),
        route(M::POST,   "/users/{username}/enable",           Needs(UserAdmin),    pages::enable_user),
        route(M::POST,   "/users/{username}/password-reset",   Needs(UserAdmin),    pages::reset_password),
        route(M::POST,   "/users/{username}/tokens",           Needs(UserAdmin),    pages::create_token),
        route(M::POST,   "/tokens/{id}/revoke",                Needs(UserAdmin),    pages::revoke_token),
        route(M::GET,    "/audit",                             Needs(AuditRead),    pages::audit),
        route(M::GET,    "/audit/emergency",                   Needs(AuditRead),    pages::emergency_accesses),
        route(M::GET,    "/api/v1/users",                      Needs(UserAdmin),    api::list_users),
        route(M::POST,   "/api/v1/users",                      Needs(UserAdmin),    api::create_user),
        route(M::POST,   "/api/v1/users/{username}/disable",   Needs(UserAdmin),    api::disable_user),
        route(M::POST,   "/api/v1/users/{username}/enable",    Needs(UserAdmin),    api::enable_user),
        route(M::POST,   "/api/v1/users/{username}/password-reset", Needs(UserAdmin), api::reset_password),
        route(M::GET,    "/api/v1/users/{username}/tokens",    Needs(UserAdmin),    api::list_tokens),
        route(M::POST,   "/api/v1/users/{username}/tokens",    Needs(UserAdmin),    api::create_token),
        route(M::DELETE, "/api/v1/tokens/{id}",                Needs(UserAdmin),    api::revoke_token),
        route(M::GET,    "/api/v1/audit",                      Needs(AuditRead),    api::list_audit),
        route(M::GET,    "/api/v1/emergency-accesses",         Needs(AuditRead),    api::emergency_accesses),
    ]
}

/// This area's part of the OpenAPI document: `tags`, `paths` and `schemas`.
pub(crate) fn openapi() -> Value {
    spec::openapi()
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

/// A token asked for `username`: made when that is the caller (without a label),
/// refused (403 `token_owner_only`) for anyone else — an administrator holding a
/// clinician's token could read patients as them, which administrators may not.
pub(crate) async fn token_for(
    state: &AppState,
    ctx: &Ctx,
    username: &str,
) -> Result<(ApiToken, String), AppError> {
    if username != ctx.principal.user.username {
        return Err(AppError::Denied(Denial::TokenOwnerOnly));
    }
    auth::issue_own_token(state, ctx, "").await
}

/// Gives `username` a temporary password (returned, to be shown once): they must choose
/// their own at the next sign-in; the store ends their sessions and revokes their tokens
/// and audits the reset.
pub(crate) async fn reset_password(
    state: &AppState,
    ctx: &Ctx,
    username: &str,
) -> Result<(User, String), AppError> {
    let temporary = temporary_password(&mut rand::rng());
    let hash = auth::hash_password_blocking(temporary.expose().to_string()).await?;
    let user = state
        .store()
        .reset_password(&ctx.actor(), username, &hash, state.now())
        .await?;
    Ok((user, temporary.expose().to_string()))
}

/// An account by its username, or 404.
pub(crate) async fn user_named(state: &AppState, username: &str) -> Result<User, AppError> {
    Ok(state
        .store()
        .user_with_password(username)
        .await?
        .ok_or(AppError::NotFound)?
        .0)
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// A patient's id: the entries that exposed or changed this patient's data.
    #[serde(default)]
    pub patient: String,
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
        let patient = match self.patient.trim() {
            "" => None,
            raw => errors.check(raw.parse::<uuid::Uuid>().map(PatientId::from_uuid).map_err(
                |_| {
                    FieldError::new(
                        "patient",
                        Problem::BadFormat {
                            expected: "a patient id (UUID)",
                        },
                    )
                },
            )),
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
        let limit = self.limit.unwrap_or(100);
        if !(1..=1000).contains(&limit) {
            errors.push(FieldError::new(
                "limit",
                Problem::BadFormat {
                    expected: "a number from 1 to 1000",
                },
            ));
        }
        errors.finish()?;
        Ok(AuditFilter {
            patient,
            object,
            username: Some(self.username.trim().to_lowercase()).filter(|u| !u.is_empty()),
            action,
            since,
            until,
            before_id: self.before,
            limit,
        })
    }
}

/// Which emergency accesses to list: since a day (30 days back by default).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct EmergencyParams {
    #[serde(default)]
    pub since: String,
    pub limit: Option<u64>,
}

impl EmergencyParams {
    /// The first instant listed and how many at most, or the field in error.
    pub fn window(&self, now: OffsetDateTime) -> Result<(OffsetDateTime, u64), Invalid> {
        let since = match self.since.trim() {
            "" => now - time::Duration::days(30),
            raw => parse_date("since", raw)
                .map_err(|e| Invalid(vec![e]))?
                .midnight()
                .assume_utc(),
        };
        let limit = self.limit.unwrap_or(200);
        if !(1..=500).contains(&limit) {
            return Err(Invalid::one(
                "limit",
                Problem::BadFormat {
                    expected: "a number from 1 to 500",
                },
            ));
        }
        Ok((since, limit))
    }
}
