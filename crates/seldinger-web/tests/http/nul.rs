//! A NUL character belongs to no identifier, name or text the application takes, and
//! PostgreSQL cannot even compare one: wherever a request carries one — its address, a
//! query parameter, a JSON string, a form field — it is a 400 naming where, and nothing
//! reaches the database (before, PostgreSQL answered an error and the client a 500).

use reqwest::StatusCode;
use seldinger_domain::Role;
use serde_json::{Value, json};

use crate::support::*;

#[tokio::test]
async fn a_nul_anywhere_in_a_request_is_a_400_naming_where() {
    let app = TestApp::spawn().await;
    let nurse = app.api(&app.token("ide", Role::Nurse).await);

    // A query parameter, named.
    let (status, problem) = nurse.get("/api/v1/consultations?clinician=a%00b").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_field_error(&problem, "clinician");
    // The path: no field to name.
    let (status, problem) = nurse.get("/api/v1/staff/a%00b/weekly").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert!(problem["errors"].is_null(), "{problem}");

    // A JSON string, named by its path; nothing is registered.
    let mut body = helene();
    body["anticoagulants"][0]["note"] = json!("5 mg\u{0}");
    let (status, problem) = nurse.post("/api/v1/patients", &body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_field_error(&problem, "anticoagulants.0.note");
    let (_, found) = nurse.get("/api/v1/patients?q=IP-2026-0001").await;
    assert_eq!(found["items"], json!([]), "{found}");
    // The text `\u0000` (an escaped backslash, then `u0000`) is no NUL.
    body["anticoagulants"][0]["note"] = json!("5 mg, code \\u0000");
    let (status, created) = nurse.post("/api/v1/patients", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["anticoagulants"][0]["note"], "5 mg, code \\u0000");

    // A form field: the page says the request could not be read.
    let browser = app.browser("ide.page", Role::Nurse).await;
    let csrf = browser.csrf("/patients/new").await;
    let (status, html, _) = browser
        .post_form(
            "/patients",
            &[
                ("_csrf", csrf.as_str()),
                ("mrn", "IP-2026-0002"),
                ("family_name", "Ro\0ux"),
                ("given_names", "Anne"),
                ("birth_date", "1950-05-05"),
                ("sex", "female"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    let (_, found): (StatusCode, Value) = nurse.get("/api/v1/patients?q=IP-2026-0002").await;
    assert_eq!(found["items"], json!([]), "{found}");
}
