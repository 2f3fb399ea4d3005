//! This area's part of the OpenAPI document.

use serde_json::{Value, json};

use crate::openapi::{
    body, day_or_default, ok, optional_text, path_param, person_name, procedure_code,
    required_text, schema,
};

/// `tags`, `paths` and `schemas`, merged into the document by `openapi::spec`.
pub(super) fn openapi() -> Value {
    let case_id = path_param("id", "The case's id (UUID).");
    let transition = |summary: &str, id: &str, request: Option<&str>, description: &str| {
        let mut op = json!({
            "tags": ["cases"], "summary": summary, "operationId": id, "description": description,
            "responses": ok("200", "The case in its new state.", schema("Case"), &["400", "401", "403", "404", "409", "415", "422", "503"])
        });
        if let Some(request) = request {
            op["requestBody"] = body(request);
        }
        op
    };
    let refusals = "A step the pathway does not allow now is refused with 409 and `code` `transition_not_allowed` (the case is unchanged).";
    json!({
        "tags": [
            { "name": "cases", "description": "Referrals open cases; each case moves through the pathway (triage, consultation, MDT, scheduling…) by events the state machine allows." }
        ],
        "paths": {
            "/api/v1/cases": {
                "post": {
                    "tags": ["cases"], "summary": "Send a referral: opens a case.", "operationId": "create_referral",
                    "description": "The patient must exist (else 422 on `patient_id`) and the requested procedure must be an active catalog code (else 422 on `requested_procedure`). The case is planned with the current version of that procedure type.",
                    "requestBody": body("ReferralInput"),
                    "responses": ok("201", "Opened, status `referred`; `Location` names the case.", schema("Case"), &["400", "401", "403", "415", "422", "503"])
                }
            },
            "/api/v1/cases/{id}": {
                "parameters": [case_id.clone()],
                "get": {
                    "tags": ["cases"], "summary": "A case with its patient, planned procedure, history, consultations, consents, MDT items and bookings.", "operationId": "get_case",
                    "responses": ok("200", "The case.", schema("CaseDetail"), &["401", "403", "404", "503"])
                }
            },
            "/api/v1/cases/{id}/accept": {
                "parameters": [case_id.clone()],
                "post": transition("Accept a referral (triage).", "accept_case", None, refusals)
            },
            "/api/v1/cases/{id}/decline": {
                "parameters": [case_id.clone()],
                "post": transition("Decline a referral, with a reason.", "decline_case", Some("Reason"), "An empty reason is refused with 409 `reason_required`; a refused step with 409 `transition_not_allowed`.")
            },
            "/api/v1/cases/{id}/send-to-mdt": {
                "parameters": [case_id.clone()],
                "post": transition("Send the case to the MDT.", "send_case_to_mdt", None, refusals)
            },
            "/api/v1/cases/{id}/plan": {
                "parameters": [case_id.clone()],
                "post": {
                    "tags": ["cases"], "summary": "Plan the procedure after a consultation, without an MDT.", "operationId": "plan_case",
                    "description": "The body may be left out. `procedure` plans another catalog procedure (its current version); an unknown or withdrawn code is a 422 on `procedure`. A case that is not consulted is refused with 409 `transition_not_allowed`.",
                    "requestBody": { "required": false, "content": { "application/json": { "schema": schema("PlanInput") } } },
                    "responses": ok("200", "The case, to schedule.", schema("Case"), &["400", "401", "403", "404", "409", "415", "422", "503"])
                }
            },
            "/api/v1/cases/{id}/cancel": {
                "parameters": [case_id],
                "post": transition("Cancel the case, with a reason; any booking is released.", "cancel_case", Some("Reason"), "Possible before the procedure. An empty reason is refused with 409 `reason_required`; a case already ended or performed with 409 `transition_not_allowed`.")
            }
        },
        "schemas": {
            "CaseStatus": { "enum": ["referred", "accepted", "awaiting_mdt", "consulted", "to_schedule", "scheduled", "ready", "performed", "follow_up", "closed", "declined", "cancelled"] },
            "Urgency": { "enum": ["emergency", "urgent", "semi_urgent", "elective"] },
            "Side": { "enum": ["left", "right", "bilateral", "midline", "not_applicable"] },
            "Organ": { "enum": ["lung", "pleura", "mediastinum", "liver", "bile_ducts", "gallbladder", "pancreas", "kidney", "adrenal", "urinary_tract", "uterus", "prostate", "bone", "spine", "soft_tissue", "lymph_node", "thyroid", "abdomen", "pelvis", "arteries", "veins", "portal_vein", "other"] },
            "BilingualText": { "type": "object", "required": ["fr", "en"], "properties": { "fr": { "type": "string" }, "en": { "type": "string" } } },
            "ReferralInput": {
                "type": "object", "additionalProperties": false,
                "required": ["patient_id", "referring_physician", "indication", "target_organ", "side", "requested_procedure", "urgency"],
                "properties": {
                    "patient_id": { "type": "string", "format": "uuid" },
                    "referring_physician": person_name(120),
                    "referring_service": optional_text(120),
                    "indication": required_text(2000),
                    "target_organ": schema("Organ"),
                    "target_site": optional_text(200),
                    "side": schema("Side"),
                    "lesion_size_mm": { "type": ["integer", "null"], "minimum": 1, "maximum": 500 },
                    "requested_procedure": procedure_code("An active catalog code, e.g. `BIO-LUNG-CT`."),
                    "urgency": schema("Urgency"),
                    "clinical_question": optional_text(2000),
                    "anticoagulants": { "type": "array", "items": schema("Anticoagulant") },
                    "allergies": { "type": "array", "items": schema("Allergy") },
                    "referral_date": { "anyOf": day_or_default()["anyOf"].clone(), "description": "The day the referral was written; today by default; not in the future." }
                }
            },
            "Case": {
                "type": "object",
                "required": ["id", "patient_id", "status", "version", "urgency", "referring_physician", "indication", "target_organ", "side", "requested_type_id", "planned_version_id", "anticoagulants", "allergies", "referral_date", "referred_at", "status_changed_at", "updated_at"],
                "properties": {
                    "id": { "type": "string", "format": "uuid" }, "patient_id": { "type": "string", "format": "uuid" },
                    "status": schema("CaseStatus"), "version": { "type": "integer" }, "urgency": schema("Urgency"),
                    "referring_physician": { "type": "string" }, "referring_service": { "type": ["string", "null"] },
                    "indication": { "type": "string" }, "target_organ": schema("Organ"), "target_site": { "type": ["string", "null"] },
                    "side": schema("Side"), "lesion_size_mm": { "type": ["integer", "null"] },
                    "requested_type_id": { "type": "string", "format": "uuid" },
                    "planned_version_id": { "type": "string", "format": "uuid", "description": "The catalog version the case is planned with." },
                    "clinical_question": { "type": ["string", "null"] },
                    "anticoagulants": { "type": "array", "items": schema("Anticoagulant") },
                    "allergies": { "type": "array", "items": schema("Allergy") },
                    "referral_date": { "type": "string", "format": "date" },
                    "referred_at": { "type": "string", "format": "date-time" },
                    "status_changed_at": { "type": "string", "format": "date-time" },
                    "updated_at": { "type": "string", "format": "date-time" }
                }
            },
            "PlannedProcedure": {
                "type": "object", "required": ["version_id", "type_id", "version", "code", "name", "family", "anesthesia", "stay", "duration_minutes"],
                "properties": {
                    "version_id": { "type": "string", "format": "uuid" }, "type_id": { "type": "string", "format": "uuid" },
                    "version": { "type": "integer" }, "code": { "type": "string" }, "name": schema("BilingualText"),
                    "family": { "type": "string" }, "anesthesia": { "enum": ["local", "sedation", "general"] },
                    "stay": { "type": "object", "required": ["kind", "nights"], "properties": { "kind": { "enum": ["outpatient", "day_case", "inpatient"] }, "nights": { "type": "integer" } } },
                    "duration_minutes": { "type": "integer" }
                }
            },
            "CaseHistoryEntry": {
                "type": "object", "required": ["id", "at", "username", "event", "to_status"],
                "properties": {
                    "id": { "type": "integer" }, "at": { "type": "string", "format": "date-time" }, "username": { "type": "string" },
                    "event": { "type": "string", "description": "e.g. `refer`, `accept`, `decline`, `send_to_mdt`, `record_consultation`, `plan_procedure`, `mdt_decision`, `book`, `cancel`." },
                    "from_status": { "type": ["string", "null"] }, "to_status": { "type": "string" },
                    "detail": { "type": ["string", "null"], "description": "The reason, or the MDT decision." }
                }
            },
            "CaseMdtItem": {
                "type": "object", "required": ["meeting_id", "meeting_kind", "meeting_starts_at", "position"],
                "properties": {
                    "meeting_id": { "type": "string", "format": "uuid" }, "meeting_kind": { "type": "string" },
                    "meeting_starts_at": { "type": "string", "format": "date-time" }, "position": { "type": "integer" },
                    "decision": { "type": ["string", "null"], "enum": ["ir_procedure", "surgery", "radiotherapy", "systemic_therapy", "surveillance", "more_work_up", null] },
                    "procedure_version_id": { "type": ["string", "null"], "format": "uuid" },
                    "rationale": { "type": ["string", "null"] }, "responsible_physician": { "type": ["string", "null"] },
                    "decided_at": { "type": ["string", "null"], "format": "date-time" }
                }
            },
            "CaseBooking": {
                "type": "object", "required": ["id", "room_id", "room_name", "starts_at", "ends_at", "operator_id", "operator_name", "active", "version"],
                "properties": {
                    "id": { "type": "string", "format": "uuid" }, "room_id": { "type": "string", "format": "uuid" }, "room_name": { "type": "string" },
                    "starts_at": { "type": "string", "format": "date-time" }, "ends_at": { "type": "string", "format": "date-time" },
                    "operator_id": { "type": "string", "format": "uuid" }, "operator_name": { "type": "string" },
                    "anesthetist_id": { "type": ["string", "null"], "format": "uuid" }, "anesthetist_name": { "type": ["string", "null"] },
                    "active": { "type": "boolean" }, "cancel_reason": { "type": ["string", "null"] }, "version": { "type": "integer" }
                }
            },
            "CaseDetail": {
                "type": "object", "required": ["case", "patient", "planned_procedure", "history", "consultations", "consents", "mdt_items", "bookings"],
                "properties": {
                    "case": schema("Case"), "patient": schema("Patient"), "planned_procedure": schema("PlannedProcedure"),
                    "history": { "type": "array", "items": schema("CaseHistoryEntry") },
                    "consultations": { "type": "array", "items": schema("Consultation") },
                    "consents": { "type": "array", "items": schema("Consent") },
                    "mdt_items": { "type": "array", "items": schema("CaseMdtItem") },
                    "bookings": { "type": "array", "items": schema("CaseBooking") }
                }
            },
            "Reason": {
                "type": "object", "additionalProperties": false, "required": ["reason"],
                "properties": { "reason": required_text(500) }
            },
            "PlanInput": {
                "type": "object", "additionalProperties": false,
                "properties": { "procedure": { "type": ["string", "null"], "pattern": r"^\s*[A-Za-z0-9_-]{2,32}\s*$", "description": "Another active catalog code; the planned one is kept when left out." } }
            }
        }
    })
}
