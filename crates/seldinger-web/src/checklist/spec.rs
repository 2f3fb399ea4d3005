//! This area's part of the OpenAPI document.

use serde_json::{Value, json};

use crate::openapi::{body, case_statuses, day_or_default, ok, optional_text, path_param, schema};

/// `tags`, `paths` and `schemas`, merged into the document by `openapi::spec`.
pub(super) fn openapi() -> Value {
    let case_id = path_param("id", "The case's id (UUID).");
    let statuses = case_statuses();
    // A lab value: empty when not recorded, else within its range (`checklist::Inr`,
    // `whole_number`); its sampling day, empty or a day.
    let lab = |range: &str, description: &str| json!({ "type": "string", "pattern": format!(r"^\s*(?:{range})?\s*$"), "description": description });
    let checklist_fields = json!({
        "information_sheet_delivered": { "type": "boolean" },
        "inr": lab(r"0[.,][5-9]\d?|(?:0?[1-9]|1[0-4])(?:[.,]\d{1,2})?|15(?:[.,]0{1,2})?", "0.5 to 15, a point or a French decimal comma, at most two decimals; empty when not recorded."),
        "inr_date": { "anyOf": day_or_default()["anyOf"].clone(), "description": "Sampling day (YYYY-MM-DD or DD/MM/YYYY), not after today; only with a value. A value without its date is saved and the evaluation says the date is missing." },
        "platelets": lab(r"[1-9]\d{0,2}|1\d{3}|2000", "×10⁹/L, 1 to 2000."),
        "platelets_date": day_or_default(),
        "creatinine": lab(r"[1-9]\d{1,2}|[12]\d{3}|3000", "µmol/L, 10 to 3000."),
        "creatinine_date": day_or_default(),
        "egfr": lab(r"[1-9]\d?|1\d{2}|200", "mL/min/1.73 m², 1 to 200."),
        "egfr_date": day_or_default(),
        "anticoagulant_plan": { "enum": ["", "not_applicable", "continued", "stopped", "bridged"] },
        "anticoagulant_note": optional_text(1000),
        "fasting_confirmed": { "type": "boolean" },
        "premedication": { "enum": ["", "not_needed", "prescribed", "taken"] },
        "pregnancy": { "enum": ["", "not_applicable", "negative_test", "declared_not_pregnant", "pregnant"] },
        "notes": optional_text(5000)
    });
    // A sampling day without its value is an error on the value.
    let dated: Vec<Value> = ["inr", "platelets", "creatinine", "egfr"]
        .iter()
        .map(|lab| {
            let date = format!("{lab}_date");
            json!({
                "if": { "required": [date.clone()], "properties": { date: { "type": "string", "pattern": r"\S" } } },
                "then": { "required": [lab], "properties": { *lab: { "type": "string", "pattern": r"\S" } } }
            })
        })
        .collect();
    let mut checklist_update_fields = checklist_fields.clone();
    checklist_update_fields["version"] = json!({ "type": "integer", "description": "The version that was read (0 before the first save)." });
    let confirmed = json!({ "const": true, "description": "Must be confirmed (true)." });
    json!({
        "tags": [
            { "name": "checklist", "description": "The pre-procedure checklist of a booked case, its evaluation, and the time-out." }
        ],
        "paths": {
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
            "ChecklistInput": {
                "type": "object", "additionalProperties": false,
                "properties": checklist_fields, "allOf": dated.clone()
            },
            "ChecklistUpdate": {
                "type": "object", "additionalProperties": false, "required": ["version"],
                "properties": checklist_update_fields, "allOf": dated
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
                    "identity_confirmed": confirmed, "site_confirmed": confirmed,
                    "side_confirmed": confirmed, "procedure_confirmed": confirmed,
                    "notes": optional_text(1000)
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
