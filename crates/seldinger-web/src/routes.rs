//! Every route, once, with the access it demands. The router is built from this table
//! and nothing else, so no handler is reachable without its check.
//!
//! The table is this module's own routes (health, readiness, static files) followed by
//! each area's table, declared in the area's `mod.rs` beside its handlers; the crate root
//! lists the areas ([`crate::ROUTES`], in pathway order). Here too: the [`Route`] type,
//! the router, the request log (route shapes only) and the security headers.

use std::time::Instant;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::handler::Handler;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};
use axum::{Router, middleware};
use seldinger_domain::Access;

use crate::error::AppError;
use crate::{AppState, auth};

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

/// Every route: the machinery's own ([`infrastructure`]), then each area's table, in
/// the order the crate root lists them ([`crate::ROUTES`]).
fn table() -> Vec<Route> {
    let mut all = infrastructure();
    for area in crate::ROUTES {
        all.extend(area());
    }
    all
}

/// The routes that are no area's: health and readiness, the static files.
#[rustfmt::skip] // One route per line: this is a table, read as one.
fn infrastructure() -> Vec<Route> {
    use Access::Public;
    use Method as M;
    vec![
        route(M::GET,    "/healthz",                           Public,              healthz),
        route(M::GET,    "/readyz",                            Public,              readyz),
        route(M::GET,    "/static/app.css",                    Public,              stylesheet),
        route(M::GET,    "/static/favicon.svg",                Public,              favicon),
        route(M::GET,    "/static/search.js",                  Public,              search_script),
    ]
}

/// Method, path and access of every route, for tests and the OpenAPI document.
pub fn route_table() -> Vec<(Method, &'static str, Access)> {
    table()
        .into_iter()
        .map(|r| (r.method, r.path, r.access))
        .collect()
}

/// The application: every route of the table behind its access check, authentication
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
