//! The procedure catalog (versioned types), the checklist thresholds and the resources
//! bookings are checked against: rooms, equipment, bed units, staff availability.
//! Pages and JSON API.
//!
//! Each face is a folder with one module per subject, the same names in both:
//! - `procedures`: the catalog list, a type with its versions, the type form. Reading is
//!   open to every signed-in user (it is not patient data); editing needs
//!   `CatalogAdmin`. Each save makes a new version; cases keep the version they were
//!   planned with.
//! - `thresholds`: the checklist's lab thresholds per bleeding-risk category, shown
//!   beside the source they come from; edited with `CatalogAdmin`.
//! - `resources`: rooms, equipment and bed units (`ResourceAdmin` for the pages and for
//!   writes; API reads for every signed-in user).
//! - `staff`: weekly hours and dated exceptions of operators and anesthetists.
//!
//! [`pages`] holds the HTML handlers (templates in `templates/catalog/`), [`api`] the
//! JSON handlers and their output types, [`spec`] this area's part of the OpenAPI
//! document, [`messages`] its messages.

mod api;
mod messages;
mod pages;
mod spec;

use axum::http::Method;
use seldinger_domain::catalog::BleedingRisk;
use seldinger_domain::localtime::local_date;
use seldinger_domain::patient::parse_date;
use seldinger_domain::resources::Span;
use seldinger_domain::{Access, BedUnitId, EquipmentId, Lang, Permission, Role, RoomId};
use seldinger_store::resources::{BedUnitRecord, EquipmentRecord, RoomRecord, StaffAvailability};
use serde_json::Value;
use time::Date;

use crate::error::AppError;
use crate::routes::{Route, route};
use crate::{AppState, i18n};

pub(crate) use messages::MESSAGES;

/// This area's routes, each with the access it demands.
#[rustfmt::skip] // One route per line: this is a table, read as one.
pub(crate) fn routes() -> Vec<Route> {
    use Access::{Needs, SignedIn};
    use Method as M;
    use Permission::{CatalogAdmin, ResourceAdmin};
    vec![
        route(M::GET,    "/catalog",                                            SignedIn,             pages::procedures::list_page),
        route(M::POST,   "/catalog",                                            Needs(CatalogAdmin),  pages::procedures::create_page),
        route(M::GET,    "/catalog/new",                                        Needs(CatalogAdmin),  pages::procedures::new_page),
        route(M::GET,    "/catalog/thresholds",                                 SignedIn,             pages::thresholds::page),
        route(M::POST,   "/catalog/thresholds/{risk}",                          Needs(CatalogAdmin),  pages::thresholds::update_page),
        route(M::GET,    "/catalog/{id}",                                       SignedIn,             pages::procedures::show_page),
        route(M::POST,   "/catalog/{id}",                                       Needs(CatalogAdmin),  pages::procedures::update_page),
        route(M::GET,    "/catalog/{id}/edit",                                  Needs(CatalogAdmin),  pages::procedures::edit_page),
        route(M::GET,    "/resources",                                          Needs(ResourceAdmin), pages::resources::overview_page),
        route(M::POST,   "/resources/rooms",                                    Needs(ResourceAdmin), pages::resources::create_room_page),
        route(M::GET,    "/resources/rooms/new",                                Needs(ResourceAdmin), pages::resources::new_room_page),
        route(M::GET,    "/resources/rooms/{id}",                               Needs(ResourceAdmin), pages::resources::edit_room_page),
        route(M::POST,   "/resources/rooms/{id}",                               Needs(ResourceAdmin), pages::resources::update_room_page),
        route(M::POST,   "/resources/equipment",                                Needs(ResourceAdmin), pages::resources::create_equipment_page),
        route(M::GET,    "/resources/equipment/new",                            Needs(ResourceAdmin), pages::resources::new_equipment_page),
        route(M::GET,    "/resources/equipment/{id}",                           Needs(ResourceAdmin), pages::resources::edit_equipment_page),
        route(M::POST,   "/resources/equipment/{id}",                           Needs(ResourceAdmin), pages::resources::update_equipment_page),
        route(M::POST,   "/resources/beds",                                     Needs(ResourceAdmin), pages::resources::create_bed_unit_page),
        route(M::GET,    "/resources/beds/new",                                 Needs(ResourceAdmin), pages::resources::new_bed_unit_page),
        route(M::GET,    "/resources/beds/{id}",                                Needs(ResourceAdmin), pages::resources::edit_bed_unit_page),
        route(M::POST,   "/resources/beds/{id}",                                Needs(ResourceAdmin), pages::resources::update_bed_unit_page),
        route(M::GET,    "/resources/staff",                                    Needs(ResourceAdmin), pages::staff::list_page),
        route(M::GET,    "/resources/staff/{username}",                         Needs(ResourceAdmin), pages::staff::person_page),
        route(M::POST,   "/resources/staff/{username}",                         Needs(ResourceAdmin), pages::staff::set_weekly_page),
        route(M::POST,   "/resources/staff/{username}/exceptions",              Needs(ResourceAdmin), pages::staff::add_exception_page),
        route(M::POST,   "/resources/staff/{username}/exceptions/{date}/remove", Needs(ResourceAdmin), pages::staff::remove_exception_page),
        route(M::GET,    "/api/v1/catalog",                                     SignedIn,             api::procedures::list_types),
        route(M::POST,   "/api/v1/catalog",                                     Needs(CatalogAdmin),  api::procedures::create_type),
        route(M::GET,    "/api/v1/catalog/versions/{version_id}",               SignedIn,             api::procedures::get_version),
        route(M::GET,    "/api/v1/catalog/{id}",                                SignedIn,             api::procedures::get_type),
        route(M::PUT,    "/api/v1/catalog/{id}",                                Needs(CatalogAdmin),  api::procedures::update_type),
        route(M::GET,    "/api/v1/thresholds",                                  SignedIn,             api::thresholds::list),
        route(M::PUT,    "/api/v1/thresholds/{risk}",                           Needs(CatalogAdmin),  api::thresholds::update),
        route(M::GET,    "/api/v1/rooms",                                       SignedIn,             api::resources::list_rooms),
        route(M::POST,   "/api/v1/rooms",                                       Needs(ResourceAdmin), api::resources::create_room),
        route(M::GET,    "/api/v1/rooms/{id}",                                  SignedIn,             api::resources::get_room),
        route(M::PUT,    "/api/v1/rooms/{id}",                                  Needs(ResourceAdmin), api::resources::update_room),
        route(M::GET,    "/api/v1/equipment",                                   SignedIn,             api::resources::list_equipment),
        route(M::POST,   "/api/v1/equipment",                                   Needs(ResourceAdmin), api::resources::create_equipment),
        route(M::GET,    "/api/v1/equipment/{id}",                              SignedIn,             api::resources::get_equipment),
        route(M::PUT,    "/api/v1/equipment/{id}",                              Needs(ResourceAdmin), api::resources::update_equipment),
        route(M::GET,    "/api/v1/bed-units",                                   SignedIn,             api::resources::list_bed_units),
        route(M::POST,   "/api/v1/bed-units",                                   Needs(ResourceAdmin), api::resources::create_bed_unit),
        route(M::GET,    "/api/v1/bed-units/{id}",                              SignedIn,             api::resources::get_bed_unit),
        route(M::PUT,    "/api/v1/bed-units/{id}",                              Needs(ResourceAdmin), api::resources::update_bed_unit),
        route(M::GET,    "/api/v1/staff",                                       SignedIn,             api::staff::list),
        route(M::PUT,    "/api/v1/staff/{username}/weekly",                     Needs(ResourceAdmin), api::staff::set_weekly),
        route(M::PUT,    "/api/v1/staff/{username}/exceptions/{date}",          Needs(ResourceAdmin), api::staff::set_exception),
        route(M::DELETE, "/api/v1/staff/{username}/exceptions/{date}",          Needs(ResourceAdmin), api::staff::remove_exception),
    ]
}

/// This area's part of the OpenAPI document: `tags`, `paths` and `schemas`.
pub(crate) fn openapi() -> Value {
    spec::openapi()
}

/// The label of an enum code, e.g. `label(lang, "catalog.family", "biopsy")`; the code
/// itself if the table lacks it (a unit test keeps that from happening).
fn label(lang: Lang, prefix: &str, code: &'static str) -> &'static str {
    i18n::lookup(&format!("{prefix}.{code}"), lang).unwrap_or(code)
}

/// Domain field paths → form fields: a list item's error (`rooms.0`) goes beside the
/// list; `hours.wed` stays with its weekday.
fn form_field(field: &str) -> &str {
    match field.split_once('.') {
        Some((list, _)) if list != "hours" => list,
        _ => field,
    }
}

/// A whole number typed in a form: `None` when empty, the field's error when it is not
/// a number.
fn form_number(field: &str, raw: &str) -> Result<Option<u32>, seldinger_domain::FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse().map(Some).map_err(|_| {
        seldinger_domain::FieldError::new(
            field,
            seldinger_domain::Problem::BadFormat {
                expected: "a whole number",
            },
        )
    })
}

/// Merges the errors of the form's own reading (numbers) into the domain's, which
/// replace nothing the form already said about the same field.
fn merge_errors(
    form: Vec<seldinger_domain::FieldError>,
    domain: Option<seldinger_domain::Invalid>,
) -> Option<seldinger_domain::Invalid> {
    let mut all = form;
    for e in domain.map(|d| d.0).unwrap_or_default() {
        if !all.iter().any(|f| f.field == e.field) {
            all.push(e);
        }
    }
    (!all.is_empty()).then_some(seldinger_domain::Invalid(all))
}

// What both faces of a subject use.

/// A category from a path: anything else names nothing.
fn parse_risk(raw: &str) -> Result<BleedingRisk, AppError> {
    BleedingRisk::parse(raw).map_err(|_| AppError::NotFound)
}

fn room_codes(rooms: &[RoomRecord], ids: &[RoomId]) -> Vec<String> {
    ids.iter()
        .filter_map(|id| rooms.iter().find(|r| r.room.id == *id))
        .map(|r| r.room.code.clone())
        .collect()
}

async fn equipment_record(state: &AppState, id: EquipmentId) -> Result<EquipmentRecord, AppError> {
    state
        .store()
        .equipment()
        .await?
        .into_iter()
        .find(|e| e.equipment.id == id)
        .ok_or(AppError::NotFound)
}

async fn bed_unit_record(state: &AppState, id: BedUnitId) -> Result<BedUnitRecord, AppError> {
    state
        .store()
        .bed_units()
        .await?
        .into_iter()
        .find(|b| b.unit.id == id)
        .ok_or(AppError::NotFound)
}

/// The roles that are booked on procedures, in the order the pages show them.
const BOOKED: [Role; 2] = [Role::InterventionalRadiologist, Role::Anesthetist];

fn spans_text(spans: &[Span]) -> String {
    spans.iter().map(Span::label).collect::<Vec<_>>().join(", ")
}

/// The department's today, in its own zone.
fn today(state: &AppState) -> Date {
    local_date(state.now(), &state.config().timezone)
}

/// Someone who can be booked, by username; anyone else (or nobody) is 404.
async fn find(state: &AppState, username: &str) -> Result<StaffAvailability, AppError> {
    let username = username.trim().to_lowercase();
    let from = today(state);
    for role in BOOKED {
        if let Some(person) = state
            .store()
            .staff_availability(role, from)
            .await?
            .into_iter()
            .find(|p| p.username == username)
        {
            return Ok(person);
        }
    }
    Err(AppError::NotFound)
}

/// A date from a path: anything that is not one names nothing.
fn path_date(raw: &str) -> Result<Date, AppError> {
    parse_date("date", raw).map_err(|_| AppError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;
    use seldinger_domain::catalog::{
        Anesthesia, BleedingRisk, EquipmentKind, Guidance, Organ, ProcedureFamily, RoomType,
        StayKind,
    };
    use seldinger_domain::resources::{BedUnitKind, WEEKDAYS};

    #[test]
    fn every_code_has_a_label_in_both_languages() {
        let mut checked = 0;
        let mut check = |prefix: &str, codes: Vec<&'static str>| {
            for code in codes {
                for lang in Lang::ALL {
                    assert!(
                        i18n::lookup(&format!("{prefix}.{code}"), lang).is_some(),
                        "{prefix}.{code} has no {lang:?} label"
                    );
                }
                checked += 1;
            }
        };
        check(
            "catalog.family",
            ProcedureFamily::ALL.iter().map(|c| c.code()).collect(),
        );
        check(
            "catalog.anesthesia",
            Anesthesia::ALL.iter().map(|c| c.code()).collect(),
        );
        check(
            "catalog.room_type",
            RoomType::ALL.iter().map(|c| c.code()).collect(),
        );
        check(
            "catalog.guidance",
            Guidance::ALL.iter().map(|c| c.code()).collect(),
        );
        check(
            "catalog.bleeding_risk",
            BleedingRisk::ALL.iter().map(|c| c.code()).collect(),
        );
        check(
            "catalog.equipment_kind",
            EquipmentKind::ALL.iter().map(|c| c.code()).collect(),
        );
        check(
            "catalog.organ",
            Organ::ALL.iter().map(|c| c.code()).collect(),
        );
        check(
            "catalog.stay",
            StayKind::ALL.iter().map(|c| c.code()).collect(),
        );
        check(
            "resources.bed_kind",
            BedUnitKind::ALL.iter().map(|c| c.code()).collect(),
        );
        check("resources.day", WEEKDAYS.to_vec());
        check("resources.day.short", WEEKDAYS.to_vec());
        assert!(checked > 60);
    }

    #[test]
    fn list_item_errors_go_beside_their_list_and_hours_beside_their_day() {
        assert_eq!(form_field("rooms.0"), "rooms");
        assert_eq!(form_field("target_organs.3"), "target_organs");
        assert_eq!(form_field("hours.wed"), "hours.wed");
        assert_eq!(form_field("code"), "code");
    }
}
