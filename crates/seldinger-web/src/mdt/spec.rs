//! The OpenAPI part of meetings, the checklist and the time-out.

use serde_json::{Value, json};

use crate::openapi::{body, items, ok, path_param, query_param, schema};

/// `tags`, `paths` and `schemas`, merged into the document by `openapi::spec`.
pub(super) fn openapi() -> Value {
    let meeting_id = path_param("id", "The meeting's id (UUID).");
    let case_in_path = path_param("case", "The case's id (UUID).");
    let case_id = path_param("id", "The case's id (UUID).");
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
    let statuses = json!([
        "referred",
        "accepted",
        "awaiting_mdt",
        "consulted",
        "to_schedule",
        "scheduled",
        "ready",
        "performed",
        "follow_up",
        "closed",
        "declined",
        "cancelled"
    ]);
    let meeting_fields = json!({
        "kind": { "enum": kinds },
        "starts_at": { "type": "string", "format": "date-time", "description": "RFC 3339. Placed on the department's local clock to the minute (seconds are dropped)." },
        "location": { "type": "string", "maxLength": 200 },
        "attendees": { "type": "array", "maxItems": 40, "items": schema("AttendeeInput"), "description": "Rows with neither a name nor a specialty are ignored." }
    });
    let mut update_fields = meeting_fields.clone();
    update_fields["version"] =
        json!({ "type": "integer", "description": "The version that was read." });
    let checklist_fields = json!({
        "information_sheet_delivered": { "type": "boolean" },
        "inr": { "type": "string", "description": "0.5 to 15, a point or a French decimal comma, at most two decimals; empty when not recorded." },
        "inr_date": { "type": "string", "description": "Sampling day (YYYY-MM-DD or DD/MM/YYYY), not after today. A value without its date is saved and the evaluation says the date is missing." },
        "platelets": { "type": "string", "description": "×10⁹/L, 1 to 2000." },
        "platelets_date": { "type": "string" },
        "creatinine": { "type": "string", "description": "µmol/L, 10 to 3000." },
        "creatinine_date": { "type": "string" },
        "egfr": { "type": "string", "description": "mL/min/1.73 m², 1 to 200." },
        "egfr_date": { "type": "string" },
        "anticoagulant_plan": { "enum": ["", "not_applicable", "continued", "stopped", "bridged"] },
        "anticoagulant_note": { "type": "string", "maxLength": 1000 },
        "fasting_confirmed": { "type": "boolean" },
        "premedication": { "enum": ["", "not_needed", "prescribed", "taken"] },
        "pregnancy": { "enum": ["", "not_applicable", "negative_test", "declared_not_pregnant", "pregnant"] },
        "notes": { "type": "string", "maxLength": 5000 }
    });
    let mut checklist_update_fields = checklist_fields.clone();
    checklist_update_fields["version"] = json!({ "type": "integer", "description": "The version that was read (0 before the first save)." });
    let mut decision_or_null = decisions.as_array().cloned().unwrap_or_default();
    decision_or_null.push(Value::Null);
    let refusals = "409 `code`: `case_not_awaiting_mdt`, `already_on_agenda`, `not_on_agenda`, `already_decided`, or `transition_not_allowed`.";
    let decide_description = format!(
        "An IR procedure sends the case to scheduling with that procedure's current catalog version; more work-up keeps it awaiting a later meeting; any other treatment closes it for IR. {refusals}"
    );
    json!({
        "tags": [
            { "name": "mdt", "description": "Multidisciplinary meetings (RCP): agenda and decisions." },
            { "name": "checklist", "description": "The pre-procedure checklist of a booked case, its evaluation, and the time-out." }
        ],
        "paths": {
            "/api/v1/mdt": {
                "get": {
                    "tags": ["mdt"], "summary": "List meetings starting in a period.", "operationId": "list_meetings",
                    "parameters": [
                        query_param("from", "First instant (RFC 3339); default 30 days ago.", "string"),
                        query_param("to", "End instant, excluded (RFC 3339); default in a year.", "string")
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
            },
            "/api/v1/cases/{id}/checklist": {
                "parameters": [case_id.clone()],
                "get": {
                    "tags": ["checklist"], "summary": "A case's checklist, evaluated now (audited).", "operationId": "get_checklist",
                    "responses": ok("200", "The checklist, each item's state and reason, the thresholds in force.", schema("ChecklistView"), &["401", "403", "404", "503"])
                },
                "put": {
                    "tags": ["checklist"], "summary": "Save a booked case's checklist, if `version` is still current.", "operationId": "save_checklist",
                    "description": "Values out of range for the procedure, or without their sampling date, are saved; the evaluation says why they block. The case becomes `ready` when every item is done or not needed, and goes back to `scheduled` when one no longer is. 409 `checklist_needs_booking` before the case is booked; 409 with `current_version` on a stale version.",
                    "requestBody": body("ChecklistUpdate"),
                    "responses": ok("200", "The evaluated checklist and the case's status.", schema("ChecklistSaved"), &["400", "401", "403", "404", "409", "415", "422", "503"])
                }
            },
            "/api/v1/cases/{id}/timeout": {
                "parameters": [case_id],
                "post": {
                    "tags": ["checklist"], "summary": "Record the time-out: identity, site, side and procedure confirmed.", "operationId": "record_timeout",
                    "description": "Each of the four checks must be true (422 names each one that is not). 409 `code`: `case_not_ready`, `no_active_booking`, `timeout_not_on_the_day` (the booking's local day is not today), `timeout_already_recorded`.",
                    "requestBody": body("TimeOutInput"),
                    "responses": ok("201", "Recorded for the active booking.", schema("TimeOut"), &["400", "401", "403", "404", "409", "415", "422", "503"])
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
                "properties": { "name": { "type": "string", "maxLength": 120 }, "specialty": { "enum": specialties } }
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
                    "procedure": { "type": "string", "description": "A procedure code of the active catalog; required for `ir_procedure`, ignored otherwise." },
                    "rationale": { "type": "string", "maxLength": 5000 },
                    "responsible_physician": { "type": "string", "maxLength": 120 }
                }
            },
            "DecisionResult": {
                "type": "object", "required": ["case_id", "status"],
                "properties": { "case_id": { "type": "string", "format": "uuid" }, "status": { "enum": statuses.clone() } }
            },
            "ChecklistInput": {
                "type": "object", "additionalProperties": false,
                "properties": checklist_fields
            },
            "ChecklistUpdate": {
                "type": "object", "additionalProperties": false, "required": ["version"],
                "properties": checklist_update_fields
            },
            "ChecklistItem": {
                "type": "object", "required": ["item", "label", "state"],
                "properties": {
                    "item": { "enum": ["consent", "information_sheet", "inr", "platelets", "renal_function", "anticoagulant_plan", "fasting", "premedication", "pregnancy"] },
                    "label": { "type": "string", "description": "In the caller's language." },
                    "state": { "enum": ["done", "not_needed", "missing", "failed"] },
                    "reason": { "type": ["string", "null"], "description": "Set when missing or failed, e.g. `inr_too_high`, `no_date`, `too_old`." },
                    "message": { "type": ["string", "null"], "description": "The reason in the caller's language." }
                }
            },
            "Thresholds": {
                "type": "object", "required": ["bleeding_risk", "inr_max", "platelets_min", "egfr_min", "lab_max_age_days", "source"],
                "properties": {
                    "bleeding_risk": { "enum": ["low", "high"] },
                    "inr_max": { "type": "string", "description": "e.g. \"1.80\"." },
                    "platelets_min": { "type": "integer" },
                    "egfr_min": { "type": "integer" },
                    "lab_max_age_days": { "type": "integer" },
                    "source": { "type": "string" }
                }
            },
            "TimeOutInput": {
                "type": "object", "additionalProperties": false, "required": ["identity_confirmed", "site_confirmed", "side_confirmed", "procedure_confirmed"],
                "properties": {
                    "identity_confirmed": { "type": "boolean" }, "site_confirmed": { "type": "boolean" },
                    "side_confirmed": { "type": "boolean" }, "procedure_confirmed": { "type": "boolean" },
                    "notes": { "type": "string", "maxLength": 1000 }
                }
            },
            "TimeOut": {
                "type": "object", "required": ["booking_id", "recorded_at", "recorded_by"],
                "properties": {
                    "booking_id": { "type": "string", "format": "uuid" },
                    "identity_confirmed": { "type": "boolean" }, "site_confirmed": { "type": "boolean" },
                    "side_confirmed": { "type": "boolean" }, "procedure_confirmed": { "type": "boolean" },
                    "notes": { "type": ["string", "null"] },
                    "recorded_at": { "type": "string", "format": "date-time" },
                    "recorded_by": { "type": "string", "description": "Username." }
                }
            },
            "ChecklistView": {
                "type": "object", "required": ["checklist", "version", "complete", "booked", "procedure_date", "items", "thresholds", "timeouts"],
                "properties": {
                    "checklist": schema("ChecklistInput"),
                    "version": { "type": "integer", "description": "0 until first saved." },
                    "updated_at": { "type": ["string", "null"], "format": "date-time" },
                    "complete": { "type": "boolean", "description": "Every item done or not needed." },
                    "blocking": { "type": "integer", "description": "How many items keep the case from being ready." },
                    "booked": { "type": "boolean" },
                    "procedure_date": { "type": "string", "format": "date", "description": "The local day of the active booking the evaluation was made for (today without one)." },
                    "items": { "type": "array", "items": schema("ChecklistItem") },
                    "thresholds": schema("Thresholds"),
                    "timeouts": { "type": "array", "items": schema("TimeOut") }
                }
            },
            "ChecklistSaved": {
                "allOf": [schema("ChecklistView"), { "type": "object", "required": ["status"], "properties": { "status": { "enum": statuses } } }]
            }
        }
    })
}
