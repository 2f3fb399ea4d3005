//! This area's part of the OpenAPI document.

use serde_json::{Value, json};

use crate::openapi::{int_range, offset, ok, query_param, schema};

/// `tags`, `paths` and `schemas`, merged into the document by `openapi::spec`.
pub(super) fn openapi() -> Value {
    json!({
        "tags": [
            { "name": "worklists", "description": "Open cases by step, most urgent first, then longest waiting." }
        ],
        "paths": {
            "/api/v1/worklists/{list}": {
                "parameters": [{ "name": "list", "in": "path", "required": true, "description": "Which list.", "schema": schema("WorklistName") }],
                "get": {
                    "tags": ["worklists"], "summary": "One worklist, by urgency then waiting time since referral.", "operationId": "get_worklist",
                    "parameters": [
                        query_param("limit", "At most this many (1–500, default 100).", int_range(1, 500)),
                        query_param("offset", "Skip this many (default 0).", offset())
                    ],
                    "responses": ok("200", "A page of the list and its total.", schema("WorklistPage"), &["400", "401", "403", "404", "422", "503"])
                }
            }
        },
        "schemas": {
            "WorklistName": { "enum": ["to_triage", "awaiting_consultation", "consulted", "awaiting_mdt", "to_schedule"] },
            "CaseListItem": {
                "type": "object",
                "required": ["id", "status", "urgency", "referral_date", "referred_at", "status_changed_at", "waiting_days", "referring_physician", "indication", "target_organ", "side", "patient", "procedure"],
                "properties": {
                    "id": { "type": "string", "format": "uuid" }, "status": schema("CaseStatus"), "urgency": schema("Urgency"),
                    "referral_date": { "type": "string", "format": "date" },
                    "referred_at": { "type": "string", "format": "date-time" }, "status_changed_at": { "type": "string", "format": "date-time" },
                    "waiting_days": { "type": "integer", "description": "Days since the case was referred, on the department's calendar." },
                    "referring_physician": { "type": "string" }, "indication": { "type": "string" },
                    "target_organ": schema("Organ"), "side": schema("Side"),
                    "patient": { "type": "object", "required": ["id", "mrn", "family_name", "given_names", "birth_date", "sex"], "properties": {
                        "id": { "type": "string", "format": "uuid" }, "mrn": { "type": "string" }, "family_name": { "type": "string" }, "given_names": { "type": "string" },
                        "birth_date": { "type": "string", "format": "date" }, "sex": { "enum": ["female", "male", "other", "unknown"] } } },
                    "procedure": { "type": "object", "required": ["code", "name"], "properties": { "code": { "type": "string" }, "name": schema("BilingualText") } }
                }
            },
            "WorklistPage": {
                "type": "object", "required": ["items", "total", "limit", "offset"],
                "properties": {
                    "items": { "type": "array", "items": schema("CaseListItem") },
                    "total": { "type": "integer", "description": "Cases in the whole list." },
                    "limit": { "type": "integer" }, "offset": { "type": "integer" }
                }
            }
        }
    })
}
