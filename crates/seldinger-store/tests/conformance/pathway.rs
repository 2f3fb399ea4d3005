//! The pathway, steps 1–6: a referral becomes a case, is triaged, consulted, decided at
//! the MDT, booked, checked and timed out. Each refusal is checked for what it says and
//! for what it leaves untouched.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

use sea_orm::{ConnectionTrait, Statement};
use seldinger_domain::audit::Actor;
use seldinger_domain::case::{
    CaseEvent, CaseStatus, MdtDecision, NewReferral, Refusal, Side, Urgency,
};
use seldinger_domain::catalog::{BleedingRisk, EquipmentKind, Organ, ProcedureCode, RoomType};
use seldinger_domain::checklist::{
    AnticoagulantPlan, Checklist, ChecklistItem, Inr, ItemState, Lab, Reason, TimeOut,
};
use seldinger_domain::consultation::{
    ConsentDecision, ConsultationKind, ConsultationRecord, ConsultationStatus,
};
use seldinger_domain::invalid::Problem;
use seldinger_domain::mdt::{Attendee, Decision, MeetingKind, NewMeeting, Specialty};
use seldinger_domain::resources::{
    BedUnitDef, BedUnitKind, EquipmentDef, RoomDef, Span, WeeklyHours,
};
use seldinger_domain::rules::Rule;
use seldinger_domain::{BedUnitId, CaseId, EquipmentId, Lang, PatientId, Role, RoomId};
use seldinger_schedule::Conflict as Clash;
use seldinger_store::bookings::{BookingRecord, BookingRequest, ListFilter};
use seldinger_store::cases::{CaseRecord, Worklist};
use seldinger_store::consultations::{Consultation, ConsultationSlot};
use seldinger_store::mdt::Meeting;
use seldinger_store::resources::BedUnitRecord;
use seldinger_store::testing::TestDatabase;
use seldinger_store::{Conflict, Patient, Store, StoreError, StoreOptions, User};
use time::macros::{date, datetime};
use time::{Date, Duration, OffsetDateTime};

use crate::support::{NOW, patient, user};

/// The Monday after [`NOW`]: every booking of these stories is on it unless said.
pub(crate) const MONDAY: Date = date!(2026 - 11 - 23);

/// `hh:mm` on [`MONDAY`], UTC.
pub(crate) fn monday(hour: u8, minute: u8) -> OffsetDateTime {
    MONDAY.with_hms(hour, minute, 0).unwrap().assume_utc()
}

/// Monday to Friday, 08:00–18:00.
fn weekdays() -> WeeklyHours {
    let mut hours = WeeklyHours::default();
    for day in &mut hours.0[..5] {
        *day = vec![Span {
            start: 8 * 60,
            end: 18 * 60,
        }];
    }
    hours
}

fn code(raw: &str) -> ProcedureCode {
    ProcedureCode::parse(raw).unwrap()
}

/// A department: staff, two CT rooms, a microwave generator, a ward and a day unit, and
/// one patient (Hélène Dupré-Lefèvre, 70, on apixaban, allergic to latex).
pub(crate) struct Dept {
    _db: TestDatabase,
    pub(crate) store: Store,
    scheduler: User,
    pub(crate) radiologist: User,
    second_radiologist: User,
    anesthetist: User,
    nurse: User,
    ct: RoomId,
    ct2: RoomId,
    generator: EquipmentId,
    ward: BedUnitRecord,
    day_unit: BedUnitId,
    patient: Patient,
    consultations: AtomicI64,
}

pub(crate) fn actor(user: &User) -> Actor {
    user.actor(Some("10.1.2.3".into()))
}

impl Dept {
    pub(crate) async fn open() -> Self {
        Self::open_with(|_| {}).await
    }

    async fn open_with(configure: impl FnOnce(&mut StoreOptions)) -> Self {
        let db = TestDatabase::new().await;
        let store = db.store_with(configure).await;
        let scheduler = user(&store, "sfournier", "Sophie Fournier", Role::Scheduler).await;
        let radiologist = user(
            &store,
            "clemaire",
            "Claire Lemaire",
            Role::InterventionalRadiologist,
        )
        .await;
        let second_radiologist = user(
            &store,
            "pmartin",
            "Paul Martin",
            Role::InterventionalRadiologist,
        )
        .await;
        let anesthetist = user(&store, "adurand", "Antoine Durand", Role::Anesthetist).await;
        let nurse = user(&store, "nbernard", "Nadia Bernard", Role::Nurse).await;
        let by = actor(&scheduler);
        let room = |code: &str, name: &str| RoomDef {
            code: code.into(),
            name: name.into(),
            room_type: RoomType::Ct,
            hours: weekdays(),
            active: true,
        };
        let ct = store
            .create_room(&by, &room("CT-1", "Scanner 1"), NOW)
            .await
            .unwrap();
        let ct2 = store
            .create_room(&by, &room("CT-2", "Scanner 2"), NOW)
            .await
            .unwrap();
        let generator = store
            .create_equipment(
                &by,
                &EquipmentDef {
                    code: "MW-1".into(),
                    name: "Générateur micro-ondes".into(),
                    kind: EquipmentKind::MwGenerator,
                    rooms: vec!["CT-1".into(), "CT-2".into()],
                    active: true,
                },
                NOW,
            )
            .await
            .unwrap();
        let ward = store
            .create_bed_unit(
                &by,
                &BedUnitDef {
                    code: "HC-RI".into(),
                    name: "Hospitalisation RI".into(),
                    kind: BedUnitKind::Ward,
                    capacity: 20,
                    active: true,
                },
                NOW,
            )
            .await
            .unwrap();
        let day_unit = store
            .create_bed_unit(
                &by,
                &BedUnitDef {
                    code: "UA".into(),
                    name: "Unité ambulatoire".into(),
                    kind: BedUnitKind::DayUnit,
                    capacity: 10,
                    active: true,
                },
                NOW,
            )
            .await
            .unwrap();
        for person in [&radiologist, &second_radiologist, &anesthetist] {
            let version = store
                .set_weekly_availability(&by, person.id, 0, &weekdays(), NOW)
                .await
                .unwrap();
            assert_eq!(version, 1);
        }
        let patient = store
            .create_patient(
                &by,
                &patient("IP100", "Dupré-Lefèvre", "Hélène", "1956-03-12"),
                NOW,
            )
            .await
            .unwrap();
        Self {
            _db: db,
            store,
            scheduler,
            radiologist,
            second_radiologist,
            anesthetist,
            nurse,
            ct: ct.room.id,
            ct2: ct2.room.id,
            generator: generator.equipment.id,
            ward,
            day_unit: day_unit.unit.id,
            patient,
            consultations: AtomicI64::new(0),
        }
    }

    pub(crate) fn patient_id(&self) -> PatientId {
        self.patient.id
    }

    pub(crate) fn scheduler(&self) -> Actor {
        actor(&self.scheduler)
    }

    pub(crate) fn ir(&self) -> Actor {
        actor(&self.radiologist)
    }

    pub(crate) fn nurse(&self) -> Actor {
        actor(&self.nurse)
    }

    /// An elective CT lung biopsy referral for `patient`.
    pub(crate) fn referral_for(&self, patient: PatientId) -> NewReferral {
        NewReferral {
            patient_id: patient,
            ..self.referral("BIO-LUNG-CT", Urgency::Elective)
        }
    }

    fn referral(&self, code: &str, urgency: Urgency) -> NewReferral {
        NewReferral {
            patient_id: self.patient.id,
            referring_physician: "Dr Anne Morel".into(),
            referring_service: Some("Oncologie".into()),
            indication: "Lésion unique de 22 mm".into(),
            target_organ: Organ::Liver,
            target_site: Some("Segment VII".into()),
            side: Side::Right,
            lesion_size_mm: Some(22),
            requested_procedure: ProcedureCode::parse(code).unwrap(),
            urgency,
            clinical_question: None,
            anticoagulants: Vec::new(),
            allergies: Vec::new(),
            referral_date: NOW.date(),
        }
    }

    /// A referral of `code`, sent by the scheduler at `now`.
    async fn refer(&self, code: &str, urgency: Urgency, now: OffsetDateTime) -> CaseRecord {
        self.store
            .create_referral(&self.scheduler(), &self.referral(code, urgency), now)
            .await
            .unwrap()
    }

    /// Books an IR consultation with the radiologist (each in a slot of its own).
    async fn book_consultation(&self, case: CaseId) -> Consultation {
        let n = self.consultations.fetch_add(1, Ordering::Relaxed);
        let starts_at = datetime!(2026-11-16 08:00 UTC) + Duration::minutes(30 * n);
        self.store
            .book_consultation(
                &self.scheduler(),
                case,
                &ConsultationSlot {
                    kind: ConsultationKind::IrPre,
                    clinician: "clemaire",
                    starts_at,
                    ends_at: starts_at + Duration::minutes(30),
                },
                NOW,
            )
            .await
            .unwrap()
    }

    /// Books and records an IR consultation: sheet handed over, consent given.
    async fn consult(&self, case: CaseId) -> Consultation {
        let booked = self.book_consultation(case).await;
        self.store
            .record_consultation(&self.ir(), booked.id, &consulted(), NOW)
            .await
            .unwrap()
    }

    /// A case of `code` waiting for its booking: referred, accepted, consulted, planned.
    pub(crate) async fn to_schedule(&self, code: &str) -> CaseRecord {
        let case = self.refer(code, Urgency::Elective, NOW).await;
        self.store
            .transition_case(&self.ir(), case.id, &CaseEvent::Accept, NOW)
            .await
            .unwrap();
        self.consult(case.id).await;
        let planned = self
            .store
            .plan_procedure(&self.ir(), case.id, None, NOW)
            .await
            .unwrap();
        assert_eq!(planned.status, CaseStatus::ToSchedule);
        planned
    }

    /// CT-1 at `start` with the radiologist, nothing else named.
    pub(crate) fn request(&self, start: OffsetDateTime) -> BookingRequest {
        BookingRequest {
            room: self.ct,
            start,
            end: None,
            operator: self.radiologist.id,
            anesthetist: None,
            equipment: None,
            bed_unit: None,
        }
    }

    pub(crate) async fn book(&self, case: CaseId, request: &BookingRequest) -> BookingRecord {
        self.store
            .book_case(&self.scheduler(), case, request, NOW)
            .await
            .unwrap()
    }

    /// A case of `code` booked in CT-1 at `start`.
    pub(crate) async fn scheduled(
        &self,
        code: &str,
        start: OffsetDateTime,
    ) -> (CaseId, BookingRecord) {
        let case = self.to_schedule(code).await;
        let booking = self.book(case.id, &self.request(start)).await;
        (case.id, booking)
    }

    async fn meeting(&self) -> Meeting {
        self.store
            .create_meeting(
                &self.scheduler(),
                &NewMeeting {
                    kind: MeetingKind::Hepatobiliary,
                    starts_at: datetime!(2026-11-19 14:00),
                    location: Some("Salle de staff".into()),
                    attendees: vec![
                        Attendee {
                            name: "Claire Lemaire".into(),
                            specialty: Specialty::InterventionalRadiology,
                        },
                        Attendee {
                            name: "Jean Roux".into(),
                            specialty: Specialty::Surgery,
                        },
                    ],
                },
                NOW,
            )
            .await
            .unwrap()
    }

    /// Where a case stands, to show that a refusal changed nothing.
    pub(crate) async fn snapshot(&self, case: CaseId) -> Snapshot {
        let record = self
            .store
            .get_case(&self.scheduler(), case, NOW)
            .await
            .unwrap();
        Snapshot {
            status: record.status,
            version: record.version,
            history: self
                .store
                .case_history(&self.ir(), case, NOW)
                .await
                .unwrap()
                .len(),
        }
    }

    pub(crate) async fn status(&self, case: CaseId) -> CaseStatus {
        self.snapshot(case).await.status
    }

    /// Events of the case history, oldest first.
    pub(crate) async fn events(&self, case: CaseId) -> Vec<String> {
        self.store
            .case_history(&self.ir(), case, NOW)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.event)
            .collect()
    }

    /// Rows of `table` matching `condition`, read behind the store's back.
    pub(crate) async fn count(&self, table: &str, condition: &str) -> i64 {
        let db = self.store.raw_connection();
        let sql = format!("SELECT COUNT(*) AS n FROM {table} WHERE {condition}");
        let row = db
            .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap()
    }
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Snapshot {
    status: CaseStatus,
    version: i64,
    history: usize,
}

fn consulted() -> ConsultationRecord {
    ConsultationRecord {
        outcome: ConsultationStatus::Done,
        information_sheet: Some(Lang::Fr),
        risks_explained: Some("Saignement, douleur, infection.".into()),
        alternatives_discussed: Some("Chirurgie, radiothérapie stéréotaxique.".into()),
        consent: Some((ConsentDecision::Given, NOW.date())),
        notes: None,
    }
}

fn ir_decision(procedure: &str) -> Decision {
    Decision {
        decision: MdtDecision::IrProcedure,
        procedure: Some(code(procedure)),
        rationale: "Lésion unique, non résécable.".into(),
        responsible_physician: "Dr Claire Lemaire".into(),
    }
}

/// Everything the checklist asks for, sampled the day before [`MONDAY`].
pub(crate) fn complete_checklist() -> Checklist {
    let sampled = Some(NOW.date());
    Checklist {
        information_sheet_delivered: true,
        inr: Some(Lab {
            value: Inr(110),
            taken_on: sampled,
        }),
        platelets: Some(Lab {
            value: 230,
            taken_on: sampled,
        }),
        creatinine: Some(Lab {
            value: 75,
            taken_on: sampled,
        }),
        egfr: Some(Lab {
            value: 82,
            taken_on: sampled,
        }),
        anticoagulant_plan: Some(AnticoagulantPlan::Stopped),
        anticoagulant_note: Some("Apixaban arrêté 48 h avant.".into()),
        fasting_confirmed: true,
        premedication: None,
        pregnancy: None,
        notes: None,
    }
}

fn timeout() -> TimeOut {
    TimeOut {
        identity_confirmed: true,
        site_confirmed: true,
        side_confirmed: true,
        procedure_confirmed: true,
        notes: None,
    }
}

/// The booking conflicts of an error, or a panic naming what came instead.
#[track_caller]
fn clashes(result: Result<BookingRecord, StoreError>) -> Vec<Clash> {
    match result {
        Err(StoreError::Conflict(Conflict::Booking(conflicts))) => conflicts,
        other => panic!("expected booking conflicts, got {other:?}"),
    }
}

#[track_caller]
pub(crate) fn assert_rule<T: std::fmt::Debug>(result: Result<T, StoreError>, rule: Rule) {
    match result {
        Err(StoreError::Conflict(Conflict::Rule(found))) if found == rule => {}
        other => panic!("expected {rule:?}, got {other:?}"),
    }
}

#[track_caller]
pub(crate) fn assert_refused<T: std::fmt::Debug>(result: Result<T, StoreError>, refusal: Refusal) {
    match result {
        Err(StoreError::Conflict(Conflict::Transition(found))) if found == refusal => {}
        other => panic!("expected {refusal:?}, got {other:?}"),
    }
}

pub(crate) fn not_allowed(from: CaseStatus, event: &'static str) -> Refusal {
    Refusal::NotAllowed { from, event }
}

// The seed.

#[tokio::test]
async fn the_catalog_and_the_checklist_thresholds_are_seeded() {
    let db = TestDatabase::new().await;
    let store = db.store().await;
    let types = store.list_procedure_types(false).await.unwrap();
    assert!(types.len() >= 30, "{} procedure types", types.len());
    let codes: Vec<&str> = types.iter().map(|t| t.definition.code.as_str()).collect();
    assert!(codes.contains(&"BIO-LUNG-CT") && codes.contains(&"ABL-LIVER-MW"));
    assert!(codes.windows(2).all(|w| w[0] < w[1]), "listed by code");
    assert!(types.iter().all(|t| t.version == 1 && t.active));
    let ablation = store
        .procedure_type_by_code(&code("abl-liver-mw"))
        .await
        .unwrap();
    assert_eq!(ablation.definition.equipment, [EquipmentKind::MwGenerator]);
    assert_eq!(ablation.definition.stay.nights, 2);

    let thresholds = store.thresholds().await.unwrap();
    let summary: Vec<_> = thresholds
        .iter()
        .map(|t| {
            (
                t.thresholds.bleeding_risk,
                t.thresholds.inr_max,
                t.thresholds.platelets_min,
                t.thresholds.egfr_min,
                t.version,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (BleedingRisk::Low, Inr(300), 20, 30, 1),
            (BleedingRisk::High, Inr(180), 50, 30, 1),
        ]
    );
    assert!(
        thresholds
            .iter()
            .all(|t| t.thresholds.source.contains("SIR 2019"))
    );
}

// The whole path.

#[tokio::test]
async fn a_case_walks_from_referral_through_the_mdt_to_the_time_out() {
    let d = Dept::open().await;
    let case = d.refer("ABL-LIVER-RF", Urgency::SemiUrgent, NOW).await;
    assert_eq!((case.status, case.version), (CaseStatus::Referred, 1));
    let rf = d
        .store
        .procedure_type_by_code(&code("ABL-LIVER-RF"))
        .await
        .unwrap();
    assert_eq!(case.planned_version_id, rf.version_id);

    let accepted = d
        .store
        .transition_case(&d.ir(), case.id, &CaseEvent::Accept, NOW)
        .await
        .unwrap();
    assert_eq!(accepted.status, CaseStatus::Accepted);

    let booked = d.book_consultation(case.id).await;
    assert_eq!(
        (booked.status, booked.clinician_name.as_str()),
        (ConsultationStatus::Booked, "Claire Lemaire")
    );
    let recorded = d
        .store
        .record_consultation(&d.ir(), booked.id, &consulted(), NOW)
        .await
        .unwrap();
    assert_eq!(recorded.status, ConsultationStatus::Done);
    assert_eq!(recorded.sheet_language, Some(Lang::Fr));
    assert_eq!(d.status(case.id).await, CaseStatus::Consulted);
    let consents = d.store.case_consents(&d.ir(), case.id, NOW).await.unwrap();
    assert_eq!(consents.len(), 1);
    assert_eq!(
        (
            consents[0].decision,
            consents[0].recorded_by.as_str(),
            consents[0].consultation_id
        ),
        (ConsentDecision::Given, "clemaire", Some(booked.id))
    );

    let sent = d
        .store
        .transition_case(&d.ir(), case.id, &CaseEvent::SendToMdt, NOW)
        .await
        .unwrap();
    assert_eq!(sent.status, CaseStatus::AwaitingMdt);
    let meeting = d.meeting().await;
    assert_eq!(meeting.starts_at, datetime!(2026-11-19 14:00 UTC));
    d.store
        .add_to_agenda(&d.scheduler(), meeting.id, case.id, NOW)
        .await
        .unwrap();
    let decided = d
        .store
        .decide(
            &d.ir(),
            meeting.id,
            case.id,
            &ir_decision("ABL-LIVER-MW"),
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(decided, CaseStatus::ToSchedule);
    let mw = d
        .store
        .procedure_type_by_code(&code("ABL-LIVER-MW"))
        .await
        .unwrap();
    let planned = d.store.get_case(&d.ir(), case.id, NOW).await.unwrap();
    assert_eq!(planned.status, CaseStatus::ToSchedule);
    assert_eq!(planned.planned_version_id, mw.version_id);
    assert_eq!(
        planned.requested_type_id, rf.id,
        "the referral keeps its request"
    );
    let (met, agenda) = d.store.meeting(&d.ir(), meeting.id, NOW).await.unwrap();
    assert_eq!((met.items, met.decided), (1, 1));
    assert_eq!(agenda[0].decision, Some(MdtDecision::IrProcedure));
    assert_eq!(agenda[0].procedure_version_id, Some(mw.version_id));

    // General anesthesia, a microwave generator and two nights on the ward.
    let request = BookingRequest {
        anesthetist: Some(d.anesthetist.id),
        ..d.request(monday(9, 0))
    };
    let booking = d.book(case.id, &request).await;
    assert_eq!(
        (booking.starts_at, booking.ends_at),
        (monday(9, 0), monday(11, 0))
    );
    assert_eq!(booking.equipment, [d.generator]);
    assert_eq!(booking.bed_unit_id, Some(d.ward.unit.id));
    assert_eq!(booking.anesthetist_name.as_deref(), Some("Antoine Durand"));
    assert!(booking.active);
    assert_eq!(d.status(case.id).await, CaseStatus::Scheduled);

    let (view, status) = d
        .store
        .save_checklist(&d.nurse(), case.id, 0, &complete_checklist(), NOW)
        .await
        .unwrap();
    assert_eq!(status, CaseStatus::Ready);
    assert!(view.status.is_complete(), "{:?}", view.status);
    assert_eq!(
        (view.version, view.procedure_date, view.booked),
        (1, MONDAY, true)
    );

    let timed = d
        .store
        .record_timeout(&d.ir(), case.id, &timeout(), monday(8, 50))
        .await
        .unwrap();
    assert_eq!(timed.booking_id, booking.id);
    assert_eq!(d.status(case.id).await, CaseStatus::Ready);
    let timeouts = d.store.case_timeouts(&d.ir(), case.id, NOW).await.unwrap();
    assert_eq!(timeouts.len(), 1);
    assert_eq!(
        (timeouts[0].recorded_by.as_str(), timeouts[0].recorded_at),
        ("clemaire", monday(8, 50))
    );

    let history = d.store.case_history(&d.ir(), case.id, NOW).await.unwrap();
    let steps: Vec<(&str, Option<&str>, &str, &str)> = history
        .iter()
        .map(|e| {
            (
                e.event.as_str(),
                e.from_status.as_deref(),
                e.to_status.as_str(),
                e.username.as_str(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("refer", None, "referred", "sfournier"),
            ("accept", Some("referred"), "accepted", "clemaire"),
            (
                "record_consultation",
                Some("accepted"),
                "consulted",
                "clemaire"
            ),
            ("send_to_mdt", Some("consulted"), "awaiting_mdt", "clemaire"),
            (
                "mdt_decision",
                Some("awaiting_mdt"),
                "to_schedule",
                "clemaire"
            ),
            ("book", Some("to_schedule"), "scheduled", "sfournier"),
            ("complete_checklist", Some("scheduled"), "ready", "nbernard"),
            ("timeout", Some("ready"), "ready", "clemaire"),
        ]
    );
    assert!(history.windows(2).all(|w| w[0].id < w[1].id));
    assert_eq!(history[4].detail.as_deref(), Some("ir_procedure"));
}

// Refusals: each says why, and leaves the case as it was.

#[tokio::test]
async fn accepting_a_case_twice_is_refused_and_changes_nothing() {
    let d = Dept::open().await;
    let case = d.refer("BIO-LUNG-CT", Urgency::Urgent, NOW).await;
    d.store
        .transition_case(&d.ir(), case.id, &CaseEvent::Accept, NOW)
        .await
        .unwrap();
    let before = d.snapshot(case.id).await;
    assert_refused(
        d.store
            .transition_case(&d.ir(), case.id, &CaseEvent::Accept, NOW)
            .await,
        not_allowed(CaseStatus::Accepted, "accept"),
    );
    assert_eq!(d.snapshot(case.id).await, before);
}

#[tokio::test]
async fn a_referred_case_cannot_be_booked() {
    let d = Dept::open().await;
    let case = d.refer("BIO-LUNG-CT", Urgency::Urgent, NOW).await;
    let before = d.snapshot(case.id).await;
    assert_refused(
        d.store
            .book_case(&d.scheduler(), case.id, &d.request(monday(9, 0)), NOW)
            .await,
        not_allowed(CaseStatus::Referred, "book"),
    );
    assert_eq!(d.snapshot(case.id).await, before);
    assert!(
        d.store
            .case_bookings(&d.ir(), case.id, NOW)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn events_that_come_with_their_own_records_are_not_plain_transitions() {
    let d = Dept::open().await;
    let waiting = d.to_schedule("BIO-LUNG-CT").await;
    let (booked, booking) = d.scheduled("BIO-LUNG-CT", monday(9, 0)).await;
    for (case, event) in [
        (waiting.id, CaseEvent::Book),
        (booked, CaseEvent::ReleaseBooking),
        (booked, CaseEvent::CompleteChecklist),
        (waiting.id, CaseEvent::RecordConsultation),
        (waiting.id, CaseEvent::DecideAtMdt(MdtDecision::Surgery)),
    ] {
        let before = d.snapshot(case).await;
        match d.store.transition_case(&d.ir(), case, &event, NOW).await {
            Err(StoreError::Invalid(invalid)) => assert!(
                matches!(
                    invalid.for_field("event").map(|e| &e.problem),
                    Some(Problem::NotOneOf { .. })
                ),
                "{invalid}"
            ),
            other => panic!("{event:?}: expected a field error, got {other:?}"),
        }
        assert_eq!(d.snapshot(case).await, before, "{event:?}");
    }
    assert!(
        d.store
            .booking(&d.ir(), booking.id, NOW)
            .await
            .unwrap()
            .active
    );
}

#[tokio::test]
async fn a_referral_naming_an_unknown_patient_or_procedure_says_which_and_stores_nothing() {
    let d = Dept::open().await;
    let nobody = PatientId::from_uuid(uuid::Uuid::now_v7());
    let unknown_patient = NewReferral {
        patient_id: nobody,
        ..d.referral("BIO-LUNG-CT", Urgency::Elective)
    };
    let unknown_code = d.referral("BIO-MOON-CT", Urgency::Elective);
    let both = NewReferral {
        patient_id: nobody,
        ..d.referral("BIO-MOON-CT", Urgency::Elective)
    };
    for (referral, fields) in [
        (&unknown_patient, &["patient_id"][..]),
        (&unknown_code, &["requested_procedure"][..]),
        (&both, &["patient_id", "requested_procedure"][..]),
    ] {
        match d.store.create_referral(&d.scheduler(), referral, NOW).await {
            Err(StoreError::Invalid(invalid)) => {
                let named: Vec<(&str, &Problem)> = invalid
                    .0
                    .iter()
                    .map(|e| (e.field.as_str(), &e.problem))
                    .collect();
                let expected: Vec<(&str, &Problem)> = fields
                    .iter()
                    .map(|f| (*f, &Problem::NoSuchRecord))
                    .collect();
                assert_eq!(named, expected);
            }
            other => panic!("expected a field error, got {other:?}"),
        }
    }
    assert_eq!(d.count("cases", "1 = 1").await, 0);
    assert_eq!(d.count("case_events", "1 = 1").await, 0);
}

#[tokio::test]
async fn a_withdrawn_procedure_type_takes_no_new_referral() {
    let d = Dept::open().await;
    let lung = d
        .store
        .procedure_type_by_code(&code("BIO-LUNG-CT"))
        .await
        .unwrap();
    d.store
        .update_procedure_type(&d.ir(), lung.id, 1, &lung.definition, false, NOW)
        .await
        .unwrap();
    match d
        .store
        .create_referral(
            &d.scheduler(),
            &d.referral("BIO-LUNG-CT", Urgency::Elective),
            NOW,
        )
        .await
    {
        Err(StoreError::Invalid(invalid)) => assert_eq!(
            invalid.for_field("requested_procedure").map(|e| &e.problem),
            Some(&Problem::Withdrawn)
        ),
        other => panic!("expected a field error, got {other:?}"),
    }
    assert!(
        !d.store
            .list_procedure_types(false)
            .await
            .unwrap()
            .iter()
            .any(|t| t.id == lung.id)
    );
    assert!(
        d.store
            .list_procedure_types(true)
            .await
            .unwrap()
            .iter()
            .any(|t| t.id == lung.id && !t.active)
    );
}

#[tokio::test]
async fn a_consultation_is_recorded_once() {
    let d = Dept::open().await;
    let case = d.refer("BIO-LUNG-CT", Urgency::Elective, NOW).await;
    d.store
        .transition_case(&d.ir(), case.id, &CaseEvent::Accept, NOW)
        .await
        .unwrap();
    let recorded = d.consult(case.id).await;
    let before = d.snapshot(case.id).await;
    let again = ConsultationRecord {
        notes: Some("Seconde saisie.".into()),
        consent: Some((ConsentDecision::Refused, NOW.date())),
        ..consulted()
    };
    assert_rule(
        d.store
            .record_consultation(&d.ir(), recorded.id, &again, NOW)
            .await,
        Rule::ConsultationAlreadyRecorded,
    );
    assert_eq!(d.snapshot(case.id).await, before);
    assert_eq!(
        d.store
            .consultation(&d.ir(), recorded.id, NOW)
            .await
            .unwrap(),
        recorded
    );
    let consents = d.store.case_consents(&d.ir(), case.id, NOW).await.unwrap();
    assert_eq!(
        consents.iter().map(|c| c.decision).collect::<Vec<_>>(),
        [ConsentDecision::Given]
    );
}

#[tokio::test]
async fn a_cancelled_consultation_is_neither_recorded_nor_cancelled_again() {
    let d = Dept::open().await;
    let case = d.refer("BIO-LUNG-CT", Urgency::Elective, NOW).await;
    d.store
        .transition_case(&d.ir(), case.id, &CaseEvent::Accept, NOW)
        .await
        .unwrap();
    let booked = d.book_consultation(case.id).await;
    let cancelled = d
        .store
        .cancel_consultation(&d.scheduler(), booked.id, NOW)
        .await
        .unwrap();
    assert_eq!(
        (cancelled.status, cancelled.version),
        (ConsultationStatus::Cancelled, 2)
    );
    let before = d.snapshot(case.id).await;
    assert_rule(
        d.store
            .record_consultation(&d.ir(), booked.id, &consulted(), NOW)
            .await,
        Rule::ConsultationCancelled,
    );
    assert_rule(
        d.store
            .cancel_consultation(&d.scheduler(), booked.id, NOW)
            .await,
        Rule::ConsultationCancelled,
    );
    assert_eq!(d.snapshot(case.id).await, before);
    assert_eq!(before.status, CaseStatus::Accepted);
    assert!(
        d.store
            .case_consents(&d.ir(), case.id, NOW)
            .await
            .unwrap()
            .is_empty()
    );
    // Its slot is free for another consultation.
    let again = d
        .store
        .book_consultation(
            &d.scheduler(),
            case.id,
            &ConsultationSlot {
                kind: ConsultationKind::IrPre,
                clinician: "clemaire",
                starts_at: booked.starts_at,
                ends_at: booked.ends_at,
            },
            NOW,
        )
        .await
        .unwrap();
    let recorded = d
        .store
        .record_consultation(&d.ir(), again.id, &consulted(), NOW)
        .await
        .unwrap();
    assert_eq!(recorded.status, ConsultationStatus::Done);
    assert_rule(
        d.store
            .cancel_consultation(&d.scheduler(), again.id, NOW)
            .await,
        Rule::ConsultationAlreadyRecorded,
    );
}

#[tokio::test]
async fn a_consultation_is_held_by_a_clinician_of_the_role_it_needs() {
    let d = Dept::open().await;
    let case = d.refer("BIO-LUNG-CT", Urgency::Elective, NOW).await;
    d.store
        .transition_case(&d.ir(), case.id, &CaseEvent::Accept, NOW)
        .await
        .unwrap();
    let before = d.snapshot(case.id).await;
    let slot = |kind, clinician| ConsultationSlot {
        kind,
        clinician,
        starts_at: monday(10, 0),
        ends_at: monday(10, 30),
    };
    // An anesthetist does not hold the IR consultation, nor a radiologist the anesthesia one.
    for (kind, clinician) in [
        (ConsultationKind::IrPre, "adurand"),
        (ConsultationKind::Anesthesia, "clemaire"),
        (ConsultationKind::IrPre, "nbernard"),
    ] {
        assert_rule(
            d.store
                .book_consultation(&d.scheduler(), case.id, &slot(kind, clinician), NOW)
                .await,
            Rule::ClinicianRole,
        );
    }
    match d
        .store
        .book_consultation(
            &d.scheduler(),
            case.id,
            &slot(ConsultationKind::IrPre, "nobody"),
            NOW,
        )
        .await
    {
        Err(StoreError::Invalid(invalid)) => {
            assert_eq!(
                invalid.for_field("clinician").map(|e| &e.problem),
                Some(&Problem::NoSuchRecord)
            );
        }
        other => panic!("expected a field error, got {other:?}"),
    }
    // A disabled account holds nothing any more.
    d.store
        .disable_user(&Actor::system("test"), "pmartin", NOW)
        .await
        .unwrap();
    assert_rule(
        d.store
            .book_consultation(
                &d.scheduler(),
                case.id,
                &slot(ConsultationKind::IrPre, "pmartin"),
                NOW,
            )
            .await,
        Rule::WrongPerson,
    );
    assert_eq!(d.snapshot(case.id).await, before);
    assert!(
        d.store
            .case_consultations(&d.ir(), case.id, NOW)
            .await
            .unwrap()
            .is_empty()
    );
    // The right people are accepted.
    d.store
        .book_consultation(
            &d.scheduler(),
            case.id,
            &slot(ConsultationKind::Anesthesia, "adurand"),
            NOW,
        )
        .await
        .unwrap();
    assert_rule(
        d.store
            .book_consultation(
                &d.scheduler(),
                case.id,
                &ConsultationSlot {
                    starts_at: monday(10, 15),
                    ends_at: monday(10, 45),
                    ..slot(ConsultationKind::Anesthesia, "adurand")
                },
                NOW,
            )
            .await,
        Rule::ClinicianBusy,
    );
}

#[tokio::test]
async fn only_a_case_awaiting_the_mdt_goes_on_an_agenda() {
    let d = Dept::open().await;
    let meeting = d.meeting().await;
    let case = d.refer("ABL-LIVER-MW", Urgency::Elective, NOW).await;
    let before = d.snapshot(case.id).await;
    assert_rule(
        d.store
            .add_to_agenda(&d.scheduler(), meeting.id, case.id, NOW)
            .await,
        Rule::CaseNotAwaitingMdt,
    );
    assert_eq!(d.snapshot(case.id).await, before);
    let (_, agenda) = d.store.meeting(&d.ir(), meeting.id, NOW).await.unwrap();
    assert!(agenda.is_empty());

    d.store
        .transition_case(&d.ir(), case.id, &CaseEvent::SendToMdt, NOW)
        .await
        .unwrap();
    d.store
        .add_to_agenda(&d.scheduler(), meeting.id, case.id, NOW)
        .await
        .unwrap();
    assert_rule(
        d.store
            .add_to_agenda(&d.scheduler(), meeting.id, case.id, NOW)
            .await,
        Rule::AlreadyOnAgenda,
    );
    let (met, agenda) = d.store.meeting(&d.ir(), meeting.id, NOW).await.unwrap();
    assert_eq!(met.items, 1);
    assert_eq!(agenda.len(), 1);
}

#[tokio::test]
async fn the_mdt_decides_once_and_only_for_the_cases_on_its_agenda() {
    let d = Dept::open().await;
    let meeting = d.meeting().await;
    let on_agenda = d.refer("ABL-LIVER-MW", Urgency::Elective, NOW).await;
    let elsewhere = d.refer("ABL-LIVER-MW", Urgency::Elective, NOW).await;
    for case in [on_agenda.id, elsewhere.id] {
        d.store
            .transition_case(&d.ir(), case, &CaseEvent::SendToMdt, NOW)
            .await
            .unwrap();
    }
    d.store
        .add_to_agenda(&d.scheduler(), meeting.id, on_agenda.id, NOW)
        .await
        .unwrap();

    let before = d.snapshot(elsewhere.id).await;
    assert_rule(
        d.store
            .decide(
                &d.ir(),
                meeting.id,
                elsewhere.id,
                &ir_decision("ABL-LIVER-MW"),
                NOW,
            )
            .await,
        Rule::NotOnAgenda,
    );
    assert_eq!(d.snapshot(elsewhere.id).await, before);

    d.store
        .decide(
            &d.ir(),
            meeting.id,
            on_agenda.id,
            &ir_decision("ABL-LIVER-MW"),
            NOW,
        )
        .await
        .unwrap();
    let before = d.snapshot(on_agenda.id).await;
    let surgery = Decision {
        decision: MdtDecision::Surgery,
        procedure: None,
        ..ir_decision("ABL-LIVER-MW")
    };
    assert_rule(
        d.store
            .decide(&d.ir(), meeting.id, on_agenda.id, &surgery, NOW)
            .await,
        Rule::AlreadyDecided,
    );
    assert_eq!(d.snapshot(on_agenda.id).await, before);
    let items = d
        .store
        .case_mdt_items(&d.ir(), on_agenda.id, NOW)
        .await
        .unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].decision, Some(MdtDecision::IrProcedure));
}

#[tokio::test]
async fn an_mdt_decision_naming_an_unknown_procedure_changes_nothing() {
    let d = Dept::open().await;
    let meeting = d.meeting().await;
    let case = d.refer("ABL-LIVER-MW", Urgency::Elective, NOW).await;
    d.store
        .transition_case(&d.ir(), case.id, &CaseEvent::SendToMdt, NOW)
        .await
        .unwrap();
    d.store
        .add_to_agenda(&d.scheduler(), meeting.id, case.id, NOW)
        .await
        .unwrap();
    let before = d.snapshot(case.id).await;
    match d
        .store
        .decide(&d.ir(), meeting.id, case.id, &ir_decision("ABL-MOON"), NOW)
        .await
    {
        Err(StoreError::Invalid(invalid)) => assert_eq!(
            invalid.for_field("procedure").map(|e| &e.problem),
            Some(&Problem::NoSuchRecord)
        ),
        other => panic!("expected a field error, got {other:?}"),
    }
    assert_eq!(d.snapshot(case.id).await, before);
    let items = d.store.case_mdt_items(&d.ir(), case.id, NOW).await.unwrap();
    assert_eq!(items[0].decision, None);
}

#[tokio::test]
async fn the_time_out_waits_for_a_ready_case_and_its_day() {
    let d = Dept::open().await;
    let (case, booking) = d.scheduled("BIO-LUNG-CT", monday(9, 0)).await;

    let before = d.snapshot(case).await;
    assert_rule(
        d.store
            .record_timeout(&d.ir(), case, &timeout(), monday(8, 50))
            .await,
        Rule::CaseNotReady,
    );
    assert_eq!(d.snapshot(case).await, before);

    d.store
        .save_checklist(&d.nurse(), case, 0, &complete_checklist(), NOW)
        .await
        .unwrap();
    let before = d.snapshot(case).await;
    assert_eq!(before.status, CaseStatus::Ready);
    for other_day in [NOW, monday(9, 0) + Duration::days(1)] {
        assert_rule(
            d.store
                .record_timeout(&d.ir(), case, &timeout(), other_day)
                .await,
            Rule::TimeOutNotOnTheDay,
        );
    }
    assert_eq!(d.snapshot(case).await, before);
    assert!(
        d.store
            .case_timeouts(&d.ir(), case, NOW)
            .await
            .unwrap()
            .is_empty()
    );

    d.store
        .record_timeout(&d.ir(), case, &timeout(), monday(8, 55))
        .await
        .unwrap();
    assert_rule(
        d.store
            .record_timeout(&d.ir(), case, &timeout(), monday(9, 5))
            .await,
        Rule::TimeOutAlreadyRecorded,
    );
    let timeouts = d.store.case_timeouts(&d.ir(), case, NOW).await.unwrap();
    assert_eq!(
        timeouts.iter().map(|t| t.booking_id).collect::<Vec<_>>(),
        [booking.id]
    );
}

#[tokio::test]
async fn a_checklist_is_saved_once_booked_and_at_its_current_version() {
    let d = Dept::open().await;
    let case = d.to_schedule("BIO-LUNG-CT").await;
    let before = d.snapshot(case.id).await;
    assert_rule(
        d.store
            .save_checklist(&d.nurse(), case.id, 0, &complete_checklist(), NOW)
            .await,
        Rule::ChecklistNeedsBooking,
    );
    assert_eq!(d.snapshot(case.id).await, before);
    assert_eq!(d.count("checklists", "1 = 1").await, 0);

    d.book(case.id, &d.request(monday(9, 0))).await;
    let partial = Checklist {
        inr: None,
        ..complete_checklist()
    };
    let (first, status) = d
        .store
        .save_checklist(&d.nurse(), case.id, 0, &partial, NOW)
        .await
        .unwrap();
    assert_eq!((first.version, status), (1, CaseStatus::Scheduled));
    let before = d.snapshot(case.id).await;
    for stale in [0, 2, 7] {
        match d
            .store
            .save_checklist(&d.nurse(), case.id, stale, &complete_checklist(), NOW)
            .await
        {
            Err(StoreError::Conflict(Conflict::StaleVersion { current: 1 })) => {}
            other => panic!("version {stale}: expected a stale version, got {other:?}"),
        }
    }
    assert_eq!(d.snapshot(case.id).await, before);
    let view = d.store.checklist(&d.nurse(), case.id, NOW).await.unwrap();
    assert_eq!((view.version, view.checklist), (1, partial));
}

// Booking conflicts.

#[tokio::test]
async fn booking_rejects_a_second_case_in_the_same_room_slot() {
    let d = Dept::open().await;
    let (first, booked) = d.scheduled("BIO-LUNG-CT", monday(9, 0)).await;
    let second = d.to_schedule("BIO-LUNG-CT").await;
    let before = d.snapshot(second.id).await;
    // Another operator, so that only the room is in the way.
    let request = BookingRequest {
        operator: d.second_radiologist.id,
        ..d.request(monday(9, 30))
    };
    let conflicts = clashes(
        d.store
            .book_case(&d.scheduler(), second.id, &request, NOW)
            .await,
    );
    assert_eq!(
        conflicts,
        [Clash::RoomBusy {
            room: "Scanner 1".into(),
            booking: booked.id,
            case: first,
            start: monday(9, 0),
            end: monday(10, 0),
        }]
    );
    assert_eq!(d.snapshot(second.id).await, before);
    assert!(
        d.store
            .case_bookings(&d.ir(), second.id, NOW)
            .await
            .unwrap()
            .is_empty()
    );
    // Back to back is not an overlap.
    let after = d
        .book(
            second.id,
            &BookingRequest {
                start: monday(10, 0),
                ..request
            },
        )
        .await;
    assert_eq!(after.starts_at, monday(10, 0));
}

#[tokio::test]
async fn booking_rejects_a_closed_room() {
    let d = Dept::open().await;
    let case = d.to_schedule("BIO-LUNG-CT").await;
    let before = d.snapshot(case.id).await;
    let sunday = datetime!(2026-11-22 10:00 UTC);
    for start in [sunday, monday(20, 0), monday(17, 30)] {
        let conflicts = clashes(
            d.store
                .book_case(&d.scheduler(), case.id, &d.request(start), NOW)
                .await,
        );
        assert!(
            conflicts.contains(&Clash::RoomClosed {
                room: "Scanner 1".into()
            }),
            "{start}: {conflicts:?}"
        );
    }
    assert_eq!(d.snapshot(case.id).await, before);
}

#[tokio::test]
async fn general_anesthesia_needs_an_anesthetist() {
    let d = Dept::open().await;
    let case = d.to_schedule("ABL-LIVER-MW").await;
    let before = d.snapshot(case.id).await;
    assert_eq!(
        clashes(
            d.store
                .book_case(&d.scheduler(), case.id, &d.request(monday(9, 0)), NOW)
                .await
        ),
        [Clash::AnesthetistRequired]
    );
    assert_eq!(d.snapshot(case.id).await, before);
    // A radiologist is no anesthetist.
    let request = BookingRequest {
        anesthetist: Some(d.second_radiologist.id),
        ..d.request(monday(9, 0))
    };
    assert_eq!(
        clashes(
            d.store
                .book_case(&d.scheduler(), case.id, &request, NOW)
                .await
        ),
        [Clash::UnknownAnesthetist]
    );
    let request = BookingRequest {
        anesthetist: Some(d.anesthetist.id),
        ..request
    };
    let booking = d.book(case.id, &request).await;
    assert_eq!(booking.anesthetist_id, Some(d.anesthetist.id));
}

#[tokio::test]
async fn an_operator_cannot_be_in_two_rooms_at_once() {
    let d = Dept::open().await;
    let (first, booked) = d.scheduled("BIO-LUNG-CT", monday(9, 0)).await;
    let second = d.to_schedule("BIO-LUNG-CT").await;
    let before = d.snapshot(second.id).await;
    let request = BookingRequest {
        room: d.ct2,
        ..d.request(monday(9, 30))
    };
    assert_eq!(
        clashes(
            d.store
                .book_case(&d.scheduler(), second.id, &request, NOW)
                .await
        ),
        [Clash::OperatorBusy {
            name: "Claire Lemaire".into(),
            booking: booked.id,
            case: first,
            start: monday(9, 0),
            end: monday(10, 0),
        }]
    );
    assert_eq!(d.snapshot(second.id).await, before);
    let other_operator = BookingRequest {
        operator: d.second_radiologist.id,
        ..request
    };
    let booking = d.book(second.id, &other_operator).await;
    assert_eq!(booking.operator_name, "Paul Martin");
}

#[tokio::test]
async fn the_ward_refuses_a_stay_beyond_its_capacity() {
    let d = Dept::open().await;
    let ward = &d.ward;
    let one_bed = BedUnitDef {
        code: ward.unit.code.clone(),
        name: ward.unit.name.clone(),
        kind: ward.unit.kind,
        capacity: 1,
        active: true,
    };
    d.store
        .update_bed_unit(&d.scheduler(), ward.unit.id, ward.version, &one_bed, NOW)
        .await
        .unwrap();
    // A collection drainage: two nights on the ward, Monday and Tuesday.
    let (_, first) = d.scheduled("DRN-COLL", monday(9, 0)).await;
    assert_eq!(first.bed_unit_id, Some(ward.unit.id));
    let second = d.to_schedule("DRN-COLL").await;
    let before = d.snapshot(second.id).await;
    let tuesday = monday(9, 0) + Duration::days(1);
    assert_eq!(
        clashes(
            d.store
                .book_case(&d.scheduler(), second.id, &d.request(tuesday), NOW)
                .await
        ),
        [Clash::BedFull {
            unit: "Hospitalisation RI".into(),
            date: date!(2026 - 11 - 24),
        }]
    );
    assert_eq!(d.snapshot(second.id).await, before);
    // Wednesday, the bed is free again.
    let wednesday = tuesday + Duration::days(1);
    let booking = d.book(second.id, &d.request(wednesday)).await;
    assert_eq!(booking.bed_unit_id, Some(ward.unit.id));
    // A day case takes a day-unit place, not a ward bed.
    let (_, day_case) = d.scheduled("BIO-KIDNEY", tuesday).await;
    assert_eq!(day_case.bed_unit_id, Some(d.day_unit));
}

#[tokio::test]
async fn a_cancelled_booking_frees_its_slot_and_sends_the_case_back_to_scheduling() {
    let d = Dept::open().await;
    let (first, booked) = d.scheduled("BIO-LUNG-CT", monday(9, 0)).await;
    let cancelled = d
        .store
        .cancel_booking(&d.scheduler(), booked.id, "patient unwell", NOW)
        .await
        .unwrap();
    assert!(!cancelled.active);
    assert_eq!(cancelled.cancel_reason.as_deref(), Some("patient unwell"));
    assert_eq!(d.status(first).await, CaseStatus::ToSchedule);
    assert_eq!(
        d.events(first).await.last().map(String::as_str),
        Some("release_booking")
    );
    assert_rule(
        d.store
            .cancel_booking(&d.scheduler(), booked.id, "again", NOW)
            .await,
        Rule::BookingNotActive,
    );
    let second = d.to_schedule("BIO-LUNG-CT").await;
    let taken = d.book(second.id, &d.request(monday(9, 0))).await;
    assert_eq!(taken.starts_at, monday(9, 0));
    // The first case can be booked again, elsewhere.
    d.book(first, &d.request(monday(14, 0))).await;
    assert_eq!(d.status(first).await, CaseStatus::Scheduled);
}

#[tokio::test]
async fn a_moved_booking_keeps_the_case_scheduled_and_is_in_its_history() {
    let d = Dept::open().await;
    let (case, booked) = d.scheduled("BIO-LUNG-CT", monday(9, 0)).await;
    let (other, in_the_way) = d.scheduled("BIO-LUNG-CT", monday(14, 0)).await;
    let before = d.snapshot(case).await;
    let conflicts = clashes(
        d.store
            .move_booking(&d.scheduler(), booked.id, &d.request(monday(14, 30)), NOW)
            .await,
    );
    assert!(
        conflicts.iter().any(|c| matches!(
            c,
            Clash::RoomBusy { booking, case, .. } if *booking == in_the_way.id && *case == other
        )),
        "{conflicts:?}"
    );
    assert_eq!(d.snapshot(case).await, before);

    // Moving within its own slot is no conflict with itself.
    let moved = d
        .store
        .move_booking(&d.scheduler(), booked.id, &d.request(monday(9, 30)), NOW)
        .await
        .unwrap();
    assert_eq!(moved.id, booked.id);
    assert_eq!(
        (moved.starts_at, moved.ends_at, moved.version),
        (monday(9, 30), monday(10, 30), 2)
    );
    assert_eq!(d.status(case).await, CaseStatus::Scheduled);
    let history = d.store.case_history(&d.ir(), case, NOW).await.unwrap();
    let last = history.last().unwrap();
    assert_eq!(
        (
            last.event.as_str(),
            last.from_status.as_deref(),
            last.to_status.as_str()
        ),
        ("reschedule", Some("scheduled"), "scheduled")
    );
    // The old slot is free.
    let third = d.to_schedule("BIO-LUNG-CT").await;
    let request = BookingRequest {
        operator: d.second_radiologist.id,
        end: Some(monday(9, 30)),
        ..d.request(monday(8, 30))
    };
    d.book(third.id, &request).await;
}

#[tokio::test]
async fn the_next_slots_are_slots_a_booking_accepts() {
    let d = Dept::open().await;
    let (_, first) = d.scheduled("BIO-LUNG-CT", monday(8, 0)).await;
    let case = d.to_schedule("ABL-LIVER-MW").await;
    let slots = d
        .store
        .next_slots(case.id, NOW, 3, 4, None, None, None)
        .await
        .unwrap();
    assert_eq!(slots.len(), 4);
    assert!(slots.windows(2).all(|w| w[0].start <= w[1].start));
    for slot in &slots {
        assert!(slot.start >= monday(8, 0), "{slot:?}");
        assert_eq!(slot.end - slot.start, Duration::minutes(120));
        assert_eq!(slot.anesthetist, Some(d.anesthetist.id));
        assert_eq!(slot.allocation.equipment, [d.generator]);
        let overlaps_first =
            slot.room == first.room_id && slot.start < first.ends_at && first.starts_at < slot.end;
        assert!(!overlaps_first, "{slot:?} overlaps the booking at 08:00");
    }
    let slot = &slots[0];
    let booking = d
        .book(
            case.id,
            &BookingRequest {
                room: slot.room,
                start: slot.start,
                end: Some(slot.end),
                operator: slot.operator,
                anesthetist: slot.anesthetist,
                equipment: Some(slot.allocation.equipment.clone()),
                bed_unit: slot.allocation.bed_unit,
            },
        )
        .await;
    assert_eq!(
        (
            booking.room_id,
            booking.starts_at,
            booking.ends_at,
            booking.operator_id
        ),
        (slot.room, slot.start, slot.end, slot.operator)
    );
    assert_eq!(booking.bed_unit_id, slot.allocation.bed_unit);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_bookings_of_one_slot_make_exactly_one_booking() {
    let d = Dept::open().await;
    let meeting = d.meeting().await;
    let mut cases = Vec::new();
    for _ in 0..50 {
        // A foraminal infiltration: an outpatient, local anesthesia, thirty minutes.
        let case = d.refer("INF-FORAM-CT", Urgency::Elective, NOW).await;
        d.store
            .transition_case(&d.ir(), case.id, &CaseEvent::SendToMdt, NOW)
            .await
            .unwrap();
        d.store
            .add_to_agenda(&d.scheduler(), meeting.id, case.id, NOW)
            .await
            .unwrap();
        d.store
            .decide(
                &d.ir(),
                meeting.id,
                case.id,
                &ir_decision("INF-FORAM-CT"),
                NOW,
            )
            .await
            .unwrap();
        cases.push(case.id);
    }
    let request = d.request(monday(10, 0));
    let started = Instant::now();
    let attempts: Vec<_> = cases
        .iter()
        .map(|&case| {
            let store = d.store.clone();
            let actor = d.scheduler();
            let request = request.clone();
            tokio::spawn(async move { store.book_case(&actor, case, &request, NOW).await })
        })
        .collect();
    let mut results = Vec::new();
    for attempt in attempts {
        results.push(attempt.await.unwrap());
    }
    eprintln!(
        "50 concurrent bookings of one slot on {:?}: {:?}",
        d.store.backend(),
        started.elapsed()
    );

    let booked: Vec<&BookingRecord> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(booked.len(), 1, "exactly one booking is made");
    let winner = booked[0];
    let mut refused = 0;
    for result in &results {
        match result {
            Ok(_) => {}
            Err(StoreError::Conflict(Conflict::Booking(conflicts))) => {
                assert!(
                    conflicts.iter().any(|c| matches!(
                        c,
                        Clash::RoomBusy { booking, .. } if *booking == winner.id
                    )),
                    "{conflicts:?}"
                );
                refused += 1;
            }
            Err(other) => panic!("expected a booking conflict, got {other:?}"),
        }
    }
    assert_eq!(refused, 49);
    assert_eq!(d.count("bookings", "status = 'active'").await, 1);
    assert_eq!(d.count("bookings", "1 = 1").await, 1);
    let (from, to) = d.store.local_day(MONDAY);
    let day = d
        .store
        .booked_cases(&d.scheduler(), from, to, ListFilter::default(), NOW)
        .await
        .unwrap();
    assert_eq!(
        day.iter().map(|b| b.booking.id).collect::<Vec<_>>(),
        [winner.id]
    );
    assert_eq!(d.status(winner.case_id).await, CaseStatus::Scheduled);
    let (_, waiting) = d
        .store
        .worklist(&d.scheduler(), Worklist::ToSchedule, 100, 0, NOW)
        .await
        .unwrap();
    assert_eq!(waiting, 49);
}

// Readiness.

#[tokio::test]
async fn an_inr_out_of_range_keeps_a_high_risk_case_scheduled_until_corrected() {
    let d = Dept::open().await;
    let (case, _) = d.scheduled("BIO-LUNG-CT", monday(9, 0)).await;
    let high_inr = Checklist {
        inr: Some(Lab {
            value: Inr(250),
            taken_on: Some(NOW.date()),
        }),
        ..complete_checklist()
    };
    let (view, status) = d
        .store
        .save_checklist(&d.nurse(), case, 0, &high_inr, NOW)
        .await
        .unwrap();
    assert_eq!(status, CaseStatus::Scheduled);
    let blocking: Vec<_> = view.status.blocking().cloned().collect();
    assert_eq!(blocking.len(), 1, "{blocking:?}");
    assert_eq!(
        (
            blocking[0].item,
            blocking[0].state,
            blocking[0].reason.clone()
        ),
        (
            ChecklistItem::Inr,
            ItemState::Failed,
            Some(Reason::InrTooHigh {
                value: Inr(250),
                max: Inr(180),
                risk: BleedingRisk::High,
            })
        )
    );
    assert_eq!(d.status(case).await, CaseStatus::Scheduled);
    let read = d.store.checklist(&d.nurse(), case, NOW).await.unwrap();
    assert_eq!(read.status, view.status);

    let (view, status) = d
        .store
        .save_checklist(&d.nurse(), case, 1, &complete_checklist(), NOW)
        .await
        .unwrap();
    assert_eq!((status, view.version), (CaseStatus::Ready, 2));
    assert!(view.status.is_complete());
    assert_eq!(d.status(case).await, CaseStatus::Ready);
}

#[tokio::test]
async fn withdrawn_consent_sends_a_ready_case_back_to_scheduled() {
    let d = Dept::open().await;
    let (case, _) = d.scheduled("BIO-LUNG-CT", monday(9, 0)).await;
    d.store
        .save_checklist(&d.nurse(), case, 0, &complete_checklist(), NOW)
        .await
        .unwrap();
    assert_eq!(d.status(case).await, CaseStatus::Ready);
    d.store
        .record_consent(
            &d.ir(),
            case,
            ConsentDecision::Withdrawn,
            NOW.date(),
            Some("Souhaite réfléchir."),
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(d.status(case).await, CaseStatus::Scheduled);
    let events = d.events(case).await;
    assert_eq!(
        events[events.len() - 2..],
        ["complete_checklist", "reopen_checklist"]
    );
    let view = d.store.checklist(&d.nurse(), case, NOW).await.unwrap();
    let consent = view.status.get(ChecklistItem::Consent).unwrap();
    assert_eq!(
        (consent.state, consent.reason.clone()),
        (ItemState::Failed, Some(Reason::ConsentWithdrawn))
    );
    // Given again, the case is ready again.
    d.store
        .record_consent(&d.ir(), case, ConsentDecision::Given, NOW.date(), None, NOW)
        .await
        .unwrap();
    assert_eq!(d.status(case).await, CaseStatus::Ready);
    let consents = d.store.case_consents(&d.ir(), case, NOW).await.unwrap();
    assert_eq!(
        consents.iter().map(|c| c.decision).collect::<Vec<_>>(),
        [
            ConsentDecision::Given,
            ConsentDecision::Withdrawn,
            ConsentDecision::Given
        ]
    );
}

// The catalog.

#[tokio::test]
async fn a_catalog_edit_is_a_new_version_and_planned_cases_keep_theirs() {
    let d = Dept::open().await;
    let lung = d
        .store
        .procedure_type_by_code(&code("BIO-LUNG-CT"))
        .await
        .unwrap();
    let before = d.to_schedule("BIO-LUNG-CT").await;
    assert_eq!(before.planned_version_id, lung.version_id);

    let longer = seldinger_domain::catalog::ProcedureType {
        duration_minutes: 90,
        ..lung.definition.clone()
    };
    let edited = d
        .store
        .update_procedure_type(&d.ir(), lung.id, 1, &longer, true, NOW)
        .await
        .unwrap();
    assert_eq!(edited.version, 2);
    assert_ne!(edited.version_id, lung.version_id);
    match d
        .store
        .update_procedure_type(&d.ir(), lung.id, 1, &lung.definition, true, NOW)
        .await
    {
        Err(StoreError::Conflict(Conflict::StaleVersion { current: 2 })) => {}
        other => panic!("expected a stale version, got {other:?}"),
    }
    let current = d
        .store
        .procedure_type_by_code(&code("BIO-LUNG-CT"))
        .await
        .unwrap();
    assert_eq!(
        (current.version, current.version_id, current.definition),
        (2, edited.version_id, longer)
    );
    let versions = d.store.procedure_versions(lung.id).await.unwrap();
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        [2, 1]
    );

    // The case planned before keeps version 1, unchanged, and is booked for its 60 minutes.
    let kept = d.store.get_case(&d.ir(), before.id, NOW).await.unwrap();
    assert_eq!(kept.planned_version_id, lung.version_id);
    let v1 = d.store.procedure_version(lung.version_id).await.unwrap();
    assert_eq!((v1.version, &v1.definition), (1, &lung.definition));
    let booking = d.book(before.id, &d.request(monday(9, 0))).await;
    assert_eq!(booking.ends_at, monday(10, 0));

    // A new referral gets version 2, and its 90 minutes.
    let after = d.to_schedule("BIO-LUNG-CT").await;
    assert_eq!(after.planned_version_id, edited.version_id);
    let booking = d.book(after.id, &d.request(monday(10, 0))).await;
    assert_eq!(booking.ends_at, monday(11, 30));
}

// Cancellation.

#[tokio::test]
async fn cancelling_a_scheduled_case_cancels_its_booking() {
    let d = Dept::open().await;
    let (case, booked) = d.scheduled("BIO-LUNG-CT", monday(9, 0)).await;
    let cancelled = d
        .store
        .transition_case(
            &d.ir(),
            case,
            &CaseEvent::Cancel {
                reason: "Lésion disparue au scanner de contrôle.".into(),
            },
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(cancelled.status, CaseStatus::Cancelled);
    let booking = d.store.booking(&d.ir(), booked.id, NOW).await.unwrap();
    assert!(!booking.active);
    let last = d
        .store
        .case_history(&d.ir(), case, NOW)
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(
        (last.event.as_str(), last.detail.as_deref()),
        ("cancel", Some("Lésion disparue au scanner de contrôle."))
    );
    let other = d.to_schedule("BIO-LUNG-CT").await;
    d.book(other.id, &d.request(monday(9, 0))).await;
    // A cancelled case takes no booking and no time-out.
    assert_refused(
        d.store
            .book_case(&d.scheduler(), case, &d.request(monday(14, 0)), NOW)
            .await,
        not_allowed(CaseStatus::Cancelled, "book"),
    );
}

#[tokio::test]
async fn cancelling_a_case_frees_the_consultations_it_had_booked() {
    let d = Dept::open().await;
    let case = d.refer("BIO-LUNG-CT", Urgency::Elective, NOW).await;
    d.store
        .transition_case(&d.ir(), case.id, &CaseEvent::Accept, NOW)
        .await
        .unwrap();
    let booked = d.book_consultation(case.id).await;
    d.store
        .transition_case(
            &d.ir(),
            case.id,
            &CaseEvent::Cancel {
                reason: "Traité ailleurs.".into(),
            },
            NOW,
        )
        .await
        .unwrap();
    let consultation = d.store.consultation(&d.ir(), booked.id, NOW).await.unwrap();
    assert_eq!(consultation.status, ConsultationStatus::Cancelled);
    // The clinician's slot can be given to another case.
    let other = d.refer("BIO-LUNG-CT", Urgency::Elective, NOW).await;
    d.store
        .transition_case(&d.ir(), other.id, &CaseEvent::Accept, NOW)
        .await
        .unwrap();
    d.store
        .book_consultation(
            &d.scheduler(),
            other.id,
            &ConsultationSlot {
                kind: ConsultationKind::IrPre,
                clinician: "clemaire",
                starts_at: consultation.starts_at,
                ends_at: consultation.ends_at,
            },
            NOW,
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn cancelling_needs_a_reason_and_changes_nothing_without_one() {
    let d = Dept::open().await;
    let (case, booked) = d.scheduled("BIO-LUNG-CT", monday(9, 0)).await;
    let before = d.snapshot(case).await;
    assert_refused(
        d.store
            .transition_case(
                &d.ir(),
                case,
                &CaseEvent::Cancel {
                    reason: "  ".into(),
                },
                NOW,
            )
            .await,
        Refusal::ReasonRequired,
    );
    assert_eq!(d.snapshot(case).await, before);
    assert!(
        d.store
            .booking(&d.ir(), booked.id, NOW)
            .await
            .unwrap()
            .active
    );
}

// Worklists and the audit trail.

#[tokio::test]
async fn the_scheduling_worklist_lists_the_most_urgent_then_the_longest_waiting() {
    let d = Dept::open().await;
    let mut ids = Vec::new();
    for (minutes, urgency) in [
        (0, Urgency::Elective),
        (1, Urgency::Urgent),
        (2, Urgency::Elective),
        (3, Urgency::Emergency),
        // Referred in the same minute as the other urgent case: after it.
        (1, Urgency::Urgent),
    ] {
        let case = d
            .refer("BIO-LUNG-CT", urgency, NOW + Duration::minutes(minutes))
            .await;
        d.store
            .transition_case(&d.ir(), case.id, &CaseEvent::Accept, NOW)
            .await
            .unwrap();
        d.consult(case.id).await;
        d.store
            .plan_procedure(&d.ir(), case.id, None, NOW)
            .await
            .unwrap();
        ids.push(case.id);
    }
    // Still to triage: not on this list.
    d.refer("BIO-LUNG-CT", Urgency::Emergency, NOW).await;
    let expected = [ids[3], ids[1], ids[4], ids[0], ids[2]];
    let mut listed = Vec::new();
    for offset in [0, 2, 4] {
        let (page, total) = d
            .store
            .worklist(&d.scheduler(), Worklist::ToSchedule, 2, offset, NOW)
            .await
            .unwrap();
        assert_eq!(total, 5);
        listed.extend(page.iter().map(|c| c.id));
    }
    assert_eq!(listed, expected);
    let (rest, _) = d
        .store
        .worklist(&d.scheduler(), Worklist::ToSchedule, 10, 3, NOW)
        .await
        .unwrap();
    assert_eq!(rest.iter().map(|c| c.id).collect::<Vec<_>>(), expected[3..]);
    assert!(rest.iter().all(|c| c.mrn == "IP100"
        && c.family_name == "Dupré-Lefèvre"
        && c.procedure_code == "BIO-LUNG-CT"));
    let (triage, total) = d
        .store
        .worklist(&d.scheduler(), Worklist::ToTriage, 10, 0, NOW)
        .await
        .unwrap();
    assert_eq!((triage.len(), total), (1, 1));
}

// Histories the database refuses to rewrite.

#[tokio::test]
async fn case_history_consents_and_time_outs_are_append_only_in_the_database() {
    let d = Dept::open().await;
    let (case, _) = d.scheduled("BIO-LUNG-CT", monday(9, 0)).await;
    d.store
        .save_checklist(&d.nurse(), case, 0, &complete_checklist(), NOW)
        .await
        .unwrap();
    d.store
        .record_timeout(&d.ir(), case, &timeout(), monday(8, 50))
        .await
        .unwrap();
    let history = d.store.case_history(&d.ir(), case, NOW).await.unwrap();
    let consents = d.store.case_consents(&d.ir(), case, NOW).await.unwrap();
    let db = d.store.raw_connection();
    for sql in [
        "UPDATE case_events SET username = 'someone-else'",
        "DELETE FROM case_events",
        "UPDATE consents SET decision = 'refused'",
        "DELETE FROM consents",
        "UPDATE timeouts SET recorded_by_name = 'someone-else'",
        "DELETE FROM timeouts",
    ] {
        assert!(db.execute_unprepared(sql).await.is_err(), "{sql} succeeded");
    }
    assert_eq!(
        d.store.case_history(&d.ir(), case, NOW).await.unwrap(),
        history
    );
    assert_eq!(
        d.store.case_consents(&d.ir(), case, NOW).await.unwrap(),
        consents
    );
    assert_eq!(
        d.store
            .case_timeouts(&d.ir(), case, NOW)
            .await
            .unwrap()
            .len(),
        1
    );
}

// Time zones and offsets.

#[tokio::test]
async fn opening_hours_and_the_procedure_day_are_local_time_in_the_department_zone() {
    let paris = jiff::tz::TimeZone::get("Europe/Paris").unwrap();
    let d = Dept::open_with(|options| options.zone = paris).await;
    // 07:30 UTC is 08:30 in Paris in November: open; 17:30 UTC is 18:30: closed.
    let (case, booking) = d.scheduled("BIO-LUNG-CT", monday(7, 30)).await;
    assert_eq!(booking.starts_at, monday(7, 30));
    let late = d.to_schedule("BIO-LUNG-CT").await;
    assert_eq!(
        clashes(
            d.store
                .book_case(&d.scheduler(), late.id, &d.request(monday(17, 30)), NOW)
                .await
        ),
        [
            Clash::RoomClosed {
                room: "Scanner 1".into()
            },
            Clash::OperatorUnavailable {
                name: "Claire Lemaire".into()
            }
        ]
    );
    // The Monday of Paris starts at 23:00 UTC on Sunday.
    let (from, to) = d.store.local_day(MONDAY);
    assert_eq!(
        (from, to),
        (
            datetime!(2026-11-22 23:00 UTC),
            datetime!(2026-11-23 23:00 UTC)
        )
    );
    d.store
        .save_checklist(&d.nurse(), case, 0, &complete_checklist(), NOW)
        .await
        .unwrap();
    // 23:30 UTC on Sunday is already Monday in Paris: the day of the procedure.
    d.store
        .record_timeout(&d.ir(), case, &timeout(), datetime!(2026-11-22 23:30 UTC))
        .await
        .unwrap();
}

#[tokio::test]
async fn an_instant_given_at_another_utc_offset_is_the_same_instant() {
    let d = Dept::open().await;
    // Outpatient infiltrations of thirty minutes: no bed in common to find them by.
    let (first, booked) = d.scheduled("INF-FORAM-CT", monday(9, 0)).await;
    let second = d.to_schedule("INF-FORAM-CT").await;
    // 10:15+01:00 is 09:15 UTC, in the middle of the first booking.
    let request = BookingRequest {
        operator: d.second_radiologist.id,
        ..d.request(datetime!(2026-11-23 10:15 +01:00))
    };
    assert_eq!(
        clashes(
            d.store
                .book_case(&d.scheduler(), second.id, &request, NOW)
                .await
        ),
        [Clash::RoomBusy {
            room: "Scanner 1".into(),
            booking: booked.id,
            case: first,
            start: monday(9, 0),
            end: monday(9, 30),
        }]
    );
    // 10:30+01:00 is 09:30 UTC, right after it.
    let later = d
        .book(
            second.id,
            &BookingRequest {
                start: datetime!(2026-11-23 10:30 +01:00),
                ..request
            },
        )
        .await;
    assert_eq!(later.starts_at, monday(9, 30));
    let (from, to) = d.store.local_day(MONDAY);
    let day = d
        .store
        .booked_cases(&d.scheduler(), from, to, ListFilter::default(), NOW)
        .await
        .unwrap();
    assert_eq!(
        day.iter().map(|b| b.booking.id).collect::<Vec<_>>(),
        [booked.id, later.id]
    );
}
