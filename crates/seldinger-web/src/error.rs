//! One error type for the HTTP layer. On the API it is answered as
//! `application/problem+json` (RFC 9457) with field-level details; on pages as a short
//! page in both languages. Internal details are logged (never patient data) and never
//! sent to the client.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use seldinger_domain::{FieldError, Invalid, Lang};
use seldinger_store::{Conflict, StoreError};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the request could not be read (malformed JSON or form, wrong type…).
    #[error("{detail}")]
    BadRequest {
        detail: String,
        field: Option<String>,
    },
    /// 422: well-formed, but some fields break the rules.
    #[error("invalid input")]
    Invalid(Invalid),
    /// 401: no valid session or token.
    #[error("authentication required")]
    Unauthorized,
    /// 403: signed in, but the role does not allow this; or a failed CSRF check.
    #[error("forbidden")]
    Forbidden(&'static str),
    /// 403: this patient is not among the user's (a referring physician reads the
    /// patients they registered or referred); an emergency access opens one, with a
    /// reason.
    #[error("patient outside the user's scope")]
    OutOfScope(Option<seldinger_domain::PatientId>),
    /// 403 with a stable `code`: a rule of the accounts refuses, whatever the role.
    #[error("forbidden: {}", .0.code())]
    Denied(Denial),
    /// 404.
    #[error("not found")]
    NotFound,
    /// 409: a stale version, a taken value, a locked record.
    #[error("conflict")]
    Conflict(Conflict),
    /// 415: the API takes JSON.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// 429: too many sign-in attempts.
    #[error("too many requests")]
    TooManyRequests,
    /// 503: the database does not answer.
    #[error("service unavailable")]
    Unavailable,
    /// 500: a bug; the detail is logged, not shown.
    #[error("internal error")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Forbidden(patient) => AppError::OutOfScope(patient),
            StoreError::Conflict(c) => AppError::Conflict(c),
            StoreError::Invalid(invalid) => AppError::Invalid(invalid),
            StoreError::Unavailable(detail) => {
                tracing::warn!(%detail, "database unavailable");
                AppError::Unavailable
            }
            StoreError::Other(detail) => AppError::Internal(detail),
        }
    }
}

impl From<Invalid> for AppError {
    fn from(err: Invalid) -> Self {
        AppError::Invalid(err)
    }
}

impl From<FieldError> for AppError {
    fn from(err: FieldError) -> Self {
        AppError::Invalid(Invalid(vec![err]))
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::OutOfScope(_) | AppError::Denied(_) => {
                StatusCode::FORBIDDEN
            }
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn title(&self, lang: Lang) -> &'static str {
        let (en, fr) = match self {
            AppError::BadRequest { .. } => {
                ("The request could not be read", "La requête est illisible")
            }
            AppError::Invalid(_) => (
                "Some fields are not valid",
                "Certains champs ne sont pas valides",
            ),
            AppError::Unauthorized => ("Sign-in required", "Connexion requise"),
            AppError::Forbidden(_) => ("Not allowed for your role", "Non autorisé pour votre rôle"),
            AppError::OutOfScope(_) => (
                "This patient is not among yours",
                "Ce patient ne fait pas partie de vos patients",
            ),
            AppError::Denied(_) => ("Not allowed", "Non autorisé"),
            AppError::NotFound => ("Not found", "Introuvable"),
            AppError::Conflict(Conflict::StaleVersion { .. }) => (
                "The record was changed by someone else",
                "Le dossier a été modifié par quelqu'un d'autre",
            ),
            AppError::Conflict(Conflict::Transition(_) | Conflict::Rule(_)) => (
                "Not possible at this step of the pathway",
                "Impossible à cette étape du parcours",
            ),
            AppError::Conflict(Conflict::Booking(_)) => (
                "The booking is not possible",
                "La réservation n'est pas possible",
            ),
            AppError::Conflict(_) => ("Conflict", "Conflit"),
            AppError::UnsupportedMediaType => ("Send JSON", "Envoyez du JSON"),
            AppError::TooManyRequests => (
                "Too many attempts; wait a minute",
                "Trop de tentatives ; patientez une minute",
            ),
            AppError::Unavailable => (
                "The database is not answering; try again shortly",
                "La base de données ne répond pas ; réessayez dans un instant",
            ),
            AppError::Internal(_) => ("Internal error", "Erreur interne"),
        };
        match lang {
            Lang::En => en,
            Lang::Fr => fr,
        }
    }

    /// What is wrong, in `lang` (times in UTC: the API speaks UTC; pages that book show
    /// conflicts themselves, in local time).
    pub fn detail_in(&self, lang: Lang) -> Option<String> {
        match self {
            AppError::Conflict(Conflict::Transition(refusal)) => Some(refusal.message(lang)),
            AppError::Conflict(Conflict::Rule(rule)) => Some(rule.message(lang)),
            AppError::Denied(denial) => Some(denial.message(lang).to_string()),
            AppError::Conflict(Conflict::Booking(conflicts)) => Some(
                conflicts
                    .iter()
                    .map(|c| c.message(lang, &jiff::tz::TimeZone::UTC))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            _ => self.detail(),
        }
    }

    fn detail(&self) -> Option<String> {
        match self {
            AppError::BadRequest { detail, .. } => Some(detail.clone()),
            AppError::Invalid(invalid) => Some(invalid.to_string()),
            AppError::Conflict(
                Conflict::Transition(_) | Conflict::Rule(_) | Conflict::Booking(_),
            )
            | AppError::Denied(_) => self.detail_in(Lang::En),
            AppError::Conflict(c) => Some(c.to_string()),
            AppError::Forbidden(why) => Some((*why).to_string()),
            AppError::OutOfScope(_) => Some(
                "You read the patients you registered or referred. In an emergency, open this \
                 record with a reason (POST /api/v1/patients/{id}/emergency-access): the \
                 access is recorded and reviewed."
                    .into(),
            ),
            _ => None,
        }
    }

    fn log(&self) {
        if let AppError::Internal(detail) = self {
            tracing::error!(%detail, "internal error");
        }
    }

    /// The RFC 9457 answer, for the API.
    pub fn problem(&self) -> Response {
        self.log();
        let status = self.status();
        let mut body = json!({
            "type": "about:blank",
            "title": self.title(Lang::En),
            "status": status.as_u16(),
        });
        if let Some(detail) = self.detail() {
            body["detail"] = json!(detail);
        }
        match self {
            AppError::Invalid(invalid) => {
                body["errors"] = invalid
                    .0
                    .iter()
                    .map(|e| {
                        json!({
                            "pointer": format!("/{}", e.field.replace('.', "/")),
                            "field": e.field,
                            "code": e.problem.code(),
                            "detail": e.problem.message(Lang::En),
                        })
                    })
                    .collect();
            }
            AppError::BadRequest {
                field: Some(field), ..
            } => {
                body["errors"] = json!([{ "pointer": format!("/{}", field.replace('.', "/")), "field": field, "code": "bad_request" }]);
            }
            AppError::Conflict(Conflict::StaleVersion { current }) => {
                body["current_version"] = json!(current);
            }
            AppError::Conflict(Conflict::Duplicate { field }) => {
                body["errors"] = json!([{ "pointer": format!("/{field}"), "field": field, "code": "already_used" }]);
            }
            AppError::Conflict(Conflict::Transition(refusal)) => {
                body["code"] = json!(refusal.code());
            }
            AppError::Conflict(Conflict::Rule(rule)) => {
                body["code"] = json!(rule.code());
            }
            AppError::OutOfScope(patient) => {
                body["code"] = json!("patient_out_of_scope");
                if let Some(patient) = patient {
                    body["patient_id"] = json!(patient);
                }
            }
            AppError::Denied(denial) => {
                body["code"] = json!(denial.code());
            }
            AppError::Unavailable => {
                body["code"] = json!("database_unavailable");
            }
            AppError::Conflict(Conflict::Booking(conflicts)) => {
                body["code"] = json!("booking_conflict");
                body["conflicts"] = conflicts
                    .iter()
                    .map(|c| {
                        json!({
                            "code": c.code(),
                            "resource": c.resource(),
                            "booking": c.booking(),
                            "detail": c.message(Lang::En, &jiff::tz::TimeZone::UTC),
                        })
                    })
                    .collect();
            }
            _ => {}
        }
        let mut response = (status, axum::Json(body)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if matches!(self, AppError::Unauthorized) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }

    /// A short page in both languages, for the interface.
    pub fn page(&self) -> Response {
        self.log();
        let is_conflict = matches!(self, AppError::Conflict(_) | AppError::Denied(_));
        let page = crate::html::ErrorPage {
            status: self.status().as_u16(),
            title_fr: self.title(Lang::Fr),
            title_en: self.title(Lang::En),
            detail_fr: is_conflict.then(|| self.detail_in(Lang::Fr)).flatten(),
            detail_en: is_conflict.then(|| self.detail_in(Lang::En)).flatten(),
            emergency_access: match self {
                AppError::OutOfScope(Some(patient)) => Some(patient.to_string()),
                _ => None,
            },
        };
        (self.status(), crate::html::render(&page)).into_response()
    }
}

/// Why an account rule refuses a request whatever the caller's role (403): its stable
/// code for API clients and its reason in both languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denial {
    /// The password is a temporary one an administrator set: it must be changed first.
    PasswordChangeRequired,
    /// API tokens are made by their owner, or on the host, never for someone else.
    TokenOwnerOnly,
}

impl Denial {
    pub fn code(self) -> &'static str {
        match self {
            Denial::PasswordChangeRequired => "password_change_required",
            Denial::TokenOwnerOnly => "token_owner_only",
        }
    }

    pub fn message(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Denial::PasswordChangeRequired, Lang::En) => {
                "Your password is a temporary one: choose your own (PUT /api/v1/me/password, or the page /account/password) before anything else."
            }
            (Denial::PasswordChangeRequired, Lang::Fr) => {
                "Votre mot de passe est provisoire : choisissez le vôtre (PUT /api/v1/me/password, ou la page /account/password) avant toute autre chose."
            }
            (Denial::TokenOwnerOnly, Lang::En) => {
                "An API token is created by its owner, on their account page or with POST /api/v1/me/tokens, or on the server with `seldinger token create`: never for someone else."
            }
            (Denial::TokenOwnerOnly, Lang::Fr) => {
                "Un jeton d'API est créé par son titulaire, sur la page de son compte ou par POST /api/v1/me/tokens, ou sur le serveur avec `seldinger token create` : jamais pour quelqu'un d'autre."
            }
        }
    }
}

/// An error answered as problem+json.
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(err: E) -> Self {
        ApiError(err.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.problem()
    }
}

/// An error answered as a page.
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(err: E) -> Self {
        PageError(err.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.0.page()
    }
}

/// Why the pathway refused an action, in `lang`, when it is a refusal a page shows
/// beside the action (409): a rule or a transition; `None` for every other error.
pub(crate) fn refusal(err: &AppError, lang: seldinger_domain::Lang) -> Option<String> {
    match err {
        AppError::Conflict(Conflict::Rule(rule)) => Some(rule.message(lang)),
        AppError::Conflict(Conflict::Transition(refusal)) => Some(refusal.message(lang)),
        _ => None,
    }
}

/// A NUL character in a request: it belongs to no identifier, name or text the
/// application takes (and PostgreSQL cannot even compare one). A 400 naming the field,
/// the query parameter, or the address itself (`field` empty).
pub(crate) fn nul_refused(field: String) -> AppError {
    let (detail, field) = if field.is_empty() {
        ("a NUL character is not accepted".to_string(), None)
    } else {
        (
            format!("{field}: a NUL character is not accepted"),
            Some(field),
        )
    };
    AppError::BadRequest { detail, field }
}
