//! `PUT` bodies are complete: a field the body lacks is a 422 naming it (`required`, with
//! its JSON pointer), and nothing changes — never a silent default that wipes what the
//! client did not repeat. A field that may be empty is sent as `null` or `""`. What a
//! `GET` answers goes back with `PUT` once edited.

use reqwest::StatusCode;
use seldinger_domain::Role;
use serde_json::{Value, json};

use crate::reports::{after_the_procedure, complete_report};
use crate::support::*;

/// Asserts a 422 whose only error is `field` (dotted), `required`.
#[track_caller]
fn assert_required(status: StatusCode, problem: &Value, field: &str) {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_field_error(problem, field);
    assert_eq!(problem["errors"][0]["code"], "required", "{problem}");
    assert_eq!(problem["errors"].as_array().map(Vec::len), Some(1));
}

/// `body` without `field`.
fn without(body: &Value, field: &str) -> Value {
    let mut body = body.clone();
    body.as_object_mut().expect("an object").remove(field);
    body
}

#[tokio::test]
async fn a_put_without_a_field_is_refused_naming_it_and_changes_nothing() {
    let app = TestApp::spawn().await;
    app.user("dr.martin", Role::InterventionalRadiologist).await;
    let scheduler = app.api(&app.token("sched", Role::Scheduler).await);

    // Weekly hours: only the version used to empty the whole week.
    let week = json!(["08:00-18:00", "08:00-18:00", "", "", "", "", ""]);
    let path = "/api/v1/staff/dr.martin/weekly";
    let (status, person) = scheduler
        .put(path, &json!({ "version": 0, "hours": week }))
        .await;
    assert_eq!(status, StatusCode::OK, "{person}");
    let (status, problem) = scheduler.put(path, &json!({ "version": 1 })).await;
    assert_required(status, &problem, "hours");
    let (_, staff) = scheduler.get("/api/v1/staff").await;
    assert_eq!(staff["items"][0]["weekly"], week, "the week is kept");
    assert_eq!(staff["items"][0]["version"], 1);

    // A bed unit without `active` used to be accepted.
    let ward = json!({ "code": "RI-HC", "name": "Hospitalisation radiologie", "kind": "ward", "capacity": 6 });
    let (status, created) = scheduler.post("/api/v1/bed-units", &ward).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let unit = format!("/api/v1/bed-units/{}", created["id"].as_str().expect("id"));
    let mut update = ward.clone();
    update["version"] = json!(1);
    update["capacity"] = json!(8);
    let (status, problem) = scheduler.put(&unit, &update).await;
    assert_required(status, &problem, "active");
    // `null` is not "absent": a capacity must be said, even as none.
    update["active"] = json!(true);
    let (status, problem) = scheduler.put(&unit, &without(&update, "capacity")).await;
    assert_required(status, &problem, "capacity");
    let (_, read) = scheduler.get(&unit).await;
    assert_eq!(
        (read["version"].clone(), read["capacity"].clone()),
        (json!(1), json!(6))
    );
    let (status, saved) = scheduler.put(&unit, &update).await;
    assert_eq!(status, StatusCode::OK, "complete, it is taken: {saved}");
    assert_eq!(saved["capacity"], 8);

    // A room without its hours, equipment without its rooms.
    let room = json!({ "code": "CT-1", "name": "Scanner 1", "room_type": "ct", "hours": week });
    let (status, created) = scheduler.post("/api/v1/rooms", &room).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let room_path = format!("/api/v1/rooms/{}", created["id"].as_str().expect("id"));
    let mut update = room.clone();
    update["version"] = json!(1);
    update["active"] = json!(true);
    let (status, problem) = scheduler.put(&room_path, &without(&update, "hours")).await;
    assert_required(status, &problem, "hours");
    let (_, read) = scheduler.get(&room_path).await;
    assert_eq!(read["hours"], week);
    assert_eq!(read["version"], 1);
    let generator =
        json!({ "code": "MW-1", "name": "Générateur", "kind": "mw_generator", "rooms": ["CT-1"] });
    let (status, created) = scheduler.post("/api/v1/equipment", &generator).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let equipment = format!("/api/v1/equipment/{}", created["id"].as_str().expect("id"));
    let mut update = generator.clone();
    update["version"] = json!(1);
    update["active"] = json!(true);
    let (status, problem) = scheduler.put(&equipment, &without(&update, "rooms")).await;
    assert_required(status, &problem, "rooms");
    let (_, read) = scheduler.get(&equipment).await;
    assert_eq!(read["rooms"], json!(["CT-1"]));

    // A patient without her anticoagulants: they used to be cleared.
    let nurse = app.api(&app.token("ide", Role::Nurse).await);
    let (status, created) = nurse.post("/api/v1/patients", &helene()).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let patient = format!("/api/v1/patients/{}", created["id"].as_str().expect("id"));
    let mut update = helene();
    update["version"] = json!(1);
    let (status, problem) = nurse
        .put(&patient, &without(&update, "anticoagulants"))
        .await;
    assert_required(status, &problem, "anticoagulants");
    let (_, read) = nurse.get(&patient).await;
    assert_eq!(read["anticoagulants"][0]["drug"], "apixaban");
    assert_eq!(read["version"], 1);
    // An entry of a list is complete too.
    update["allergies"] = json!([{ "kind": "latex" }]);
    let (status, problem) = nurse.put(&patient, &update).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a note is optional on an entry: {problem}"
    );
}

#[tokio::test]
async fn a_report_read_with_get_is_written_back_with_put_and_a_partial_one_is_refused() {
    let app = TestApp::spawn().await;
    let case = after_the_procedure(&app).await;
    let ir = app.api(&app.token("dr.ir", Role::InterventionalRadiologist).await);
    let path = format!("/api/v1/cases/{case}/report");
    let (status, saved) = ir
        .put(&path, &json!({ "version": 0, "report": complete_report() }))
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");

    // GET, edit, PUT back: the representation read is the one written.
    let (status, read) = ir.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    let mut report = read["report"].clone();
    report["conclusion"] = json!("Biopsie hépatique, pas de complication à J0.");
    let (status, saved) = ir
        .put(
            &path,
            &json!({ "version": read["version"], "report": report }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["version"], 2);
    assert_eq!(saved["report"], report, "stored as sent");

    // A report without its findings would have erased them.
    let (status, problem) = ir
        .put(
            &path,
            &json!({ "version": 2, "report": without(&report, "findings") }),
        )
        .await;
    assert_required(status, &problem, "report.findings");
    let (_, read) = ir.get(&path).await;
    assert_eq!(read["version"], 2);
    assert_eq!(read["report"]["findings"], report["findings"]);
}

#[tokio::test]
async fn the_largest_version_is_a_stale_one_not_a_dropped_connection() {
    let app = TestApp::spawn().await;
    let scheduler = app.api(&app.token("sched", Role::Scheduler).await);
    let week = json!(["08:00-18:00", "", "", "", "", "", ""]);
    let mut bodies = vec![
        (
            "/api/v1/rooms",
            json!({ "code": "CT-1", "name": "Scanner 1", "room_type": "ct", "hours": week }),
        ),
        (
            "/api/v1/bed-units",
            json!({ "code": "UA", "name": "Ambulatoire", "kind": "day_unit", "capacity": 6 }),
        ),
        (
            "/api/v1/equipment",
            json!({ "code": "MW-1", "name": "Générateur", "kind": "mw_generator", "rooms": ["CT-1"] }),
        ),
    ];
    for (collection, body) in &mut bodies {
        let (status, created) = scheduler.post(collection, body).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let path = format!("{collection}/{}", created["id"].as_str().expect("id"));
        body["version"] = json!(i64::MAX);
        body["active"] = json!(false);
        let (status, problem) = scheduler.put(&path, body).await;
        assert_eq!(status, StatusCode::CONFLICT, "{path}: {problem}");
        assert_eq!(problem["current_version"], 1, "{problem}");
        let (_, read) = scheduler.get(&path).await;
        assert_eq!(
            (read["version"].clone(), read["active"].clone()),
            (json!(1), json!(true))
        );
    }
}
