//! This area's part of the OpenAPI document.

use serde_json::{Value, json};

use seldinger_domain::catalog::{Anesthesia, Guidance};
use seldinger_domain::report::{
    AblationModality, LINE_MAX, SPECIMENS_MAX, TEXT_MAX, TechnicalSuccess,
};

use crate::openapi::{body, ok, optional_text, path_param, required_text, schema};

/// A decimal from 0 to `max` (`number::decimal`), as a JSON number or as text with a
/// point or a decimal comma; empty text when not recorded.
fn decimal(max: u32) -> Value {
    let digits = max.to_string().len() - 1;
    json!({ "anyOf": [
        { "type": "number", "minimum": 0, "maximum": max },
        { "type": "string", "pattern": format!(r"^\s*(?:\d{{1,{digits}}}(?:[.,]\d{{1,3}})?|{max}(?:[.,]0{{1,3}})?)?\s*$") }
    ], "description": format!("0 to {max}; a JSON number, or text (a decimal comma is read too); empty when not recorded.") })
}

/// A whole number from `min` to `max` (`number::whole`), as a JSON integer or as text;
/// empty text when not recorded.
fn whole(min: u32, max: u32) -> Value {
    let listed = (min..=max)
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join("|");
    let text = if max - min <= 50 {
        listed
    } else {
        format!(r"\d{{1,{}}}|{max}", max.to_string().len() - 1)
    };
    json!({ "anyOf": [
        { "type": "integer", "minimum": min, "maximum": max },
        { "type": "string", "pattern": format!(r"^\s*(?:{text})?\s*$") }
    ], "description": format!("{min} to {max}; a JSON integer, or text; empty when not recorded.") })
}

/// `tags`, `paths` and `schemas`, merged into the document by `openapi::spec`.
pub(super) fn openapi() -> Value {
    let case_id = path_param("id", "The case's id (UUID).");
    let mut input_fields = serde_json::Map::new();
    for (f, max) in [
        ("assistants", LINE_MAX * 2),
        ("access_route", LINE_MAX),
        ("devices", TEXT_MAX),
        ("contrast_agent", LINE_MAX),
        ("embolization_agent", LINE_MAX),
        ("embolization_target_vessel", LINE_MAX),
        ("findings", TEXT_MAX),
        ("conclusion", TEXT_MAX),
    ] {
        input_fields.insert(f.into(), optional_text(max));
    }
    for (f, codes) in [
        (
            "anesthesia",
            Anesthesia::ALL.iter().map(|c| c.code()).collect::<Vec<_>>(),
        ),
        (
            "ablation_modality",
            AblationModality::ALL.iter().map(|c| c.code()).collect(),
        ),
        (
            "technical_success",
            TechnicalSuccess::ALL.iter().map(|c| c.code()).collect(),
        ),
    ] {
        let codes: Vec<&str> = std::iter::once("").chain(codes).collect();
        input_fields.insert(
            f.into(),
            json!({ "enum": codes, "description": "Empty when not recorded." }),
        );
    }
    for (f, max) in [
        ("contrast_ml", 1_000),
        ("dap_gycm2", 10_000),
        ("air_kerma_mgy", 50_000),
        ("ct_dlp_mgycm", 100_000),
        ("ablation_energy_kj", 10_000),
        ("ablation_power_w", 500),
        ("ablation_duration_min", 240),
        ("ablation_zone_mm", 200),
    ] {
        input_fields.insert(f.into(), decimal(max));
    }
    for (f, min, max) in [
        ("fluoroscopy_s", 0, 36_000),
        ("exposures", 0, 10_000),
        ("biopsy_needle_gauge", 10, 25),
        ("biopsy_cores", 0, 30),
        ("ablation_applications", 1, 50),
        ("drainage_catheter_fr", 4, 40),
    ] {
        input_fields.insert(f.into(), whole(min, max));
    }
    for f in ["started_at", "ended_at"] {
        input_fields.insert(f.into(), json!({ "type": "string", "pattern": r"^\s*(?:(?:(?:19|20)\d\d-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|02-(?:0[1-9]|1\d|2[0-8]))|(?:19|20)(?:0[48]|[2468][048]|[13579][26])-02-29|2000-02-29)[T ](?:[01]\d|2[0-3]):[0-5]\d)?\s*$", "description": "Local wall-clock time in the department's zone, YYYY-MM-DDTHH:MM; empty when not recorded. The end comes after the start, within 24 hours, and not in the future." }));
    }
    input_fields.insert("operators".into(), json!({ "type": "array", "items": { "type": "string", "pattern": r"^[^\x00]*$" }, "description": "Usernames of the operators (interventional radiologists), the main one first; empty items are skipped." }));
    input_fields.insert("guidance".into(), json!({ "type": "array", "items": { "enum": Guidance::ALL.iter().map(|g| g.code()).collect::<Vec<_>>() }, "description": "Guidance codes." }));
    input_fields.insert("specimens".into(), json!({ "type": "array", "maxItems": SPECIMENS_MAX, "items": optional_text(LINE_MAX), "description": "Specimen labels, in order; empty and repeated ones are skipped." }));
    // Technique fields of another family than the case's must be left empty
    // (`inconsistent`): the family is the case's, not the body's.
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
