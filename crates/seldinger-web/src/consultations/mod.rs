//! Consultations and consent (PRODUCT.md, pathway step 3): a consultation is booked from
//! the case page in a clinician's free time, recorded once (the information sheet handed
//! over, risks and alternatives explained, consent given or refused), or cancelled;
//! consent can be withdrawn later; the clinic lists the day's consultations by
//! clinician.
//!
//! - [`pages`]: booking and consent from the case page (refusals come back on it, see
//!   [`crate::case_page`]), the consultation page, the clinic (templates in
//!   `templates/consultations/`).
//! - [`api`]: the same over JSON; [`spec`]: this area's part of the OpenAPI document;
//!   [`messages`]: its messages.
//!
//! Shared here by both faces: the slot of a booking ([`slot`]), reading a consent
//! decision ([`parse_consent`]), a consultation's day on the department's calendar.

mod api;
mod messages;
mod pages;
mod spec;

use axum::http::Method;
use seldinger_domain::consultation::{ConsentDecision, ConsultationBooking};
use seldinger_domain::invalid::{Collector, Problem};
use seldinger_domain::localtime::local_date;
use seldinger_domain::patient::parse_date;
use seldinger_domain::{Access, FieldError, Invalid, Permission};
use seldinger_store::consultations::{Consultation, ConsultationSlot};
use serde_json::Value;
use time::{Date, OffsetDateTime};

use crate::routes::{Route, route};

pub(crate) use messages::MESSAGES;

/// This area's routes, each with the access it demands.
#[rustfmt::skip] // One route per line: this is a table, read as one.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Needs;
    use Method as M;
    use Permission::*;
    vec![
        route(M::POST, "/cases/{id}/consultations",               Needs(ConsultationBook),   pages::book_consultation),
        route(M::POST, "/cases/{id}/consent",                     Needs(ConsultationRecord), pages::record_consent),
        route(M::GET,  "/consultations/{id}",                     Needs(CaseRead),           pages::consultation),
        route(M::POST, "/consultations/{id}",                     Needs(ConsultationRecord), pages::record_consultation),
        route(M::POST, "/consultations/{id}/cancel",              Needs(ConsultationBook),   pages::cancel_consultation),
        route(M::GET,  "/clinic",                                 Needs(CaseRead),           pages::clinic),
        route(M::POST, "/api/v1/cases/{id}/consultations",        Needs(ConsultationBook),   api::book_consultation),
        route(M::POST, "/api/v1/cases/{id}/consent",              Needs(ConsultationRecord), api::record_consent),
        route(M::GET,  "/api/v1/consultations",                   Needs(CaseRead),           api::list_consultations),
        route(M::GET,  "/api/v1/consultations/{id}",              Needs(CaseRead),           api::get_consultation),
        route(M::POST, "/api/v1/consultations/{id}",              Needs(ConsultationRecord), api::record_consultation),
        route(M::POST, "/api/v1/consultations/{id}/cancel",       Needs(ConsultationBook),   api::cancel_consultation),
    ]
}

/// This area's part of the OpenAPI document: `tags`, `paths` and `schemas`.
pub(crate) fn openapi() -> Value {
    spec::openapi()
}

pub(crate) fn slot(
    booking: &ConsultationBooking,
    starts_at: OffsetDateTime,
) -> ConsultationSlot<'_> {
    ConsultationSlot {
        kind: booking.kind,
        clinician: &booking.clinician,
        starts_at,
        ends_at: starts_at + booking.duration,
    }
}

/// Checks a consent decision; field names are `decision`, `date`, `note`.
pub(crate) fn parse_consent(
    decision: &str,
    date: &str,
    note: &str,
    today: Date,
) -> Result<(ConsentDecision, Date, Option<String>), Invalid> {
    let mut errors = Collector::default();
    let decision = errors.check(
        ConsentDecision::parse(decision).map_err(|e| FieldError::new("decision", e.problem)),
    );
    let date = if date.trim().is_empty() {
        Some(today)
    } else {
        errors.check(parse_date("date", date).and_then(|d| {
            if d > today {
                Err(FieldError::new("date", Problem::DateInFuture))
            } else {
                Ok(d)
            }
        }))
    };
    let note = errors.check(seldinger_domain::text::free_text("note", note, 500));
    errors.finish()?;
    match (decision, date, note) {
        (Some(decision), Some(date), Some(note)) => Ok((decision, date, note)),
        _ => Err(Invalid(Vec::new())),
    }
}

/// The date a consultation took place, on the department's calendar.
pub(crate) fn consultation_day(c: &Consultation, zone: &jiff::tz::TimeZone) -> Date {
    local_date(c.starts_at, zone)
}
