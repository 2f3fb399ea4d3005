//! The catalog, the checklist thresholds and the resources, through HTTP.

use reqwest::Method;
use reqwest::StatusCode;
use seldinger_domain::Role;
use serde_json::{Value, json};

use crate::support::*;

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// The seeded type with `code`, over the API.
async fn seeded(api: &Api, code: &str) -> Value {
    let (status, list) = api.get("/api/v1/catalog").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list["items"]
        .as_array()
        .and_then(|items| items.iter().find(|t| t["code"] == code).cloned())
        .unwrap_or_else(|| panic!("{code} is not in the catalog"))
}

/// The `PUT /api/v1/catalog/{id}` body that rewrites `t` as it is, at its version.
fn update_body(t: &Value) -> Value {
    let text = |field: &str, lang: &str| t[field][lang].clone();
    json!({
        "version": t["version"],
        "active": t["active"],
        "code": t["code"],
        "name_fr": text("name", "fr"),
        "name_en": text("name", "en"),
        "family": t["family"],
        "target_organs": t["target_organs"],
        "guidance": t["guidance"],
        "anesthesia": t["anesthesia"],
        "stay": t["stay"]["kind"],
        "nights": if t["stay"]["kind"] == "inpatient" { t["stay"]["nights"].clone() } else { Value::Null },
        "duration_minutes": t["duration_minutes"],
        "room_types": t["room_types"],
        "equipment": t["equipment"],
        "bleeding_risk": t["bleeding_risk"],
        "contrast": t["contrast"],
        "risks_fr": text("risks", "fr"),
        "risks_en": text("risks", "en"),
        "preparation_fr": text("preparation", "fr"),
        "preparation_en": text("preparation", "en"),
        "information_sheet_fr": text("information_sheet", "fr"),
        "information_sheet_en": text("information_sheet", "en"),
    })
}

/// The form fields that post `t` as it is (the edit form, filled in), at its version.
fn form_fields(t: &Value) -> Vec<(String, String)> {
    let s = |v: &Value| {
        v.as_str()
            .map(str::to_string)
            .unwrap_or_else(|| v.to_string())
    };
    let mut fields = vec![
        ("version".to_string(), s(&t["version"])),
        ("code".into(), s(&t["code"])),
        ("name_fr".into(), s(&t["name"]["fr"])),
        ("name_en".into(), s(&t["name"]["en"])),
        ("family".into(), s(&t["family"])),
        ("anesthesia".into(), s(&t["anesthesia"])),
        ("stay".into(), s(&t["stay"]["kind"])),
        ("nights".into(), s(&t["stay"]["nights"])),
        ("duration_minutes".into(), s(&t["duration_minutes"])),
        ("bleeding_risk".into(), s(&t["bleeding_risk"])),
        ("risks_fr".into(), s(&t["risks"]["fr"])),
        ("risks_en".into(), s(&t["risks"]["en"])),
        ("preparation_fr".into(), s(&t["preparation"]["fr"])),
        ("preparation_en".into(), s(&t["preparation"]["en"])),
        (
            "information_sheet_fr".into(),
            s(&t["information_sheet"]["fr"]),
        ),
        (
            "information_sheet_en".into(),
            s(&t["information_sheet"]["en"]),
        ),
        ("active".into(), "1".into()),
    ];
    if t["contrast"] == true {
        fields.push(("contrast".into(), "1".into()));
    }
    for list in ["target_organs", "guidance", "room_types", "equipment"] {
        for item in t[list].as_array().into_iter().flatten() {
            fields.push((list.into(), s(item)));
        }
    }
    fields
}

fn with_csrf(mut fields: Vec<(String, String)>, csrf: &str) -> Vec<(String, String)> {
    fields.push(("_csrf".into(), csrf.into()));
    fields
}

fn set(fields: &mut [(String, String)], name: &str, value: &str) {
    for (k, v) in fields.iter_mut() {
        if k == name {
            *v = value.into();
        }
    }
}

/// Switches a browser's user to English.
async fn in_english(browser: &Browser) {
    let csrf = browser.csrf("/catalog").await;
    let (status, _, _) = browser
        .post_form(
            "/language",
            &[("_csrf", csrf.as_str()), ("language", "en"), ("next", "/")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

/// The same hours Monday to Friday, nothing at the weekend.
fn week(day: &str) -> Value {
    json!([day, day, day, day, day, "", ""])
}

fn room(code: &str) -> Value {
    json!({
        "code": code,
        "name": "Scanner interventionnel 1",
        "room_type": "ct",
        "hours": week("08:00-12:00, 13:30-18:00"),
    })
}

// ---------------------------------------------------------------------------------------
// The catalog
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn the_seed_catalog_lists_at_least_thirty_types_over_the_api_and_on_the_page_in_both_languages()
 {
    let app = TestApp::spawn().await;
    let api = app.api(&app.token("nurse", Role::Nurse).await);
    let (status, list) = api.get("/api/v1/catalog").await;
    assert_eq!(status, StatusCode::OK);
    let items = list["items"].as_array().expect("items");
    assert!(items.len() >= 30, "only {} types", items.len());
    let lung = seeded(&api, "BIO-LUNG-CT").await;
    assert_eq!(lung["name"]["en"], "CT-guided lung biopsy");
    assert_eq!(lung["name"]["fr"], "Biopsie pulmonaire sous scanner");
    assert_eq!(lung["version"], 1);
    assert_eq!(lung["active"], true);
    assert_eq!(lung["stay"], json!({ "kind": "inpatient", "nights": 1 }));
    assert_eq!(lung["bleeding_risk"], "high");

    let browser = app.browser("reader", Role::Pathologist).await;
    let (status, html) = browser.get("/catalog").await;
    assert_eq!(status, StatusCode::OK);
    let rows = html.matches("<tr id=\"type-").count();
    assert_eq!(rows, items.len(), "one row per type");
    for expected in [
        "Catalogue des actes",
        "Ablation thermique",
        "Embolisation",
        "Biopsie pulmonaire sous scanner",
        "Anesthésie locale",
        "1 nuit",
        "Salle de scanner",
        "Élevé",
    ] {
        assert!(html.contains(expected), "French page lacks {expected}");
    }
    assert!(
        !html.contains("id=\"new-type\""),
        "no New button for a reader"
    );

    in_english(&browser).await;
    let (_, html) = browser.get("/catalog").await;
    for expected in [
        "Procedure catalog",
        "Thermal ablation",
        "CT-guided lung biopsy",
        "Local anesthesia",
        "1 night",
        "CT room",
        "High",
    ] {
        assert!(html.contains(expected), "English page lacks {expected}");
    }
}

#[tokio::test]
async fn the_catalog_filter_folds_accents_and_matches_codes_and_both_names() {
    let app = TestApp::spawn().await;
    let browser = app.browser("reader", Role::Nurse).await;
    let (status, html) = browser.get("/catalog?q=hepatique").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"type-BIO-LIVER-US\""), "hépatique found");
    assert!(html.contains("id=\"type-EMB-TACE\""));
    assert!(!html.contains("id=\"type-BIO-LUNG-CT\""));
    let (_, html) = browser.get("/catalog?q=bio-lung").await;
    assert_eq!(html.matches("<tr id=\"type-").count(), 2, "by code");
    let (_, html) = browser.get("/catalog?q=fibroid").await;
    assert!(html.contains("id=\"type-EMB-UFE\""), "by the English name");
    assert_eq!(html.matches("<tr id=\"type-").count(), 1);
    let (_, html) = browser.get("/catalog?q=nothing+like+this").await;
    assert!(html.contains("id=\"catalog-empty\""));
}

#[tokio::test]
async fn a_type_page_shows_both_languages_side_by_side_and_its_history() {
    let app = TestApp::spawn().await;
    let api = app.api(&app.token("nurse", Role::Nurse).await);
    let lung = seeded(&api, "BIO-LUNG-CT").await;
    let browser = app.browser("reader", Role::Nurse).await;
    let (status, html) = browser
        .get(&format!("/catalog/{}", lung["id"].as_str().expect("id")))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("CT-guided lung biopsy") && html.contains("Biopsie pulmonaire sous scanner")
    );
    let paragraphs = |lang: &str| {
        lung["information_sheet"][lang]
            .as_str()
            .expect("sheet")
            .split("\n\n")
            .filter(|p| !p.trim().is_empty())
            .count()
    };
    assert!(paragraphs("fr") >= 2);
    let section = html
        .split("id=\"information-sheet\"")
        .nth(1)
        .expect("sheet section");
    let section = section.split("</section>").next().unwrap_or_default();
    let shown = section.matches("<p>").count();
    assert_eq!(
        shown,
        paragraphs("fr") + paragraphs("en"),
        "each paragraph, in both languages"
    );
    assert!(html.contains("id=\"version-1\""));
    assert!(!html.contains("id=\"edit-type\""), "no Edit for a nurse");
    let (status, _) = browser
        .get(&format!(
            "/catalog/{}?version=7",
            lung["id"].as_str().expect("id")
        ))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = browser.get("/catalog/not-an-id").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_admin_edits_a_type_into_version_two_and_the_old_version_still_reads_unchanged() {
    let app = TestApp::spawn().await;
    let admin = app.api(&app.token("admin", Role::Admin).await);
    let lung = seeded(&admin, "BIO-LUNG-CT").await;
    let id = lung["id"].as_str().expect("id").to_string();
    let v1 = lung["version_id"].as_str().expect("version id").to_string();

    let mut body = update_body(&lung);
    body["duration_minutes"] = json!(90);
    body["risks_en"] = json!("Pneumothorax (about one in five), bleeding, haemoptysis.");
    let (status, saved) = admin
        .send(Method::PUT, &format!("/api/v1/catalog/{id}"), &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["version"], 2);
    assert_eq!(saved["duration_minutes"], 90);
    assert_ne!(saved["version_id"], json!(v1));
    assert_eq!(saved["versions"].as_array().map(Vec::len), Some(2));
    assert_eq!(saved["versions"][0]["version"], 2);

    let (status, old) = admin.get(&format!("/api/v1/catalog/versions/{v1}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(old["version"], 1);
    assert_eq!(old["type_id"], json!(id));
    assert_eq!(old["duration_minutes"], lung["duration_minutes"]);
    assert_eq!(old["risks"], lung["risks"]);
    let (status, _) = admin
        .get("/api/v1/catalog/versions/0192f3a4-1b2c-7d8e-9f00-112233445566")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The same through the form: version 3, announced; version 1 still readable.
    let browser = app.browser("admin2", Role::Admin).await;
    let edit = format!("/catalog/{id}/edit");
    let (status, html) = browser.get(&edit).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("name=\"version\" value=\"2\""));
    let (_, current) = admin.get(&format!("/api/v1/catalog/{id}")).await;
    let mut fields = form_fields(&current);
    set(&mut fields, "duration_minutes", "75");
    let csrf = browser.csrf(&edit).await;
    let (status, _, location) = browser
        .post_form(&format!("/catalog/{id}"), &with_csrf(fields, &csrf))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = location.expect("redirect");
    assert_eq!(location, format!("/catalog/{id}?saved=3"));
    let (_, html) = browser.get(&location).await;
    assert!(
        html.contains(
            "Enregistré en version 3 ; les dossiers planifiés auparavant gardent leur version."
        ),
        "the page says which version was saved"
    );
    assert!(html.contains("id=\"fact-duration\">75 min"));
    let (_, html) = browser.get(&format!("/catalog/{id}?version=1")).await;
    assert!(html.contains("id=\"old-version\""));
    assert!(
        html.contains("id=\"fact-duration\">60 min"),
        "version 1 as it was"
    );
    assert!(!html.contains("about one in five"));
    let (_, html) = browser.get(&format!("/catalog/{id}?version=2")).await;
    assert!(html.contains("about one in five"));
    assert!(html.contains("id=\"fact-duration\">90 min"));
    let (_, now) = admin.get(&format!("/api/v1/catalog/{id}")).await;
    assert_eq!(now["version"], 3);
    assert_eq!(now["versions"].as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn a_stale_edit_is_refused_with_the_current_version_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.api(&app.token("admin", Role::Admin).await);
    let lung = seeded(&admin, "BIO-LUNG-CT").await;
    let id = lung["id"].as_str().expect("id").to_string();
    let mut first = update_body(&lung);
    first["duration_minutes"] = json!(70);
    let (status, _) = admin
        .send(Method::PUT, &format!("/api/v1/catalog/{id}"), &first)
        .await;
    assert_eq!(status, StatusCode::OK);

    let mut late = update_body(&lung);
    late["duration_minutes"] = json!(200);
    let (status, problem) = admin
        .send(Method::PUT, &format!("/api/v1/catalog/{id}"), &late)
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["current_version"], 2);
    let (_, now) = admin.get(&format!("/api/v1/catalog/{id}")).await;
    assert_eq!(now["version"], 2);
    assert_eq!(now["duration_minutes"], 70);

    // The form built on version 1 comes back with what is stored now.
    let browser = app.browser("admin2", Role::Admin).await;
    let mut fields = form_fields(&lung);
    set(&mut fields, "duration_minutes", "200");
    let csrf = browser.csrf(&format!("/catalog/{id}/edit")).await;
    let (status, html, _) = browser
        .post_form(&format!("/catalog/{id}"), &with_csrf(fields, &csrf))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("id=\"stale\""));
    assert!(html.contains("name=\"version\" value=\"2\""));
    assert!(html.contains("name=\"duration_minutes\" type=\"number\" min=\"5\" max=\"600\" step=\"5\" inputmode=\"numeric\" value=\"70\""));
    let (_, now) = admin.get(&format!("/api/v1/catalog/{id}")).await;
    assert_eq!(now["version"], 2);
}

#[tokio::test]
async fn a_bad_edit_names_each_field_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.api(&app.token("admin", Role::Admin).await);
    let lung = seeded(&admin, "BIO-LUNG-CT").await;
    let id = lung["id"].as_str().expect("id").to_string();
    let mut body = update_body(&lung);
    body["code"] = json!("x");
    body["name_fr"] = json!("  ");
    body["duration_minutes"] = json!(2);
    body["room_types"] = json!(["ct", "garage"]);
    body["stay"] = json!("inpatient");
    body["nights"] = Value::Null;
    let (status, problem) = admin
        .send(Method::PUT, &format!("/api/v1/catalog/{id}"), &body)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    for field in [
        "code",
        "name_fr",
        "duration_minutes",
        "room_types.1",
        "nights",
    ] {
        assert_field_error(&problem, field);
    }
    let (_, now) = admin.get(&format!("/api/v1/catalog/{id}")).await;
    assert_eq!(now["version"], 1);
    assert_eq!(now["code"], "BIO-LUNG-CT");

    // An unknown field is refused, not ignored.
    let mut body = update_body(&lung);
    body["colour"] = json!("blue");
    let (status, problem) = admin
        .send(Method::PUT, &format!("/api/v1/catalog/{id}"), &body)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");

    // The form keeps what was typed and says what is wrong beside each field.
    let browser = app.browser("admin2", Role::Admin).await;
    let mut fields = form_fields(&lung);
    set(&mut fields, "code", "bad code!");
    set(&mut fields, "duration_minutes", "an hour");
    set(&mut fields, "information_sheet_en", "");
    fields.retain(|(k, _)| k != "room_types");
    fields.push(("target_organs".into(), "spleen".into()));
    let csrf = browser.csrf(&format!("/catalog/{id}/edit")).await;
    let (status, html, _) = browser
        .post_form(&format!("/catalog/{id}"), &with_csrf(fields, &csrf))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for id in [
        "code-error",
        "duration_minutes-error",
        "information_sheet_en-error",
        "room_types-error",
        "target_organs-error",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "no {id}");
    }
    assert!(html.contains("value=\"bad code!\""), "typed code kept");
    assert!(html.contains("value=\"an hour\""), "typed duration kept");
    assert!(
        html.contains("Biopsie pulmonaire sous scanner"),
        "other fields kept"
    );
    let (_, now) = admin.get(&format!("/api/v1/catalog/{id}")).await;
    assert_eq!(now["version"], 1);
}

#[tokio::test]
async fn someone_without_catalog_admin_cannot_edit_the_catalog() {
    let app = TestApp::spawn().await;
    let admin = app.api(&app.token("admin", Role::Admin).await);
    let radiologist = app.api(&app.token("ir", Role::InterventionalRadiologist).await);
    let lung = seeded(&radiologist, "BIO-LUNG-CT").await;
    let id = lung["id"].as_str().expect("id").to_string();
    let (status, _) = radiologist
        .send(
            Method::PUT,
            &format!("/api/v1/catalog/{id}"),
            &update_body(&lung),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut new = update_body(&lung);
    new.as_object_mut().map(|o| o.remove("version"));
    new["code"] = json!("BIO-NEW");
    let (status, _) = radiologist.post("/api/v1/catalog", &new).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let nurse = app.browser("nurse", Role::Nurse).await;
    let (status, _) = nurse.get(&format!("/catalog/{id}/edit")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let csrf = nurse.csrf("/catalog").await;
    let (status, _, _) = nurse
        .post_form(
            &format!("/catalog/{id}"),
            &with_csrf(form_fields(&lung), &csrf),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, now) = admin.get(&format!("/api/v1/catalog/{id}")).await;
    assert_eq!(now["version"], 1);

    let boss = app.browser("boss", Role::Admin).await;
    let (_, html) = boss.get("/catalog").await;
    assert!(html.contains("id=\"new-type\""));
    let (_, html) = boss.get(&format!("/catalog/{id}")).await;
    assert!(html.contains("id=\"edit-type\""));
}

#[tokio::test]
async fn an_admin_creates_and_withdraws_a_type_and_a_taken_code_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.api(&app.token("admin", Role::Admin).await);
    let lung = seeded(&admin, "BIO-LUNG-CT").await;
    let mut new = update_body(&lung);
    new.as_object_mut().map(|o| o.remove("version"));
    new.as_object_mut().map(|o| o.remove("active"));
    new["code"] = json!("bio-pleura-us");
    new["name_fr"] = json!("Biopsie pleurale sous échographie");
    new["name_en"] = json!("Ultrasound-guided pleural biopsy");
    let (status, created) = admin.post("/api/v1/catalog", &new).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["code"], "BIO-PLEURA-US");
    assert_eq!(created["version"], 1);
    let id = created["id"].as_str().expect("id").to_string();

    let (status, problem) = admin.post("/api/v1/catalog", &new).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_field_error(&problem, "code");
    let (_, list) = admin.get("/api/v1/catalog").await;
    let count = |list: &Value| {
        list["items"]
            .as_array()
            .map(|i| i.iter().filter(|t| t["code"] == "BIO-PLEURA-US").count())
            .unwrap_or(0)
    };
    assert_eq!(count(&list), 1);

    // Withdrawn: gone from the list unless asked for, still readable.
    let mut body = update_body(&created);
    body["active"] = json!(false);
    let (status, saved) = admin
        .send(Method::PUT, &format!("/api/v1/catalog/{id}"), &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["active"], false);
    let (_, list) = admin.get("/api/v1/catalog").await;
    assert_eq!(count(&list), 0);
    let (_, list) = admin.get("/api/v1/catalog?include_withdrawn=true").await;
    assert_eq!(count(&list), 1);
    let (status, _) = admin.get("/api/v1/catalog?include_withdrawn=perhaps").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Through the form, a new type; a taken code comes back beside the code field.
    let browser = app.browser("admin2", Role::Admin).await;
    let (_, html) = browser.get("/catalog?withdrawn=1").await;
    assert!(html.contains("id=\"type-BIO-PLEURA-US\""));
    let (_, html) = browser.get("/catalog").await;
    assert!(!html.contains("id=\"type-BIO-PLEURA-US\""));
    let csrf = browser.csrf("/catalog/new").await;
    let mut fields = form_fields(&lung);
    fields.retain(|(k, _)| k != "version" && k != "active");
    set(&mut fields, "code", "BIO-LUNG-CT");
    let (status, html, _) = browser
        .post_form("/catalog", &with_csrf(fields.clone(), &csrf))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"code-error\""));
    set(&mut fields, "code", "BIO-LUNG-CT-2");
    let (status, _, location) = browser
        .post_form("/catalog", &with_csrf(fields, &csrf))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = location.expect("redirect");
    assert!(location.ends_with("?saved=1"), "{location}");
    let (_, html) = browser.get(&location).await;
    assert!(
        html.contains("Type d&#39;acte créé (version 1).")
            || html.contains("Type d&#x27;acte créé (version 1)."),
        "{html}"
    );
    assert!(html.contains("BIO-LUNG-CT-2"));
}

// ---------------------------------------------------------------------------------------
// Thresholds
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn thresholds_are_shown_beside_their_source_and_edited_by_an_admin() {
    let app = TestApp::spawn().await;
    let nurse = app.api(&app.token("nurse", Role::Nurse).await);
    let (status, list) = nurse.get("/api/v1/thresholds").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["items"][0]["bleeding_risk"], "low");
    assert_eq!(list["items"][0]["inr_max"], 3.0);
    assert_eq!(list["items"][1]["bleeding_risk"], "high");
    assert_eq!(list["items"][1]["inr_max"], 1.8);
    assert_eq!(list["items"][1]["platelets_min"], 50);
    let source = list["items"][1]["source"]
        .as_str()
        .expect("source")
        .to_string();
    assert!(source.contains("SIR 2019"));

    let reader = app.browser("reader", Role::Nurse).await;
    let (status, html) = reader.get("/catalog/thresholds").await;
    assert_eq!(status, StatusCode::OK);
    let high = html
        .split("id=\"thresholds-high\"")
        .nth(1)
        .expect("high card");
    assert!(high.contains("≤ 1,80"), "the INR limit, in French");
    assert!(high.contains("≥ 50 ×10⁹/L"));
    assert!(
        high.contains("Patel IJ et al."),
        "the source beside the numbers"
    );
    assert!(
        !html.contains("action=\"/catalog/thresholds/high\""),
        "no form for a nurse"
    );

    let (status, _) = nurse
        .send(Method::PUT, "/api/v1/thresholds/high", &json!({ "version": 1, "inr_max": 1.5, "platelets_min": 50, "egfr_min": 30, "lab_max_age_days": 14, "source": source }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let admin = app.api(&app.token("admin", Role::Admin).await);
    let body = json!({
        "version": 1, "inr_max": "1,5", "platelets_min": 50, "egfr_min": "30",
        "lab_max_age_days": 14, "source": "Department protocol 2026, after SIR 2019."
    });
    let (status, saved) = admin
        .send(Method::PUT, "/api/v1/thresholds/high", &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["inr_max"], 1.5);
    assert_eq!(saved["version"], 2);
    let (status, problem) = admin
        .send(Method::PUT, "/api/v1/thresholds/high", &body)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["current_version"], 2);
    let bad = json!({ "version": 2, "inr_max": 9, "platelets_min": 0, "egfr_min": "x", "lab_max_age_days": 365, "source": " " });
    let (status, problem) = admin
        .send(Method::PUT, "/api/v1/thresholds/high", &bad)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in [
        "inr_max",
        "platelets_min",
        "egfr_min",
        "lab_max_age_days",
        "source",
    ] {
        assert_field_error(&problem, field);
    }
    let (status, _) = admin
        .send(Method::PUT, "/api/v1/thresholds/medium", &body)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = admin.get("/api/v1/thresholds").await;
    assert_eq!(
        list["items"][1]["inr_max"], 1.5,
        "the bad edits changed nothing"
    );
    assert_eq!(
        list["items"][0]["version"], 1,
        "the other category untouched"
    );

    // Through the page: errors beside the fields, then a save with the new source shown.
    let browser = app.browser("admin2", Role::Admin).await;
    let csrf = browser.csrf("/catalog/thresholds").await;
    let form = |inr: &str, version: &str| {
        vec![
            ("_csrf", csrf.clone()),
            ("version", version.to_string()),
            ("inr_max", inr.to_string()),
            ("platelets_min", "20".to_string()),
            ("egfr_min", "30".to_string()),
            ("lab_max_age_days", "30".to_string()),
            (
                "source",
                "Low-risk limits reviewed by the department, March 2026.".to_string(),
            ),
        ]
    };
    let (status, html, _) = browser
        .post_form("/catalog/thresholds/low", &form("12", "1"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"inr_max-low-error\""));
    assert!(html.contains("value=\"12\""));
    let (status, html, _) = browser
        .post_form("/catalog/thresholds/low", &form("2,5", "0"))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("id=\"stale-low\""));
    let (status, _, location) = browser
        .post_form("/catalog/thresholds/low", &form("2,5", "1"))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = browser.get(&location.expect("redirect")).await;
    let low = html
        .split("id=\"thresholds-low\"")
        .nth(1)
        .expect("low card");
    assert!(low.contains("≤ 2,50"));
    assert!(low.contains("Low-risk limits reviewed by the department, March 2026."));
}

// ---------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn rooms_are_created_and_edited_with_their_hours_named_per_weekday() {
    let app = TestApp::spawn().await;
    let scheduler = app.api(&app.token("sched", Role::Scheduler).await);
    let (status, created) = scheduler.post("/api/v1/rooms", &room("ct-1")).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["code"], "CT-1");
    assert_eq!(created["hours"][0], "08:00-12:00, 13:30-18:00");
    assert_eq!(created["hours"][6], "");
    assert_eq!(created["active"], true);
    let id = created["id"].as_str().expect("id").to_string();

    let (status, problem) = scheduler.post("/api/v1/rooms", &room("CT-1")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_field_error(&problem, "code");

    let mut bad = room("CT-2");
    bad["hours"][2] = json!("9h-17h");
    bad["hours"][4] = json!("12:00-08:00");
    let (status, problem) = scheduler.post("/api/v1/rooms", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_field_error(&problem, "hours.wed");
    assert_field_error(&problem, "hours.fri");
    let (_, list) = scheduler.get("/api/v1/rooms").await;
    assert_eq!(
        list["items"].as_array().map(Vec::len),
        Some(1),
        "nothing stored"
    );

    let mut edit = room("CT-1");
    edit["version"] = json!(1);
    edit["active"] = json!(true);
    edit["name"] = json!("Scanner 1 (salle 4)");
    edit["hours"][5] = json!("08:00-12:00");
    let (status, saved) = scheduler
        .send(Method::PUT, &format!("/api/v1/rooms/{id}"), &edit)
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["version"], 2);
    assert_eq!(saved["hours"][5], "08:00-12:00");
    let (status, problem) = scheduler
        .send(Method::PUT, &format!("/api/v1/rooms/{id}"), &edit)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["current_version"], 2);
    let (status, read) = scheduler.get(&format!("/api/v1/rooms/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["name"], "Scanner 1 (salle 4)");

    // Pages: a bad day is named beside its field; a good room is listed.
    let browser = app.browser("sched2", Role::Scheduler).await;
    let csrf = browser.csrf("/resources/rooms/new").await;
    let mut fields = vec![
        ("_csrf", csrf.as_str()),
        ("code", "ANGIO-1"),
        ("name", "Salle d'angiographie"),
        ("room_type", "angiography"),
        ("hours_mon", "08:00-18:00"),
        ("hours_wed", "08:00-12:00; 11:00-13:00"),
        ("active", "1"),
    ];
    let (status, html, _) = browser.post_form("/resources/rooms", &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let error = html
        .split("id=\"hours_wed-error\">")
        .nth(1)
        .expect("wednesday's error");
    assert!(error.starts_with("Mercredi"), "{error}");
    assert!(html.contains("value=\"08:00-12:00; 11:00-13:00\""));
    assert!(!html.contains("id=\"hours_mon-error\""));
    fields[5] = ("hours_wed", "08:00-12:00, 13:00-17:00");
    let (status, _, location) = browser.post_form("/resources/rooms", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = browser.get(&location.expect("redirect")).await;
    let row = html.split("id=\"room-ANGIO-1\"").nth(1).expect("listed");
    assert!(row.contains("Salle d&#39;angiographie") || row.contains("Salle d&#x27;angiographie"));
    assert!(row.contains("08:00-12:00, 13:00-17:00"));

    // Editing through the page, then a stale form.
    let page = format!("/resources/rooms/{id}");
    let (status, html) = browser.get(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("name=\"version\" value=\"2\""));
    let edit_fields = |version: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("version", version.to_string()),
            ("code", "CT-1".to_string()),
            ("name", "Scanner 1".to_string()),
            ("room_type", "ct".to_string()),
            ("hours_mon", "07:30-19:00".to_string()),
        ]
    };
    let (status, _, _) = browser.post_form(&page, &edit_fields("2")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, html, _) = browser.post_form(&page, &edit_fields("2")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("id=\"stale\""));
    let (_, read) = scheduler.get(&format!("/api/v1/rooms/{id}")).await;
    assert_eq!(read["hours"][0], "07:30-19:00");
    assert_eq!(
        read["active"], false,
        "the form's unchecked box takes it out of service"
    );
    assert_eq!(read["version"], 3);
}

#[tokio::test]
async fn equipment_serves_rooms_named_by_code_and_an_unknown_room_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.api(&app.token("admin", Role::Admin).await);
    for code in ["CT-1", "CT-2"] {
        let (status, _) = admin.post("/api/v1/rooms", &room(code)).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let generator = json!({ "code": "MW-1", "name": "Générateur micro-ondes", "kind": "mw_generator", "rooms": ["CT-1", "NOPE"] });
    let (status, problem) = admin.post("/api/v1/equipment", &generator).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_field_error(&problem, "rooms.1");
    let (_, list) = admin.get("/api/v1/equipment").await;
    assert_eq!(list["items"], json!([]), "nothing stored");
    let unknown_first =
        json!({ "code": "MW-1", "name": "Générateur", "kind": "mw_generator", "rooms": ["NOPE"] });
    let (status, problem) = admin.post("/api/v1/equipment", &unknown_first).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_field_error(&problem, "rooms.0");

    let good = json!({ "code": "mw-1", "name": "Générateur micro-ondes", "kind": "mw_generator", "rooms": ["CT-1"] });
    let (status, created) = admin.post("/api/v1/equipment", &good).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["rooms"], json!(["CT-1"]));
    let id = created["id"].as_str().expect("id").to_string();
    let (status, problem) = admin.post("/api/v1/equipment", &good).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_field_error(&problem, "code");

    let edit = json!({ "version": 1, "code": "MW-1", "name": "Générateur micro-ondes", "kind": "mw_generator", "rooms": ["CT-1", "CT-2"], "active": true });
    let (status, saved) = admin
        .send(Method::PUT, &format!("/api/v1/equipment/{id}"), &edit)
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["rooms"], json!(["CT-1", "CT-2"]));
    assert_eq!(saved["version"], 2);
    let (status, problem) = admin
        .send(Method::PUT, &format!("/api/v1/equipment/{id}"), &edit)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["current_version"], 2);

    // The page offers rooms as checkboxes and lists what each piece serves.
    let browser = app.browser("admin2", Role::Admin).await;
    let (status, html) = browser.get(&format!("/resources/equipment/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html.matches("name=\"rooms\" value=\"CT-").count(), 2);
    assert_eq!(
        html.matches(" checked> <span class=\"mono\">CT-").count(),
        2
    );
    let csrf = browser.csrf("/resources/equipment/new").await;
    let (status, html, _) = browser
        .post_form(
            "/resources/equipment",
            &[
                ("_csrf", csrf.as_str()),
                ("code", "CRYO-1"),
                ("name", "Console de cryoablation"),
                ("kind", "cryo_console"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"rooms-error\""));
    let (status, _, location) = browser
        .post_form(
            "/resources/equipment",
            &[
                ("_csrf", csrf.as_str()),
                ("code", "CRYO-1"),
                ("name", "Console de cryoablation"),
                ("kind", "cryo_console"),
                ("rooms", "CT-2"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = browser.get(&location.expect("redirect")).await;
    let row = html
        .split("id=\"equipment-CRYO-1\"")
        .nth(1)
        .expect("listed");
    assert!(row.contains("Console de cryoablation"));
    assert!(
        row.split("</tr>")
            .next()
            .unwrap_or_default()
            .contains("CT-2")
    );

    // Editing through the page: one room unchecked; a stale form shows what is stored.
    let page = format!("/resources/equipment/{id}");
    let fields = |version: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("version", version.to_string()),
            ("code", "MW-1".to_string()),
            ("name", "Générateur micro-ondes".to_string()),
            ("kind", "mw_generator".to_string()),
            ("rooms", "CT-2".to_string()),
            ("active", "1".to_string()),
        ]
    };
    let (status, _, _) = browser.post_form(&page, &fields("2")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, html, _) = browser.post_form(&page, &fields("2")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("id=\"stale\""));
    assert!(html.contains("name=\"version\" value=\"3\""));
    let (_, read) = admin.get(&format!("/api/v1/equipment/{id}")).await;
    assert_eq!(read["rooms"], json!(["CT-2"]));
    assert_eq!(read["version"], 3);
}

#[tokio::test]
async fn bed_units_are_created_and_edited_and_a_bad_capacity_is_named() {
    let app = TestApp::spawn().await;
    let scheduler = app.api(&app.token("sched", Role::Scheduler).await);
    let ward = json!({ "code": "RI-HC", "name": "Hospitalisation radiologie", "kind": "ward", "capacity": 6 });
    let (status, created) = scheduler.post("/api/v1/bed-units", &ward).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["capacity"], 6);
    let id = created["id"].as_str().expect("id").to_string();
    let (status, problem) = scheduler
        .post(
            "/api/v1/bed-units",
            &json!({ "code": "X", "name": "", "kind": "hotel", "capacity": 0 }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["name", "kind", "capacity"] {
        assert_field_error(&problem, field);
    }
    let (status, saved) = scheduler
        .send(Method::PUT, &format!("/api/v1/bed-units/{id}"), &json!({ "version": 1, "code": "RI-HC", "name": "Hospitalisation radiologie", "kind": "ward", "capacity": 8, "active": true }))
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["capacity"], 8);
    let (status, _) = scheduler
        .send(Method::PUT, &format!("/api/v1/bed-units/{id}"), &json!({ "version": 1, "code": "RI-HC", "name": "H", "kind": "ward", "capacity": 8, "active": true, "beds": 3 }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "unknown field");
    let (status, _) = scheduler
        .get("/api/v1/bed-units/0192f3a4-1b2c-7d8e-9f00-112233445566")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let browser = app.browser("sched2", Role::Scheduler).await;
    let csrf = browser.csrf("/resources/beds/new").await;
    let (status, html, _) = browser
        .post_form(
            "/resources/beds",
            &[
                ("_csrf", csrf.as_str()),
                ("code", "UA"),
                ("name", "Unité ambulatoire"),
                ("kind", "day_unit"),
                ("capacity", "douze"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"capacity-error\""));
    assert!(html.contains("value=\"douze\""));
    let (status, _, _) = browser
        .post_form(
            "/resources/beds",
            &[
                ("_csrf", csrf.as_str()),
                ("code", "UA"),
                ("name", "Unité ambulatoire"),
                ("kind", "day_unit"),
                ("capacity", "12"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, html, _) = browser
        .post_form(
            &format!("/resources/beds/{id}"),
            &[
                ("_csrf", csrf.as_str()),
                ("version", "2"),
                ("code", "UA"),
                ("name", "Doublon"),
                ("kind", "ward"),
                ("capacity", "3"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a taken code");
    assert!(html.contains("id=\"code-error\""));
    let (_, html) = browser.get("/resources").await;
    let row = html.split("id=\"bed-UA\"").nth(1).expect("listed");
    assert!(row.contains("Unité ambulatoire"));
    assert!(row.contains("class=\"capacity\">12<"));
    let (_, list) = scheduler.get("/api/v1/bed-units").await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(list["items"][0]["code"], "RI-HC");
    assert_eq!(
        list["items"][0]["capacity"], 8,
        "the refused edit changed nothing"
    );
}

#[tokio::test]
async fn resource_pages_are_for_resource_administrators_and_reads_for_everyone() {
    let app = TestApp::spawn().await;
    let nurse = app.browser("nurse", Role::Nurse).await;
    for page in ["/resources", "/resources/rooms/new", "/resources/staff"] {
        let (status, _) = nurse.get(page).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    }
    let (_, html) = nurse.get("/catalog").await;
    assert!(
        !html.contains("href=\"/resources\""),
        "no Resources tab for a nurse"
    );
    let scheduler = app.browser("sched", Role::Scheduler).await;
    let (status, html) = scheduler.get("/resources").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("href=\"/resources\""));
    let reader = app.api(&app.token("path", Role::Pathologist).await);
    for path in [
        "/api/v1/rooms",
        "/api/v1/equipment",
        "/api/v1/bed-units",
        "/api/v1/staff",
    ] {
        let (status, body) = reader.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(body["items"].is_array());
    }
    let (status, _) = reader.post("/api/v1/rooms", &room("CT-9")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

// ---------------------------------------------------------------------------------------
// Staff availability
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn weekly_hours_and_exceptions_are_set_and_removed() {
    let app = TestApp::spawn().await;
    app.user("dr.martin", Role::InterventionalRadiologist).await;
    app.user("dr.roux", Role::Anesthetist).await;
    app.user("nurse.jo", Role::Nurse).await;
    let admin = app.api(&app.token("sched", Role::Scheduler).await);
    let (status, staff) = admin.get("/api/v1/staff").await;
    assert_eq!(status, StatusCode::OK);
    let usernames: Vec<&str> = staff["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|p| p["username"].as_str())
        .collect();
    assert_eq!(
        usernames,
        ["dr.martin", "dr.roux"],
        "operators, then anesthetists; nobody else"
    );
    assert_eq!(staff["items"][0]["version"], 0);

    let weekly = json!({ "version": 0, "hours": week("08:00-18:00") });
    let (status, person) = admin
        .send(Method::PUT, "/api/v1/staff/dr.martin/weekly", &weekly)
        .await;
    assert_eq!(status, StatusCode::OK, "{person}");
    assert_eq!(person["version"], 1);
    assert_eq!(person["weekly"][0], "08:00-18:00");
    assert_eq!(person["weekly"][5], "");
    let (status, problem) = admin
        .send(Method::PUT, "/api/v1/staff/dr.martin/weekly", &weekly)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["current_version"], 1);
    let mut bad = json!({ "version": 1, "hours": week("08:00-18:00") });
    bad["hours"][1] = json!("all day");
    let (status, problem) = admin
        .send(Method::PUT, "/api/v1/staff/dr.martin/weekly", &bad)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_field_error(&problem, "hours.tue");
    let (status, _) = admin
        .send(Method::PUT, "/api/v1/staff/nurse.jo/weekly", &weekly)
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "only operators and anesthetists"
    );

    // 2026-11-30 is a Monday after the test clock's 2026-11-22.
    let (status, person) = admin
        .send(
            Method::PUT,
            "/api/v1/staff/dr.martin/exceptions/2026-11-30",
            &json!({ "hours": "", "reason": "Congrès JFR" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{person}");
    assert_eq!(
        person["exceptions"],
        json!([{ "date": "2026-11-30", "hours": "", "reason": "Congrès JFR" }])
    );
    let (status, person) = admin
        .send(
            Method::PUT,
            "/api/v1/staff/dr.martin/exceptions/2026-11-30",
            &json!({ "hours": "13:00-18:00", "reason": "" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        person["exceptions"],
        json!([{ "date": "2026-11-30", "hours": "13:00-18:00", "reason": null }]),
        "replaced"
    );
    let (status, problem) = admin
        .send(
            Method::PUT,
            "/api/v1/staff/dr.martin/exceptions/2026-02-30",
            &json!({ "hours": "9-5", "reason": "" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_field_error(&problem, "date");
    assert_field_error(&problem, "hours");
    let response = admin
        .request(
            Method::DELETE,
            "/api/v1/staff/dr.martin/exceptions/2026-11-30",
        )
        .send()
        .await
        .expect("delete");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = admin
        .request(
            Method::DELETE,
            "/api/v1/staff/dr.martin/exceptions/2026-11-30",
        )
        .send()
        .await
        .expect("delete");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let (_, staff) = admin.get("/api/v1/staff").await;
    assert_eq!(staff["items"][0]["exceptions"], json!([]));

    // The pages: the list, then one person's weekly hours and exceptions.
    let browser = app.browser("sched2", Role::Scheduler).await;
    let (status, html) = browser.get("/resources/staff").await;
    assert_eq!(status, StatusCode::OK);
    let operators = html.split("id=\"operators\"").nth(1).expect("operators");
    assert!(operators.contains("id=\"staff-dr.martin\""));
    let anesthetists = html
        .split("id=\"anesthetists\"")
        .nth(1)
        .expect("anesthetists");
    assert!(anesthetists.contains("id=\"staff-dr.roux\""));
    assert!(!html.contains("nurse.jo"));
    let (status, _) = browser.get("/resources/staff/nurse.jo").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let page = "/resources/staff/dr.roux";
    let csrf = browser.csrf(page).await;
    let (status, html, _) = browser
        .post_form(
            page,
            &[
                ("_csrf", csrf.as_str()),
                ("version", "0"),
                ("hours_mon", "08:00-13:00"),
                ("hours_thu", "14:00-12:00"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let error = html
        .split("id=\"hours_thu-error\">")
        .nth(1)
        .expect("thursday named");
    assert!(error.starts_with("Jeudi"), "{error}");
    let (status, _, location) = browser
        .post_form(
            page,
            &[
                ("_csrf", csrf.as_str()),
                ("version", "0"),
                ("hours_mon", "08:00-13:00"),
                ("hours_thu", "08:00-18:00"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = browser.get(&location.expect("redirect")).await;
    assert!(html.contains("id=\"saved\""));
    assert!(html.contains("value=\"08:00-18:00\""));
    let (status, html, _) = browser
        .post_form(
            page,
            &[
                ("_csrf", csrf.as_str()),
                ("version", "0"),
                ("hours_mon", "09:00-10:00"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "built on version 0, now 1");
    assert!(html.contains("id=\"stale\""));
    assert!(
        html.contains("value=\"08:00-13:00\""),
        "the current hours shown"
    );

    let exceptions = format!("{page}/exceptions");
    let (status, html, _) = browser
        .post_form(
            &exceptions,
            &[
                ("_csrf", csrf.as_str()),
                ("date", ""),
                ("hours", "soon"),
                ("reason", "Formation"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"date-error\"") && html.contains("id=\"hours-error\""));
    assert!(html.contains("value=\"Formation\""));
    let (status, _, _) = browser
        .post_form(
            &exceptions,
            &[
                ("_csrf", csrf.as_str()),
                ("date", "2026-12-03"),
                ("hours", ""),
                ("reason", "Formation"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = browser.get(page).await;
    assert!(html.contains("id=\"exception-2026-12-03\""));
    let (_, list) = browser.get("/resources/staff").await;
    assert!(
        list.contains("03/12/2026"),
        "upcoming exceptions on the list"
    );
    let (status, _, location) = browser
        .post_form(
            &format!("{page}/exceptions/2026-12-03/remove"),
            &[("_csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = browser.get(&location.expect("redirect")).await;
    assert!(html.contains("id=\"no-exceptions\""));
    let (status, _, _) = browser
        .post_form(
            &format!("{page}/exceptions/2026-12-03/remove"),
            &[("_csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, staff) = admin.get("/api/v1/staff").await;
    assert_eq!(staff["items"][1]["weekly"][3], "08:00-18:00");
    assert_eq!(staff["items"][1]["version"], 1);
}

#[tokio::test]
async fn the_openapi_document_describes_the_catalog_and_resources() {
    let app = TestApp::spawn().await;
    let api = app.api(&app.token("nurse", Role::Nurse).await);
    let (status, doc) = api.get("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    for path in [
        "/api/v1/catalog/{id}",
        "/api/v1/thresholds/{risk}",
        "/api/v1/staff/{username}/exceptions/{date}",
    ] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
    assert_eq!(
        doc["components"]["schemas"]["ProcedureTypeInput"]["properties"]["family"]["enum"][0],
        "biopsy"
    );
}
