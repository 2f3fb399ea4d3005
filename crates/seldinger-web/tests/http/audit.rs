//! The audit guarantee through the public surface: every route that shows a patient's
//! data leaves an entry naming that patient, found by `GET /api/v1/audit?patient=`; a
//! referring physician reads only their own patients, and an emergency access opens one
//! more, recorded and listed for the quality officer.

use std::collections::BTreeMap;

use reqwest::{Method, StatusCode};
use seldinger_domain::audit::AuditAction;
use seldinger_domain::report::ReportInput;
use seldinger_domain::{Access, PatientId, Permission, Role};
use seldinger_store::AuditFilter;
use serde_json::{Value, json};

use crate::mdt::{awaiting_case, now, store_meeting, system};
use crate::reports::{after_the_procedure, complete_report};
use crate::support::*;

/// A department where one patient has a case at every step that shows something: a
/// signed report with specimens, an adverse event and follow-up; another case on an MDT
/// agenda; a third with a consultation booked. A second patient waits for triage, so
/// that lists show more than one.
struct Walk {
    app: TestApp,
    /// The ids that fill each route's parameters, by the segment that precedes them.
    ids: BTreeMap<&'static str, String>,
    /// Each patient, and what in an answer shows her data: her MRN, her id, her cases' ids.
    patients: Vec<(PatientId, Vec<String>)>,
    ir: Api,
    ir_browser: Browser,
    quality: Api,
    quality_browser: Browser,
}

impl Walk {
    async fn new() -> Self {
        let app = TestApp::spawn().await;
        let signed = after_the_procedure(&app).await;
        let ir = app.api(&app.token("dr.walk", Role::InterventionalRadiologist).await);
        let report: ReportInput =
            serde_json::from_value(complete_report()).expect("a report input");
        app.store
            .save_report(&system(), signed, 0, &report, now(&app))
            .await
            .expect("draft");
        app.store
            .sign_report(&system(), signed, 1, now(&app))
            .await
            .expect("signed");
        let case = app
            .store
            .get_case(&system(), signed, now(&app))
            .await
            .expect("case");
        let patient = case.patient_id;
        let (status, event) = ir
            .post(
                &format!("/api/v1/cases/{signed}/adverse-events"),
                &json!({
                    "term": "bleeding", "onset": "2026-11-22T15:30", "cirse_grade": "1",
                    "related_to_procedure": "probable", "action": "none", "outcome": "resolved",
                    "resolution_date": "2026-11-22"
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{event}");
        let specimens = app
            .store
            .specimens(&system(), signed, now(&app))
            .await
            .expect("specimens");
        let follow_ups = app
            .store
            .follow_ups(&system(), signed, now(&app))
            .await
            .expect("follow-up");
        let booking = app
            .store
            .case_bookings(&system(), signed, now(&app))
            .await
            .expect("bookings")[0]
            .clone();

        let at_mdt = awaiting_case(&app, patient, "BIO-LIVER-US").await;
        let meeting = store_meeting(&app, "2026-11-26T14:00").await;
        app.store
            .add_to_agenda(&system(), meeting, at_mdt, now(&app))
            .await
            .expect("on the agenda");

        let (status, consulting) = ir
            .post("/api/v1/cases", &referral(&patient.to_string()))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{consulting}");
        let consulting = consulting["id"].as_str().expect("id").to_string();
        let (status, body) = ir
            .post(&format!("/api/v1/cases/{consulting}/accept"), &json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, consultation) = ir
            .post(
                &format!("/api/v1/cases/{consulting}/consultations"),
                &json!({ "kind": "ir_pre", "clinician": "dr.walk", "starts_at": "2026-11-23T10:00:00Z", "duration_minutes": 30 }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{consultation}");

        let (status, other) = ir
            .post(
                "/api/v1/patients",
                &json!({
                    "mrn": "IP-2026-0777", "family_name": "Garnier", "given_names": "Lucien",
                    "birth_date": "1948-07-01", "sex": "male", "allergies": [], "anticoagulants": []
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{other}");
        let other_id: PatientId = other["id"].as_str().expect("id").parse().expect("uuid");
        let (status, body) = ir
            .post("/api/v1/cases", &referral(&other_id.to_string()))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let other_case = body["id"].as_str().expect("id").to_string();

        let room = booking.room_id.to_string();
        let version = case.planned_version_id.to_string();
        let procedure = app
            .store
            .procedure_version(case.planned_version_id)
            .await
            .expect("version")
            .type_id
            .to_string();
        let equipment = app
            .store
            .equipment()
            .await
            .expect("equipment")
            .first()
            .map(|e| e.equipment.id.to_string())
            .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
        let bed = app.store.bed_units().await.expect("beds")[0]
            .unit
            .id
            .to_string();
        let ids = BTreeMap::from([
            ("patients", patient.to_string()),
            ("cases", signed.to_string()),
            (
                "consultations",
                consultation["id"].as_str().expect("id").to_string(),
            ),
            ("bookings", booking.id.to_string()),
            (
                "adverse-events",
                event["id"].as_str().expect("id").to_string(),
            ),
            ("events", event["id"].as_str().expect("id").to_string()),
            ("follow-ups", follow_ups[0].id.to_string()),
            ("specimens", specimens[0].id.to_string()),
            ("mdt", meeting.to_string()),
            ("rooms", room),
            ("equipment", equipment),
            ("bed-units", bed.clone()),
            ("beds", bed),
            ("catalog", procedure),
            ("versions", version),
            ("staff", "dr.walk".to_string()),
        ]);
        let quality = app.api(&app.token("q.walk", Role::QualityOfficer).await);
        let ir_browser = Browser::new(&app.url);
        ir_browser.sign_in("dr.walk", PASSWORD).await;
        let quality_browser = Browser::new(&app.url);
        quality_browser.sign_in("q.walk", PASSWORD).await;
        Self {
            ids,
            patients: vec![
                (
                    patient,
                    vec![
                        "IP-2026-0042".to_string(),
                        patient.to_string(),
                        signed.to_string(),
                        at_mdt.to_string(),
                        consulting.clone(),
                    ],
                ),
                (
                    other_id,
                    vec!["IP-2026-0777".to_string(), other_id.to_string(), other_case],
                ),
            ],
            app,
            ir,
            ir_browser,
            quality,
            quality_browser,
        }
    }

    /// The concrete paths of a route template, every parameter filled; a parameter the
    /// walk does not know fails the test, naming it.
    fn paths(&self, template: &str) -> Vec<String> {
        let segments: Vec<&str> = template.split('/').collect();
        let mut paths = vec![String::new()];
        for (i, segment) in segments.iter().enumerate() {
            if i == 0 {
                continue;
            }
            let values: Vec<String> = if segment.starts_with('{') {
                let before = segments[i - 1];
                match (*segment, before) {
                    ("{list}", _) => [
                        "to_triage",
                        "awaiting_consultation",
                        "consulted",
                        "awaiting_mdt",
                        "to_schedule",
                    ]
                    .map(String::from)
                    .to_vec(),
                    ("{kind}", _) => ["convocation", "preparation", "information"]
                        .map(String::from)
                        .to_vec(),
                    (_, before) => vec![
                        self.ids
                            .get(before)
                            .unwrap_or_else(|| {
                                panic!(
                                    "the audit walk cannot fill {segment} in {template}: \
                                     add the id of a `{before}` to Walk::new"
                                )
                            })
                            .clone(),
                    ],
                }
            } else {
                vec![(*segment).to_string()]
            };
            paths = paths
                .iter()
                .flat_map(|p| values.iter().map(move |v| format!("{p}/{v}")))
                .collect();
        }
        paths
    }

    /// The entries naming `patient` (reads of the log itself left out).
    async fn entries(&self, patient: PatientId) -> Vec<i64> {
        let filter = AuditFilter {
            patient: Some(patient),
            limit: 1000,
            ..Default::default()
        };
        self.app
            .store
            .list_audit(&system(), &filter, now(&self.app))
            .await
            .expect("audit")
            .into_iter()
            .filter(|e| e.action != AuditAction::AuditRead.code())
            .map(|e| e.id)
            .collect()
    }
}

fn referral(patient: &str) -> Value {
    json!({
        "patient_id": patient,
        "referring_physician": "Dr Anne Morel",
        "indication": "Nodule du lobe supérieur droit, 22 mm",
        "target_organ": "lung",
        "side": "right",
        "requested_procedure": "BIO-LUNG-CT",
        "urgency": "elective"
    })
}

/// Routes that show patients' ids but none of their data.
const IDS_ONLY: &[&str] = &[
    // The emergency access form: the patient's id in its form action, nothing else.
    "/patients/{id}/emergency-access",
    // The audit log itself: who did what to which record, by id (a search of it by
    // patient is recorded naming that patient).
    "/audit",
    "/api/v1/audit",
];

#[tokio::test]
async fn every_route_that_shows_a_patient_leaves_an_entry_naming_the_patient() {
    let walk = Walk::new().await;
    let mut shown = 0;
    let mut checked = Vec::new();
    for (method, template, access) in seldinger_web::route_table() {
        if method != axum::http::Method::GET || IDS_ONLY.contains(&template) {
            continue;
        }
        let (api, browser) = match access {
            Access::Public => continue,
            Access::Needs(Permission::AuditRead) => (&walk.quality, &walk.quality_browser),
            Access::Needs(p) if !Role::InterventionalRadiologist.can(p) => continue,
            _ => (&walk.ir, &walk.ir_browser),
        };
        for path in walk.paths(template) {
            let before: Vec<Vec<i64>> = entries_of_all(&walk).await;
            let body = if template.starts_with("/api/") {
                let response = api
                    .request(Method::GET, &path)
                    .send()
                    .await
                    .expect("request");
                response.text().await.unwrap_or_default()
            } else {
                browser.get(&path).await.1
            };
            let after: Vec<Vec<i64>> = entries_of_all(&walk).await;
            for (i, (patient, markers)) in walk.patients.iter().enumerate() {
                let Some(marker) = markers.iter().find(|m| body.contains(m.as_str())) else {
                    continue;
                };
                shown += 1;
                let new: Vec<&i64> = after[i].iter().filter(|e| !before[i].contains(e)).collect();
                assert!(
                    !new.is_empty(),
                    "GET {path} showed patient {patient} ({marker}) but left no audit entry naming her"
                );
                checked.push(format!("{template} → {marker}"));
            }
        }
    }
    // The walk must have met the patients on many routes, or it proves nothing.
    assert!(
        shown >= 50,
        "only {shown} routes showed a patient: {checked:#?}"
    );
}

/// The entries of each walk patient, in order.
async fn entries_of_all(walk: &Walk) -> Vec<Vec<i64>> {
    let mut out = Vec::new();
    for (patient, _) in &walk.patients {
        out.push(walk.entries(*patient).await);
    }
    out
}

#[tokio::test]
async fn who_saw_a_patient_is_one_query_listing_each_kind_of_read() {
    let walk = Walk::new().await;
    let case = &walk.ids["cases"];
    for path in [
        format!("/api/v1/cases/{case}/report"),
        format!("/api/v1/cases/{case}/specimens"),
        format!("/api/v1/cases/{case}/adverse-events"),
        format!("/api/v1/cases/{case}/follow-ups"),
        format!("/api/v1/cases/{case}/checklist"),
        format!("/api/v1/bookings/{}", walk.ids["bookings"]),
        format!("/api/v1/consultations/{}", walk.ids["consultations"]),
        "/api/v1/patients?q=dupre".to_string(),
        "/api/v1/worklists/to_triage".to_string(),
        "/api/v1/specimens/pending".to_string(),
    ] {
        let (status, body) = walk.ir.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
    }
    let patient = &walk.ids["patients"];
    let (status, log) = walk
        .quality
        .get(&format!(
            "/api/v1/audit?patient={patient}&username=dr.walk&limit=200"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let seen: Vec<(String, String)> = log["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or_default().to_string(),
                e["via"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    for (action, via) in [
        ("report.read", "GET /api/v1/cases/{id}/report"),
        ("specimen.list", "GET /api/v1/cases/{id}/specimens"),
        ("ae.list", "GET /api/v1/cases/{id}/adverse-events"),
        ("followup.read", "GET /api/v1/cases/{id}/follow-ups"),
        ("checklist.read", "GET /api/v1/cases/{id}/checklist"),
        ("booking.read", "GET /api/v1/bookings/{id}"),
        ("consultation.read", "GET /api/v1/consultations/{id}"),
        ("patient.search", "GET /api/v1/patients"),
        ("specimen.list", "GET /api/v1/specimens/pending"),
    ] {
        assert!(
            seen.contains(&(action.to_string(), via.to_string())),
            "{action} through {via} in {seen:?}"
        );
    }
    // The second patient's triage worklist named her too, not the first.
    let other = walk.patients[1].0;
    let (_, log) = walk
        .quality
        .get(&format!("/api/v1/audit?patient={other}&action=case.list"))
        .await;
    assert!(
        log["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|e| e["via"] == "GET /api/v1/worklists/{list}"),
        "{log}"
    );
    let (status, body) = walk.quality.get("/api/v1/audit?patient=IP-2026-0042").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_field_error(&body, "patient");
}

#[tokio::test]
async fn a_referring_physician_reads_their_patients_and_opens_another_only_in_an_emergency() {
    let app = TestApp::spawn().await;
    let ir = app.api(&app.token("dr.ir", Role::InterventionalRadiologist).await);
    let morel = app.api(&app.token("dr.morel", Role::ReferringPhysician).await);
    let (_, theirs) = morel.post("/api/v1/patients", &helene()).await;
    let (status, other) = ir
        .post(
            "/api/v1/patients",
            &json!({
                "mrn": "IP-2026-0777", "family_name": "Garnier", "given_names": "Lucien",
                "birth_date": "1948-07-01", "sex": "male", "allergies": [], "anticoagulants": []
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{other}");
    let other_id = other["id"].as_str().expect("id").to_string();

    // Searches list only their own; another physician's patient is refused, with a way in.
    let (_, found) = morel.get("/api/v1/patients?q=").await;
    let ids: Vec<&str> = found["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|p| p["id"].as_str())
        .collect();
    assert_eq!(ids, [theirs["id"].as_str().expect("id")]);
    let (status, body) = morel.get(&format!("/api/v1/patients/{other_id}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["code"], "patient_out_of_scope");
    let browser = Browser::new(&app.url);
    browser.sign_in("dr.morel", PASSWORD).await;
    let (status, html) = browser.get(&format!("/patients/{other_id}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains(&format!("/patients/{other_id}/emergency-access")));

    // An emergency access needs a reason; then the record opens, for four hours.
    let path = format!("/patients/{other_id}/emergency-access");
    let csrf = browser.csrf(&path).await;
    let (status, html, _) = browser
        .post_form(&path, &[("_csrf", csrf.as_str()), ("reason", "vite")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"reason-error\""), "{html}");
    let (status, _, location) = browser
        .post_form(
            &path,
            &[
                ("_csrf", csrf.as_str()),
                ("reason", "Patient aux urgences, médecin traitant absent"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location.as_deref(),
        Some(format!("/patients/{other_id}").as_str())
    );
    let (status, html) = browser.get(&format!("/patients/{other_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"emergency-access\""), "{html}");
    let (status, _) = morel.get(&format!("/api/v1/patients/{other_id}")).await;
    assert_eq!(status, StatusCode::OK);

    // Recorded as such, and on the quality officer's list.
    let quality = app.api(&app.token("q.officer", Role::QualityOfficer).await);
    let (_, log) = quality
        .get(&format!(
            "/api/v1/audit?patient={other_id}&username=dr.morel"
        ))
        .await;
    let actions: Vec<&str> = log["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(actions.contains(&"access.emergency"), "{actions:?}");
    assert!(actions.contains(&"access.denied"), "{actions:?}");
    assert!(actions.contains(&"patient.read"), "{actions:?}");
    let (status, list) = quality.get("/api/v1/emergency-accesses").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["items"][0]["username"], "dr.morel");
    assert_eq!(list["items"][0]["patient_id"], other_id.as_str());
    assert_eq!(
        list["items"][0]["reason"],
        "Patient aux urgences, médecin traitant absent"
    );
    let quality_browser = Browser::new(&app.url);
    app.user("q.page", Role::QualityOfficer).await;
    quality_browser.sign_in("q.page", PASSWORD).await;
    let (status, html) = quality_browser.get("/audit/emergency").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Patient aux urgences"), "{html}");

    // Four hours later the record closes again.
    app.clock.advance(time::Duration::hours(5));
    let (status, _) = morel.get(&format!("/api/v1/patients/{other_id}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Over the API too, a reason is required.
    let (status, body) = morel
        .post(
            &format!("/api/v1/patients/{other_id}/emergency-access"),
            &json!({ "reason": "" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_field_error(&body, "reason");
    // A reason is text: a control character is refused by name, and nothing is opened
    // (a NUL, which made PostgreSQL answer 500, is refused before: see `nul.rs`).
    let (status, body) = morel
        .post(
            &format!("/api/v1/patients/{other_id}/emergency-access"),
            &json!({ "reason": "Patient aux urgences \u{0007} absent" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_field_error(&body, "reason");
    let (status, _) = morel.get(&format!("/api/v1/patients/{other_id}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
