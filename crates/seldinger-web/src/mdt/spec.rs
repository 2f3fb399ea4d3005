//! This area's part of the OpenAPI document.

use serde_json::{Value, json};

use crate::openapi::{
    body, case_statuses, instant_or_default, items, ok, optional_text, path_param, person_name,
    procedure_code, query_param, required_text, schema,
};

/// `tags`, `paths` and `schemas`, merged into the document by `openapi::spec`.
pub(super) fn openapi() -> Value {
    let meeting_id = path_param("id", "The meeting's id (UUID).");
    let case_in_path = path_param("case", "The case's id (UUID).");
    let kinds = json!([
        "thoracic_oncology",
        "digestive_oncology",
        "hepatobiliary",
        "urologic_oncology",
        "gynecologic_oncology",
        "musculoskeletal",
        "vascular",
        "general"
    ]);
    let specialties = json!([
        "interventional_radiology",
        "radiology",
        "oncology",
        "surgery",
        "radiation_oncology",
        "gastroenterology",
        "pulmonology",
        "urology",
        "gynecology",
        "pathology",
        "anesthesia",
        "nuclear_medicine",
        "other"
    ]);
    let decisions = json!([
        "ir_procedure",
        "surgery",
        "radiotherapy",
        "systemic_therapy",
        "surveillance",
        "more_work_up"
    ]);
    let statuses = case_statuses();
    let meeting_fields = json!({
        "kind": { "enum": kinds },
        "starts_at": { "type": "string", "format": "date-time", "description": "RFC 3339. Placed on the department's local clock to the minute (seconds are dropped)." },
        "location": optional_text(200),
        "attendees": { "type": "array", "maxItems": 40, "items": schema("AttendeeInput"), "description": "Rows with neither a name nor a specialty are ignored." }
    });
    let mut update_fields = meeting_fields.clone();
    update_fields["version"] =
        json!({ "type": "integer", "description": "The version that was read." });
    let mut decision_or_null = decisions.as_array().cloned().unwrap_or_default();
    decision_or_null.push(Value::Null);
    let refusals = "409 `code`: `case_not_awaiting_mdt`, `already_on_agenda`, `not_on_agenda`, `already_decided`, or `transition_not_allowed`.";
    let decide_description = format!(
        "An IR procedure sends the case to scheduling with that procedure's current catalog version; more work-up keeps it awaiting a later meeting; any other treatment closes it for IR. {refusals}"
    );
    json!({
        "tags": [
            { "name": "mdt", "description": "Multidisciplinary meetings (RCP): agenda and decisions." }
        ],
        "paths": {
            "/api/v1/mdt": {
                "get": {
                    "tags": ["mdt"], "summary": "List meetings starting in a period.", "operationId": "list_meetings",
                    "parameters": [
                        query_param("from", "First instant (RFC 3339); default 30 days ago.", instant_or_default()),
                        query_param("to", "End instant, excluded (RFC 3339); default in a year.", instant_or_default())
                    ],
                    "responses": ok("200", "Meetings in time order, with their agenda counts.", items("Meeting"), &["400", "401", "403", "422", "503"])
                },
                "post": {
                    "tags": ["mdt"], "summary": "Plan a meeting.", "operationId": "create_meeting",
                    "requestBody": body("MeetingInput"),
                    "responses": ok("201", "Planned; `Location` names it.", schema("Meeting"), &["400", "401", "403", "415", "422", "503"])
                }
            },
            "/api/v1/mdt/{id}": {
                "parameters": [meeting_id.clone()],
                "get": {
                    "tags": ["mdt"], "summary": "Read a meeting and its agenda (audited).", "operationId": "get_meeting",
                    "responses": ok("200", "The meeting and its agenda in order.", schema("MeetingWithAgenda"), &["401", "403", "404", "503"])
                },
                "put": {
                    "tags": ["mdt"], "summary": "Change a meeting's kind, start, place or attendees, if `version` is still current.", "operationId": "update_meeting",
                    "requestBody": body("MeetingUpdate"),
                    "responses": ok("200", "Updated; the version is incremented.", schema("Meeting"), &["400", "401", "403", "404", "409", "415", "422", "503"])
                }
            },
            "/api/v1/mdt/{id}/agenda": {
                "parameters": [meeting_id.clone()],
                "post": {
                    "tags": ["mdt"], "summary": "Put a case awaiting the MDT on the agenda, last.", "operationId": "add_to_agenda",
                    "description": refusals,
                    "requestBody": body("AgendaAdd"),
                    "responses": ok("200", "The meeting and its agenda.", schema("MeetingWithAgenda"), &["400", "401", "403", "404", "409", "415", "422", "503"])
                }
            },
            "/api/v1/mdt/{id}/agenda/{case}": {
                "parameters": [meeting_id.clone(), case_in_path.clone()],
                "delete": {
                    "tags": ["mdt"], "summary": "Take an undecided case off the agenda.", "operationId": "remove_from_agenda",
                    "description": refusals,
                    "responses": ok("204", "Removed.", Value::Null, &["401", "403", "404", "409", "503"])
                }
            },
            "/api/v1/mdt/{id}/agenda/{case}/decision": {
                "parameters": [meeting_id, case_in_path],
                "post": {
                    "tags": ["mdt"], "summary": "Record the MDT's decision for a case on the agenda.", "operationId": "decide",
                    "description": decide_description,
                    "requestBody": body("DecisionInput"),
                    "responses": ok("200", "The case's new status.", schema("DecisionResult"), &["400", "401", "403", "404", "409", "415", "422", "503"])
                }
            }
        },
        "schemas": {
            "Attendee": {
                "type": "object", "required": ["name", "specialty"],
                "properties": { "name": { "type": "string" }, "specialty": { "enum": specialties.clone() } }
            },
            "AttendeeInput": {
                "type": "object", "additionalProperties": false,
                "properties": { "name": { "type": "string" }, "specialty": { "type": "string" } },
                "anyOf": [
                    { "required": ["name", "specialty"], "properties": { "name": person_name(120), "specialty": { "enum": specialties } } },
                    { "description": "An empty row, ignored.", "properties": { "name": { "type": "string", "pattern": r"^\s*$" }, "specialty": { "type": "string", "pattern": r"^\s*$" } } }
                ]
            },
            "MeetingInput": {
                "type": "object", "additionalProperties": false, "required": ["kind", "starts_at"],
                "properties": meeting_fields
            },
            "MeetingUpdate": {
                "type": "object", "additionalProperties": false, "required": ["version", "kind", "starts_at"],
                "properties": update_fields
            },
            "Meeting": {
                "type": "object", "required": ["id", "kind", "starts_at", "attendees", "version", "items", "decided"],
                "properties": {
                    "id": { "type": "string", "format": "uuid" },
                    "kind": { "enum": kinds },
                    "starts_at": { "type": "string", "format": "date-time" },
                    "location": { "type": ["string", "null"] },
                    "attendees": { "type": "array", "items": schema("Attendee") },
                    "version": { "type": "integer" },
                    "items": { "type": "integer", "description": "Cases on the agenda." },
                    "decided": { "type": "integer", "description": "Cases with a decision." }
                }
            },
            "AgendaItem": {
                "type": "object", "required": ["position", "case_id", "status", "patient", "procedure_code", "indication", "referring_physician"],
                "properties": {
                    "position": { "type": "integer" },
                    "case_id": { "type": "string", "format": "uuid" },
                    "status": { "enum": statuses.clone() },
                    "urgency": { "enum": ["emergency", "urgent", "semi_urgent", "elective"] },
                    "patient": { "type": "object", "properties": {
                        "id": { "type": "string", "format": "uuid" }, "mrn": { "type": "string" },
                        "family_name": { "type": "string" }, "given_names": { "type": "string" },
                        "birth_date": { "type": "string", "format": "date" }, "sex": { "enum": ["female", "male", "other", "unknown"] } } },
                    "procedure_code": { "type": "string", "description": "The procedure the case is planned with." },
                    "procedure_name": { "type": "object", "properties": { "fr": { "type": "string" }, "en": { "type": "string" } } },
                    "indication": { "type": "string" },
                    "referring_physician": { "type": "string" },
                    "decision": { "enum": decision_or_null },
                    "procedure_version_id": { "type": ["string", "null"], "format": "uuid", "description": "The catalog version an IR decision chose." },
                    "rationale": { "type": ["string", "null"] },
                    "responsible_physician": { "type": ["string", "null"] },
                    "decided_at": { "type": ["string", "null"], "format": "date-time" }
                }
            },
            "MeetingWithAgenda": {
                "allOf": [schema("Meeting"), { "type": "object", "required": ["agenda"], "properties": { "agenda": { "type": "array", "items": schema("AgendaItem") } } }]
            },
            "AgendaAdd": {
                "type": "object", "additionalProperties": false, "required": ["case_id"],
                "properties": { "case_id": { "type": "string", "format": "uuid" } }
            },
            "DecisionInput": {
                "type": "object", "additionalProperties": false, "required": ["decision", "rationale", "responsible_physician"],
                "properties": {
                    "decision": { "enum": decisions },
                    "procedure": { "type": "string", "pattern": r"^[^\x00]*$", "description": "A procedure code of the active catalog; required for `ir_procedure`, ignored otherwise." },
                    "rationale": required_text(5000),
                    "responsible_physician": person_name(120)
                },
                "if": { "required": ["decision"], "properties": { "decision": { "const": "ir_procedure" } } },
                "then": { "required": ["procedure"], "properties": { "procedure": procedure_code("") } }
            },
            "DecisionResult": {
                "type": "object", "required": ["case_id", "status"],
                "properties": { "case_id": { "type": "string", "format": "uuid" }, "status": { "enum": statuses } }
            }
        }
    })
}
