//! Accounts: an active administrator always remains, enabling.

use seldinger_domain::audit::{Actor, AuditAction, ObjectRef};
use seldinger_domain::rules::Rule;
use seldinger_domain::{Role, UserId};
use seldinger_store::testing::TestDatabase;
use seldinger_store::{AuditFilter, AuditRecord, Conflict, Store, StoreError, User};
use time::Duration;

use crate::support::{NOW, user};

const IDLE: Duration = Duration::minutes(30);

fn host() -> Actor {
    Actor::system("test")
}

fn refused_by(result: Result<impl std::fmt::Debug, StoreError>, rule: Rule) {
    match result {
        Err(StoreError::Conflict(Conflict::Rule(found))) => assert_eq!(found, rule),
        other => panic!("expected rule {}, got {other:?}", rule.code()),
    }
}

/// The audit entries of one action about one user, oldest first.
async fn entries(store: &Store, action: AuditAction, user: UserId) -> Vec<AuditRecord> {
    let mut found = store
        .list_audit(
            &host(),
            &AuditFilter {
                object: Some(ObjectRef::new("user", user)),
                action: Some(action),
                limit: 100,
                ..AuditFilter::default()
            },
            NOW,
        )
        .await
        .unwrap();
    found.reverse();
    found
}

async fn active_admins(store: &Store) -> Vec<String> {
    store
        .list_users()
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.role == Role::Admin && u.is_active())
        .map(|u| u.username)
        .collect()
}

async fn reload(store: &Store, user: &User) -> User {
    store.get_user(user.id).await.unwrap()
}

#[tokio::test]
async fn disabling_your_own_account_is_refused() {
    let db = TestDatabase::new().await;
    let store = db.store().await;
    let alice = user(&store, "alice", "Alice Admin", Role::Admin).await;
    user(&store, "bruno", "Bruno Admin", Role::Admin).await;
    let nurse = user(&store, "nina", "Nina Nurse", Role::Nurse).await;

    refused_by(
        store.disable_user(&alice.actor(None), "alice", NOW).await,
        Rule::OwnAccount,
    );
    refused_by(
        store.disable_user(&nurse.actor(None), "nina", NOW).await,
        Rule::OwnAccount,
    );
    assert!(reload(&store, &alice).await.is_active());
    assert!(reload(&store, &nurse).await.is_active());
    assert!(
        entries(&store, AuditAction::UserDisable, alice.id)
            .await
            .is_empty()
    );
    assert_eq!(Rule::OwnAccount.code(), "own_account");
}

#[tokio::test]
async fn disabling_the_last_active_admin_is_refused() {
    let db = TestDatabase::new().await;
    let store = db.store().await;
    let alice = user(&store, "alice", "Alice Admin", Role::Admin).await;
    let bruno = user(&store, "bruno", "Bruno Admin", Role::Admin).await;
    user(&store, "nina", "Nina Nurse", Role::Nurse).await;

    // Another admin can be disabled while one remains…
    store
        .disable_user(&alice.actor(None), "bruno", NOW)
        .await
        .unwrap();
    // …but not the last one, by the host nor by anyone else; a disabled admin does
    // not count.
    refused_by(
        store.disable_user(&host(), "alice", NOW).await,
        Rule::LastAdmin,
    );
    assert_eq!(active_admins(&store).await, ["alice"]);
    assert_eq!(Rule::LastAdmin.code(), "last_admin");

    // Other accounts are not concerned.
    store.disable_user(&host(), "nina", NOW).await.unwrap();

    // Once another admin is active again, the first may go.
    store.enable_user(&host(), "bruno", NOW).await.unwrap();
    store
        .disable_user(&bruno.actor(None), "alice", NOW)
        .await
        .unwrap();
    assert_eq!(active_admins(&store).await, ["bruno"]);
}

#[tokio::test]
async fn two_admins_disabling_each_other_at_once_leave_one_active() {
    let db = TestDatabase::new().await;
    let store = db.store().await;
    let alice = user(&store, "alice", "Alice Admin", Role::Admin)
        .await
        .actor(None);
    let bruno = user(&store, "bruno", "Bruno Admin", Role::Admin)
        .await
        .actor(None);
    for round in 0..5 {
        store.enable_user(&host(), "alice", NOW).await.unwrap();
        store.enable_user(&host(), "bruno", NOW).await.unwrap();
        let (a, b) = tokio::join!(
            store.disable_user(&alice, "bruno", NOW),
            store.disable_user(&bruno, "alice", NOW),
        );
        let (done, refused) = match (a, b) {
            (Ok(done), refused) | (refused, Ok(done)) => (done, refused),
            (a, b) => panic!("round {round}: neither went through: {a:?}, {b:?}"),
        };
        refused_by(refused, Rule::LastAdmin);
        let survivor = if done.username == "bruno" {
            "alice"
        } else {
            "bruno"
        };
        assert_eq!(active_admins(&store).await, [survivor], "round {round}");
    }
}

#[tokio::test]
async fn enabling_an_account_lets_it_sign_in_again_without_its_old_sessions_and_tokens() {
    let db = TestDatabase::new().await;
    let store = db.store().await;
    let admin = user(&store, "alice", "Alice Admin", Role::Admin).await;
    let nurse = user(&store, "nina", "Nina Nurse", Role::Nurse).await;
    store
        .create_session("old-session", nurse.id, "csrf", NOW)
        .await
        .unwrap();
    store
        .create_token(&host(), nurse.id, "old-token", NOW)
        .await
        .unwrap();
    store
        .disable_user(&admin.actor(None), "nina", NOW)
        .await
        .unwrap();

    let later = NOW + Duration::hours(1);
    let enabled = store
        .enable_user(&admin.actor(Some("10.0.0.5".into())), "nina", later)
        .await
        .unwrap();
    assert!(enabled.is_active());
    assert!(reload(&store, &nurse).await.is_active());
    let (signed_in, _) = store.user_with_password("nina").await.unwrap().unwrap();
    assert!(signed_in.is_active(), "the account can sign in again");
    assert!(
        store.user_for_token("old-token").await.unwrap().is_none(),
        "a token revoked by the disabling stays revoked"
    );
    assert!(
        store
            .session("old-session", later, IDLE)
            .await
            .unwrap()
            .is_none()
    );
    let audited = entries(&store, AuditAction::UserEnable, nurse.id).await;
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0].username, "alice");
    assert_eq!(audited[0].client_addr.as_deref(), Some("10.0.0.5"));

    // Enabling an active account changes and records nothing.
    let again = store.enable_user(&host(), "nina", later).await.unwrap();
    assert!(again.is_active());
    assert_eq!(
        entries(&store, AuditAction::UserEnable, nurse.id)
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn enabling_or_disabling_nobody_is_not_found() {
    let db = TestDatabase::new().await;
    let store = db.store().await;
    assert!(matches!(
        store.enable_user(&host(), "nobody", NOW).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.disable_user(&host(), "nobody", NOW).await,
        Err(StoreError::NotFound)
    ));
}
