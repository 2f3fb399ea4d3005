//! Booking a case (with the next feasible slots), moving and cancelling bookings, the
//! week calendar of a room, the day's list per room and the anesthetists' list. Pages and
//! JSON API (PRODUCT.md, pathway step 5).
//!
//! - [`pages`]: the booking page of a case, the move form, the day's list, a room's week,
//!   the anesthetists' list.
//! - [`api`]: the same under `/api/v1`; [`spec`]: its part of the OpenAPI document;
//!   [`messages`]: its messages.
//!
//! Both faces read a booking the same way ([`Resources::parse`]): rooms, equipment and
//! bed units are named by id, people by username (resolved against the active
//! interventional radiologists, or anesthetists), the API's times are UTC RFC 3339
//! instants and the forms' local wall-clock times. Feasibility itself is decided by the
//! store, in the transaction that writes the booking: a refusal lists every conflict.

mod api;
mod messages;
mod pages;
mod spec;

use std::collections::HashMap;

use axum::http::Method;
use seldinger_domain::case::CaseStatus;
use seldinger_domain::catalog::ProcedureType;
use seldinger_domain::invalid::{Collector, FieldError, Problem};
use seldinger_domain::localtime::{from_local, local_date, parse_local_datetime};
use seldinger_domain::patient::{AllergyKind, AnticoagulantDrug};
use seldinger_domain::resources::weekday_index;
use seldinger_domain::{
    Access, BedUnitId, EquipmentId, Invalid, Lang, Permission, ProcedureVersionId, Role, RoomId,
    UserId,
};
use seldinger_store::bookings::{BookedCase, BookingRequest};
use seldinger_store::resources::{BedUnitRecord, EquipmentRecord, RoomRecord, StaffAvailability};
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, OffsetDateTime};

use crate::AppState;
use crate::error::AppError;
use crate::routes::{Route, route};

pub(crate) use messages::MESSAGES;

/// This area's routes, each with the access it demands.
#[rustfmt::skip] // One route per line: this is a table, read as one.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Needs;
    use Method as M;
    use Permission::{BookingManage, CaseRead};
    vec![
        route(M::GET,  "/cases/{id}/booking",          Needs(CaseRead),      pages::booking_page),
        route(M::POST, "/cases/{id}/booking",          Needs(BookingManage), pages::book_case),
        route(M::GET,  "/bookings/{id}/move",          Needs(BookingManage), pages::move_form),
        route(M::POST, "/bookings/{id}/move",          Needs(BookingManage), pages::move_booking),
        route(M::POST, "/bookings/{id}/cancel",        Needs(BookingManage), pages::cancel_booking),
        route(M::GET,  "/schedule",                    Needs(CaseRead),      pages::day_list),
        route(M::GET,  "/schedule/rooms/{id}",         Needs(CaseRead),      pages::room_week),
        route(M::GET,  "/schedule/anesthesia",         Needs(CaseRead),      pages::anesthesia_list),
        route(M::POST, "/api/v1/cases/{id}/booking",   Needs(BookingManage), api::book_case),
        route(M::GET,  "/api/v1/cases/{id}/slots",     Needs(CaseRead),      api::next_slots),
        route(M::GET,  "/api/v1/bookings/{id}",        Needs(CaseRead),      api::get_booking),
        route(M::PUT,  "/api/v1/bookings/{id}",        Needs(BookingManage), api::move_booking),
        route(M::POST, "/api/v1/bookings/{id}/cancel", Needs(BookingManage), api::cancel_booking),
        route(M::GET,  "/api/v1/schedule",             Needs(CaseRead),      api::day_schedule),
        route(M::GET,  "/api/v1/schedule/anesthesia",  Needs(CaseRead),      api::anesthesia_list),
        route(M::GET,  "/api/v1/rooms/{id}/calendar",  Needs(CaseRead),      api::room_calendar),
    ]
}

/// This area's part of the OpenAPI document: `tags`, `paths` and `schemas`.
pub(crate) fn openapi() -> Value {
    spec::openapi()
}

/// A booking as typed: in a form (local wall-clock times) or as JSON (UTC instants).
/// Empty strings are "not given".
#[derive(Clone, Debug, Default)]
pub(crate) struct BookingInput {
    pub room: String,
    pub start: String,
    pub end: String,
    pub operator: String,
    pub anesthetist: String,
    /// `None`: pick one free unit of each required kind automatically.
    pub equipment: Option<Vec<String>>,
    pub bed_unit: String,
}

/// How a booking's times are written.
#[derive(Clone, Copy)]
pub(crate) enum Times<'a> {
    /// RFC 3339 instants (the API).
    Rfc3339,
    /// `YYYY-MM-DDTHH:MM` on the department's clock (forms).
    Local(&'a jiff::tz::TimeZone),
}

/// What bookings are made of, loaded once per request: to resolve the names a request
/// uses and to show names for ids.
pub(crate) struct Resources {
    pub rooms: Vec<RoomRecord>,
    pub equipment: Vec<EquipmentRecord>,
    pub bed_units: Vec<BedUnitRecord>,
    pub operators: Vec<StaffAvailability>,
    pub anesthetists: Vec<StaffAvailability>,
}

impl Resources {
    pub async fn load(state: &AppState) -> Result<Self, AppError> {
        let store = state.store();
        let today = local_date(state.now(), store.zone());
        Ok(Self {
            rooms: store.rooms().await?,
            equipment: store.equipment().await?,
            bed_units: store.bed_units().await?,
            operators: store
                .staff_availability(Role::InterventionalRadiologist, today)
                .await?,
            anesthetists: store.staff_availability(Role::Anesthetist, today).await?,
        })
    }

    pub fn room(&self, id: RoomId) -> Option<&RoomRecord> {
        self.rooms.iter().find(|r| r.room.id == id)
    }

    pub fn room_name(&self, id: RoomId) -> String {
        self.room(id)
            .map_or_else(|| id.to_string(), |r| r.room.name.clone())
    }

    pub fn equipment_name(&self, id: EquipmentId) -> String {
        self.equipment
            .iter()
            .find(|e| e.equipment.id == id)
            .map_or_else(|| id.to_string(), |e| e.equipment.name.clone())
    }

    pub fn bed_unit_name(&self, id: BedUnitId) -> String {
        self.bed_units
            .iter()
            .find(|u| u.unit.id == id)
            .map_or_else(|| id.to_string(), |u| u.unit.name.clone())
    }

    fn person(&self, id: UserId) -> Option<&StaffAvailability> {
        self.operators
            .iter()
            .chain(&self.anesthetists)
            .find(|p| p.user_id == id)
    }

    /// The username of a bookable person (empty when they are no longer one).
    pub fn username(&self, id: UserId) -> String {
        self.person(id)
            .map(|p| p.username.clone())
            .unwrap_or_default()
    }

    pub fn full_name(&self, id: UserId) -> String {
        self.person(id)
            .map_or_else(|| id.to_string(), |p| p.full_name.clone())
    }

    /// The room named by `raw`, an id: `field` is not well formed, or names no room.
    pub fn room_id(&self, field: &str, raw: &str) -> Result<RoomId, FieldError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(FieldError::new(field, Problem::Required));
        }
        let id: RoomId = raw.parse().map_err(|_| {
            FieldError::new(
                field,
                Problem::BadFormat {
                    expected: "a room id",
                },
            )
        })?;
        match self.room(id) {
            Some(_) => Ok(id),
            None => Err(FieldError::new(field, Problem::NoSuchRecord)),
        }
    }

    /// The active interventional radiologist with this username.
    pub fn operator_id(&self, field: &str, raw: &str) -> Result<UserId, FieldError> {
        person(field, raw, &self.operators)
    }

    /// The active anesthetist with this username.
    pub fn anesthetist_id(&self, field: &str, raw: &str) -> Result<UserId, FieldError> {
        person(field, raw, &self.anesthetists)
    }

    /// Reads a booking request, reporting every field error at once (each naming its
    /// field: `room`, `start`, `end`, `operator`, `anesthetist`, `equipment.N`,
    /// `bed_unit`). Whether it can be booked is for the store to say.
    pub fn parse(&self, input: &BookingInput, times: Times<'_>) -> Result<BookingRequest, Invalid> {
        let mut errors = Collector::default();
        let room = errors.check(self.room_id("room", &input.room));
        let start = errors.check(instant("start", &input.start, times));
        let end = if input.end.trim().is_empty() {
            None
        } else {
            errors.check(instant("end", &input.end, times))
        };
        if let (Some(start), Some(end)) = (start, end)
            && end <= start
        {
            errors.push(FieldError::new(
                "end",
                Problem::Inconsistent {
                    en: "a time after the start",
                    fr: "une heure après le début",
                },
            ));
        }
        let operator = errors.check(self.operator_id("operator", &input.operator));
        let anesthetist = if input.anesthetist.trim().is_empty() {
            None
        } else {
            errors.check(self.anesthetist_id("anesthetist", &input.anesthetist))
        };
        let equipment = input.equipment.as_ref().map(|raws| {
            let mut ids: Vec<EquipmentId> = Vec::new();
            for (i, raw) in raws.iter().enumerate() {
                let field = format!("equipment.{i}");
                match raw.trim().parse::<EquipmentId>() {
                    Ok(id) if self.equipment.iter().any(|e| e.equipment.id == id) => {
                        if !ids.contains(&id) {
                            ids.push(id);
                        }
                    }
                    Ok(_) => errors.push(FieldError::new(field, Problem::NoSuchRecord)),
                    Err(_) => errors.push(FieldError::new(
                        field,
                        Problem::BadFormat {
                            expected: "an equipment id",
                        },
                    )),
                }
            }
            ids
        });
        let bed_unit = match input.bed_unit.trim() {
            "" => None,
            raw => errors.check(match raw.parse::<BedUnitId>() {
                Ok(id) if self.bed_units.iter().any(|u| u.unit.id == id) => Ok(id),
                Ok(_) => Err(FieldError::new("bed_unit", Problem::NoSuchRecord)),
                Err(_) => Err(FieldError::new(
                    "bed_unit",
                    Problem::BadFormat {
                        expected: "a bed unit id",
                    },
                )),
            }),
        };
        errors.finish()?;
        match (room, start, operator) {
            (Some(room), Some(start), Some(operator)) => Ok(BookingRequest {
                room,
                start,
                end,
                operator,
                anesthetist,
                equipment,
                bed_unit,
            }),
            // Every None above pushed an error, so finish() returned early.
            _ => Err(Invalid(Vec::new())),
        }
    }
}

fn person(field: &str, raw: &str, staff: &[StaffAvailability]) -> Result<UserId, FieldError> {
    let username = raw.trim().to_lowercase();
    if username.is_empty() {
        return Err(FieldError::new(field, Problem::Required));
    }
    staff
        .iter()
        .find(|p| p.username == username)
        .map(|p| p.user_id)
        .ok_or_else(|| FieldError::new(field, Problem::NoSuchRecord))
}

fn instant(field: &str, raw: &str, times: Times<'_>) -> Result<OffsetDateTime, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(FieldError::new(field, Problem::Required));
    }
    match times {
        Times::Rfc3339 => OffsetDateTime::parse(raw, &Rfc3339).map_err(|_| {
            FieldError::new(
                field,
                Problem::BadFormat {
                    expected: "an RFC 3339 instant, e.g. 2026-11-23T08:00:00Z",
                },
            )
        }),
        Times::Local(zone) => parse_local_datetime(field, raw).map(|local| from_local(local, zone)),
    }
}

/// A date given in a query (`YYYY-MM-DD` or `DD/MM/YYYY`), or `default` when empty.
pub(crate) fn date_or(field: &str, raw: &str, default: Date) -> Result<Date, FieldError> {
    if raw.trim().is_empty() {
        Ok(default)
    } else {
        seldinger_domain::patient::parse_date(field, raw)
    }
}

/// The Monday of `date`'s week.
pub(crate) fn monday(date: Date) -> Date {
    let back = i64::try_from(weekday_index(date.weekday())).unwrap_or(0);
    date - Duration::days(back)
}

/// The department's today.
pub(crate) fn today(state: &AppState) -> Date {
    local_date(state.now(), state.store().zone())
}

/// The message for `key` in `lang`, for labels built from codes (`booking.room_type.ct`).
pub(crate) fn label(key: &str, lang: Lang) -> &'static str {
    crate::i18n::lookup(key, lang).unwrap_or("")
}

/// Whether a case is ready for its procedure (its checklist is complete).
pub(crate) fn is_ready(status: CaseStatus) -> bool {
    status == CaseStatus::Ready
}

/// What the lists show beside a booked case: its planned procedure and the patient's
/// alerts (the referral's and the record's).
pub(crate) struct Detail {
    pub procedure: ProcedureType,
    pub allergies: Vec<AllergyKind>,
    pub anticoagulants: Vec<AnticoagulantDrug>,
}

/// The planned procedure and the alerts (the referral's and the patient record's) of
/// each booked case. The list's own audit entry names the cases; each catalog version is
/// read once.
pub(crate) async fn details(
    state: &AppState,
    rows: &[BookedCase],
) -> Result<Vec<Detail>, AppError> {
    let store = state.store();
    let mut procedures: HashMap<ProcedureVersionId, ProcedureType> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let procedure = match procedures.get(&row.planned_version_id) {
            Some(p) => p.clone(),
            None => {
                let p = store
                    .procedure_version(row.planned_version_id)
                    .await?
                    .definition;
                procedures.insert(row.planned_version_id, p.clone());
                p
            }
        };
        out.push(Detail {
            procedure,
            allergies: row.allergies.clone(),
            anticoagulants: row.anticoagulants.clone(),
        });
    }
    Ok(out)
}
