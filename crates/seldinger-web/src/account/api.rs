//! One's own API tokens over JSON.

use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};

use super::revoke_own_token;
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
