//! Procedure reports, addenda, specimens and pathology through HTTP.
//!
//! The case is brought to "ready" through the store (as in `mdt.rs`); the report, its
//! signature, the addenda and the pathology go through the API or the pages.

use reqwest::StatusCode;
use seldinger_domain::Role;
use seldinger_domain::report::ReportInput;
use seldinger_store::{Conflict, StoreError};
use serde_json::{Value, json};
use time::macros::datetime;

use crate::mdt::{assert_contains, now, ready_case, system, text};
use crate::support::*;

/// A case ready for a liver biopsy booked at 14:00 UTC, the clock moved to 17:00 UTC,
/// once the procedure is over.
pub(crate) async fn after_the_procedure(app: &TestApp) -> seldinger_domain::CaseId {
    let case = ready_case(app, datetime!(2026-11-22 14:00 UTC)).await;
    app.clock.advance(time::Duration::hours(8));
    case
}

/// A liver biopsy report complete for signature, with two specimens: every field of the
/// form present (a `PUT` body is complete), those a biopsy does not use empty.
pub(crate) fn complete_report() -> Value {
    let mut report = serde_json::to_value(ReportInput::default()).expect("a report input");
    let filled = json!({
        "started_at": "2026-11-22T15:05",
        "ended_at": "2026-11-22T15:40",
        "operators": ["operator"],
        "assistants": "IDE Marie Caron",
        "guidance": ["ultrasound"],
        "anesthesia": "local",
        "access_route": "Intercostal droite",
        "devices": "Aiguille coaxiale 17G, pistolet automatique 18G",
        "biopsy_needle_gauge": 18,
        "biopsy_cores": "3",
        "technical_success": "success",
        "findings": "Nodule du segment VII ciblé sous échographie.",
        "conclusion": "Biopsie hépatique sans complication immédiate.",
        "specimens": ["Foie S7 — carotte 1", "Foie S7 — carottes 2-3"]
    });
    for (field, value) in filled.as_object().expect("an object") {
        report[field] = value.clone();
    }
    report
}

#[tokio::test]
async fn a_report_is_drafted_then_signed_and_a_signed_report_refuses_every_edit() {
    let app = TestApp::spawn().await;
    let case = after_the_procedure(&app).await;
    let ir = app.api(&app.token("dr.ir", Role::InterventionalRadiologist).await);
    let path = format!("/api/v1/cases/{case}/report");

    let (status, _) = ir.get(&path).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no report before a draft");
    let (status, template) = ir.get(&format!("{path}/template")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(template["family"], "biopsy");
    assert_eq!(template["report"]["operators"], json!(["operator"]));
    assert_eq!(template["report"]["guidance"], json!(["ultrasound"]));

    // A draft needs nothing but the form sent whole, empty fields included; it says what
    // signature will need.
    let mut empty = serde_json::to_value(ReportInput::default()).expect("a report input");
    empty["operators"] = json!(["operator"]);
    empty["guidance"] = json!(["ultrasound"]);
    let draft = json!({ "version": 0, "report": empty });
    let (status, saved) = ir.send(reqwest::Method::PUT, &path, &draft).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["state"], "draft");
    assert_eq!(saved["version"], 1);
    let missing = saved["missing_for_signature"].as_array().expect("missing");
    for field in [
        "started_at",
        "biopsy_needle_gauge",
        "technical_success",
        "conclusion",
    ] {
        assert!(
            missing.contains(&json!(field)),
            "{field} not in {missing:?}"
        );
    }
    let (_, case_now) = ir.get(&format!("/api/v1/cases/{case}")).await;
    assert_eq!(case_now["case"]["status"], "performed");

    // Signing an incomplete report names what is missing and changes nothing.
    let (status, problem) = ir
        .post(&format!("{path}/sign"), &json!({ "version": 1 }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_field_error(&problem, "conclusion");
    assert_field_error(&problem, "biopsy_cores");
    // A malformed value is refused beside its field.
    let mut bad = complete_report();
    bad["dap_gycm2"] = json!("beaucoup");
    let (status, problem) = ir
        .send(
            reqwest::Method::PUT,
            &path,
            &json!({ "version": 1, "report": bad }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_field_error(&problem, "dap_gycm2");

    let (status, saved) = ir
        .send(
            reqwest::Method::PUT,
            &path,
            &json!({ "version": 1, "report": complete_report() }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["missing_for_signature"], json!([]));
    let (status, stale) = ir
        .post(&format!("{path}/sign"), &json!({ "version": 1 }))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "a stale version: {stale}");
    let (status, signed) = ir
        .post(&format!("{path}/sign"), &json!({ "version": 2 }))
        .await;
    assert_eq!(status, StatusCode::OK, "{signed}");
    assert_eq!(signed["state"], "signed");
    assert_eq!(signed["signed_by"], "dr.ir");
    assert_eq!(signed["report"]["biopsy_cores"], "3");

    // Signature moved the case on, created the specimens and planned the follow-up.
    let (_, case_now) = ir.get(&format!("/api/v1/cases/{case}")).await;
    assert_eq!(case_now["case"]["status"], "follow_up");
    let (status, specimens) = ir.get(&format!("/api/v1/cases/{case}/specimens")).await;
    assert_eq!(status, StatusCode::OK);
    let labels: Vec<&str> = specimens["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|s| s["label"].as_str())
        .collect();
    assert_eq!(labels, ["Foie S7 — carotte 1", "Foie S7 — carottes 2-3"]);
    let planned = app
        .store
        .follow_ups(&system(), case, now(&app))
        .await
        .expect("follow-up");
    assert!(
        planned.iter().any(|f| f.code == "d7") && planned.iter().any(|f| f.code == "d30"),
        "{planned:?}"
    );

    // Once signed: the API, any version, refuses; nothing changes.
    let mut changed = complete_report();
    changed["conclusion"] = json!("Conclusion réécrite après signature.");
    for version in [2, 3] {
        let (status, problem) = ir
            .send(
                reqwest::Method::PUT,
                &path,
                &json!({ "version": version, "report": changed }),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{problem}");
        assert_eq!(problem["code"], "report_signed");
    }
    let (status, problem) = ir
        .post(&format!("{path}/sign"), &json!({ "version": 3 }))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["code"], "report_signed");
    // …and so does the store itself, called directly.
    let input: ReportInput = serde_json::from_value(changed).expect("input");
    let refused = app
        .store
        .save_report(&system(), case, 3, &input, now(&app))
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(Conflict::Rule(_)))),
        "{refused:?}"
    );
    let (_, stored) = ir.get(&path).await;
    assert_eq!(
        stored["version"], signed["version"],
        "nothing saved after signature"
    );
    assert_eq!(stored["signed_at"], signed["signed_at"]);
    assert_eq!(
        stored["report"]["conclusion"],
        "Biopsie hépatique sans complication immédiate."
    );

    // Corrections are signed addenda.
    let (status, problem) = ir
        .post(&format!("{path}/addenda"), &json!({ "text": "  " }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_field_error(&problem, "text");
    let (status, with) = ir
        .post(
            &format!("{path}/addenda"),
            &json!({ "text": "Troisième carotte fragmentée." }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{with}");
    assert_eq!(with["addenda"][0]["text"], "Troisième carotte fragmentée.");
    assert_eq!(with["addenda"][0]["signed_by"], "dr.ir");
    assert_eq!(with["report"]["conclusion"], stored["report"]["conclusion"]);
}

#[tokio::test]
async fn only_a_radiologist_signs_and_an_addendum_needs_a_signed_report() {
    let app = TestApp::spawn().await;
    let case = after_the_procedure(&app).await;
    let radiographer = app.api(&app.token("manip", Role::Radiographer).await);
    let ir = app.api(&app.token("dr.ir", Role::InterventionalRadiologist).await);
    let path = format!("/api/v1/cases/{case}/report");
    let (status, saved) = radiographer
        .send(
            reqwest::Method::PUT,
            &path,
            &json!({ "version": 0, "report": complete_report() }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a radiographer writes the draft: {saved}"
    );
    let (status, _) = radiographer
        .post(&format!("{path}/sign"), &json!({ "version": 1 }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, problem) = ir
        .post(&format!("{path}/addenda"), &json!({ "text": "Précision." }))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["code"], "report_not_signed");
}

/// A signed liver biopsy report with two specimens.
pub(crate) async fn signed_case(app: &TestApp, ir: &Api) -> seldinger_domain::CaseId {
    let case = after_the_procedure(app).await;
    let path = format!("/api/v1/cases/{case}/report");
    let (status, _) = ir
        .send(
            reqwest::Method::PUT,
            &path,
            &json!({ "version": 0, "report": complete_report() }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = ir
        .post(&format!("{path}/sign"), &json!({ "version": 1 }))
        .await;
    assert_eq!(status, StatusCode::OK);
    case
}

#[tokio::test]
async fn a_pathology_result_is_recorded_once_and_an_unknown_specimen_is_not_found() {
    let app = TestApp::spawn().await;
    let ir = app.api(&app.token("dr.ir", Role::InterventionalRadiologist).await);
    let case = signed_case(&app, &ir).await;
    let pathologist = app.api(&app.token("dr.anapath", Role::Pathologist).await);

    let (status, pending) = pathologist.get("/api/v1/specimens/pending").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(pending["total"], 2);
    assert_eq!(
        pending["items"][0]["patient"]["family_name"],
        "Dupré-Lefèvre"
    );
    let first = pending["items"][0]["id"].as_str().expect("id").to_string();

    let unknown = "0192f3a4-1b2c-7d8e-9f00-112233445566";
    let result = json!({
        "adequacy": "adequate",
        "category": "malignant",
        "histology": "Adénocarcinome moyennement différencié, CK7+ TTF1-.",
        "result_date": "2026-11-22"
    });
    let (status, problem) = pathologist
        .post(&format!("/api/v1/specimens/{unknown}/result"), &result)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");

    let mut bad = result.clone();
    bad["histology"] = json!("");
    bad["result_date"] = json!("2026-11-30");
    let (status, problem) = pathologist
        .post(&format!("/api/v1/specimens/{first}/result"), &bad)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_field_error(&problem, "histology");
    assert_field_error(&problem, "result_date");

    let (status, recorded) = ir
        .post(&format!("/api/v1/specimens/{first}/result"), &result)
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "results are the pathologist's: {recorded}"
    );

    app.clock.advance(time::Duration::days(3));
    let mut later = result.clone();
    later["result_date"] = json!("2026-11-25");
    let (status, recorded) = pathologist
        .post(&format!("/api/v1/specimens/{first}/result"), &later)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{recorded}");
    assert_eq!(recorded["result"]["category"], "malignant");
    assert_eq!(recorded["result"]["turnaround_days"], 3);
    let (status, problem) = pathologist
        .post(&format!("/api/v1/specimens/{first}/result"), &later)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["code"], "pathology_already_recorded");
    let (_, pending) = pathologist.get("/api/v1/specimens/pending").await;
    assert_eq!(pending["total"], 1);
    let (_, specimens) = ir.get(&format!("/api/v1/cases/{case}/specimens")).await;
    assert_eq!(specimens["items"][0]["result"]["recorded_by"], "dr.anapath");
    assert!(specimens["items"][1]["result"].is_null());
}

fn report_form(csrf: &str, version: &str, conclusion: &str) -> Vec<(&'static str, String)> {
    vec![
        ("_csrf", csrf.to_string()),
        ("version", version.to_string()),
        ("started_at", "2026-11-22T15:05".into()),
        ("ended_at", "2026-11-22T15:40".into()),
        ("operators", "operator".into()),
        ("guidance", "ultrasound".into()),
        ("anesthesia", "local".into()),
        ("biopsy_needle_gauge", "18".into()),
        ("biopsy_cores", "3".into()),
        ("technical_success", "success".into()),
        ("conclusion", conclusion.to_string()),
        (
            "specimens",
            "Foie S7 — carotte 1\r\nFoie S7 — carotte 2\r\n".into(),
        ),
    ]
}

#[tokio::test]
async fn the_report_page_saves_signs_prints_and_refuses_an_edit_once_signed() {
    let app = TestApp::spawn().await;
    let case = after_the_procedure(&app).await;
    let browser = app.browser("dr.ir", Role::InterventionalRadiologist).await;
    let page = format!("/cases/{case}/report");
    let (status, html) = browser.get(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert_contains(&html, "Compte rendu opératoire");
    assert!(html.contains("id=\"report-form\""));
    assert!(
        html.contains("id=\"biopsy_needle_gauge\""),
        "biopsy fields shown"
    );
    assert!(
        !html.contains("id=\"ablation_power_w\""),
        "no ablation fields"
    );
    let csrf = browser.csrf(&page).await;

    // A malformed value comes back beside its field; nothing is saved.
    let mut bad = report_form(&csrf, "0", "Sans complication.");
    bad.push(("fluoroscopy_s", "deux minutes".into()));
    let (status, html, _) = browser.post_form(&page, &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("id=\"fluoroscopy_s-error\""),
        "{}",
        text(&html)
    );
    assert_contains(&html, "deux minutes");
    assert!(
        app.store
            .report(&system(), case, now(&app))
            .await
            .expect("read")
            .is_none()
    );

    let (status, _, location) = browser
        .post_form(&page, &report_form(&csrf, "0", "Sans complication."))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = browser.get(&location.expect("location")).await;
    assert_contains(&html, "Brouillon enregistré.");
    assert_contains(&html, "Complet : prêt à être signé.");

    let (status, _, _) = browser
        .post_form(
            &format!("{page}/sign"),
            &[("_csrf", csrf.as_str()), ("version", "1")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = browser.get(&page).await;
    assert_contains(&html, "Ce compte rendu est signé");
    assert!(!html.contains("id=\"report-form\""), "no form once signed");
    assert_contains(&html, "Foie S7 — carotte 2");

    // An edit posted anyway (an old tab) is refused and changes nothing.
    let (status, html, _) = browser
        .post_form(&page, &report_form(&csrf, "2", "Réécrit après signature."))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("id=\"refusal\""), "{}", text(&html));
    let stored = app
        .store
        .report(&system(), case, now(&app))
        .await
        .expect("read")
        .expect("report");
    assert_eq!(
        stored.report.conclusion.as_deref(),
        Some("Sans complication.")
    );

    let (status, _, location) = browser
        .post_form(
            &format!("{page}/addenda"),
            &[
                ("_csrf", csrf.as_str()),
                ("text", "Hématome pariétal vu à J1."),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = browser.get(&location.expect("location")).await;
    assert_contains(&html, "Addendum signé.");
    assert_contains(&html, "Hématome pariétal vu à J1.");

    let (status, fr) = browser.get(&format!("{page}/print?lang=fr")).await;
    assert_eq!(status, StatusCode::OK);
    assert_contains(&fr, "Compte rendu opératoire");
    assert_contains(&fr, "Calibre de l'aiguille (G)");
    assert_contains(&fr, "Hématome pariétal vu à J1.");
    let (_, en) = browser.get(&format!("{page}/print?lang=en")).await;
    assert_contains(&en, "Procedure report");
    assert_contains(&en, "Needle gauge (G)");
    let (status, _) = browser.get(&format!("{page}/print?lang=de")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_pathologists_worklist_leads_to_a_result_form_that_takes_one_result() {
    let app = TestApp::spawn().await;
    let ir = app.api(&app.token("dr.ir", Role::InterventionalRadiologist).await);
    signed_case(&app, &ir).await;
    let browser = app.browser("dr.anapath", Role::Pathologist).await;
    let (status, html) = browser.get("/worklists/pathology").await;
    assert_eq!(status, StatusCode::OK);
    assert_contains(&html, "Foie S7 — carotte 1");
    assert_contains(&html, "Dupré-Lefèvre");
    let marker = "href=\"/specimens/";
    let start = html.find(marker).expect("a specimen link") + marker.len() - "/specimens/".len();
    let path = html[start..].split('"').next().expect("path").to_string();
    let csrf = browser.csrf(&path).await;

    let (status, html, _) = browser
        .post_form(
            &path,
            &[
                ("_csrf", csrf.as_str()),
                ("adequacy", "inadequate"),
                ("category", "malignant"),
                ("histology", ""),
                ("result_date", "2026-11-22"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"category-error\""), "{}", text(&html));

    let result = [
        ("_csrf", csrf.as_str()),
        ("adequacy", "adequate"),
        ("category", "benign"),
        ("histology", "Hyperplasie nodulaire focale."),
        ("result_date", "2026-11-22"),
    ];
    let (status, _, location) = browser.post_form(&path, &result).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = browser.get(&location.expect("location")).await;
    assert_contains(&html, "Résultat enregistré.");
    assert_contains(&html, "Hyperplasie nodulaire focale.");
    let (status, html, _) = browser.post_form(&path, &result).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("id=\"refusal\""));
    let (status, _) = browser
        .get("/specimens/0192f3a4-1b2c-7d8e-9f00-112233445566")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, html) = browser.get("/worklists/pathology").await;
    assert!(
        !html.contains(&path),
        "the recorded specimen left the worklist"
    );
}
