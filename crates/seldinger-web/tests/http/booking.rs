//! Bookings, calendars and the day's lists, through HTTP.
//!
//! Each test builds its department through the store ([`department`]): a CT room and an
//! angiography room open Monday to Friday 08:00–18:00, a microwave generator serving the
//! CT room, a ward and a day unit, an operator and an anesthetist working the same
//! hours; and its cases, taken to "to schedule" through the pathway ([`case_to_schedule`]).
//! The clock starts on Sunday 2026-11-22 09:00 UTC; bookings go on Monday 2026-11-23.

use std::net::SocketAddr;
use std::sync::Arc;

use reqwest::StatusCode;
use seldinger_domain::audit::Actor;
use seldinger_domain::case::{CaseEvent, CaseStatus, NewReferral, ReferralInput};
use seldinger_domain::catalog::{EquipmentKind, RoomType};
use seldinger_domain::checklist::{Checklist, ChecklistInput, TimeOut};
use seldinger_domain::clock::ManualClock;
use seldinger_domain::consultation::{
    ConsentDecision, ConsultationKind, ConsultationRecord, ConsultationStatus,
};
use seldinger_domain::patient::{NewPatient, PatientInput, RawEntry};
use seldinger_domain::resources::{
    AvailabilityException, BedUnitDef, BedUnitKind, EquipmentDef, RoomDef, WeeklyHours, parse_spans,
};
use seldinger_domain::{CaseId, Lang, Role};
use seldinger_store::consultations::ConsultationSlot;
use seldinger_store::testing::TestDatabase;
use seldinger_store::{Store, StoreOptions};
use seldinger_web::{AppState, WebConfig};
use serde_json::{Value, json};
use time::Duration;
use time::macros::{date, datetime};

use crate::support::*;

const OPERATOR: &str = "ir.martin";
const OPERATOR_NAME: &str = "Test ir.martin";
const ANESTHETIST: &str = "an.durand";
const ANESTHETIST_NAME: &str = "Test an.durand";

/// What the tests book: ids of the rooms, equipment and bed units, as the API takes them.
struct Department {
    ct: String,
    angio: String,
    generator: String,
    ward: String,
    day_unit: String,
}

fn actor() -> Actor {
    Actor::system("test")
}

/// Monday to Friday, 08:00–18:00.
fn weekdays() -> WeeklyHours {
    let day = parse_spans("hours", "08:00-18:00").expect("hours");
    let mut hours = WeeklyHours::default();
    for weekday in hours.0.iter_mut().take(5) {
        *weekday = day.clone();
    }
    hours
}

/// The department of these tests, with `ward_beds` beds on the ward.
async fn department(app: &TestApp, ward_beds: u16) -> Department {
    let now = app.clock.now_value();
    let store = &app.store;
    let room = |code: &str, name: &str, room_type| RoomDef {
        code: code.into(),
        name: name.into(),
        room_type,
        hours: weekdays(),
        active: true,
    };
    let ct = store
        .create_room(&actor(), &room("CT-1", "Scanner 1", RoomType::Ct), now)
        .await
        .expect("CT room");
    let angio = store
        .create_room(
            &actor(),
            &room("ANGIO-1", "Angiographie 1", RoomType::Angiography),
            now,
        )
        .await
        .expect("angiography room");
    let generator = store
        .create_equipment(
            &actor(),
            &EquipmentDef {
                code: "MW-1".into(),
                name: "Générateur micro-ondes".into(),
                kind: EquipmentKind::MwGenerator,
                rooms: vec!["CT-1".into()],
                active: true,
            },
            now,
        )
        .await
        .expect("generator");
    let unit = |code: &str, name: &str, kind, capacity| BedUnitDef {
        code: code.into(),
        name: name.into(),
        kind,
        capacity,
        active: true,
    };
    let ward = store
        .create_bed_unit(
            &actor(),
            &unit("WARD", "Hospitalisation", BedUnitKind::Ward, ward_beds),
            now,
        )
        .await
        .expect("ward");
    let day_unit = store
        .create_bed_unit(
            &actor(),
            &unit("HDJ", "Hôpital de jour", BedUnitKind::DayUnit, 10),
            now,
        )
        .await
        .expect("day unit");
    for (username, role) in [
        (OPERATOR, Role::InterventionalRadiologist),
        (ANESTHETIST, Role::Anesthetist),
    ] {
        let user = app.user(username, role).await;
        store
            .set_weekly_availability(&actor(), user.id, 0, &weekdays(), now)
            .await
            .expect("weekly hours");
    }
    Department {
        ct: ct.room.id.to_string(),
        angio: angio.room.id.to_string(),
        generator: generator.equipment.id.to_string(),
        ward: ward.unit.id.to_string(),
        day_unit: day_unit.unit.id.to_string(),
    }
}

/// Two letters that tell the patients of a test apart: `Aa`, `Ab`…
fn suffix(n: usize) -> String {
    let first = char::from(b'A' + u8::try_from(n / 26 % 26).expect("small"));
    let second = char::from(b'a' + u8::try_from(n % 26).expect("small"));
    format!("{first}{second}")
}

/// A referral for patient number `n` (a man born in 1950), not yet triaged.
async fn referred_case(app: &TestApp, n: usize, procedure: &str, alerts: bool) -> CaseId {
    let now = app.clock.now_value();
    let (allergies, anticoagulants) = if alerts {
        (
            vec![RawEntry {
                kind: "iodinated_contrast".into(),
                note: String::new(),
            }],
            vec![RawEntry {
                kind: "apixaban".into(),
                note: String::new(),
            }],
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let input = PatientInput {
        mrn: format!("IP-{n:04}"),
        family_name: format!("Lefèvre {}", suffix(n)),
        given_names: "Jean-Loïc".into(),
        birth_date: "1950-06-15".into(),
        sex: "male".into(),
        allergies,
        anticoagulants,
    };
    let patient = NewPatient::parse(&input, now).expect("valid patient");
    let patient = app
        .store
        .create_patient(&actor(), &patient, now)
        .await
        .expect("patient");
    let referral = ReferralInput {
        patient_id: patient.id.to_string(),
        referring_physician: "Claire Morel".into(),
        indication: "Lésion à documenter".into(),
        target_organ: "liver".into(),
        side: "right".into(),
        requested_procedure: procedure.into(),
        urgency: "elective".into(),
        ..ReferralInput::default()
    };
    let referral = NewReferral::parse(&referral, now).expect("valid referral");
    app.store
        .create_referral(&actor(), &referral, now)
        .await
        .expect("referral")
        .id
}

/// A case of patient `n` for `procedure`, taken to "to schedule": referred, accepted,
/// consulted (sheet given, consent recorded), procedure planned.
async fn case_with(app: &TestApp, n: usize, procedure: &str, alerts: bool) -> CaseId {
    let now = app.clock.now_value();
    let id = referred_case(app, n, procedure, alerts).await;
    app.store
        .transition_case(&actor(), id, &CaseEvent::Accept, now)
        .await
        .expect("accept");
    let offset = Duration::minutes(30 * i64::try_from(n).expect("small"));
    let starts_at = datetime!(2026-11-16 08:00 UTC) + offset;
    let consultation = app
        .store
        .book_consultation(
            &actor(),
            id,
            &ConsultationSlot {
                kind: ConsultationKind::IrPre,
                clinician: OPERATOR,
                starts_at,
                ends_at: starts_at + Duration::minutes(30),
            },
            now,
        )
        .await
        .expect("consultation booked");
    let record = ConsultationRecord {
        outcome: ConsultationStatus::Done,
        information_sheet: Some(Lang::Fr),
        risks_explained: Some("Saignement, douleur au point de ponction.".into()),
        alternatives_discussed: Some("Surveillance.".into()),
        consent: Some((ConsentDecision::Given, date!(2026 - 11 - 16))),
        notes: None,
    };
    app.store
        .record_consultation(&actor(), consultation.id, &record, now)
        .await
        .expect("consultation recorded");
    let case = app
        .store
        .plan_procedure(&actor(), id, None, now)
        .await
        .expect("planned");
    assert_eq!(case.status, CaseStatus::ToSchedule);
    id
}

async fn case_to_schedule(app: &TestApp, n: usize, procedure: &str) -> CaseId {
    case_with(app, n, procedure, false).await
}

async fn status_of(app: &TestApp, case: CaseId) -> CaseStatus {
    app.store
        .get_case(&actor(), case, app.clock.now_value())
        .await
        .expect("case")
        .status
}

/// A request for `room` at `start` (RFC 3339) with the department's operator.
fn at(room: &str, start: &str) -> Value {
    json!({ "room": room, "start": start, "operator": OPERATOR })
}

/// A move's body: the whole booking (a `PUT` is complete), defaults as `null`.
fn move_to(room: &str, start: &str) -> Value {
    json!({ "room": room, "start": start, "end": null, "operator": OPERATOR, "anesthetist": null, "equipment": null, "bed_unit": null })
}

async fn book(api: &Api, case: CaseId, body: &Value) -> (StatusCode, Value) {
    api.post(&format!("/api/v1/cases/{case}/booking"), body)
        .await
}

/// The codes of a refused booking's conflicts.
fn codes(body: &Value) -> Vec<String> {
    body["conflicts"]
        .as_array()
        .unwrap_or_else(|| panic!("no conflicts in {body}"))
        .iter()
        .map(|c| c["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The conflict of a refused booking with this code.
#[track_caller]
fn conflict<'a>(body: &'a Value, code: &str) -> &'a Value {
    body["conflicts"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["code"] == code))
        .unwrap_or_else(|| panic!("no {code} conflict in {body}"))
}

/// The bookings of a local day, as the API lists them.
async fn day(api: &Api, date: &str) -> Vec<Value> {
    let (status, body) = api.get(&format!("/api/v1/schedule?date={date}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().expect("items").clone()
}

/// The application with the department's clock in `zone` (store and interface).
async fn spawn_in(zone: &str) -> TestApp {
    let db = TestDatabase::new().await;
    let zone = jiff::tz::TimeZone::get(zone).expect("bundled zone");
    let mut options = StoreOptions::new(db.url.clone());
    options.zone = zone.clone();
    let store = Store::connect(&options).await.expect("connect");
    store.migrate().await.expect("migrate");
    let clock = Arc::new(ManualClock::new(datetime!(2026-11-22 09:00 UTC)));
    let config = WebConfig {
        timezone: zone,
        ..WebConfig::default()
    };
    let state = AppState::new(store.clone(), clock.clone(), config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind port 0");
    let url = format!("http://{}", listener.local_addr().expect("local addr"));
    let app = seldinger_web::router(state).into_make_service_with_connect_info::<SocketAddr>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app).await.expect("server runs");
    });
    TestApp {
        url,
        store,
        clock,
        _db: db,
        _server: server,
    }
}

#[tokio::test]
async fn a_case_booked_over_the_api_is_scheduled_and_shows_in_the_day_list_and_the_room_week() {
    let app = TestApp::spawn().await;
    let d = department(&app, 4).await;
    let api = app.api(&app.token("planif", Role::Scheduler).await);
    let case = case_to_schedule(&app, 1, "BIO-BONE-CT").await;

    let (status, booking) = book(&api, case, &at(&d.ct, "2026-11-23T09:00:00Z")).await;
    assert_eq!(status, StatusCode::CREATED, "{booking}");
    assert_eq!(booking["case_id"], case.to_string());
    assert_eq!(booking["room_name"], "Scanner 1");
    assert_eq!(booking["start"], "2026-11-23T09:00:00Z");
    // The procedure's 60 minutes, a day-unit place for the day case.
    assert_eq!(booking["end"], "2026-11-23T10:00:00Z");
    assert_eq!(booking["operator"], OPERATOR);
    assert_eq!(booking["operator_name"], OPERATOR_NAME);
    assert_eq!(booking["anesthetist"], Value::Null);
    assert_eq!(booking["bed_unit"], d.day_unit);
    assert_eq!(booking["active"], true);
    assert_eq!(status_of(&app, case).await, CaseStatus::Scheduled);
    let id = booking["id"].as_str().expect("id");
    let (status, read) = api.get(&format!("/api/v1/bookings/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["start"], "2026-11-23T09:00:00Z");

    let items = day(&api, "2026-11-23").await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["booking"]["id"], id);
    assert_eq!(items[0]["case"]["family_name"], "Lefèvre Ab");
    assert_eq!(items[0]["case"]["status"], "scheduled");
    assert_eq!(items[0]["ready"], false);
    assert_eq!(items[0]["timed_out"], false);
    assert!(day(&api, "2026-11-24").await.is_empty());

    let (status, calendar) = api
        .get(&format!(
            "/api/v1/rooms/{}/calendar?from=2026-11-23&to=2026-11-29",
            d.ct
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{calendar}");
    assert_eq!(calendar["room"]["hours"]["mon"], "08:00-18:00");
    assert_eq!(calendar["room"]["hours"]["sun"], "");
    assert_eq!(calendar["items"].as_array().map(Vec::len), Some(1));
    let (_, angio) = api
        .get(&format!(
            "/api/v1/rooms/{}/calendar?from=2026-11-23",
            d.angio
        ))
        .await;
    assert_eq!(angio["to"], "2026-11-29");
    assert_eq!(angio["items"].as_array().map(Vec::len), Some(0));

    let browser = app.browser("lecteur", Role::Nurse).await;
    let (status, html) = browser.get("/schedule?date=2026-11-23").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("id=\"booking-{id}\"")), "{html}");
    assert!(html.contains("Lefèvre Ab"));
    assert!(html.contains("<strong>09:00</strong>–10:00"));
    assert!(
        html.contains("Biopsie"),
        "procedure named in French: {html}"
    );
    assert!(html.contains("ambulatoire"), "the stay: {html}");
    assert!(
        html.contains("Angiographie 1"),
        "every active room has its section"
    );
    assert!(html.contains("href=\"/schedule?date=2026-11-22\""));
    assert!(html.contains("href=\"/schedule?date=2026-11-24\""));

    // Any day of the week shows the week from Monday.
    let (status, week) = browser
        .get(&format!("/schedule/rooms/{}?week=2026-11-26", d.ct))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(week.contains("Lundi"), "{week}");
    assert!(week.contains("23/11/2026") && week.contains("29/11/2026"));
    assert!(week.contains(&format!("id=\"booking-{id}\"")));
    assert!(week.contains("J. L.") && week.contains("Lefèvre Ab"));
    assert!(week.contains("08:00-18:00"), "opening hours shown");
    assert!(week.contains(&format!("/schedule/rooms/{}?week=2026-11-16", d.ct)));
    assert!(week.contains(&format!("/schedule/rooms/{}?week=2026-11-30", d.ct)));
    let (_, next_week) = browser
        .get(&format!("/schedule/rooms/{}?week=2026-11-30", d.ct))
        .await;
    assert!(!next_week.contains(&format!("id=\"booking-{id}\"")));
    let unknown = uuid::Uuid::now_v7();
    let (status, _) = browser.get(&format!("/schedule/rooms/{unknown}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api.get(&format!("/api/v1/rooms/{unknown}/calendar")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_case_is_booked_from_its_page_with_one_click_on_a_proposed_slot() {
    let app = TestApp::spawn().await;
    let d = department(&app, 4).await;
    let case = case_to_schedule(&app, 1, "INF-FORAM-CT").await;
    let browser = app.browser("planif", Role::Scheduler).await;

    let path = format!("/cases/{case}/booking");
    let (status, html) = browser.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Lefèvre Ab") && html.contains("IP-0001"),
        "banner"
    );
    assert!(html.contains("30 min"), "the procedure's duration");
    assert!(html.contains("Locale"), "the anesthesia");
    assert!(!html.contains("id=\"anesthetist-required\""));
    assert!(html.contains("Scanner"), "the room type");
    // Sunday is closed: the first slot is Monday 08:00 in the CT room.
    assert!(html.contains("id=\"slots\""));
    assert!(
        html.contains("name=\"start\" value=\"2026-11-23T08:00\""),
        "{html}"
    );
    assert_eq!(html.matches("class=\"slot\"").count(), 10, "ten slots");
    assert!(html.contains("id=\"booking-form\""));

    let csrf = browser.csrf(&path).await;
    let (status, _, location) = browser
        .post_form(
            &path,
            &[
                ("_csrf", csrf.as_str()),
                ("room", d.ct.as_str()),
                ("start", "2026-11-23T08:00"),
                ("operator", OPERATOR),
                ("anesthetist", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some(format!("/cases/{case}").as_str()));
    assert_eq!(status_of(&app, case).await, CaseStatus::Scheduled);

    let (_, html) = browser.get(&path).await;
    assert!(html.contains("id=\"current-booking\""));
    assert!(html.contains("23/11/2026 08:00–08:30"), "{html}");
    assert!(html.contains("id=\"move-booking\""));
    assert!(html.contains("id=\"cancel-booking\""));
    assert!(!html.contains("id=\"slots\""), "a booked case has no slots");
    let api = app.api(&app.token("lecteur", Role::Radiographer).await);
    let items = day(&api, "2026-11-23").await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["booking"]["start"], "2026-11-23T08:00:00Z");
}

#[tokio::test]
async fn the_manual_form_books_chosen_equipment_and_bed_and_keeps_typed_values_on_error() {
    let app = TestApp::spawn().await;
    let d = department(&app, 4).await;
    let case = case_to_schedule(&app, 1, "ABL-LIVER-MW").await;
    let browser = app.browser("planif", Role::Scheduler).await;
    let path = format!("/cases/{case}/booking");
    let (_, html) = browser.get(&path).await;
    assert!(html.contains("id=\"anesthetist-required\""), "{html}");
    assert!(html.contains("Générale") && html.contains("2 nuits"));
    assert!(html.contains("Générateur de micro-ondes"));
    let csrf = browser.csrf(&path).await;

    let (status, html, _) = browser
        .post_form(
            &path,
            &[
                ("_csrf", csrf.as_str()),
                ("room", d.ct.as_str()),
                ("start", "23/11/2026 25h"),
                ("end", ""),
                ("operator", "personne"),
                ("anesthetist", ANESTHETIST),
                ("equipment", d.generator.as_str()),
                ("bed_unit", d.ward.as_str()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"start-error\""), "{html}");
    assert!(html.contains("id=\"operator-error\""));
    assert!(!html.contains("id=\"room-error\""));
    assert!(
        html.contains("value=\"23/11/2026 25h\""),
        "typed value kept"
    );
    assert!(html.contains(&format!("value=\"{}\" checked", d.generator)));
    assert!(html.contains(&format!("<option value=\"{}\" selected>", d.ward)));
    assert_eq!(status_of(&app, case).await, CaseStatus::ToSchedule);

    let (status, _, location) = browser
        .post_form(
            &path,
            &[
                ("_csrf", csrf.as_str()),
                ("room", d.ct.as_str()),
                ("start", "2026-11-23T10:00"),
                ("end", "2026-11-23T12:30"),
                ("operator", OPERATOR),
                ("anesthetist", ANESTHETIST),
                ("equipment", d.generator.as_str()),
                ("bed_unit", d.ward.as_str()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some(format!("/cases/{case}").as_str()));
    let api = app.api(&app.token("lecteur", Role::Nurse).await);
    let items = day(&api, "2026-11-23").await;
    let booking = &items[0]["booking"];
    assert_eq!(booking["end"], "2026-11-23T12:30:00Z");
    assert_eq!(booking["anesthetist"], ANESTHETIST);
    assert_eq!(booking["equipment"], json!([d.generator]));
    assert_eq!(booking["bed_unit"], d.ward);
}

#[tokio::test]
async fn a_room_already_booked_is_refused_naming_the_other_booking_and_its_time() {
    let app = TestApp::spawn().await;
    let d = department(&app, 4).await;
    let api = app.api(&app.token("planif", Role::Scheduler).await);
    let first = case_to_schedule(&app, 1, "INF-FORAM-CT").await;
    let second = case_to_schedule(&app, 2, "INF-FORAM-CT").await;
    let (status, booked) = book(&api, first, &at(&d.ct, "2026-11-23T08:00:00Z")).await;
    assert_eq!(status, StatusCode::CREATED);

    let (status, body) = book(&api, second, &at(&d.ct, "2026-11-23T08:15:00Z")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["code"], "booking_conflict");
    let room = conflict(&body, "room_busy");
    assert_eq!(room["resource"], "Scanner 1");
    assert_eq!(room["booking"], booked["id"]);
    let detail = room["detail"].as_str().expect("detail");
    assert!(detail.contains("08:00–08:30"), "{detail}");
    assert!(detail.contains(&first.to_string()), "{detail}");
    assert_eq!(conflict(&body, "operator_busy")["resource"], OPERATOR_NAME);
    assert_eq!(status_of(&app, second).await, CaseStatus::ToSchedule);
    assert_eq!(day(&api, "2026-11-23").await.len(), 1);

    // The page shows every conflict in the user's language, the form kept.
    let browser = app.browser("planif2", Role::Scheduler).await;
    let path = format!("/cases/{second}/booking");
    let csrf = browser.csrf(&path).await;
    let (status, html, _) = browser
        .post_form(
            &path,
            &[
                ("_csrf", csrf.as_str()),
                ("room", d.ct.as_str()),
                ("start", "2026-11-23T08:15"),
                ("operator", OPERATOR),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("id=\"conflicts\""), "{html}");
    assert!(
        html.contains("la salle Scanner 1 est déjà réservée le 23/11/2026 08:00–08:30"),
        "{html}"
    );
    assert!(
        html.contains("Test ir.martin a déjà une intervention"),
        "{html}"
    );
    assert!(html.contains("value=\"2026-11-23T08:15\""));
    // The slots proposed then are free.
    assert!(!html.contains("name=\"start\" value=\"2026-11-23T08:00\""));
    assert!(html.contains("name=\"start\" value=\"2026-11-23T08:30\""));
}

#[tokio::test]
async fn a_room_closed_on_sunday_is_refused() {
    let app = TestApp::spawn().await;
    let d = department(&app, 4).await;
    let api = app.api(&app.token("planif", Role::Scheduler).await);
    let case = case_to_schedule(&app, 1, "INF-FORAM-CT").await;
    let (status, body) = book(&api, case, &at(&d.ct, "2026-11-22T10:00:00Z")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(conflict(&body, "room_closed")["resource"], "Scanner 1");
    assert_eq!(
        conflict(&body, "operator_unavailable")["resource"],
        OPERATOR_NAME
    );
    // Running past closing time is closed too.
    let (status, body) = book(&api, case, &at(&d.ct, "2026-11-23T17:45:00Z")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(codes(&body).contains(&"room_closed".to_string()), "{body}");
    assert_eq!(status_of(&app, case).await, CaseStatus::ToSchedule);
}

#[tokio::test]
async fn general_anesthesia_needs_an_anesthetist_then_gets_the_generator_and_two_nights() {
    let app = TestApp::spawn().await;
    let d = department(&app, 4).await;
    let api = app.api(&app.token("planif", Role::Scheduler).await);
    let case = case_to_schedule(&app, 1, "ABL-LIVER-MW").await;
    let (status, body) = book(&api, case, &at(&d.ct, "2026-11-23T08:00:00Z")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(codes(&body), ["anesthetist_required"]);
    // A room of the wrong type is named with the types the procedure needs.
    let mut wrong_room = at(&d.angio, "2026-11-23T08:00:00Z");
    wrong_room["anesthetist"] = json!(ANESTHETIST);
    let (status, body) = book(&api, case, &wrong_room).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        conflict(&body, "room_type_unfit")["resource"],
        "Angiographie 1"
    );
    assert!(
        codes(&body).contains(&"equipment_missing".to_string()),
        "{body}"
    );

    let mut request = at(&d.ct, "2026-11-23T08:00:00Z");
    request["anesthetist"] = json!(ANESTHETIST);
    let (status, booking) = book(&api, case, &request).await;
    assert_eq!(status, StatusCode::CREATED, "{booking}");
    assert_eq!(booking["anesthetist"], ANESTHETIST);
    assert_eq!(booking["anesthetist_name"], ANESTHETIST_NAME);
    assert_eq!(booking["equipment"], json!([d.generator]));
    assert_eq!(booking["bed_unit"], d.ward);
    assert_eq!(booking["end"], "2026-11-23T10:00:00Z");
}

#[tokio::test]
async fn every_conflict_is_listed_at_once() {
    let app = TestApp::spawn().await;
    let d = department(&app, 4).await;
    let api = app.api(&app.token("planif", Role::Scheduler).await);
    let first = case_to_schedule(&app, 1, "ABL-LIVER-MW").await;
    let second = case_to_schedule(&app, 2, "ABL-LIVER-MW").await;
    let mut request = at(&d.ct, "2026-11-23T08:00:00Z");
    request["anesthetist"] = json!(ANESTHETIST);
    let (status, _) = book(&api, first, &request).await;
    assert_eq!(status, StatusCode::CREATED);

    let mut request = at(&d.ct, "2026-11-23T09:00:00Z");
    request["anesthetist"] = json!(ANESTHETIST);
    request["equipment"] = json!([d.generator]);
    let (status, body) = book(&api, second, &request).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let mut found = codes(&body);
    found.sort();
    assert_eq!(
        found,
        [
            "anesthetist_busy",
            "equipment_busy",
            "operator_busy",
            "room_busy"
        ]
    );
    assert_eq!(
        conflict(&body, "equipment_busy")["resource"],
        "Générateur micro-ondes"
    );
    assert_eq!(
        conflict(&body, "anesthetist_busy")["resource"],
        ANESTHETIST_NAME
    );
    // Picked automatically, the generator is missing rather than busy.
    request["equipment"] = Value::Null;
    request["room"] = json!(d.ct);
    request["start"] = json!("2026-11-23T09:30:00Z");
    let (_, body) = book(&api, second, &request).await;
    assert!(
        codes(&body).contains(&"equipment_missing".to_string()),
        "{body}"
    );
    assert_eq!(status_of(&app, second).await, CaseStatus::ToSchedule);
}

#[tokio::test]
async fn an_operator_away_that_day_is_refused() {
    let app = TestApp::spawn().await;
    let d = department(&app, 4).await;
    let api = app.api(&app.token("planif", Role::Scheduler).await);
    let case = case_to_schedule(&app, 1, "INF-FORAM-CT").await;
    let operator = app
        .store
        .staff_availability(Role::InterventionalRadiologist, date!(2026 - 11 - 22))
        .await
        .expect("staff")
        .into_iter()
        .find(|p| p.username == OPERATOR)
        .expect("operator");
    app.store
        .set_availability_exception(
            &actor(),
            operator.user_id,
            &AvailabilityException {
                date: date!(2026 - 11 - 23),
                hours: Vec::new(),
                reason: Some("congrès".into()),
            },
            app.clock.now_value(),
        )
        .await
        .expect("exception");
    let (status, body) = book(&api, case, &at(&d.ct, "2026-11-23T08:00:00Z")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(codes(&body), ["operator_unavailable"]);
    assert_eq!(body["conflicts"][0]["resource"], OPERATOR_NAME);
    let (status, _) = book(&api, case, &at(&d.ct, "2026-11-24T08:00:00Z")).await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn a_full_ward_is_refused_naming_the_night() {
    let app = TestApp::spawn().await;
    let d = department(&app, 1).await;
    let api = app.api(&app.token("planif", Role::Scheduler).await);
    let first = case_to_schedule(&app, 1, "BIO-LUNG-CT").await;
    let second = case_to_schedule(&app, 2, "BIO-LUNG-CT").await;
    let (status, booked) = book(&api, first, &at(&d.ct, "2026-11-23T08:00:00Z")).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(booked["bed_unit"], d.ward);
    let (status, body) = book(&api, second, &at(&d.ct, "2026-11-23T10:00:00Z")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(codes(&body), ["bed_full"]);
    let full = conflict(&body, "bed_full");
    assert_eq!(full["resource"], "Hospitalisation");
    assert!(
        full["detail"]
            .as_str()
            .is_some_and(|d| d.contains("23 Nov 2026")),
        "{full}"
    );
    // The next day the bed is free again.
    let (status, _) = book(&api, second, &at(&d.ct, "2026-11-24T08:00:00Z")).await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn a_booking_moves_to_a_free_slot_and_a_move_into_a_conflict_changes_nothing() {
    let app = TestApp::spawn().await;
    let d = department(&app, 4).await;
    let api = app.api(&app.token("planif", Role::Scheduler).await);
    let first = case_to_schedule(&app, 1, "INF-FORAM-CT").await;
    let second = case_to_schedule(&app, 2, "INF-FORAM-CT").await;
    let (_, booking) = book(&api, first, &at(&d.ct, "2026-11-23T08:00:00Z")).await;
    let id = booking["id"].as_str().expect("id").to_string();
    let (status, _) = book(&api, second, &at(&d.ct, "2026-11-23T14:00:00Z")).await;
    assert_eq!(status, StatusCode::CREATED);

    let path = format!("/api/v1/bookings/{id}");
    let (status, moved) = api
        .send(
            reqwest::Method::PUT,
            &path,
            &move_to(&d.ct, "2026-11-23T10:00:00Z"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["id"], id.as_str());
    assert_eq!(moved["start"], "2026-11-23T10:00:00Z");
    assert_eq!(moved["version"], 2);

    let (status, body) = api
        .send(
            reqwest::Method::PUT,
            &path,
            &move_to(&d.ct, "2026-11-23T14:15:00Z"),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(codes(&body).contains(&"room_busy".to_string()));
    let (_, unchanged) = api.get(&path).await;
    assert_eq!(unchanged["start"], "2026-11-23T10:00:00Z");
    assert_eq!(unchanged["version"], 2);
    let (status, body) = api
        .send(reqwest::Method::PUT, &path, &move_to(&d.ct, "demain"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_field_error(&body, "start");
    // A move that does not repeat the anesthetist would drop it: refused, nothing moved.
    let mut partial = move_to(&d.ct, "2026-11-23T11:00:00Z");
    partial
        .as_object_mut()
        .expect("object")
        .remove("anesthetist");
    let (status, body) = api.send(reqwest::Method::PUT, &path, &partial).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_field_error(&body, "anesthetist");
    let (_, unchanged) = api.get(&path).await;
    assert_eq!(unchanged["start"], "2026-11-23T10:00:00Z");

    // The move page: prefilled, with slots, and the form moves the booking.
    let browser = app.browser("planif2", Role::Scheduler).await;
    let page = format!("/bookings/{id}/move");
    let (status, html) = browser.get(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("value=\"2026-11-23T10:00\""), "{html}");
    assert!(html.contains(&format!("<option value=\"{}\" selected>", d.ct)));
    assert!(html.contains("Déplacer ici"));
    // The booking being moved is not in its own way.
    assert!(
        html.contains("name=\"start\" value=\"2026-11-23T10:15\""),
        "{html}"
    );
    let csrf = browser.csrf(&page).await;
    let (status, html, _) = browser
        .post_form(
            &page,
            &[
                ("_csrf", csrf.as_str()),
                ("room", d.ct.as_str()),
                ("start", "2026-11-23T14:00"),
                ("operator", OPERATOR),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        html.contains("la salle Scanner 1 est déjà réservée"),
        "{html}"
    );
    let (status, _, location) = browser
        .post_form(
            &page,
            &[
                ("_csrf", csrf.as_str()),
                ("room", d.ct.as_str()),
                ("start", "2026-11-24T09:00"),
                ("operator", OPERATOR),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location.as_deref(),
        Some(format!("/cases/{first}").as_str())
    );
    let (_, read) = api.get(&path).await;
    assert_eq!(read["start"], "2026-11-24T09:00:00Z");
    assert_eq!(status_of(&app, first).await, CaseStatus::Scheduled);
}

#[tokio::test]
async fn cancelling_needs_a_reason_puts_the_case_back_to_schedule_and_frees_the_slot() {
    let app = TestApp::spawn().await;
    let d = department(&app, 4).await;
    let api = app.api(&app.token("planif", Role::Scheduler).await);
    let first = case_to_schedule(&app, 1, "INF-FORAM-CT").await;
    let second = case_to_schedule(&app, 2, "INF-FORAM-CT").await;
    let slot = at(&d.ct, "2026-11-23T08:00:00Z");
    let (_, booking) = book(&api, first, &slot).await;
    let id = booking["id"].as_str().expect("id").to_string();
    let cancel = format!("/api/v1/bookings/{id}/cancel");

    let (status, body) = api.post(&cancel, &json!({ "reason": "  " })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_field_error(&body, "reason");
    assert_eq!(status_of(&app, first).await, CaseStatus::Scheduled);

    let (status, cancelled) = api
        .post(
            &cancel,
            &json!({ "reason": "Patient hospitalisé ailleurs" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled["active"], false);
    assert_eq!(cancelled["cancel_reason"], "Patient hospitalisé ailleurs");
    assert_eq!(status_of(&app, first).await, CaseStatus::ToSchedule);
    assert!(day(&api, "2026-11-23").await.is_empty());
    let (status, body) = api.post(&cancel, &json!({ "reason": "encore" })).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "booking_not_active");
    let (status, _) = book(&api, second, &slot).await;
    assert_eq!(status, StatusCode::CREATED, "the slot is free again");

    // Through the page: a reason is required, then back to the booking page.
    let browser = app.browser("planif2", Role::Scheduler).await;
    let (_, booking) = book(&api, first, &at(&d.ct, "2026-11-23T10:00:00Z")).await;
    let id = booking["id"].as_str().expect("id").to_string();
    let path = format!("/cases/{first}/booking");
    let csrf = browser.csrf(&path).await;
    let form_cancel = format!("/bookings/{id}/cancel");
    let (status, html, _) = browser
        .post_form(&form_cancel, &[("_csrf", csrf.as_str()), ("reason", "")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"reason-error\""), "{html}");
    assert_eq!(status_of(&app, first).await, CaseStatus::Scheduled);
    let (status, _, location) = browser
        .post_form(
            &form_cancel,
            &[("_csrf", csrf.as_str()), ("reason", "Fièvre")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location.as_deref(),
        Some(format!("/cases/{first}/booking?done=cancelled").as_str())
    );
    let (_, html) = browser
        .get(&format!("/cases/{first}/booking?done=cancelled"))
        .await;
    assert!(html.contains("id=\"done\""));
    assert!(
        html.contains("id=\"slots\""),
        "to schedule again: slots shown"
    );
    assert!(html.contains("id=\"past-bookings\"") && html.contains("Fièvre"));
    assert_eq!(status_of(&app, first).await, CaseStatus::ToSchedule);
}

#[tokio::test]
async fn every_proposed_slot_can_be_booked() {
    let app = TestApp::spawn().await;
    let d = department(&app, 4).await;
    let api = app.api(&app.token("planif", Role::Scheduler).await);
    let other = case_to_schedule(&app, 1, "ABL-LIVER-MW").await;
    let case = case_to_schedule(&app, 2, "ABL-LIVER-MW").await;
    let mut busy = at(&d.ct, "2026-11-23T08:00:00Z");
    busy["anesthetist"] = json!(ANESTHETIST);
    let (status, _) = book(&api, other, &busy).await;
    assert_eq!(status, StatusCode::CREATED);

    let slots_path = format!("/api/v1/cases/{case}/slots?count=6");
    let (status, body) = api.get(&slots_path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let slots = body["items"].as_array().expect("items").clone();
    assert_eq!(slots.len(), 6);
    // The CT room is taken until 10:00 on Monday.
    assert_eq!(slots[0]["start"], "2026-11-23T10:00:00Z");
    for slot in &slots {
        assert_eq!(slot["room"], d.ct.as_str());
        assert_eq!(slot["anesthetist"], ANESTHETIST);
        assert_eq!(slot["equipment"], json!([d.generator]));
        assert_eq!(slot["bed_unit"], d.ward.as_str());
        let request = json!({
            "room": slot["room"], "start": slot["start"],
            "operator": slot["operator"], "anesthetist": slot["anesthetist"],
        });
        let (status, booking) = book(&api, case, &request).await;
        assert_eq!(status, StatusCode::CREATED, "{slot} → {booking}");
        assert_eq!(booking["end"], slot["end"]);
        let cancel = format!(
            "/api/v1/bookings/{}/cancel",
            booking["id"].as_str().expect("id")
        );
        let (status, _) = api.post(&cancel, &json!({ "reason": "essai" })).await;
        assert_eq!(status, StatusCode::OK);
    }

    let (_, angio) = api
        .get(&format!("/api/v1/cases/{case}/slots?room={}", d.angio))
        .await;
    assert_eq!(
        angio["items"],
        json!([]),
        "no slot in a room that does not fit"
    );
    let (status, body) = api
        .get(&format!(
            "/api/v1/cases/{case}/slots?operator=personne&count=0"
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_field_error(&body, "operator");
    assert_field_error(&body, "count");
    let (status, body) = api
        .get(&format!(
            "/api/v1/cases/{case}/slots?from=2026-11-30&count=1"
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["items"][0]["start"], "2026-11-30T08:00:00Z");
    let (status, _) = api
        .get(&format!("/api/v1/cases/{}/slots", uuid::Uuid::now_v7()))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_booking_input_is_refused_naming_each_field_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let d = department(&app, 4).await;
    let api = app.api(&app.token("planif", Role::Scheduler).await);
    let case = case_to_schedule(&app, 1, "INF-FORAM-CT").await;
    let check = |body: Value, field: &'static str| {
        let api = &api;
        async move {
            let (status, answer) = book(api, case, &body).await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body} → {answer}"
            );
            assert_field_error(&answer, field);
        }
    };
    let unknown = uuid::Uuid::now_v7().to_string();
    check(at(&unknown, "2026-11-23T08:00:00Z"), "room").await;
    check(at("scanner", "2026-11-23T08:00:00Z"), "room").await;
    check(at(&d.ct, "lundi 8h"), "start").await;
    check(at(&d.ct, "2026-11-23T08:00"), "start").await;
    check(
        json!({ "room": d.ct, "start": "2026-11-23T08:00:00Z" }),
        "operator",
    )
    .await;
    check(
        json!({ "room": d.ct, "start": "2026-11-23T08:00:00Z", "operator": "personne" }),
        "operator",
    )
    .await;
    check(
        json!({ "room": d.ct, "start": "2026-11-23T08:00:00Z", "operator": ANESTHETIST }),
        "operator",
    )
    .await;
    check(
        json!({ "room": d.ct, "start": "2026-11-23T08:00:00Z", "operator": OPERATOR, "anesthetist": OPERATOR }),
        "anesthetist",
    )
    .await;
    check(
        json!({ "room": d.ct, "start": "2026-11-23T08:00:00Z", "end": "2026-11-23T07:00:00Z", "operator": OPERATOR }),
        "end",
    )
    .await;
    check(
        json!({ "room": d.ct, "start": "2026-11-23T08:00:00Z", "operator": OPERATOR, "equipment": ["x"] }),
        "equipment.0",
    )
    .await;
    check(
        json!({ "room": d.ct, "start": "2026-11-23T08:00:00Z", "operator": OPERATOR, "bed_unit": unknown }),
        "bed_unit",
    )
    .await;
    // Every field at once.
    let (_, body) = book(&api, case, &json!({})).await;
    for field in ["room", "start", "operator"] {
        assert_field_error(&body, field);
    }
    let (status, body) = book(
        &api,
        case,
        &json!({ "room": d.ct, "start": "2026-11-23T08:00:00Z", "operator": OPERATOR, "salle": 1 }),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "unknown fields are refused"
    );
    assert_field_error(&body, "salle");
    let (status, _) = book(
        &api,
        CaseId::from_uuid(uuid::Uuid::now_v7()),
        &at(&d.ct, "2026-11-23T08:00:00Z"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(status_of(&app, case).await, CaseStatus::ToSchedule);
    assert!(day(&api, "2026-11-23").await.is_empty());
    let (status, body) = api.get("/api/v1/schedule?date=23-11").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_field_error(&body, "date");
    let (status, body) = api
        .get(&format!(
            "/api/v1/rooms/{}/calendar?from=2026-11-23&to=2026-11-01",
            d.ct
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_field_error(&body, "to");
}

#[tokio::test]
async fn a_case_not_to_schedule_is_refused_with_the_reason() {
    let app = TestApp::spawn().await;
    let d = department(&app, 4).await;
    let api = app.api(&app.token("planif", Role::Scheduler).await);
    let referred = referred_case(&app, 1, "INF-FORAM-CT", false).await;
    let (status, body) = book(&api, referred, &at(&d.ct, "2026-11-23T08:00:00Z")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["code"], "transition_not_allowed");
    assert_eq!(status_of(&app, referred).await, CaseStatus::Referred);

    let booked = case_to_schedule(&app, 2, "INF-FORAM-CT").await;
    let (status, _) = book(&api, booked, &at(&d.ct, "2026-11-23T08:00:00Z")).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = book(&api, booked, &at(&d.ct, "2026-11-23T10:00:00Z")).await;
    assert_eq!(status, StatusCode::CONFLICT, "booked twice: {body}");
    assert_eq!(body["code"], "transition_not_allowed");
    assert_eq!(day(&api, "2026-11-23").await.len(), 1);

    let browser = app.browser("planif2", Role::Scheduler).await;
    let path = format!("/cases/{referred}/booking");
    let (status, html) = browser.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"not-to-schedule\""), "{html}");
    assert!(!html.contains("id=\"booking-form\""));
    let csrf = browser.csrf("/schedule").await;
    let (status, html, _) = browser
        .post_form(
            &path,
            &[
                ("_csrf", csrf.as_str()),
                ("room", d.ct.as_str()),
                ("start", "2026-11-23T10:00"),
                ("operator", OPERATOR),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("id=\"refusal\""), "{html}");
    assert!(html.contains("ne peut pas être réservé"), "{html}");
}

/// A complete checklist for a man having a low-contrast, local-anesthesia procedure.
fn complete_checklist() -> Checklist {
    let input = ChecklistInput {
        information_sheet_delivered: true,
        inr: "1.1".into(),
        inr_date: "2026-11-20".into(),
        platelets: "250".into(),
        platelets_date: "2026-11-20".into(),
        ..ChecklistInput::default()
    };
    Checklist::parse(&input, date!(2026 - 11 - 22)).expect("valid checklist")
}

#[tokio::test]
async fn the_day_list_shows_whether_each_case_is_ready_and_timed_out() {
    let app = TestApp::spawn().await;
    let d = department(&app, 4).await;
    let api = app.api(&app.token("planif", Role::Scheduler).await);
    let ready = case_to_schedule(&app, 1, "BIO-BONE-CT").await;
    let waiting = case_to_schedule(&app, 2, "BIO-BONE-CT").await;
    let (_, first) = book(&api, ready, &at(&d.ct, "2026-11-23T08:00:00Z")).await;
    let (_, second) = book(&api, waiting, &at(&d.ct, "2026-11-23T10:00:00Z")).await;
    let now = app.clock.now_value();
    let (_, status) = app
        .store
        .save_checklist(&actor(), ready, 0, &complete_checklist(), now)
        .await
        .expect("checklist");
    assert_eq!(status, CaseStatus::Ready);
    app.clock.advance(Duration::hours(22));
    app.store
        .record_timeout(
            &actor(),
            ready,
            &TimeOut {
                identity_confirmed: true,
                site_confirmed: true,
                side_confirmed: true,
                procedure_confirmed: true,
                notes: None,
            },
            app.clock.now_value(),
        )
        .await
        .expect("time-out");

    let items = day(&api, "2026-11-23").await;
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["booking"]["id"], first["id"]);
    assert_eq!(
        (&items[0]["ready"], &items[0]["timed_out"]),
        (&json!(true), &json!(true))
    );
    assert_eq!(items[1]["booking"]["id"], second["id"]);
    assert_eq!(
        (&items[1]["ready"], &items[1]["timed_out"]),
        (&json!(false), &json!(false))
    );
    let (_, only_angio) = api
        .get(&format!(
            "/api/v1/schedule?date=2026-11-23&room={}",
            d.angio
        ))
        .await;
    assert_eq!(only_angio["items"], json!([]));

    // Today is Monday now: the list opens on it.
    let browser = app.browser("infirmier", Role::Nurse).await;
    let (status, html) = browser.get("/schedule").await;
    assert_eq!(status, StatusCode::OK);
    let row = |id: &Value| {
        let marker = format!("id=\"booking-{}\"", id.as_str().expect("id"));
        let start = html
            .find(&marker)
            .unwrap_or_else(|| panic!("{marker} in {html}"));
        let end = html[start..].find("</tr>").expect("row end") + start;
        html[start..end].to_string()
    };
    let ready_row = row(&first["id"]);
    assert!(ready_row.contains("checklist-ready"), "{ready_row}");
    assert!(ready_row.contains("timeout-done"), "{ready_row}");
    let waiting_row = row(&second["id"]);
    assert!(
        waiting_row.contains("checklist-incomplete"),
        "{waiting_row}"
    );
    assert!(
        waiting_row.contains(&format!("href=\"/cases/{waiting}/checklist\"")),
        "{waiting_row}"
    );
    assert!(waiting_row.contains("timeout-pending"), "{waiting_row}");
    assert!(waiting_row.contains("76 ans") && waiting_row.contains("IP-0002"));
    let (status, html) = browser.get("/schedule?date=31/02/2026").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"date-error\""));
}

#[tokio::test]
async fn the_anesthetists_list_shows_their_cases_with_anesthesia_and_alerts() {
    let app = TestApp::spawn().await;
    let d = department(&app, 4).await;
    let colleague = app.user("an.petit", Role::Anesthetist).await;
    app.store
        .set_weekly_availability(
            &actor(),
            colleague.id,
            0,
            &weekdays(),
            app.clock.now_value(),
        )
        .await
        .expect("hours");
    let api = app.api(&app.token("planif", Role::Scheduler).await);
    let ablation = case_with(&app, 1, "ABL-LIVER-MW", true).await;
    let biopsy = case_to_schedule(&app, 2, "BIO-BONE-CT").await;
    let mut request = at(&d.ct, "2026-11-24T08:00:00Z");
    request["anesthetist"] = json!(ANESTHETIST);
    let (status, booking) = book(&api, ablation, &request).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = book(&api, biopsy, &at(&d.ct, "2026-11-24T13:00:00Z")).await;
    assert_eq!(status, StatusCode::CREATED);

    // The signed-in anesthetist sees their own list by default.
    let browser = Browser::new(&app.url);
    browser.sign_in(ANESTHETIST, PASSWORD).await;
    let (status, html) = browser.get("/schedule/anesthesia").await;
    assert_eq!(status, StatusCode::OK);
    let marker = format!("id=\"booking-{}\"", booking["id"].as_str().expect("id"));
    assert!(html.contains(&marker), "{html}");
    assert!(html.contains("Générale"));
    assert!(html.contains("Produit de contraste iodé") && html.contains("Apixaban"));
    assert!(html.contains("Mardi") && html.contains("24/11/2026"));
    assert!(
        !html.contains("Lefèvre Ac"),
        "no anesthetist, not listed: {html}"
    );
    assert!(html.contains(&format!("<option value=\"{ANESTHETIST}\" selected>")));
    let (_, html) = browser
        .get("/schedule/anesthesia?anesthetist=an.petit")
        .await;
    assert!(!html.contains(&marker));
    let (_, html) = browser.get("/schedule/anesthesia?from=2026-11-25").await;
    assert!(!html.contains(&marker), "before the seven days");
    let (status, html) = browser
        .get("/schedule/anesthesia?anesthetist=personne")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"anesthetist-error\""));

    let (status, body) = api.get("/api/v1/schedule/anesthesia").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["from"], "2026-11-22");
    assert_eq!(body["to"], "2026-11-28");
    let items = body["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["anesthesia"], "general");
    assert_eq!(items[0]["allergies"], json!(["iodinated_contrast"]));
    assert_eq!(items[0]["anticoagulants"], json!(["apixaban"]));
    assert_eq!(items[0]["booking"]["anesthetist"], ANESTHETIST);
    let (_, body) = api
        .get("/api/v1/schedule/anesthesia?anesthetist=an.petit")
        .await;
    assert_eq!(body["items"], json!([]));
    let (status, body) = api
        .get("/api/v1/schedule/anesthesia?anesthetist=personne")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_field_error(&body, "anesthetist");
}

#[tokio::test]
async fn a_nurse_sees_bookings_but_cannot_book() {
    let app = TestApp::spawn().await;
    let d = department(&app, 4).await;
    let case = case_to_schedule(&app, 1, "INF-FORAM-CT").await;
    let nurse = app.api(&app.token("infirmiere", Role::Nurse).await);
    let (status, _) = book(&nurse, case, &at(&d.ct, "2026-11-23T08:00:00Z")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = nurse.get(&format!("/api/v1/cases/{case}/slots")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(status_of(&app, case).await, CaseStatus::ToSchedule);

    let browser = app.browser("infirmier", Role::Nurse).await;
    let path = format!("/cases/{case}/booking");
    let (status, html) = browser.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"slots\""), "slots are shown");
    assert!(!html.contains("slot-form"), "without buttons to book");
    assert!(!html.contains("id=\"booking-form\""));
    let csrf = browser.csrf("/schedule").await;
    let (status, _, _) = browser
        .post_form(
            &path,
            &[
                ("_csrf", csrf.as_str()),
                ("room", d.ct.as_str()),
                ("start", "2026-11-23T08:00"),
                ("operator", OPERATOR),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(status_of(&app, case).await, CaseStatus::ToSchedule);
    let admin = app.browser("admin", Role::Admin).await;
    let (status, _) = admin.get("/schedule").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "administrators read no cases"
    );
}

#[tokio::test]
async fn forms_and_refusals_speak_the_departments_local_time() {
    let app = spawn_in("Europe/Paris").await;
    let d = department(&app, 4).await;
    let api = app.api(&app.token("planif", Role::Scheduler).await);
    let first = case_to_schedule(&app, 1, "INF-FORAM-CT").await;
    let second = case_to_schedule(&app, 2, "INF-FORAM-CT").await;
    let browser = app.browser("planif2", Role::Scheduler).await;
    let path = format!("/cases/{first}/booking");
    let (_, html) = browser.get(&path).await;
    // 08:00 in Paris is 07:00 UTC in November.
    assert!(
        html.contains("name=\"start\" value=\"2026-11-23T08:00\""),
        "{html}"
    );
    let csrf = browser.csrf(&path).await;
    let (status, _, _) = browser
        .post_form(
            &path,
            &[
                ("_csrf", csrf.as_str()),
                ("room", d.ct.as_str()),
                ("start", "2026-11-23T08:00"),
                ("operator", OPERATOR),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let items = day(&api, "2026-11-23").await;
    assert_eq!(items[0]["booking"]["start"], "2026-11-23T07:00:00Z");

    // 06:30 UTC is 07:30 in Paris: before the room opens.
    let (status, body) = book(&api, second, &at(&d.ct, "2026-11-23T06:30:00Z")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(codes(&body).contains(&"room_closed".to_string()), "{body}");
    let (status, body) = book(&api, second, &at(&d.ct, "2026-11-23T07:15:00Z")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let detail = conflict(&body, "room_busy")["detail"]
        .as_str()
        .expect("detail");
    assert!(
        detail.contains("07:00–07:30"),
        "the API speaks UTC: {detail}"
    );

    let path = format!("/cases/{second}/booking");
    let form = [
        ("_csrf", csrf.as_str()),
        ("room", d.ct.as_str()),
        ("start", "2026-11-23T08:15"),
        ("operator", OPERATOR),
    ];
    let (status, html, _) = browser.post_form(&path, &form).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        html.contains("la salle Scanner 1 est déjà réservée le 23/11/2026 08:00–08:30"),
        "{html}"
    );
    let (_, html) = browser.get("/schedule?date=2026-11-23").await;
    assert!(html.contains("<strong>08:00</strong>–08:30"), "{html}");

    let (status, _, _) = browser
        .post_form(
            "/language",
            &[("_csrf", csrf.as_str()), ("language", "en"), ("next", "/")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, html, _) = browser.post_form(&path, &form).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        html.contains("room Scanner 1 is already booked 23 Nov 2026 08:00–08:30"),
        "{html}"
    );
}

/// The race: fifty cases booked at once into one room at one time. The store
/// serialises bookings, so exactly one wins and every other is told why, on SQLite and
/// on PostgreSQL alike.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_bookings_of_one_slot_give_one_booking_and_forty_nine_conflicts() {
    let app = TestApp::spawn().await;
    let d = department(&app, 4).await;
    let token = app.token("planif", Role::Scheduler).await;
    let mut cases = Vec::new();
    for n in 0..50 {
        cases.push(case_to_schedule(&app, n, "INF-FORAM-CT").await);
    }
    let body = at(&d.ct, "2026-11-23T08:00:00Z");
    let handles: Vec<_> = cases
        .iter()
        .map(|case| {
            let api = app.api(&token);
            let path = format!("/api/v1/cases/{case}/booking");
            let body = body.clone();
            tokio::spawn(async move { api.post(&path, &body).await })
        })
        .collect();
    let mut created = 0;
    let mut conflicts = 0;
    for handle in handles {
        let (status, answer) = handle.await.expect("request task");
        match status {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => {
                assert_eq!(answer["code"], "booking_conflict", "{answer}");
                assert!(
                    codes(&answer).contains(&"room_busy".to_string()),
                    "{answer}"
                );
                conflicts += 1;
            }
            other => panic!("unexpected {other}: {answer}"),
        }
    }
    assert_eq!((created, conflicts), (1, 49));

    let api = app.api(&token);
    let (status, calendar) = api
        .get(&format!(
            "/api/v1/rooms/{}/calendar?from=2026-11-23&to=2026-11-23",
            d.ct
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(calendar["items"].as_array().map(Vec::len), Some(1));
    let mut scheduled = 0;
    for case in &cases {
        if status_of(&app, *case).await == CaseStatus::Scheduled {
            scheduled += 1;
        }
    }
    assert_eq!(scheduled, 1);
}
