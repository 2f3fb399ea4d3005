//! Accounts, API tokens and the audit log over JSON.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use seldinger_store::AuditRecord;
use serde::Serialize;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::{
    AuditParams, EmergencyParams, UserInput, new_user, reset_password as reset, token_for,
    user_named, username_taken,
};
use crate::AppState;
use crate::auth::Ctx;
use crate::json::{ApiJson, ApiQuery, ApiResult, parse_id};
use crate::outputs::{EmergencyAccessOut, NewTokenOut, TokenOut, UserOut};

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

pub async fn enable_user(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(username): Path<String>,
) -> ApiResult<axum::Json<UserOut>> {
    let user = state
        .store()
        .enable_user(&ctx.actor(), &username, state.now())
        .await?;
    Ok(axum::Json(user.into()))
}

/// Resets a user's password to a temporary one, in this answer and nowhere else.
pub async fn reset_password(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(username): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    let (user, temporary) = reset(&state, &ctx, &username).await?;
    Ok(axum::Json(
        json!({ "username": user.username, "temporary_password": temporary }),
    ))
}

/// A user's API tokens, live and revoked (never their secrets).
pub async fn list_tokens(
    State(state): State<AppState>,
    Path(username): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    let user = user_named(&state, &username).await?;
    let tokens: Vec<TokenOut> = state
        .store()
        .list_tokens(user.id)
        .await?
        .into_iter()
        .map(TokenOut::from)
        .collect();
    Ok(axum::Json(json!({ "items": tokens })))
}

/// Refused (403 `token_owner_only`) unless `username` is the caller, for whom it is
/// made; the secret is in the answer and nowhere else.
pub async fn create_token(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(username): Path<String>,
) -> ApiResult<NewTokenOut> {
    let (token, secret) = token_for(&state, &ctx, &username).await?;
    Ok(NewTokenOut::new(token, secret))
}

/// Revokes anyone's token.
pub async fn revoke_token(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<TokenOut>> {
    let token = state
        .store()
        .revoke_token(&ctx.actor(), parse_id(&id)?, state.now())
        .await?;
    Ok(axum::Json(token.into()))
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
    /// The patients whose data the entry exposed or changed.
    pub patients: Vec<seldinger_domain::PatientId>,
    /// The route template (or command) the action came through.
    pub via: Option<String>,
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
            patients: r.patients,
            via: r.via,
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

/// Emergency accesses opened since a day, newest first: who opened which record, why,
/// until when (the quality officer's review).
pub async fn emergency_accesses(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(params): ApiQuery<EmergencyParams>,
) -> ApiResult<axum::Json<Value>> {
    let now = state.now();
    let (since, limit) = params.window(now)?;
    let items: Vec<EmergencyAccessOut> = state
        .store()
        .emergency_accesses(&ctx.actor(), since, limit, now)
        .await?
        .into_iter()
        .map(EmergencyAccessOut::from)
        .collect();
    Ok(axum::Json(json!({ "items": items })))
}
