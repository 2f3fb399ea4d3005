//! One's own API tokens and password over JSON.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{change_password as change, revoke_own_token};
use crate::AppState;
use crate::auth::{self, Ctx};
use crate::json::{ApiJson, ApiResult};
use crate::outputs::{NewTokenOut, TokenOut};

pub async fn list_tokens(State(state): State<AppState>, ctx: Ctx) -> ApiResult<axum::Json<Value>> {
    let tokens: Vec<TokenOut> = state
        .store()
        .list_tokens(ctx.principal.user.id)
        .await?
        .into_iter()
        .map(TokenOut::from)
        .collect();
    Ok(axum::Json(json!({ "items": tokens })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenInput {
    #[serde(default)]
    pub label: String,
}

/// Creates an API token for the caller; its secret is in this answer and nowhere else.
pub async fn create_token(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<TokenInput>,
) -> ApiResult<NewTokenOut> {
    let (token, secret) = auth::issue_own_token(&state, &ctx, &input.label).await?;
    Ok(NewTokenOut::new(token, secret))
}

pub async fn revoke_token(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<TokenOut>> {
    let token = revoke_own_token(&state, &ctx, &id).await?;
    Ok(axum::Json(token.into()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the caller's password: 204, and with a browser session a new session cookie
/// (every session and token of the user ended; `GET /api/v1/me` gives the new session's
/// CSRF token).
pub async fn change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<PasswordChange>,
) -> ApiResult<Response> {
    let session = change(
        &state,
        &ctx,
        &body.current_password,
        &body.new_password,
        None,
    )
    .await?;
    Ok(match session {
        Some(id) => {
            let cookie = auth::session_cookie(&id, state.config().secure_cookies);
            (StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response()
        }
        None => StatusCode::NO_CONTENT.into_response(),
    })
}
