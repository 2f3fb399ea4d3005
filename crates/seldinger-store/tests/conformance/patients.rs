//! Patients, accounts, sessions and the audit log.

use sea_orm::ConnectionTrait;
use seldinger_domain::audit::{Actor, AuditAction, ObjectRef};
use seldinger_domain::patient::{NewPatient, PatientQuery};
use seldinger_domain::user::Username;
use seldinger_domain::{Lang, Role};
use seldinger_store::testing::TestDatabase;
use seldinger_store::{AuditFilter, Conflict, NewUser, SignIn, Store, StoreError};
use time::Duration;

use crate::support::{NOW, patient, user};

async fn setup() -> (TestDatabase, Store, Actor) {
    let db = TestDatabase::new().await;
    let store = db.store().await;
    let actor = user(&store, "sfournier", "Sophie Fournier", Role::Scheduler)
        .await
        .actor(Some("127.0.0.1".into()));
    (db, store, actor)
}

async fn names(store: &Store, actor: &Actor, q: &str) -> Vec<String> {
    let query = PatientQuery::parse(q).unwrap();
    store
        .search_patients(actor, &query, 50, NOW)
        .await
        .unwrap()
        .into_iter()
        .map(|p| format!("{} {}", p.given_names, p.family_name))
        .collect()
}

#[tokio::test]
async fn migrations_apply_once_and_then_have_nothing_to_do() {
    let db = TestDatabase::new().await;
    let store = db.store().await;
    assert_eq!(store.migrate().await.unwrap(), 0);
    assert!(store.is_empty().await.unwrap());
    store.ping().await.unwrap();
}

#[tokio::test]
async fn search_folds_case_and_accents_and_matches_every_word() {
    let (_db, store, actor) = setup().await;
    for p in [
        patient("IP1", "Dupré-Lefèvre", "Hélène", "1956-03-12"),
        patient("IP2", "Dupont", "Helena", "1971-07-01"),
        patient("IP3", "Martin", "Hélène Marie", "1990-01-20"),
        patient("IP4", "N'Diaye", "Aïssatou", "1984-11-05"),
    ] {
        store.create_patient(&actor, &p, NOW).await.unwrap();
    }
    assert_eq!(
        names(&store, &actor, "helene").await,
        ["Hélène Dupré-Lefèvre", "Hélène Marie Martin"]
    );
    assert_eq!(
        names(&store, &actor, "hel").await,
        [
            "Helena Dupont",
            "Hélène Dupré-Lefèvre",
            "Hélène Marie Martin"
        ]
    );
    assert_eq!(
        names(&store, &actor, "dupre").await,
        ["Hélène Dupré-Lefèvre"]
    );
    assert_eq!(
        names(&store, &actor, "LEFEVRE").await,
        ["Hélène Dupré-Lefèvre"]
    );
    assert_eq!(
        names(&store, &actor, "hélène martin").await,
        ["Hélène Marie Martin"]
    );
    assert_eq!(names(&store, &actor, "ndiaye").await, ["Aïssatou N'Diaye"]);
    assert_eq!(
        names(&store, &actor, "dup 12/03/1956").await,
        ["Hélène Dupré-Lefèvre"]
    );
    assert_eq!(names(&store, &actor, "ip2").await, ["Helena Dupont"]);
    assert!(names(&store, &actor, "zzz").await.is_empty());
}

#[tokio::test]
async fn every_mrn_the_domain_accepts_is_found_by_searching_for_it() {
    let (_db, store, actor) = setup().await;
    // Shapes a hospital's IPP takes, the awkward ones included: a year and a number that
    // is no date, a date-shaped one, lower case, every allowed separator, one digit.
    let mrns = [
        "IP-0100042",
        "2024-0001",
        "12/03/1956",
        "ip-7",
        "A.1/B_2-c",
        "7",
    ];
    for (i, mrn) in mrns.iter().enumerate() {
        let p = patient(mrn, "Roux", "Emma", &format!("19{:02}-01-01", 50 + i));
        store.create_patient(&actor, &p, NOW).await.unwrap();
    }
    for mrn in mrns {
        let query = PatientQuery::parse(mrn).unwrap();
        let found = store
            .search_patients(&actor, &query, 50, NOW)
            .await
            .unwrap();
        assert_eq!(
            found.first().map(|p| p.mrn.as_str()),
            Some(mrn.to_uppercase().as_str()),
            "searching {mrn:?}"
        );
    }
    let refused = NewPatient::parse(
        &crate::support::input("IPP", "Roux", "Emma", "1950-01-01"),
        NOW,
    )
    .unwrap_err();
    assert_eq!(
        refused.for_field("mrn").map(|e| e.problem.code()),
        Some("digit_required")
    );
}

#[tokio::test]
async fn a_patient_read_and_write_are_audited_with_who_and_from_where() {
    let (_db, store, actor) = setup().await;
    let created = store
        .create_patient(&actor, &patient("IP9", "Durand", "Paul", "1950-05-05"), NOW)
        .await
        .unwrap();
    let read = store.get_patient(&actor, created.id, NOW).await.unwrap();
    assert_eq!(read, created);
    let filter = AuditFilter {
        object: Some(ObjectRef::new("patient", created.id)),
        limit: 10,
        ..Default::default()
    };
    let entries = store
        .list_audit(&Actor::system("test"), &filter, NOW)
        .await
        .unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["patient.read", "patient.create"]);
    assert!(entries.iter().all(|e| e.username == "sfournier"
        && e.role.as_deref() == Some("scheduler")
        && e.client_addr.as_deref() == Some("127.0.0.1")));
}

#[tokio::test]
async fn the_audit_log_refuses_updates_and_deletes_in_the_database_itself() {
    let (_db, store, actor) = setup().await;
    store
        .record_sign_in(&actor, SignIn::SignedOut, NOW)
        .await
        .unwrap();
    // An entry naming a patient, and an emergency access: their tables too.
    let created = store
        .create_patient(&actor, &patient("IP42", "Roux", "Anne", "1950-05-05"), NOW)
        .await
        .unwrap();
    // The patient index is built in the background: settle it now.
    store.index_audit_backlog().await.unwrap();
    let db = store.raw_connection();
    db.execute_unprepared(
        "INSERT INTO access_grants (id, user_id, patient_id, reason, granted_at, expires_at, username) \
         SELECT patient_id, patient_id, patient_id, 'test', '2026-01-01', '2026-01-02', 'x' \
         FROM audit_patients LIMIT 1",
    )
    .await
    .unwrap();
    for statement in [
        "UPDATE audit_log SET username = 'someone-else'",
        "DELETE FROM audit_log",
        "UPDATE audit_patients SET entry_id = entry_id + 1",
        "DELETE FROM audit_patients",
        "UPDATE access_grants SET reason = 'other'",
        "DELETE FROM access_grants",
    ] {
        assert!(
            db.execute_unprepared(statement).await.is_err(),
            "{statement} was allowed"
        );
    }
    let links = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM audit_patients",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert!(links >= 1, "the patient's creation names it: {created:?}");
    let all = store
        .list_audit(
            &actor,
            &AuditFilter {
                limit: 100,
                ..Default::default()
            },
            NOW,
        )
        .await
        .unwrap();
    assert!(
        all.iter()
            .any(|e| e.action == "logout" && e.username == "sfournier")
    );
}

#[tokio::test]
async fn a_taken_mrn_is_a_conflict_and_stores_nothing() {
    let (_db, store, actor) = setup().await;
    store
        .create_patient(&actor, &patient("IP5", "Bernard", "Luc", "1960-02-02"), NOW)
        .await
        .unwrap();
    let err = store
        .create_patient(&actor, &patient("ip5", "Petit", "Anne", "1961-03-03"), NOW)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict(Conflict::Duplicate { field: "mrn" })
        ),
        "{err:?}"
    );
    assert!(names(&store, &actor, "petit").await.is_empty());
}

#[tokio::test]
async fn an_update_with_a_stale_version_is_refused_with_the_current_one() {
    let (_db, store, actor) = setup().await;
    let p = store
        .create_patient(
            &actor,
            &patient("IP6", "Moreau", "Julie", "1970-04-04"),
            NOW,
        )
        .await
        .unwrap();
    let renamed = patient("IP6", "Moreau-Roux", "Julie", "1970-04-04");
    let updated = store
        .update_patient(&actor, p.id, 1, &renamed, NOW)
        .await
        .unwrap();
    assert_eq!(updated.version, 2);
    assert_eq!(names(&store, &actor, "roux").await, ["Julie Moreau-Roux"]);
    let err = store
        .update_patient(
            &actor,
            p.id,
            1,
            &patient("IP6", "Other", "Julie", "1970-04-04"),
            NOW,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict(Conflict::StaleVersion { current: 2 })
        ),
        "{err:?}"
    );
    assert_eq!(
        store
            .get_patient(&actor, p.id, NOW)
            .await
            .unwrap()
            .family_name,
        "Moreau-Roux"
    );
}

#[tokio::test]
async fn possible_duplicates_match_folded_names_and_birth_date() {
    let (_db, store, actor) = setup().await;
    let first = store
        .create_patient(
            &actor,
            &patient("IP7", "Lefèvre", "Chloé", "1988-08-08"),
            NOW,
        )
        .await
        .unwrap();
    let twin = patient("IP8", "LEFEVRE", "chloe", "1988-08-08");
    let found = store
        .possible_duplicates(&actor, &twin, None, NOW)
        .await
        .unwrap();
    assert_eq!(found.iter().map(|p| p.id).collect::<Vec<_>>(), [first.id]);
    assert!(
        store
            .possible_duplicates(&actor, &twin, Some(first.id), NOW)
            .await
            .unwrap()
            .is_empty()
    );
    let other_day = patient("IP8", "Lefèvre", "Chloé", "1988-08-09");
    assert!(
        store
            .possible_duplicates(&actor, &other_day, None, NOW)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn an_import_is_all_or_nothing() {
    let (_db, store, actor) = setup().await;
    let batch: Vec<NewPatient> = (0..900)
        .map(|i| patient(&format!("B{i}"), "Garnier", "Léa", "1999-09-09"))
        .collect();
    assert_eq!(
        store
            .import_patients(&actor, &batch, NOW)
            .await
            .unwrap()
            .len(),
        900
    );
    let clash = vec![
        patient("NEW1", "Roux", "Emma", "2000-01-01"),
        patient("B3", "Roux", "Emma", "2000-01-01"),
    ];
    assert!(store.import_patients(&actor, &clash, NOW).await.is_err());
    assert!(names(&store, &actor, "roux").await.is_empty());
}

#[tokio::test]
async fn a_disabled_user_loses_sessions_and_tokens() {
    let (_db, store, actor) = setup().await;
    let user = store
        .user_with_password("sfournier")
        .await
        .unwrap()
        .unwrap()
        .0;
    store
        .create_session("session-digest", user.id, "csrf", NOW)
        .await
        .unwrap();
    store
        .create_token(&actor, user.id, "token-digest", NOW)
        .await
        .unwrap();
    assert_eq!(
        store
            .user_for_token("token-digest")
            .await
            .unwrap()
            .map(|u| u.id),
        Some(user.id)
    );
    assert!(
        store
            .session("session-digest", NOW, Duration::minutes(30))
            .await
            .unwrap()
            .is_some()
    );

    store
        .disable_user(&Actor::system("test"), "sfournier", NOW)
        .await
        .unwrap();
    assert!(
        store
            .user_for_token("token-digest")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .session("session-digest", NOW, Duration::minutes(30))
            .await
            .unwrap()
            .is_none()
    );
    assert!(!store.get_user(user.id).await.unwrap().is_active());
}

#[tokio::test]
async fn a_session_idle_too_long_expires() {
    let (_db, store, _) = setup().await;
    let user = store
        .user_with_password("sfournier")
        .await
        .unwrap()
        .unwrap()
        .0;
    store
        .create_session("s1", user.id, "csrf", NOW)
        .await
        .unwrap();
    let idle = Duration::minutes(30);
    assert!(
        store
            .session("s1", NOW + Duration::minutes(29), idle)
            .await
            .unwrap()
            .is_some()
    );
    // Touched at minute 29, so still alive at minute 58.
    assert!(
        store
            .session("s1", NOW + Duration::minutes(58), idle)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .session("s1", NOW + Duration::minutes(89), idle)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store.session("s1", NOW, idle).await.unwrap().is_none(),
        "an expired session is deleted"
    );
}

#[tokio::test]
async fn usernames_are_unique() {
    let (_db, store, _) = setup().await;
    let again = NewUser {
        username: Username::parse("SFournier").unwrap(),
        full_name: "Another".into(),
        role: Role::Nurse,
        language: Lang::En,
        password_hash: "x".into(),
    };
    let err = store
        .create_user(&Actor::system("test"), again, NOW)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict(Conflict::Duplicate { field: "username" })
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_withdrawn_patient_leaves_searches_and_reads_but_stays_in_the_audit_trail() {
    let (_db, store, actor) = setup().await;
    let p = store
        .create_patient(
            &actor,
            &patient("IP10", "Renard", "Lucie", "1966-06-06"),
            NOW,
        )
        .await
        .unwrap();
    let err = store
        .delete_patient(&actor, p.id, 7, "registered twice", NOW)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict(Conflict::StaleVersion { current: 1 })
        ),
        "{err:?}"
    );
    store
        .delete_patient(&actor, p.id, 1, "registered twice", NOW)
        .await
        .unwrap();
    assert!(matches!(
        store.get_patient(&actor, p.id, NOW).await,
        Err(StoreError::NotFound)
    ));
    assert!(names(&store, &actor, "renard").await.is_empty());
    assert!(matches!(
        store.delete_patient(&actor, p.id, 2, "again", NOW).await,
        Err(StoreError::NotFound)
    ));
    let filter = AuditFilter {
        object: Some(ObjectRef::new("patient", p.id)),
        limit: 10,
        ..Default::default()
    };
    let entries = store.list_audit(&actor, &filter, NOW).await.unwrap();
    assert_eq!(entries[0].action, "patient.delete");
    assert_eq!(entries[0].detail.as_deref(), Some("registered twice"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_reads_each_get_exactly_one_audit_entry() {
    let (_db, store, actor) = setup().await;
    let p = store
        .create_patient(&actor, &patient("IP11", "Blanc", "Inès", "1977-07-07"), NOW)
        .await
        .unwrap();
    let reads: Vec<_> = (0..120)
        .map(|_| {
            let store = store.clone();
            let actor = actor.clone();
            tokio::spawn(async move { store.get_patient(&actor, p.id, NOW).await.map(|_| ()) })
        })
        .collect();
    for read in reads {
        read.await.unwrap().unwrap();
    }
    let filter = AuditFilter {
        object: Some(ObjectRef::new("patient", p.id)),
        action: Some(AuditAction::PatientRead),
        limit: 1000,
        ..Default::default()
    };
    let entries = store.list_audit(&actor, &filter, NOW).await.unwrap();
    assert_eq!(
        entries.len(),
        120,
        "every read acknowledged has its entry, once"
    );
}

#[tokio::test]
async fn search_orders_by_the_name_that_matched_and_lists_each_patient_once() {
    let (_db, store, actor) = setup().await;
    for (i, (family, given)) in [
        ("Martin", "Paul"),
        ("Marchand", "Zoé"),
        ("Dupont", "Marie"),
        ("Martin", "Anne"),
        ("Dupré-Lefèvre", "Hélène"),
        ("Duprat", "Marc"),
    ]
    .iter()
    .enumerate()
    {
        store
            .create_patient(
                &actor,
                &patient(&format!("O{i}"), family, given, "1950-01-01"),
                NOW,
            )
            .await
            .unwrap();
    }
    // Tokens in order: marc (Duprat), marchand, marie (Dupont), martin (Anne, then Paul).
    assert_eq!(
        names(&store, &actor, "mar").await,
        [
            "Marc Duprat",
            "Zoé Marchand",
            "Marie Dupont",
            "Anne Martin",
            "Paul Martin"
        ]
    );
    // "dupre" matches two tokens of one patient (dupre, duprelefevre): listed once.
    assert_eq!(
        names(&store, &actor, "dupr").await,
        ["Marc Duprat", "Hélène Dupré-Lefèvre"]
    );
    assert_eq!(names(&store, &actor, "martin a").await, ["Anne Martin"]);
    assert_eq!(names(&store, &actor, "o3").await, ["Anne Martin"], "an MRN");
    let two = store
        .search_patients(&actor, &PatientQuery::parse("mar").unwrap(), 2, NOW)
        .await
        .unwrap();
    assert_eq!(two.len(), 2);
}

#[tokio::test]
async fn idle_sessions_are_purged() {
    let (_db, store, _) = setup().await;
    let user = store
        .user_with_password("sfournier")
        .await
        .unwrap()
        .unwrap()
        .0;
    store
        .create_session("old", user.id, "csrf", NOW)
        .await
        .unwrap();
    store
        .create_session("new", user.id, "csrf", NOW + Duration::minutes(40))
        .await
        .unwrap();
    assert_eq!(
        store
            .purge_idle_sessions(NOW + Duration::minutes(10))
            .await
            .unwrap(),
        1
    );
    let idle = Duration::minutes(30);
    assert!(
        store
            .session("new", NOW + Duration::minutes(41), idle)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .session("old", NOW + Duration::minutes(1), idle)
            .await
            .unwrap()
            .is_none()
    );
}
