//! After the procedure, in a real browser (PRODUCT.md, pathway steps 7–11): the
//! radiologist reports a CT-guided lung biopsy and signs it; an edit sent afterwards from
//! a tab left open on the draft is refused and changes nothing; a signed addendum
//! corrects it; the pathologist records the result; a pneumothorax treated with a drain
//! (CIRSE grade 3, serious) is recorded and waits on the serious-event list; the nurse
//! completes the day-7 contact; past day 37 the day-30 contact is overdue.
//!
//! The server runs in this process on a manual clock, so the days pass without waiting:
//! the clock is moved, never slept on. The case is brought to "ready" through the store
//! (the steps before are the pathway walk's subject, `pathway.rs`). Screenshots go to
//! `target/screenshots/outcome-*.png`.

use std::net::SocketAddr;
use std::sync::Arc;

use fantoccini::Client;
use seldinger_domain::audit::Actor;
use seldinger_domain::case::{CaseEvent, NewReferral, ReferralInput};
use seldinger_domain::checklist::{Checklist, ChecklistInput};
use seldinger_domain::clock::ManualClock;
use seldinger_domain::consultation::ConsentDecision;
use seldinger_domain::mdt::{AttendeeInput, Decision, DecisionInput, MeetingInput, NewMeeting};
use seldinger_domain::patient::{NewPatient, PatientInput};
use seldinger_domain::resources::{
    BedUnitDef, BedUnitInput, RoomDef, RoomInput, Span, WeeklyHours,
};
use seldinger_domain::user::Username;
use seldinger_domain::{CaseId, Clock, Lang, Role};
use seldinger_store::bookings::BookingRequest;
use seldinger_store::testing::TestDatabase;
use seldinger_store::{NewUser, Store};
use seldinger_web::{AppState, WebConfig, auth};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::support::{Browser, choose, click, find, screenshot, set_value, text, type_into, wait};

const PASSWORD: &str = "pneumothorax-15-26%";
const ZONE: &str = "Europe/Paris";
/// Monday 23 November 2026, 15:00 in Paris: the biopsy (booked at 09:00) is over.
const AFTER_THE_PROCEDURE: OffsetDateTime = datetime!(2026-11-23 14:00 UTC);

const RADIOLOGIST: (&str, Role, &str) = (
    "avasseur",
    Role::InterventionalRadiologist,
    "Dr Anne Vasseur",
);
const PATHOLOGIST: (&str, Role, &str) = ("cmorin", Role::Pathologist, "Dr Claire Morin");
const NURSE: (&str, Role, &str) = ("pgarnier", Role::Nurse, "Pauline Garnier");

/// The application on port 0, in this process, on `clock`.
struct App {
    base: String,
    store: Store,
    clock: Arc<ManualClock>,
    _db: TestDatabase,
}

impl App {
    async fn start() -> Self {
        let db = TestDatabase::new().await;
        let zone = jiff::tz::TimeZone::get(ZONE).expect("the zone");
        let store = db.store_with(|o| o.zone = zone.clone()).await;
        let clock = Arc::new(ManualClock::new(datetime!(2026-11-20 08:00 UTC)));
        let config = WebConfig {
            timezone: zone,
            login_attempts_per_minute: 100,
            ..WebConfig::default()
        };
        let state = AppState::new(store.clone(), clock.clone(), config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind port 0");
        let base = format!("http://{}", listener.local_addr().expect("an address"));
        let app = seldinger_web::router(state).into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, app).await.expect("the server runs") });
        Self {
            base,
            store,
            clock,
            _db: db,
        }
    }

    fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    async fn add_user(&self, (username, role, full_name): (&str, Role, &str)) {
        let new = NewUser {
            username: Username::parse(username).expect("a username"),
            full_name: full_name.into(),
            role,
            language: Lang::Fr,
            password_hash: auth::hash_password(PASSWORD).expect("a hash"),
        };
        self.store
            .create_user(&Actor::system("test"), new, self.now())
            .await
            .expect("a user");
    }

    /// A CT-guided lung biopsy booked on Monday at 10:00 Paris, consent given, the
    /// checklist complete: "ready". The radiologist is the operator.
    async fn ready_case(&self) -> CaseId {
        let system = Actor::system("test");
        let now = self.now();
        let store = &self.store;
        let patient = NewPatient::parse(
            &PatientInput {
                mrn: "IP-2026-0512".into(),
                family_name: "Lefèbvre".into(),
                given_names: "Jean-Loïc".into(),
                birth_date: "1958-09-14".into(),
                sex: "male".into(),
                allergies: Vec::new(),
                anticoagulants: Vec::new(),
            },
            now,
        )
        .expect("a patient");
        let patient = store
            .create_patient(&system, &patient, now)
            .await
            .expect("patient")
            .id;
        let referral = NewReferral::parse(
            &ReferralInput {
                patient_id: patient.to_string(),
                referring_physician: "Dr Marc Dubois".into(),
                indication: "Nodule spiculé du lobe supérieur droit de 18 mm.".into(),
                target_organ: "lung".into(),
                target_site: "Lobe supérieur droit".into(),
                side: "right".into(),
                lesion_size_mm: Some(18),
                requested_procedure: "BIO-LUNG-CT".into(),
                urgency: "semi_urgent".into(),
                ..ReferralInput::default()
            },
            now,
        )
        .expect("a referral");
        let case = store
            .create_referral(&system, &referral, now)
            .await
            .expect("case")
            .id;
        store
            .transition_case(&system, case, &CaseEvent::SendToMdt, now)
            .await
            .expect("sent to the MDT");
        let meeting = NewMeeting::parse(&MeetingInput {
            kind: "thoracic_oncology".into(),
            starts_at: "2026-11-19T14:00".into(),
            location: "Salle de staff".into(),
            attendees: vec![AttendeeInput {
                name: RADIOLOGIST.2.into(),
                specialty: "interventional_radiology".into(),
            }],
        })
        .expect("a meeting");
        let meeting = store
            .create_meeting(&system, &meeting, now)
            .await
            .expect("meeting")
            .id;
        store
            .add_to_agenda(&system, meeting, case, now)
            .await
            .expect("agenda");
        let decision = Decision::parse(&DecisionInput {
            decision: "ir_procedure".into(),
            procedure: "BIO-LUNG-CT".into(),
            rationale: "Preuve histologique avant traitement.".into(),
            responsible_physician: RADIOLOGIST.2.into(),
        })
        .expect("a decision");
        store
            .decide(&system, meeting, case, &decision, now)
            .await
            .expect("decided");
        let room = RoomDef::parse(&RoomInput {
            code: "CT-1".into(),
            name: "Scanner interventionnel".into(),
            room_type: "ct".into(),
            hours: std::array::from_fn(|_| "07:00-20:00".to_string()),
            active: true,
        })
        .expect("a room");
        let room = store
            .create_room(&system, &room, now)
            .await
            .expect("room")
            .room
            .id;
        let ward = BedUnitDef::parse(&BedUnitInput {
            code: "HC-RI".into(),
            name: "Hospitalisation radiologie interventionnelle".into(),
            kind: "ward".into(),
            capacity: Some(4),
            active: true,
        })
        .expect("a ward");
        store
            .create_bed_unit(&system, &ward, now)
            .await
            .expect("ward");
        let operator = store
            .staff_availability(Role::InterventionalRadiologist, now.date())
            .await
            .expect("staff")
            .into_iter()
            .find(|s| s.username == RADIOLOGIST.0)
            .expect("the radiologist");
        let hours = WeeklyHours(std::array::from_fn(|_| {
            vec![Span {
                start: 7 * 60,
                end: 20 * 60,
            }]
        }));
        store
            .set_weekly_availability(&system, operator.user_id, 0, &hours, now)
            .await
            .expect("hours");
        let request = BookingRequest {
            room,
            start: datetime!(2026-11-23 09:00 UTC),
            end: None,
            operator: operator.user_id,
            anesthetist: None,
            equipment: None,
            bed_unit: None,
        };
        store
            .book_case(&system, case, &request, now)
            .await
            .expect("booked");
        store
            .record_consent(&system, case, ConsentDecision::Given, now.date(), None, now)
            .await
            .expect("consent");
        let checklist = Checklist::parse(
            &ChecklistInput {
                information_sheet_delivered: true,
                inr: "1,05".into(),
                inr_date: "2026-11-19".into(),
                platelets: "245".into(),
                platelets_date: "2026-11-19".into(),
                ..ChecklistInput::default()
            },
            now.date(),
        )
        .expect("a checklist");
        let (_, status) = store
            .save_checklist(&system, case, 0, &checklist, now)
            .await
            .expect("checklist");
        assert_eq!(status.code(), "ready");
        case
    }
}

#[tokio::test]
async fn a_procedure_is_reported_signed_corrected_and_followed_up_to_day_30() {
    let app = App::start().await;
    for person in [RADIOLOGIST, PATHOLOGIST, NURSE] {
        app.add_user(person).await;
    }
    let case = app.ready_case().await;
    app.clock.set(AFTER_THE_PROCEDURE);
    let app = Arc::new(app);
    let story = Arc::clone(&app);
    Browser::start()
        .await
        .run(move |client| async move { walk(client, &story, case).await })
        .await;

    // Whatever the pages showed, the record: one signature, the addendum, the result.
    let system = Actor::system("test");
    let report = app
        .store
        .report(&system, case, app.now())
        .await
        .expect("read")
        .expect("a report");
    assert_eq!(
        report.signed.as_ref().map(|(_, by)| by.as_str()),
        Some(RADIOLOGIST.0)
    );
    assert_eq!(
        report.report.conclusion.as_deref(),
        Some("Biopsie pulmonaire réalisée, pneumothorax drainé.")
    );
    assert_eq!(report.addenda.len(), 1);
    let specimens = app
        .store
        .specimens(&system, case, app.now())
        .await
        .expect("specimens");
    assert!(specimens[0].result.is_some(), "{specimens:?}");
    let events = app
        .store
        .case_adverse_events(&system, case, app.now())
        .await
        .expect("events");
    assert_eq!(events.len(), 1);
    assert!(events[0].event.serious && events[0].reported_at.is_none());
    let follow_up = app
        .store
        .follow_ups(&system, case, app.now())
        .await
        .expect("follow-up");
    let status = |code: &str| {
        follow_up
            .iter()
            .find(|f| f.code == code)
            .map(|f| f.status.code())
    };
    assert_eq!(status("d7"), Some("done"));
    assert_eq!(status("d30"), Some("planned"));
}

async fn sign_in(client: &Client, base: &str, (username, _, full_name): (&str, Role, &str)) {
    client
        .goto(&format!("{base}/login"))
        .await
        .expect("open /login");
    wait(client, "#username").await;
    type_into(client, "#username", username).await;
    type_into(client, "#password", PASSWORD).await;
    click(client, "form.login button[type=submit]").await;
    wait(client, "#sign-out").await;
    let user = text(client, ".who .user").await;
    assert!(user.contains(full_name), "signed in as {user:?}");
}

async fn sign_out(client: &Client) {
    click(client, "#sign-out").await;
    wait(client, "#username").await;
}

async fn walk(client: Client, app: &App, case: CaseId) {
    let base = app.base.clone();
    let url = |path: &str| format!("{base}{path}");

    // 1. The radiologist writes the report from the booking's defaults.
    sign_in(&client, &base, RADIOLOGIST).await;
    client
        .goto(&url(&format!("/cases/{case}")))
        .await
        .expect("the case");
    click(&client, "#report-link").await;
    wait(&client, "#report-form").await;
    assert!(
        find(&client, "#operator-avasseur")
            .await
            .is_selected()
            .await
            .expect("checked"),
        "the booked operator is the operator"
    );
    assert!(
        find(&client, "#guidance-ct")
            .await
            .is_selected()
            .await
            .expect("checked"),
        "the catalog's guidance"
    );
    type_into(&client, "#biopsy_needle_gauge", "18").await;
    type_into(&client, "#biopsy_cores", "3").await;
    type_into(&client, "#ct_dlp_mgycm", "412,5").await;
    type_into(&client, "#exposures", "9").await;
    choose(&client, "#technical_success", "success").await;
    type_into(
        &client,
        "#findings",
        "Nodule du lobe supérieur droit atteint au 3e passage.",
    )
    .await;
    type_into(
        &client,
        "#conclusion",
        "Biopsie pulmonaire réalisée, pneumothorax drainé.",
    )
    .await;
    type_into(&client, "#specimens", "LSD — carottes 1-2\nLSD — carotte 3").await;
    click(&client, "#save-report").await;
    wait(&client, "#complete").await;
    screenshot(&client, "outcome-1-draft.png").await;

    // 2. A second tab stays open on the draft; the first signs it.
    let first = client.window().await.expect("this tab");
    let second = client.new_window(true).await.expect("a new tab").handle;
    client
        .switch_to_window(second.clone())
        .await
        .expect("to the new tab");
    client
        .goto(&url(&format!("/cases/{case}/report")))
        .await
        .expect("the draft");
    wait(&client, "#report-form").await;
    client.switch_to_window(first.clone()).await.expect("back");
    click(&client, "#sign-report").await;
    wait(&client, "#locked").await;
    let signed_by = text(&client, "#signed-by").await;
    assert_eq!(signed_by, RADIOLOGIST.2);
    screenshot(&client, "outcome-2-signed.png").await;

    // 3. The old tab tries to change the signed report: refused, nothing changed.
    client.switch_to_window(second).await.expect("the old tab");
    set_value(
        &client,
        "#conclusion",
        "Conclusion changée après signature.",
    )
    .await;
    click(&client, "#save-report").await;
    wait(&client, "#refusal").await;
    let refusal = text(&client, "#refusal").await;
    assert!(refusal.contains("signé"), "{refusal:?}");
    wait(&client, "#locked").await;
    let shown = text(&client, "#report-view").await;
    assert!(
        shown.contains("Biopsie pulmonaire réalisée, pneumothorax drainé."),
        "{shown}"
    );
    assert!(!shown.contains("changée après signature"), "{shown}");
    client.close_window().await.expect("close the old tab");
    client.switch_to_window(first).await.expect("the first tab");

    // 4. The correction is a signed addendum.
    client
        .goto(&url(&format!("/cases/{case}/report")))
        .await
        .expect("the report");
    type_into(
        &client,
        "#addendum-text",
        "Pneumothorax de 2 cm vu sur le contrôle, drain posé.",
    )
    .await;
    click(&client, "#add-addendum").await;
    wait(&client, "#addendum-1").await;
    let addendum = text(&client, "#addendum-1").await;
    assert!(addendum.contains("drain posé"), "{addendum}");
    sign_out(&client).await;

    // 5. The pathologist finds the specimens on her worklist and records a result.
    sign_in(&client, &base, PATHOLOGIST).await;
    client
        .goto(&url("/worklists/pathology"))
        .await
        .expect("the worklist");
    let pending = text(&client, "#pending").await;
    assert!(
        pending.contains("LSD — carottes 1-2") && pending.contains("Jean-Loïc"),
        "{pending}"
    );
    click(&client, "#pending tbody tr:first-child td a").await;
    wait(&client, "#result-form").await;
    choose(&client, "#adequacy", "adequate").await;
    choose(&client, "#category", "malignant").await;
    type_into(&client, "#histology", "Adénocarcinome pulmonaire, TTF1+.").await;
    click(&client, "#record-result").await;
    wait(&client, "#result-category").await;
    let category = text(&client, "#result-category").await;
    assert_eq!(category, "malin");
    screenshot(&client, "outcome-3-pathology.png").await;
    sign_out(&client).await;

    // 6. That afternoon, a pneumothorax needs a drain: the radiologist records it,
    // CIRSE grade 3, serious (the stay is prolonged). It waits on the due list.
    sign_in(&client, &base, RADIOLOGIST).await;
    client
        .goto(&url(&format!("/cases/{case}")))
        .await
        .expect("the case");
    click(&client, "#events-link").await;
    wait(&client, "#event-form").await;
    choose(&client, "#term", "pneumothorax_drain").await;
    set_value(&client, "#onset", "2026-11-23T14:30").await;
    choose(&client, "#cirse_grade", "3").await;
    click(&client, "#serious").await;
    click(&client, "#criterion-hospitalisation").await;
    choose(&client, "#related_to_procedure", "definite").await;
    choose(&client, "#action", "drainage").await;
    type_into(
        &client,
        "#action_note",
        "Drain pleural 8 Fr posé sous scanner.",
    )
    .await;
    choose(&client, "#outcome", "resolving").await;
    click(&client, "#save-event").await;
    wait(&client, "#event-1").await;
    let event = text(&client, "#event-1").await;
    assert!(event.contains("Pneumothorax drainé"), "{event}");
    assert!(
        event.contains("≤ 24 h"),
        "the phase follows from the onset: {event}"
    );
    client
        .goto(&url("/worklists/serious-events"))
        .await
        .expect("the due list");
    wait(&client, "#due-events").await;
    let due = text(&client, "#due-events").await;
    assert!(
        due.contains("Pneumothorax drainé") && due.contains("Jean-Loïc"),
        "{due}"
    );
    assert!(
        due.contains("24/11/2026 15:00"),
        "due 24 hours later: {due}"
    );
    screenshot(&client, "outcome-4-serious-event.png").await;
    sign_out(&client).await;

    // 7. A week later, the nurse's day-7 call.
    app.clock.set(datetime!(2026-11-30 08:30 UTC));
    sign_in(&client, &base, NURSE).await;
    client
        .goto(&url("/worklists/follow-up?list=due"))
        .await
        .expect("due follow-up");
    wait(&client, "#follow-ups").await;
    let due = text(&client, "#follow-ups").await;
    assert!(
        due.contains("Appel à J7") && !due.contains("Appel à J30"),
        "{due}"
    );
    click(&client, "#follow-ups tbody a.button").await;
    wait(&client, "#contact-form").await;
    choose(&client, "#status", "done").await;
    type_into(
        &client,
        "#findings",
        "Drain retiré à J2, pas de dyspnée, cicatrice propre.",
    )
    .await;
    click(&client, "#record-contact").await;
    wait(&client, "#recorded").await;
    assert_eq!(text(&client, "#recorded-status").await, "fait");
    screenshot(&client, "outcome-5-day-7.png").await;
    sign_out(&client).await;

    // 8. Past day 37 the day-30 call was never made: it is overdue.
    app.clock
        .set(datetime!(2026-12-31 08:30 UTC) + Duration::minutes(1));
    sign_in(&client, &base, NURSE).await;
    client
        .goto(&url("/worklists/follow-up?list=overdue"))
        .await
        .expect("overdue");
    wait(&client, "#follow-ups").await;
    let overdue = text(&client, "#follow-ups").await;
    assert!(
        overdue.contains("Appel à J30") && overdue.contains("Jean-Loïc"),
        "{overdue}"
    );
    assert!(!overdue.contains("Appel à J7"), "{overdue}");
    screenshot(&client, "outcome-6-overdue.png").await;
}
