//! Every route, once, with the access it demands. The router is built from this table
//! and nothing else, so no handler is reachable without its check.
//!
//! The table is the core routes below followed by each pathway area's own table
//! (`catalog::routes`, `cases::routes`, `mdt::routes`, `booking::routes`), declared
//! beside that area's handlers.

use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::handler::Handler;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};
use seldinger_domain::{Access, Permission};

use crate::error::AppError;
use crate::{AppState, api, auth, openapi, pages};

pub(crate) struct Route {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    handler: MethodRouter<AppState>,
}

pub(crate) fn route<H, T>(method: Method, path: &'static str, access: Access, handler: H) -> Route
where
    H: Handler<T, AppState>,
    T: 'static,
{
    let filter = MethodFilter::try_from(method.clone()).unwrap_or(MethodFilter::GET);
    Route {
        method,
        path,
        access,
        handler: on(filter, handler),
    }
}

/// Every route: the core ones, then each area's.
fn table() -> Vec<Route> {
    let mut all = core();
    all.extend(crate::catalog::routes());
    all.extend(crate::cases::routes());
    all.extend(crate::mdt::routes());
    all.extend(crate::booking::routes());
    all.extend(crate::timeline::routes());
    all.extend(crate::reports::routes());
    all.extend(crate::followup::routes());
    all
}

#[rustfmt::skip] // One route per line: this is a table, read as one.
fn core() -> Vec<Route> {
    use Access::{Needs, Public, SignedIn};
    use Method as M;
    use Permission::*;
    vec![
        route(M::GET,    "/healthz",                           Public,              healthz),
        route(M::GET,    "/readyz",                            Public,              readyz),
        route(M::GET,    "/static/app.css",                    Public,              stylesheet),
        route(M::GET,    "/static/favicon.svg",                Public,              favicon),
        route(M::GET,    "/static/search.js",                  Public,              search_script),
        route(M::GET,    "/login",                             Public,              pages::login_form),
        route(M::POST,   "/login",                             Public,              pages::login),
        route(M::POST,   "/logout",                            SignedIn,            pages::logout),
        route(M::POST,   "/language",                          SignedIn,            pages::set_language),
        route(M::GET,    "/",                                  SignedIn,            pages::home),
        route(M::GET,    "/patients",                          Needs(PatientRead),  pages::patients),
        route(M::POST,   "/patients",                          Needs(PatientWrite), pages::create_patient),
        route(M::GET,    "/patients/new",                      Needs(PatientWrite), pages::new_patient),
        route(M::GET,    "/patients/{id}",                     Needs(PatientRead),  pages::patient),
        route(M::POST,   "/patients/{id}",                     Needs(PatientWrite), pages::update_patient),
        route(M::GET,    "/patients/{id}/edit",                Needs(PatientWrite), pages::edit_patient),
        route(M::POST,   "/patients/{id}/delete",              Needs(PatientWrite), pages::delete_patient),
        route(M::GET,    "/users",                             Needs(UserAdmin),    pages::users),
        route(M::POST,   "/users",                             Needs(UserAdmin),    pages::create_user),
        route(M::POST,   "/users/{username}/disable",          Needs(UserAdmin),    pages::disable_user),
        route(M::POST,   "/users/{username}/tokens",           Needs(UserAdmin),    pages::create_token),
        route(M::GET,    "/audit",                             Needs(AuditRead),    pages::audit),
        route(M::GET,    "/api/v1/openapi.json",               SignedIn,            openapi::document),
        route(M::POST,   "/api/v1/session",                    Public,              api::create_session),
        route(M::DELETE, "/api/v1/session",                    SignedIn,            api::delete_session),
        route(M::GET,    "/api/v1/me",                         SignedIn,            api::get_me),
        route(M::PUT,    "/api/v1/me/language",                SignedIn,            api::set_my_language),
        route(M::GET,    "/api/v1/patients",                   Needs(PatientRead),  api::search_patients),
        route(M::POST,   "/api/v1/patients",                   Needs(PatientWrite), api::create_patient),
        route(M::GET,    "/api/v1/patients/{id}",              Needs(PatientRead),  api::get_patient),
        route(M::PUT,    "/api/v1/patients/{id}",              Needs(PatientWrite), api::update_patient),
        route(M::DELETE, "/api/v1/patients/{id}",              Needs(PatientWrite), api::delete_patient),
        route(M::GET,    "/api/v1/users",                      Needs(UserAdmin),    api::list_users),
        route(M::POST,   "/api/v1/users",                      Needs(UserAdmin),    api::create_user),
        route(M::POST,   "/api/v1/users/{username}/disable",   Needs(UserAdmin),    api::disable_user),
        route(M::POST,   "/api/v1/users/{username}/tokens",    Needs(UserAdmin),    api::create_token),
        route(M::GET,    "/api/v1/audit",                      Needs(AuditRead),    api::list_audit),
    ]
}

/// Method, path and access of every route, for tests and the OpenAPI document.
pub fn route_table() -> Vec<(Method, &'static str, Access)> {
    table()
        .into_iter()
        .map(|r| (r.method, r.path, r.access))
        .collect()
}

/// The application: every route of [`table`] behind its access check, authentication
/// resolved once per request, security headers, a body limit and request logging.
pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for r in table() {
        let access = r.access;
        let checked =
            r.handler
                .route_layer(middleware::from_fn(move |req: Request, next: Next| {
                    auth::require(access, req, next)
                }));
        router = router.route(r.path, checked);
    }
    router
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(middleware::from_fn(common))
        .layer(DefaultBodyLimit::max(256 * 1024))
        .with_state(state)
}

async fn not_found(req: Request) -> Response {
    auth::respond_error(req.uri().path(), AppError::NotFound)
}

/// Security headers on every answer, `no-store` on everything but static assets, and one
/// log line per request that names the route shape, never its data: ids are replaced by
/// `{id}` and the query string is left out.
async fn common(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = redact(req.uri().path());
    let is_static = path.starts_with("/static/");
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !is_static {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    tracing::info!(
        method = %method,
        path = %path,
        status = response.status().as_u16(),
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    response
}

/// `/patients/0192f…/edit` → `/patients/{id}/edit`; user names in admin paths too.
fn redact(path: &str) -> String {
    let mut out = Vec::new();
    let mut previous = "";
    for segment in path.split('/') {
        let is_id = segment.len() >= 8
            && segment.chars().any(|c| c.is_ascii_digit())
            && segment.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
        if is_id || matches!(previous, "users" | "staff") && !segment.is_empty() {
            out.push("{id}");
        } else {
            out.push(segment);
        }
        previous = segment;
    }
    out.join("/")
}

async fn healthz() -> &'static str {
    "ok"
}

/// 200 when the database answers within two seconds, 503 otherwise.
async fn readyz(State(state): State<AppState>) -> Response {
    let ping = tokio::time::timeout(std::time::Duration::from_secs(2), state.store().ping()).await;
    match ping {
        Ok(Ok(())) => (StatusCode::OK, "ready").into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "database did not answer in time",
        )
            .into_response(),
    }
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/app.css"),
    )
}

async fn search_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/search.js"),
    )
}

async fn favicon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../static/favicon.svg"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logged_paths_carry_no_identifiers() {
        assert_eq!(
            redact("/patients/0192f3a4-1b2c-7d8e-9f00-112233445566/edit"),
            "/patients/{id}/edit"
        );
        assert_eq!(redact("/users/jdupont/disable"), "/users/{id}/disable");
        assert_eq!(
            redact("/resources/staff/dr.martin/exceptions"),
            "/resources/staff/{id}/exceptions"
        );
        assert_eq!(redact("/patients"), "/patients");
    }
}
