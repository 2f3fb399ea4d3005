//! This area's part of the OpenAPI document.

use serde_json::{Value, json};

use crate::openapi::{body, int_range, items, offset, ok, path_param, query_param, schema};

/// `tags`, `paths` and `schemas`, merged into the document by `openapi::spec`.
pub(super) fn openapi() -> Value {
    let case_id = path_param("id", "The case's id (UUID).");
    let specimen_id = path_param("id", "The specimen's id (UUID).");
    let errors_write = &["400", "401", "403", "404", "409", "415", "422", "503"];
    json!({
        "tags": [
            { "name": "pathology", "description": "Specimens and their pathology results." }
        ],
        "paths": {
            "/api/v1/cases/{id}/specimens": {
                "parameters": [case_id],
                "get": {
                    "tags": ["pathology"], "summary": "The case's specimens with their results.", "operationId": "case_specimens",
                    "responses": ok("200", "The specimens, in report order.", items("Specimen"), &["401", "403", "404", "503"])
                }
            },
            "/api/v1/specimens/pending": {
                "parameters": [
                    query_param("limit", "At most this many (1–500, default 100).", int_range(1, 500)),
                    query_param("offset", "Skip this many.", offset())
                ],
                "get": {
                    "tags": ["pathology"], "summary": "The pathologists' worklist: specimens awaiting a result, oldest first, with their patient.", "operationId": "pending_specimens",
                    "responses": ok("200", "A page of specimens and the total.", json!({ "type": "object", "required": ["items", "total"], "properties": { "items": { "type": "array", "items": schema("Specimen") }, "total": { "type": "integer" }, "limit": { "type": "integer" }, "offset": { "type": "integer" } } }), &["401", "403", "422", "503"])
                }
            },
            "/api/v1/specimens/{id}": {
                "parameters": [specimen_id.clone()],
                "get": {
                    "tags": ["pathology"], "summary": "A specimen and its result.", "operationId": "get_specimen",
                    "responses": ok("200", "The specimen.", schema("Specimen"), &["401", "403", "404", "503"])
                }
            },
            "/api/v1/specimens/{id}/result": {
                "parameters": [specimen_id],
                "post": {
                    "tags": ["pathology"], "summary": "Record the specimen's result, once (409 `pathology_already_recorded` after). The turnaround is counted from the procedure day.", "operationId": "record_pathology",
                    "requestBody": body("PathologyResultInput"),
                    "responses": ok("201", "Recorded.", schema("Specimen"), errors_write)
                }
            }
        },
        "schemas": {
            "PathologyResultInput": {
                "type": "object", "additionalProperties": false,
                "required": ["adequacy", "category", "result_date"],
                "properties": {
                    "adequacy": { "enum": ["adequate", "inadequate"] },
                    "category": { "enum": ["benign", "malignant", "indeterminate", "non_diagnostic"], "description": "non_diagnostic exactly when the specimen is inadequate." },
                    "histology": { "type": "string", "description": "Required for benign and malignant." },
                    "result_date": { "type": "string", "format": "date" }
                }
            },
            "Specimen": {
                "type": "object",
                "required": ["id", "case_id", "position", "label", "collected_on"],
                "properties": {
                    "id": { "type": "string", "format": "uuid" },
                    "case_id": { "type": "string", "format": "uuid" },
                    "position": { "type": "integer" },
                    "label": { "type": "string" },
                    "collected_on": { "type": "string", "format": "date" },
                    "result": {
                        "type": ["object", "null"],
                        "properties": {
                            "adequacy": { "type": "string" }, "category": { "type": "string" }, "histology": { "type": ["string", "null"] },
                            "result_date": { "type": "string", "format": "date" }, "turnaround_days": { "type": "integer" },
                            "recorded_at": { "type": "string", "format": "date-time" }, "recorded_by": { "type": "string" }
                        }
                    },
                    "patient": { "type": "object", "description": "On the pending list: the patient's id, MRN, names and birth date." },
                    "procedure_code": { "type": "string" }
                }
            }
        }
    })
}
