//! The database gone: readiness, every page and every API call answer 503 within a
//! second — the server stopped answering (frozen) or gone (cut), and a request already
//! waiting on it when it froze — and answer again by themselves when it is back, with
//! every acknowledged write kept and nothing of a refused one. PostgreSQL only, reached
//! through the store's [`Relay`] (an embedded SQLite file does not go away on its own):
//! on SQLite these tests return at once.

use std::future::Future;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database, TransactionTrait};
use seldinger_domain::Role;
use seldinger_store::testing::{Relay, TestDatabase};
use seldinger_store::{Store, StoreOptions};
use serde_json::{Value, json};

use crate::support::*;

/// The bound on every answer once the database is gone.
const WITHIN: Duration = Duration::from_secs(1);

/// The application over a store that reaches its PostgreSQL database through a relay,
/// or `None` on SQLite.
async fn relayed_app() -> Option<(TestApp, Relay, String)> {
    let db = TestDatabase::new().await;
    let direct = db.url.clone();
    let (relay, url) = db.relayed().await?;
    let store = Store::connect(&StoreOptions::new(url))
        .await
        .expect("connect through the relay");
    store.migrate().await.expect("migrate");
    Some((TestApp::serve(db, store).await, relay, direct))
}

fn patient(mrn: &str) -> Value {
    json!({ "mrn": mrn, "family_name": "Roux", "given_names": "Emma", "birth_date": "1990-01-01", "sex": "female" })
}

/// Runs a request that must be answered 503 within [`WITHIN`]; prints how long it took.
async fn unavailable_in_time(
    what: &str,
    request: impl Future<Output = (StatusCode, String)>,
) -> String {
    let started = Instant::now();
    let (status, body) = request.await;
    let took = started.elapsed();
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{what}: {body}");
    assert!(took < WITHIN, "{what} answered after {took:?}");
    eprintln!("{what}: 503 in {} ms", took.as_millis());
    body
}

struct Clients {
    app_url: String,
    browser: Browser,
    api: Api,
}

impl Clients {
    async fn new(app: &TestApp) -> Self {
        Self {
            app_url: app.url.clone(),
            browser: app.browser("irad", Role::InterventionalRadiologist).await,
            api: app.api(&app.token("sched", Role::Scheduler).await),
        }
    }

    async fn ready(&self) -> (StatusCode, String) {
        let response = plain_client()
            .get(format!("{}/readyz", self.app_url))
            .send()
            .await
            .expect("readyz");
        let status = response.status();
        (status, response.text().await.unwrap_or_default())
    }

    async fn api_get(&self, path: &str) -> (StatusCode, String) {
        let (status, body) = self.api.get(path).await;
        (status, body.to_string())
    }

    async fn api_post(&self, path: &str, body: &Value) -> (StatusCode, String) {
        let (status, body) = self.api.post(path, body).await;
        (status, body.to_string())
    }

    /// Every kind of request answers 503 within a second; the write is not stored.
    async fn all_unavailable(&self) {
        unavailable_in_time("GET /readyz", self.ready()).await;
        let page = unavailable_in_time("GET /patients (page)", self.browser.get("/patients")).await;
        assert!(page.contains("La base de données ne répond pas"), "{page}");
        let problem = unavailable_in_time(
            "GET /api/v1/patients",
            self.api_get("/api/v1/patients?q=roux"),
        )
        .await;
        assert!(
            problem.contains("\"code\":\"database_unavailable\""),
            "{problem}"
        );
        unavailable_in_time(
            "POST /api/v1/patients",
            self.api_post("/api/v1/patients", &patient("IP-LOST-1")),
        )
        .await;
    }

    /// Readiness comes back by itself, then pages and the API answer again.
    async fn recovered(&self) {
        let started = Instant::now();
        let mut attempts = 0;
        while self.ready().await.0 != StatusCode::OK {
            attempts += 1;
            assert!(attempts < 20, "readiness did not come back");
        }
        eprintln!("ready again after {} ms", started.elapsed().as_millis());
        assert_eq!(self.browser.get("/patients").await.0, StatusCode::OK);
        assert_eq!(
            self.api_get("/api/v1/patients?q=roux").await.0,
            StatusCode::OK
        );
    }

    /// The MRNs of the patients named Roux.
    async fn stored(&self) -> Vec<String> {
        let (status, found) = self.api.get("/api/v1/patients?q=roux").await;
        assert_eq!(status, StatusCode::OK);
        found["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|p| p["mrn"].as_str().map(str::to_string))
            .collect()
    }
}

#[tokio::test]
async fn when_the_database_stops_answering_every_request_is_503_within_a_second_and_recovers() {
    let Some((app, relay, _)) = relayed_app().await else {
        return;
    };
    let clients = Clients::new(&app).await;
    assert_eq!(clients.ready().await.0, StatusCode::OK);
    let (status, _) = clients
        .api_post("/api/v1/patients", &patient("IP-KEPT-1"))
        .await;
    assert_eq!(status, StatusCode::CREATED);

    relay.freeze();
    clients.all_unavailable().await;
    relay.restore().await.expect("restore");
    clients.recovered().await;
    assert_eq!(
        clients.stored().await,
        ["IP-KEPT-1"],
        "acknowledged kept, refused absent"
    );
}

#[tokio::test]
async fn when_the_database_goes_away_every_request_is_503_within_a_second_and_recovers() {
    let Some((app, relay, _)) = relayed_app().await else {
        return;
    };
    let clients = Clients::new(&app).await;
    let (status, _) = clients
        .api_post("/api/v1/patients", &patient("IP-KEPT-1"))
        .await;
    assert_eq!(status, StatusCode::CREATED);

    relay.cut().await;
    clients.all_unavailable().await;
    relay.restore().await.expect("restore");
    clients.recovered().await;
    assert_eq!(clients.stored().await, ["IP-KEPT-1"]);
}

/// A write already sent when the database froze — held by a table lock, then released
/// once the relay is frozen, so that the server's answer is stuck on the way — is not
/// bounded by the pool's acquire timeout: the request watchdog answers it 503 within a
/// second of the freeze, and its transaction does not land.
#[tokio::test]
async fn a_write_in_flight_when_the_database_freezes_is_503_within_a_second_and_not_stored() {
    let Some((app, relay, direct_url)) = relayed_app().await else {
        return;
    };
    let clients = Clients::new(&app).await;
    let direct = Database::connect(direct_url.as_str())
        .await
        .expect("a direct connection");
    let lock = direct.begin().await.expect("begin");
    lock.execute_unprepared("LOCK TABLE patients IN SHARE MODE")
        .await
        .expect("lock the patients");

    let api = app.api(&clients.api.token);
    let write = tokio::spawn(async move {
        let started = Instant::now();
        let (status, body) = api
            .post("/api/v1/patients", &patient("IP-INFLIGHT-1"))
            .await;
        (status, body, started.elapsed())
    });
    // Wait until the insert is waiting on the lock: then its statement is in flight.
    let mut polls = 0;
    loop {
        let waiting = direct
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT count(*) AS n FROM pg_stat_activity \
                 WHERE datname = current_database() AND wait_event_type = 'Lock'",
            ))
            .await
            .expect("pg_stat_activity")
            .and_then(|row| row.try_get::<i64>("", "n").ok())
            .unwrap_or(0);
        if waiting > 0 {
            break;
        }
        polls += 1;
        assert!(polls < 5000, "the write never reached the lock");
        tokio::task::yield_now().await;
    }

    relay.freeze();
    let frozen = Instant::now();
    lock.rollback().await.expect("release the lock");
    let (status, body, took) = write.await.expect("the request");
    let since_freeze = frozen.elapsed();
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["code"], "database_unavailable");
    assert!(
        since_freeze < WITHIN,
        "answered {since_freeze:?} after the freeze"
    );
    eprintln!(
        "in-flight write: 503 {} ms after the freeze ({} ms after it was sent)",
        since_freeze.as_millis(),
        took.as_millis()
    );

    relay.restore().await.expect("restore");
    clients.recovered().await;
    assert!(
        clients.stored().await.is_empty(),
        "the refused write did not land"
    );
}
