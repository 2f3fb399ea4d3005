//! This area's part of the OpenAPI document.

use serde_json::{Value, json};

use crate::openapi::{body, case_ref, items, ok, path_param, query_param, schema};

/// `tags`, `paths` and `schemas`, merged into the document by `openapi::spec`.
pub(super) fn openapi() -> Value {
    let case_id = path_param("id", "The case's id (UUID).");
    let event_id = path_param("id", "The adverse event's id (UUID).");
    let read = &["401", "403", "404", "503"];
    let write = &["400", "401", "403", "404", "409", "415", "422", "503"];
    let text = json!({ "type": "string" });
    let case_ref = case_ref();
    json!({
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
                    "parameters": [query_param("follow_up", "The follow-up item (UUID) at which the event was found.", "string")],
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
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["version", "event"], "additionalProperties": false, "properties": { "version": { "type": "integer" }, "event": schema("AdverseEventInput") } } } } },
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
                    "term": { "type": "string", "description": "A code of `/api/v1/ae-terms` (active)." },
                    "description": { "type": "string", "description": "Required for `other`." },
                    "onset": { "type": "string", "description": "Local wall-clock time in the department's zone, YYYY-MM-DDTHH:MM; not before the procedure." },
                    "cirse_grade": { "type": "string", "description": "1–6, CIRSE 2017 (required)." },
                    "sir_grade": text, "ctcae_grade": text,
                    "serious": { "type": "boolean" },
                    "serious_criteria": { "type": "array", "items": { "enum": ["death", "life_threatening", "hospitalisation", "disability", "other_important"] } },
                    "related_to_procedure": { "enum": ["not_related", "unlikely", "possible", "probable", "definite"] },
                    "related_to_device": { "type": "string", "description": "Same scale; empty when no device under study was used." },
                    "action": { "enum": ["none", "observation", "medication", "transfusion", "drainage", "embolization", "surgery", "other"] },
                    "action_note": text,
                    "outcome": { "enum": ["resolved", "resolving", "not_resolved", "resolved_with_sequelae", "fatal", "unknown"] },
                    "resolution_date": { "type": "string", "format": "date" }
                }
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
    })
}
