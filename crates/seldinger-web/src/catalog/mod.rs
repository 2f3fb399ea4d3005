//! The procedure catalog (versioned types), the checklist thresholds and the resources
//! bookings are checked against: rooms, equipment, bed units, staff availability.
//! Pages and JSON API.
//!
//! - [`procedures`]: the catalog list, a type with its versions, the type form; the
//!   catalog API. Reading is open to every signed-in user (it is not patient data);
//!   editing needs `CatalogAdmin`. Each save makes a new version.
//! - [`thresholds`]: the checklist's lab thresholds per bleeding-risk category, shown
//!   beside the source they come from; edited with `CatalogAdmin`.
//! - [`resources`]: rooms, equipment and bed units (`ResourceAdmin` for the pages and
//!   for writes; API reads for every signed-in user).
//! - [`staff`]: weekly hours and dated exceptions of operators and anesthetists.
//! - [`spec`]: this area's part of the OpenAPI document.

mod procedures;
mod resources;
mod spec;
mod staff;
mod thresholds;

use askama::Template;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use seldinger_domain::{Access, Lang, Permission};
use serde_json::Value;

use crate::html;
use crate::i18n;
use crate::routes::{Route, route};

/// This area's routes, each with the access it demands.
#[rustfmt::skip] // One route per line: this is a table, read as one.
pub(crate) fn routes() -> Vec<Route> {
    use Access::{Needs, SignedIn};
    use Method as M;
    use Permission::{CatalogAdmin, ResourceAdmin};
    vec![
        route(M::GET,    "/catalog",                                            SignedIn,             procedures::list_page),
        route(M::POST,   "/catalog",                                            Needs(CatalogAdmin),  procedures::create_page),
        route(M::GET,    "/catalog/new",                                        Needs(CatalogAdmin),  procedures::new_page),
        route(M::GET,    "/catalog/thresholds",                                 SignedIn,             thresholds::page),
        route(M::POST,   "/catalog/thresholds/{risk}",                          Needs(CatalogAdmin),  thresholds::update_page),
        route(M::GET,    "/catalog/{id}",                                       SignedIn,             procedures::show_page),
        route(M::POST,   "/catalog/{id}",                                       Needs(CatalogAdmin),  procedures::update_page),
        route(M::GET,    "/catalog/{id}/edit",                                  Needs(CatalogAdmin),  procedures::edit_page),
        route(M::GET,    "/resources",                                          Needs(ResourceAdmin), resources::overview_page),
        route(M::POST,   "/resources/rooms",                                    Needs(ResourceAdmin), resources::create_room_page),
        route(M::GET,    "/resources/rooms/new",                                Needs(ResourceAdmin), resources::new_room_page),
        route(M::GET,    "/resources/rooms/{id}",                               Needs(ResourceAdmin), resources::edit_room_page),
        route(M::POST,   "/resources/rooms/{id}",                               Needs(ResourceAdmin), resources::update_room_page),
        route(M::POST,   "/resources/equipment",                                Needs(ResourceAdmin), resources::create_equipment_page),
        route(M::GET,    "/resources/equipment/new",                            Needs(ResourceAdmin), resources::new_equipment_page),
        route(M::GET,    "/resources/equipment/{id}",                           Needs(ResourceAdmin), resources::edit_equipment_page),
        route(M::POST,   "/resources/equipment/{id}",                           Needs(ResourceAdmin), resources::update_equipment_page),
        route(M::POST,   "/resources/beds",                                     Needs(ResourceAdmin), resources::create_bed_unit_page),
        route(M::GET,    "/resources/beds/new",                                 Needs(ResourceAdmin), resources::new_bed_unit_page),
        route(M::GET,    "/resources/beds/{id}",                                Needs(ResourceAdmin), resources::edit_bed_unit_page),
        route(M::POST,   "/resources/beds/{id}",                                Needs(ResourceAdmin), resources::update_bed_unit_page),
        route(M::GET,    "/resources/staff",                                    Needs(ResourceAdmin), staff::list_page),
        route(M::GET,    "/resources/staff/{username}",                         Needs(ResourceAdmin), staff::person_page),
        route(M::POST,   "/resources/staff/{username}",                         Needs(ResourceAdmin), staff::set_weekly_page),
        route(M::POST,   "/resources/staff/{username}/exceptions",              Needs(ResourceAdmin), staff::add_exception_page),
        route(M::POST,   "/resources/staff/{username}/exceptions/{date}/remove", Needs(ResourceAdmin), staff::remove_exception_page),
        route(M::GET,    "/api/v1/catalog",                                     SignedIn,             procedures::list_types),
        route(M::POST,   "/api/v1/catalog",                                     Needs(CatalogAdmin),  procedures::create_type),
        route(M::GET,    "/api/v1/catalog/versions/{version_id}",               SignedIn,             procedures::get_version),
        route(M::GET,    "/api/v1/catalog/{id}",                                SignedIn,             procedures::get_type),
        route(M::PUT,    "/api/v1/catalog/{id}",                                Needs(CatalogAdmin),  procedures::update_type),
        route(M::GET,    "/api/v1/thresholds",                                  SignedIn,             thresholds::list),
        route(M::PUT,    "/api/v1/thresholds/{risk}",                           Needs(CatalogAdmin),  thresholds::update),
        route(M::GET,    "/api/v1/rooms",                                       SignedIn,             resources::list_rooms),
        route(M::POST,   "/api/v1/rooms",                                       Needs(ResourceAdmin), resources::create_room),
        route(M::GET,    "/api/v1/rooms/{id}",                                  SignedIn,             resources::get_room),
        route(M::PUT,    "/api/v1/rooms/{id}",                                  Needs(ResourceAdmin), resources::update_room),
        route(M::GET,    "/api/v1/equipment",                                   SignedIn,             resources::list_equipment),
        route(M::POST,   "/api/v1/equipment",                                   Needs(ResourceAdmin), resources::create_equipment),
        route(M::GET,    "/api/v1/equipment/{id}",                              SignedIn,             resources::get_equipment),
        route(M::PUT,    "/api/v1/equipment/{id}",                              Needs(ResourceAdmin), resources::update_equipment),
        route(M::GET,    "/api/v1/bed-units",                                   SignedIn,             resources::list_bed_units),
        route(M::POST,   "/api/v1/bed-units",                                   Needs(ResourceAdmin), resources::create_bed_unit),
        route(M::GET,    "/api/v1/bed-units/{id}",                              SignedIn,             resources::get_bed_unit),
        route(M::PUT,    "/api/v1/bed-units/{id}",                              Needs(ResourceAdmin), resources::update_bed_unit),
        route(M::GET,    "/api/v1/staff",                                       SignedIn,             staff::list),
        route(M::PUT,    "/api/v1/staff/{username}/weekly",                     Needs(ResourceAdmin), staff::set_weekly),
        route(M::PUT,    "/api/v1/staff/{username}/exceptions/{date}",          Needs(ResourceAdmin), staff::set_exception),
        route(M::DELETE, "/api/v1/staff/{username}/exceptions/{date}",          Needs(ResourceAdmin), staff::remove_exception),
    ]
}

/// This area's part of the OpenAPI document: `tags`, `paths` and `schemas`.
pub(crate) fn openapi() -> Value {
    spec::openapi()
}

/// A page with a status other than 200 (a form refused, a stale version).
fn render_with(status: StatusCode, template: &impl Template) -> Response {
    (status, html::render(template)).into_response()
}

/// POST/redirect/GET.
fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
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
