//! This area's part of the OpenAPI document.

use serde_json::{Value, json};

use super::api::{PatientUpdate, PatientWithdrawal};
use crate::openapi::{
    body, derived, int_range, items, ok, optional_text, path_param, person_name, query_param,
    required_text, schema, with_derived,
};

/// `tags`, `paths` and `schemas`, merged into the document by `openapi::spec`.
pub(super) fn openapi() -> Value {
    let patient_id = path_param("id", "The patient's id (UUID).");
    let part = json!({
        "tags": [
            { "name": "patients" },
            { "name": "timeline", "description": "Everything about a patient across cases, in time order." }
        ],
        "paths": {
            "/api/v1/patients": {
                "get": {
                    "tags": ["patients"], "summary": "Search patients.", "operationId": "search_patients",
                    "description": "Words of `q` are name prefixes that must all match, folded for case and accents (\"helene\" finds \"Hélène\", \"dupre\" finds \"Dupré-Lefèvre\"); a word written as a date (YYYY-MM-DD or DD/MM/YYYY) selects the birth date; the whole of `q` is also tried as an exact MRN. An empty `q` lists recently updated patients.",
                    "parameters": [query_param("q", "Search text.", json!({ "type": "string" })), query_param("limit", "At most this many (1–200, default 50).", int_range(1, 200))],
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
            "/api/v1/patients/{id}/cases": {
                "parameters": [path_param("id", "The patient's id (UUID).")],
                "get": {
                    "tags": ["cases"], "summary": "A patient's cases, newest first.", "operationId": "list_patient_cases",
                    "responses": ok("200", "The cases.", items("CaseListItem"), &["401", "403", "404", "503"])
                }
            },
            "/api/v1/patients/{id}/timeline": {
                "parameters": [path_param("id", "The patient's id (UUID).")],
                "get": {
                    "tags": ["timeline"], "summary": "A patient's timeline, oldest first (planned follow-up at its due date).", "operationId": "patient_timeline",
                    "responses": ok("200", "The entries.", items("TimelineEntry"), &["401", "403", "404", "503"])
                }
            },
            "/api/v1/patients/{id}/emergency-access": {
                "parameters": [path_param("id", "The patient's id (UUID).")],
                "post": {
                    "tags": ["patients"], "summary": "Open one patient's record to a referring physician, in an emergency (\"break the glass\").", "operationId": "open_emergency_access",
                    "description": "A referring physician reads the patients they registered or referred (others answer 403 `patient_out_of_scope`). With a stated reason (10 characters or more), this opens one more record for four hours; the access is audited as `access.emergency` and listed for the quality officer (`GET /api/v1/emergency-accesses`).",
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["reason"], "additionalProperties": false, "properties": { "reason": { "type": "string", "description": "10 to 500 characters once trimmed, no control characters but line breaks and tabs.", "pattern": "^\\s*(?=\\S)(?=[\\s\\S]{9,499}\\S\\s*$)[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*$" } } } } } },
                    "responses": ok("201", "Opened.", schema("EmergencyAccess"), &["400", "401", "403", "404", "415", "422", "503"])
                }
            }
        },
        "schemas": {
            "PatientInput": {
                "type": "object", "additionalProperties": false,
                "required": ["mrn", "family_name", "given_names", "birth_date", "sex"],
                "properties": {
                    "mrn": { "type": "string", "pattern": r"^\s*(?=[A-Za-z0-9_./-]{1,32}\s*$)[A-Za-z0-9_./-]*[0-9][A-Za-z0-9_./-]*\s*$", "description": "1 to 32 letters, digits and `-_/.`, at least one digit." },
                    "family_name": person_name(100),
                    "given_names": person_name(100),
                    "birth_date": { "type": "string", "format": "date" },
                    "sex": { "enum": ["female", "male", "other", "unknown"] },
                    "allergies": { "type": "array", "maxItems": 20, "items": schema("Allergy") },
                    "anticoagulants": { "type": "array", "maxItems": 20, "items": schema("Anticoagulant") }
                }
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
            "TimelineEntry": {
                "type": "object",
                "required": ["at", "case_id", "procedure_code", "kind", "code", "href"],
                "properties": {
                    "at": { "type": "string", "format": "date-time" },
                    "case_id": { "type": "string", "format": "uuid" },
                    "procedure_code": { "type": "string" },
                    "kind": { "type": "string", "enum": ["case_event", "consultation", "addendum", "pathology", "adverse_event", "follow_up"] },
                    "code": { "type": "string", "description": "What happened within its kind: the case event, the consultation kind, the pathology category, the adverse-event term, the follow-up item." },
                    "status": { "type": "string", "description": "The consultation's or the follow-up item's status; the case's status after a case event." },
                    "by": { "type": "string" },
                    "cirse_grade": { "type": "string" },
                    "serious": { "type": "boolean" },
                    "href": { "type": "string", "description": "The page where it is recorded." }
                }
            }
        }
    });
    let mut part = with_derived(
        part,
        [derived::<PatientUpdate>(), derived::<PatientWithdrawal>()],
    );
    // A note is required for `other` (`patient::entries`), which no attribute of the
    // derived schema can say.
    for (name, key) in [("Allergy", "kind"), ("Anticoagulant", "drug")] {
        let entry = &mut part["schemas"][name];
        entry["properties"]["note"] = optional_text(500);
        entry["if"] = json!({ "required": [key], "properties": { key: { "const": "other" } } });
        entry["then"] =
            json!({ "required": ["note"], "properties": { "note": required_text(500) } });
    }
    part
}
