//! The OpenAPI 3.1 document of the JSON API, served at `GET /api/v1/openapi.json`.
//!
//! Written by hand beside the handlers (no derive macros on domain types); a test checks
//! that it describes exactly the API routes of [`crate::routes::route_table`].

use axum::Json;
use serde_json::{Value, json};

pub(crate) fn problem_responses(codes: &[&str]) -> Value {
    let mut out = serde_json::Map::new();
    for code in codes {
        let description = match *code {
            "400" => "The request could not be read; `errors[].pointer` names the field.",
            "401" => "No valid session or bearer token.",
            "403" => "The role does not allow this, or a failed CSRF check.",
            "404" => "No such record.",
            "409" => {
                "Conflict: a stale `version` (`current_version` is given) or a value already used."
            }
            "415" => "The body must be `application/json`.",
            "422" => "Fields that break the rules, each in `errors[]` with a pointer and a code.",
            "429" => "Too many sign-in attempts.",
            _ => "The database does not answer.",
        };
        out.insert(
            (*code).into(),
            json!({ "description": description, "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }),
        );
    }
    Value::Object(out)
}

pub(crate) fn ok(status: &str, description: &str, schema: Value, errors: &[&str]) -> Value {
    let mut responses = problem_responses(errors);
    let body = if schema.is_null() {
        json!({ "description": description })
    } else {
        json!({ "description": description, "content": { "application/json": { "schema": schema } } })
    };
    responses[status] = body;
    responses
}

pub(crate) fn schema(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

pub(crate) fn items(name: &str) -> Value {
    json!({ "type": "object", "required": ["items"], "properties": { "items": { "type": "array", "items": schema(name) } } })
}

pub(crate) fn body(name: &str) -> Value {
    json!({ "required": true, "content": { "application/json": { "schema": schema(name) } } })
}

pub(crate) fn path_param(name: &str, description: &str) -> Value {
    json!({ "name": name, "in": "path", "required": true, "description": description, "schema": { "type": "string" } })
}

pub(crate) fn query_param(name: &str, description: &str, kind: &str) -> Value {
    json!({ "name": name, "in": "query", "required": false, "description": description, "schema": { "type": kind } })
}

/// The core document (session, patients, users, audit).
fn core_spec() -> Value {
    let patient_id = path_param("id", "The patient's id (UUID).");
    let username = path_param("username", "The account's username.");
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Seldinger API",
            "version": "1",
            "description": "The JSON API of Seldinger, the information system of an interventional radiology department. Every action of the interface is here. Authenticate with `Authorization: Bearer TOKEN` (tokens are created by an administrator) or with the session cookie, sending the session's CSRF token in `X-CSRF-Token` on writes. Errors are RFC 9457 problem documents. Every read and write of patient data is audited."
        },
        "servers": [{ "url": "/" }],
        "security": [{ "bearer": [] }, { "session": [] }],
        "tags": [
            { "name": "session", "description": "Signing in and out, the current user." },
            { "name": "patients" },
            { "name": "users", "description": "Accounts (administrators)." },
            { "name": "audit", "description": "The append-only audit log." }
        ],
        "paths": {
            "/api/v1/openapi.json": {
                "get": { "tags": ["session"], "summary": "This document.", "operationId": "openapi", "responses": ok("200", "The OpenAPI document.", json!({ "type": "object" }), &["401"]) }
            },
            "/api/v1/session": {
                "post": {
                    "tags": ["session"], "summary": "Sign in; sets the session cookie.", "operationId": "create_session", "security": [],
                    "requestBody": body("SignIn"),
                    "responses": ok("200", "Signed in; `csrf_token` is to be sent back in `X-CSRF-Token`.", schema("Me"), &["400", "401", "415", "429", "503"])
                },
                "delete": { "tags": ["session"], "summary": "Sign out.", "operationId": "delete_session", "responses": ok("204", "Signed out.", Value::Null, &["401", "403"]) }
            },
            "/api/v1/me": {
                "get": { "tags": ["session"], "summary": "The signed-in user and their permissions.", "operationId": "get_me", "responses": ok("200", "The user.", schema("Me"), &["401"]) }
            },
            "/api/v1/me/language": {
                "put": { "tags": ["session"], "summary": "Choose the interface language.", "operationId": "set_my_language", "requestBody": body("Language"), "responses": ok("200", "The user.", schema("Me"), &["400", "401", "403", "415", "422"]) }
            },
            "/api/v1/patients": {
                "get": {
                    "tags": ["patients"], "summary": "Search patients.", "operationId": "search_patients",
                    "description": "Words of `q` are name prefixes that must all match, folded for case and accents (\"helene\" finds \"Hélène\", \"dupre\" finds \"Dupré-Lefèvre\"); a word written as a date (YYYY-MM-DD or DD/MM/YYYY) selects the birth date; the whole of `q` is also tried as an exact MRN. An empty `q` lists recently updated patients.",
                    "parameters": [query_param("q", "Search text.", "string"), query_param("limit", "At most this many (1–200, default 50).", "integer")],
                    "responses": ok("200", "Matching patients, by name.", items("Patient"), &["400", "401", "403", "422", "503"])
                },
                "post": {
                    "tags": ["patients"], "summary": "Register a patient.", "operationId": "create_patient",
                    "requestBody": body("PatientInput"),
                    "responses": ok("201", "Registered; `possible_duplicates` lists records with the same names and birth date.", schema("PatientWithDuplicates"), &["400", "401", "403", "409", "415", "422", "503"])
                }
            },
            "/api/v1/patients/{id}": {
                "parameters": [patient_id],
                "get": { "tags": ["patients"], "summary": "Read a patient.", "operationId": "get_patient", "responses": ok("200", "The patient.", schema("Patient"), &["401", "403", "404", "503"]) },
                "put": {
                    "tags": ["patients"], "summary": "Replace a patient's data, if `version` is still current.", "operationId": "update_patient",
                    "requestBody": body("PatientUpdate"),
                    "responses": ok("200", "Updated; the version is incremented.", schema("PatientWithDuplicates"), &["400", "401", "403", "404", "409", "415", "422", "503"])
                },
                "delete": {
                    "tags": ["patients"], "summary": "Withdraw a record registered in error.", "operationId": "delete_patient",
                    "description": "A soft delete: the record leaves searches and reads but stays in the database, and the reason goes to the audit log.",
                    "requestBody": body("PatientWithdrawal"),
                    "responses": ok("204", "Withdrawn.", Value::Null, &["400", "401", "403", "404", "409", "415", "422", "503"])
                }
            },
            "/api/v1/users": {
                "get": { "tags": ["users"], "summary": "List accounts.", "operationId": "list_users", "responses": ok("200", "Accounts by username.", items("User"), &["401", "403"]) },
                "post": { "tags": ["users"], "summary": "Create an account.", "operationId": "create_user", "requestBody": body("UserInput"), "responses": ok("201", "Created.", schema("User"), &["400", "401", "403", "415", "422"]) }
            },
            "/api/v1/users/{username}/disable": {
                "parameters": [username.clone()],
                "post": { "tags": ["users"], "summary": "Disable an account; its sessions and tokens stop working.", "operationId": "disable_user", "responses": ok("200", "The disabled account.", schema("User"), &["401", "403", "404"]) }
            },
            "/api/v1/users/{username}/tokens": {
                "parameters": [username],
                "post": { "tags": ["users"], "summary": "Create an API token; it is shown in this answer only.", "operationId": "create_token", "responses": ok("201", "The token.", schema("Token"), &["401", "403", "404", "409"]) }
            },
            "/api/v1/audit": {
                "get": {
                    "tags": ["audit"], "summary": "Read the audit log, newest first.", "operationId": "list_audit",
                    "parameters": [
                        query_param("object", "`type/id`, e.g. `patient/0192…`.", "string"),
                        query_param("username", "Who acted.", "string"),
                        query_param("action", "e.g. `patient.read`.", "string"),
                        query_param("since", "First day (YYYY-MM-DD).", "string"),
                        query_param("until", "Last day (YYYY-MM-DD).", "string"),
                        query_param("before", "Entries with an id below this (paging).", "integer"),
                        query_param("limit", "At most this many (1–1000, default 100).", "integer")
                    ],
                    "responses": ok("200", "Entries.", items("AuditEntry"), &["400", "401", "403", "422"])
                }
            }
        },
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer" },
                "session": { "type": "apiKey", "in": "cookie", "name": crate::auth::SESSION_COOKIE }
            },
            "schemas": {
                "Problem": {
                    "type": "object",
                    "required": ["type", "title", "status"],
                    "properties": {
                        "type": { "type": "string" }, "title": { "type": "string" }, "status": { "type": "integer" }, "detail": { "type": "string" },
                        "current_version": { "type": "integer", "description": "On a stale-version conflict." },
                        "code": { "type": "string", "description": "On a 409 refused by the pathway: why, as a stable code (`transition_not_allowed`, `reason_required`, `booking_conflict`, or a rule such as `already_on_agenda`)." },
                        "conflicts": { "type": "array", "description": "On a refused booking: every reason, each naming the resource and the booking in the way.", "items": { "type": "object", "properties": {
                            "code": { "type": "string" }, "resource": { "type": ["string", "null"] }, "booking": { "type": ["string", "null"], "format": "uuid" }, "detail": { "type": "string" } } } },
                        "errors": { "type": "array", "items": { "type": "object", "properties": {
                            "pointer": { "type": "string", "description": "JSON pointer to the field, e.g. /birth_date." },
                            "field": { "type": "string" }, "code": { "type": "string" }, "detail": { "type": "string" } } } }
                    }
                },
                "Allergy": {
                    "type": "object", "required": ["kind"], "additionalProperties": false,
                    "properties": { "kind": { "enum": ["iodinated_contrast", "latex", "other"] }, "note": { "type": "string", "maxLength": 500, "description": "Required for `other`." } }
                },
                "Anticoagulant": {
                    "type": "object", "required": ["drug"], "additionalProperties": false,
                    "properties": {
                        "drug": { "enum": ["warfarin", "fluindione", "acenocoumarol", "apixaban", "rivaroxaban", "dabigatran", "edoxaban", "lmwh", "ufh", "aspirin", "clopidogrel", "prasugrel", "ticagrelor", "other"] },
                        "note": { "type": "string", "maxLength": 500, "description": "Required for `other`." }
                    }
                },
                "PatientInput": {
                    "type": "object", "additionalProperties": false,
                    "required": ["mrn", "family_name", "given_names", "birth_date", "sex"],
                    "properties": {
                        "mrn": { "type": "string", "maxLength": 32, "pattern": "^[A-Za-z0-9_./-]+$" },
                        "family_name": { "type": "string", "maxLength": 100, "description": "Letters, spaces, hyphens, apostrophes, full stops." },
                        "given_names": { "type": "string", "maxLength": 100 },
                        "birth_date": { "type": "string", "format": "date" },
                        "sex": { "enum": ["female", "male", "other", "unknown"] },
                        "allergies": { "type": "array", "maxItems": 20, "items": schema("Allergy") },
                        "anticoagulants": { "type": "array", "maxItems": 20, "items": schema("Anticoagulant") }
                    }
                },
                "PatientUpdate": {
                    "allOf": [schema("PatientInput"), { "type": "object", "required": ["version"], "properties": { "version": { "type": "integer", "description": "The version that was read." } } }]
                },
                "Patient": {
                    "type": "object",
                    "required": ["id", "mrn", "family_name", "given_names", "birth_date", "sex", "allergies", "anticoagulants", "version", "created_at", "updated_at"],
                    "properties": {
                        "id": { "type": "string", "format": "uuid" }, "mrn": { "type": "string" },
                        "family_name": { "type": "string" }, "given_names": { "type": "string" },
                        "birth_date": { "type": "string", "format": "date" }, "sex": { "enum": ["female", "male", "other", "unknown"] },
                        "allergies": { "type": "array", "items": schema("Allergy") },
                        "anticoagulants": { "type": "array", "items": schema("Anticoagulant") },
                        "version": { "type": "integer" },
                        "created_at": { "type": "string", "format": "date-time" }, "updated_at": { "type": "string", "format": "date-time" }
                    }
                },
                "PatientWithDuplicates": {
                    "allOf": [schema("Patient"), { "type": "object", "properties": { "possible_duplicates": { "type": "array", "items": { "type": "string", "format": "uuid" } } } }]
                },
                "User": {
                    "type": "object", "required": ["id", "username", "full_name", "role", "language", "active", "created_at"],
                    "properties": {
                        "id": { "type": "string", "format": "uuid" }, "username": { "type": "string" }, "full_name": { "type": "string" },
                        "role": schema("Role"), "language": { "enum": ["fr", "en"] }, "active": { "type": "boolean" },
                        "created_at": { "type": "string", "format": "date-time" }
                    }
                },
                "Me": {
                    "allOf": [schema("User"), { "type": "object", "properties": {
                        "permissions": { "type": "array", "items": { "enum": ["patient_read", "patient_write", "user_admin", "audit_read"] } },
                        "csrf_token": { "type": "string", "description": "With a cookie session: send it back in X-CSRF-Token on writes." } } }]
                },
                "Role": { "enum": ["interventional_radiologist", "referring_physician", "anesthetist", "radiographer", "nurse", "scheduler", "pathologist", "study_coordinator", "quality_officer", "admin"] },
                "UserInput": {
                    "type": "object", "additionalProperties": false, "required": ["username", "full_name", "role", "password"],
                    "properties": {
                        "username": { "type": "string", "pattern": "^[a-z0-9._-]{2,64}$" }, "full_name": { "type": "string", "maxLength": 120 },
                        "role": schema("Role"), "language": { "enum": ["fr", "en"] }, "password": { "type": "string", "minLength": 10, "maxLength": 256 }
                    }
                },
                "PatientWithdrawal": {
                    "type": "object", "additionalProperties": false, "required": ["version", "reason"],
                    "properties": { "version": { "type": "integer" }, "reason": { "type": "string", "maxLength": 500 } }
                },
                "SignIn": { "type": "object", "additionalProperties": false, "required": ["username", "password"], "properties": { "username": { "type": "string" }, "password": { "type": "string" } } },
                "Language": { "type": "object", "additionalProperties": false, "required": ["language"], "properties": { "language": { "enum": ["fr", "en"] } } },
                "Token": { "type": "object", "required": ["username", "token"], "properties": { "username": { "type": "string" }, "token": { "type": "string" } } },
                "AuditEntry": {
                    "type": "object", "required": ["id", "at", "username", "action"],
                    "properties": {
                        "id": { "type": "integer" }, "at": { "type": "string", "format": "date-time" }, "username": { "type": "string" },
                        "role": { "type": ["string", "null"] }, "action": { "type": "string" }, "object": { "type": ["string", "null"], "description": "type/id" },
                        "client_addr": { "type": ["string", "null"] }, "detail": { "type": ["string", "null"] }
                    }
                }
            }
        }
    })
}

/// Each pathway area's part of the document: `tags`, `paths` and `schemas`.
fn areas() -> [Value; 7] {
    [
        crate::catalog::openapi(),
        crate::cases::openapi(),
        crate::mdt::openapi(),
        crate::booking::openapi(),
        crate::timeline::openapi(),
        crate::reports::openapi(),
        crate::followup::openapi(),
    ]
}

/// The core document with each pathway area's tags, paths and schemas merged in.
pub fn spec() -> Value {
    let mut spec = core_spec();
    for area in areas() {
        if let (Some(tags), Some(area_tags)) =
            (spec["tags"].as_array_mut(), area["tags"].as_array())
        {
            tags.extend(area_tags.iter().cloned());
        }
        for (section, target) in [("paths", "/paths"), ("schemas", "/components/schemas")] {
            if let (Some(into), Some(from)) = (
                spec.pointer_mut(target).and_then(Value::as_object_mut),
                area[section].as_object(),
            ) {
                for (key, value) in from {
                    into.insert(key.clone(), value.clone());
                }
            }
        }
    }
    spec
}

pub async fn document() -> Json<Value> {
    Json(spec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_describes_exactly_the_api_routes() {
        let spec = spec();
        let paths = spec["paths"].as_object().expect("paths");
        let mut described = Vec::new();
        for (path, item) in paths {
            for method in ["get", "post", "put", "delete", "patch"] {
                if item.get(method).is_some() {
                    described.push((method.to_uppercase(), path.clone()));
                }
            }
        }
        let mut routed: Vec<(String, String)> = crate::route_table()
            .into_iter()
            .filter(|(_, path, _)| path.starts_with("/api/"))
            .map(|(m, p, _)| (m.to_string(), p.to_string()))
            .collect();
        described.sort();
        routed.sort();
        assert_eq!(described, routed);
    }

    #[test]
    fn no_area_redefines_a_schema_or_a_path() {
        let mut seen = std::collections::HashSet::new();
        let core = core_spec();
        let areas = areas();
        let sections = std::iter::once((&core["components"]["schemas"], &core["paths"]))
            .chain(areas.iter().map(|a| (&a["schemas"], &a["paths"])));
        for (schemas, paths) in sections {
            for (kind, map) in [("schema", schemas), ("path", paths)] {
                for key in map.as_object().expect("an object").keys() {
                    assert!(
                        seen.insert(format!("{kind} {key}")),
                        "{kind} {key} defined twice"
                    );
                }
            }
        }
    }

    #[test]
    fn every_reference_resolves() {
        let spec = spec();
        let text = spec.to_string();
        for piece in text.split("#/components/schemas/").skip(1) {
            let name = piece.split('"').next().unwrap_or_default();
            assert!(
                spec["components"]["schemas"].get(name).is_some(),
                "dangling $ref {name}"
            );
        }
    }
}
