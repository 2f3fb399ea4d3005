//! The HTML machinery every area's pages use: rendering a template ([`render`],
//! [`render_with`]), the frame of every page ([`Layout`]: language, the signed-in user,
//! what their role may do, the CSRF token), reading a form ([`FormData`]) and showing its
//! errors beside their fields ([`FieldErrors`], [`FormRefusal`]), the coded choices of a
//! select ([`Choice`]), the error page, POST/redirect/GET ([`see_other`]) and what the
//! redirect says was done ([`DoneQuery`]), the language a document is asked in
//! ([`document_lang`]).
//!
//! Pages work without JavaScript: forms post and redirect; a form with errors is rendered
//! again with each message beside its field. Templates are askama's, escaped by default;
//! they sit in `templates/`, one folder per area (`base.html`, `error.html` and what
//! several areas include at the top level and in `templates/shared/`).

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use seldinger_domain::{Invalid, Lang, Permission, Role};
use seldinger_store::{Conflict, StoreError, User};

use crate::auth::Ctx;
use crate::error::{AppError, PageError};
use crate::i18n::Tr;
use serde::Deserialize;

/// What a page handler answers: the page, or an error page.
pub(crate) type PageResult = Result<Response, PageError>;

/// Renders a template; a template that fails is a bug, answered 500.
pub fn render<T: Template>(template: &T) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error / erreur interne",
            )
                .into_response()
        }
    }
}

/// A page with a status other than 200 (a form with errors, a refusal).
pub(crate) fn render_with(status: StatusCode, template: &impl Template) -> Response {
    (status, render(template)).into_response()
}

/// How a page shows the store's refusal of its form; any other error is returned as it
/// is (an error page).
pub enum FormRefusal {
    /// Field errors, beside their fields (422).
    Fields(FieldErrors),
    /// Someone saved in the meantime (409, the stored values shown again).
    Stale,
    /// A rule or a transition refused, with its reason (409).
    Reason(String),
}

impl FormRefusal {
    pub fn of(err: StoreError, lang: Lang) -> Result<Self, AppError> {
        match err {
            StoreError::Invalid(invalid) => Ok(Self::Fields(FieldErrors::from_invalid(
                &invalid,
                lang,
                |f| f,
            ))),
            StoreError::Conflict(Conflict::StaleVersion { .. }) => Ok(Self::Stale),
            other => {
                let e = AppError::from(other);
                crate::error::refusal(&e, lang).map(Self::Reason).ok_or(e)
            }
        }
    }
}

/// A code and its label, for a `<select>` or a group of checkboxes.
pub struct Choice {
    pub code: String,
    pub label: String,
}

/// The choices of a coded enumeration: every value, its code, its label.
pub fn choices<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            code: code(*v).to_string(),
            label: label(*v).to_string(),
        })
        .collect()
}

/// The language a printed document is asked in (`?lang=fr|en`), the user's when none.
pub fn document_lang(raw: &str, default: Lang) -> Result<Lang, AppError> {
    match raw.trim() {
        "" => Ok(default),
        raw => raw.parse().map_err(|_| AppError::BadRequest {
            detail: "lang must be fr or en".into(),
            field: Some("lang".into()),
        }),
    }
}

/// What every page's frame needs: language, the signed-in user, the CSRF token, and
/// which section is current.
pub struct Layout {
    pub tr: Tr,
    pub timezone: jiff::tz::TimeZone,
    pub user: Option<User>,
    pub csrf: String,
    pub path: String,
    pub section: &'static str,
}

impl Layout {
    pub fn new(ctx: &Ctx, path: impl Into<String>, section: &'static str) -> Self {
        Self {
            tr: Tr(ctx.lang),
            timezone: ctx.timezone.clone(),
            user: Some(ctx.principal.user.clone()),
            csrf: ctx.csrf().to_string(),
            path: path.into(),
            section,
        }
    }

    pub fn anonymous(lang: Lang) -> Self {
        Self {
            tr: Tr(lang),
            timezone: jiff::tz::TimeZone::UTC,
            user: None,
            csrf: String::new(),
            path: "/".into(),
            section: "",
        }
    }

    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        self.tr.t(key)
    }

    pub fn date(&self, date: &time::Date) -> String {
        self.tr.date(date)
    }

    pub fn datetime(&self, at: &time::OffsetDateTime) -> String {
        self.tr.datetime(at, &self.timezone)
    }

    /// The department's time zone, e.g. Europe/Paris.
    pub fn timezone_name(&self) -> &str {
        self.timezone.iana_name().unwrap_or("UTC")
    }

    pub fn number(&self, n: usize) -> String {
        self.tr.number(i64::try_from(n).unwrap_or(i64::MAX))
    }

    pub fn lang_code(&self) -> &'static str {
        self.tr.0.code()
    }

    pub fn other_lang(&self) -> &'static str {
        match self.tr.0 {
            Lang::Fr => "en",
            Lang::En => "fr",
        }
    }

    /// Whether the signed-in user's role holds `permission` (what a page offers; each
    /// route checks its own access).
    pub fn can(&self, permission: Permission) -> bool {
        self.user.as_ref().is_some_and(|u| u.role.can(permission))
    }

    /// A local wall-clock time (HH:MM) of an instant, in the department's zone.
    pub fn time(&self, at: &time::OffsetDateTime) -> String {
        let local = seldinger_domain::localtime::to_local(*at, &self.timezone);
        format!("{:02}:{:02}", local.hour(), local.minute())
    }

    /// The local date of an instant, in the department's zone.
    pub fn local_date(&self, at: &time::OffsetDateTime) -> String {
        self.date(&seldinger_domain::localtime::to_local(*at, &self.timezone).date())
    }

    /// The language code of the page, for choosing a text in a [`Bilingual`].
    ///
    /// [`Bilingual`]: seldinger_domain::catalog::Bilingual
    pub fn lang(&self) -> Lang {
        self.tr.0
    }

    pub fn role_label(&self, role: &Role) -> &'static str {
        role.label(self.tr.0)
    }

    pub fn user_role(&self) -> &'static str {
        self.user
            .as_ref()
            .map(|u| u.role.label(self.tr.0))
            .unwrap_or("")
    }

    pub fn user_name(&self) -> &str {
        self.user
            .as_ref()
            .map(|u| u.full_name.as_str())
            .unwrap_or("")
    }

    pub fn signed_in(&self) -> bool {
        self.user.is_some()
    }

    /// The signed-in user must replace a temporary password before anything else: the
    /// frame offers nothing else.
    pub fn password_is_temporary(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.must_change_password)
    }

    pub fn is(&self, section: &str) -> bool {
        self.section == section
    }
}

/// An urlencoded form as its pairs (repeated keys kept, as checkboxes send them).
pub struct FormData(Vec<(String, String)>);

impl FormData {
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, v)| k == name && !v.is_empty())
    }
}

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| AppError::BadRequest {
                detail: format!("unreadable form: {e}"),
                field: None,
            })?;
        let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).map_err(|e| {
            PageError(AppError::BadRequest {
                detail: format!("malformed form: {e}"),
                field: None,
            })
        })?;
        if let Some((name, _)) = form
            .iter()
            .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        {
            return Err(PageError(crate::error::nul_refused(name.clone())));
        }
        Ok(FormData(form))
    }
}

/// Field messages keyed by field name, in the page's language.
#[derive(Default)]
pub struct FieldErrors(HashMap<String, String>);

impl FieldErrors {
    pub fn from_invalid(invalid: &Invalid, lang: Lang, map: fn(&str) -> &str) -> Self {
        let mut errors = HashMap::new();
        for e in &invalid.0 {
            errors
                .entry(map(&e.field).to_string())
                .or_insert_with(|| e.problem.message(lang));
        }
        Self(errors)
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }
}

/// Only local paths are followed after sign-in or a language switch.
pub(crate) fn local_path(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/"
    }
}

/// POST/redirect/GET: 303 to `to`.
pub(crate) fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

#[derive(Deserialize, Default)]
/// What a redirect after an action says was done (`?done=saved`), for the page to say it.
pub struct DoneQuery {
    #[serde(default)]
    pub done: String,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub title_fr: &'static str,
    pub title_en: &'static str,
    /// What exactly was refused (a pathway conflict), in both languages.
    pub detail_fr: Option<String>,
    pub detail_en: Option<String>,
    /// A patient outside the user's scope: the id of the patient an emergency access
    /// would open (the page links to its form).
    pub emergency_access: Option<String>,
}
