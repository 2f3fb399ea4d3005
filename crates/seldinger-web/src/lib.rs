//! The web face of Seldinger: server-rendered HTML pages and the JSON API under
//! `/api/v1`, on axum.
//!
//! # A house in layers
//!
//! Every directory under `src/` is an **area**: one step of the pathway (or the frame
//! around them), laid out the same way everywhere —
//! - `mod.rs`: what the area is and which pathway step (PRODUCT.md numbering), its route
//!   table `routes()` (one line per route, with the access it demands), and what its two
//!   faces share;
//! - `pages.rs`: the HTML handlers (templates in `templates/<area>/`);
//! - `api.rs`: the JSON handlers and their output types;
//! - `spec.rs`: the area's part of the OpenAPI document;
//! - `messages.rs`: the area's messages, in French and English.
//!
//! A large face is a folder of the same name (`catalog/pages/procedures.rs`…); an area
//! without a JSON face has no `api.rs` nor `spec.rs` (`documents`).
//!
//! The areas, in pathway order: `session` (signing in; the frame), `account` (one's own
//! account: password, API tokens), `patients` (the
//! record, the timeline), `referrals` (steps 1–2: referral, triage, the case page's
//! route), `consultations` (3), `mdt` (4), `booking` (5), `checklist` (6, and the
//! time-out), `reports` (7), `pathology` (8), `adverse_events` (9), `followup` (10–11:
//! follow-up, closure), `documents` (the patient's documents of steps 3 and 5),
//! `worklists` (the lists of steps 1–5), `catalog` (procedures, thresholds, resources,
//! staff), `admin` (users, tokens, the audit log).
//!
//! Every `.rs` file directly under `src/` is **shared machinery**, a leaf: `routes` (the
//! `Route` type, the router built from the table, the request log, security headers,
//! health, static files), `auth` (sessions, tokens, CSRF, `Ctx`), `deadline` (the
//! watchdog that answers 503 when the database stops answering), `error` (`AppError`,
//! problem documents, error pages), `html` (rendering, `Layout`, forms and their errors),
//! `json` (the API's strict extractors, ids, paging), `i18n` (lookups, dates, numbers,
//! the frame's messages), `openapi` (the document's core and assembly), and what several
//! areas show: `calendar` (the department's day), `case_view` (a case, its banner, the
//! pathway's words), `case_page` (the case page), `outputs` (JSON shapes several areas
//! answer with).
//!
//! This file is the root: the application's state ([`AppState`], [`WebConfig`]) and the
//! registries that list the areas in pathway order — `ROUTES` (the route table is every
//! area's `routes()`), `MESSAGES` (every message table) and `OPENAPI` (every area's part
//! of the document).
//!
//! **Architecture invariant:** areas use leaves and never one another; leaves use no
//! area, reading the areas only through the root's registries. So each step's code is in
//! the folder named after it and can be read, changed or removed alone, and anything two
//! areas need is written once, in a leaf. A test reads the source and fails, naming the
//! file and line, on any reference from an area to another area or from a leaf to an
//! area.
//!
//! Every route is declared once, in its area's table, with the `Access` it demands; the
//! router is built from the tables and nothing else, so a route cannot exist without a
//! permission check, and a test walks the table with every role to prove each check.

// The leaves: shared machinery (the binary uses `auth` too).
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

// The areas, one per directory (the registries below list them in pathway order).
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

/// Every message table: the frame's and the words several areas share ([`i18n`]), the
/// pathway's words and the case page's (the leaves that show them), then the areas'.
/// [`i18n`] looks keys up in them and tests that no key is defined twice.
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};

    /// The source files under `dir`, recursively, in a stable order.
    fn rust_files(dir: &Path) -> Vec<PathBuf> {
        let mut files = Vec::new();
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("a source directory")
            .map(|e| e.expect("a directory entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                files.extend(rust_files(&path));
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
        files
    }

    /// The code of a source file with its comments, strings and character literals
    /// blanked out (line breaks kept), so that only code is searched: a doc comment or a
    /// template path may name an area.
    fn code_only(text: &str) -> String {
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        while i < chars.len() {
            let end = literal_or_comment_end(&chars, i);
            if end == i {
                out.push(chars[i]);
                i += 1;
            } else {
                let end = end.min(chars.len());
                out.extend(
                    chars[i..end]
                        .iter()
                        .map(|c| if *c == '\n' { '\n' } else { ' ' }),
                );
                i = end;
            }
        }
        out
    }

    /// Where the comment, string or character literal starting at `i` ends (just past
    /// it); `i` itself when none starts there.
    fn literal_or_comment_end(chars: &[char], i: usize) -> usize {
        let at = |j: usize| chars.get(j).copied();
        let find = |from: usize, what: &[char]| {
            (from..chars.len())
                .find(|&j| chars[j..].starts_with(what))
                .map_or(chars.len(), |j| j + what.len())
        };
        match (at(i), at(i + 1)) {
            (Some('/'), Some('/')) => find(i, &['\n']) - 1,
            (Some('/'), Some('*')) => {
                let mut depth = 0;
                let mut j = i;
                while j < chars.len() {
                    if chars[j..].starts_with(&['/', '*']) {
                        depth += 1;
                        j += 2;
                    } else if chars[j..].starts_with(&['*', '/']) {
                        depth -= 1;
                        j += 2;
                        if depth == 0 {
                            return j;
                        }
                    } else {
                        j += 1;
                    }
                }
                j
            }
            (Some('r'), Some('"' | '#')) if i == 0 || !is_ident(chars[i - 1]) => {
                let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
                if at(i + 1 + hashes) != Some('"') {
                    return i;
                }
                let closing: Vec<char> = std::iter::once('"')
                    .chain(std::iter::repeat_n('#', hashes))
                    .collect();
                find(i + 2 + hashes, &closing)
            }
            (Some('"'), _) => {
                let mut j = i + 1;
                while j < chars.len() && chars[j] != '"' {
                    j += if chars[j] == '\\' { 2 } else { 1 };
                }
                j + 1
            }
            // A character literal ('x', '\'', '\u{202f}'), not a lifetime ('a): it ends
            // at the first quote after its first character (an escape takes two).
            (Some('\''), Some('\\')) => find(i + 3, &['\'']),
            (Some('\''), Some(_)) if at(i + 2) == Some('\'') => i + 3,
            _ => i,
        }
    }

    fn is_ident(c: char) -> bool {
        c.is_alphanumeric() || c == '_'
    }

    /// Every module a piece of code names from the crate root — `crate::x`, and each `x`
    /// of `crate::{x, y::z}` — with the line it is on.
    fn crate_paths(code: &str) -> Vec<(usize, String)> {
        let line_of = |at: usize| code[..at].matches('\n').count() + 1;
        let mut found = Vec::new();
        let mut rest = 0;
        while let Some(at) = code[rest..].find("crate") {
            let start = rest + at;
            rest = start + "crate".len();
            let before = code[..start].chars().next_back();
            if before.is_some_and(|c| is_ident(c) || c == '$') {
                continue;
            }
            let after = code[rest..].trim_start();
            let Some(after) = after.strip_prefix("::") else {
                continue;
            };
            let after = after.trim_start();
            if let Some(group) = after.strip_prefix('{') {
                let mut depth = 1;
                let mut item = String::new();
                for c in group.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    if depth == 0 || (depth == 1 && c == ',') {
                        if let Some(first) = item.trim().split("::").next() {
                            found.push((line_of(start), first.trim().to_string()));
                        }
                        item.clear();
                        if depth == 0 {
                            break;
                        }
                    } else {
                        item.push(c);
                    }
                }
            } else {
                let name: String = after.chars().take_while(|c| is_ident(*c)).collect();
                found.push((line_of(start), name));
            }
        }
        found
    }

    /// Architecture invariant: every directory under `src/` is an area, every file
    /// directly under it a leaf; areas use leaves and never one another (no
    /// `crate::<other area>` in any form, no `super::super::` to climb out), and leaves use
    /// no area (they read the areas only through the root's registries).
    #[test]
    fn areas_use_leaves_and_never_one_another() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let areas: BTreeSet<String> = std::fs::read_dir(&src)
            .expect("src")
            .map(|e| e.expect("an entry").path())
            .filter(|p| p.is_dir())
            .filter_map(|p| p.file_name()?.to_str().map(str::to_string))
            .collect();
        assert!(
            areas.len() >= 10,
            "only {areas:?}: is src/ still one folder per area?"
        );
        let mut refusals = Vec::new();
        let mut files = 0;
        for path in rust_files(&src) {
            let relative = path.strip_prefix(&src).expect("under src");
            if relative == Path::new("lib.rs") {
                continue; // The root lists the areas: that is its job.
            }
            files += 1;
            let own_area = (relative.components().count() > 1)
                .then(|| relative.components().next())
                .flatten()
                .and_then(|c| c.as_os_str().to_str());
            let text = std::fs::read_to_string(&path).expect("source text");
            let code = code_only(&text);
            for (line, name) in crate_paths(&code) {
                if areas.contains(&name) && Some(name.as_str()) != own_area {
                    let what = match own_area {
                        Some(area) => format!("the area {area} uses the area {name}"),
                        None => format!("a leaf uses the area {name}"),
                    };
                    refusals.push(format!("{}:{line}: {what}", relative.display()));
                }
            }
            for (i, line) in code.lines().enumerate() {
                if line.replace(' ', "").contains("super::super") {
                    refusals.push(format!(
                        "{}:{}: super::super climbs out of its module",
                        relative.display(),
                        i + 1
                    ));
                }
            }
        }
        assert!(files > 40, "only {files} files read");
        assert!(
            refusals.is_empty(),
            "layering broken (areas use leaves, never one another; leaves use no area):\n{}",
            refusals.join("\n")
        );
    }

    #[test]
    fn the_source_reader_sees_code_and_nothing_else() {
        let code = code_only(
            "use crate::{a, b::{c, d}};\n// crate::x\nlet s = \"crate::y\"; let c = '\"'; /* crate::z */ crate::w::f();\nfn f<'a>(x: &'a str) {}\n",
        );
        let names: Vec<(usize, String)> = crate_paths(&code);
        let expected: Vec<(usize, String)> = [(1, "a"), (1, "b"), (3, "w")]
            .into_iter()
            .map(|(l, n)| (l, n.to_string()))
            .collect();
        assert_eq!(names, expected);
        assert!(code.contains("fn f<'a>(x: &'a str)"), "lifetimes are code");
    }
}
