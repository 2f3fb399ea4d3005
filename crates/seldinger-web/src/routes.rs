//! Every route, once, with the access it demands. The router is built from this table
//! and nothing else, so no handler is reachable without its check.
//!
//! The table is this module's own routes (health, readiness, static files) followed by
//! each area's table, declared in the area's `mod.rs` beside its handlers; the crate root
//! lists the areas ([`crate::ROUTES`], in pathway order). Here too: the [`Route`] type,
//! the router, the request log (route templates only) and the security headers.

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
use crate::{AppState, auth, deadline};

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

/// The application: every route of [`table`] wrapped, from the outside in, in the tag
/// that names its template for the request log ([`RouteTemplate`]), the bound on its
/// wait for the database ([`deadline::bound`]), authentication and its access check
/// ([`auth::require`]); then, around the whole router, security headers, a body limit
/// and request logging. A path that matches no route is answered 404 without touching
/// the database.
pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for r in table() {
        let (access, template) = (r.access, r.path);
        let open_to_temporary = auth::open_with_temporary_password(&r.method, template);
        let checked = r
            .handler
            .route_layer(middleware::from_fn(move |req: Request, next: Next| {
                auth::require(access, open_to_temporary, req, next)
            }))
            .route_layer(middleware::from_fn_with_state(
                state.clone(),
                auth::authenticate,
            ))
            .route_layer(middleware::from_fn_with_state(
                state.clone(),
                deadline::bound,
            ))
            .route_layer(middleware::from_fn(move |req: Request, next: Next| {
                tag(template, req, next)
            }));
        router = router.route(template, checked);
    }
    router
        .fallback(not_found)
        .layer(middleware::from_fn(common))
        .layer(DefaultBodyLimit::max(256 * 1024))
        .with_state(state)
}

/// The template of the route that answered (`/api/v1/patients/{id}`), carried out to the
/// request log in the response's extensions: the log runs before routing, so it cannot
/// ask the router, and it must never write the concrete path, whose segments may be a
/// patient's identifiers.
#[derive(Clone, Copy, Debug)]
struct RouteTemplate(&'static str);

async fn tag(template: &'static str, req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    response.extensions_mut().insert(RouteTemplate(template));
    response
}

async fn not_found(req: Request) -> Response {
    auth::respond_error(req.uri().path(), AppError::NotFound)
}

/// Security headers on every answer, `no-store` on everything but static assets, and one
/// log line per request that names the route template that answered, never the path nor
/// the query: `route=/api/v1/patients/{id}`, or `route=unmatched` when no route matched.
async fn common(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let is_static = req.uri().path().starts_with("/static/");
    let mut response = match nul_in_uri(req.uri()) {
        Some(field) => auth::respond_error(req.uri().path(), crate::error::nul_refused(field)),
        None => next.run(req).await,
    };
    let route = response
        .extensions()
        .get::<RouteTemplate>()
        .map_or("unmatched", |t| t.0);
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
        route = %route,
        status = response.status().as_u16(),
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    response
}

/// Where an address holds a NUL character (`%00`): the query parameter, or `""` for the
/// path. Refused for every route at once, before any reaches the database.
fn nul_in_uri(uri: &axum::http::Uri) -> Option<String> {
    let raw = uri.path_and_query()?.as_str();
    if !raw.as_bytes().windows(3).any(|w| w == b"%00") {
        return None;
    }
    let query = uri.query().unwrap_or("");
    let named = form_urlencoded::parse(query.as_bytes())
        .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        .map(|(k, _)| k.into_owned());
    Some(named.unwrap_or_default())
}

async fn healthz() -> &'static str {
    "ok"
}

/// 200 when the database answers a trivial query within [`deadline::READY_WITHIN`],
/// 503 otherwise.
async fn readyz(State(state): State<AppState>) -> Response {
    let ping = tokio::time::timeout(deadline::READY_WITHIN, state.store().ping()).await;
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
