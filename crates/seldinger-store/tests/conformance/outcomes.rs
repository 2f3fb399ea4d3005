//! The pathway, steps 7–11: a ready case is reported, signed (specimens and follow-up
//! follow), its specimens get their pathology, its adverse events are graded and
//! reported, its follow-up is recorded, and it closes. Each refusal is checked for what
//! it says and for what it leaves untouched.

use sea_orm::{ConnectionTrait, Statement};
use seldinger_domain::adverse::{EventInput, Phase};
use seldinger_domain::case::{CaseEvent, CaseStatus};
use seldinger_domain::followup::{ContactInput, Status};
use seldinger_domain::invalid::Problem;
use seldinger_domain::pathology::{Category, ResultInput};
use seldinger_domain::report::{Addendum, ReportInput};
use seldinger_domain::rules::Rule;
use seldinger_domain::{CaseId, SpecimenId};
use seldinger_store::StoreError;
use seldinger_store::followups::FollowUpList;
use time::{Duration, OffsetDateTime};

use crate::pathway::{Dept, assert_refused, assert_rule, complete_checklist, monday};
use crate::support::NOW;

/// When the report is written: the procedure (09:00–09:45) is over.
pub(crate) fn after() -> OffsetDateTime {
    monday(10, 0)
}

/// A complete lung-biopsy report, two specimens.
fn report() -> ReportInput {
    ReportInput {
        started_at: "2026-11-23T09:00".into(),
        ended_at: "2026-11-23T09:45".into(),
        operators: vec!["clemaire".into()],
        guidance: vec!["ct".into()],
        anesthesia: "local".into(),
        ct_dlp_mgycm: "380".into(),
        biopsy_needle_gauge: "18".into(),
        biopsy_cores: "2".into(),
        technical_success: "success".into(),
        conclusion: "Deux carottes du nodule.".into(),
        specimens: vec!["A — carotte 1".into(), "B — carotte 2".into()],
        ..ReportInput::default()
    }
}

/// A case booked Monday 09:00 in CT-1 with its checklist complete: ready.
async fn ready(d: &Dept) -> CaseId {
    let (case, _) = d.scheduled("BIO-LUNG-CT", monday(9, 0)).await;
    d.store
        .save_checklist(&d.nurse(), case, 0, &complete_checklist(), NOW)
        .await
        .unwrap();
    assert_eq!(d.status(case).await, CaseStatus::Ready);
    case
}

/// A ready case, reported and signed at [`after`].
pub(crate) async fn signed(d: &Dept) -> CaseId {
    let case = ready(d).await;
    d.store
        .save_report(&d.ir(), case, 0, &report(), after())
        .await
        .unwrap();
    d.store
        .sign_report(&d.ir(), case, 1, after())
        .await
        .unwrap();
    case
}

#[track_caller]
fn invalid_fields<T: std::fmt::Debug>(result: Result<T, StoreError>) -> Vec<String> {
    match result {
        Err(StoreError::Invalid(invalid)) => invalid.0.into_iter().map(|e| e.field).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

fn event() -> EventInput {
    EventInput {
        term: "pneumothorax_drain".into(),
        onset: "2026-11-23T09:30".into(),
        cirse_grade: "3".into(),
        related_to_procedure: "definite".into(),
        action: "drainage".into(),
        outcome: "resolving".into(),
        ..EventInput::default()
    }
}

#[tokio::test]
async fn a_report_is_drafted_signed_and_then_never_changes() {
    let d = Dept::open().await;
    let case = ready(&d).await;

    // A draft may be incomplete; the first one records the procedure as performed.
    let draft = ReportInput {
        started_at: "2026-11-23T09:00".into(),
        operators: vec!["clemaire".into()],
        ..ReportInput::default()
    };
    let saved = d
        .store
        .save_report(&d.ir(), case, 0, &draft, after())
        .await
        .unwrap();
    assert_eq!(saved.version, 1);
    assert_eq!(d.status(case).await, CaseStatus::Performed);
    assert_eq!(
        d.events(case).await.last().map(String::as_str),
        Some("perform")
    );

    // An incomplete report is not signed, and says what it lacks.
    let before = d.snapshot(case).await;
    let missing = invalid_fields(d.store.sign_report(&d.ir(), case, 1, after()).await);
    for field in ["ended_at", "guidance", "biopsy_cores", "conclusion"] {
        assert!(
            missing.contains(&field.to_string()),
            "{field} in {missing:?}"
        );
    }
    assert_eq!(d.snapshot(case).await, before);

    // A stale version and an operator who is not a radiologist change nothing.
    assert!(matches!(
        d.store
            .save_report(&d.ir(), case, 0, &report(), after())
            .await,
        Err(StoreError::Conflict(
            seldinger_store::Conflict::StaleVersion { current: 1 }
        ))
    ));
    let mut wrong = report();
    wrong.operators = vec!["nbernard".into()];
    assert_eq!(
        invalid_fields(d.store.save_report(&d.ir(), case, 1, &wrong, after()).await),
        ["operators"]
    );

    d.store
        .save_report(&d.ir(), case, 1, &report(), after())
        .await
        .unwrap();
    let signed = d
        .store
        .sign_report(&d.ir(), case, 2, after())
        .await
        .unwrap();
    assert_eq!(
        signed.signed.as_ref().map(|(_, by)| by.as_str()),
        Some("clemaire")
    );
    assert_eq!(d.status(case).await, CaseStatus::FollowUp);
    let specimens = d.store.specimens(&d.ir(), case, NOW).await.unwrap();
    assert_eq!(
        specimens
            .iter()
            .map(|s| s.label.as_str())
            .collect::<Vec<_>>(),
        ["A — carotte 1", "B — carotte 2"]
    );
    let planned: Vec<String> = d
        .store
        .follow_ups(&d.ir(), case, NOW)
        .await
        .unwrap()
        .into_iter()
        .map(|f| format!("{} {}", f.code, f.due_on))
        .collect();
    assert_eq!(
        planned,
        ["d7 2026-11-30", "consultation 2026-12-23", "d30 2026-12-23"]
    );

    // Signed: the store refuses any change, and so does the database itself.
    let before = d.snapshot(case).await;
    assert_rule(
        d.store
            .save_report(&d.ir(), case, 2, &report(), after())
            .await,
        Rule::ReportSigned,
    );
    assert_rule(
        d.store.sign_report(&d.ir(), case, 2, after()).await,
        Rule::ReportSigned,
    );
    let db = d.store.raw_connection();
    for sql in ["UPDATE reports SET content = '{}'", "DELETE FROM reports"] {
        let result = db
            .execute_raw(Statement::from_string(db.get_database_backend(), sql))
            .await;
        assert!(result.is_err(), "{sql} was accepted");
    }
    assert_eq!(d.snapshot(case).await, before);
    let kept = d
        .store
        .report(&d.ir(), case, after())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.report, signed.report);

    // Corrections are signed addenda, kept in order.
    let with = d
        .store
        .add_addendum(
            &d.ir(),
            case,
            &Addendum {
                text: "Troisième carotte non envoyée.".into(),
            },
            after(),
        )
        .await
        .unwrap();
    assert_eq!(with.addenda.len(), 1);
    assert_eq!(with.addenda[0].signed_by, "clemaire");
    assert!(
        db.execute_raw(Statement::from_string(
            db.get_database_backend(),
            "DELETE FROM report_addenda"
        ))
        .await
        .is_err()
    );
}

#[tokio::test]
async fn a_report_waits_for_a_ready_case_and_an_addendum_for_a_signature() {
    let d = Dept::open().await;
    let (case, _) = d.scheduled("BIO-LUNG-CT", monday(11, 0)).await;
    assert_rule(
        d.store
            .save_report(&d.ir(), case, 0, &report(), after())
            .await,
        Rule::ReportNeedsProcedure,
    );
    assert_eq!(d.count("reports", "1 = 1").await, 0);
    let case = ready(&d).await;
    assert!(matches!(
        d.store.sign_report(&d.ir(), case, 0, after()).await,
        Err(StoreError::NotFound)
    ));
    d.store
        .save_report(&d.ir(), case, 0, &report(), after())
        .await
        .unwrap();
    assert_rule(
        d.store
            .add_addendum(&d.ir(), case, &Addendum { text: "x".into() }, after())
            .await,
        Rule::ReportNotSigned,
    );
    // A malformed value is refused with its field, and the draft stays as it was.
    let mut bad = report();
    bad.biopsy_cores = "beaucoup".into();
    assert_eq!(
        invalid_fields(d.store.save_report(&d.ir(), case, 1, &bad, after()).await),
        ["biopsy_cores"]
    );
    let kept = d
        .store
        .report(&d.ir(), case, after())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.version, 1);
}

#[tokio::test]
async fn pathology_is_recorded_once_per_specimen_that_exists() {
    let d = Dept::open().await;
    let case = signed(&d).await;
    let later = after() + Duration::days(3);
    let (pending, total) = d
        .store
        .pending_specimens(&d.ir(), 50, 0, later)
        .await
        .unwrap();
    assert_eq!(total, 2);
    assert!(pending.iter().all(|p| p.case.id == case));
    let first = pending[0].specimen.id;

    let result = ResultInput {
        adequacy: "adequate".into(),
        category: "malignant".into(),
        histology: "Adénocarcinome.".into(),
        result_date: "2026-11-26".into(),
    };
    let recorded = d
        .store
        .record_pathology(&d.ir(), first, &result, later)
        .await
        .unwrap();
    let r = recorded.result.unwrap();
    assert_eq!(r.result.category, Category::Malignant);
    assert_eq!(r.turnaround_days, 3);
    assert_rule(
        d.store
            .record_pathology(&d.ir(), first, &result, later)
            .await,
        Rule::PathologyAlreadyRecorded,
    );
    assert!(matches!(
        d.store
            .record_pathology(
                &d.ir(),
                SpecimenId::from_uuid(uuid::Uuid::now_v7()),
                &result,
                later
            )
            .await,
        Err(StoreError::NotFound)
    ));
    let (_, total) = d
        .store
        .pending_specimens(&d.ir(), 50, 0, later)
        .await
        .unwrap();
    assert_eq!(total, 1);
    assert_eq!(d.count("pathology_results", "1 = 1").await, 1);
}

#[tokio::test]
async fn an_adverse_event_needs_its_grade_and_an_onset_after_the_procedure() {
    let d = Dept::open().await;
    let (scheduled, _) = d.scheduled("BIO-LUNG-CT", monday(11, 0)).await;
    assert_rule(
        d.store
            .record_adverse_event(&d.ir(), scheduled, &event(), None, 24, after())
            .await,
        Rule::EventNeedsProcedure,
    );
    let case = signed(&d).await;
    let mut ungraded = event();
    ungraded.cirse_grade = String::new();
    assert_eq!(
        invalid_fields(
            d.store
                .record_adverse_event(&d.ir(), case, &ungraded, None, 24, after())
                .await
        ),
        ["cirse_grade"]
    );
    let mut early = event();
    early.onset = "2026-11-23T08:30".into();
    match d
        .store
        .record_adverse_event(&d.ir(), case, &early, None, 24, after())
        .await
    {
        Err(StoreError::Invalid(invalid)) => {
            let e = invalid.for_field("onset").unwrap();
            assert!(matches!(e.problem, Problem::DateTooOld { .. }));
        }
        other => panic!("expected an onset error, got {other:?}"),
    }
    assert_eq!(d.count("adverse_events", "1 = 1").await, 0);

    let recorded = d
        .store
        .record_adverse_event(&d.ir(), case, &event(), None, 24, after())
        .await
        .unwrap();
    assert_eq!(recorded.phase, Phase::IntraProcedural);
    assert_eq!(recorded.report_due_at, None);
    assert!(
        d.store
            .reports_due(&d.ir(), after())
            .await
            .unwrap()
            .is_empty()
    );

    // It turns serious: the clock starts, the event is due until marked reported.
    let mut serious = event();
    serious.serious = true;
    serious.serious_criteria = vec!["hospitalisation".into()];
    let at = after() + Duration::hours(2);
    let updated = d
        .store
        .update_adverse_event(&d.ir(), recorded.id, 1, &serious, 24, at)
        .await
        .unwrap();
    assert_eq!(updated.version, 2);
    assert_eq!(updated.report_due_at, Some(at + Duration::hours(24)));
    assert!(!updated.is_report_overdue(at + Duration::hours(23)));
    assert!(updated.is_report_overdue(at + Duration::hours(25)));
    let due = d.store.reports_due(&d.ir(), at).await.unwrap();
    assert_eq!(due.len(), 1);
    assert!(matches!(
        d.store
            .update_adverse_event(&d.ir(), recorded.id, 1, &serious, 24, at)
            .await,
        Err(StoreError::Conflict(
            seldinger_store::Conflict::StaleVersion { current: 2 }
        ))
    ));
    d.store
        .mark_reported(&d.ir(), recorded.id, at)
        .await
        .unwrap();
    assert!(d.store.reports_due(&d.ir(), at).await.unwrap().is_empty());
    assert_rule(
        d.store.mark_reported(&d.ir(), recorded.id, at).await,
        Rule::NothingToReport,
    );
    // Every version is kept, and kept as it was.
    assert_eq!(d.count("adverse_event_revisions", "1 = 1").await, 2);
}

#[tokio::test]
async fn follow_up_is_recorded_once_and_the_case_closes_when_it_is_done() {
    let d = Dept::open().await;
    let case = signed(&d).await;
    let day7 = monday(10, 0) + Duration::days(7);
    let (due, total) = d
        .store
        .follow_up_worklist(&d.nurse(), FollowUpList::Due, 50, 0, day7)
        .await
        .unwrap();
    assert_eq!(total, 1);
    let (item, listed) = &due[0];
    assert_eq!((item.code.as_str(), listed.id), ("d7", case));

    let done = ContactInput {
        status: "done".into(),
        date: String::new(),
        findings: "Pas de douleur, pas de dyspnée.".into(),
    };
    let recorded = d
        .store
        .record_follow_up(&d.nurse(), item.id, &done, day7)
        .await
        .unwrap();
    assert_eq!(recorded.status, Status::Done);
    assert_eq!(recorded.contact_date, Some(day7.date()));
    assert_rule(
        d.store
            .record_follow_up(&d.nurse(), item.id, &done, day7)
            .await,
        Rule::FollowUpAlreadyRecorded,
    );

    // Nothing is overdue yet; a month and a half later, the rest is.
    let (_, overdue) = d
        .store
        .follow_up_worklist(&d.nurse(), FollowUpList::Overdue, 50, 0, day7)
        .await
        .unwrap();
    assert_eq!(overdue, 0);
    let late = monday(10, 0) + Duration::days(50);
    let (items, overdue) = d
        .store
        .follow_up_worklist(&d.nurse(), FollowUpList::Overdue, 50, 0, late)
        .await
        .unwrap();
    assert_eq!(overdue, 2);
    // The worklists page's counts agree with the lists.
    let waiting = d.store.waiting_counts(late).await.unwrap();
    assert_eq!((waiting.follow_up_due, waiting.follow_up_overdue), (0, 2));
    let waiting = d.store.waiting_counts(day7).await.unwrap();
    assert_eq!((waiting.follow_up_due, waiting.follow_up_overdue), (0, 0));

    let before = d.snapshot(case).await;
    assert_rule(
        d.store
            .transition_case(&d.ir(), case, &CaseEvent::Close, late)
            .await,
        Rule::FollowUpIncomplete,
    );
    assert_eq!(d.snapshot(case).await, before);
    for (item, _) in items {
        d.store
            .record_follow_up(
                &d.nurse(),
                item.id,
                &ContactInput {
                    status: "unreachable".into(),
                    ..ContactInput::default()
                },
                late,
            )
            .await
            .unwrap();
    }
    d.store
        .transition_case(&d.ir(), case, &CaseEvent::Close, late)
        .await
        .unwrap();
    assert_eq!(d.status(case).await, CaseStatus::Closed);
    assert_refused(
        d.store
            .transition_case(
                &d.ir(),
                case,
                &CaseEvent::Reopen { reason: " ".into() },
                late,
            )
            .await,
        seldinger_domain::case::Refusal::ReasonRequired,
    );
    d.store
        .transition_case(
            &d.ir(),
            case,
            &CaseEvent::Reopen {
                reason: "Hémoptysie rapportée par le médecin traitant".into(),
            },
            late,
        )
        .await
        .unwrap();
    assert_eq!(d.status(case).await, CaseStatus::FollowUp);
}

#[tokio::test]
async fn the_patient_timeline_tells_the_case_in_order() {
    use seldinger_store::timeline::TimelineItem;
    let d = Dept::open().await;
    let case = signed(&d).await;
    d.store
        .record_adverse_event(&d.ir(), case, &event(), None, 24, after())
        .await
        .unwrap();
    let (cases, entries) = d
        .store
        .patient_timeline(&d.ir(), d.patient_id(), after())
        .await
        .unwrap();
    assert_eq!(cases.iter().map(|c| c.id).collect::<Vec<_>>(), [case]);
    assert!(entries.windows(2).all(|w| w[0].at <= w[1].at));
    let kinds: Vec<String> = entries
        .iter()
        .map(|e| match &e.item {
            TimelineItem::CaseEvent { event, .. } => event.clone(),
            TimelineItem::Consultation { .. } => "consultation".into(),
            TimelineItem::AdverseEvent { term, .. } => format!("ae:{term}"),
            TimelineItem::FollowUp { code, .. } => format!("fu:{code}"),
            other => format!("{other:?}"),
        })
        .collect();
    let position = |k: &str| {
        kinds
            .iter()
            .position(|x| x == k)
            .unwrap_or_else(|| panic!("{k} missing from {kinds:?}"))
    };
    assert!(position("refer") < position("book") && position("consultation") < position("perform"));
    assert!(position("book") < position("perform"));
    assert!(position("ae:pneumothorax_drain") < position("sign_report"));
    assert!(position("sign_report") < position("fu:d7"));
    assert!(position("fu:d7") < position("fu:d30"));
    // One audit entry names the patient.
    let audited = d.count("audit_log", "action = 'patient.timeline'").await;
    assert_eq!(audited, 1);
}
