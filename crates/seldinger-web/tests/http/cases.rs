//! Referrals, cases, consultations and worklists, through HTTP.

use reqwest::header::LOCATION;
use reqwest::{Method, StatusCode};
use seldinger_domain::Role;
use serde_json::{Value, json};
use time::Duration;

use crate::support::*;

/// People of a department and one patient, Hélène (allergic to iodinated contrast, on
/// apixaban).
struct Ward {
    app: TestApp,
    ir: Api,
    referrer: Api,
    nurse: Api,
    patient: String,
}

impl Ward {
    async fn new() -> Self {
        let app = TestApp::spawn().await;
        let ir = app.api(&app.token("dr.ir", Role::InterventionalRadiologist).await);
        let referrer = app.api(&app.token("dr.ref", Role::ReferringPhysician).await);
        let nurse = app.api(&app.token("nurse", Role::Nurse).await);
        app.user("dr.ir2", Role::InterventionalRadiologist).await;
        app.user("dr.anes", Role::Anesthetist).await;
        let (status, patient) = referrer.post("/api/v1/patients", &helene()).await;
        assert_eq!(status, StatusCode::CREATED, "{patient}");
        let patient = patient["id"].as_str().expect("patient id").to_string();
        Self {
            app,
            ir,
            referrer,
            nurse,
            patient,
        }
    }

    /// A referral from the referring physician; returns the case id.
    async fn refer(&self, urgency: &str) -> String {
        let (status, case) = self
            .referrer
            .post("/api/v1/cases", &referral(&self.patient, urgency))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{case}");
        case["id"].as_str().expect("case id").to_string()
    }

    async fn case(&self, id: &str) -> Value {
        let (status, body) = self.ir.get(&format!("/api/v1/cases/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    async fn status(&self, id: &str) -> String {
        self.case(id).await["case"]["status"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Posts an action as the radiologist and expects it done.
    async fn act(&self, id: &str, action: &str, body: &Value) -> Value {
        let (status, case) = self
            .ir
            .post(&format!("/api/v1/cases/{id}/{action}"), body)
            .await;
        assert_eq!(status, StatusCode::OK, "{action}: {case}");
        case
    }

    /// Books an IR consultation with dr.ir; returns its id.
    async fn book(&self, case: &str, starts_at: &str) -> String {
        let (status, booked) = self
            .ir
            .post(
                &format!("/api/v1/cases/{case}/consultations"),
                &json!({ "kind": "ir_pre", "clinician": "dr.ir", "starts_at": starts_at, "duration_minutes": 30 }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{booked}");
        booked["id"].as_str().expect("consultation id").to_string()
    }

    async fn record(&self, consultation: &str) -> (StatusCode, Value) {
        self.ir
            .post(
                &format!("/api/v1/consultations/{consultation}"),
                &done_record(),
            )
            .await
    }

    /// A case accepted and consulted at `starts_at` (consent given), ready to plan.
    async fn consulted(&self, starts_at: &str) -> String {
        let id = self.refer("semi_urgent").await;
        self.act(&id, "accept", &json!({})).await;
        let consultation = self.book(&id, starts_at).await;
        let (status, body) = self.record(&consultation).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        id
    }

    /// Sends an action that must be refused with `code`, and checks that the case did
    /// not change (status, version, history).
    async fn refused(&self, id: &str, action: &str, body: &Value, code: &str) {
        let before = self.case(id).await;
        let (status, problem) = self
            .ir
            .post(&format!("/api/v1/cases/{id}/{action}"), body)
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{action}: {problem}");
        assert_eq!(problem["code"], code, "{action}: {problem}");
        assert!(problem["detail"].as_str().is_some_and(|d| !d.is_empty()));
        let after = self.case(id).await;
        assert_eq!(
            after["case"]["status"], before["case"]["status"],
            "{action}"
        );
        assert_eq!(
            after["case"]["version"], before["case"]["version"],
            "{action}"
        );
        assert_eq!(after["history"], before["history"], "{action}");
    }
}

fn referral(patient: &str, urgency: &str) -> Value {
    json!({
        "patient_id": patient,
        "referring_physician": "Dr Anne Morel",
        "referring_service": "Oncologie thoracique",
        "indication": "Nodule du lobe supérieur droit, 22 mm",
        "target_organ": "lung",
        "target_site": "LSD",
        "side": "right",
        "lesion_size_mm": 22,
        "requested_procedure": "BIO-LUNG-CT",
        "urgency": urgency,
        "clinical_question": "Histologie ?",
        "anticoagulants": [{ "drug": "apixaban", "note": "5 mg x2" }],
        "allergies": [{ "kind": "iodinated_contrast" }]
    })
}

fn done_record() -> Value {
    json!({
        "outcome": "done",
        "information_sheet_given": true,
        "sheet_language": "fr",
        "risks_explained": "Pneumothorax (20 %), hémoptysie, douleur.",
        "alternatives_discussed": "Surveillance scanographique ; second avis possible.",
        "consent": "given",
        "notes": "Patiente informée."
    })
}

fn events(case: &Value) -> Vec<String> {
    case["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|e| e["event"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The id a page redirected to, from `/cases/{id}?done=…`.
fn case_from(location: &str) -> String {
    location
        .trim_start_matches("/cases/")
        .split('?')
        .next()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn a_referral_opens_a_case_to_triage_planned_with_the_current_catalog_version() {
    let ward = Ward::new().await;
    let response = ward
        .referrer
        .request(Method::POST, "/api/v1/cases")
        .json(&referral(&ward.patient, "urgent"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()[LOCATION]
        .to_str()
        .expect("location")
        .to_string();
    let created: Value = response.json().await.expect("json");
    let id = created["id"].as_str().expect("id");
    assert_eq!(location, format!("/api/v1/cases/{id}"));
    assert_eq!(created["status"], "referred");
    assert_eq!(created["urgency"], "urgent");
    assert_eq!(created["referral_date"], "2026-11-22");
    assert_eq!(created["anticoagulants"][0]["drug"], "apixaban");

    let detail = ward.case(id).await;
    assert_eq!(detail["patient"]["mrn"], "IP-2026-0001");
    assert_eq!(detail["planned_procedure"]["code"], "BIO-LUNG-CT");
    assert_eq!(detail["planned_procedure"]["version"], 1);
    assert_eq!(detail["planned_procedure"]["anesthesia"], "local");
    assert_eq!(detail["planned_procedure"]["stay"]["nights"], 1);
    assert_eq!(events(&detail), ["refer"]);
    assert_eq!(detail["history"][0]["username"], "dr.ref");
    assert_eq!(detail["history"][0]["to_status"], "referred");
    for list in ["consultations", "consents", "mdt_items", "bookings"] {
        assert_eq!(detail[list], json!([]), "{list}");
    }

    let (status, cases) = ward
        .nurse
        .get(&format!("/api/v1/patients/{}/cases", ward.patient))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cases["items"][0]["id"], id);
    assert_eq!(cases["items"][0]["procedure"]["code"], "BIO-LUNG-CT");
    assert_eq!(
        cases["items"][0]["procedure"]["name"]["fr"],
        "Biopsie pulmonaire sous scanner"
    );
    assert_eq!(cases["items"][0]["patient"]["family_name"], "Dupré-Lefèvre");
    let (status, _) = ward
        .nurse
        .get("/api/v1/patients/0192f3a4-1b2c-7d8e-9f00-112233445566/cases")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = ward
        .nurse
        .get("/api/v1/cases/0192f3a4-1b2c-7d8e-9f00-112233445566")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_bad_referral_names_every_field_and_stores_nothing() {
    let ward = Ward::new().await;
    let mut bad = referral(&ward.patient, "asap");
    bad["indication"] = json!("  ");
    bad["target_organ"] = json!("heart");
    bad["side"] = json!("");
    bad["lesion_size_mm"] = json!(0);
    bad["referral_date"] = json!("2026-12-01");
    bad["anticoagulants"] = json!([{ "drug": "other" }]);
    let (status, problem) = ward.referrer.post("/api/v1/cases", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    for field in [
        "urgency",
        "indication",
        "target_organ",
        "side",
        "lesion_size_mm",
        "referral_date",
        "anticoagulants.0.note",
    ] {
        assert_field_error(&problem, field);
    }

    let mut unknown = referral("0192f3a4-1b2c-7d8e-9f00-112233445566", "urgent");
    let (status, problem) = ward.referrer.post("/api/v1/cases", &unknown).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_field_error(&problem, "patient_id");
    assert_eq!(problem["errors"][0]["code"], "no_such_record");

    unknown["patient_id"] = json!(ward.patient);
    unknown["requested_procedure"] = json!("BIO-HEART");
    let (status, problem) = ward.referrer.post("/api/v1/cases", &unknown).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_field_error(&problem, "requested_procedure");

    let (status, problem) = ward
        .referrer
        .post(
            "/api/v1/cases",
            &json!({ "patient_id": ward.patient, "colour": "blue" }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "unknown fields are refused: {problem}"
    );

    let (_, cases) = ward
        .ir
        .get(&format!("/api/v1/patients/{}/cases", ward.patient))
        .await;
    assert_eq!(cases["items"], json!([]), "nothing was stored");
    let (_, list) = ward.ir.get("/api/v1/worklists/to_triage").await;
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn triage_accepts_declines_with_a_reason_and_sends_cases_to_the_mdt() {
    let ward = Ward::new().await;
    let accepted = ward.refer("urgent").await;
    let case = ward.act(&accepted, "accept", &json!({})).await;
    assert_eq!(case["status"], "accepted");

    let declined = ward.refer("elective").await;
    let case = ward
        .act(
            &declined,
            "decline",
            &json!({ "reason": "Lésion inaccessible, voir chirurgie" }),
        )
        .await;
    assert_eq!(case["status"], "declined");
    let detail = ward.case(&declined).await;
    assert_eq!(events(&detail), ["refer", "decline"]);
    assert_eq!(detail["history"][1]["from_status"], "referred");
    assert_eq!(detail["history"][1]["to_status"], "declined");
    assert_eq!(
        detail["history"][1]["detail"],
        "Lésion inaccessible, voir chirurgie"
    );
    assert_eq!(detail["history"][1]["username"], "dr.ir");

    let to_mdt = ward.refer("semi_urgent").await;
    let case = ward.act(&to_mdt, "send-to-mdt", &json!({})).await;
    assert_eq!(case["status"], "awaiting_mdt");

    // An accepted case goes to the MDT too, and a consulted one (below, in planning).
    let case = ward.act(&accepted, "send-to-mdt", &json!({})).await;
    assert_eq!(case["status"], "awaiting_mdt");
    let (_, list) = ward.ir.get("/api/v1/worklists/awaiting_mdt").await;
    assert_eq!(list["total"], 2);
}

#[tokio::test]
async fn every_refused_step_is_a_409_with_its_code_and_leaves_the_case_unchanged() {
    let ward = Ward::new().await;
    let referred = ward.refer("urgent").await;
    ward.refused(
        &referred,
        "decline",
        &json!({ "reason": "  " }),
        "reason_required",
    )
    .await;
    ward.refused(&referred, "decline", &json!({}), "reason_required")
        .await;
    ward.refused(
        &referred,
        "cancel",
        &json!({ "reason": "" }),
        "reason_required",
    )
    .await;
    ward.refused(&referred, "plan", &json!({}), "transition_not_allowed")
        .await;

    let accepted = ward.refer("urgent").await;
    ward.act(&accepted, "accept", &json!({})).await;
    ward.refused(&accepted, "accept", &json!({}), "transition_not_allowed")
        .await;
    ward.refused(
        &accepted,
        "decline",
        &json!({ "reason": "too late" }),
        "transition_not_allowed",
    )
    .await;
    ward.refused(&accepted, "plan", &json!({}), "transition_not_allowed")
        .await;

    let declined = ward.refer("elective").await;
    ward.act(&declined, "decline", &json!({ "reason": "not indicated" }))
        .await;
    for (action, body) in [
        ("accept", json!({})),
        ("send-to-mdt", json!({})),
        ("plan", json!({ "procedure": "BIO-LUNG-CT" })),
        ("cancel", json!({ "reason": "patient moved" })),
    ] {
        ward.refused(&declined, action, &body, "transition_not_allowed")
            .await;
    }

    let cancelled = ward.refer("elective").await;
    ward.act(&cancelled, "cancel", &json!({ "reason": "patient moved" }))
        .await;
    ward.refused(&cancelled, "accept", &json!({}), "transition_not_allowed")
        .await;
    ward.refused(
        &cancelled,
        "cancel",
        &json!({ "reason": "again" }),
        "transition_not_allowed",
    )
    .await;

    // A consultation cannot be booked before triage nor after the case ended.
    for id in [&referred, &cancelled] {
        let (status, problem) = ward
            .ir
            .post(
                &format!("/api/v1/cases/{id}/consultations"),
                &json!({ "kind": "ir_pre", "clinician": "dr.ir", "starts_at": "2026-11-23T10:00:00Z" }),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{problem}");
        assert_eq!(problem["code"], "transition_not_allowed");
        assert_eq!(ward.case(id).await["consultations"], json!([]));
    }
}

#[tokio::test]
async fn a_consultation_is_booked_recorded_once_and_moves_the_case_to_consulted() {
    let ward = Ward::new().await;
    let id = ward.refer("semi_urgent").await;
    ward.act(&id, "accept", &json!({})).await;
    let response = ward
        .ir
        .request(Method::POST, &format!("/api/v1/cases/{id}/consultations"))
        .json(&json!({ "kind": "ir_pre", "clinician": "dr.ir", "starts_at": "2026-11-23T10:00:00Z", "duration_minutes": 45 }))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()[LOCATION]
        .to_str()
        .expect("location")
        .to_string();
    let booked: Value = response.json().await.expect("json");
    let consultation = booked["id"].as_str().expect("id").to_string();
    assert_eq!(location, format!("/api/v1/consultations/{consultation}"));
    assert_eq!(booked["status"], "booked");
    assert_eq!(booked["clinician_name"], "Test dr.ir");
    assert_eq!(booked["starts_at"], "2026-11-23T10:00:00Z");
    assert_eq!(booked["ends_at"], "2026-11-23T10:45:00Z");
    assert_eq!(
        ward.status(&id).await,
        "accepted",
        "booking alone moves nothing"
    );

    // Recording needs the risks explained at an IR consultation.
    ward.app.clock.advance(Duration::hours(26));
    let mut incomplete = done_record();
    incomplete["risks_explained"] = json!("");
    let (status, problem) = ward
        .ir
        .post(
            &format!("/api/v1/consultations/{consultation}"),
            &incomplete,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_field_error(&problem, "risks_explained");
    assert_eq!(ward.status(&id).await, "accepted");

    let (status, recorded) = ward.record(&consultation).await;
    assert_eq!(status, StatusCode::OK, "{recorded}");
    assert_eq!(recorded["status"], "done");
    assert_eq!(recorded["sheet_language"], "fr");
    assert_eq!(recorded["consent"]["decision"], "given");
    assert_eq!(recorded["consent"]["decided_on"], "2026-11-23");
    let detail = ward.case(&id).await;
    assert_eq!(detail["case"]["status"], "consulted");
    assert_eq!(events(&detail), ["refer", "accept", "record_consultation"]);
    assert_eq!(detail["consents"][0]["decision"], "given");
    assert_eq!(
        detail["consultations"][0]["risks_explained"],
        "Pneumothorax (20 %), hémoptysie, douleur."
    );

    // Once recorded, a consultation does not change.
    let history = detail["history"].clone();
    let (status, problem) = ward.record(&consultation).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["code"], "consultation_already_recorded");
    let (status, problem) = ward
        .ir
        .post(
            &format!("/api/v1/consultations/{consultation}/cancel"),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["code"], "consultation_already_recorded");
    let after = ward.case(&id).await;
    assert_eq!(after["history"], history);
    assert_eq!(after["consents"].as_array().map(Vec::len), Some(1));

    let (status, read) = ward
        .nurse
        .get(&format!("/api/v1/consultations/{consultation}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["notes"], "Patiente informée.");
    let (status, _) = ward
        .nurse
        .get("/api/v1/consultations/0192f3a4-1b2c-7d8e-9f00-112233445566")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_booking_is_refused_for_the_wrong_role_a_busy_clinician_or_bad_input() {
    let ward = Ward::new().await;
    let id = ward.refer("urgent").await;
    ward.act(&id, "accept", &json!({})).await;
    let path = format!("/api/v1/cases/{id}/consultations");

    // An IR consultation with an anesthetist, an anesthesia one with a radiologist.
    for (kind, clinician) in [("ir_pre", "dr.anes"), ("anesthesia", "dr.ir")] {
        let (status, problem) = ward
            .ir
            .post(&path, &json!({ "kind": kind, "clinician": clinician, "starts_at": "2026-11-23T10:00:00Z" }))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{problem}");
        assert_eq!(problem["code"], "clinician_role");
    }

    ward.book(&id, "2026-11-23T10:00:00Z").await;
    let other = ward.refer("elective").await;
    ward.act(&other, "accept", &json!({})).await;
    let (status, problem) = ward
        .ir
        .post(
            &format!("/api/v1/cases/{other}/consultations"),
            &json!({ "kind": "post_procedure", "clinician": "dr.ir", "starts_at": "2026-11-23T10:15:00Z", "duration_minutes": 30 }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["code"], "clinician_busy");
    // Right after, or with another radiologist, is fine.
    let (status, _) = ward
        .ir
        .post(
            &format!("/api/v1/cases/{other}/consultations"),
            &json!({ "kind": "ir_pre", "clinician": "dr.ir2", "starts_at": "2026-11-23T10:15:00Z" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    ward.book(&other, "2026-11-23T10:30:00Z").await;

    let (status, problem) = ward
        .ir
        .post(&path, &json!({ "kind": "ir_pre", "clinician": "nobody", "starts_at": "2026-11-24T10:00:00Z" }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_field_error(&problem, "clinician");

    let (status, problem) = ward
        .ir
        .post(&path, &json!({ "kind": "visit", "clinician": "", "starts_at": "tomorrow", "duration_minutes": 1 }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    for field in ["kind", "clinician", "starts_at", "duration_minutes"] {
        assert_field_error(&problem, field);
    }
    assert_eq!(
        ward.case(&id).await["consultations"]
            .as_array()
            .map(Vec::len),
        Some(1),
        "only the first booking was stored"
    );

    // The day's list, and one clinician's.
    let (status, list) = ward
        .nurse
        .get("/api/v1/consultations?from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["items"].as_array().map(Vec::len), Some(3));
    let (_, list) = ward
        .nurse
        .get("/api/v1/consultations?from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z&clinician=dr.ir2")
        .await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(list["items"][0]["clinician_name"], "Test dr.ir2");
    let (status, problem) = ward
        .nurse
        .get("/api/v1/consultations?from=2026-11-24T00:00:00Z&to=2026-11-23T00:00:00Z&clinician=ghost")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_field_error(&problem, "to");
    assert_field_error(&problem, "clinician");
}

#[tokio::test]
async fn a_cancelled_consultation_cannot_be_recorded() {
    let ward = Ward::new().await;
    let id = ward.refer("urgent").await;
    ward.act(&id, "accept", &json!({})).await;
    let consultation = ward.book(&id, "2026-11-23T10:00:00Z").await;
    let (status, cancelled) = ward
        .nurse
        .post(
            &format!("/api/v1/consultations/{consultation}/cancel"),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cancelled["status"], "cancelled");
    let (status, problem) = ward.record(&consultation).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["code"], "consultation_cancelled");
    assert_eq!(ward.status(&id).await, "accepted");
    // The slot is free again.
    ward.book(&id, "2026-11-23T10:00:00Z").await;
}

#[tokio::test]
async fn a_consulted_case_is_planned_with_its_procedure_or_another_and_is_to_schedule() {
    let ward = Ward::new().await;
    let kept = ward.consulted("2026-11-23T09:00:00Z").await;
    // No body at all: the planned procedure is kept.
    let response = ward
        .ir
        .request(Method::POST, &format!("/api/v1/cases/{kept}/plan"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    let detail = ward.case(&kept).await;
    assert_eq!(detail["case"]["status"], "to_schedule");
    assert_eq!(detail["planned_procedure"]["code"], "BIO-LUNG-CT");
    assert_eq!(
        events(&detail),
        ["refer", "accept", "record_consultation", "plan_procedure"]
    );

    let changed = ward.consulted("2026-11-23T10:00:00Z").await;
    let before = ward.case(&changed).await;
    for bad in ["bio-heart", "x"] {
        let (status, problem) = ward
            .ir
            .post(
                &format!("/api/v1/cases/{changed}/plan"),
                &json!({ "procedure": bad }),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_field_error(&problem, "procedure");
    }
    let after = ward.case(&changed).await;
    assert_eq!(after["case"]["status"], "consulted", "nothing changed");
    assert_eq!(after["history"], before["history"]);
    let case = ward
        .act(
            &changed,
            "plan",
            &json!({ "procedure": "bio-lung-ct-endo" }),
        )
        .await;
    assert_eq!(case["status"], "to_schedule");
    let detail = ward.case(&changed).await;
    assert_eq!(detail["planned_procedure"]["code"], "BIO-LUNG-CT-ENDO");
    assert_eq!(
        detail["planned_procedure"]["name"]["fr"],
        "Biopsie pulmonaire sous scanner avec endomicroscopie"
    );
    // Planned twice: refused.
    ward.refused(&changed, "plan", &json!({}), "transition_not_allowed")
        .await;

    // A consulted case can still go to the MDT instead.
    let to_mdt = ward.consulted("2026-11-23T11:00:00Z").await;
    let case = ward.act(&to_mdt, "send-to-mdt", &json!({})).await;
    assert_eq!(case["status"], "awaiting_mdt");
}

#[tokio::test]
async fn a_case_is_cancelled_with_a_reason_and_consent_is_withdrawn_while_it_is_open() {
    let ward = Ward::new().await;
    let id = ward.consulted("2026-11-22T10:00:00Z").await;
    let response = ward
        .ir
        .request(Method::POST, &format!("/api/v1/cases/{id}/consent"))
        .json(
            &json!({ "decision": "withdrawn", "date": "2026-11-22", "note": "Souhaite réfléchir" }),
        )
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(
        response.headers()[LOCATION].to_str().ok(),
        Some(format!("/api/v1/cases/{id}").as_str())
    );
    let consent: Value = response.json().await.expect("json");
    assert_eq!(consent["decision"], "withdrawn");
    assert_eq!(consent["note"], "Souhaite réfléchir");
    assert_eq!(consent["consultation_id"], Value::Null);
    let detail = ward.case(&id).await;
    let decisions: Vec<&str> = detail["consents"]
        .as_array()
        .expect("consents")
        .iter()
        .filter_map(|c| c["decision"].as_str())
        .collect();
    assert_eq!(decisions, ["given", "withdrawn"]);
    assert_eq!(detail["case"]["status"], "consulted");

    let (status, problem) = ward
        .ir
        .post(
            &format!("/api/v1/cases/{id}/consent"),
            &json!({ "decision": "maybe", "date": "2027-01-01" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_field_error(&problem, "decision");
    assert_field_error(&problem, "date");
    let (status, _) = ward
        .nurse
        .post(
            &format!("/api/v1/cases/{id}/consent"),
            &json!({ "decision": "withdrawn" }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "nurses do not record consent"
    );

    let case = ward
        .act(
            &id,
            "cancel",
            &json!({ "reason": "Ne souhaite plus le geste" }),
        )
        .await;
    assert_eq!(case["status"], "cancelled");
    let detail = ward.case(&id).await;
    let last = detail["history"]
        .as_array()
        .and_then(|h| h.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(last["event"], "cancel");
    assert_eq!(last["from_status"], "consulted");
    assert_eq!(last["detail"], "Ne souhaite plus le geste");

    let (status, _) = ward
        .ir
        .post(
            &format!("/api/v1/cases/{id}/consent"),
            &json!({ "decision": "given" }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "an ended case takes no consent"
    );
    assert_eq!(
        ward.case(&id).await["consents"].as_array().map(Vec::len),
        Some(2)
    );
}

#[tokio::test]
async fn worklists_put_the_most_urgent_first_then_the_longest_waiting_and_page() {
    let ward = Ward::new().await;
    let old_elective = ward.refer("elective").await;
    ward.app.clock.advance(Duration::days(1));
    let urgent = ward.refer("urgent").await;
    ward.app.clock.advance(Duration::days(1));
    let new_elective = ward.refer("elective").await;
    ward.app.clock.advance(Duration::days(1));
    let emergency = ward.refer("emergency").await;
    let semi_urgent = ward.refer("semi_urgent").await;
    ward.app.clock.advance(Duration::days(2));

    let (status, list) = ward.nurse.get("/api/v1/worklists/to_triage").await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        [
            emergency.as_str(),
            urgent.as_str(),
            semi_urgent.as_str(),
            old_elective.as_str(),
            new_elective.as_str()
        ]
    );
    let waiting: Vec<i64> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|c| c["waiting_days"].as_i64())
        .collect();
    assert_eq!(waiting, [2, 4, 2, 5, 3]);
    assert_eq!(list["total"], 5);
    assert_eq!(list["items"][0]["urgency"], "emergency");
    assert_eq!(list["items"][0]["patient"]["mrn"], "IP-2026-0001");

    let (_, page) = ward
        .nurse
        .get("/api/v1/worklists/to_triage?limit=2&offset=3")
        .await;
    let ids: Vec<&str> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids, [old_elective.as_str(), new_elective.as_str()]);
    assert_eq!(page["total"], 5);
    assert_eq!(page["limit"], 2);
    assert_eq!(page["offset"], 3);

    let (status, problem) = ward.nurse.get("/api/v1/worklists/to_triage?limit=0").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_field_error(&problem, "limit");
    let (status, _) = ward.nurse.get("/api/v1/worklists/everything").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    ward.act(&urgent, "accept", &json!({})).await;
    let (_, list) = ward.nurse.get("/api/v1/worklists/to_triage").await;
    assert_eq!(list["total"], 4);
    let (_, list) = ward
        .nurse
        .get("/api/v1/worklists/awaiting_consultation")
        .await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], urgent);
}

#[tokio::test]
async fn a_worklist_page_shows_a_hundred_cases_with_urgency_badges_and_links_to_the_next() {
    let ward = Ward::new().await;
    for _ in 0..100 {
        ward.refer("elective").await;
    }
    let emergency = ward.refer("emergency").await;
    ward.app.clock.advance(Duration::days(3));
    let browser = ward
        .app
        .browser("dr.pages", Role::InterventionalRadiologist)
        .await;
    let (status, html) = browser.get("/worklists/to_triage").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html.matches("<span class=\"badge urgency-").count(), 100);
    let first = html.find("badge urgency-emergency").expect("the emergency");
    let elective = html.find("badge urgency-elective").expect("the electives");
    assert!(first < elective, "the emergency comes first");
    assert!(html.contains(&format!("href=\"/cases/{emergency}\"")));
    assert!(html.contains("3 j"), "days waiting: {html}");
    assert!(
        html.contains("Trier"),
        "the list's action for a radiologist"
    );
    assert!(html.contains("1–100 / 101"), "{html}");
    assert!(html.contains("href=\"/worklists/to_triage?page=2\""));
    assert!(!html.contains("id=\"previous-page\""));

    let (status, html) = browser.get("/worklists/to_triage?page=2").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html.matches("<span class=\"badge urgency-").count(), 1);
    assert!(html.contains("101–101 / 101"));
    assert!(html.contains("id=\"previous-page\""));
    assert!(!html.contains("id=\"next-page\""));

    let (status, _) = browser.get("/worklists/everything").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn clinical_staff_land_on_the_worklists_which_count_each_list_and_today_consultations() {
    let ward = Ward::new().await;
    ward.refer("urgent").await;
    ward.refer("elective").await;
    let accepted = ward.refer("urgent").await;
    ward.act(&accepted, "accept", &json!({})).await;
    ward.book(&accepted, "2026-11-22T14:00:00Z").await;

    let browser = ward
        .app
        .browser("dr.home", Role::InterventionalRadiologist)
        .await;
    let response = browser
        .http
        .get(format!("{}/", ward.app.url))
        .send()
        .await
        .expect("home");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], "/worklists");
    let (status, html) = browser.get("/worklists").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"count-to_triage\">2<"), "{html}");
    assert!(html.contains("id=\"count-awaiting_consultation\">1<"));
    assert!(html.contains("id=\"count-to_schedule\">0<"));
    assert!(html.contains("id=\"consultations-today\">1<"));
    assert!(html.contains("Dupré-Lefèvre"));
    assert!(html.contains("Demandes à trier"));

    let admin = ward.app.browser("root", Role::Admin).await;
    let response = admin
        .http
        .get(format!("{}/", ward.app.url))
        .send()
        .await
        .expect("home");
    assert_eq!(response.headers()[LOCATION], "/users");
    assert_eq!(admin.get("/worklists").await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_referral_form_starts_from_the_patient_record_and_comes_back_with_errors_beside_fields()
{
    let ward = Ward::new().await;
    let path = format!("/referrals/new?patient={}", ward.patient);
    // Another referring physician's patient is not this one's to refer.
    let other = ward.app.browser("dr.morel", Role::ReferringPhysician).await;
    let (status, html) = other.get(&path).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
    assert!(html.contains(&format!("/patients/{}/emergency-access", ward.patient)));
    // The physician who registered her refers her.
    let browser = Browser::new(&ward.app.url);
    browser.sign_in("dr.ref", PASSWORD).await;
    let (status, html) = browser.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"patient-banner\""));
    assert!(
        html.contains("id=\"allergy-iodinated_contrast\" checked"),
        "{html}"
    );
    assert!(html.contains("value=\"urticaria in 2019\""));
    assert!(html.contains("id=\"drug-apixaban\" checked"));
    assert!(html.contains("value=\"5 mg twice daily\""));
    assert!(!html.contains("id=\"drug-warfarin\" checked"));
    assert!(
        html.contains(
            "id=\"referring_physician\" name=\"referring_physician\" value=\"Test dr.ref\""
        )
    );
    assert!(html.contains("value=\"2026-11-22\""), "today's date");
    assert!(html.contains("<optgroup label=\"Drainage percutané\">"));
    assert!(
        html.contains("<option value=\"BIO-LUNG-CT\">Biopsie pulmonaire sous scanner</option>")
    );

    let csrf = browser.csrf(&path).await;
    let mut fields = vec![
        ("_csrf", csrf.as_str()),
        ("patient_id", ward.patient.as_str()),
        ("requested_procedure", "BIO-LUNG-CT"),
        ("urgency", ""),
        ("referral_date", "2026-11-22"),
        ("target_organ", "lung"),
        ("target_site", "LSD"),
        ("side", "right"),
        ("lesion_size_mm", "abc"),
        ("indication", ""),
        ("clinical_question", "Histologie ?"),
        ("allergy", "iodinated_contrast"),
        ("allergy_note_iodinated_contrast", "urticaire"),
        ("drug", "apixaban"),
        ("drug_note_apixaban", "5 mg x2"),
        ("referring_physician", "Test dr.ref"),
        ("referring_service", "Pneumologie"),
    ];
    let (status, html, _) = browser.post_form("/referrals", &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["urgency", "lesion_size_mm", "indication"] {
        assert!(
            html.contains(&format!("id=\"{field}-error\"")),
            "{field}: {html}"
        );
    }
    assert!(!html.contains("id=\"target_organ-error\""));
    assert!(html.contains("est obligatoire"));
    assert!(html.contains("value=\"abc\""), "typed values are kept");
    assert!(html.contains("<option value=\"BIO-LUNG-CT\" selected>"));
    assert!(html.contains("value=\"Pneumologie\""));
    assert!(html.contains("id=\"patient-banner\""));
    let (_, cases) = ward
        .ir
        .get(&format!("/api/v1/patients/{}/cases", ward.patient))
        .await;
    assert_eq!(cases["items"], json!([]), "nothing stored");

    for (name, value) in fields.iter_mut() {
        match *name {
            "urgency" => *value = "urgent",
            "lesion_size_mm" => *value = "18",
            "indication" => *value = "Nodule LSD <suspect>",
            _ => {}
        }
    }
    let (status, _, location) = browser.post_form("/referrals", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = location.expect("to the case");
    assert!(location.ends_with("?done=referred"), "{location}");
    let id = case_from(&location);
    let (status, html) = browser.get(&location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Demande envoyée"));
    assert!(html.contains("adressé, à trier"));
    assert!(
        html.contains("Nodule LSD &#60;suspect&#62;"),
        "escaped: {html}"
    );
    let detail = ward.case(&id).await;
    assert_eq!(detail["case"]["lesion_size_mm"], 18);
    assert_eq!(detail["case"]["urgency"], "urgent");
    assert_eq!(detail["case"]["allergies"][0]["note"], "urticaire");
    assert_eq!(detail["case"]["anticoagulants"][0]["drug"], "apixaban");
    assert_eq!(detail["case"]["referring_service"], "Pneumologie");

    let nurse = ward.app.browser("nurse.page", Role::Nurse).await;
    assert_eq!(nurse.get(&path).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        browser
            .get("/referrals/new?patient=0192f3a4-1b2c-7d8e-9f00-112233445566")
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_case_page_offers_only_what_the_step_and_the_role_allow() {
    let ward = Ward::new().await;
    let id = ward.refer("urgent").await;
    let page = format!("/cases/{id}");
    let ir = ward
        .app
        .browser("dr.page", Role::InterventionalRadiologist)
        .await;
    let nurse = ward.app.browser("nurse.page", Role::Nurse).await;
    let scheduler = ward.app.browser("sched.page", Role::Scheduler).await;

    let (status, html) = ir.get(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"patient-banner\""));
    assert!(html.contains("Produit de contraste iodé"));
    assert!(html.contains("Biopsie pulmonaire sous scanner"));
    assert!(html.contains("id=\"case-status\">adressé, à trier<"));
    for shown in [
        "id=\"accept\"",
        "id=\"decline-form\"",
        "id=\"send-to-mdt\"",
        "id=\"cancel-form\"",
    ] {
        assert!(html.contains(shown), "{shown}");
    }
    for hidden in [
        "id=\"plan-form\"",
        "id=\"book-form\"",
        "id=\"withdraw-form\"",
    ] {
        assert!(!html.contains(hidden), "{hidden}");
    }

    let (status, html) = nurse.get(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !html.contains("id=\"actions\""),
        "a nurse cannot act on a referral"
    );
    let csrf = nurse.csrf(&page).await;
    let (status, _, _) = nurse
        .post_form(&format!("/cases/{id}/accept"), &[("_csrf", csrf.as_str())])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = nurse
        .post_form(
            &format!("/cases/{id}/cancel"),
            &[("_csrf", csrf.as_str()), ("reason", "test")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(ward.status(&id).await, "referred");

    let csrf = ir.csrf(&page).await;
    let (status, _, location) = ir
        .post_form(&format!("/cases/{id}/accept"), &[("_csrf", csrf.as_str())])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location.as_deref(),
        Some(format!("/cases/{id}?done=accepted").as_str())
    );
    let (_, html) = ir.get(&format!("/cases/{id}?done=accepted")).await;
    assert!(html.contains("Dossier accepté."));
    assert!(!html.contains("id=\"accept\""));
    assert!(!html.contains("id=\"decline-form\""));
    assert!(html.contains("id=\"book-form\""));
    assert!(html.contains("<option value=\"dr.ir2\">Test dr.ir2</option>"));
    assert!(html.contains("<option value=\"dr.anes\">Test dr.anes</option>"));

    let (_, html) = scheduler.get(&page).await;
    assert!(
        html.contains("id=\"book-form\""),
        "schedulers book consultations"
    );
    assert!(html.contains("id=\"cancel-form\""), "and cancel cases");
    assert!(!html.contains("id=\"send-to-mdt\""), "but do not triage");

    let (_, html) = nurse.get(&page).await;
    assert!(
        html.contains("id=\"book-form\""),
        "nurses book consultations"
    );
    assert!(!html.contains("id=\"cancel-form\""));
}

#[tokio::test]
async fn a_refused_step_comes_back_on_the_case_page_with_the_reason_in_the_user_language() {
    let ward = Ward::new().await;
    let accepted = ward.refer("urgent").await;
    ward.act(&accepted, "accept", &json!({})).await;
    let referred = ward.refer("urgent").await;
    let browser = ward
        .app
        .browser("dr.refused", Role::InterventionalRadiologist)
        .await;
    let csrf = browser.csrf(&format!("/cases/{accepted}")).await;

    let (status, html, _) = browser
        .post_form(
            &format!("/cases/{accepted}/accept"),
            &[("_csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("id=\"refusal\""), "{html}");
    assert!(
        html.contains(
            "un dossier au statut « accepté, en attente de consultation » ne peut pas être accepté"
        ),
        "{html}"
    );
    assert!(
        html.contains("id=\"patient-banner\""),
        "the case page, not an error page"
    );

    let (status, html, _) = browser
        .post_form(
            &format!("/cases/{referred}/decline"),
            &[("_csrf", csrf.as_str()), ("reason", "   ")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("id=\"decline_reason-error\">est obligatoire<"),
        "{html}"
    );
    let (status, html, _) = browser
        .post_form(
            &format!("/cases/{referred}/cancel"),
            &[("_csrf", csrf.as_str()), ("reason", "")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"cancel_reason-error\""));
    assert_eq!(ward.status(&referred).await, "referred");
    assert_eq!(events(&ward.case(&referred).await), ["refer"]);

    let (status, html, _) = browser
        .post_form(
            &format!("/cases/{referred}/decline"),
            &[("_csrf", csrf.as_str()), ("reason", "Pas d'indication")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    assert_eq!(ward.status(&referred).await, "declined");

    // In English, for a user who chose English.
    let (status, _, _) = browser
        .post_form(
            "/language",
            &[
                ("_csrf", csrf.as_str()),
                ("language", "en"),
                ("next", "/worklists"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, html, _) = browser
        .post_form(
            &format!("/cases/{referred}/send-to-mdt"),
            &[("_csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        html.contains("a case that is declined cannot be sent to the MDT"),
        "{html}"
    );

    // A closed case takes no consent.
    let (status, html, _) = browser
        .post_form(
            &format!("/cases/{referred}/consent"),
            &[
                ("_csrf", csrf.as_str()),
                ("date", "2026-11-22"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        html.contains("the case is closed and can no longer change"),
        "{html}"
    );
}

#[tokio::test]
async fn a_consultation_is_booked_and_recorded_from_the_pages_then_shown_read_only() {
    let ward = Ward::new().await;
    let id = ward.refer("urgent").await;
    ward.act(&id, "accept", &json!({})).await;
    let page = format!("/cases/{id}");
    let browser = ward
        .app
        .browser("dr.cons", Role::InterventionalRadiologist)
        .await;
    let csrf = browser.csrf(&page).await;
    let book = |starts_at: &'static str, clinician: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("kind", "ir_pre".to_string()),
            ("clinician", clinician.to_string()),
            ("starts_at", starts_at.to_string()),
            ("duration_minutes", "30".to_string()),
        ]
    };
    let path = format!("/cases/{id}/consultations");
    let (status, _, location) = browser
        .post_form(&path, &book("2026-11-23T10:00", "dr.ir"))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location,
        Some(format!("/cases/{id}?done=consultation_booked"))
    );

    let (status, html, _) = browser
        .post_form(&path, &book("2026-11-23T10:15", "dr.ir"))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        html.contains("le praticien a déjà une consultation à cette heure"),
        "{html}"
    );
    assert!(
        html.contains("value=\"2026-11-23T10:15\""),
        "typed values are kept"
    );
    let (status, html, _) = browser.post_form(&path, &book("", "dr.anes")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"starts_at-error\""));

    let detail = ward.case(&id).await;
    assert_eq!(detail["consultations"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        detail["consultations"][0]["starts_at"],
        "2026-11-23T10:00:00Z"
    );
    let consultation = detail["consultations"][0]["id"]
        .as_str()
        .expect("consultation")
        .to_string();
    let form = format!("/consultations/{consultation}");

    let (status, html) = browser.get(&form).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"record-form\""));
    assert!(
        html.contains("Passage d’air autour du poumon"),
        "risks in French"
    );
    assert!(html.contains("second avis"));
    let (_, html) = browser.get(&format!("{form}?lang=en")).await;
    assert!(
        html.contains("Air leaking around the lung"),
        "risks in English"
    );
    assert!(html.contains("<option value=\"en\" selected>"));

    // The next day (signed in again: the session has expired meanwhile).
    ward.app.clock.advance(Duration::hours(26));
    browser.sign_in("dr.cons", PASSWORD).await;
    let csrf = browser.csrf(&page).await;
    let record = |risks: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("outcome", "done".to_string()),
            ("information_sheet_given", "1".to_string()),
            ("sheet_language", "fr".to_string()),
            ("risks_explained", risks.to_string()),
            (
                "alternatives_discussed",
                "Surveillance proposée".to_string(),
            ),
            ("consent", "given".to_string()),
            ("consent_date", "2026-11-23".to_string()),
            ("notes", "Patiente accompagnée de sa fille".to_string()),
        ]
    };
    let (status, html, _) = browser.post_form(&form, &record("")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"risks_explained-error\""), "{html}");
    assert!(
        html.contains("Patiente accompagnée de sa fille"),
        "typed values are kept"
    );
    assert_eq!(ward.status(&id).await, "accepted");

    let (status, _, location) = browser
        .post_form(&form, &record("Pneumothorax, hémoptysie"))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location,
        Some(format!("/cases/{id}?done=consultation_recorded"))
    );
    let (_, html) = browser.get(&page).await;
    assert!(html.contains("id=\"case-status\">vu en consultation<"));
    assert!(html.contains("Consentement donné"));
    assert!(html.contains("id=\"plan-form\""), "now it can be planned");

    let (_, html) = browser.get(&form).await;
    assert!(
        !html.contains("id=\"record-form\""),
        "read-only once recorded"
    );
    assert!(html.contains("Pneumothorax, hémoptysie"));
    assert!(html.contains("Consentement donné · 23/11/2026"));
    let (status, html, _) = browser.post_form(&form, &record("encore")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("cette consultation est déjà renseignée"));

    let nurse = ward.app.browser("nurse.cons", Role::Nurse).await;
    assert_eq!(nurse.get(&form).await.0, StatusCode::OK);
    let nurse_csrf = nurse.csrf(&form).await;
    let (status, _, _) = nurse
        .post_form(
            &form,
            &[("_csrf", nurse_csrf.as_str()), ("outcome", "done")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Consent withdrawn from the case page.
    let (_, html) = browser.get(&page).await;
    assert!(html.contains("id=\"withdraw-form\""));
    let consent = format!("/cases/{id}/consent");
    let (status, html, _) = browser
        .post_form(
            &consent,
            &[
                ("_csrf", csrf.as_str()),
                ("date", "2027-01-01"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("id=\"consent_date-error\">est dans le futur<"),
        "{html}"
    );
    let (status, _, location) = browser
        .post_form(
            &consent,
            &[
                ("_csrf", csrf.as_str()),
                ("date", "2026-11-23"),
                ("note", "Par téléphone"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = browser.get(&location.expect("to the case")).await;
    assert!(html.contains("Retrait du consentement enregistré."));
    assert!(html.contains("Consentement retiré"));
    assert!(html.contains("Par téléphone"));
    assert!(
        !html.contains("id=\"withdraw-form\""),
        "nothing left to withdraw"
    );
}

#[tokio::test]
async fn a_booked_consultation_is_cancelled_from_its_page() {
    let ward = Ward::new().await;
    let id = ward.refer("urgent").await;
    ward.act(&id, "accept", &json!({})).await;
    let consultation = ward.book(&id, "2026-11-23T10:00:00Z").await;
    let form = format!("/consultations/{consultation}");
    let nurse = ward.app.browser("nurse.cancel", Role::Nurse).await;
    let (_, html) = nurse.get(&form).await;
    assert!(html.contains("id=\"cancel-consultation\""));
    assert!(!html.contains("id=\"record-form\""), "nurses do not record");
    let csrf = nurse.csrf(&form).await;
    let (status, _, location) = nurse
        .post_form(&format!("{form}/cancel"), &[("_csrf", csrf.as_str())])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location,
        Some(format!("/cases/{id}?done=consultation_cancelled"))
    );
    let (status, html, _) = nurse
        .post_form(&format!("{form}/cancel"), &[("_csrf", csrf.as_str())])
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("id=\"refusal\""));
    assert_eq!(
        ward.case(&id).await["consultations"][0]["status"],
        "cancelled"
    );
}

#[tokio::test]
async fn the_clinic_lists_the_day_consultations_by_clinician_with_their_patients() {
    let ward = Ward::new().await;
    let first = ward.refer("urgent").await;
    ward.act(&first, "accept", &json!({})).await;
    let second = ward.refer("elective").await;
    ward.act(&second, "accept", &json!({})).await;
    let at_ten = ward.book(&first, "2026-11-23T10:00:00Z").await;
    let (status, _) = ward
        .ir
        .post(
            &format!("/api/v1/cases/{second}/consultations"),
            &json!({ "kind": "anesthesia", "clinician": "dr.anes", "starts_at": "2026-11-23T11:00:00Z" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    let browser = ward.app.browser("nurse.clinic", Role::Nurse).await;
    let (status, html) = browser.get("/clinic?date=2026-11-23").await;
    assert_eq!(status, StatusCode::OK);
    let anes = html
        .find("<h2>Test dr.anes</h2>")
        .expect("the anesthetist's clinic");
    let ir = html
        .find("<h2>Test dr.ir</h2>")
        .expect("the radiologist's clinic");
    assert!(anes < ir, "clinicians by name");
    assert!(html.contains("10:00–10:30"));
    assert!(
        html.contains("Consultation d&#39;anesthésie")
            || html.contains("Consultation d&#x27;anesthésie")
    );
    assert!(html.contains("Dupré-Lefèvre"));
    assert!(html.contains(&format!("href=\"/consultations/{at_ten}\"")));

    let (_, html) = browser.get("/clinic?date=2026-11-24").await;
    assert!(html.contains("id=\"clinic-empty\""));
    let (status, html) = browser.get("/clinic?date=2026-02-30").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"date-error\""));
}

#[tokio::test]
async fn the_patient_page_lists_the_cases_and_offers_a_referral_to_those_who_may_refer() {
    let ward = Ward::new().await;
    let id = ward.refer("urgent").await;
    ward.act(&id, "accept", &json!({})).await;
    let page = format!("/patients/{}", ward.patient);

    let ir = ward
        .app
        .browser("dr.patient", Role::InterventionalRadiologist)
        .await;
    let (status, html) = ir.get(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"patient-cases\""));
    assert!(html.contains(&format!("href=\"/cases/{id}\"")));
    assert!(html.contains("accepté, en attente de consultation"));
    assert!(html.contains(&format!(
        "href=\"/referrals/new?patient={}\" id=\"new-referral\"",
        ward.patient
    )));

    let nurse = ward.app.browser("nurse.patient", Role::Nurse).await;
    let (_, html) = nurse.get(&page).await;
    assert!(html.contains(&format!("href=\"/cases/{id}\"")));
    assert!(!html.contains("id=\"new-referral\""));
}

#[tokio::test]
async fn reading_cases_consultations_and_worklists_is_audited() {
    let ward = Ward::new().await;
    let id = ward.refer("urgent").await;
    ward.act(&id, "accept", &json!({})).await;
    let consultation = ward.book(&id, "2026-11-23T10:00:00Z").await;
    ward.nurse.get(&format!("/api/v1/cases/{id}")).await;
    ward.nurse
        .get(&format!("/api/v1/consultations/{consultation}"))
        .await;
    ward.nurse
        .get("/api/v1/worklists/awaiting_consultation")
        .await;
    let browser = ward.app.browser("nurse.audit", Role::Nurse).await;
    assert_eq!(browser.get(&format!("/cases/{id}")).await.0, StatusCode::OK);

    let admin = ward.app.api(&ward.app.token("auditor", Role::Admin).await);
    let (status, log) = admin.get(&format!("/api/v1/audit?object=case/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let entries: Vec<(String, String)> = log["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or_default().to_string(),
                e["username"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    for expected in [
        ("case.create", "dr.ref"),
        ("case.transition", "dr.ir"),
        ("consultation.book", "dr.ir"),
        ("case.read", "nurse"),
        ("case.read", "nurse.audit"),
    ] {
        assert!(
            entries.contains(&(expected.0.to_string(), expected.1.to_string())),
            "{expected:?} in {entries:?}"
        );
    }
    assert!(
        entries.contains(&("consultation.read".to_string(), "nurse".to_string())),
        "the consultation's read is recorded on its case: {entries:?}"
    );

    // Every one of these names the patient, the worklist's page included: one query
    // answers who saw her.
    let (_, log) = admin
        .get(&format!(
            "/api/v1/audit?patient={}&username=nurse",
            ward.patient
        ))
        .await;
    let actions: Vec<&str> = log["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for action in ["case.read", "consultation.read", "case.list"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    let listed = log["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|e| e["action"] == "case.list")
        .expect("the worklist's entry");
    assert_eq!(listed["patients"], json!([ward.patient]));
    assert_eq!(listed["via"], "GET /api/v1/worklists/{list}");
    assert!(
        listed["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with("worklist=accepted results=")),
        "{listed}"
    );
}

#[tokio::test]
async fn a_patient_timeline_lists_every_case_in_order_with_links() {
    let ward = Ward::new().await;
    let first = ward.refer("elective").await;
    let (status, body) = ward
        .ir
        .post(&format!("/api/v1/cases/{first}/accept"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    ward.app.clock.advance(Duration::hours(1));
    let second = ward.refer("urgent").await;

    let (status, timeline) = ward
        .nurse
        .get(&format!("/api/v1/patients/{}/timeline", ward.patient))
        .await;
    assert_eq!(status, StatusCode::OK, "{timeline}");
    let seen: Vec<(String, String)> = timeline["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["case_id"].as_str().unwrap_or_default().to_string(),
                i["code"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (first.clone(), "refer".to_string()),
            (first.clone(), "accept".to_string()),
            (second.clone(), "refer".to_string()),
        ]
    );
    assert_eq!(timeline["items"][0]["href"], format!("/cases/{first}"));
    let (status, _) = ward
        .nurse
        .get("/api/v1/patients/0192f3a4-1b2c-7d8e-9f00-112233445566/timeline")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let browser = ward.app.browser("nurse.page", Role::Nurse).await;
    let (status, page) = browser
        .get(&format!("/patients/{}/timeline", ward.patient))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Dupré-Lefèvre"), "{page}");
    assert_eq!(page.matches("class=\"timeline-case_event").count(), 3);
    assert!(page.contains(&format!("href=\"/cases/{second}\"")));
    let (_, patient_page) = browser.get(&format!("/patients/{}", ward.patient)).await;
    assert!(patient_page.contains(&format!("/patients/{}/timeline", ward.patient)));
}

#[tokio::test]
async fn a_whole_number_written_as_a_float_is_read_as_the_integer() {
    // JSON has one kind of number, and JSON Schema calls 22.0 an integer: a client that
    // writes it (JavaScript may) is understood; a fraction is still refused.
    let ward = Ward::new().await;
    let mut body = referral(&ward.patient, "elective");
    body["lesion_size_mm"] = json!(22.0);
    let (status, case) = ward.referrer.post("/api/v1/cases", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    assert_eq!(case["lesion_size_mm"], 22);
    body["lesion_size_mm"] = json!(22.5);
    let (status, problem) = ward.referrer.post("/api/v1/cases", &body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "lesion_size_mm");
}

#[tokio::test]
async fn a_list_offset_beyond_any_department_is_refused_by_name() {
    // u64::MAX - 1 once overflowed the paging arithmetic (schemathesis): the connection
    // dropped without an answer.
    let ward = Ward::new().await;
    for path in [
        "/api/v1/worklists/to_triage",
        "/api/v1/follow-ups",
        "/api/v1/specimens/pending",
    ] {
        let (status, problem) = ward
            .nurse
            .get(&format!("{path}?limit=1&offset=18446744073709551614"))
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {problem}"
        );
        assert_field_error(&problem, "offset");
        let (status, page) = ward
            .nurse
            .get(&format!("{path}?limit=1&offset=1000000000"))
            .await;
        assert_eq!(status, StatusCode::OK, "{path}: {page}");
        assert_eq!(page["items"], json!([]), "{path}");
    }
    let admin = ward.app.api(&ward.app.token("auditor", Role::Admin).await);
    for limit in ["0", "1001"] {
        let (status, problem) = admin.get(&format!("/api/v1/audit?limit={limit}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_field_error(&problem, "limit");
    }
}
