//! The database gone: the store answers `Unavailable` within a second, and recovers by
//! itself when the database comes back. PostgreSQL only, behind a relay the test
//! freezes or cuts (an embedded SQLite file does not go away on its own).

use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use seldinger_store::testing::{Relay, TestDatabase};
use seldinger_store::{Store, StoreError, StoreOptions, StoreResult};

/// The answer within which a request learns the database is gone.
const WITHIN: Duration = Duration::from_secs(1);

/// A migrated store reached through a relay, or `None` on SQLite.
async fn relayed(db: &TestDatabase) -> Option<(Relay, Store)> {
    let (relay, url) = db.relayed().await?;
    let store = Store::connect(&StoreOptions::new(url)).await.unwrap();
    store.migrate().await.unwrap();
    store.ping().await.unwrap();
    Some((relay, store))
}

/// Runs `what`, which must fail as `Unavailable` within [`WITHIN`].
async fn unavailable_in_time<T: std::fmt::Debug>(
    what: &str,
    run: impl std::future::Future<Output = StoreResult<T>>,
) {
    let started = Instant::now();
    let answer = run.await;
    let took = started.elapsed();
    assert!(
        matches!(answer, Err(StoreError::Unavailable(_))),
        "{what}: {answer:?}"
    );
    assert!(took < WITHIN, "{what} answered after {took:?}");
}

/// After the relay is restored, the store answers again without being told to.
async fn recovers(store: &Store) {
    let mut attempts = 0;
    while store.ping().await.is_err() {
        attempts += 1;
        assert!(attempts < 20, "the store did not recover");
    }
    store.list_users().await.unwrap();
}

#[test]
fn the_default_timeouts_answer_within_a_second() {
    let options = StoreOptions::new("sqlite://unused.db");
    assert!(options.acquire_timeout * 2 <= WITHIN);
    assert!(options.statement_timeout >= Duration::from_secs(10));
}

#[tokio::test]
async fn when_the_database_stops_answering_the_store_is_unavailable_within_a_second_and_recovers() {
    let db = TestDatabase::new().await;
    let Some((relay, store)) = relayed(&db).await else {
        return;
    };
    relay.freeze();
    unavailable_in_time("a ping", store.ping()).await;
    unavailable_in_time("a read", store.list_users()).await;
    relay.restore().await.unwrap();
    recovers(&store).await;
    store.close().await;
}

#[tokio::test]
async fn when_the_database_goes_away_the_store_is_unavailable_within_a_second_and_recovers() {
    let db = TestDatabase::new().await;
    let Some((relay, store)) = relayed(&db).await else {
        return;
    };
    relay.cut().await;
    unavailable_in_time("a ping", store.ping()).await;
    unavailable_in_time("a read", store.list_users()).await;
    relay.restore().await.unwrap();
    recovers(&store).await;
    store.close().await;
}

async fn show_statement_timeout(store: &Store) -> String {
    let row = store
        .raw_connection()
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SHOW statement_timeout",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "statement_timeout").unwrap()
}

#[tokio::test]
async fn a_statement_past_the_statement_timeout_is_unavailable() {
    let db = TestDatabase::new().await;
    if db.relayed().await.is_none() {
        return;
    }
    assert_eq!(show_statement_timeout(&db.store().await).await, "30s");

    let store = db
        .store_with(|o| o.statement_timeout = Duration::from_millis(100))
        .await;
    let started = Instant::now();
    let slow = store
        .raw_connection()
        .execute_unprepared("SELECT pg_sleep(5)")
        .await
        .map_err(StoreError::from);
    assert!(matches!(slow, Err(StoreError::Unavailable(_))), "{slow:?}");
    assert!(started.elapsed() < WITHIN);
    store.ping().await.unwrap();
}

#[tokio::test]
async fn migrations_run_without_the_statement_timeout() {
    let db = TestDatabase::new().await;
    if db.relayed().await.is_none() {
        return;
    }
    // A millisecond is less than several migration statements take; the migrations
    // still apply, on a connection of their own.
    let store = Store::connect(&StoreOptions {
        statement_timeout: Duration::from_millis(1),
        ..StoreOptions::new(db.url.clone())
    })
    .await
    .unwrap();
    assert!(store.migrate().await.unwrap() > 0);
    assert_eq!(show_statement_timeout(&store).await, "1ms");
}
