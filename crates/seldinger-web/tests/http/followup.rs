//! Adverse events, follow-up contacts, closing and reopening through HTTP.
//!
//! Each test starts from a liver biopsy reported and signed through the API (as in
//! `reports.rs`): performed on 22 November 2026, its day-7 contact due from 29 November,
//! its day-30 contact due from 22 December and overdue after 29 December. The manual
//! clock is moved to those days.

use reqwest::StatusCode;
use seldinger_domain::Role;
use serde_json::{Value, json};
use time::macros::datetime;

use crate::mdt::{assert_contains, text};
use crate::reports::signed_case;
use crate::support::*;

/// A pneumothorax treated with a drain, CIRSE grade 3, serious (hospitalisation
/// prolonged), the afternoon of the procedure.
fn pneumothorax() -> Value {
    json!({
        "term": "pneumothorax_drain",
        "onset": "2026-11-22T16:10",
        "cirse_grade": "3",
        "ctcae_grade": "3",
        "serious": true,
        "serious_criteria": ["hospitalisation"],
        "related_to_procedure": "definite",
        "action": "drainage",
        "action_note": "Drain pleural 8 Fr posé sous scanner.",
        "outcome": "resolving"
    })
}

#[tokio::test]
async fn an_adverse_event_without_a_grade_or_before_the_procedure_is_refused() {
    let app = TestApp::spawn().await;
    let ir = app.api(&app.token("dr.ir", Role::InterventionalRadiologist).await);
    let case = signed_case(&app, &ir).await;
    let path = format!("/api/v1/cases/{case}/adverse-events");

    let mut ungraded = pneumothorax();
    ungraded["cirse_grade"] = json!("");
    let (status, problem) = ir.post(&path, &ungraded).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_field_error(&problem, "cirse_grade");

    let mut too_early = pneumothorax();
    too_early["onset"] = json!("2026-11-22T08:30");
    let (status, problem) = ir.post(&path, &too_early).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_field_error(&problem, "onset");
    let detail = problem.to_string();
    assert!(
        detail.contains("2026-11-22 15:05"),
        "names the procedure's start: {detail}"
    );

    // Both at once: each field is named.
    let mut both = too_early.clone();
    both["cirse_grade"] = json!("");
    let (status, problem) = ir.post(&path, &both).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_field_error(&problem, "cirse_grade");
    assert_field_error(&problem, "onset");

    let mut unknown = pneumothorax();
    unknown["cirse_grade"] = json!("9");
    let (status, problem) = ir.post(&path, &unknown).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_field_error(&problem, "cirse_grade");

    let (_, listed) = ir.get(&path).await;
    assert_eq!(listed["items"], json!([]), "nothing was saved");

    // The page says the same beside the field, and keeps what was typed.
    let browser = app
        .browser("dr.page", Role::InterventionalRadiologist)
        .await;
    let page = format!("/cases/{case}/events");
    let csrf = browser.csrf(&page).await;
    let (status, html, _) = browser
        .post_form(
            &page,
            &[
                ("_csrf", csrf.as_str()),
                ("term", "bleeding"),
                ("onset", "2026-11-22T16:00"),
                ("cirse_grade", ""),
                ("related_to_procedure", "probable"),
                ("action", "observation"),
                ("outcome", "resolved"),
                ("description", "Hématome pariétal de 3 cm."),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"cirse_grade-error\""), "{}", text(&html));
    assert_contains(&html, "Hématome pariétal de 3 cm.");
    let (_, listed) = ir.get(&path).await;
    assert_eq!(listed["items"], json!([]));
}

#[tokio::test]
async fn a_serious_event_stays_on_the_due_list_until_it_is_reported() {
    let app = TestApp::spawn().await;
    let ir = app.api(&app.token("dr.ir", Role::InterventionalRadiologist).await);
    let case = signed_case(&app, &ir).await;
    let (status, event) = ir
        .post(
            &format!("/api/v1/cases/{case}/adverse-events"),
            &pneumothorax(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{event}");
    assert_eq!(event["phase"], "within_24h");
    assert_eq!(event["cirse_grade"], "3");
    assert_eq!(
        event["report_due_at"], "2026-11-23T17:00:00Z",
        "24 hours from now"
    );
    let id = event["id"].as_str().expect("id").to_string();

    let (_, due) = ir.get("/api/v1/adverse-events/reports-due").await;
    let items = due["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{due}");
    assert_eq!(items[0]["case"]["patient"]["family_name"], "Dupré-Lefèvre");
    assert_eq!(items[0]["report_overdue"], false);
    let browser = app
        .browser("dr.page", Role::InterventionalRadiologist)
        .await;
    let (_, html) = browser.get("/worklists/serious-events").await;
    assert_contains(&html, "Pneumothorax drainé");
    assert_contains(&html, "Dupré-Lefèvre");

    // A day and a half later it is overdue; a radiographer may not mark it reported.
    app.clock.advance(time::Duration::hours(36));
    let (_, due) = ir.get("/api/v1/adverse-events/reports-due").await;
    assert_eq!(due["items"][0]["report_overdue"], true);
    let radiographer = app.api(&app.token("manip", Role::Radiographer).await);
    let (status, _) = radiographer
        .post(&format!("/api/v1/adverse-events/{id}/reported"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, reported) = ir
        .post(&format!("/api/v1/adverse-events/{id}/reported"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{reported}");
    assert_eq!(reported["reported_at"], "2026-11-24T05:00:00Z");
    let (_, due) = ir.get("/api/v1/adverse-events/reports-due").await;
    assert_eq!(due["items"], json!([]));
    // (Sessions end after 30 idle minutes: a day and a half later, sign in again.)
    let browser = app
        .browser("dr.later", Role::InterventionalRadiologist)
        .await;
    let (_, html) = browser.get("/worklists/serious-events").await;
    assert!(html.contains("id=\"empty\""), "{}", text(&html));

    // A revision keeps the event's clock; a stale version is refused.
    let mut resolved = pneumothorax();
    resolved["outcome"] = json!("resolved");
    resolved["resolution_date"] = json!("2026-11-24");
    // A revision is the whole event: what it leaves out is refused, not cleared.
    let (status, problem) = ir
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/adverse-events/{id}"),
            &json!({ "version": 1, "event": resolved }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_field_error(&problem, "event.description");
    for field in ["description", "sir_grade", "related_to_device"] {
        resolved[field] = json!("");
    }
    let (status, revised) = ir
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/adverse-events/{id}"),
            &json!({ "version": 1, "event": resolved }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{revised}");
    assert_eq!(revised["outcome"], "resolved");
    assert_eq!(revised["report_due_at"], event["report_due_at"]);
    let (status, _) = ir
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/adverse-events/{id}"),
            &json!({ "version": 1, "event": resolved }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

/// The follow-up item `code` of a case, from the API.
async fn item(api: &Api, case: &str, code: &str) -> Value {
    let (status, items) = api.get(&format!("/api/v1/cases/{case}/follow-ups")).await;
    assert_eq!(status, StatusCode::OK, "{items}");
    items["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["code"] == code)
        .cloned()
        .unwrap_or_else(|| panic!("no {code} in {items}"))
}

#[tokio::test]
async fn a_follow_up_contact_is_due_on_its_day_recorded_once_and_overdue_after_its_window() {
    let app = TestApp::spawn().await;
    let ir = app.api(&app.token("dr.ir", Role::InterventionalRadiologist).await);
    let case = signed_case(&app, &ir).await.to_string();
    let nurse = app.api(&app.token("ide", Role::Nurse).await);
    let d7 = item(&nurse, &case, "d7").await;
    assert_eq!(d7["due_on"], "2026-11-29");
    let d7_id = d7["id"].as_str().expect("id").to_string();

    let (_, due) = nurse.get("/api/v1/follow-ups?list=due").await;
    assert_eq!(
        due["total"], 0,
        "nothing is due the day of the procedure: {due}"
    );
    app.clock.set(datetime!(2026-11-29 09:00 UTC));
    let (status, due) = nurse.get("/api/v1/follow-ups?list=due").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(due["total"], 1, "{due}");
    assert_eq!(due["items"][0]["id"], d7_id.as_str());
    assert_eq!(
        due["items"][0]["case"]["patient"]["family_name"],
        "Dupré-Lefèvre"
    );
    let (status, problem) = nurse.get("/api/v1/follow-ups?list=late").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_field_error(&problem, "list");

    let contact = json!({ "status": "done", "findings": "Pas de douleur, pas de dyspnée." });
    let (status, problem) = nurse
        .post(
            &format!("/api/v1/follow-ups/{d7_id}"),
            &json!({ "status": "done" }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a done contact says what was found"
    );
    assert_field_error(&problem, "findings");
    let (status, recorded) = nurse
        .post(&format!("/api/v1/follow-ups/{d7_id}"), &contact)
        .await;
    assert_eq!(status, StatusCode::OK, "{recorded}");
    assert_eq!(recorded["status"], "done");
    assert_eq!(recorded["contact_date"], "2026-11-29");
    assert_eq!(recorded["recorded_by"], "ide");
    let (status, problem) = nurse
        .post(&format!("/api/v1/follow-ups/{d7_id}"), &contact)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["code"], "follow_up_already_recorded");
    let (_, due) = nurse.get("/api/v1/follow-ups?list=due").await;
    assert_eq!(due["total"], 0);

    // An adverse event found at that contact is recorded with it.
    let mut hematoma = pneumothorax();
    hematoma["term"] = json!("bleeding");
    hematoma["serious"] = json!(false);
    hematoma["serious_criteria"] = json!([]);
    hematoma["cirse_grade"] = json!("1");
    hematoma["onset"] = json!("2026-11-28T20:00");
    let (status, event) = nurse
        .post(
            &format!("/api/v1/cases/{case}/adverse-events?follow_up={d7_id}"),
            &hematoma,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{event}");
    assert_eq!(event["follow_up_id"], d7_id.as_str());
    assert_eq!(event["phase"], "within_7d");
    assert_eq!(event["report_due_at"], Value::Null, "not serious: no clock");

    // The page refuses the second time too, with the reason.
    let browser = app.browser("ide.page", Role::Nurse).await;
    let page = format!("/follow-ups/{d7_id}");
    let (_, html) = browser.get(&page).await;
    assert!(html.contains("id=\"recorded\""), "{}", text(&html));
    let csrf = browser.csrf("/worklists/follow-up").await;
    let (status, html, _) = browser
        .post_form(
            &page,
            &[
                ("_csrf", csrf.as_str()),
                ("status", "unreachable"),
                ("date", "2026-11-29"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("id=\"refusal\""), "{}", text(&html));
    let again = item(&nurse, &case, "d7").await;
    assert_eq!(again["status"], "done", "unchanged");

    // Past its window (day 37), the day-30 call is overdue, on the page too.
    app.clock.set(datetime!(2026-12-29 09:00 UTC));
    let (_, overdue) = nurse.get("/api/v1/follow-ups?list=overdue").await;
    assert_eq!(overdue["total"], 0, "the window's last day is not yet late");
    app.clock.set(datetime!(2026-12-30 09:00 UTC));
    let (_, overdue) = nurse.get("/api/v1/follow-ups?list=overdue").await;
    let codes: Vec<&str> = overdue["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["code"].as_str())
        .collect();
    assert_eq!(codes, ["d30"], "{overdue}");
    let browser = app.browser("ide.later", Role::Nurse).await;
    let (_, html) = browser.get("/worklists/follow-up?list=overdue").await;
    assert_contains(&html, "Appel à J30");
    assert_contains(&html, "1 j");
}

#[tokio::test]
async fn a_case_closes_once_its_follow_up_is_complete_and_reopens_with_a_reason() {
    let app = TestApp::spawn().await;
    let ir = app.api(&app.token("dr.ir", Role::InterventionalRadiologist).await);
    let case = signed_case(&app, &ir).await.to_string();
    let (status, problem) = ir
        .post(&format!("/api/v1/cases/{case}/close"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["code"], "follow_up_incomplete");
    let browser = app
        .browser("dr.page", Role::InterventionalRadiologist)
        .await;
    let page = format!("/cases/{case}/follow-up");
    let csrf = browser.csrf(&page).await;
    let (status, html, _) = browser
        .post_form(&format!("/cases/{case}/close"), &[("_csrf", csrf.as_str())])
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("id=\"refusal\""), "{}", text(&html));

    app.clock.set(datetime!(2027-01-10 09:00 UTC));
    let (_, items) = ir.get(&format!("/api/v1/cases/{case}/follow-ups")).await;
    for i in items["items"].as_array().expect("items") {
        let (status, recorded) = ir
            .post(
                &format!("/api/v1/follow-ups/{}", i["id"].as_str().expect("id")),
                &json!({ "status": "missed" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{recorded}");
    }
    let (status, closed) = ir
        .post(&format!("/api/v1/cases/{case}/close"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert_eq!(closed["status"], "closed");
    let browser = app
        .browser("dr.later", Role::InterventionalRadiologist)
        .await;
    let csrf = browser.csrf(&page).await;

    let (status, problem) = ir
        .post(
            &format!("/api/v1/cases/{case}/reopen"),
            &json!({ "reason": " " }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_field_error(&problem, "reason");
    let (status, html, _) = browser
        .post_form(
            &format!("/cases/{case}/reopen"),
            &[("_csrf", csrf.as_str()), ("reason", "")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"reason-error\""), "{}", text(&html));
    let (_, case_now) = ir.get(&format!("/api/v1/cases/{case}")).await;
    assert_eq!(case_now["case"]["status"], "closed", "unchanged");

    let (status, _, location) = browser
        .post_form(
            &format!("/cases/{case}/reopen"),
            &[
                ("_csrf", csrf.as_str()),
                ("reason", "Récidive locale à l'imagerie de contrôle."),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = browser.get(&location.expect("location")).await;
    assert_contains(&html, "Dossier rouvert.");
    let (_, case_now) = ir.get(&format!("/api/v1/cases/{case}")).await;
    assert_eq!(case_now["case"]["status"], "follow_up");
}

#[tokio::test]
async fn the_adverse_event_terms_are_edited_by_an_administrator() {
    let app = TestApp::spawn().await;
    let browser = app.browser("admin", Role::Admin).await;
    let csrf = browser.csrf("/admin/ae-terms").await;
    let (status, html, _) = browser
        .post_form(
            "/admin/ae-terms",
            &[
                ("_csrf", csrf.as_str()),
                ("code", "Air embolism!"),
                ("name_fr", ""),
                ("name_en", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"code-error\""), "{}", text(&html));
    let (status, _, _) = browser
        .post_form(
            "/admin/ae-terms",
            &[
                ("_csrf", csrf.as_str()),
                ("code", "air_embolism"),
                ("name_fr", "Embolie gazeuse"),
                ("name_en", "Air embolism"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let reader = app.api(&app.token("dr.ir", Role::InterventionalRadiologist).await);
    let (_, terms) = reader.get("/api/v1/ae-terms").await;
    assert!(
        terms["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|t| t["code"] == "air_embolism" && t["name_fr"] == "Embolie gazeuse"),
        "{terms}"
    );
    let (_, systems) = reader.get("/api/v1/grade-systems").await;
    assert_eq!(systems["items"][0]["system"], "cirse");
    let nurse = app.browser("ide", Role::Nurse).await;
    let (status, _) = nurse.get("/admin/ae-terms").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
