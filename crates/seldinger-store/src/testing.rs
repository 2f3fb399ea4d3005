//! A fresh, empty database per test, removed when the test ends (even by panic).
//!
//! The engine comes from `SELDINGER_TEST_DATABASE`: unset or `sqlite`, a file in a
//! temporary directory; a `postgres://` URL, a new database created on that server for
//! this test alone and dropped afterwards.

use sea_orm::{ConnectionTrait, Database};

use crate::{Store, StoreOptions};

pub struct TestDatabase {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    pub async fn new() -> Self {
        match std::env::var("SELDINGER_TEST_DATABASE") {
            Ok(admin) if admin.starts_with("postgres") => {
                let db_name = format!("seldinger_test_{}", uuid::Uuid::now_v7().simple());
                let admin_db = Database::connect(admin.as_str()).await.unwrap_or_else(|e| {
                    panic!("SELDINGER_TEST_DATABASE is set but PostgreSQL does not answer: {e}")
                });
                admin_db
                    .execute_unprepared(&format!("CREATE DATABASE {db_name}"))
                    .await
                    .expect("create the test database");
                let _ = admin_db.close().await;
                let (base, _) = admin
                    .rsplit_once('/')
                    .expect("a postgres URL has a database path");
                Self {
                    url: format!("{base}/{db_name}"),
                    _dir: None,
                    postgres: Some((admin, db_name)),
                }
            }
            _ => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                Self {
                    url,
                    _dir: Some(dir),
                    postgres: None,
                }
            }
        }
    }

    /// A migrated store on this database, with the default options.
    pub async fn store(&self) -> Store {
        self.store_with(|_| {}).await
    }

    /// A migrated store on this database, with options changed by `configure` (a zone,
    /// a smaller pool…).
    pub async fn store_with(&self, configure: impl FnOnce(&mut StoreOptions)) -> Store {
        let mut options = StoreOptions::new(self.url.clone());
        configure(&mut options);
        let store = Store::connect(&options)
            .await
            .expect("connect to the test database");
        store.migrate().await.expect("migrate the test database");
        store
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin, db_name)) = self.postgres.take() else {
            return;
        };
        // Drop runs inside the test's runtime: drop the database from a thread of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let db = Database::connect(admin.as_str()).await.ok()?;
                db.execute_unprepared(&format!("DROP DATABASE IF EXISTS {db_name} WITH (FORCE)"))
                    .await
                    .ok()?;
                db.close().await.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(()))) {
            eprintln!("warning: could not drop a test database");
        }
    }
}

impl Store {
    /// The raw connection, for tests that must try what the interface forbids.
    pub fn raw_connection(&self) -> &sea_orm::DatabaseConnection {
        &self.db
    }
}
