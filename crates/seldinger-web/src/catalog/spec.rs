//! This area's part of the OpenAPI document: the catalog, the checklist thresholds, the
//! resources and staff availability.

use seldinger_domain::catalog::{
    Anesthesia, BleedingRisk, EquipmentKind, Guidance, Organ, ProcedureFamily, RoomType, StayKind,
};
use seldinger_domain::resources::BedUnitKind;
use serde_json::{Value, json};

use super::api::resources::{BedUnitUpdate, EquipmentUpdate, RoomUpdate};
use crate::openapi::{
    body, derived, items, ok, optional_text, path_param, query_param, required_text, schema,
    with_derived,
};

fn codes<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> Value {
    json!({ "enum": all.iter().map(|v| code(*v)).collect::<Vec<_>>() })
}

fn code_list<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> Value {
    json!({ "type": "array", "items": codes(all, code) })
}

fn bilingual() -> Value {
    json!({ "type": "object", "required": ["fr", "en"], "properties": { "fr": { "type": "string" }, "en": { "type": "string" } } })
}

/// Seven texts, Monday first.
fn week(description: &str) -> Value {
    json!({ "type": "array", "minItems": 7, "maxItems": 7, "items": hours(), "description": description })
}

/// One day's hours as `resources::parse_spans` reads them: `HH:MM-HH:MM` spans (the end
/// may be `24:00`) separated by commas, or nothing. That each span ends after it starts
/// and that spans do not overlap is a rule between values (`inconsistent`).
fn hours() -> Value {
    let span = r"(?:[01]\d|2[0-3]):[0-5]\d-(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)";
    json!({ "type": "string", "pattern": format!(r"^\s*(?:{span}(?:\s*[,;]\s*{span})*)?\s*$") })
}

/// A resource's code (`resources::resource_code`): read in capitals.
fn resource_code() -> Value {
    json!({ "type": "string", "pattern": r"^\s*[A-Za-z0-9_-]{1,32}\s*$", "description": "1 to 32 letters, digits, `-`, `_`; stored upper-case; unique." })
}

const HOURS_DEFAULT: &str = "Monday first, local wall-clock time: `08:00-12:00, 13:30-18:00`; empty when closed. Left out: closed every day. A day's error names it: `hours.wed`.";

const HOURS: &str = "Monday first, local wall-clock time: `08:00-12:00, 13:30-18:00`; empty when closed or absent. A day's error names it: `hours.wed`.";

/// The fields a procedure type is written with (create, and with `version` to update).
fn input_properties() -> Value {
    json!({
        "code": { "type": "string", "pattern": r"^\s*[A-Za-z0-9_-]{2,32}\s*$", "description": "Stored upper-case; unique in the catalog." },
        "name_fr": required_text(120),
        "name_en": required_text(120),
        "family": codes(ProcedureFamily::ALL, ProcedureFamily::code),
        "target_organs": code_list(Organ::ALL, Organ::code),
        "guidance": { "allOf": [code_list(Guidance::ALL, Guidance::code)], "minItems": 1 },
        "anesthesia": codes(Anesthesia::ALL, Anesthesia::code),
        "stay": codes(StayKind::ALL, StayKind::code),
        "nights": { "type": ["integer", "null"], "minimum": 0, "maximum": u32::MAX, "description": "1 to 30, required for an `inpatient` stay; ignored otherwise." },
        "duration_minutes": { "type": "integer", "minimum": 5, "maximum": 600 },
        "room_types": { "allOf": [code_list(RoomType::ALL, RoomType::code)], "minItems": 1 },
        "equipment": code_list(EquipmentKind::ALL, EquipmentKind::code),
        "bleeding_risk": codes(BleedingRisk::ALL, BleedingRisk::code),
        "contrast": { "type": "boolean", "description": "Iodinated contrast is planned." },
        "risks_fr": required_text(2000),
        "risks_en": required_text(2000),
        "preparation_fr": required_text(2000),
        "preparation_en": required_text(2000),
        "information_sheet_fr": { "allOf": [required_text(20000)], "description": "Paragraphs separated by blank lines." },
        "information_sheet_en": required_text(20000)
    })
}

const INPUT_REQUIRED: [&str; 16] = [
    "code",
    "name_fr",
    "name_en",
    "family",
    "guidance",
    "anesthesia",
    "stay",
    "duration_minutes",
    "room_types",
    "bleeding_risk",
    "risks_fr",
    "risks_en",
    "preparation_fr",
    "preparation_en",
    "information_sheet_fr",
    "information_sheet_en",
];

fn with(mut properties: Value, extra: Value) -> Value {
    if let (Some(into), Some(from)) = (properties.as_object_mut(), extra.as_object()) {
        for (k, v) in from {
            into.insert(k.clone(), v.clone());
        }
    }
    properties
}

pub(super) fn openapi() -> Value {
    let part = json!({
        "tags": [
            { "name": "catalog", "description": "Procedure types, versioned: each edit saves the next version and a case keeps the version it was planned with. Readable by every signed-in user; edited by catalog administrators." },
            { "name": "thresholds", "description": "The checklist's lab thresholds per bleeding-risk category, with their source." },
            { "name": "resources", "description": "Rooms, equipment and bed units that bookings are checked against." },
            { "name": "staff", "description": "Weekly hours and dated exceptions of operators and anesthetists (local time)." }
        ],
        "paths": merge(catalog_paths(), resource_paths()),
        "schemas": merge(catalog_schemas(), resource_schemas())
    });
    let mut part = with_derived(
        part,
        [
            derived::<RoomUpdate>(),
            derived::<EquipmentUpdate>(),
            derived::<BedUnitUpdate>(),
        ],
    );
    // What the derive cannot say of a list's items: a day's hours, a room's code.
    part["schemas"]["ResourceRoomUpdate"]["properties"]["hours"]["items"] = hours();
    part["schemas"]["ResourceEquipmentUpdate"]["properties"]["rooms"]["items"] = resource_code();
    part
}

/// The union of two JSON objects.
fn merge(mut a: Value, b: Value) -> Value {
    if let (Some(into), Value::Object(from)) = (a.as_object_mut(), b) {
        into.extend(from);
    }
    a
}

fn catalog_paths() -> Value {
    let type_id = path_param(
        "id",
        "The procedure type's id (UUID; its versions share it).",
    );
    let write = &["400", "401", "403", "404", "409", "415", "422", "503"];
    let create = &["400", "401", "403", "409", "415", "422", "503"];
    let read = &["401", "503"];
    json!({
            "/api/v1/catalog": {
                "get": {
                    "tags": ["catalog"], "summary": "List procedure types at their current version, by code.", "operationId": "list_procedure_types",
                    "parameters": [query_param("include_withdrawn", "Also list withdrawn types (default false).", json!({ "type": "boolean" }))],
                    "responses": ok("200", "Procedure types.", items("ProcedureType"), &["400", "401", "503"])
                },
                "post": {
                    "tags": ["catalog"], "summary": "Add a procedure type (version 1).", "operationId": "create_procedure_type",
                    "requestBody": body("ProcedureTypeInput"),
                    "responses": ok("201", "Created; `Location` names it. A taken code is 409 with `errors[0].field` = `code`.", schema("ProcedureType"), create)
                }
            },
            "/api/v1/catalog/versions/{version_id}": {
                "parameters": [path_param("version_id", "The version's id (UUID), as a case records it.")],
                "get": {
                    "tags": ["catalog"], "summary": "Read one version of a procedure type, whatever the current one is.", "operationId": "get_procedure_version",
                    "responses": ok("200", "The version, as it was saved.", schema("ProcedureVersion"), &["401", "404", "503"])
                }
            },
            "/api/v1/catalog/{id}": {
                "parameters": [type_id],
                "get": {
                    "tags": ["catalog"], "summary": "Read a procedure type at its current version, with the list of its versions.", "operationId": "get_procedure_type",
                    "responses": ok("200", "The type and its versions, newest first.", schema("ProcedureTypeWithVersions"), &["401", "404", "503"])
                },
                "put": {
                    "tags": ["catalog"], "summary": "Save an edit as the next version, if `version` is still current.", "operationId": "update_procedure_type",
                    "description": "The whole definition is sent. A stale `version` is 409 with `current_version`, and nothing is saved. `active: false` withdraws the type from new referrals.",
                    "requestBody": body("ProcedureTypeUpdate"),
                    "responses": ok("200", "Saved; `version` is the new version number.", schema("ProcedureTypeWithVersions"), write)
                }
            },
            "/api/v1/thresholds": {
                "get": {
                    "tags": ["thresholds"], "summary": "Both bleeding-risk categories' thresholds, low first, with their source.", "operationId": "list_thresholds",
                    "responses": ok("200", "Thresholds.", items("ChecklistThresholds"), read)
                }
            },
            "/api/v1/thresholds/{risk}": {
                "parameters": [path_param("risk", "`low` or `high`.")],
                "put": {
                    "tags": ["thresholds"], "summary": "Replace one category's thresholds, if `version` is still current.", "operationId": "update_thresholds",
                    "requestBody": body("ChecklistThresholdsUpdate"),
                    "responses": ok("200", "Saved.", schema("ChecklistThresholds"), write)
                }
            }
    })
}

fn resource_paths() -> Value {
    let resource_id = path_param("id", "The record's id (UUID).");
    let username = path_param("username", "An operator's or anesthetist's username.");
    let mut date = path_param("date", "The date (YYYY-MM-DD).");
    date["schema"]["format"] = json!("date");
    let read = &["401", "503"];
    let write = &["400", "401", "403", "404", "409", "415", "422", "503"];
    let create = &["400", "401", "403", "409", "415", "422", "503"];
    json!({
            "/api/v1/rooms": {
                "get": { "tags": ["resources"], "summary": "List rooms, by code.", "operationId": "list_rooms", "responses": ok("200", "Rooms.", items("ResourceRoom"), read) },
                "post": {
                    "tags": ["resources"], "summary": "Add a room.", "operationId": "create_room",
                    "requestBody": body("ResourceRoomInput"),
                    "responses": ok("201", "Created; `Location` names it. A taken code is 409 naming `code`.", schema("ResourceRoom"), create)
                }
            },
            "/api/v1/rooms/{id}": {
                "parameters": [resource_id.clone()],
                "get": { "tags": ["resources"], "summary": "Read a room.", "operationId": "get_room", "responses": ok("200", "The room.", schema("ResourceRoom"), &["401", "404", "503"]) },
                "put": {
                    "tags": ["resources"], "summary": "Replace a room, if `version` is still current.", "operationId": "update_room",
                    "requestBody": body("ResourceRoomUpdate"),
                    "responses": ok("200", "Saved.", schema("ResourceRoom"), write)
                }
            },
            "/api/v1/equipment": {
                "get": { "tags": ["resources"], "summary": "List equipment, by code.", "operationId": "list_equipment", "responses": ok("200", "Equipment.", items("ResourceEquipment"), read) },
                "post": {
                    "tags": ["resources"], "summary": "Add a piece of equipment.", "operationId": "create_equipment",
                    "description": "Rooms are named by code; an unknown one is 422 naming `rooms.N`.",
                    "requestBody": body("ResourceEquipmentInput"),
                    "responses": ok("201", "Created; `Location` names it.", schema("ResourceEquipment"), create)
                }
            },
            "/api/v1/equipment/{id}": {
                "parameters": [resource_id.clone()],
                "get": { "tags": ["resources"], "summary": "Read a piece of equipment.", "operationId": "get_equipment", "responses": ok("200", "The equipment.", schema("ResourceEquipment"), &["401", "404", "503"]) },
                "put": {
                    "tags": ["resources"], "summary": "Replace a piece of equipment, if `version` is still current.", "operationId": "update_equipment",
                    "requestBody": body("ResourceEquipmentUpdate"),
                    "responses": ok("200", "Saved.", schema("ResourceEquipment"), write)
                }
            },
            "/api/v1/bed-units": {
                "get": { "tags": ["resources"], "summary": "List bed units, by code.", "operationId": "list_bed_units", "responses": ok("200", "Bed units.", items("ResourceBedUnit"), read) },
                "post": {
                    "tags": ["resources"], "summary": "Add a bed unit.", "operationId": "create_bed_unit",
                    "requestBody": body("ResourceBedUnitInput"),
                    "responses": ok("201", "Created; `Location` names it.", schema("ResourceBedUnit"), create)
                }
            },
            "/api/v1/bed-units/{id}": {
                "parameters": [resource_id],
                "get": { "tags": ["resources"], "summary": "Read a bed unit.", "operationId": "get_bed_unit", "responses": ok("200", "The bed unit.", schema("ResourceBedUnit"), &["401", "404", "503"]) },
                "put": {
                    "tags": ["resources"], "summary": "Replace a bed unit, if `version` is still current.", "operationId": "update_bed_unit",
                    "requestBody": body("ResourceBedUnitUpdate"),
                    "responses": ok("200", "Saved.", schema("ResourceBedUnit"), write)
                }
            },
            "/api/v1/staff": {
                "get": {
                    "tags": ["staff"], "summary": "Operators then anesthetists, each with weekly hours and exceptions from today on.", "operationId": "list_staff",
                    "responses": ok("200", "Staff availability.", items("StaffAvailability"), read)
                }
            },
            "/api/v1/staff/{username}/weekly": {
                "parameters": [username.clone()],
                "put": {
                    "tags": ["staff"], "summary": "Set someone's weekly hours, if `version` is still current (0 the first time).", "operationId": "set_weekly_hours",
                    "requestBody": body("StaffWeeklyUpdate"),
                    "responses": ok("200", "Saved; the person with the new version.", schema("StaffAvailability"), write)
                }
            },
            "/api/v1/staff/{username}/exceptions/{date}": {
                "parameters": [username, date],
                "put": {
                    "tags": ["staff"], "summary": "Set (or replace) someone's exception on a date: away, or present at other hours.", "operationId": "set_availability_exception",
                    "requestBody": body("StaffExceptionInput"),
                    "responses": ok("200", "Saved; the person with their exceptions.", schema("StaffAvailability"), &["400", "401", "403", "404", "415", "422", "503"])
                },
                "delete": {
                    "tags": ["staff"], "summary": "Remove someone's exception on a date; the weekly hours apply again.", "operationId": "remove_availability_exception",
                    "responses": ok("204", "Removed.", Value::Null, &["401", "403", "404", "503"])
                }
            }
    })
}

fn catalog_schemas() -> Value {
    let input_required = INPUT_REQUIRED.to_vec();
    let mut update_required = input_required.clone();
    update_required.push("version");
    json!({
            "ProcedureDefinition": {
                "type": "object",
                "required": ["code", "name", "family", "target_organs", "guidance", "anesthesia", "stay", "duration_minutes", "room_types", "equipment", "bleeding_risk", "contrast", "risks", "preparation", "information_sheet"],
                "properties": {
                    "code": { "type": "string" },
                    "name": bilingual(),
                    "family": codes(ProcedureFamily::ALL, ProcedureFamily::code),
                    "target_organs": code_list(Organ::ALL, Organ::code),
                    "guidance": code_list(Guidance::ALL, Guidance::code),
                    "anesthesia": codes(Anesthesia::ALL, Anesthesia::code),
                    "stay": { "type": "object", "required": ["kind", "nights"], "properties": { "kind": codes(StayKind::ALL, StayKind::code), "nights": { "type": "integer", "description": "0 unless `inpatient`." } } },
                    "duration_minutes": { "type": "integer" },
                    "room_types": code_list(RoomType::ALL, RoomType::code),
                    "equipment": code_list(EquipmentKind::ALL, EquipmentKind::code),
                    "bleeding_risk": codes(BleedingRisk::ALL, BleedingRisk::code),
                    "contrast": { "type": "boolean" },
                    "risks": bilingual(),
                    "preparation": bilingual(),
                    "information_sheet": bilingual()
                }
            },
            "ProcedureType": {
                "allOf": [schema("ProcedureDefinition"), {
                    "type": "object", "required": ["id", "version_id", "version", "active", "updated_at"],
                    "properties": {
                        "id": { "type": "string", "format": "uuid" },
                        "version_id": { "type": "string", "format": "uuid", "description": "The current version's id." },
                        "version": { "type": "integer", "description": "The current version number." },
                        "active": { "type": "boolean", "description": "False when withdrawn from new referrals." },
                        "updated_at": { "type": "string", "format": "date-time" }
                    }
                }]
            },
            "ProcedureTypeWithVersions": {
                "allOf": [schema("ProcedureType"), {
                    "type": "object", "required": ["versions"],
                    "properties": { "versions": { "type": "array", "description": "Newest first.", "items": {
                        "type": "object", "required": ["id", "version", "created_at"],
                        "properties": { "id": { "type": "string", "format": "uuid" }, "version": { "type": "integer" }, "created_at": { "type": "string", "format": "date-time" } } } } }
                }]
            },
            "ProcedureVersion": {
                "allOf": [schema("ProcedureDefinition"), {
                    "type": "object", "required": ["id", "type_id", "version", "created_at"],
                    "properties": {
                        "id": { "type": "string", "format": "uuid" }, "type_id": { "type": "string", "format": "uuid" },
                        "version": { "type": "integer" }, "created_at": { "type": "string", "format": "date-time" }
                    }
                }]
            },
            "ProcedureTypeInput": {
                "type": "object", "additionalProperties": false, "required": input_required,
                "if": { "required": ["stay"], "properties": { "stay": { "const": "inpatient" } } },
                "then": { "required": ["nights"], "properties": { "nights": { "type": "integer", "minimum": 1, "maximum": 30 } } },
                "properties": input_properties()
            },
            "ProcedureTypeUpdate": {
                "type": "object", "additionalProperties": false, "required": update_required,
                "if": { "required": ["stay"], "properties": { "stay": { "const": "inpatient" } } },
                "then": { "required": ["nights"], "properties": { "nights": { "type": "integer", "minimum": 1, "maximum": 30 } } },
                "properties": with(input_properties(), json!({
                    "version": { "type": "integer", "description": "The version that was read." },
                    "active": { "type": "boolean", "description": "`false` withdraws the type from new referrals." }
                }))
            },
            "ChecklistThresholds": {
                "type": "object",
                "required": ["bleeding_risk", "inr_max", "platelets_min", "egfr_min", "lab_max_age_days", "source", "version", "updated_at"],
                "properties": {
                    "bleeding_risk": codes(BleedingRisk::ALL, BleedingRisk::code),
                    "inr_max": { "type": "number", "description": "Ready when INR ≤ this." },
                    "platelets_min": { "type": "integer", "description": "×10⁹/L; ready when at least this." },
                    "egfr_min": { "type": "integer", "description": "mL/min/1.73 m², before iodinated contrast." },
                    "lab_max_age_days": { "type": "integer", "description": "A lab older than this on the procedure day is stale." },
                    "source": { "type": "string", "description": "The reference the numbers come from." },
                    "version": { "type": "integer" },
                    "updated_at": { "type": "string", "format": "date-time" }
                }
            },
            "ChecklistThresholdsUpdate": {
                "type": "object", "additionalProperties": false,
                "required": ["version", "inr_max", "platelets_min", "egfr_min", "lab_max_age_days", "source"],
                "properties": {
                    "version": { "type": "integer" },
                    "inr_max": { "type": ["number", "string"], "description": "1.0 to 4.0, two decimals at most (`\"1,8\"` is read too)." },
                    "platelets_min": { "type": ["integer", "string"], "description": "10 to 200." },
                    "egfr_min": { "type": ["integer", "string"], "description": "10 to 90." },
                    "lab_max_age_days": { "type": ["integer", "string"], "description": "1 to 180." },
                    "source": { "type": "string", "maxLength": 2000 }
                }
            }
    })
}

fn resource_schemas() -> Value {
    json!({
            "ResourceRoom": {
                "type": "object", "required": ["id", "code", "name", "room_type", "hours", "active", "version"],
                "properties": {
                    "id": { "type": "string", "format": "uuid" }, "code": { "type": "string" }, "name": { "type": "string" },
                    "room_type": codes(RoomType::ALL, RoomType::code), "hours": week(HOURS),
                    "active": { "type": "boolean" }, "version": { "type": "integer" }
                }
            },
            "ResourceRoomInput": {
                "type": "object", "additionalProperties": false, "required": ["code", "name", "room_type"],
                "properties": {
                    "code": resource_code(),
                    "name": required_text(120),
                    "room_type": codes(RoomType::ALL, RoomType::code), "hours": week(HOURS_DEFAULT),
                    "active": { "type": "boolean", "description": "Default true." }
                }
            },
            "ResourceEquipment": {
                "type": "object", "required": ["id", "code", "name", "kind", "rooms", "active", "version"],
                "properties": {
                    "id": { "type": "string", "format": "uuid" }, "code": { "type": "string" }, "name": { "type": "string" },
                    "kind": codes(EquipmentKind::ALL, EquipmentKind::code),
                    "rooms": { "type": "array", "items": { "type": "string" }, "description": "Codes of the rooms it can serve." },
                    "active": { "type": "boolean" }, "version": { "type": "integer" }
                }
            },
            "ResourceEquipmentInput": {
                "type": "object", "additionalProperties": false, "required": ["code", "name", "kind", "rooms"],
                "properties": {
                    "code": resource_code(), "name": required_text(120),
                    "kind": codes(EquipmentKind::ALL, EquipmentKind::code),
                    "rooms": { "type": "array", "minItems": 1, "items": resource_code(), "description": "Room codes; each must exist." },
                    "active": { "type": "boolean", "description": "Default true." }
                }
            },
            "ResourceBedUnit": {
                "type": "object", "required": ["id", "code", "name", "kind", "capacity", "active", "version"],
                "properties": {
                    "id": { "type": "string", "format": "uuid" }, "code": { "type": "string" }, "name": { "type": "string" },
                    "kind": codes(BedUnitKind::ALL, BedUnitKind::code),
                    "capacity": { "type": "integer", "description": "Places per day (day unit) or beds per night (ward)." },
                    "active": { "type": "boolean" }, "version": { "type": "integer" }
                }
            },
            "ResourceBedUnitInput": {
                "type": "object", "additionalProperties": false, "required": ["code", "name", "kind", "capacity"],
                "properties": {
                    "code": resource_code(), "name": required_text(120),
                    "kind": codes(BedUnitKind::ALL, BedUnitKind::code),
                    "capacity": { "type": "integer", "minimum": 1, "maximum": 500 },
                    "active": { "type": "boolean", "description": "Default true." }
                }
            },
            "StaffAvailability": {
                "type": "object", "required": ["username", "full_name", "role", "weekly", "version", "exceptions"],
                "properties": {
                    "username": { "type": "string" }, "full_name": { "type": "string" },
                    "role": { "enum": ["interventional_radiologist", "anesthetist"] },
                    "weekly": week(HOURS),
                    "version": { "type": "integer", "description": "0 until the weekly hours are first set." },
                    "exceptions": { "type": "array", "description": "From today on, by date.", "items": {
                        "type": "object", "required": ["date", "hours"],
                        "properties": {
                            "date": { "type": "string", "format": "date" },
                            "hours": { "type": "string", "description": "Hours present that day; empty: away all day." },
                            "reason": { "type": ["string", "null"] } } } }
                }
            },
            "StaffWeeklyUpdate": {
                "type": "object", "additionalProperties": false, "required": ["version", "hours"],
                "properties": { "version": { "type": "integer" }, "hours": week(HOURS) }
            },
            "StaffExceptionInput": {
                "type": "object", "additionalProperties": false, "required": ["hours", "reason"],
                "properties": {
                    "hours": { "allOf": [hours()], "description": "Hours present that day, `HH:MM-HH:MM, …`; empty: away all day." },
                    "reason": optional_text(200)
                }
            }
    })
}
