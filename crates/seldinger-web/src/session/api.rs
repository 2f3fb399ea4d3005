//! The session over JSON: signing in and out, the signed-in user, their language.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use seldinger_domain::{Lang, Permission};
use seldinger_store::User;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{login, sign_out};
use crate::auth::{Ctx, Visitor};
use crate::error::{ApiError, AppError};
use crate::json::{ApiJson, ApiResult};
use crate::outputs::UserOut;
use crate::{AppState, auth};

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

pub async fn delete_session(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Response> {
    sign_out(&state, &ctx).await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, auth::expired_session_cookie())],
    )
        .into_response())
}
