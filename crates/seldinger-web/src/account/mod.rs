//! One's own account, whatever one's role: who one is (name, role, language), one's API
//! tokens (made with a label, the secret shown once; listed; revoked) and one's password
//! (changed with the current one; a temporary password an administrator set must be
//! replaced before anything else — [`crate::auth::require`] sends every other page here).
//! Not a pathway step: what every user does for themselves. Administrators see and
//! revoke everyone's tokens from the users page (`admin`), but never make one for
//! someone else.
//!
//! - [`pages`]: `/account` and `/account/password` (templates in `templates/account/`).
//! - [`api`]: `/api/v1/me/tokens` and `/api/v1/me/password`; [`spec`]: this area's part
//!   of the OpenAPI document.
//!
//! Shared here by both faces: [`change_password`] and [`revoke_own_token`]; a token is
//! made by [`crate::auth::issue_own_token`].

mod api;
mod messages;
mod pages;
mod spec;

use axum::http::Method;
use seldinger_domain::invalid::{Collector, Problem};
use seldinger_domain::user::NewPassword;
use seldinger_domain::{Access, FieldError, TokenId};
use seldinger_store::ApiToken;
use serde_json::Value;

use crate::AppState;
use crate::auth::{self, Ctx};
use crate::error::AppError;
use crate::json::parse_id;
use crate::routes::{Route, route};

pub(crate) use messages::MESSAGES;

/// This area's routes, each with the access it demands.
#[rustfmt::skip] // One route per line: this is a table, read as one.
pub(crate) fn routes() -> Vec<Route> {
    use Access::SignedIn;
    use Method as M;
    vec![
        route(M::GET,    "/account",                           SignedIn,            pages::account),
        route(M::POST,   "/account/tokens",                    SignedIn,            pages::create_token),
        route(M::POST,   "/account/tokens/{id}/revoke",        SignedIn,            pages::revoke_token),
        route(M::GET,    "/account/password",                  SignedIn,            pages::password_form),
        route(M::POST,   "/account/password",                  SignedIn,            pages::change_password),
        route(M::GET,    "/api/v1/me/tokens",                  SignedIn,            api::list_tokens),
        route(M::POST,   "/api/v1/me/tokens",                  SignedIn,            api::create_token),
        route(M::DELETE, "/api/v1/me/tokens/{id}",             SignedIn,            api::revoke_token),
        route(M::PUT,    "/api/v1/me/password",                SignedIn,            api::change_password),
    ]
}

/// This area's part of the OpenAPI document: `tags`, `paths` and `schemas`.
pub(crate) fn openapi() -> Value {
    spec::openapi()
}

/// Replaces the caller's password: the current one must be right (422 on
/// `current_password`, counted like sign-in attempts, per account), the new one must
/// follow [`NewPassword`]'s rules, differ from the current one and, on the page, be typed
/// the same twice (`again`). The store ends every session and revokes every API token of
/// the user (the one of this call included); a caller that came with a browser session
/// gets a new one: its cookie value is returned.
pub(crate) async fn change_password(
    state: &AppState,
    ctx: &Ctx,
    current: &str,
    new: &str,
    again: Option<&str>,
) -> Result<Option<String>, AppError> {
    let user = &ctx.principal.user;
    let now = state.now();
    if !state.0.limiter.allow(
        &format!("password-change:{}", user.id),
        now,
        state.config().login_attempts_per_minute,
    ) {
        return Err(AppError::TooManyRequests);
    }
    let (_, stored_hash) = state
        .store()
        .user_with_password(&user.username)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = Collector::default();
    let new_password = errors
        .check(NewPassword::parse(new).map_err(|e| FieldError::new("new_password", e.problem)));
    if again.is_some_and(|again| again != new) {
        errors.push(FieldError::new("new_password_again", Problem::Mismatch));
    }
    let (hash, typed) = (stored_hash.clone(), current.to_string());
    let current_is_right = !current.is_empty()
        && tokio::task::spawn_blocking(move || auth::verify_password(&hash, &typed))
            .await
            .map_err(|e| AppError::Internal(format!("verify task: {e}")))?;
    if current.is_empty() {
        errors.push(FieldError::new("current_password", Problem::Required));
    } else if !current_is_right {
        errors.push(FieldError::new("current_password", Problem::WrongPassword));
    } else if new_password.is_some() && new == current {
        errors.push(FieldError::new("new_password", Problem::Unchanged));
    }
    errors.finish()?;
    let new_hash = auth::hash_password_blocking(new.to_string()).await?;
    state
        .store()
        .change_password(&ctx.actor(), user.id, &stored_hash, &new_hash, now)
        .await?;
    match ctx.principal.session {
        Some(_) => Ok(Some(auth::open_session(state, user).await?)),
        None => Ok(None),
    }
}

/// Revokes one of the caller's own tokens. Someone else's token is not found here, even
/// by an administrator (who revokes it from the users page or `DELETE /api/v1/tokens/{id}`).
pub(crate) async fn revoke_own_token(
    state: &AppState,
    ctx: &Ctx,
    raw_id: &str,
) -> Result<ApiToken, AppError> {
    let id: TokenId = parse_id(raw_id)?;
    let own = state
        .store()
        .list_tokens(ctx.principal.user.id)
        .await?
        .iter()
        .any(|t| t.id == id);
    if !own {
        return Err(AppError::NotFound);
    }
    Ok(state
        .store()
        .revoke_token(&ctx.actor(), id, state.now())
        .await?)
}
