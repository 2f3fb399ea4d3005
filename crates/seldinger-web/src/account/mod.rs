//! One's own account, whatever one's role: who one is (name, role, language) and one's
//! API tokens (made with a label, the secret shown once; listed; revoked).
//! Not a pathway step: what every user does for themselves. Administrators see and
//! revoke everyone's tokens from the users page (`admin`), but never make one for
//! someone else.
//!
//! - [`pages`]: `/account` (templates in `templates/account/`).
//! - [`api`]: `/api/v1/me/tokens`; [`spec`]: this area's part of the OpenAPI document.
//!
//! Shared here by both faces: [`revoke_own_token`]; a token is made by
//! [`crate::auth::issue_own_token`].

mod api;
mod pages;
mod spec;

use axum::http::Method;
use seldinger_domain::{Access, TokenId};
use seldinger_store::ApiToken;
use serde_json::Value;

use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::json::parse_id;
use crate::routes::{Route, route};

/// This area's routes, each with the access it demands.
#[rustfmt::skip] // One route per line: this is a table, read as one.
pub(crate) fn routes() -> Vec<Route> {
    use Access::SignedIn;
    use Method as M;
    vec![
        route(M::GET,    "/account",                           SignedIn,            pages::account),
        route(M::POST,   "/account/tokens",                    SignedIn,            pages::create_token),
        route(M::POST,   "/account/tokens/{id}/revoke",        SignedIn,            pages::revoke_token),
        route(M::GET,    "/api/v1/me/tokens",                  SignedIn,            api::list_tokens),
        route(M::POST,   "/api/v1/me/tokens",                  SignedIn,            api::create_token),
        route(M::DELETE, "/api/v1/me/tokens/{id}",             SignedIn,            api::revoke_token),
    ]
}

/// This area's part of the OpenAPI document: `tags`, `paths` and `schemas`.
pub(crate) fn openapi() -> Value {
    spec::openapi()
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
