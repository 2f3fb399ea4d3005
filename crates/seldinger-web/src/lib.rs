//! The web face of Seldinger: server-rendered HTML pages and the JSON API under
//! `/api/v1`, on axum.
//!
//! Every route is declared once in [`routes::table`] with the [`Access`] it demands; the
//! router is built from that table, so a route cannot exist without a permission check,
//! and a test walks the table to prove each check holds.
//!
//! Modules:
//! - [`routes`]: the route table and the router built from it.
//! - [`auth`]: sign-in, sessions, API tokens, CSRF, the login rate limit.
//! - [`error`]: `AppError`, answered as `application/problem+json` (RFC 9457) on the API
//!   and as a page in the interface.
//! - [`i18n`]: French and English messages, localized dates and numbers.
//! - [`html`]: rendering, the page frame (`Layout`), forms and their errors; [`json`]:
//!   the API's strict extractors, ids, paging.
//! - [`api`]: JSON handlers; [`openapi`]: the OpenAPI 3.1 document.
//! - [`pages`]: HTML handlers and their askama templates.
//! - The pathway, one module per area, each with its pages, API handlers, routes and
//!   OpenAPI part: [`catalog`] (catalog, thresholds, resources), [`cases`] (referrals,
//!   cases, consultations, worklists), [`mdt`] (meetings, checklist, time-out, patient
//!   documents), [`booking`] (bookings, calendars, day lists), [`reports`] (procedure
//!   reports, addenda, specimens and pathology), [`followup`] (adverse events, the
//!   follow-up contacts, closing and reopening a case), [`timeline`] (a patient across
//!   cases).

pub mod api;
pub mod auth;
pub mod booking;
pub mod calendar;
pub mod case_page;
pub mod case_view;
pub mod cases;
pub mod catalog;
pub mod error;
pub mod followup;
pub mod html;
pub mod i18n;
pub mod json;
pub mod mdt;
pub mod openapi;
pub mod outputs;
pub mod pages;
pub mod reports;
pub mod routes;
pub mod timeline;

use std::sync::Arc;

use seldinger_domain::Clock;
use seldinger_store::Store;
use time::{Duration, OffsetDateTime};

pub use routes::{route_table, router};

/// Settings the web layer needs, loaded once by the binary.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// A session unused for this long ends.
    pub session_idle: Duration,
    /// Mark cookies `Secure` (behind TLS).
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (behind a trusted reverse proxy).
    pub trust_forwarded_for: bool,
    /// Sign-in attempts allowed per client address per minute.
    pub login_attempts_per_minute: u32,
    /// The department's time zone: the interface shows wall-clock times in it (the API
    /// speaks UTC, RFC 3339).
    pub timezone: jiff::tz::TimeZone,
    /// Hours allowed to report a serious adverse event once it is recorded.
    pub serious_event_reporting_hours: u32,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            session_idle: Duration::minutes(30),
            secure_cookies: false,
            trust_forwarded_for: false,
            login_attempts_per_minute: 10,
            timezone: jiff::tz::TimeZone::UTC,
            serious_event_reporting_hours: seldinger_domain::adverse::REPORTING_HOURS_DEFAULT,
        }
    }
}

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub config: WebConfig,
    pub limiter: auth::LoginLimiter,
}

impl AppState {
    pub fn new(store: Store, clock: Arc<dyn Clock>, config: WebConfig) -> Self {
        Self(Arc::new(Inner {
            store,
            clock,
            config,
            limiter: auth::LoginLimiter::default(),
        }))
    }

    pub fn store(&self) -> &Store {
        &self.0.store
    }

    pub fn now(&self) -> OffsetDateTime {
        self.0.clock.now()
    }

    pub fn config(&self) -> &WebConfig {
        &self.0.config
    }
}

/// The system clock, for production.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// Whether a route is part of the JSON API (errors as problem+json, 401 not redirect).
pub(crate) fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}
