//! Who is calling, and may they?
//!
//! - Passwords: argon2id (PHC strings), hashed and checked off the async threads.
//! - Browser sessions: a random id in an `HttpOnly; SameSite=Lax` cookie; the server keeps
//!   only its SHA-256 digest, with an idle expiry.
//! - API tokens: `Authorization: Bearer sld_…`, shown once, stored as a digest.
//! - CSRF: every state-changing request must come from our own origin (`Origin` and
//!   `Sec-Fetch-Site` when the browser sends them) and, when authenticated by the session
//!   cookie, carry the session's CSRF token (`_csrf` form field or `X-CSRF-Token` header).
//! - Sign-in attempts are limited per client address ([`LoginLimiter`]).
//! - A user whose password is a temporary one an administrator set may only replace it,
//!   sign out and read who they are ([`TEMPORARY_PASSWORD_ALLOWS`]): every page sends
//!   them to `/account/password`, every other API call is refused (403
//!   `password_change_required`).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use seldinger_domain::audit::Actor;
use seldinger_domain::{Access, Lang, Permission};
use seldinger_store::User;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use crate::error::{AppError, Denial};
use crate::{AppState, is_api};

pub const SESSION_COOKIE: &str = "seldinger_session";
pub const LANG_COOKIE: &str = "seldinger_lang";
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The largest form body read for its CSRF field.
const FORM_LIMIT: usize = 256 * 1024;

/// Hashes a password with argon2id and a random salt. Slow on purpose: call from a
/// blocking thread.
pub fn hash_password(password: &str) -> Result<String, AppError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("hash: {e}")))
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// Runs the hash off the async worker threads.
pub async fn hash_password_blocking(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(format!("hash task: {e}")))?
}

/// A new random secret (session id, API token, CSRF token), URL-safe.
pub fn new_secret(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
    )
}

/// What the server keeps of a secret.
pub fn digest(secret: &str) -> String {
    let hash = Sha256::digest(secret.as_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The caller, once authenticated.
#[derive(Clone, Debug)]
pub struct Principal {
    pub user: User,
    /// Set when the caller came with the session cookie (not a bearer token).
    pub session: Option<SessionInfo>,
}

#[derive(Clone, Debug)]
pub struct SessionInfo {
    pub id_hash: String,
    pub csrf_token: String,
}

impl Principal {
    pub fn can(&self, permission: Permission) -> bool {
        self.user.role.can(permission)
    }
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

pub fn session_cookie(value: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax{secure}")
}

pub fn expired_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

/// The client's address: the socket peer, or the first `X-Forwarded-For` hop when the
/// server sits behind a trusted proxy.
pub fn client_addr(
    parts_headers: &HeaderMap,
    connect: Option<&ConnectInfo<SocketAddr>>,
    trust_forwarded: bool,
) -> Option<String> {
    if trust_forwarded
        && let Some(forwarded) = parts_headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
        && let Some(first) = forwarded.split(',').next()
    {
        let first = first.trim();
        if first.parse::<std::net::IpAddr>().is_ok() {
            return Some(first.to_string());
        }
    }
    connect.map(|c| c.0.ip().to_string())
}

/// The language of an anonymous visitor: the language cookie, else `Accept-Language`.
pub fn visitor_lang(headers: &HeaderMap) -> Lang {
    if let Some(lang) = cookie(headers, LANG_COOKIE).and_then(|v| v.parse().ok()) {
        return lang;
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match accept.trim_start().get(..2) {
        Some("en") => Lang::En,
        _ => Lang::Fr,
    }
}

/// Resolves the caller from a bearer token or the session cookie and leaves a
/// [`Principal`] in the request extensions. It refuses nothing itself: each route's
/// [`Access`] is checked by [`require`].
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .map(str::to_string);
    let principal = if let Some(token) = bearer {
        match state.store().user_for_token(&digest(&token)).await {
            Ok(user) => user.map(|user| Principal {
                user,
                session: None,
            }),
            Err(e) => return respond_error(req.uri().path(), e.into()),
        }
    } else if let Some(session_id) = cookie(req.headers(), SESSION_COOKIE).filter(|v| !v.is_empty())
    {
        let id_hash = digest(&session_id);
        match state
            .store()
            .session(&id_hash, state.now(), state.config().session_idle)
            .await
        {
            Ok(found) => found.map(|(user, session)| Principal {
                user,
                session: Some(SessionInfo {
                    id_hash,
                    csrf_token: session.csrf_token,
                }),
            }),
            Err(e) => return respond_error(req.uri().path(), e.into()),
        }
    } else {
        None
    };
    if let Some(principal) = principal {
        req.extensions_mut().insert(principal);
    }
    next.run(req).await
}

pub(crate) fn respond_error(path: &str, err: AppError) -> Response {
    if is_api(path) {
        err.problem()
    } else {
        err.page()
    }
}

fn is_unsafe(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Refuses a state-changing request that a browser says comes from another site.
fn cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return true;
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
        return origin == "null" || origin_host != host;
    }
    false
}

/// The routes a user whose password is temporary may still reach (method, route
/// template): the password change itself, signing out, who they are, the language switch.
/// Everything else waits until they have chosen their own password.
pub(crate) const TEMPORARY_PASSWORD_ALLOWS: &[(&str, &str)] = &[
    ("GET", "/account/password"),
    ("POST", "/account/password"),
    ("PUT", "/api/v1/me/password"),
    ("GET", "/api/v1/me"),
    ("POST", "/logout"),
    ("DELETE", "/api/v1/session"),
    ("POST", "/language"),
];

/// Whether a route stays open to a user whose password is temporary.
pub(crate) fn open_with_temporary_password(method: &Method, template: &str) -> bool {
    TEMPORARY_PASSWORD_ALLOWS
        .iter()
        .any(|(m, t)| *m == method.as_str() && *t == template)
}

/// Where every page sends a user whose password is temporary.
pub(crate) const PASSWORD_PAGE: &str = "/account/password";

/// Checks a route's [`Access`], that a temporary password was replaced (unless the route
/// is [`open_with_temporary_password`]), and CSRF on state-changing requests. Attached to
/// every route by [`crate::routes::router`].
pub async fn require(
    access: Access,
    open_to_temporary: bool,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    let api = is_api(&path);
    if is_unsafe(req.method()) && cross_site(req.headers()) {
        return respond_error(&path, AppError::Forbidden("cross-site request refused"));
    }
    if access == Access::Public {
        return next.run(req).await;
    }
    let Some(principal) = req.extensions().get::<Principal>().cloned() else {
        if api {
            return AppError::Unauthorized.problem();
        }
        let next_url = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let target = format!("/login?next={}", urlencode(next_url));
        return Redirect::to(&target).into_response();
    };
    if principal.user.must_change_password && !open_to_temporary {
        if api {
            return AppError::Denied(Denial::PasswordChangeRequired).problem();
        }
        return Redirect::to(PASSWORD_PAGE).into_response();
    }
    if !principal.user.role.allows(access) {
        return respond_error(&path, AppError::Forbidden("your role does not allow this"));
    }
    let req = match (&principal.session, is_unsafe(req.method())) {
        (Some(session), true) => match check_csrf(req, &session.csrf_token).await {
            Ok(req) => req,
            Err(err) => return respond_error(&path, err),
        },
        _ => req,
    };
    next.run(req).await
}

/// Finds the CSRF token in the header or the urlencoded form, and hands the request on
/// with its body intact.
async fn check_csrf(req: Request, expected: &str) -> Result<Request, AppError> {
    if let Some(token) = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        return if constant_time_eq(token.as_bytes(), expected.as_bytes()) {
            Ok(req)
        } else {
            Err(AppError::Forbidden("CSRF token does not match"))
        };
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(AppError::Forbidden(
            "CSRF token missing (send the X-CSRF-Token header)",
        ));
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, FORM_LIMIT)
        .await
        .map_err(|_| AppError::BadRequest {
            detail: "form too large".into(),
            field: None,
        })?;
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(&bytes).map_err(|e| AppError::BadRequest {
            detail: format!("malformed form: {e}"),
            field: None,
        })?;
    let found = pairs
        .iter()
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    if !constant_time_eq(found.as_bytes(), expected.as_bytes()) {
        return Err(AppError::Forbidden(
            "CSRF token missing or wrong; reload the page",
        ));
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|v| v[1..].to_string())
        .unwrap_or_default()
}

/// The signed-in caller with what handlers need: language, audit actor, CSRF token.
/// Extracting it fails with 401 when nobody is signed in.
pub struct Ctx {
    pub principal: Principal,
    pub lang: Lang,
    pub client_addr: Option<String>,
    pub timezone: jiff::tz::TimeZone,
    /// The route the request came through, as its template (`GET /cases/{id}`): what the
    /// audit log records as the way in.
    pub via: Option<String>,
}

impl Ctx {
    pub fn actor(&self) -> Actor {
        let actor = self.principal.user.actor(self.client_addr.clone());
        match &self.via {
            Some(via) => actor.via(via.clone()),
            None => actor,
        }
    }

    pub fn csrf(&self) -> &str {
        self.principal
            .session
            .as_ref()
            .map(|s| s.csrf_token.as_str())
            .unwrap_or("")
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.principal.can(permission)
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let principal = parts
            .extensions
            .get::<Principal>()
            .cloned()
            .ok_or_else(|| respond_error(parts.uri.path(), AppError::Unauthorized))?;
        let connect = parts.extensions.get::<ConnectInfo<SocketAddr>>();
        let via = parts
            .extensions
            .get::<MatchedPath>()
            .map(|route| format!("{} {}", parts.method, route.as_str()));
        Ok(Ctx {
            via,
            timezone: state.config().timezone.clone(),
            lang: principal.user.language,
            client_addr: client_addr(&parts.headers, connect, state.config().trust_forwarded_for),
            principal,
        })
    }
}

/// An anonymous visitor's language and address (the sign-in page).
pub struct Visitor {
    pub lang: Lang,
    pub client_addr: Option<String>,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let connect = parts.extensions.get::<ConnectInfo<SocketAddr>>();
        let lang = match parts.extensions.get::<Principal>() {
            Some(p) => p.user.language,
            None => visitor_lang(&parts.headers),
        };
        Ok(Visitor {
            lang,
            client_addr: client_addr(&parts.headers, connect, state.config().trust_forwarded_for),
        })
    }
}

/// A fixed-window counter of sign-in attempts per key (client address).
#[derive(Default)]
pub struct LoginLimiter(Mutex<HashMap<String, (OffsetDateTime, u32)>>);

impl LoginLimiter {
    const WINDOW: Duration = Duration::minutes(1);

    /// Counts one attempt; false when the key is over `limit` in the current window.
    pub fn allow(&self, key: &str, now: OffsetDateTime, limit: u32) -> bool {
        let mut map = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if map.len() > 10_000 {
            map.retain(|_, (start, _)| now - *start < Self::WINDOW);
        }
        let entry = map.entry(key.to_string()).or_insert((now, 0));
        if now - entry.0 >= Self::WINDOW {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= limit
    }
}

/// Signs a user in: checks the password (with the same cost whether or not the account
/// exists), creates the session and returns its cookie value. `None` for any failure,
/// so the caller can say only "wrong username or password".
pub async fn sign_in(
    state: &AppState,
    username: &str,
    password: &str,
) -> Result<Option<(User, String)>, AppError> {
    let found = state
        .store()
        .user_with_password(username.trim().to_lowercase().as_str())
        .await?;
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), hash),
        None => (None, DUMMY_HASH.clone()),
    };
    let password = password.to_string();
    let ok = tokio::task::spawn_blocking(move || verify_password(&hash, &password))
        .await
        .map_err(|e| AppError::Internal(format!("verify task: {e}")))?;
    let Some(user) = user.filter(|u| ok && u.is_active()) else {
        return Ok(None);
    };
    let session_id = open_session(state, &user).await?;
    Ok(Some((user, session_id)))
}

/// Opens a browser session for `user` (signed in, or whose password change just ended
/// every session) and returns its cookie value; purges sessions left idle.
pub async fn open_session(state: &AppState, user: &User) -> Result<String, AppError> {
    let session_id = new_secret("");
    state
        .store()
        .create_session(&digest(&session_id), user.id, &new_secret(""), state.now())
        .await?;
    state
        .store()
        .purge_idle_sessions(state.now() - state.config().session_idle)
        .await?;
    Ok(session_id)
}

/// Creates an API token for the caller, never for anyone else (an administrator
/// included: reading patients as someone else is what tokens must not allow). Returns
/// the token as listed and its secret, which is shown once and stored only as a digest.
pub(crate) async fn issue_own_token(
    state: &AppState,
    ctx: &Ctx,
    label: &str,
) -> Result<(seldinger_store::ApiToken, String), AppError> {
    let label = seldinger_domain::user::TokenLabel::parse(label)?;
    let secret = new_secret("sld_");
    let token = state
        .store()
        .create_labelled_token(
            &ctx.actor(),
            ctx.principal.user.id,
            &digest(&secret),
            label.as_ref(),
            state.now(),
        )
        .await?;
    Ok((token, secret))
}

/// An argon2 hash of a random password, verified against when the username is unknown
/// so that timing does not tell which accounts exist.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password(&new_secret("")).unwrap_or_default());
