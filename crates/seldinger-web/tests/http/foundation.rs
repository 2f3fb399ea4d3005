//! The foundation: health, sign-in, sessions, CSRF, the route table walked with every
//! role, patients, users, the audit log, languages.

use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, LOCATION};
use seldinger_domain::audit::Actor;
use seldinger_domain::{Access, Permission, Role};
use seldinger_web::auth;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn health_answers_and_readiness_reflects_the_database() {
    let app = TestApp::spawn().await;
    let http = plain_client();
    let health = http
        .get(format!("{}/healthz", app.url))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status(), StatusCode::OK);
    let ready = http
        .get(format!("{}/readyz", app.url))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status(), StatusCode::OK);
}

#[tokio::test]
async fn unauthenticated_api_calls_get_401_and_pages_redirect_to_sign_in() {
    let app = TestApp::spawn().await;
    let http = plain_client();
    let api = http
        .get(format!("{}/api/v1/patients?q=x", app.url))
        .send()
        .await
        .expect("api");
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(api.headers()[CONTENT_TYPE], "application/problem+json");
    let page = http
        .get(format!("{}/patients?q=helene", app.url))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        page.headers()[LOCATION],
        "/login?next=%2Fpatients%3Fq%3Dhelene"
    );
    let bad_token = http
        .get(format!("{}/api/v1/me", app.url))
        .header(AUTHORIZATION, "Bearer sld_not-a-token")
        .send()
        .await
        .expect("api");
    assert_eq!(bad_token.status(), StatusCode::UNAUTHORIZED);
}

/// Walks the whole route table: without credentials every non-public route refuses;
/// with a role lacking the route's permission it answers 403; with a role holding it,
/// it does not.
#[tokio::test]
async fn every_route_demands_its_permission() {
    let app = TestApp::spawn().await;
    let mut tokens = Vec::new();
    let mut names = std::collections::HashMap::new();
    for (i, role) in Role::ALL.iter().enumerate() {
        let token = app.token(&format!("user{i}"), *role).await;
        names.insert(token.clone(), format!("user{i}"));
        tokens.push((*role, token));
    }
    let writer = tokens
        .iter()
        .find(|(r, _)| r.can(Permission::PatientWrite))
        .expect("a writer")
        .1
        .clone();
    let (status, patient) = app.api(&writer).post("/api/v1/patients", &helene()).await;
    assert_eq!(status, StatusCode::CREATED);
    let patient_id = patient["id"].as_str().expect("id").to_string();
    app.user("victim", Role::Nurse).await;

    let http = plain_client();
    let mut checked = 0;
    for (method, path, access) in seldinger_web::route_table() {
        let send = |token: Option<&str>| {
            // A token is made for its caller only: that route is tried on one's own name.
            let username = match token {
                Some(token) if path.ends_with("/tokens") && method == reqwest::Method::POST => {
                    names[token].as_str()
                }
                _ => "victim",
            };
            let concrete = path
                .replace("{id}", &patient_id)
                .replace("{username}", username);
            let mut request = http.request(method.clone(), format!("{}{concrete}", app.url));
            if let Some(token) = token {
                request = request.header(AUTHORIZATION, format!("Bearer {token}"));
            }
            if method != reqwest::Method::GET {
                request = request.header(CONTENT_TYPE, "application/json").body("{}");
            }
            request.send()
        };
        match access {
            Access::Public => continue,
            Access::SignedIn | Access::Needs(_) => {
                let anonymous = send(None).await.expect("request").status();
                let expected = if path.starts_with("/api/") {
                    StatusCode::UNAUTHORIZED
                } else {
                    StatusCode::SEE_OTHER
                };
                assert_eq!(anonymous, expected, "{method} {path} without credentials");
            }
        }
        if let Access::Needs(permission) = access {
            let (_, denied) = tokens
                .iter()
                .find(|(role, _)| !role.can(permission))
                .expect("a role without it");
            let status = send(Some(denied)).await.expect("request").status();
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "{method} {path} with a role lacking {permission:?}"
            );
        }
        let allowed = tokens
            .iter()
            .find(|(role, _)| role.allows(access))
            .expect("a role with it");
        let status = send(Some(&allowed.1)).await.expect("request").status();
        assert!(
            status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED,
            "{method} {path} refused ({status}) a role that holds {access:?}"
        );
        checked += 1;
    }
    assert!(checked >= 25, "only {checked} routes checked");
}

#[tokio::test]
async fn a_patient_created_over_the_api_is_found_by_typing_helene() {
    let app = TestApp::spawn().await;
    let api = app.api(&app.token("sched", Role::Scheduler).await);
    let (status, created) = api.post("/api/v1/patients", &helene()).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["mrn"], "IP-2026-0001");
    assert_eq!(created["birth_date"], "1956-03-12");
    assert_eq!(created["sex"], "female");
    assert_eq!(created["version"], 1);
    assert_eq!(created["allergies"][0]["kind"], "iodinated_contrast");
    assert_eq!(created["possible_duplicates"], json!([]));

    for q in [
        "helene",
        "HELENE",
        "dupre",
        "Dupré-Lefèvre",
        "lefevre helene",
        "IP-2026-0001",
        "12/03/1956",
    ] {
        let (status, found) = api
            .get(&format!("/api/v1/patients?q={}", auth::urlencode(q)))
            .await;
        assert_eq!(status, StatusCode::OK);
        let items = found["items"].as_array().expect("items");
        assert_eq!(items.len(), 1, "{q} → {found}");
        assert_eq!(items[0]["id"], created["id"], "{q}");
    }
    let (_, none) = api.get("/api/v1/patients?q=helena").await;
    assert_eq!(none["items"], json!([]));

    let id = created["id"].as_str().expect("id");
    let (status, read) = api.get(&format!("/api/v1/patients/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["given_names"], "Hélène");
    let (status, _) = api
        .get("/api/v1/patients/0192f3a4-1b2c-7d8e-9f00-112233445566")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn reading_a_patient_is_audited_and_admins_can_filter_the_log_by_patient() {
    let app = TestApp::spawn().await;
    let nurse = app.api(&app.token("nurse", Role::Nurse).await);
    let (_, created) = nurse.post("/api/v1/patients", &helene()).await;
    let id = created["id"].as_str().expect("id");
    nurse.get(&format!("/api/v1/patients/{id}")).await;

    let admin = app.api(&app.token("admin", Role::Admin).await);
    let (status, log) = admin
        .get(&format!("/api/v1/audit?object=patient/{id}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let items = log["items"].as_array().expect("items");
    let actions: Vec<&str> = items.iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions, ["patient.read", "patient.create"]);
    let read = &items[0];
    assert_eq!(read["username"], "nurse");
    assert_eq!(read["role"], "nurse");
    assert_eq!(read["object"], format!("patient/{id}"));
    assert_eq!(read["client_addr"], "127.0.0.1");
    assert!(
        read["at"]
            .as_str()
            .is_some_and(|at| at.starts_with("2026-11-22T09:00"))
    );

    let (status, problem) = admin.get("/api/v1/audit?object=not-a-ref").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_field_error(&problem, "object");

    // No route can change the log.
    for method in [
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
        reqwest::Method::POST,
    ] {
        let (status, _) = admin
            .send(method.clone(), "/api/v1/audit", &json!({}))
            .await;
        assert_eq!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} /api/v1/audit"
        );
    }
}

#[tokio::test]
async fn the_audit_page_shows_roles_in_the_language_and_folds_search_results() {
    let app = TestApp::spawn().await;
    let nurse = app.api(&app.token("nurse", Role::Nurse).await);
    let (_, created) = nurse.post("/api/v1/patients", &helene()).await;
    nurse.get("/api/v1/patients?q=helene").await;
    let admin = app.browser("auditor", Role::Admin).await;
    let (status, html) = admin.get("/audit?action=patient.search").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Infirmier·ère"), "the role in French: {html}");
    let id = created["id"].as_str().expect("id");
    assert!(
        html.contains(&format!("href=\"/audit?patient={id}\"")),
        "the search names the patient shown, with a link to her log: {html}"
    );
    assert!(
        html.contains("GET /api/v1/patients"),
        "through the API: {html}"
    );
    let (status, html) = admin.get("/audit?since=2026-02-30").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"since-error\""));
}

#[tokio::test]
async fn a_stale_version_is_refused_with_409_and_the_current_version() {
    let app = TestApp::spawn().await;
    let api = app.api(&app.token("irad", Role::InterventionalRadiologist).await);
    let (_, created) = api.post("/api/v1/patients", &helene()).await;
    let id = created["id"].as_str().expect("id");
    let mut update = helene();
    update["version"] = json!(1);
    update["given_names"] = json!("Hélène Marie");
    let (status, updated) = api
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/patients/{id}"),
            &update,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["version"], 2);

    update["given_names"] = json!("Someone Else");
    let (status, problem) = api
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/patients/{id}"),
            &update,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["current_version"], 2);
    let (_, read) = api.get(&format!("/api/v1/patients/{id}")).await;
    assert_eq!(read["given_names"], "Hélène Marie");
}

#[tokio::test]
async fn a_patient_registered_in_error_is_withdrawn_with_a_reason() {
    let app = TestApp::spawn().await;
    let api = app.api(&app.token("sched", Role::Scheduler).await);
    let (_, created) = api.post("/api/v1/patients", &helene()).await;
    let path = format!("/api/v1/patients/{}", created["id"].as_str().expect("id"));
    let delete = reqwest::Method::DELETE;
    let (status, problem) = api
        .send(
            delete.clone(),
            &path,
            &json!({ "version": 1, "reason": "  " }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_field_error(&problem, "reason");
    let (status, problem) = api
        .send(
            delete.clone(),
            &path,
            &json!({ "version": 3, "reason": "twice" }),
        )
        .await;
    assert_eq!(
        (status, &problem["current_version"]),
        (StatusCode::CONFLICT, &json!(1))
    );
    let (status, _) = api
        .send(
            delete.clone(),
            &path,
            &json!({ "version": 1, "reason": "registered twice" }),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(api.get(&path).await.0, StatusCode::NOT_FOUND);
    let (_, found) = api.get("/api/v1/patients?q=helene").await;
    assert_eq!(found["items"], json!([]));

    let browser = app.browser("nurse", Role::Nurse).await;
    let (_, second) = api.post("/api/v1/patients", &json!({ "mrn": "IP-2", "family_name": "Roux", "given_names": "Emma", "birth_date": "1990-01-01", "sex": "female" })).await;
    let id = second["id"].as_str().expect("id");
    let csrf = browser.csrf(&format!("/patients/{id}/edit")).await;
    let (status, html, _) = browser
        .post_form(
            &format!("/patients/{id}/delete"),
            &[("_csrf", csrf.as_str()), ("version", "1"), ("reason", "")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"reason-error\""));
    let (status, _, location) = browser
        .post_form(
            &format!("/patients/{id}/delete"),
            &[
                ("_csrf", csrf.as_str()),
                ("version", "1"),
                ("reason", "wrong patient"),
            ],
        )
        .await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/patients?withdrawn=1"))
    );
    assert_eq!(
        browser.get(&format!("/patients/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn bad_json_is_refused_with_the_field_named_and_nothing_stored() {
    let app = TestApp::spawn().await;
    let api = app.api(&app.token("sched", Role::Scheduler).await);
    let post = reqwest::Method::POST;

    let (status, ct, problem) = api
        .raw(
            post.clone(),
            "/api/v1/patients",
            "application/json",
            "{\"mrn\": \"IP1\",",
        )
        .await;
    assert_eq!(
        (status, ct.as_str()),
        (StatusCode::BAD_REQUEST, "application/problem+json"),
        "{problem}"
    );

    let (status, _, _) = api
        .raw(
            post.clone(),
            "/api/v1/patients",
            "text/plain",
            &helene().to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let mut unknown = helene();
    unknown["nickname"] = json!("Lili");
    let (status, problem) = api.post("/api/v1/patients", &unknown).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("nickname")),
        "{problem}"
    );

    let mut wrong_type = helene();
    wrong_type["birth_date"] = json!(19560312);
    let (status, problem) = api.post("/api/v1/patients", &wrong_type).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_field_error(&problem, "birth_date");

    let mut nested = helene();
    nested["allergies"][0]["kind"] = json!(3);
    let (status, problem) = api.post("/api/v1/patients", &nested).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        problem["errors"][0]["field"]
            .as_str()
            .is_some_and(|f| f.starts_with("allergies")),
        "{problem}"
    );

    let cases = [
        ("family_name", json!("D".repeat(101)), "too_long"),
        ("birth_date", json!("1956-02-30"), "not_a_date"),
        ("birth_date", json!("2031-01-01"), "date_in_future"),
        (
            "family_name",
            json!("<script>alert('x')</script>"),
            "forbidden_characters",
        ),
        (
            "given_names",
            json!("Robert'); DROP TABLE patients;--"),
            "forbidden_characters",
        ),
        ("sex", json!("yes"), "not_one_of"),
        ("mrn", json!(""), "required"),
    ];
    for (field, value, code) in cases {
        let mut body = helene();
        body[field] = value;
        let (status, problem) = api.post("/api/v1/patients", &body).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {problem}"
        );
        assert_field_error(&problem, field);
        let error = problem["errors"]
            .as_array()
            .and_then(|e| e.iter().find(|e| e["field"] == field))
            .expect("error");
        assert_eq!(error["code"], code, "{field}");
    }
    let (_, all) = api.get("/api/v1/patients?q=").await;
    assert_eq!(all["items"], json!([]), "nothing was stored");

    let (status, problem) = api.get("/api/v1/patients?q=x&limit=abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_field_error(&problem, "limit");
    let (status, _) = api.get("/api/v1/patients?q=x&page=2").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_taken_mrn_is_a_conflict_naming_the_field() {
    let app = TestApp::spawn().await;
    let api = app.api(&app.token("sched", Role::Scheduler).await);
    api.post("/api/v1/patients", &helene()).await;
    let mut other = helene();
    other["family_name"] = json!("Martin");
    let (status, problem) = api.post("/api/v1/patients", &other).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_field_error(&problem, "mrn");
    let (_, found) = api.get("/api/v1/patients?q=martin").await;
    assert_eq!(found["items"], json!([]));
}

#[tokio::test]
async fn names_and_notes_are_shown_escaped() {
    let app = TestApp::spawn().await;
    let api = app.api(&app.token("sched", Role::Scheduler).await);
    let mut body = helene();
    body["family_name"] = json!("O'Brien");
    body["allergies"] =
        json!([{ "kind": "other", "note": "<script>alert(1)</script> & <b>penicillin</b>" }]);
    let (status, created) = api.post("/api/v1/patients", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let browser = app.browser("reader", Role::Radiographer).await;
    let (status, html) = browser
        .get(&format!(
            "/patients/{}",
            created["id"].as_str().expect("id")
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !html.contains("<script>alert(1)</script>"),
        "markup in a note must be escaped"
    );
    assert!(!html.contains("<b>penicillin</b>"));
    assert!(html.contains("penicillin"));
    assert!(!html.contains("O'Brien"), "the apostrophe is escaped too");
    assert!(
        html.contains("O&#39;Brien")
            || html.contains("O&#x27;Brien")
            || html.contains("O&apos;Brien")
    );
}

#[tokio::test]
async fn a_form_with_errors_comes_back_with_each_message_beside_its_field() {
    let app = TestApp::spawn().await;
    let browser = app.browser("sched", Role::Scheduler).await;
    let csrf = browser.csrf("/patients/new").await;
    let (status, html, _) = browser
        .post_form(
            "/patients",
            &[
                ("_csrf", csrf.as_str()),
                ("mrn", "IP-9"),
                ("family_name", "Durand<b>"),
                ("given_names", "Paul"),
                ("birth_date", "1950-02-30"),
                ("sex", "male"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"family_name-error\""), "{html}");
    assert!(html.contains("id=\"birth_date-error\""));
    assert!(
        html.contains("n&#39;est pas une date qui existe")
            || html.contains("n&#x27;est pas une date qui existe")
    );
    assert!(html.contains("value=\"IP-9\""), "typed values are kept");
    assert!(!html.contains("Durand<b>"));

    let (status, _, location) = browser
        .post_form(
            "/patients",
            &[
                ("_csrf", csrf.as_str()),
                ("mrn", "IP-9"),
                ("family_name", "Durand"),
                ("given_names", "Paul"),
                ("birth_date", "12/02/1950"),
                ("sex", "male"),
                ("drug", "apixaban"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = location.expect("redirect to the patient");
    let (_, page) = browser.get(&location).await;
    assert!(
        page.contains("Durand") && page.contains("Apixaban") && page.contains("12/02/1950"),
        "{page}"
    );
}

#[tokio::test]
async fn two_people_editing_the_same_patient_do_not_overwrite_each_other() {
    let app = TestApp::spawn().await;
    let api = app.api(&app.token("sched", Role::Scheduler).await);
    let (_, created) = api.post("/api/v1/patients", &helene()).await;
    let id = created["id"].as_str().expect("id");
    let edit = format!("/patients/{id}/edit");
    let first = app.browser("nurse1", Role::Nurse).await;
    let second = app.browser("nurse2", Role::Nurse).await;
    let (csrf1, csrf2) = (first.csrf(&edit).await, second.csrf(&edit).await);
    let fields = |csrf: &str, given: &str| {
        vec![
            ("_csrf", csrf.to_string()),
            ("version", "1".into()),
            ("mrn", "IP-2026-0001".into()),
            ("family_name", "Dupré-Lefèvre".into()),
            ("given_names", given.to_string()),
            ("birth_date", "1956-03-12".into()),
            ("sex", "female".into()),
        ]
    };
    let patient_path = format!("/patients/{id}");
    let saved = first
        .post_form(&patient_path, &fields(&csrf1, "Hélène Marie"))
        .await;
    assert_eq!(saved.0, StatusCode::SEE_OTHER);
    let (status, html, _) = second
        .post_form(&patient_path, &fields(&csrf2, "Hélène Louise"))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        html.contains("id=\"stale\"") && html.contains("name=\"version\" value=\"2\""),
        "{html}"
    );
    assert!(
        html.contains("Hélène Louise"),
        "the second person's typing is kept"
    );
    let (_, stored) = api.get(&format!("/api/v1/patients/{id}")).await;
    assert_eq!(stored["given_names"], "Hélène Marie");
}

#[tokio::test]
async fn a_long_result_list_is_cut_at_fifty_with_a_hint_to_refine() {
    let app = TestApp::spawn().await;
    let now = app.clock.now_value();
    let many: Vec<_> = (0..51)
        .map(|i| {
            let input = seldinger_domain::patient::PatientInput {
                mrn: format!("M{i}"),
                family_name: "Martin".into(),
                given_names: "Louis".into(),
                birth_date: "1960-01-01".into(),
                sex: "male".into(),
                ..Default::default()
            };
            seldinger_domain::patient::NewPatient::parse(&input, now).expect("valid")
        })
        .collect();
    app.store
        .import_patients(&Actor::system("test"), &many, now)
        .await
        .expect("import");
    let browser = app.browser("sched", Role::Scheduler).await;
    let (_, html) = browser.get("/patients?q=martin").await;
    assert_eq!(html.matches("<td class=\"mono\">M").count(), 50);
    assert!(html.contains("id=\"more-results\""));
    let (_, html) = browser.get("/patients?q=martin%201960-01-01").await;
    assert!(
        html.contains("id=\"more-results\""),
        "still 51 with the birth date"
    );
    let (_, html) = browser.get("/patients?q=M7").await;
    assert!(!html.contains("id=\"more-results\""));
}

#[tokio::test]
async fn a_possible_duplicate_must_be_confirmed_before_registering() {
    let app = TestApp::spawn().await;
    let browser = app.browser("sched", Role::Scheduler).await;
    let csrf = browser.csrf("/patients/new").await;
    let fields = |mrn: &'static str| {
        vec![
            ("mrn", mrn),
            ("family_name", "Dupré-Lefèvre"),
            ("given_names", "Hélène"),
            ("birth_date", "1956-03-12"),
            ("sex", "female"),
        ]
    };
    let mut first = fields("IP-1");
    first.push(("_csrf", csrf.as_str()));
    assert_eq!(
        browser.post_form("/patients", &first).await.0,
        StatusCode::SEE_OTHER
    );

    let mut twin = fields("IP-2");
    twin[1] = ("family_name", "DUPRE-LEFEVRE");
    twin.push(("_csrf", csrf.as_str()));
    let (status, html, _) = browser.post_form("/patients", &twin).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        html.contains("id=\"duplicates\"") && html.contains("IP-1"),
        "{html}"
    );

    twin.push(("confirm_duplicate", "1"));
    assert_eq!(
        browser.post_form("/patients", &twin).await.0,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn state_changes_need_the_csrf_token_and_our_own_origin() {
    let app = TestApp::spawn().await;
    let browser = app.browser("sched", Role::Scheduler).await;
    let fields = [
        ("mrn", "IP-5"),
        ("family_name", "Roux"),
        ("given_names", "Emma"),
        ("birth_date", "1990-01-01"),
        ("sex", "female"),
    ];
    let (status, _, _) = browser.post_form("/patients", &fields).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no token");

    let csrf = browser.csrf("/patients").await;
    let mut with_token = fields.to_vec();
    with_token.push(("_csrf", csrf.as_str()));
    let cross = browser
        .http
        .post(format!("{}/patients", app.url))
        .header("Origin", "https://evil.example")
        .form(&with_token)
        .send()
        .await
        .expect("post");
    assert_eq!(cross.status(), StatusCode::FORBIDDEN, "cross-site origin");

    let api_write = browser
        .http
        .post(format!("{}/api/v1/patients", app.url))
        .json(&helene())
        .send()
        .await
        .expect("post");
    assert_eq!(
        api_write.status(),
        StatusCode::FORBIDDEN,
        "cookie-authenticated API write without X-CSRF-Token"
    );

    let (_, search) = browser.get("/patients?q=roux").await;
    assert!(!search.contains("Emma"), "nothing stored");
    let (status, _, _) = browser.post_form("/patients", &with_token).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_wrong_password_gets_a_generic_message_and_is_audited() {
    let app = TestApp::spawn().await;
    app.user("sfournier", Role::Scheduler).await;
    let browser = Browser::new(&app.url);
    let wrong = browser.sign_in("sfournier", "not the password").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let html = wrong.text().await.expect("page");
    assert!(html.contains("Identifiant ou mot de passe incorrect."));
    let unknown = browser.sign_in("nobody", "not the password").await;
    assert!(
        unknown
            .text()
            .await
            .expect("page")
            .contains("Identifiant ou mot de passe incorrect."),
        "same message"
    );

    let admin = app.api(&app.token("admin", Role::Admin).await);
    let (_, log) = admin.get("/api/v1/audit?action=login.failed").await;
    let who: Vec<&str> = log["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["username"].as_str())
        .collect();
    assert_eq!(who, ["nobody", "sfournier"]);
}

#[tokio::test]
async fn sign_in_attempts_are_rate_limited_per_client() {
    let app = TestApp::spawn().await;
    app.user("sfournier", Role::Scheduler).await;
    let browser = Browser::new(&app.url);
    for _ in 0..10 {
        assert_eq!(
            browser.sign_in("sfournier", "wrong").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let limited = browser.sign_in("sfournier", PASSWORD).await;
    assert_eq!(
        limited.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    app.clock.advance(time::Duration::minutes(1));
    assert_eq!(
        browser.sign_in("sfournier", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_disabled_user_cannot_sign_in_nor_use_a_token() {
    let app = TestApp::spawn().await;
    let token = app.token("tgirard", Role::ReferringPhysician).await;
    let api = app.api(&token);
    assert_eq!(api.get("/api/v1/me").await.0, StatusCode::OK);
    let browser = Browser::new(&app.url);
    assert_eq!(
        browser.sign_in("tgirard", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );

    let admin = app.api(&app.token("admin", Role::Admin).await);
    let (status, user) = admin
        .post("/api/v1/users/tgirard/disable", &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(user["active"], false);

    assert_eq!(api.get("/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        browser.get("/patients").await.0,
        StatusCode::SEE_OTHER,
        "the session ended"
    );
    assert_eq!(
        Browser::new(&app.url)
            .sign_in("tgirard", PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn an_idle_session_expires() {
    let app = TestApp::spawn().await;
    let browser = app.browser("croussel", Role::Nurse).await;
    assert_eq!(browser.get("/patients").await.0, StatusCode::OK);
    app.clock.advance(time::Duration::minutes(29));
    assert_eq!(browser.get("/patients").await.0, StatusCode::OK);
    app.clock.advance(time::Duration::minutes(31));
    let (status, _) = browser.get("/patients").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn each_user_chooses_french_or_english() {
    let app = TestApp::spawn().await;
    let browser = app.browser("ewilson", Role::StudyCoordinator).await;
    let (_, french) = browser.get("/patients").await;
    assert!(french.contains("<html lang=\"fr\">") && french.contains("Se déconnecter"));
    let csrf = browser.csrf("/patients").await;
    let answer = browser.switch_language(&csrf, "en", "/patients").await;
    assert_see_other(&answer, "/patients");
    let (_, english) = browser.get("/patients").await;
    assert!(english.contains("<html lang=\"en\">") && english.contains("Sign out"));

    let (status, _, location) = browser
        .post_form(
            "/language",
            &[
                ("_csrf", csrf.as_str()),
                ("language", "en"),
                ("next", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/")),
        "only local redirects"
    );
    let (status, _, _) = browser
        .post_form("/language", &[("_csrf", csrf.as_str()), ("language", "de")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn admins_create_users_over_the_api_and_users_make_their_own_tokens() {
    let app = TestApp::spawn().await;
    let admin = app.api(&app.token("admin", Role::Admin).await);
    let (status, created) = admin
        .post("/api/v1/users", &json!({ "username": "jmorel", "full_name": "Julien Morel", "role": "radiographer", "password": "a long enough password" }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["role"], "radiographer");
    let (status, problem) = admin
        .post("/api/v1/users", &json!({ "username": "JMorel", "full_name": "Again", "role": "nurse", "password": "a long enough password" }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_field_error(&problem, "username");
    let (status, problem) = admin
        .post(
            "/api/v1/users",
            &json!({ "username": "x y", "full_name": "", "role": "surgeon", "password": "short" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["username", "full_name", "role", "password"] {
        assert_field_error(&problem, field);
    }
    // The new user makes their own token; the administrator cannot (tests/accounts.rs).
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let session: serde_json::Value = client
        .post(format!("{}/api/v1/session", app.url))
        .json(&json!({ "username": "jmorel", "password": "a long enough password" }))
        .send()
        .await
        .expect("sign in")
        .json()
        .await
        .expect("me");
    let token: serde_json::Value = client
        .post(format!("{}/api/v1/me/tokens", app.url))
        .header(
            "x-csrf-token",
            session["csrf_token"].as_str().expect("csrf"),
        )
        .json(&json!({ "label": "scanner" }))
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let radiographer = app.api(token["token"].as_str().expect("token"));
    let (status, me) = radiographer.get("/api/v1/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        me["permissions"],
        json!([
            "patient_read",
            "case_read",
            "checklist_edit",
            "time_out",
            "report_edit"
        ])
    );
}

#[tokio::test]
async fn the_openapi_document_is_served_to_signed_in_users() {
    let app = TestApp::spawn().await;
    let api = app.api(&app.token("irad", Role::InterventionalRadiologist).await);
    let (status, spec) = api.get("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(spec["openapi"], "3.1.0");
    assert!(spec["paths"]["/api/v1/patients/{id}"]["put"]["requestBody"].is_object());
}
