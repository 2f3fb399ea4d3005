//! The session: signing in and out (the sign-in page and `/api/v1/session`), the
//! signed-in user (`/api/v1/me`), their language, the home page's redirect to what their
//! role does first, and the OpenAPI document's route. Not a pathway step: the frame
//! every step is reached through.
//!
//! - [`pages`]: the sign-in page, signing out, the language switch, `/`.
//! - [`api`]: the same over JSON; [`spec`]: this area's part of the OpenAPI document;
//!   [`messages`]: its messages.
//!
//! Shared here by both faces: [`login`] (rate limit, password, audit, new session) and
//! [`sign_out`].

mod api;
mod messages;
mod pages;
mod spec;

use axum::http::Method;
use seldinger_domain::Access;
use seldinger_domain::audit::{AuditAction, ObjectRef};
use seldinger_store::User;
use serde_json::Value;

use crate::auth::{Ctx, Visitor};
use crate::error::AppError;
use crate::routes::{Route, route};
use crate::{AppState, auth, openapi};

pub(crate) use messages::MESSAGES;

/// This area's routes, each with the access it demands.
#[rustfmt::skip] // One route per line: this is a table, read as one.
pub(crate) fn routes() -> Vec<Route> {
    use Access::{Public, SignedIn};
    use Method as M;
    vec![
        route(M::GET,    "/login",                             Public,              pages::login_form),
        route(M::POST,   "/login",                             Public,              pages::login),
        route(M::POST,   "/logout",                            SignedIn,            pages::logout),
        route(M::POST,   "/language",                          SignedIn,            pages::set_language),
        route(M::GET,    "/",                                  SignedIn,            pages::home),
        route(M::GET,    "/api/v1/openapi.json",               SignedIn,            openapi::document),
        route(M::POST,   "/api/v1/session",                    Public,              api::create_session),
        route(M::DELETE, "/api/v1/session",                    SignedIn,            api::delete_session),
        route(M::GET,    "/api/v1/me",                         SignedIn,            api::get_me),
        route(M::PUT,    "/api/v1/me/language",                SignedIn,            api::set_my_language),
    ]
}

/// This area's part of the OpenAPI document: `tags`, `paths` and `schemas`.
pub(crate) fn openapi() -> Value {
    spec::openapi()
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
