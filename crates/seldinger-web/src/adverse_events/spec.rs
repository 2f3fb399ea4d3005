//! This area's part of the OpenAPI document.

use serde_json::{Value, json};

use crate::openapi::{
    body, case_ref, day_or_default, items, ok, optional_text, path_param, query_param,
    required_text, schema, uuid,
};

/// `tags`, `paths` and `schemas`, merged into the document by `openapi::spec`.
pub(super) fn openapi() -> Value {
    let case_id = path_param("id", "The case's id (UUID).");
    let event_id = path_param("id", "The adverse event's id (UUID).");
    let read = &["401", "403", "404", "503"];
    let write = &["400", "401", "403", "404", "409", "415", "422", "503"];
    let text = json!({ "type": "string" });
    let case_ref = case_ref();
    let mut part = json!({
        "tags": [
            { "name": "adverse-events", "description": "Adverse events: terms, grades (CIRSE 2017 required, SIR, CTCAE v5 — versioned code systems), seriousness and its reporting clock." }
        ],
        "paths": {
            "/api/v1/cases/{id}/adverse-events": {
                "parameters": [case_id.clone()],
                "get": {
                    "tags": ["adverse-events"], "summary": "The case's adverse events, by onset.", "operationId": "case_adverse_events",
                    "responses": ok("200", "The events.", items("AdverseEvent"), read)
                },
                "post": {
                    "tags": ["adverse-events"], "summary": "Record an adverse event of a performed case. The onset may not precede the procedure; a serious event gets its reporting deadline. 409 `event_needs_procedure` before the procedure.", "operationId": "record_adverse_event",
                    "parameters": [query_param("follow_up", "The follow-up item (UUID) at which the event was found.", uuid())],
                    "requestBody": body("AdverseEventInput"),
                    "responses": ok("201", "Recorded.", schema("AdverseEvent"), write)
                }
            },
            "/api/v1/adverse-events/reports-due": {
                "get": {
                    "tags": ["adverse-events"], "summary": "Serious events not yet reported, the nearest deadline first, each with its case.", "operationId": "adverse_event_reports_due",
                    "responses": ok("200", "The events.", items("AdverseEvent"), &["401", "403", "503"])
                }
            },
            "/api/v1/adverse-events/{id}": {
                "parameters": [event_id.clone()],
                "get": {
                    "tags": ["adverse-events"], "summary": "One adverse event.", "operationId": "get_adverse_event",
                    "responses": ok("200", "The event.", schema("AdverseEvent"), read)
                },
                "put": {
                    "tags": ["adverse-events"], "summary": "Revise an event at `version` (every version is kept; becoming serious starts the clock).", "operationId": "update_adverse_event",
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["version", "event"], "additionalProperties": false, "properties": { "version": { "type": "integer" }, "event": schema("CompleteAdverseEventInput") } } } } },
                    "responses": ok("200", "Revised.", schema("AdverseEvent"), write)
                }
            },
            "/api/v1/adverse-events/{id}/reported": {
                "parameters": [event_id],
                "post": {
                    "tags": ["adverse-events"], "summary": "Mark a serious event as reported: it leaves the due list.", "operationId": "mark_adverse_event_reported",
                    "responses": ok("200", "Marked.", schema("AdverseEvent"), write)
                }
            },
            "/api/v1/ae-terms": {
                "get": {
                    "tags": ["adverse-events"], "summary": "The department's adverse-event terms (withdrawn ones included, `active` false).", "operationId": "ae_terms",
                    "responses": ok("200", "The terms.", items("AeTerm"), &["401", "403", "503"])
                }
            },
            "/api/v1/grade-systems": {
                "get": {
                    "tags": ["adverse-events"], "summary": "The grading systems, every stored version, with their grades and sources.", "operationId": "grade_systems",
                    "responses": ok("200", "The systems.", items("GradeSystem"), &["401", "403", "503"])
                }
            }
        },
        "schemas": {
            "AdverseEventInput": {
                "type": "object", "additionalProperties": false, "required": ["term", "onset", "cirse_grade", "related_to_procedure", "action", "outcome"],
                "properties": {
                    "term": { "type": "string", "pattern": r"^(?=[\s\S]*\S)[^\x00]*$", "description": "A code of `/api/v1/ae-terms` (active)." },
                    "description": { "allOf": [optional_text(2000)], "description": "Required for `other`." },
                    "onset": { "type": "string", "pattern": r"^\s*(?:(?:19|20)\d\d-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|02-(?:0[1-9]|1\d|2[0-8]))|(?:19|20)(?:0[48]|[2468][048]|[13579][26])-02-29|2000-02-29)[T ](?:[01]\d|2[0-3]):[0-5]\d\s*$", "description": "Local wall-clock time in the department's zone, YYYY-MM-DDTHH:MM; not before the procedure, not in the future." },
                    "cirse_grade": { "type": "string", "pattern": r"^(?=[\s\S]*\S)[^\x00]*$", "description": "A grade of the CIRSE system in force (`/api/v1/ae-grade-systems`), required." },
                    "sir_grade": { "type": "string", "pattern": r"^[^\x00]*$", "description": "A grade of the SIR system in force; empty for none." },
                    "ctcae_grade": { "type": "string", "pattern": r"^[^\x00]*$", "description": "A grade of the CTCAE system in force; empty for none." },
                    "serious": { "type": "boolean" },
                    "serious_criteria": { "type": "array", "items": { "enum": ["death", "life_threatening", "hospitalisation", "disability", "other_important"] }, "description": "At least one when serious, none otherwise; `death` for a fatal event." },
                    "related_to_procedure": { "enum": ["not_related", "unlikely", "possible", "probable", "definite"] },
                    "related_to_device": { "enum": ["", "not_related", "unlikely", "possible", "probable", "definite"], "description": "Same scale; empty when no device under study was used." },
                    "action": { "enum": ["", "none", "observation", "medication", "transfusion", "drainage", "embolization", "surgery", "other"] },
                    "action_note": optional_text(2000),
                    "outcome": { "enum": ["resolved", "resolving", "not_resolved", "resolved_with_sequelae", "fatal", "unknown"], "description": "`fatal` exactly when the grade is a death grade." },
                    "resolution_date": { "anyOf": day_or_default()["anyOf"].clone(), "description": "Required for a final outcome (resolved, with sequelae, fatal); not before the onset, not in the future." }
                },
                "allOf": [
                    { "if": { "required": ["term"], "properties": { "term": { "const": "other" } } }, "then": { "required": ["description"], "properties": { "description": required_text(2000) } } },
                    { "if": { "required": ["serious"], "properties": { "serious": { "const": true } } }, "then": { "required": ["serious_criteria"], "properties": { "serious_criteria": { "minItems": 1 } } } },
                    { "if": { "required": ["outcome"], "properties": { "outcome": { "enum": ["resolved", "resolved_with_sequelae", "fatal"] } } }, "then": { "required": ["resolution_date"], "properties": { "resolution_date": { "type": "string", "format": "date" } } } }
                ]
            },
            "AdverseEvent": {
                "type": "object", "required": ["id", "case_id", "term", "onset", "phase", "grades", "serious", "version"],
                "properties": {
                    "id": { "type": "string", "format": "uuid" }, "case_id": { "type": "string", "format": "uuid" },
                    "term": text, "description": { "type": ["string", "null"] },
                    "onset": { "type": "string", "format": "date-time" },
                    "phase": { "enum": ["intra_procedural", "within_24h", "within_7d", "within_30d", "later"] },
                    "grades": { "type": "array", "items": { "type": "object", "properties": { "system": text, "version": text, "code": text } } },
                    "cirse_grade": { "type": ["string", "null"] },
                    "serious": { "type": "boolean" }, "serious_criteria": { "type": "array", "items": text },
                    "related_to_procedure": text, "related_to_device": { "type": ["string", "null"] },
                    "action": text, "action_note": { "type": ["string", "null"] }, "outcome": text,
                    "resolution_date": { "type": ["string", "null"], "format": "date" },
                    "report_due_at": { "type": ["string", "null"], "format": "date-time" },
                    "report_overdue": { "type": "boolean" },
                    "reported_at": { "type": ["string", "null"], "format": "date-time" },
                    "follow_up_id": { "type": ["string", "null"], "format": "uuid" },
                    "version": { "type": "integer" }, "created_at": { "type": "string", "format": "date-time" },
                    "case": case_ref
                }
            },
            "AeTerm": {
                "type": "object", "properties": { "code": text, "name_fr": text, "name_en": text, "active": { "type": "boolean" } }
            },
            "GradeSystem": {
                "type": "object",
                "properties": {
                    "system": text, "version": text, "name": text, "source": text, "required": { "type": "boolean" },
                    "grades": { "type": "array", "items": { "type": "object", "properties": { "code": text, "rank": { "type": "integer" }, "label_fr": text, "label_en": text, "death": { "type": "boolean" } } } }
                }
            }
        }
    });
    // A revision sends the whole event (`CompleteEvent`): every field is required.
    let mut complete = part["schemas"]["AdverseEventInput"].clone();
    let all: Vec<Value> = complete["properties"]
        .as_object()
        .map(|p| p.keys().cloned().map(Value::String).collect())
        .unwrap_or_default();
    complete["required"] = Value::Array(all);
    part["schemas"]["CompleteAdverseEventInput"] = complete;
    part
}
