//! One case walked from referral to "ready" in a real browser, by each role in turn:
//! the referring physician refers, the interventional radiologist triages, consults
//! (consent given) and sends the case to the MDT, the scheduler sets up the meeting, the
//! radiologist records the MDT's decision, the scheduler books the procedure, the nurse
//! completes the checklist and the radiographer records the time-out (PRODUCT.md,
//! pathway steps 1–6).
//!
//! What the story is not about — accounts, the patient's record, rooms, beds and staff
//! hours — is set up through the command line and the JSON API. Every wait is for
//! something the next page shows, never for a length of time. Screenshots of each step
//! go to `target/screenshots/pathway-*.png`.

use fantoccini::Client;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime, UtcOffset};

use crate::support::{
    Browser, Instance, choose, click, find, find_all, path, screenshot, scroll_to, set_value, text,
    type_into, wait,
};

const PASSWORD: &str = "pneumothorax-15-26%";

/// Someone of the department, as created with `seldinger user add`.
struct Person {
    username: &'static str,
    role: &'static str,
    full_name: &'static str,
}

const REFERRER: Person = Person {
    username: "mdubois",
    role: "referring_physician",
    full_name: "Dr Marc Dubois",
};
const RADIOLOGIST: Person = Person {
    username: "avasseur",
    role: "interventional_radiologist",
    full_name: "Dr Anne Vasseur",
};
const SCHEDULER: Person = Person {
    username: "sfournier",
    role: "scheduler",
    full_name: "Sophie Fournier",
};
const NURSE: Person = Person {
    username: "pgarnier",
    role: "nurse",
    full_name: "Pauline Garnier",
};
const RADIOGRAPHER: Person = Person {
    username: "lroux",
    role: "radiographer",
    full_name: "Léo Roux",
};
const ANESTHETIST: Person = Person {
    username: "nbenali",
    role: "anesthetist",
    full_name: "Dr Nadia Benali",
};
const ADMIN: Person = Person {
    username: "admin",
    role: "admin",
    full_name: "Administrateur",
};

const STAFF: [&Person; 7] = [
    &REFERRER,
    &RADIOLOGIST,
    &SCHEDULER,
    &NURSE,
    &RADIOGRAPHER,
    &ANESTHETIST,
    &ADMIN,
];

/// A CT-guided lung biopsy under local anesthesia, one night on the ward.
const PROCEDURE: &str = "BIO-LUNG-CT";
const FAMILY_NAME: &str = "Lefèbvre";
const GIVEN_NAMES: &str = "Jean-Loïc";

/// The department's clock for this run.
///
/// The booking is made for the first free slot from now on, and the time-out is only
/// accepted on the booking's local day; both must fall on the same local day whatever
/// time the test runs. So the server runs in a fixed-offset zone where it is about noon:
/// `Etc/GMT-N` is UTC+N (POSIX signs are inverted), with N = 12 − the current UTC hour,
/// in −11..=12. The local time is then 12:00–12:59 when the test starts, leaving
/// eleven hours for the walk before the local day ends.
#[derive(Clone, Copy)]
struct Clock {
    offset: UtcOffset,
}

impl Clock {
    fn around_noon() -> Self {
        let hours = 12 - i8::try_from(OffsetDateTime::now_utc().hour()).expect("an hour");
        Self {
            offset: UtcOffset::from_hms(hours, 0, 0).expect("an offset of −11 to +12 hours"),
        }
    }

    /// The IANA name of the zone (`Etc/GMT-5` is UTC+5).
    fn zone(self) -> String {
        match self.offset.whole_hours() {
            0 => "Etc/GMT".to_string(),
            east if east > 0 => format!("Etc/GMT-{east}"),
            west => format!("Etc/GMT+{}", -west),
        }
    }

    /// Now, on the department's clock (read from the system clock, as the server does).
    fn now(self) -> OffsetDateTime {
        OffsetDateTime::now_utc().to_offset(self.offset)
    }

    /// `YYYY-MM-DD`, the local day, as a date input holds it.
    fn today(self) -> String {
        self.now().date().to_string()
    }

    /// `YYYY-MM-DDTHH:MM`, as a datetime-local input holds it.
    fn input(at: OffsetDateTime) -> String {
        format!("{}T{:02}:{:02}", at.date(), at.hour(), at.minute())
    }
}

/// The JSON API with one user's token.
struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    fn new(instance: &Instance, base: &str, who: &Person) -> Self {
        let token = instance.run_ok(&["token", "create", who.username], "");
        Self {
            http: reqwest::Client::new(),
            base: base.to_string(),
            token: token.trim().to_string(),
        }
    }

    /// Sends `body` (if any) and returns the JSON answer, which must have `expected`.
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        expected: StatusCode,
    ) -> Value {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("an answer from the API");
        let status = response.status();
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        assert_eq!(status, expected, "{method} {path}: {answer}");
        answer
    }
}

#[tokio::test]
async fn a_case_goes_from_referral_to_ready_through_every_role() {
    let instance = Instance::new().await;
    for person in STAFF {
        instance.add_user(person.username, person.role, person.full_name, PASSWORD);
    }
    let clock = Clock::around_noon();
    let zone = clock.zone();
    // Seven sign-ins from one address in half a minute come close to the default limit
    // (ten a minute), which is not what this test is about.
    let server = instance.serve(&["--timezone", &zone, "--login-attempts-per-minute", "100"]);
    let base = server.base_url().to_string();

    // The department: a CT room open every day and all day, the radiologist and the
    // anesthetist available whenever the room is, a ward and a day unit, so that any
    // slot from now on is feasible.
    let admin = Api::new(&instance, &base, &ADMIN);
    let scheduler = Api::new(&instance, &base, &SCHEDULER);
    let all_week = Value::from(vec!["00:00-24:00"; 7]);
    admin
        .send(
            Method::POST,
            "/api/v1/rooms",
            Some(json!({ "code": "CT-1", "name": "Scanner interventionnel", "room_type": "ct", "hours": all_week })),
            StatusCode::CREATED,
        )
        .await;
    for (code, name, kind) in [
        (
            "HC-RI",
            "Hospitalisation radiologie interventionnelle",
            "ward",
        ),
        ("HDJ", "Hôpital de jour", "day_unit"),
    ] {
        admin
            .send(
                Method::POST,
                "/api/v1/bed-units",
                Some(json!({ "code": code, "name": name, "kind": kind, "capacity": 4 })),
                StatusCode::CREATED,
            )
            .await;
    }
    for person in [&RADIOLOGIST, &ANESTHETIST] {
        scheduler
            .send(
                Method::PUT,
                &format!("/api/v1/staff/{}/weekly", person.username),
                Some(json!({ "version": 0, "hours": all_week })),
                StatusCode::OK,
            )
            .await;
    }
    // A man on apixaban, registered by the physician who refers him (a referring
    // physician reads only the patients they registered or referred): the checklist
    // will ask for the anticoagulant plan.
    Api::new(&instance, &base, &REFERRER)
        .send(
            Method::POST,
            "/api/v1/patients",
            Some(json!({
                "mrn": "IP-2026-0420",
                "family_name": FAMILY_NAME,
                "given_names": GIVEN_NAMES,
                "birth_date": "1958-09-14",
                "sex": "male",
                "anticoagulants": [{ "kind": "apixaban", "note": "5 mg × 2/j" }],
            })),
            StatusCode::CREATED,
        )
        .await;

    let case_id = Browser::start()
        .await
        .run(move |client| walk(client, base, clock))
        .await;

    // The history, through the API: every step, by whom it was done.
    let radiologist = Api::new(&instance, server.base_url(), &RADIOLOGIST);
    let detail = radiologist
        .send(
            Method::GET,
            &format!("/api/v1/cases/{case_id}"),
            None,
            StatusCode::OK,
        )
        .await;
    assert_eq!(detail["case"]["status"], "ready", "{detail}");
    let history: Vec<(&str, &str)> = detail["history"]
        .as_array()
        .expect("a history")
        .iter()
        .map(|e| {
            (
                e["event"].as_str().unwrap_or_default(),
                e["username"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(history, expected_history(), "{detail}");
    let consents = detail["consents"].as_array().expect("consents");
    assert_eq!(consents.len(), 1, "{detail}");
    assert_eq!(consents[0]["decision"], "given");
    let bookings = detail["bookings"].as_array().expect("bookings");
    assert_eq!(bookings.len(), 1, "{detail}");
    assert_eq!(bookings[0]["operator_name"], RADIOLOGIST.full_name);
}

/// Each step of the pathway and who took it.
fn expected_history() -> Vec<(&'static str, &'static str)> {
    vec![
        ("refer", REFERRER.username),
        ("accept", RADIOLOGIST.username),
        ("record_consultation", RADIOLOGIST.username),
        ("send_to_mdt", RADIOLOGIST.username),
        ("mdt_decision", RADIOLOGIST.username),
        ("book", SCHEDULER.username),
        ("complete_checklist", NURSE.username),
        ("timeout", RADIOGRAPHER.username),
    ]
}

/// The walk, in the browser; the case's id.
async fn walk(client: Client, base: String, clock: Clock) -> String {
    let url = |path: &str| format!("{base}{path}");

    // 1. The referring physician opens the patient and refers him for a lung biopsy.
    sign_in(&client, &base, &REFERRER).await;
    client
        .goto(&url("/patients"))
        .await
        .expect("open /patients");
    wait(&client, "#patient-results").await;
    click(&client, "#patient-results tbody a").await;
    let name = wait(&client, "#patient-name").await;
    let shown = name.text().await.expect("the patient's name");
    assert!(shown.contains(GIVEN_NAMES), "{shown:?}");
    click(&client, "#new-referral").await;
    wait(&client, "#referral-form").await;
    assert_eq!(
        value(&client, "#referring_physician").await,
        REFERRER.full_name,
        "the form knows who refers"
    );
    assert_eq!(value(&client, "#referral_date").await, clock.today());
    assert!(
        checked(&client, "#drug-apixaban").await,
        "the treatment on record is carried into the referral"
    );
    choose(&client, "#requested_procedure", PROCEDURE).await;
    choose(&client, "#urgency", "semi_urgent").await;
    choose(&client, "#target_organ", "lung").await;
    type_into(&client, "#target_site", "Lobe supérieur droit").await;
    choose(&client, "#side", "right").await;
    type_into(&client, "#lesion_size_mm", "18").await;
    type_into(
        &client,
        "#indication",
        "Nodule spiculé du lobe supérieur droit, hypermétabolique au TEP-scanner.",
    )
    .await;
    type_into(
        &client,
        "#clinical_question",
        "Adénocarcinome ? Statut moléculaire.",
    )
    .await;
    type_into(&client, "#referring_service", "Pneumologie").await;
    screenshot(&client, "pathway-01-referral.png").await;
    click(&client, "#send-referral").await;
    assert_eq!(status(&client, "referred").await, "adressé, à trier");
    wait(&client, "#done").await;
    let case_id = path(&client)
        .await
        .strip_prefix("/cases/")
        .expect("the case page")
        .to_string();
    let case_path = format!("/cases/{case_id}");
    assert_eq!(text(&client, "h1").await, "Biopsie pulmonaire sous scanner");
    sign_out(&client).await;

    // 2. The interventional radiologist triages it from the worklist, sees the patient in
    //    consultation (sheet in French, risks, alternatives, consent given), and sends the
    //    case to the MDT.
    sign_in(&client, &base, &RADIOLOGIST).await;
    assert_eq!(path(&client).await, "/worklists");
    assert_eq!(text(&client, "#count-to_triage").await, "1");
    click(&client, "#card-to_triage h2 a").await;
    wait(&client, "#worklist").await;
    click(&client, &format!("#worklist a[href='{case_path}']")).await;
    wait(&client, "#accept").await;
    click(&client, "#accept").await;
    assert_eq!(
        status(&client, "accepted").await,
        "accepté, en attente de consultation"
    );
    // The consultation began a little while ago (the clinic is empty: no collision).
    let consultation_start = clock.now() - Duration::minutes(30);
    choose(&client, "#kind", "ir_pre").await;
    choose(&client, "#clinician", RADIOLOGIST.username).await;
    set_value(&client, "#starts_at", &Clock::input(consultation_start)).await;
    click(&client, "#book").await;
    wait(&client, "#consultations a[href^='/consultations/']").await;
    click(&client, "#consultations a[href^='/consultations/']").await;
    wait(&client, "#record-form").await;
    wait(&client, "#consultation-status.consult-booked").await;
    click(&client, "#information_sheet_given").await;
    choose(&client, "#sheet_language", "fr").await;
    type_into(
        &client,
        "#risks_explained",
        "Pneumothorax (15 à 26 %), drain thoracique rare, hémoptysie, hématome.",
    )
    .await;
    type_into(
        &client,
        "#alternatives_discussed",
        "Fibroscopie avec écho-endoscopie ; surveillance ; chirurgie d'emblée.",
    )
    .await;
    click(&client, "#consent-given").await;
    assert_eq!(
        value(&client, "#consent_date").await,
        clock.today(),
        "consent is dated the consultation's day"
    );
    screenshot(&client, "pathway-02-consultation.png").await;
    click(&client, "#record-consultation").await;
    assert_eq!(status(&client, "consulted").await, "vu en consultation");
    wait(&client, "#consents .consent-given").await;
    click(&client, "#send-to-mdt").await;
    assert_eq!(status(&client, "awaiting_mdt").await, "en attente de RCP");
    sign_out(&client).await;

    // 3. The scheduler sets up today's thoracic oncology meeting and puts the case on
    //    its agenda.
    sign_in(&client, &base, &SCHEDULER).await;
    client.goto(&url("/mdt")).await.expect("open /mdt");
    wait(&client, "#new-meeting").await;
    click(&client, "#new-meeting").await;
    wait(&client, "#save-meeting").await;
    choose(&client, "#kind", "thoracic_oncology").await;
    let now = clock.now();
    let meeting_start = now - Duration::minutes(i64::from(now.minute()));
    set_value(&client, "#starts_at", &Clock::input(meeting_start)).await;
    type_into(&client, "#location", "Salle de staff, bâtiment B").await;
    let names = find_all(&client, "input[name=attendee_name]").await;
    let specialties = find_all(&client, "select[name=attendee_specialty]").await;
    for (i, (name, specialty)) in [
        (RADIOLOGIST.full_name, "interventional_radiology"),
        ("Dr Hugo Marchand", "pulmonology"),
    ]
    .into_iter()
    .enumerate()
    {
        names[i]
            .send_keys(name)
            .await
            .expect("type an attendee's name");
        specialties[i]
            .select_by_value(specialty)
            .await
            .expect("choose an attendee's specialty");
    }
    screenshot(&client, "pathway-03-mdt-meeting.png").await;
    click(&client, "#save-meeting").await;
    wait(&client, "#meeting-title").await;
    wait(&client, "#notice").await;
    let meeting_path = path(&client).await;
    let attendees = text(&client, "#attendees").await;
    assert!(
        attendees.contains(RADIOLOGIST.full_name) && attendees.contains("Dr Hugo Marchand"),
        "{attendees:?}"
    );
    choose(&client, "#case_id", &case_id).await;
    click(&client, "#add-to-agenda").await;
    let item = format!("#case-{case_id}");
    wait(&client, &item).await;
    assert!(
        text(&client, &item).await.contains(GIVEN_NAMES),
        "the patient is on the agenda"
    );
    sign_out(&client).await;

    // 4. At the meeting, the radiologist records the decision: a CT-guided lung biopsy.
    sign_in(&client, &base, &RADIOLOGIST).await;
    client.goto(&url("/mdt")).await.expect("open /mdt");
    wait(&client, "#upcoming").await;
    click(&client, &format!("#upcoming a[href='{meeting_path}']")).await;
    wait(&client, &format!("#decision-{case_id}")).await;
    choose(&client, &format!("#decision-{case_id}"), "ir_procedure").await;
    choose(&client, &format!("#procedure-{case_id}"), PROCEDURE).await;
    type_into(
        &client,
        &format!("#rationale-{case_id}"),
        "Nodule de 18 mm accessible par voie percutanée ; preuve histologique avant traitement.",
    )
    .await;
    assert_eq!(
        value(&client, &format!("#physician-{case_id}")).await,
        RADIOLOGIST.full_name,
        "the responsible physician defaults to who records the decision"
    );
    screenshot(&client, "pathway-04-mdt-decision.png").await;
    click(&client, &format!("#decide-{case_id}")).await;
    wait(&client, &format!("{item} .mdt-decision")).await;
    let notice = text(&client, "#notice").await;
    assert!(notice.contains("à programmer"), "{notice:?}");
    click(&client, &format!("{item} a[href='{case_path}']")).await;
    assert_eq!(status(&client, "to_schedule").await, "à programmer");
    sign_out(&client).await;

    // 5. The scheduler books the first slot proposed (today, from now on); the day's
    //    list shows the case with its checklist still incomplete.
    sign_in(&client, &base, &SCHEDULER).await;
    client
        .goto(&url("/worklists/to_schedule"))
        .await
        .expect("open the list of cases to schedule");
    wait(&client, "#worklist").await;
    click(
        &client,
        &format!("#worklist a.button[href='{case_path}/booking']"),
    )
    .await;
    wait(&client, "#slot-1").await;
    let first = find(&client, "#slots tr.slot:first-child input[name=start]")
        .await
        .prop("value")
        .await
        .expect("the first slot's start")
        .unwrap_or_default();
    let not_before = Clock::input(clock.now() - Duration::minutes(1));
    assert!(
        first.starts_with(&clock.today()) && first >= not_before,
        "the first slot is today, from now on: {first} (now {not_before})"
    );
    scroll_to(&client, "#slots").await;
    screenshot(&client, "pathway-05-booking.png").await;
    click(&client, "#slot-1").await;
    assert_eq!(status(&client, "scheduled").await, "programmé");
    let bookings = text(&client, "#bookings").await;
    assert!(
        bookings.contains("Scanner interventionnel") && bookings.contains(RADIOLOGIST.full_name),
        "{bookings:?}"
    );
    click(&client, "nav a[href='/schedule']").await;
    let on_the_list = format!("tr.booked:has(a[href='{case_path}/booking'])");
    let incomplete = wait(&client, &format!("{on_the_list} .checklist-incomplete"))
        .await
        .text()
        .await
        .expect("the checklist's badge");
    assert_eq!(incomplete, "Check-list incomplète");
    scroll_to(&client, &on_the_list).await;
    screenshot(&client, "pathway-05-schedule.png").await;
    sign_out(&client).await;

    // 6. The nurse completes the checklist from the day's list: labs of the day, the
    //    anticoagulant stopped. The case is ready.
    sign_in(&client, &base, &NURSE).await;
    client
        .goto(&url("/schedule"))
        .await
        .expect("open /schedule");
    wait(&client, &format!("{on_the_list} .checklist-incomplete")).await;
    click(&client, &format!("{on_the_list} .checklist-incomplete")).await;
    wait(&client, "#checklist-form").await;
    assert_eq!(path(&client).await, format!("{case_path}/checklist"));
    // What the consultation already settled, what is still to do, and what does not
    // apply to a man having a biopsy without contrast under local anesthesia.
    for (item, state) in [
        ("consent", "done"),
        ("information_sheet", "done"),
        ("inr", "missing"),
        ("platelets", "missing"),
        ("renal_function", "not_needed"),
        ("anticoagulant_plan", "missing"),
        ("fasting", "not_needed"),
        ("premedication", "not_needed"),
        ("pregnancy", "not_needed"),
    ] {
        assert_eq!(
            find_all(&client, &format!("#item-{item}.{state}"))
                .await
                .len(),
            1,
            "{item} is {state}"
        );
    }
    if !checked(&client, "#information_sheet_delivered").await {
        click(&client, "#information_sheet_delivered").await;
    }
    let today = clock.today();
    type_into(&client, "#inr", "1.1").await;
    set_value(&client, "#inr_date", &today).await;
    type_into(&client, "#platelets", "250").await;
    set_value(&client, "#platelets_date", &today).await;
    choose(&client, "#anticoagulant_plan", "stopped").await;
    type_into(
        &client,
        "#anticoagulant_note",
        "Apixaban arrêté 48 h avant le geste",
    )
    .await;
    screenshot(&client, "pathway-06-checklist.png").await;
    click(&client, "#save-checklist").await;
    wait(&client, "#notice").await;
    assert_eq!(text(&client, "#readiness").await, "Le dossier est prêt.");
    assert_eq!(text(&client, "#case-status").await, "prêt");
    assert!(
        find_all(&client, "#evaluation li.missing, #evaluation li.failed")
            .await
            .is_empty(),
        "nothing blocks"
    );
    scroll_to(&client, "#evaluation").await;
    screenshot(&client, "pathway-06-ready.png").await;
    client.goto(&url(&case_path)).await.expect("open the case");
    assert_eq!(status(&client, "ready").await, "prêt");
    sign_out(&client).await;

    // 7. In the room, the radiographer records the time-out; the case's history shows
    //    every step and who took it.
    sign_in(&client, &base, &RADIOGRAPHER).await;
    client
        .goto(&url("/schedule"))
        .await
        .expect("open /schedule");
    wait(&client, &format!("{on_the_list} .checklist-ready")).await;
    click(&client, &format!("{on_the_list} .checklist-ready")).await;
    wait(&client, "#record-timeout").await;
    for check in [
        "#identity_confirmed",
        "#site_confirmed",
        "#side_confirmed",
        "#procedure_confirmed",
    ] {
        click(&client, check).await;
    }
    type_into(
        &client,
        "#timeout-notes",
        "Côté droit marqué, patient à jeun.",
    )
    .await;
    screenshot(&client, "pathway-07-timeout.png").await;
    click(&client, "#record-timeout").await;
    let recorded = wait(&client, "#timeout-recorded")
        .await
        .text()
        .await
        .expect("the time-out's record");
    assert!(recorded.contains(RADIOGRAPHER.username), "{recorded:?}");
    client
        .goto(&url("/schedule"))
        .await
        .expect("open /schedule");
    wait(&client, &format!("{on_the_list} .timeout-done")).await;
    client.goto(&url(&case_path)).await.expect("open the case");
    assert_eq!(status(&client, "ready").await, "prêt");
    let rows = client
        .execute(
            "const rows = document.querySelectorAll('#history tbody tr');
             rows[rows.length - 1].scrollIntoView();
             return Array.from(rows, r => [r.dataset.event, r.querySelector('.history-who').textContent.trim()]);",
            vec![],
        )
        .await
        .expect("read the history");
    let shown: Vec<(String, String)> =
        serde_json::from_value(rows).expect("pairs of event and username");
    let expected: Vec<(String, String)> = expected_history()
        .into_iter()
        .map(|(event, who)| (event.to_string(), who.to_string()))
        .collect();
    assert_eq!(shown, expected, "the case's history");
    screenshot(&client, "pathway-08-history.png").await;
    sign_out(&client).await;

    case_id
}

/// Signs in on the sign-in page and waits for the signed-in page.
async fn sign_in(client: &Client, base: &str, who: &Person) {
    client
        .goto(&format!("{base}/login"))
        .await
        .expect("open /login");
    wait(client, "#username").await;
    type_into(client, "#username", who.username).await;
    type_into(client, "#password", PASSWORD).await;
    click(client, "form.login button[type=submit]").await;
    wait(client, "#sign-out").await;
    let user = text(client, ".who .user").await;
    assert!(user.contains(who.full_name), "signed in as {user:?}");
}

async fn sign_out(client: &Client) {
    click(client, "#sign-out").await;
    wait(client, "#username").await;
}

/// Waits until the case page shows status `code`; the status as shown.
async fn status(client: &Client, code: &str) -> String {
    wait(client, &format!("#case-status.status-{code}"))
        .await
        .text()
        .await
        .expect("the case's status")
}

/// The current value of a form field.
async fn value(client: &Client, css: &str) -> String {
    find(client, css)
        .await
        .prop("value")
        .await
        .unwrap_or_else(|e| panic!("the value of {css}: {e}"))
        .unwrap_or_default()
}

async fn checked(client: &Client, css: &str) -> bool {
    find(client, css)
        .await
        .is_selected()
        .await
        .unwrap_or_else(|e| panic!("whether {css} is ticked: {e}"))
}
