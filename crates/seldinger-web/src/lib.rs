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

pub mod auth;
mod calendar;
mod case_page;
mod case_view;
mod deadline;
mod error;
mod html;
mod i18n;
mod json;
mod openapi;
mod outputs;
mod routes;

mod account;
mod admin;
mod adverse_events;
mod booking;
mod catalog;
mod checklist;
mod consultations;
mod documents;
mod followup;
mod mdt;
mod pathology;
mod patients;
mod referrals;
mod reports;
mod session;
mod worklists;

use std::sync::Arc;

use seldinger_domain::Clock;
use seldinger_store::Store;
use time::{Duration, OffsetDateTime};

pub use routes::{route_table, router};

use crate::i18n::Messages;
use crate::routes::Route;

/// The areas' route tables, in pathway order: [`routes`] adds its own (health, static
/// files) and builds the router from them.
const ROUTES: &[fn() -> Vec<Route>] = &[
    session::routes,
    account::routes,
    patients::routes,
    referrals::routes,
    consultations::routes,
    mdt::routes,
    booking::routes,
    checklist::routes,
    reports::routes,
    pathology::routes,
    adverse_events::routes,
    followup::routes,
    documents::routes,
    worklists::routes,
    catalog::routes,
    admin::routes,
];

/// Every message table: the frame's, then the areas'. [`i18n`] looks keys up in them and
/// tests that no key is defined twice.
const MESSAGES: &[&Messages] = &[
    i18n::FRAME,
    i18n::SHARED,
    case_view::WORDS,
    case_page::MESSAGES,
    session::MESSAGES,
    account::MESSAGES,
    patients::MESSAGES,
    referrals::MESSAGES,
    consultations::MESSAGES,
    mdt::MESSAGES,
    booking::MESSAGES,
    checklist::MESSAGES,
    reports::MESSAGES,
    pathology::MESSAGES,
    adverse_events::MESSAGES,
    followup::MESSAGES,
    documents::MESSAGES,
    worklists::MESSAGES,
    catalog::MESSAGES,
    admin::MESSAGES,
];

/// The areas' parts of the OpenAPI document, which [`openapi`] merges into its core.
const OPENAPI: &[fn() -> serde_json::Value] = &[
    session::openapi,
    account::openapi,
    patients::openapi,
    referrals::openapi,
    consultations::openapi,
    mdt::openapi,
    booking::openapi,
    checklist::openapi,
    reports::openapi,
    pathology::openapi,
    adverse_events::openapi,
    followup::openapi,
    worklists::openapi,
    catalog::openapi,
    admin::openapi,
];

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
