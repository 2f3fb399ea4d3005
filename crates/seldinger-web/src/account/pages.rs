//! The account page (who one is, one's API tokens) and the password page.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use seldinger_domain::Permission;
use seldinger_store::{ApiToken, User};

use super::{change_password as change, revoke_own_token};
use crate::AppState;
use crate::auth::{self, Ctx};
use crate::error::AppError;
use crate::html::{
    DoneQuery, FieldErrors, FormData, Layout, PageResult, render, render_with, see_other,
};

/// A token just made: its label and its secret, shown on this answer only.
pub struct Created {
    label: Option<String>,
    secret: String,
}

#[derive(Template)]
#[template(path = "account/account.html")]
pub struct AccountPage {
    l: Layout,
    user: User,
    tokens: Vec<ApiToken>,
    created: Option<Created>,
    label: String,
    errors: FieldErrors,
    done: Option<&'static str>,
}

impl AccountPage {
    fn new(ctx: &Ctx, tokens: Vec<ApiToken>) -> Self {
        Self {
            l: Layout::new(ctx, "/account", "account"),
            user: ctx.principal.user.clone(),
            tokens,
            created: None,
            label: String::new(),
            errors: FieldErrors::default(),
            done: None,
        }
    }

    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    pub fn language_name(&self) -> &'static str {
        match self.user.language {
            seldinger_domain::Lang::Fr => "Français",
            seldinger_domain::Lang::En => "English",
        }
    }

    /// The tokens that still open the API, newest first (as the store lists them).
    pub fn live(&self) -> impl Iterator<Item = &ApiToken> {
        self.tokens.iter().filter(|t| t.is_live())
    }

    pub fn revoked(&self) -> impl Iterator<Item = &ApiToken> {
        self.tokens.iter().filter(|t| !t.is_live())
    }

    pub fn has_live(&self) -> bool {
        self.tokens.iter().any(ApiToken::is_live)
    }

    pub fn has_revoked(&self) -> bool {
        self.tokens.iter().any(|t| !t.is_live())
    }
}

pub async fn account(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let tokens = state.store().list_tokens(ctx.principal.user.id).await?;
    let mut page = AccountPage::new(&ctx, tokens);
    page.done = match q.done.as_str() {
        "revoked" => Some("account.token.revoked"),
        "password" => Some("account.password.changed"),
        _ => None,
    };
    Ok(render(&page))
}

/// Makes a token and shows its secret on this answer, the only time it is shown (the
/// answer is not stored by the browser: every page is `no-store`).
pub async fn create_token(State(state): State<AppState>, ctx: Ctx, form: FormData) -> PageResult {
    let label = form.get("label");
    match auth::issue_own_token(&state, &ctx, label).await {
        Ok((token, secret)) => {
            let tokens = state.store().list_tokens(ctx.principal.user.id).await?;
            let mut page = AccountPage::new(&ctx, tokens);
            page.created = Some(Created {
                label: token.label,
                secret,
            });
            Ok(render_with(StatusCode::CREATED, &page))
        }
        Err(AppError::Invalid(invalid)) => {
            let tokens = state.store().list_tokens(ctx.principal.user.id).await?;
            let mut page = AccountPage::new(&ctx, tokens);
            page.errors = FieldErrors::from_invalid(&invalid, ctx.lang, |f| f);
            page.label = label.to_string();
            Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    revoke_own_token(&state, &ctx, &id).await?;
    Ok(see_other("/account?done=revoked"))
}

#[derive(Template)]
#[template(path = "account/password.html")]
pub struct PasswordPage {
    l: Layout,
    /// The password is a temporary one: say why the user is here.
    forced: bool,
    errors: FieldErrors,
}

impl PasswordPage {
    fn new(ctx: &Ctx, errors: FieldErrors) -> Self {
        Self {
            l: Layout::new(ctx, "/account/password", "account"),
            forced: ctx.principal.user.must_change_password,
            errors,
        }
    }

    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }
}

pub async fn password_form(ctx: Ctx) -> PageResult {
    Ok(render(&PasswordPage::new(&ctx, FieldErrors::default())))
}

/// Changes the password, then opens a new session (the store ended every session of the
/// user) and goes back to the account page.
pub async fn change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    form: FormData,
) -> PageResult {
    let changed = change(
        &state,
        &ctx,
        form.get("current_password"),
        form.get("new_password"),
        Some(form.get("new_password_again")),
    )
    .await;
    match changed {
        Ok(session) => {
            let done = see_other("/account?done=password");
            Ok(match session {
                Some(id) => {
                    let cookie = auth::session_cookie(&id, state.config().secure_cookies);
                    ([(header::SET_COOKIE, cookie)], done).into_response()
                }
                None => done,
            })
        }
        Err(AppError::Invalid(invalid)) => {
            let errors = FieldErrors::from_invalid(&invalid, ctx.lang, |f| f);
            let page = PasswordPage::new(&ctx, errors);
            Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(other) => Err(other.into()),
    }
}
