//! The audit guarantee: every `Store` method that hands out patient data leaves an entry
//! naming the patient, and "who saw or changed this patient" is answered by one filter;
//! a referring physician reads only their own patients, or one opened by an emergency
//! access.

use seldinger_domain::adverse::EventInput;
use seldinger_domain::audit::{Actor, AuditAction};
use seldinger_domain::patient::PatientQuery;
use seldinger_domain::report::Addendum;
use seldinger_domain::{PatientId, Role};
use seldinger_store::bookings::ListFilter;
use seldinger_store::cases::Worklist;
use seldinger_store::followups::FollowUpList;
use seldinger_store::{AuditFilter, AuditRecord, Store, StoreError};
use time::{Duration, OffsetDateTime};

use crate::outcomes::{after, signed};
use crate::pathway::{Dept, actor, monday};
use crate::support::{NOW, patient, user};

/// The entries naming `patient`, newest first, but for the reads of the log itself (this
/// function's own among them).
async fn entries_of(store: &Store, patient: PatientId) -> Vec<AuditRecord> {
    let filter = AuditFilter {
        patient: Some(patient),
        limit: 1000,
        ..Default::default()
    };
    let mut entries = store
        .list_audit(&Actor::system("test"), &filter, NOW)
        .await
        .unwrap();
    entries.retain(|e| e.action != AuditAction::AuditRead.code());
    entries
}

/// A page of two of the entries naming `patient` (with `action`, if given), below
/// `before`, newest first.
async fn page_of(
    store: &Store,
    patient: PatientId,
    action: Option<AuditAction>,
    before: Option<i64>,
) -> Vec<AuditRecord> {
    let filter = AuditFilter {
        patient: Some(patient),
        action,
        before_id: before,
        limit: 2,
        ..Default::default()
    };
    store
        .list_audit(&Actor::system("test"), &filter, NOW)
        .await
        .unwrap()
}

/// Runs `read` and checks that it left exactly one new entry naming `patient`, by `who`,
/// with `action`.
macro_rules! audited {
    ($store:expr, $patient:expr, $who:expr, $action:expr, $read:expr) => {{
        let before = entries_of(&$store, $patient).await.len();
        let out = $read.await.unwrap();
        let after = entries_of(&$store, $patient).await;
        assert_eq!(
            after.len(),
            before + 1,
            "{} left {} entries naming the patient",
            stringify!($read),
            after.len() - before
        );
        let entry = &after[0];
        assert_eq!(
            (entry.action.as_str(), entry.username.as_str()),
            ($action.code(), $who),
            "{}",
            stringify!($read)
        );
        assert!(entry.patients.contains(&$patient), "{entry:?}");
        out
    }};
}

fn serious_event() -> EventInput {
    EventInput {
        term: "pneumothorax_drain".into(),
        onset: "2026-11-23T09:30".into(),
        cirse_grade: "3".into(),
        related_to_procedure: "definite".into(),
        action: "drainage".into(),
        outcome: "resolving".into(),
        serious: true,
        serious_criteria: vec!["hospitalisation".into()],
        ..EventInput::default()
    }
}

#[tokio::test]
async fn every_read_of_patient_data_names_the_patient_in_the_audit_log() {
    use AuditAction as A;
    let d = Dept::open().await;
    let case = signed(&d).await;
    let p = d.patient_id();
    let s = &d.store;
    let event = s
        .record_adverse_event(&d.ir(), case, &serious_event(), None, 24, after())
        .await
        .unwrap();
    let other = d.to_schedule("BIO-LIVER-US").await;
    let nurse = d.nurse();
    let n = "nbernard";
    let day7 = monday(10, 0) + Duration::days(7);

    audited!(s, p, n, A::PatientRead, s.get_patient(&nurse, p, NOW));
    let found = audited!(
        s,
        p,
        n,
        A::PatientSearch,
        s.search_patients(&nurse, &PatientQuery::parse("dupre").unwrap(), 10, NOW)
    );
    assert!(found.iter().any(|f| f.id == p));
    audited!(s, p, n, A::TimelineRead, s.patient_timeline(&nurse, p, NOW));
    audited!(s, p, n, A::CaseList, s.patient_cases(&nurse, p, NOW));
    audited!(
        s,
        p,
        n,
        A::CaseList,
        s.worklist(&nurse, Worklist::ToSchedule, 10, 0, NOW)
    );
    audited!(s, p, n, A::CaseRead, s.get_case(&nurse, case, NOW));
    let file = audited!(s, p, n, A::CaseRead, s.case_file(&nurse, case, NOW));
    audited!(
        s,
        p,
        n,
        A::CaseHistoryRead,
        s.case_history(&nurse, case, NOW)
    );
    let consultations = audited!(
        s,
        p,
        n,
        A::ConsultationList,
        s.case_consultations(&nurse, case, NOW)
    );
    audited!(
        s,
        p,
        n,
        A::ConsultationRead,
        s.consultation(&nurse, consultations[0].id, NOW)
    );
    audited!(
        s,
        p,
        n,
        A::ConsultationList,
        s.consultations_between(
            &nurse,
            NOW - Duration::days(30),
            NOW + Duration::days(1),
            None,
            NOW
        )
    );
    audited!(s, p, n, A::ConsentRead, s.case_consents(&nurse, case, NOW));
    audited!(
        s,
        p,
        n,
        A::MeetingRead,
        s.case_mdt_items(&nurse, other.id, NOW)
    );
    let booking = file.bookings[0].id;
    audited!(s, p, n, A::BookingRead, s.booking(&nurse, booking, NOW));
    audited!(s, p, n, A::BookingRead, s.case_bookings(&nurse, case, NOW));
    let (from, to) = s.local_day(crate::pathway::MONDAY);
    audited!(
        s,
        p,
        n,
        A::BookingList,
        s.booked_cases(&nurse, from, to, ListFilter::default(), NOW)
    );
    audited!(s, p, n, A::ChecklistRead, s.checklist(&nurse, case, NOW));
    audited!(
        s,
        p,
        n,
        A::ChecklistRead,
        s.case_timeouts(&nurse, case, NOW)
    );
    audited!(s, p, n, A::ReportRead, s.report(&nurse, case, NOW));
    audited!(
        s,
        p,
        n,
        A::ReportRead,
        s.report_template(&nurse, other.id, NOW)
    );
    let specimens = audited!(s, p, n, A::SpecimenList, s.specimens(&nurse, case, NOW));
    audited!(
        s,
        p,
        n,
        A::SpecimenRead,
        s.specimen(&nurse, specimens[0].id, NOW)
    );
    audited!(
        s,
        p,
        n,
        A::SpecimenList,
        s.pending_specimens(&nurse, 10, 0, NOW)
    );
    audited!(
        s,
        p,
        n,
        A::AdverseEventRead,
        s.adverse_event(&nurse, event.id, NOW)
    );
    audited!(
        s,
        p,
        n,
        A::AdverseEventList,
        s.case_adverse_events(&nurse, case, NOW)
    );
    audited!(s, p, n, A::AdverseEventList, s.reports_due(&nurse, NOW));
    let items = audited!(s, p, n, A::FollowUpRead, s.follow_ups(&nurse, case, NOW));
    audited!(
        s,
        p,
        n,
        A::FollowUpRead,
        s.follow_up(&nurse, items[0].id, NOW)
    );
    audited!(
        s,
        p,
        n,
        A::FollowUpList,
        s.follow_up_worklist(&nurse, FollowUpList::Due, 10, 0, day7)
    );
}

#[tokio::test]
async fn every_write_of_patient_data_names_the_patient_and_the_way_in() {
    let d = Dept::open().await;
    let case = signed(&d).await;
    let entries = entries_of(&d.store, d.patient_id()).await;
    let writes: Vec<&str> = entries.iter().rev().map(|e| e.action.as_str()).collect();
    for action in [
        "patient.create",
        "case.create",
        "case.transition",
        "consultation.book",
        "consultation.record",
        "booking.create",
        "checklist.update",
        "report.save",
        "report.sign",
    ] {
        assert!(writes.contains(&action), "{action} in {writes:?}");
    }
    assert!(entries.iter().all(|e| e.patients == [d.patient_id()]));
    // The way in travels with the actor.
    let via = d.ir().via("POST /api/v1/cases/{id}/report/addenda");
    d.store
        .add_addendum(
            &via,
            case,
            &Addendum {
                text: "Correction : deux carottes.".into(),
            },
            after(),
        )
        .await
        .unwrap();
    let newest = &entries_of(&d.store, d.patient_id()).await[0];
    assert_eq!(newest.action, "report.addendum");
    assert_eq!(
        newest.via.as_deref(),
        Some("POST /api/v1/cases/{id}/report/addenda")
    );
}

#[tokio::test]
async fn the_patient_filter_pages_backwards_through_one_patients_entries() {
    let d = Dept::open().await;
    let p = d.patient_id();
    for _ in 0..5 {
        d.store.get_patient(&d.nurse(), p, NOW).await.unwrap();
    }
    let all = entries_of(&d.store, p).await;
    let page = |before: Option<i64>| page_of(&d.store, p, None, before);
    let first = page(None).await;
    // The newest entry naming the patient is `entries_of`'s own read of the log.
    assert_eq!(first[0].action, "audit.read");
    let first = page(Some(first[0].id)).await;
    let second = page(Some(first[1].id)).await;
    let ids: Vec<i64> = first.iter().chain(&second).map(|e| e.id).collect();
    let expected: Vec<i64> = all.iter().take(4).map(|e| e.id).collect();
    assert_eq!(ids, expected);
    // Reading who saw a patient is itself recorded, naming the patient.
    let reads = d
        .store
        .list_audit(
            &Actor::system("test"),
            &AuditFilter {
                action: Some(AuditAction::AuditRead),
                limit: 1,
                ..Default::default()
            },
            NOW,
        )
        .await
        .unwrap();
    assert!(reads[0].patients.contains(&p), "{:?}", reads[0]);
}

async fn referrer(d: &Dept) -> Actor {
    actor(&user(&d.store, "amorel", "Anne Morel", Role::ReferringPhysician).await)
}

#[tokio::test]
async fn a_referring_physician_reads_only_their_own_patients() {
    let d = Dept::open().await;
    let case = d.to_schedule("BIO-LUNG-CT").await;
    let morel = referrer(&d).await;
    let theirs = d
        .store
        .create_patient(
            &morel,
            &patient("IP77", "Garnier", "Luc", "1949-01-01"),
            NOW,
        )
        .await
        .unwrap();

    // Searches and lists select within their patients.
    let everyone = d
        .store
        .search_patients(&morel, &PatientQuery::parse("").unwrap(), 50, NOW)
        .await
        .unwrap();
    assert_eq!(
        everyone.iter().map(|p| p.id).collect::<Vec<_>>(),
        [theirs.id]
    );
    let (listed, total) = d
        .store
        .worklist(&morel, Worklist::ToSchedule, 10, 0, NOW)
        .await
        .unwrap();
    assert_eq!((listed.len(), total), (0, 0));

    // A record of another's patient is refused, and the refusal is recorded.
    for refused in [
        d.store.get_patient(&morel, d.patient_id(), NOW).await.err(),
        d.store.get_case(&morel, case.id, NOW).await.err(),
        d.store.report(&morel, case.id, NOW).await.err(),
        d.store.case_bookings(&morel, case.id, NOW).await.err(),
    ] {
        assert!(
            matches!(refused, Some(StoreError::Forbidden(Some(p))) if p == d.patient_id()),
            "{refused:?}"
        );
    }
    let denied = &entries_of(&d.store, d.patient_id()).await[0];
    assert_eq!(
        (denied.action.as_str(), denied.username.as_str()),
        ("access.denied", "amorel")
    );
    // Their own patient they read and refer; once referred, the case is theirs too.
    d.store.get_patient(&morel, theirs.id, NOW).await.unwrap();
    let mut referral = d.referral_for(theirs.id);
    let own = d
        .store
        .create_referral(&morel, &referral, NOW)
        .await
        .unwrap();
    d.store.get_case(&morel, own.id, NOW).await.unwrap();
    referral.patient_id = d.patient_id();
    assert!(matches!(
        d.store.create_referral(&morel, &referral, NOW).await,
        Err(StoreError::Forbidden(_))
    ));
}

#[tokio::test]
async fn an_emergency_access_opens_one_patient_for_a_limited_time_and_is_listed() {
    let d = Dept::open().await;
    let morel = referrer(&d).await;
    let p = d.patient_id();
    // A reason is required.
    assert!(matches!(
        d.store
            .open_emergency_access(&morel, p, "urgent", NOW)
            .await,
        Err(StoreError::Invalid(_))
    ));
    let grant = d
        .store
        .open_emergency_access(
            &morel,
            p,
            "Patient aux urgences, médecin traitant absent",
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(grant.expires_at - grant.granted_at, Duration::hours(4));
    let opened = &entries_of(&d.store, p).await[0];
    assert_eq!(
        (opened.action.as_str(), opened.username.as_str()),
        ("access.emergency", "amorel")
    );

    let during: OffsetDateTime = NOW + Duration::hours(3);
    d.store.get_patient(&morel, p, during).await.unwrap();
    assert_eq!(
        d.store.open_access(&morel, p, during).await.unwrap(),
        Some(grant.expires_at)
    );
    let later = NOW + Duration::hours(5);
    assert!(matches!(
        d.store.get_patient(&morel, p, later).await,
        Err(StoreError::Forbidden(_))
    ));

    // The quality officer's list: who opened whom, why, until when.
    let quality = actor(
        &user(
            &d.store,
            "qlefebvre",
            "Quentin Lefebvre",
            Role::QualityOfficer,
        )
        .await,
    );
    let listed = d
        .store
        .emergency_accesses(&quality, NOW - Duration::days(30), 50, later)
        .await
        .unwrap();
    assert_eq!(listed, [grant]);
}

#[tokio::test]
async fn who_saw_a_patient_is_answered_alike_before_and_after_the_index_settles() {
    let d = Dept::open().await;
    let p = d.patient_id();
    let reads = |before: Option<i64>| page_of(&d.store, p, Some(AuditAction::PatientRead), before);
    // Three reads in the index, three (unless the store's own indexer ran since) still
    // in the backlog.
    for _ in 0..3 {
        d.store.get_patient(&d.nurse(), p, NOW).await.unwrap();
    }
    d.store.index_audit_backlog().await.unwrap();
    for _ in 0..3 {
        d.store.get_patient(&d.nurse(), p, NOW).await.unwrap();
    }
    let pending = entries_of(&d.store, p).await;
    // Paged by two across the boundary: each read once, newest first.
    let mut paged = Vec::new();
    let mut before = None;
    loop {
        let page = reads(before).await;
        let Some(last) = page.last() else { break };
        before = Some(last.id);
        paged.extend(page.iter().map(|e| e.id));
    }
    let expected: Vec<i64> = pending
        .iter()
        .filter(|e| e.action == AuditAction::PatientRead.code())
        .map(|e| e.id)
        .collect();
    assert_eq!(expected.len(), 6, "{pending:?}");
    assert_eq!(paged, expected);
    // Once settled, the same answer, and the backlog is empty.
    d.store.index_audit_backlog().await.unwrap();
    assert_eq!(d.store.index_audit_backlog().await.unwrap(), 0);
    let settled = entries_of(&d.store, p).await;
    let ids = |e: &[AuditRecord]| {
        e.iter()
            .map(|e| (e.id, e.patients.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&settled), ids(&pending));
}
