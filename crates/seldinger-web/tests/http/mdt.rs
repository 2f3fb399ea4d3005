//! MDT meetings, the checklist, the time-out and patient documents, through HTTP.
//!
//! Cases are brought to the step a test needs through the store (a referral, the MDT,
//! a booking), as the other areas' pages would; what is under test goes through HTTP.

use reqwest::StatusCode;
use reqwest::header::LOCATION;
use seldinger_domain::audit::Actor;
use seldinger_domain::case::{CaseEvent, ReferralInput};
use seldinger_domain::catalog::ProcedureCode;
use seldinger_domain::checklist::{Checklist, ChecklistInput};
use seldinger_domain::consultation::ConsentDecision;
use seldinger_domain::mdt::{AttendeeInput, Decision, DecisionInput, MeetingInput, NewMeeting};
use seldinger_domain::patient::{NewPatient, PatientInput};
use seldinger_domain::resources::{
    BedUnitDef, BedUnitInput, RoomDef, RoomInput, Span, WeeklyHours,
};
use seldinger_domain::{CaseId, Lang, MeetingId, PatientId, Role, RoomId, UserId};
use seldinger_store::bookings::BookingRequest;
use serde_json::{Value, json};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::support::*;

/// The procedure most tests plan: high bleeding risk (INR ≤ 1.80, platelets ≥ 50, labs
/// within 14 days), local anesthesia, no contrast, a day case in an ultrasound room.
const LIVER_BIOPSY: &str = "BIO-LIVER-US";

/// A checklist's `PUT` body: every field (a `PUT` is complete), empty unless `fields` says.
fn checklist_body(fields: Value) -> Value {
    let mut body = json!({
        "version": 0, "information_sheet_delivered": false, "inr": "", "inr_date": "",
        "platelets": "", "platelets_date": "", "creatinine": "", "creatinine_date": "",
        "egfr": "", "egfr_date": "", "anticoagulant_plan": "", "anticoagulant_note": "",
        "fasting_confirmed": false, "premedication": "", "pregnancy": "", "notes": ""
    });
    for (field, value) in fields.as_object().expect("an object") {
        body[field] = value.clone();
    }
    body
}

pub(crate) fn system() -> Actor {
    Actor::system("test")
}

pub(crate) fn now(app: &TestApp) -> OffsetDateTime {
    app.clock.now_value()
}

/// HTML text with askama's escapes undone, to look for sentences with apostrophes.
pub(crate) fn text(html: &str) -> String {
    html.replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[track_caller]
pub(crate) fn assert_contains(html: &str, needle: &str) {
    assert!(
        text(html).contains(needle),
        "{needle:?} not found in the page:\n{}",
        text(html)
    );
}

async fn patient(app: &TestApp, mrn: &str, family: &str, given: &str, birth: &str) -> PatientId {
    let input = PatientInput {
        mrn: mrn.into(),
        family_name: family.into(),
        given_names: given.into(),
        birth_date: birth.into(),
        sex: "female".into(),
        allergies: Vec::new(),
        anticoagulants: Vec::new(),
    };
    let new = NewPatient::parse(&input, now(app)).expect("valid patient");
    app.store
        .create_patient(&system(), &new, now(app))
        .await
        .expect("patient")
        .id
}

/// A referral for `procedure`, sent to the MDT: the case awaits a meeting.
pub(crate) async fn awaiting_case(app: &TestApp, patient: PatientId, procedure: &str) -> CaseId {
    let referral = ReferralInput {
        patient_id: patient.to_string(),
        referring_physician: "Dr Paul Martin".into(),
        indication: "Nodule du segment VII de 18 mm".into(),
        target_organ: "liver".into(),
        target_site: "Segment VII".into(),
        side: "right".into(),
        lesion_size_mm: Some(18),
        requested_procedure: procedure.into(),
        urgency: "elective".into(),
        ..ReferralInput::default()
    };
    let new = seldinger_domain::case::NewReferral::parse(&referral, now(app)).expect("referral");
    let case = app
        .store
        .create_referral(&system(), &new, now(app))
        .await
        .expect("case")
        .id;
    app.store
        .transition_case(&system(), case, &CaseEvent::SendToMdt, now(app))
        .await
        .expect("sent to the MDT");
    case
}

/// A case for a patient of its own, awaiting the MDT.
async fn new_awaiting_case(app: &TestApp, mrn: &str, family: &str) -> CaseId {
    let p = patient(app, mrn, family, "Hélène", "1960-05-14").await;
    awaiting_case(app, p, LIVER_BIOPSY).await
}

pub(crate) async fn store_meeting(app: &TestApp, starts_at: &str) -> MeetingId {
    let new = NewMeeting::parse(&MeetingInput {
        kind: "hepatobiliary".into(),
        starts_at: starts_at.into(),
        location: "Salle de staff, 3e étage".into(),
        attendees: vec![AttendeeInput {
            name: "Dr Claire Lemaire".into(),
            specialty: "interventional_radiology".into(),
        }],
    })
    .expect("meeting");
    app.store
        .create_meeting(&system(), &new, now(app))
        .await
        .expect("meeting")
        .id
}

/// Through the MDT to "to schedule" with `procedure`.
async fn to_schedule(app: &TestApp, case: CaseId, procedure: &str) {
    let meeting = store_meeting(app, "2026-11-20T14:00").await;
    app.store
        .add_to_agenda(&system(), meeting, case, now(app))
        .await
        .expect("on the agenda");
    let decision = Decision::parse(&DecisionInput {
        decision: "ir_procedure".into(),
        procedure: procedure.into(),
        rationale: "Biopsie avant décision thérapeutique.".into(),
        responsible_physician: "Dr Claire Lemaire".into(),
    })
    .expect("decision");
    app.store
        .decide(&system(), meeting, case, &decision, now(app))
        .await
        .expect("decided");
}

/// An ultrasound room open every day 07:00–20:00, a day unit, and an interventional
/// radiologist available at the same hours.
async fn resources(app: &TestApp) -> (RoomId, UserId) {
    let hours: [String; 7] = std::array::from_fn(|_| "07:00-20:00".to_string());
    let room = RoomDef::parse(&RoomInput {
        code: "ECHO-1".into(),
        name: "Salle d'échographie 1".into(),
        room_type: "ultrasound".into(),
        hours,
        active: true,
    })
    .expect("room");
    let room = app
        .store
        .create_room(&system(), &room, now(app))
        .await
        .expect("room")
        .room
        .id;
    let unit = BedUnitDef::parse(&BedUnitInput {
        code: "HDJ".into(),
        name: "Hôpital de jour".into(),
        kind: "day_unit".into(),
        capacity: Some(6),
        active: true,
    })
    .expect("bed unit");
    app.store
        .create_bed_unit(&system(), &unit, now(app))
        .await
        .expect("bed unit");
    let operator = app.user("operator", Role::InterventionalRadiologist).await;
    let weekly = WeeklyHours(std::array::from_fn(|_| {
        vec![Span {
            start: 7 * 60,
            end: 20 * 60,
        }]
    }));
    app.store
        .set_weekly_availability(&system(), operator.id, 0, &weekly, now(app))
        .await
        .expect("availability");
    (room, operator.id)
}

/// A case booked for a liver biopsy at `start`, with consent given: "scheduled".
async fn booked_case(app: &TestApp, start: OffsetDateTime) -> (CaseId, PatientId) {
    let p = patient(app, "IP-2026-0042", "Dupré-Lefèvre", "Hélène", "1960-05-14").await;
    let case = awaiting_case(app, p, LIVER_BIOPSY).await;
    to_schedule(app, case, LIVER_BIOPSY).await;
    let (room, operator) = resources(app).await;
    app.store
        .book_case(
            &system(),
            case,
            &BookingRequest {
                room,
                start,
                end: None,
                operator,
                anesthetist: None,
                equipment: None,
                bed_unit: None,
            },
            now(app),
        )
        .await
        .expect("booked");
    app.store
        .record_consent(
            &system(),
            case,
            ConsentDecision::Given,
            now(app).date(),
            None,
            now(app),
        )
        .await
        .expect("consent");
    (case, p)
}

/// Every item of a liver biopsy's checklist settled, labs sampled today.
fn complete_checklist(today: &str) -> ChecklistInput {
    ChecklistInput {
        information_sheet_delivered: true,
        inr: "1,10".into(),
        inr_date: today.into(),
        platelets: "210".into(),
        platelets_date: today.into(),
        ..ChecklistInput::default()
    }
}

/// A booked case made ready through the store.
pub(crate) async fn ready_case(app: &TestApp, start: OffsetDateTime) -> CaseId {
    let (case, _) = booked_case(app, start).await;
    let checklist =
        Checklist::parse(&complete_checklist("2026-11-22"), now(app).date()).expect("checklist");
    let (_, status) = app
        .store
        .save_checklist(&system(), case, 0, &checklist, now(app))
        .await
        .expect("saved");
    assert_eq!(status.code(), "ready");
    case
}

/// A browser signed in as a new user whose language is English.
async fn english_browser(app: &TestApp, username: &str, role: Role) -> Browser {
    let user = app.user(username, role).await;
    app.store
        .set_language(user.id, Lang::En)
        .await
        .expect("language");
    let browser = Browser::new(&app.url);
    let response = browser.sign_in(username, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    browser
}

async fn meeting_json(api: &Api, id: &str) -> Value {
    let (status, body) = api.get(&format!("/api/v1/mdt/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn agenda_item(meeting: &Value, case: CaseId) -> &Value {
    meeting["agenda"]
        .as_array()
        .expect("agenda")
        .iter()
        .find(|i| i["case_id"] == case.to_string())
        .unwrap_or_else(|| panic!("case {case} not on the agenda: {meeting}"))
}

fn id_from_location(location: &str) -> String {
    location
        .trim_start_matches("/mdt/")
        .split(['?', '/'])
        .next()
        .unwrap_or_default()
        .to_string()
}

// ---- meetings -------------------------------------------------------------------------

#[tokio::test]
async fn a_meeting_planned_in_the_form_keeps_its_attendees_and_ignores_empty_rows() {
    let app = TestApp::spawn().await;
    let browser = app.browser("claire", Role::Scheduler).await;
    let (status, form) = browser.get("/mdt/new").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(form.matches("name=\"attendee_name\"").count(), 8);
    let csrf = browser.csrf("/mdt/new").await;
    let mut fields = vec![
        ("_csrf", csrf.as_str()),
        ("kind", "hepatobiliary"),
        ("starts_at", "2026-11-24T14:00"),
        ("location", "Salle de staff, 3e étage"),
        ("attendee_name", "Dr Claire Lemaire"),
        ("attendee_specialty", "interventional_radiology"),
        ("attendee_name", ""),
        ("attendee_specialty", ""),
        ("attendee_name", "Pr Jean Dufour"),
        ("attendee_specialty", "surgery"),
    ];
    for _ in 0..5 {
        fields.push(("attendee_name", ""));
        fields.push(("attendee_specialty", ""));
    }
    let (status, _, location) = browser.post_form("/mdt", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = location.expect("location");
    assert!(location.ends_with("?done=created"), "{location}");
    let (status, page) = browser.get(&location).await;
    assert_eq!(status, StatusCode::OK);
    assert_contains(&page, "Réunion planifiée.");
    assert_contains(&page, "RCP hépatobiliaire");
    assert_contains(&page, "Dr Claire Lemaire");
    assert_contains(&page, "Radiologie interventionnelle");
    assert_contains(&page, "Pr Jean Dufour");
    assert_contains(&page, "24/11/2026 14:00");

    let api = app.api(&app.token("reader", Role::QualityOfficer).await);
    let id = id_from_location(&location);
    let meeting = meeting_json(&api, &id).await;
    assert_eq!(meeting["starts_at"], "2026-11-24T14:00:00Z");
    assert_eq!(
        meeting["attendees"],
        json!([
            { "name": "Dr Claire Lemaire", "specialty": "interventional_radiology" },
            { "name": "Pr Jean Dufour", "specialty": "surgery" }
        ])
    );
    let (_, list) = browser.get("/mdt").await;
    assert_contains(&list, "Salle de staff, 3e étage");
    assert!(list.contains(&format!("/mdt/{id}")));
}

#[tokio::test]
async fn a_meeting_form_with_errors_comes_back_with_each_message_beside_its_field() {
    let app = TestApp::spawn().await;
    let browser = app.browser("claire", Role::Scheduler).await;
    let csrf = browser.csrf("/mdt/new").await;
    let (status, page, _) = browser
        .post_form(
            "/mdt",
            &[
                ("_csrf", csrf.as_str()),
                ("kind", ""),
                ("starts_at", "24/11/2026"),
                ("location", "Salle de staff"),
                ("attendee_name", "Dr Claire Lemaire"),
                ("attendee_specialty", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for id in [
        "kind-error",
        "starts_at-error",
        "attendees-0-specialty-error",
    ] {
        assert!(page.contains(&format!("id=\"{id}\"")), "{id} missing");
    }
    assert!(
        page.contains("value=\"Dr Claire Lemaire\""),
        "typed value kept"
    );
    assert!(
        page.contains("value=\"Salle de staff\""),
        "typed value kept"
    );
    let api = app.api(&app.token("reader", Role::QualityOfficer).await);
    let (_, list) = api.get("/api/v1/mdt").await;
    assert_eq!(list["items"], json!([]), "nothing stored");
}

#[tokio::test]
async fn editing_a_meeting_with_a_stale_version_comes_back_409_with_the_current_values() {
    let app = TestApp::spawn().await;
    let id = store_meeting(&app, "2026-11-24T14:00").await;
    let browser = app.browser("claire", Role::Scheduler).await;
    let (status, form) = browser.get(&format!("/mdt/{id}/edit")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("value=\"2026-11-24T14:00\""));
    assert!(form.contains("name=\"version\" value=\"1\""));
    let csrf = browser.csrf(&format!("/mdt/{id}/edit")).await;
    let edit = |location: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("version", "1".to_string()),
            ("kind", "digestive_oncology".to_string()),
            ("starts_at", "2026-11-24T15:30".to_string()),
            ("location", location.to_string()),
            ("attendee_name", "Dr Claire Lemaire".to_string()),
            ("attendee_specialty", "interventional_radiology".to_string()),
        ]
    };
    let (status, _, location) = browser
        .post_form(&format!("/mdt/{id}"), &edit("Amphithéâtre B"))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location.as_deref(),
        Some(&*format!("/mdt/{id}?done=updated"))
    );
    let (status, page, _) = browser
        .post_form(&format!("/mdt/{id}"), &edit("Salle 12"))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("id=\"stale\""));
    assert!(
        page.contains("value=\"Amphithéâtre B\""),
        "current values shown"
    );
    assert!(page.contains("name=\"version\" value=\"2\""));

    let api = app.api(&app.token("sched", Role::Scheduler).await);
    let meeting = meeting_json(&api, &id.to_string()).await;
    assert_eq!(meeting["location"], "Amphithéâtre B");
    assert_eq!(meeting["kind"], "digestive_oncology");
    assert_eq!(meeting["starts_at"], "2026-11-24T15:30:00Z");
    let (status, body) = api
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/mdt/{id}"),
            &json!({ "version": 1, "kind": "general", "starts_at": "2026-11-25T08:00:00Z", "location": "", "attendees": [] }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["current_version"], 2);
    let (status, body) = api
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/mdt/{id}"),
            &json!({ "version": 2, "kind": "general", "starts_at": "2026-11-25T08:00:00+01:00", "location": "Salle 12", "attendees": [] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"], 3);
    assert_eq!(body["starts_at"], "2026-11-25T07:00:00Z");
}

#[tokio::test]
async fn the_api_plans_a_meeting_from_an_instant_and_names_every_bad_field() {
    let app = TestApp::spawn().await;
    let api = app.api(&app.token("sched", Role::Scheduler).await);
    let (status, body) = api
        .post(
            "/api/v1/mdt",
            &json!({ "kind": "astrology", "starts_at": "tomorrow", "attendees": [{ "name": "<b>x</b>", "specialty": "surgery" }] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["kind", "starts_at", "attendees.0.name"] {
        assert_field_error(&body, field);
    }
    let (status, _) = api
        .post(
            "/api/v1/mdt",
            &json!({ "kind": "general", "starts_at": "2026-11-24T14:00:00Z", "room": "x" }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "unknown fields are refused"
    );
    let (_, list) = api.get("/api/v1/mdt").await;
    assert_eq!(list["items"], json!([]), "nothing stored");

    let response = api
        .request(reqwest::Method::POST, "/api/v1/mdt")
        .json(&json!({
            "kind": "thoracic_oncology",
            "starts_at": "2026-11-24T13:00:00Z",
            "location": "Salle de staff",
            "attendees": [{ "name": "Dr Claire Lemaire", "specialty": "interventional_radiology" }, {}]
        }))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()[LOCATION]
        .to_str()
        .expect("location")
        .to_string();
    let created: Value = response.json().await.expect("json");
    assert_eq!(
        location,
        format!("/api/v1/mdt/{}", created["id"].as_str().expect("id"))
    );
    assert_eq!(created["attendees"].as_array().map(Vec::len), Some(1));
    assert_eq!(created["items"], 0);
    let (_, list) = api
        .get("/api/v1/mdt?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z")
        .await;
    assert_eq!(list["items"][0]["id"], created["id"]);
    let (_, none) = api
        .get("/api/v1/mdt?from=2026-11-25T00:00:00Z&to=2026-11-26T00:00:00Z")
        .await;
    assert_eq!(none["items"], json!([]));
    let (status, body) = api
        .get("/api/v1/mdt?from=2026-11-25T00:00:00Z&to=2026-11-24T00:00:00Z")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_field_error(&body, "to");
    let (status, _) = api.get(&format!("/api/v1/mdt/{}", uuid_like())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api.get("/api/v1/mdt/not-an-id").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_case_is_put_on_the_agenda_and_taken_off_it_from_the_meeting_page() {
    let app = TestApp::spawn().await;
    let case = new_awaiting_case(&app, "IP-1", "Dupré-Lefèvre").await;
    let meeting = store_meeting(&app, "2026-11-24T14:00").await;
    let browser = app.browser("claire", Role::Scheduler).await;
    let path = format!("/mdt/{meeting}");
    let (_, page) = browser.get(&path).await;
    assert!(
        page.contains(&format!("<option value=\"{case}\">")),
        "the case awaiting the MDT is offered"
    );
    let csrf = browser.csrf(&path).await;
    let case_id = case.to_string();
    let (status, _, location) = browser
        .post_form(
            &format!("{path}/agenda"),
            &[("_csrf", csrf.as_str()), ("case_id", case_id.as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = browser.get(&location.expect("location")).await;
    assert_contains(&page, "Le dossier est inscrit à l'ordre du jour.");
    assert!(page.contains(&format!("id=\"case-{case}\"")));
    assert_contains(&page, "Dupré-Lefèvre");
    assert_contains(&page, "Nodule du segment VII de 18 mm");
    assert_contains(&page, "Dr Paul Martin");
    assert!(page.contains(&format!("href=\"/cases/{case}\"")));
    assert!(
        !page.contains(&format!("<option value=\"{case}\">")),
        "no longer offered once on the agenda"
    );

    let (status, _, _) = browser
        .post_form(
            &format!("{path}/agenda/{case}/remove"),
            &[("_csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = browser.get(&path).await;
    assert!(page.contains("id=\"agenda-empty\""));
    assert!(page.contains(&format!("<option value=\"{case}\">")));
}

#[tokio::test]
async fn every_agenda_refusal_is_a_409_with_its_code_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let waiting = new_awaiting_case(&app, "IP-1", "Dupré-Lefèvre").await;
    let other = new_awaiting_case(&app, "IP-2", "Martin").await;
    let p = patient(&app, "IP-3", "Durand", "Anne", "1950-01-02").await;
    let referral = ReferralInput {
        patient_id: p.to_string(),
        referring_physician: "Dr Paul Martin".into(),
        indication: "Douleur lombaire".into(),
        target_organ: "kidney".into(),
        side: "left".into(),
        requested_procedure: LIVER_BIOPSY.into(),
        urgency: "urgent".into(),
        ..ReferralInput::default()
    };
    let new = seldinger_domain::case::NewReferral::parse(&referral, now(&app)).expect("referral");
    let referred = app
        .store
        .create_referral(&system(), &new, now(&app))
        .await
        .expect("case")
        .id;
    let meeting = store_meeting(&app, "2026-11-24T14:00").await;
    let api = app.api(&app.token("rad", Role::InterventionalRadiologist).await);
    let agenda = format!("/api/v1/mdt/{meeting}/agenda");

    let (status, body) = api.post(&agenda, &json!({ "case_id": waiting })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(agenda_item(&body, waiting)["position"], 1);
    let before = meeting_json(&api, &meeting.to_string()).await["agenda"].clone();

    let decision = json!({ "decision": "surgery", "rationale": "Résécable.", "responsible_physician": "Dr Claire Lemaire" });
    let refusals: Vec<(reqwest::Method, String, Value, &str)> = vec![
        (
            reqwest::Method::POST,
            agenda.clone(),
            json!({ "case_id": referred }),
            "case_not_awaiting_mdt",
        ),
        (
            reqwest::Method::POST,
            agenda.clone(),
            json!({ "case_id": waiting }),
            "already_on_agenda",
        ),
        (
            reqwest::Method::DELETE,
            format!("{agenda}/{other}"),
            Value::Null,
            "not_on_agenda",
        ),
        (
            reqwest::Method::POST,
            format!("{agenda}/{other}/decision"),
            decision.clone(),
            "not_on_agenda",
        ),
    ];
    for (method, path, body, code) in refusals {
        let (status, problem) = if method == reqwest::Method::DELETE {
            let response = api.request(method, &path).send().await.expect("delete");
            let status = response.status();
            (
                status,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        } else {
            api.send(method, &path, &body).await
        };
        assert_eq!(status, StatusCode::CONFLICT, "{path}: {problem}");
        assert_eq!(problem["code"], code, "{path}");
        assert_eq!(
            meeting_json(&api, &meeting.to_string()).await["agenda"],
            before,
            "nothing changed after {code}"
        );
    }

    let (status, decided) = api
        .post(&format!("{agenda}/{waiting}/decision"), &decision)
        .await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    let after_decision = meeting_json(&api, &meeting.to_string()).await["agenda"].clone();
    let (status, problem) = api
        .post(&format!("{agenda}/{waiting}/decision"), &decision)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["code"], "already_decided");
    let response = api
        .request(reqwest::Method::DELETE, &format!("{agenda}/{waiting}"))
        .send()
        .await
        .expect("delete");
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let problem: Value = response.json().await.expect("problem");
    assert_eq!(problem["code"], "already_decided");
    assert_eq!(
        meeting_json(&api, &meeting.to_string()).await["agenda"],
        after_decision
    );

    // The page shows the reason in the user's language, with a 409.
    let browser = app.browser("claire", Role::Scheduler).await;
    let path = format!("/mdt/{meeting}");
    let csrf = browser.csrf(&path).await;
    let referred_id = referred.to_string();
    let (status, page, _) = browser
        .post_form(
            &format!("{path}/agenda"),
            &[("_csrf", csrf.as_str()), ("case_id", referred_id.as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("id=\"refusal\""));
    assert_contains(
        &page,
        "seul un dossier en attente de RCP peut être inscrit à l'ordre du jour",
    );
    let (status, page, _) = browser
        .post_form(
            &format!("{path}/agenda/{waiting}/remove"),
            &[("_csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_contains(&page, "la RCP a déjà rendu sa décision pour ce dossier");
    let rad = app
        .browser("lemaire", Role::InterventionalRadiologist)
        .await;
    let csrf = rad.csrf(&path).await;
    let (status, page, _) = rad
        .post_form(
            &format!("{path}/agenda/{other}/decision"),
            &[
                ("_csrf", csrf.as_str()),
                ("decision", "surgery"),
                ("rationale", "Résécable."),
                ("responsible_physician", "Dr Claire Lemaire"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_contains(
        &page,
        "le dossier n'est pas à l'ordre du jour de cette réunion",
    );
}

#[tokio::test]
async fn decisions_move_the_case_each_in_its_own_way() {
    let app = TestApp::spawn().await;
    let p1 = patient(&app, "IP-1", "Dupré-Lefèvre", "Hélène", "1960-05-14").await;
    let ir = awaiting_case(&app, p1, "ABL-LIVER-MW").await;
    let surgery = new_awaiting_case(&app, "IP-2", "Martin").await;
    let work_up = new_awaiting_case(&app, "IP-3", "Durand").await;
    let meeting = store_meeting(&app, "2026-11-24T14:00").await;
    let api = app.api(&app.token("rad", Role::InterventionalRadiologist).await);
    for case in [ir, surgery, work_up] {
        let (status, body) = api
            .post(
                &format!("/api/v1/mdt/{meeting}/agenda"),
                &json!({ "case_id": case }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    // The IR decision through the page, with the procedure chosen there.
    let browser = app
        .browser("lemaire", Role::InterventionalRadiologist)
        .await;
    let path = format!("/mdt/{meeting}");
    let (_, page) = browser.get(&path).await;
    assert!(
        page.contains("name=\"responsible_physician\" value=\"Test lemaire\""),
        "the physician is prefilled with the user's name"
    );
    let csrf = browser.csrf(&path).await;
    let (status, _, location) = browser
        .post_form(
            &format!("{path}/agenda/{ir}/decision"),
            &[
                ("_csrf", csrf.as_str()),
                ("decision", "ir_procedure"),
                ("procedure", LIVER_BIOPSY),
                (
                    "rationale",
                    "Biopsie d'abord : la nature de la lésion n'est pas établie.",
                ),
                ("responsible_physician", "Dr Claire Lemaire"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = browser.get(&location.expect("location")).await;
    assert_contains(
        &page,
        "Décision enregistrée ; le dossier est désormais : à programmer",
    );
    assert_contains(&page, "la nature de la lésion n'est pas établie");

    let (status, body) = api
        .post(
            &format!("/api/v1/mdt/{meeting}/agenda/{surgery}/decision"),
            &json!({ "decision": "surgery", "procedure": "ignored", "rationale": "Lésion résécable.", "responsible_physician": "Pr Jean Dufour" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "closed");
    let (status, body) = api
        .post(
            &format!("/api/v1/mdt/{meeting}/agenda/{work_up}/decision"),
            &json!({ "decision": "more_work_up", "rationale": "IRM hépatique à compléter.", "responsible_physician": "Dr Claire Lemaire" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "awaiting_mdt");

    let biopsy = app
        .store
        .procedure_type_by_code(&ProcedureCode::parse(LIVER_BIOPSY).expect("code"))
        .await
        .expect("procedure");
    let m = meeting_json(&api, &meeting.to_string()).await;
    assert_eq!(m["decided"], 3);
    let item = agenda_item(&m, ir);
    assert_eq!(item["status"], "to_schedule");
    assert_eq!(item["decision"], "ir_procedure");
    assert_eq!(
        item["procedure_code"], LIVER_BIOPSY,
        "planned with the decided procedure"
    );
    assert_eq!(item["procedure_version_id"], biopsy.version_id.to_string());
    assert_eq!(agenda_item(&m, surgery)["status"], "closed");
    assert_eq!(
        agenda_item(&m, surgery)["procedure_version_id"],
        Value::Null
    );
    assert_eq!(agenda_item(&m, work_up)["status"], "awaiting_mdt");

    // More work-up: the case can go to a later meeting.
    let later = store_meeting(&app, "2026-12-01T14:00").await;
    let (status, body) = api
        .post(
            &format!("/api/v1/mdt/{later}/agenda"),
            &json!({ "case_id": work_up }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_decision_form_with_errors_comes_back_beside_its_fields_and_decides_nothing() {
    let app = TestApp::spawn().await;
    let case = new_awaiting_case(&app, "IP-1", "Dupré-Lefèvre").await;
    let meeting = store_meeting(&app, "2026-11-24T14:00").await;
    app.store
        .add_to_agenda(&system(), meeting, case, now(&app))
        .await
        .expect("agenda");
    let browser = app
        .browser("lemaire", Role::InterventionalRadiologist)
        .await;
    let path = format!("/mdt/{meeting}");
    let csrf = browser.csrf(&path).await;
    let (status, page, _) = browser
        .post_form(
            &format!("{path}/agenda/{case}/decision"),
            &[
                ("_csrf", csrf.as_str()),
                ("decision", "ir_procedure"),
                ("procedure", ""),
                ("rationale", ""),
                ("responsible_physician", "Dr Claire Lemaire"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains(&format!("id=\"procedure-{case}-error\"")));
    assert!(page.contains(&format!("id=\"rationale-{case}-error\"")));
    assert!(
        page.contains("<option value=\"ir_procedure\" selected>"),
        "typed value kept"
    );
    let (status, page, _) = browser
        .post_form(
            &format!("{path}/agenda/{case}/decision"),
            &[
                ("_csrf", csrf.as_str()),
                ("decision", "ir_procedure"),
                ("procedure", "NO-SUCH-PROC"),
                ("rationale", "Biopsie."),
                ("responsible_physician", "Dr Claire Lemaire"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains(&format!("id=\"procedure-{case}-error\"")));
    let api = app.api(&app.token("reader", Role::QualityOfficer).await);
    let m = meeting_json(&api, &meeting.to_string()).await;
    assert_eq!(agenda_item(&m, case)["decision"], Value::Null);
    assert_eq!(agenda_item(&m, case)["status"], "awaiting_mdt");
}

#[tokio::test]
async fn readers_see_the_meeting_without_the_forms_they_may_not_use() {
    let app = TestApp::spawn().await;
    let case = new_awaiting_case(&app, "IP-1", "Dupré-Lefèvre").await;
    let meeting = store_meeting(&app, "2026-11-24T14:00").await;
    app.store
        .add_to_agenda(&system(), meeting, case, now(&app))
        .await
        .expect("agenda");
    let nurse = app.browser("nurse", Role::Nurse).await;
    let path = format!("/mdt/{meeting}");
    let (status, page) = nurse.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert_contains(&page, "Dupré-Lefèvre");
    assert!(!page.contains("/decision\""), "no decision form");
    assert!(!page.contains("id=\"add-case\""), "no agenda form");
    assert!(!page.contains("id=\"edit-meeting\""));
    let csrf = nurse.csrf(&path).await;
    let (status, _, _) = nurse
        .post_form(
            &format!("{path}/agenda/{case}/decision"),
            &[("_csrf", csrf.as_str()), ("decision", "surgery")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A scheduler manages meetings but does not decide.
    let scheduler = app.browser("sched", Role::Scheduler).await;
    let (_, page) = scheduler.get(&path).await;
    assert!(page.contains("id=\"add-case\""));
    assert!(!page.contains("/decision\""));
}

#[tokio::test]
async fn the_printable_record_lists_the_attendees_and_each_decision() {
    let app = TestApp::spawn().await;
    let decided = new_awaiting_case(&app, "IP-1", "Dupré-Lefèvre").await;
    let pending = new_awaiting_case(&app, "IP-2", "Martin").await;
    let meeting = store_meeting(&app, "2026-11-24T14:00").await;
    for case in [decided, pending] {
        app.store
            .add_to_agenda(&system(), meeting, case, now(&app))
            .await
            .expect("agenda");
    }
    let decision = Decision::parse(&DecisionInput {
        decision: "radiotherapy".into(),
        rationale: "Radiothérapie stéréotaxique proposée.".into(),
        responsible_physician: "Dr Sophie Bernard".into(),
        ..DecisionInput::default()
    })
    .expect("decision");
    app.store
        .decide(&system(), meeting, decided, &decision, now(&app))
        .await
        .expect("decided");
    let browser = app.browser("nurse", Role::Nurse).await;
    let (status, record) = browser.get(&format!("/mdt/{meeting}/record")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(record.contains("<h1 id=\"record-title\">Compte rendu de RCP</h1>"));
    assert!(!record.contains("<nav"), "no navigation on a document");
    for needle in [
        "RCP hépatobiliaire",
        "Salle de staff, 3e étage",
        "Dr Claire Lemaire — Radiologie interventionnelle",
        "Dupré-Lefèvre",
        "Radiothérapie stéréotaxique proposée.",
        "Dr Sophie Bernard",
        "Aucune décision enregistrée lors de cette réunion.",
        "Signature du médecin coordonnateur",
    ] {
        assert_contains(&record, needle);
    }
    let english = english_browser(&app, "reader", Role::QualityOfficer).await;
    let (_, record) = english.get(&format!("/mdt/{meeting}/record")).await;
    assert!(record.contains("<h1 id=\"record-title\">MDT meeting record</h1>"));
    assert_contains(&record, "Dr Claire Lemaire — Interventional radiology");
    assert_contains(&record, "Radiotherapy");
}

// ---- checklist ------------------------------------------------------------------------

#[tokio::test]
async fn an_inr_above_the_limit_is_saved_keeps_the_case_scheduled_and_the_page_says_why() {
    let app = TestApp::spawn().await;
    let (case, _) = booked_case(&app, datetime!(2026-11-25 10:00 UTC)).await;
    let browser = app.browser("nurse", Role::Nurse).await;
    let path = format!("/cases/{case}/checklist");
    let (status, page) = browser.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert_contains(&page, "Dupré-Lefèvre");
    assert_contains(&page, "Biopsie hépatique");
    assert!(page.contains("name=\"version\" value=\"0\""));
    let csrf = browser.csrf(&path).await;
    let (status, _, location) = browser
        .post_form(
            &path,
            &[
                ("_csrf", csrf.as_str()),
                ("version", "0"),
                ("information_sheet_delivered", "1"),
                ("inr", "2,10"),
                ("inr_date", "2026-11-22"),
                ("platelets", "210"),
                ("platelets_date", "2026-11-22"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some(&*format!("{path}?saved=1")));
    let (_, page) = browser.get(&format!("{path}?saved=1")).await;
    assert_contains(&page, "Enregistré.");
    assert_contains(
        &page,
        "INR 2,10 supérieur à 1,80, limite pour un geste à risque hémorragique élevé",
    );
    assert_contains(&page, "Pas prêt — éléments bloquants : 1");
    assert_contains(&page, "SIR 2019");
    assert!(page.contains("id=\"case-status\">programmé<"));
    assert!(page.contains("value=\"2.10\""), "the saved value is shown");

    let api = app.api(&app.token("reader", Role::QualityOfficer).await);
    let (status, view) = api.get(&format!("/api/v1/cases/{case}/checklist")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["version"], 1);
    assert_eq!(view["complete"], false);
    assert_eq!(view["procedure_date"], "2026-11-25");
    assert_eq!(view["thresholds"]["inr_max"], "1.80");
    assert_eq!(view["thresholds"]["bleeding_risk"], "high");
    assert_eq!(view["checklist"]["inr"], "2.10");
    let inr = view["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["item"] == "inr")
        .expect("inr item");
    assert_eq!(inr["state"], "failed");
    assert_eq!(inr["reason"], "inr_too_high");
}

#[tokio::test]
async fn a_result_without_its_date_is_saved_and_shown_as_blocking() {
    let app = TestApp::spawn().await;
    let (case, _) = booked_case(&app, datetime!(2026-11-25 10:00 UTC)).await;
    let api = app.api(&app.token("nurse", Role::Nurse).await);
    let (status, body) = api
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/cases/{case}/checklist"),
            &checklist_body(json!({ "version": 0, "information_sheet_delivered": true, "inr": "1.1", "platelets": "210", "platelets_date": "2026-11-22" }))
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "scheduled");
    assert_eq!(body["blocking"], 1);
    let browser = app.browser("radio", Role::Radiographer).await;
    let (_, page) = browser.get(&format!("/cases/{case}/checklist")).await;
    assert_contains(&page, "le résultat n'a pas de date de prélèvement");
    let english = english_browser(&app, "reader", Role::QualityOfficer).await;
    let (_, page) = english.get(&format!("/cases/{case}/checklist")).await;
    assert_contains(&page, "the result has no sampling date");
    assert_contains(&page, "Not ready — items blocking: 1");
}

#[tokio::test]
async fn a_complete_checklist_makes_the_case_ready() {
    let app = TestApp::spawn().await;
    let (case, _) = booked_case(&app, datetime!(2026-11-25 10:00 UTC)).await;
    let api = app.api(&app.token("nurse", Role::Nurse).await);
    let mut body = json!(complete_checklist("2026-11-22"));
    body["version"] = json!(0);
    let (status, saved) = api
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/cases/{case}/checklist"),
            &body,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["status"], "ready");
    assert_eq!(saved["complete"], true);
    assert_eq!(saved["version"], 1);
    let browser = app.browser("radio", Role::Radiographer).await;
    let (_, page) = browser.get(&format!("/cases/{case}/checklist")).await;
    assert_contains(&page, "Le dossier est prêt.");
    assert!(page.contains("id=\"case-status\">prêt<"));
    assert!(
        !page.contains("id=\"timeout\""),
        "no time-out before the day of the procedure"
    );
}

#[tokio::test]
async fn saving_a_checklist_before_booking_is_refused_with_the_reason() {
    let app = TestApp::spawn().await;
    let case = new_awaiting_case(&app, "IP-1", "Dupré-Lefèvre").await;
    to_schedule(&app, case, LIVER_BIOPSY).await;
    let browser = app.browser("nurse", Role::Nurse).await;
    let path = format!("/cases/{case}/checklist");
    let (status, page) = browser.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"needs-booking\""));
    let csrf = browser.csrf(&path).await;
    let (status, page, _) = browser
        .post_form(
            &path,
            &[
                ("_csrf", csrf.as_str()),
                ("version", "0"),
                ("inr", "1,1"),
                ("inr_date", "2026-11-22"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("id=\"refusal\""));
    assert_contains(
        &page,
        "la check-list se remplit une fois le dossier programmé",
    );
    assert!(page.contains("value=\"1,1\""), "typed value kept");
    let api = app.api(&app.token("nurse2", Role::Nurse).await);
    let (status, problem) = api
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/cases/{case}/checklist"),
            &checklist_body(json!({ "version": 0, "inr": "1.1", "inr_date": "2026-11-22" })),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["code"], "checklist_needs_booking");
    let (_, view) = api.get(&format!("/api/v1/cases/{case}/checklist")).await;
    assert_eq!(view["version"], 0, "nothing saved");
    assert_eq!(view["checklist"]["inr"], "");
}

#[tokio::test]
async fn impossible_values_come_back_422_beside_their_fields_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let (case, _) = booked_case(&app, datetime!(2026-11-25 10:00 UTC)).await;
    let browser = app.browser("nurse", Role::Nurse).await;
    let path = format!("/cases/{case}/checklist");
    let csrf = browser.csrf(&path).await;
    let (status, page, _) = browser
        .post_form(
            &path,
            &[
                ("_csrf", csrf.as_str()),
                ("version", "0"),
                ("inr", "40"),
                ("inr_date", "2026-11-22"),
                ("platelets", "abc"),
                ("egfr", "60"),
                ("egfr_date", "2026-12-01"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for id in ["inr-error", "platelets-error", "egfr_date-error"] {
        assert!(page.contains(&format!("id=\"{id}\"")), "{id} missing");
    }
    assert!(page.contains("value=\"abc\""), "typed value kept");
    let api = app.api(&app.token("nurse2", Role::Nurse).await);
    let (status, problem) = api
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/cases/{case}/checklist"),
            &checklist_body(json!({ "version": 0, "inr": "40", "pregnancy": "maybe" })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_field_error(&problem, "inr");
    assert_field_error(&problem, "pregnancy");
    let (status, _) = api
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/cases/{case}/checklist"),
            &checklist_body(json!({ "version": 0, "hemoglobin": "12" })),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "unknown fields are refused"
    );
    let (_, view) = api.get(&format!("/api/v1/cases/{case}/checklist")).await;
    assert_eq!(view["version"], 0, "nothing saved");
}

#[tokio::test]
async fn a_stale_checklist_comes_back_409_with_the_current_values() {
    let app = TestApp::spawn().await;
    let (case, _) = booked_case(&app, datetime!(2026-11-25 10:00 UTC)).await;
    let browser = app.browser("nurse", Role::Nurse).await;
    let path = format!("/cases/{case}/checklist");
    let csrf = browser.csrf(&path).await;
    let save = |inr: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("version", "0".to_string()),
            ("inr", inr.to_string()),
            ("inr_date", "2026-11-22".to_string()),
        ]
    };
    let (status, _, _) = browser.post_form(&path, &save("1.2")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, page, _) = browser.post_form(&path, &save("1.5")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("id=\"stale\""));
    assert!(page.contains("value=\"1.20\""), "the stored value is shown");
    assert!(page.contains("name=\"version\" value=\"1\""));
    let api = app.api(&app.token("nurse2", Role::Nurse).await);
    let (status, problem) = api
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/cases/{case}/checklist"),
            &checklist_body(json!({ "version": 0, "inr": "1.7", "inr_date": "2026-11-22" })),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["current_version"], 1);
    let (_, view) = api.get(&format!("/api/v1/cases/{case}/checklist")).await;
    assert_eq!(view["checklist"]["inr"], "1.20");
}

// ---- time-out -------------------------------------------------------------------------

#[tokio::test]
async fn the_time_out_is_recorded_on_the_day_and_only_once() {
    let app = TestApp::spawn().await;
    let case = ready_case(&app, datetime!(2026-11-22 14:00 UTC)).await;
    let browser = app.browser("radio", Role::Radiographer).await;
    let path = format!("/cases/{case}/checklist");
    let (_, page) = browser.get(&path).await;
    assert!(
        page.contains("id=\"timeout\""),
        "the time-out form is shown on the day"
    );
    assert_contains(&page, "Côté confirmé — <strong>Droit</strong>");
    assert_contains(&page, "Segment VII");
    assert_contains(&page, "Geste confirmé — <strong>Biopsie hépatique");
    let csrf = browser.csrf(&path).await;
    let (status, _, location) = browser
        .post_form(
            &format!("/cases/{case}/timeout"),
            &[
                ("_csrf", csrf.as_str()),
                ("identity_confirmed", "1"),
                ("site_confirmed", "1"),
                ("side_confirmed", "1"),
                ("procedure_confirmed", "1"),
                ("notes", "Repérage échographique conforme."),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = browser.get(&location.expect("location")).await;
    assert_contains(&page, "Time-out enregistré.");
    assert_contains(&page, "Time-out enregistré par radio");
    assert_contains(&page, "Repérage échographique conforme.");
    assert!(!page.contains("id=\"record-timeout\""), "no second form");

    let api = app.api(&app.token("rad", Role::InterventionalRadiologist).await);
    let all = json!({ "identity_confirmed": true, "site_confirmed": true, "side_confirmed": true, "procedure_confirmed": true });
    let (status, problem) = api
        .post(&format!("/api/v1/cases/{case}/timeout"), &all)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["code"], "timeout_already_recorded");
    let (_, view) = api.get(&format!("/api/v1/cases/{case}/checklist")).await;
    let timeouts = view["timeouts"].as_array().expect("timeouts");
    assert_eq!(timeouts.len(), 1, "nothing more recorded");
    assert_eq!(timeouts[0]["recorded_by"], "radio");
    assert_eq!(timeouts[0]["recorded_at"], "2026-11-22T09:00:00Z");
}

#[tokio::test]
async fn the_time_out_is_refused_the_day_before_and_accepted_on_the_day() {
    let app = TestApp::spawn().await;
    let case = ready_case(&app, datetime!(2026-11-23 10:00 UTC)).await;
    let api = app.api(&app.token("rad", Role::InterventionalRadiologist).await);
    let all = json!({ "identity_confirmed": true, "site_confirmed": true, "side_confirmed": true, "procedure_confirmed": true });
    let path = format!("/api/v1/cases/{case}/timeout");
    let (status, problem) = api.post(&path, &all).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["code"], "timeout_not_on_the_day");
    let browser = app.browser("radio", Role::Radiographer).await;
    let page_path = format!("/cases/{case}/checklist");
    let csrf = browser.csrf(&page_path).await;
    let (status, page, _) = browser
        .post_form(
            &format!("/cases/{case}/timeout"),
            &[
                ("_csrf", csrf.as_str()),
                ("identity_confirmed", "1"),
                ("site_confirmed", "1"),
                ("side_confirmed", "1"),
                ("procedure_confirmed", "1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_contains(&page, "le time-out se fait le jour du geste");
    let (_, view) = api.get(&format!("/api/v1/cases/{case}/checklist")).await;
    assert_eq!(view["timeouts"], json!([]), "nothing recorded");

    app.clock.advance(Duration::hours(23));
    let response = api
        .request(reqwest::Method::POST, &path)
        .json(&all)
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(
        response.headers()[LOCATION],
        format!("/api/v1/cases/{case}/checklist").as_str()
    );
    let record: Value = response.json().await.expect("json");
    assert_eq!(record["recorded_by"], "rad");
    assert_eq!(record["side_confirmed"], true);
}

#[tokio::test]
async fn unconfirmed_time_out_checks_are_each_named() {
    let app = TestApp::spawn().await;
    let case = ready_case(&app, datetime!(2026-11-22 14:00 UTC)).await;
    let browser = app.browser("radio", Role::Radiographer).await;
    let csrf = browser.csrf(&format!("/cases/{case}/checklist")).await;
    let (status, page, _) = browser
        .post_form(
            &format!("/cases/{case}/timeout"),
            &[("_csrf", csrf.as_str()), ("identity_confirmed", "1")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["site_confirmed", "side_confirmed", "procedure_confirmed"] {
        assert!(
            page.contains(&format!("id=\"{field}-error\"")),
            "{field} not named"
        );
    }
    assert!(!page.contains("id=\"identity_confirmed-error\""));
    assert!(
        page.contains("name=\"identity_confirmed\" value=\"1\" checked"),
        "ticked box kept"
    );
    let api = app.api(&app.token("rad", Role::InterventionalRadiologist).await);
    let (status, problem) = api
        .post(
            &format!("/api/v1/cases/{case}/timeout"),
            &json!({ "identity_confirmed": true, "site_confirmed": true }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_field_error(&problem, "side_confirmed");
    assert_field_error(&problem, "procedure_confirmed");
    let (_, view) = api.get(&format!("/api/v1/cases/{case}/checklist")).await;
    assert_eq!(view["timeouts"], json!([]), "nothing recorded");
}

#[tokio::test]
async fn a_time_out_is_refused_while_the_case_is_not_ready() {
    let app = TestApp::spawn().await;
    let (case, _) = booked_case(&app, datetime!(2026-11-22 14:00 UTC)).await;
    let api = app.api(&app.token("rad", Role::InterventionalRadiologist).await);
    let (status, problem) = api
        .post(
            &format!("/api/v1/cases/{case}/timeout"),
            &json!({ "identity_confirmed": true, "site_confirmed": true, "side_confirmed": true, "procedure_confirmed": true }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["code"], "case_not_ready");
    let browser = app.browser("radio", Role::Radiographer).await;
    let (_, page) = browser.get(&format!("/cases/{case}/checklist")).await;
    assert!(
        !page.contains("id=\"record-timeout\""),
        "no form before the case is ready"
    );
}

// ---- documents ------------------------------------------------------------------------

#[tokio::test]
async fn documents_in_french_and_english_name_the_patient_the_procedure_and_the_sheet() {
    let app = TestApp::spawn().await;
    let (case, _) = booked_case(&app, datetime!(2026-11-25 10:00 UTC)).await;
    let biopsy = app
        .store
        .procedure_type_by_code(&ProcedureCode::parse(LIVER_BIOPSY).expect("code"))
        .await
        .expect("procedure")
        .definition;
    let first = |text: &str| text.lines().next().unwrap_or_default().trim().to_string();
    let browser = app.browser("sec", Role::Scheduler).await;

    let (status, letter) = browser
        .get(&format!("/cases/{case}/documents/convocation"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!letter.contains("<nav"), "no navigation on a document");
    for needle in [
        "Dupré-Lefèvre",
        "Hélène",
        "14/05/1960",
        biopsy.name.fr.as_str(),
        "25/11/2026",
        "10:00",
        "09:00",
        "Salle d'échographie 1",
        "ambulatoire",
        "Une pièce d'identité",
        first(&biopsy.preparation.fr).as_str(),
    ] {
        assert_contains(&letter, needle);
    }
    assert!(letter.contains("href=\"/cases/") && letter.contains("?lang=en\""));

    let (_, letter) = browser
        .get(&format!("/cases/{case}/documents/convocation?lang=en"))
        .await;
    assert!(letter.contains("<html lang=\"en\">"));
    for needle in [
        "Dupré-Lefèvre",
        biopsy.name.en.as_str(),
        "25 Nov 2026",
        "day case",
        "An identity document",
        first(&biopsy.preparation.en).as_str(),
    ] {
        assert_contains(&letter, needle);
    }

    let (status, sheet) = browser
        .get(&format!("/cases/{case}/documents/information"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_contains(&sheet, first(&biopsy.information_sheet.fr).as_str());
    assert_contains(&sheet, biopsy.name.fr.as_str());
    assert_contains(&sheet, "version du catalogue 1");
    let (_, sheet) = browser
        .get(&format!("/cases/{case}/documents/information?lang=en"))
        .await;
    assert_contains(&sheet, first(&biopsy.information_sheet.en).as_str());
    assert_contains(&sheet, "Dupré-Lefèvre");
    let (status, preparation) = browser
        .get(&format!("/cases/{case}/documents/preparation?lang=en"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_contains(&preparation, first(&biopsy.preparation.en).as_str());
    assert_contains(&preparation, biopsy.name.en.as_str());

    let auditor = app.api(&app.token("quality", Role::QualityOfficer).await);
    let (_, audit) = auditor
        .get(&format!(
            "/api/v1/audit?action=document.read&object=case/{case}"
        ))
        .await;
    let mut details: Vec<String> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| {
            assert_eq!(e["username"], "sec");
            e["detail"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    details.sort();
    assert_eq!(
        details,
        [
            "convocation en",
            "convocation fr",
            "information en",
            "information fr",
            "preparation en"
        ]
    );
}

#[tokio::test]
async fn a_convocation_before_booking_says_the_date_will_be_sent_and_unknown_documents_are_404() {
    let app = TestApp::spawn().await;
    let case = new_awaiting_case(&app, "IP-1", "Dupré-Lefèvre").await;
    let browser = app.browser("sec", Role::Scheduler).await;
    let (status, letter) = browser
        .get(&format!("/cases/{case}/documents/convocation"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(letter.contains("id=\"date-pending\""));
    assert_contains(&letter, "elles vous seront communiquées prochainement");
    assert!(!letter.contains("id=\"appointment\""));
    let (status, _) = browser
        .get(&format!("/cases/{case}/documents/discharge"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = browser
        .get(&format!("/cases/{}/documents/convocation", uuid_like()))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = browser
        .get(&format!("/cases/{case}/documents/convocation?lang=de"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

fn uuid_like() -> &'static str {
    "0192f3a4-1b2c-7d8e-9f00-112233445566"
}
