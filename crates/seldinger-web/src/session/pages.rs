//! The sign-in page, signing out, the language switch, and the home redirect.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use seldinger_domain::{Lang, Permission};
use serde::Deserialize;

use super::sign_out;
use crate::auth::{Ctx, LANG_COOKIE, Visitor};
use crate::error::AppError;
use crate::html::{FormData, Layout, PageResult, local_path, render, render_with, see_other};
use crate::{AppState, auth};

#[derive(Template)]
#[template(path = "session/login.html")]
pub struct LoginPage {
    l: Layout,
    next: String,
    username: String,
    message: Option<&'static str>,
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    lang: String,
}

pub async fn login_form(visitor: Visitor, Query(query): Query<LoginQuery>) -> Response {
    let chosen: Option<Lang> = query.lang.parse().ok();
    let lang = chosen.unwrap_or(visitor.lang);
    let page = LoginPage {
        l: Layout::anonymous(lang),
        next: local_path(&query.next).to_string(),
        username: String::new(),
        message: (!query.next.is_empty() && query.next != "/").then_some("login.expired"),
    };
    let mut response = render(&page);
    if let Some(lang) = chosen
        && let Ok(value) = format!(
            "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
            lang.code()
        )
        .parse()
    {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

pub async fn login(State(state): State<AppState>, visitor: Visitor, form: FormData) -> PageResult {
    let next = local_path(form.get("next")).to_string();
    let username = form.get("username").to_string();
    let failed = |message: &'static str, status: StatusCode| {
        let page = LoginPage {
            l: Layout::anonymous(visitor.lang),
            next: next.clone(),
            username: username.clone(),
            message: Some(message),
        };
        render_with(status, &page)
    };
    match super::login(&state, &visitor, &username, form.get("password")).await {
        Ok(Some((user, session_id))) => {
            let cookie = auth::session_cookie(&session_id, state.config().secure_cookies);
            // A temporary password is replaced before going anywhere.
            let to = if user.must_change_password {
                auth::PASSWORD_PAGE
            } else {
                &next
            };
            Ok(([(header::SET_COOKIE, cookie)], Redirect::to(to)).into_response())
        }
        Ok(None) => Ok(failed("login.failed", StatusCode::UNAUTHORIZED)),
        Err(AppError::TooManyRequests) => {
            Ok(failed("login.limited", StatusCode::TOO_MANY_REQUESTS))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn logout(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    sign_out(&state, &ctx).await?;
    Ok((
        [(header::SET_COOKIE, auth::expired_session_cookie())],
        Redirect::to("/login"),
    )
        .into_response())
}

pub async fn set_language(State(state): State<AppState>, ctx: Ctx, form: FormData) -> PageResult {
    let language: Lang = form.get("language").parse().map_err(AppError::from)?;
    state
        .store()
        .set_language(ctx.principal.user.id, language)
        .await?;
    Ok(see_other(local_path(form.get("next"))))
}

pub async fn home(ctx: Ctx) -> Response {
    let target = if ctx.can(Permission::CaseRead) {
        "/worklists"
    } else if ctx.can(Permission::PatientRead) {
        "/patients"
    } else if ctx.can(Permission::UserAdmin) {
        "/users"
    } else {
        "/audit"
    };
    see_other(target)
}
