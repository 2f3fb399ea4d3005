//! This area's part of the OpenAPI document.

use serde_json::{Value, json};

use crate::openapi::{body, instant_or_default, items, ok, path_param, query_param, schema};

/// `tags`, `paths` and `schemas`, merged into the document by `openapi::spec`.
pub(super) fn openapi() -> Value {
    let case_id = path_param("id", "The case's id (UUID).");
    let consultation_id = path_param("id", "The consultation's id (UUID).");
    json!({
        "tags": [
            { "name": "consultations", "description": "Consultations booked in a clinician's clinic slot, recorded once; consent decisions." }
        ],
        "paths": {
            "/api/v1/cases/{id}/consultations": {
                "parameters": [case_id.clone()],
                "post": {
                    "tags": ["consultations"], "summary": "Book a consultation for the case.", "operationId": "book_consultation",
                    "description": "The case must be triaged and open (else 409 `transition_not_allowed`); the clinician must be an active interventional radiologist (IR and post-procedure consultations) or anesthetist (anesthesia consultations), else 409 `clinician_role` (`wrong_person` for a disabled account), and free at that time, else 409 `clinician_busy`. An unknown username is a 422 on `clinician`.",
                    "requestBody": body("ConsultationBooking"),
                    "responses": ok("201", "Booked; `Location` names the consultation.", schema("Consultation"), &["400", "401", "403", "404", "409", "415", "422", "503"])
                }
            },
            "/api/v1/cases/{id}/consent": {
                "parameters": [case_id],
                "post": {
                    "tags": ["consultations"], "summary": "Record a consent decision outside a consultation (a withdrawal, most often).", "operationId": "record_consent",
                    "description": "A closed, declined or cancelled case is refused with 409.",
                    "requestBody": body("ConsentInput"),
                    "responses": ok("201", "Recorded; `Location` names the case.", schema("Consent"), &["400", "401", "403", "404", "409", "415", "422", "503"])
                }
            },
            "/api/v1/consultations": {
                "get": {
                    "tags": ["consultations"], "summary": "Consultations starting in a period, in time order.", "operationId": "list_consultations",
                    "parameters": [
                        query_param("from", "First instant (RFC 3339); the start of today in the department's zone by default.", instant_or_default()),
                        query_param("to", "End instant, excluded (RFC 3339); one day after `from` by default; at most 31 days after it.", instant_or_default()),
                        query_param("clinician", "Only this clinician's (username).", json!({ "type": "string" }))
                    ],
                    "responses": ok("200", "The consultations.", items("Consultation"), &["400", "401", "403", "422", "503"])
                }
            },
            "/api/v1/consultations/{id}": {
                "parameters": [consultation_id.clone()],
                "get": {
                    "tags": ["consultations"], "summary": "A consultation and the consent decided at it (audited as a read of its case).", "operationId": "get_consultation",
                    "responses": ok("200", "The consultation.", schema("ConsultationWithConsent"), &["401", "403", "404", "503"])
                },
                "post": {
                    "tags": ["consultations"], "summary": "Record a booked consultation, once.", "operationId": "record_consultation",
                    "description": "An IR pre-procedure consultation that took place must say which risks were explained. A consultation that took place moves an accepted case to `consulted`. Recording twice is refused with 409 `consultation_already_recorded`; a cancelled one with 409 `consultation_cancelled`.",
                    "requestBody": body("ConsultationRecordInput"),
                    "responses": ok("200", "The recorded consultation.", schema("ConsultationWithConsent"), &["400", "401", "403", "404", "409", "415", "422", "503"])
                }
            },
            "/api/v1/consultations/{id}/cancel": {
                "parameters": [consultation_id],
                "post": {
                    "tags": ["consultations"], "summary": "Cancel a consultation that has not taken place.", "operationId": "cancel_consultation",
                    "description": "A recorded consultation is refused with 409 `consultation_already_recorded`.",
                    "responses": ok("200", "The cancelled consultation.", schema("Consultation"), &["401", "403", "404", "409", "503"])
                }
            }
        },
        "schemas": {
            "ConsultationBooking": {
                "type": "object", "additionalProperties": false, "required": ["kind", "clinician", "starts_at"],
                "properties": {
                    "kind": { "enum": ["ir_pre", "anesthesia", "post_procedure"] },
                    "clinician": { "type": "string", "pattern": r"^(?=[\s\S]*\S)[^\x00]*$", "description": "The clinician's username." },
                    "starts_at": { "type": "string", "format": "date-time" },
                    "duration_minutes": { "type": ["integer", "null"], "minimum": 5, "maximum": 240, "description": "30 by default." }
                }
            },
            "Consultation": {
                "type": "object", "required": ["id", "case_id", "kind", "status", "clinician_id", "clinician_name", "starts_at", "ends_at", "booked_at", "version"],
                "properties": {
                    "id": { "type": "string", "format": "uuid" }, "case_id": { "type": "string", "format": "uuid" },
                    "kind": { "enum": ["ir_pre", "anesthesia", "post_procedure"] },
                    "status": { "enum": ["booked", "done", "missed", "cancelled"] },
                    "clinician_id": { "type": "string", "format": "uuid" }, "clinician_name": { "type": "string" },
                    "starts_at": { "type": "string", "format": "date-time" }, "ends_at": { "type": "string", "format": "date-time" },
                    "booked_at": { "type": "string", "format": "date-time" }, "recorded_at": { "type": ["string", "null"], "format": "date-time" },
                    "sheet_language": { "type": ["string", "null"], "enum": ["fr", "en", null], "description": "The information sheet handed over, in this language." },
                    "risks_explained": { "type": ["string", "null"] }, "alternatives_discussed": { "type": ["string", "null"] },
                    "notes": { "type": ["string", "null"] }, "version": { "type": "integer" }
                }
            },
            "ConsultationWithConsent": {
                "allOf": [schema("Consultation"), { "type": "object", "properties": { "consent": { "oneOf": [schema("Consent"), { "type": "null" }] } } }]
            },
            "ConsultationRecordInput": {
                "type": "object", "additionalProperties": false,
                "properties": {
                    "outcome": { "enum": ["done", "missed"], "description": "`done` by default." },
                    "information_sheet_given": { "type": "boolean" },
                    "sheet_language": { "enum": ["fr", "en"], "description": "Required when the sheet was handed over." },
                    "risks_explained": { "type": "string", "maxLength": 5000, "description": "Required for an IR pre-procedure consultation that took place." },
                    "alternatives_discussed": { "type": "string", "maxLength": 5000 },
                    "consent": { "enum": ["given", "refused", ""], "description": "Empty when consent is not asked at this consultation." },
                    "consent_date": { "type": "string", "format": "date", "description": "The consultation's day by default; not in the future." },
                    "notes": { "type": "string", "maxLength": 5000 }
                }
            },
            "Consent": {
                "type": "object", "required": ["decision", "decided_on", "recorded_at", "recorded_by"],
                "properties": {
                    "decision": { "enum": ["given", "refused", "withdrawn"] }, "decided_on": { "type": "string", "format": "date" },
                    "recorded_at": { "type": "string", "format": "date-time" }, "recorded_by": { "type": "string" },
                    "consultation_id": { "type": ["string", "null"], "format": "uuid" }, "note": { "type": ["string", "null"] }
                }
            },
            "ConsentInput": {
                "type": "object", "additionalProperties": false, "required": ["decision"],
                "properties": {
                    "decision": { "enum": ["given", "refused", "withdrawn"] },
                    "date": { "type": "string", "format": "date", "description": "Today by default; not in the future." },
                    "note": { "type": "string", "maxLength": 500 }
                }
            }
        }
    })
}
