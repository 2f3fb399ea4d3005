//! This area's part of the OpenAPI document.

use serde_json::{Value, json};

use crate::openapi::{
    body, case_ref, day_or_default, int_range, items, offset, ok, optional_text, path_param,
    query_param, required_text, schema,
};

/// `tags`, `paths` and `schemas`, merged into the document by `openapi::spec`.
pub(super) fn openapi() -> Value {
    let case_id = path_param("id", "The case's id (UUID).");
    let follow_up_id = path_param("id", "The follow-up item's id (UUID).");
    let read = &["401", "403", "404", "503"];
    let write = &["400", "401", "403", "404", "409", "415", "422", "503"];
    let text = json!({ "type": "string" });
    let case_ref = case_ref();
    json!({
        "tags": [
            { "name": "follow-up", "description": "Follow-up planned at signature (day 7, day 30, consultation, imaging, volumetry), contacts, closing and reopening a case." }
        ],
        "paths": {
            "/api/v1/cases/{id}/follow-ups": {
                "parameters": [case_id.clone()],
                "get": {
                    "tags": ["follow-up"], "summary": "The case's follow-up items.", "operationId": "case_follow_ups",
                    "responses": ok("200", "The items, by due date.", items("FollowUp"), read)
                }
            },
            "/api/v1/follow-ups": {
                "parameters": [
                    query_param("list", "`due` (default: planned, within their window today) or `overdue` (planned, past their window).", json!({ "enum": ["", "due", "overdue"] })),
                    query_param("limit", "At most this many (1–500, default 100).", int_range(1, 500)),
                    query_param("offset", "Skip this many.", offset())
                ],
                "get": {
                    "tags": ["follow-up"], "summary": "The follow-up worklist, oldest first, each item with its case.", "operationId": "follow_up_worklist",
                    "responses": ok("200", "A page of items and the total.", json!({ "type": "object", "required": ["items", "total"], "properties": { "list": text, "items": { "type": "array", "items": schema("FollowUp") }, "total": { "type": "integer" }, "limit": { "type": "integer" }, "offset": { "type": "integer" } } }), &["400", "401", "403", "422", "503"])
                }
            },
            "/api/v1/follow-ups/{id}": {
                "parameters": [follow_up_id],
                "get": {
                    "tags": ["follow-up"], "summary": "One follow-up item.", "operationId": "get_follow_up",
                    "responses": ok("200", "The item.", schema("FollowUp"), read)
                },
                "post": {
                    "tags": ["follow-up"], "summary": "Record the contact, once (409 `follow_up_already_recorded` after).", "operationId": "record_follow_up",
                    "requestBody": body("FollowUpContact"),
                    "responses": ok("200", "Recorded.", schema("FollowUp"), write)
                }
            },
            "/api/v1/cases/{id}/close": {
                "parameters": [case_id.clone()],
                "post": {
                    "tags": ["follow-up"], "summary": "Close a case whose follow-up is complete (409 `follow_up_incomplete` otherwise).", "operationId": "close_case",
                    "responses": ok("200", "Closed.", schema("CaseState"), write)
                }
            },
            "/api/v1/cases/{id}/reopen": {
                "parameters": [case_id],
                "post": {
                    "tags": ["follow-up"], "summary": "Reopen a closed case, with a reason: it is back in follow-up.", "operationId": "reopen_case",
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["reason"], "additionalProperties": false, "properties": { "reason": required_text(500) } } } } },
                    "responses": ok("200", "Reopened.", schema("CaseState"), write)
                }
            }
        },
        "schemas": {
            "FollowUp": {
                "type": "object", "required": ["id", "case_id", "code", "kind", "due_on", "window_end", "status"],
                "properties": {
                    "id": { "type": "string", "format": "uuid" }, "case_id": { "type": "string", "format": "uuid" },
                    "code": { "type": "string", "description": "d7, d30, consultation, imaging, volumetry." },
                    "kind": { "enum": ["contact", "consultation", "imaging", "volumetry"] },
                    "due_on": { "type": "string", "format": "date" }, "window_end": { "type": "string", "format": "date" },
                    "status": { "enum": ["planned", "done", "unreachable", "missed"] },
                    "contact_date": { "type": ["string", "null"], "format": "date" }, "findings": { "type": ["string", "null"] },
                    "recorded_at": { "type": ["string", "null"], "format": "date-time" }, "recorded_by": { "type": ["string", "null"] },
                    "case": case_ref
                }
            },
            "FollowUpContact": {
                "type": "object", "additionalProperties": false, "required": ["status"],
                "properties": {
                    "status": { "enum": ["done", "unreachable", "missed"] },
                    "date": { "anyOf": day_or_default()["anyOf"].clone(), "description": "The day of the contact (today when empty); not in the future, nor before the procedure." },
                    "findings": optional_text(5000)
                },
                "if": { "required": ["status"], "properties": { "status": { "const": "done" } } },
                "then": { "required": ["findings"], "properties": { "findings": required_text(5000) } }
            },
            "CaseState": {
                "type": "object", "properties": { "id": { "type": "string", "format": "uuid" }, "status": text, "version": { "type": "integer" } }
            }
        }
    })
}
