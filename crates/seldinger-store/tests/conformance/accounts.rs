//! Accounts: an active administrator always remains, enabling, password change and
//! reset, a user's API tokens.

use seldinger_domain::audit::{Actor, AuditAction, ObjectRef};
use seldinger_domain::rules::Rule;
use seldinger_domain::user::TokenLabel;
use seldinger_domain::{Role, TokenId, UserId};
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

/// The user sets "chosen-hash", having typed the password whose hash is `verified`.
async fn choose_password(store: &Store, user: &User, verified: &str) -> Result<(), StoreError> {
    store
        .change_password(&user.actor(None), user.id, verified, "chosen-hash", NOW)
        .await
}

/// Signs the user in as `session` and makes them a token whose digest is `token`.
async fn open_access(store: &Store, user: UserId, session: &str, token: &str) {
    store
        .create_session(session, user, "csrf", NOW)
        .await
        .unwrap();
    store.create_token(&host(), user, token, NOW).await.unwrap();
}

/// Whether the session and the token still let anyone in.
async fn access(store: &Store, session: &str, token: &str) -> (bool, bool) {
    (
        store.session(session, NOW, IDLE).await.unwrap().is_some(),
        store.user_for_token(token).await.unwrap().is_some(),
    )
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
    open_access(&store, nurse.id, "old-session", "old-token").await;
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
    assert_eq!(
        access(&store, "old-session", "old-token").await,
        (false, false),
        "what the disabling ended stays ended"
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
async fn enabling_disabling_or_resetting_nobody_is_not_found() {
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
    assert!(matches!(
        store
            .reset_password(&host(), "nobody", "temporary-hash", NOW)
            .await,
        Err(StoreError::NotFound)
    ));
}

#[tokio::test]
async fn an_admin_reset_sets_a_temporary_password_the_user_must_replace() {
    let db = TestDatabase::new().await;
    let store = db.store().await;
    let admin = user(&store, "alice", "Alice Admin", Role::Admin).await;
    let nurse = user(&store, "nina", "Nina Nurse", Role::Nurse).await;
    assert!(!nurse.must_change_password);
    open_access(&store, nurse.id, "session", "token").await;

    let reset = store
        .reset_password(&admin.actor(None), "nina", "temporary-hash", NOW)
        .await
        .unwrap();
    assert!(reset.must_change_password);
    let (stored, hash) = store.user_with_password("nina").await.unwrap().unwrap();
    assert_eq!(hash, "temporary-hash");
    assert!(
        stored.must_change_password,
        "the sign-in can force a change"
    );
    assert_eq!(
        access(&store, "session", "token").await,
        (false, false),
        "every session ends and every token is revoked"
    );
    // A session opened with the temporary password carries the flag.
    store
        .create_session("new-session", nurse.id, "csrf", NOW)
        .await
        .unwrap();
    let (in_session, _) = store
        .session("new-session", NOW, IDLE)
        .await
        .unwrap()
        .unwrap();
    assert!(in_session.must_change_password);
    let audited = entries(&store, AuditAction::PasswordReset, nurse.id).await;
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0].username, "alice");
}

#[tokio::test]
async fn a_password_change_ends_every_session_and_token_and_clears_the_temporary_flag() {
    let db = TestDatabase::new().await;
    let store = db.store().await;
    let nurse = user(&store, "nina", "Nina Nurse", Role::Nurse).await;
    store
        .reset_password(&host(), "nina", "temporary-hash", NOW)
        .await
        .unwrap();
    open_access(&store, nurse.id, "session", "token").await;

    store
        .change_password(
            &nurse.actor(Some("10.0.0.7".into())),
            nurse.id,
            "temporary-hash",
            "chosen-hash",
            NOW,
        )
        .await
        .unwrap();
    let (changed, hash) = store.user_with_password("nina").await.unwrap().unwrap();
    assert_eq!(hash, "chosen-hash");
    assert!(!changed.must_change_password);
    assert_eq!(access(&store, "session", "token").await, (false, false));
    let audited = entries(&store, AuditAction::PasswordChange, nurse.id).await;
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0].username, "nina");
    assert_eq!(audited[0].client_addr.as_deref(), Some("10.0.0.7"));
}

#[tokio::test]
async fn a_password_change_checked_against_a_hash_replaced_meanwhile_changes_nothing() {
    let db = TestDatabase::new().await;
    let store = db.store().await;
    let nurse = user(&store, "nina", "Nina Nurse", Role::Nurse).await;
    // The web layer checked the current password against "not-a-real-hash"; an
    // administrator reset it before the change was written.
    store
        .reset_password(&host(), "nina", "temporary-hash", NOW)
        .await
        .unwrap();
    let stale = choose_password(&store, &nurse, "not-a-real-hash").await;
    assert!(
        matches!(
            stale,
            Err(StoreError::Conflict(Conflict::StaleVersion { .. }))
        ),
        "{stale:?}"
    );
    let (still, hash) = store.user_with_password("nina").await.unwrap().unwrap();
    assert_eq!(hash, "temporary-hash");
    assert!(still.must_change_password);
    assert!(
        entries(&store, AuditAction::PasswordChange, nurse.id)
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn a_disabled_account_cannot_change_its_password_nor_can_a_missing_one() {
    let db = TestDatabase::new().await;
    let store = db.store().await;
    let nurse = user(&store, "nina", "Nina Nurse", Role::Nurse).await;
    store.disable_user(&host(), "nina", NOW).await.unwrap();
    let locked = choose_password(&store, &nurse, "not-a-real-hash").await;
    assert!(
        matches!(locked, Err(StoreError::Conflict(Conflict::Locked))),
        "{locked:?}"
    );
    assert!(matches!(
        store
            .change_password(
                &nurse.actor(None),
                UserId::from_uuid(uuid::Uuid::now_v7()),
                "not-a-real-hash",
                "chosen-hash",
                NOW,
            )
            .await,
        Err(StoreError::NotFound)
    ));
}

#[tokio::test]
async fn a_users_tokens_are_listed_newest_first_with_their_labels_and_no_secret() {
    let db = TestDatabase::new().await;
    let store = db.store().await;
    let nurse = user(&store, "nina", "Nina Nurse", Role::Nurse).await;
    let other = user(&store, "omar", "Omar Other", Role::Nurse).await;
    store
        .create_token(&host(), nurse.id, "first-digest", NOW)
        .await
        .unwrap();
    let label = TokenLabel::parse("reporting script").unwrap();
    let labelled = store
        .create_labelled_token(
            &nurse.actor(None),
            nurse.id,
            "second-digest",
            label.as_ref(),
            NOW + Duration::minutes(1),
        )
        .await
        .unwrap();
    store
        .create_token(&host(), other.id, "other-digest", NOW)
        .await
        .unwrap();

    let listed = store.list_tokens(nurse.id).await.unwrap();
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert_eq!(listed[0], labelled);
    assert_eq!(listed[0].label.as_deref(), Some("reporting script"));
    assert_eq!(listed[1].label, None);
    assert_eq!(listed[1].created_at, NOW);
    assert!(listed.iter().all(|t| t.user_id == nurse.id && t.is_live()));
    let shown = format!("{listed:?}");
    assert!(
        !shown.contains("digest"),
        "no digest leaves the store: {shown}"
    );
    assert!(
        store
            .list_tokens(UserId::from_uuid(uuid::Uuid::now_v7()))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_token_is_revoked_by_its_owner_or_an_admin_and_by_nobody_else() {
    let db = TestDatabase::new().await;
    let store = db.store().await;
    let admin = user(&store, "alice", "Alice Admin", Role::Admin).await;
    let nurse = user(&store, "nina", "Nina Nurse", Role::Nurse).await;
    let other = user(
        &store,
        "omar",
        "Omar Radiologist",
        Role::InterventionalRadiologist,
    )
    .await;
    let first = store
        .create_labelled_token(&host(), nurse.id, "first-digest", None, NOW)
        .await
        .unwrap();
    let second = store
        .create_labelled_token(&host(), nurse.id, "second-digest", None, NOW)
        .await
        .unwrap();

    // Someone else's token is not found, and stays live.
    assert!(matches!(
        store.revoke_token(&other.actor(None), first.id, NOW).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.revoke_token(&host(), first.id, NOW).await,
        Err(StoreError::NotFound)
    ));
    assert!(
        store
            .user_for_token("first-digest")
            .await
            .unwrap()
            .is_some()
    );

    // Its owner revokes it.
    let later = NOW + Duration::minutes(5);
    let revoked = store
        .revoke_token(&nurse.actor(None), first.id, later)
        .await
        .unwrap();
    assert_eq!(revoked.revoked_at, Some(later));
    assert!(
        store
            .user_for_token("first-digest")
            .await
            .unwrap()
            .is_none()
    );

    // An admin revokes anyone's.
    store
        .revoke_token(&admin.actor(None), second.id, later)
        .await
        .unwrap();
    assert!(
        store
            .user_for_token("second-digest")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .list_tokens(nurse.id)
            .await
            .unwrap()
            .iter()
            .all(|t| !t.is_live())
    );

    let audited = entries(&store, AuditAction::TokenRevoke, nurse.id).await;
    let who: Vec<(&str, Option<String>)> = audited
        .iter()
        .map(|e| (e.username.as_str(), e.detail.clone()))
        .collect();
    assert_eq!(
        who,
        [
            ("nina", Some(first.id.to_string())),
            ("alice", Some(second.id.to_string())),
        ]
    );

    // Revoking again changes and records nothing; an unknown token is not found.
    let again = store
        .revoke_token(&nurse.actor(None), first.id, later + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(again.revoked_at, Some(later));
    assert_eq!(
        entries(&store, AuditAction::TokenRevoke, nurse.id)
            .await
            .len(),
        2
    );
    assert!(matches!(
        store
            .revoke_token(
                &admin.actor(None),
                TokenId::from_uuid(uuid::Uuid::now_v7()),
                NOW
            )
            .await,
        Err(StoreError::NotFound)
    ));
}
