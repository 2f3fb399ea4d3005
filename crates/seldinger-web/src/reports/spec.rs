//! This area's part of the OpenAPI document.

use serde_json::{Value, json};

use crate::openapi::{body, ok, path_param, required_text, schema};

/// `tags`, `paths` and `schemas`, merged into the document by `openapi::spec`.
pub(super) fn openapi() -> Value {
    let case_id = path_param("id", "The case's id (UUID).");
    let text = json!({ "type": "string" });
    let number = json!({ "type": ["string", "number"], "description": "A number, as a JSON number or as text (a decimal comma is accepted)." });
    let mut input_fields = serde_json::Map::new();
    for f in [
        "assistants",
        "anesthesia",
        "access_route",
        "devices",
        "contrast_agent",
        "ablation_modality",
        "embolization_agent",
        "embolization_target_vessel",
        "technical_success",
        "findings",
        "conclusion",
    ] {
        input_fields.insert(f.into(), text.clone());
    }
    for f in [
        "contrast_ml",
        "dap_gycm2",
        "fluoroscopy_s",
        "air_kerma_mgy",
        "ct_dlp_mgycm",
        "exposures",
        "biopsy_needle_gauge",
        "biopsy_cores",
        "ablation_energy_kj",
        "ablation_power_w",
        "ablation_duration_min",
        "ablation_applications",
        "ablation_zone_mm",
        "drainage_catheter_fr",
    ] {
        input_fields.insert(f.into(), number.clone());
    }
    for f in ["started_at", "ended_at"] {
        input_fields.insert(f.into(), json!({ "type": "string", "description": "Local wall-clock time in the department's zone, YYYY-MM-DDTHH:MM." }));
    }
    for (f, d) in [
        (
            "operators",
            "Usernames of the operators (interventional radiologists), the main one first.",
        ),
        (
            "guidance",
            "Guidance codes: ct, ultrasound, fluoroscopy, mri, cbct.",
        ),
        ("specimens", "Specimen labels, in order."),
    ] {
        input_fields.insert(
            f.into(),
            json!({ "type": "array", "items": { "type": "string" }, "description": d }),
        );
    }
    // Every field is sent: a `PUT` replaces the whole draft.
    let required: Vec<String> = input_fields.keys().cloned().collect();
    let errors_write = &["400", "401", "403", "404", "409", "415", "422", "503"];
    json!({
        "tags": [
            { "name": "reports", "description": "Procedure reports: drafts, signature (which creates the specimens and plans the follow-up), addenda." }
        ],
        "paths": {
            "/api/v1/cases/{id}/report": {
                "parameters": [case_id.clone()],
                "get": {
                    "tags": ["reports"], "summary": "The case's report with its addenda; 404 until a draft is saved.", "operationId": "get_report",
                    "responses": ok("200", "The report.", schema("Report"), &["401", "403", "404", "503"])
                },
                "put": {
                    "tags": ["reports"], "summary": "Save the draft, if `version` is still current (0 for the first). The first draft of a ready case records the procedure as performed; a signed report is refused (409 `report_signed`).", "operationId": "save_report",
                    "requestBody": body("ReportUpdate"),
                    "responses": ok("200", "Saved; the version is incremented.", schema("Report"), errors_write)
                }
            },
            "/api/v1/cases/{id}/report/template": {
                "parameters": [case_id.clone()],
                "get": {
                    "tags": ["reports"], "summary": "The fields of a new report, prefilled from the booking and the catalog.", "operationId": "report_template",
                    "responses": ok("200", "The procedure family and the prefilled fields.", json!({ "type": "object", "properties": { "family": { "type": "string" }, "report": schema("ReportInput") } }), &["401", "403", "404", "503"])
                }
            },
            "/api/v1/cases/{id}/report/sign": {
                "parameters": [case_id.clone()],
                "post": {
                    "tags": ["reports"], "summary": "Sign the report at `version`: in one transaction the case moves to follow-up, the specimens are created and the follow-up is planned. An incomplete report → 422 naming each missing field.", "operationId": "sign_report",
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["version"], "properties": { "version": { "type": "integer" } } } } } },
                    "responses": ok("200", "Signed.", schema("Report"), errors_write)
                }
            },
            "/api/v1/cases/{id}/report/addenda": {
                "parameters": [case_id.clone()],
                "post": {
                    "tags": ["reports"], "summary": "Add a signed addendum to a signed report (409 `report_not_signed` before).", "operationId": "add_addendum",
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["text"], "properties": { "text": required_text(5000) } } } } },
                    "responses": ok("201", "Added; the report with its addenda.", schema("Report"), errors_write)
                }
            }
        },
        "schemas": {
            "ReportInput": { "type": "object", "additionalProperties": false, "required": required, "properties": input_fields },
            "ReportUpdate": {
                "type": "object", "required": ["version", "report"], "additionalProperties": false,
                "properties": { "version": { "type": "integer", "description": "The version read; 0 for the first draft." }, "report": schema("ReportInput") }
            },
            "Report": {
                "type": "object",
                "required": ["id", "case_id", "state", "version", "report", "missing_for_signature", "addenda"],
                "properties": {
                    "id": { "type": "string", "format": "uuid" },
                    "case_id": { "type": "string", "format": "uuid" },
                    "state": { "enum": ["draft", "signed"] },
                    "version": { "type": "integer" },
                    "report": schema("ReportInput"),
                    "missing_for_signature": { "type": "array", "items": { "type": "string" }, "description": "Fields still required before signature (empty once signed)." },
                    "created_at": { "type": "string", "format": "date-time" },
                    "updated_at": { "type": "string", "format": "date-time" },
                    "signed_at": { "type": ["string", "null"], "format": "date-time" },
                    "signed_by": { "type": ["string", "null"] },
                    "addenda": { "type": "array", "items": { "type": "object", "properties": { "text": { "type": "string" }, "signed_at": { "type": "string", "format": "date-time" }, "signed_by": { "type": "string" } } } }
                }
            }
        }
    })
}
