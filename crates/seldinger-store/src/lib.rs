//! Storage for Seldinger: one interface, shaped around use cases, over SQLite (the
//! embedded default) and PostgreSQL, through one implementation.
//!
//! Queries are built with sea-query (re-exported by sea-orm), which writes both dialects;
//! raw SQL appears only where a dialect matters (connection pragmas, the audit log's
//! append-only triggers) and each such place says so.
//!
//! Every read and write of patient data goes through a method that takes an
//! [`Actor`](seldinger_domain::audit::Actor) and appends its audit entry in the same
//! transaction as the data it touches: no patient data leaves this crate unaudited, and no
//! write lands without its entry.
//!
//! Modules:
//! - [`migration`]: the embedded schema migrations (never edited once applied).
//! - [`accounts`]: users, API tokens and server-side sessions.
//! - [`patients`]: patient records, their search tokens and duplicate detection.
//! - [`audit`]: the append-only audit log.
//! - [`catalog`]: procedure types and their versions, checklist thresholds.
//! - [`resources`]: rooms, equipment, bed units, staff availability.
//! - [`cases`]: referrals, case state changes and their history, worklists.
//! - [`consultations`]: consultations and consent.
//! - [`mdt`]: MDT meetings, agendas and decisions.
//! - [`bookings`]: booking a case (one transaction, checked by `seldinger-schedule`),
//!   moving and cancelling, calendars, the day's lists, feasible slots.
//! - [`checklists`]: the pre-procedure checklist, readiness, the time-out.

pub mod access;
pub mod accounts;
pub mod adverse;
pub mod audit;
pub mod bookings;
pub mod cases;
pub mod catalog;
pub mod checklists;
mod codec;
pub mod consultations;
pub mod followups;
pub mod mdt;
pub mod migration;
pub mod patients;
pub mod reports;
pub mod resources;
#[cfg(feature = "testing")]
pub mod testing;
pub mod timeline;

use std::time::Duration;

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, RuntimeErr,
    SqlErr,
};
use sea_orm_migration::MigratorTrait;

pub use access::EmergencyAccess;
pub use accounts::NewUser;
pub use accounts::{ApiToken, Session, User};
pub use audit::{AuditFilter, AuditRecord, SignIn};
pub(crate) use codec::{corrupt, json, name, next_version, utc};
pub use patients::{Patient, PatientSummary};

/// What can go wrong when storing or loading, kept apart so the web layer can answer
/// 404, 409 or 503 truthfully.
#[derive(Clone, Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// The actor may not see this patient's data: a referring physician outside their
    /// own patients (see [`access`]); names the first patient refused. The refusal is
    /// audited.
    #[error("patient outside the actor's scope")]
    Forbidden(Option<seldinger_domain::PatientId>),
    #[error("conflict: {0}")]
    Conflict(Conflict),
    /// The database cannot be reached or did not answer in time.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The input names a record that does not exist or is withdrawn (a patient, a
    /// procedure code, a room…): field errors, as a form shows them.
    #[error("invalid reference: {0}")]
    Invalid(seldinger_domain::Invalid),
    /// A bug or a broken database: logged, answered 500.
    #[error("database error: {0}")]
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    /// A unique value is already taken; names the field.
    Duplicate { field: &'static str },
    /// The record changed since it was read.
    StaleVersion { current: i64 },
    /// The record may no longer change (a disabled account, a signed record…).
    Locked,
    /// The case's state does not allow this event.
    Transition(seldinger_domain::case::Refusal),
    /// A pathway rule checked against stored state.
    Rule(seldinger_domain::rules::Rule),
    /// A booking that cannot be made: every reason, each naming the resource and the
    /// booking in the way.
    Booking(Vec<seldinger_schedule::Conflict>),
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Conflict::Duplicate { field } => write!(f, "{field} already used"),
            Conflict::StaleVersion { current } => write!(f, "stale version, current is {current}"),
            Conflict::Locked => f.write_str("record locked"),
            Conflict::Transition(refusal) => write!(f, "{refusal}"),
            Conflict::Rule(rule) => write!(f, "{rule}"),
            Conflict::Booking(conflicts) => {
                let codes: Vec<&str> = conflicts.iter().map(|c| c.code()).collect();
                write!(f, "booking not possible: {}", codes.join(", "))
            }
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    /// Maps a database error; `unique_field` names the field a unique violation is about.
    pub(crate) fn from_db(err: DbErr, unique_field: &'static str) -> Self {
        if let Some(SqlErr::UniqueConstraintViolation(_)) = err.sql_err() {
            return StoreError::Conflict(Conflict::Duplicate {
                field: unique_field,
            });
        }
        match &err {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => {
                StoreError::Unavailable(err.to_string())
            }
            DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e))
                if is_unavailable(e) =>
            {
                StoreError::Unavailable(err.to_string())
            }
            _ => StoreError::Other(err.to_string()),
        }
    }
}

fn is_unavailable(e: &sea_orm::sqlx::Error) -> bool {
    use sea_orm::sqlx::Error as E;
    match e {
        E::Io(_)
        | E::PoolTimedOut
        | E::PoolClosed
        | E::WorkerCrashed
        | E::Protocol(_)
        | E::Tls(_) => true,
        // SQLITE_BUSY / SQLITE_LOCKED after the busy timeout; PostgreSQL's "cannot
        // connect now" / admin shutdown class 57P, connection exceptions (08) and a
        // statement cancelled by `statement_timeout` (57014): the database did not answer
        // in time.
        E::Database(db) => {
            let code = db.code().unwrap_or_default();
            code == "5"
                || code == "6"
                || code == "57014"
                || code.starts_with("57P")
                || code.starts_with("08")
        }
        _ => false,
    }
}

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> Self {
        StoreError::from_db(err, "id")
    }
}

/// How to reach the database, and how long to wait for it.
///
/// The timeouts are what makes "the database is gone" an answer within a second
/// (`StoreError::Unavailable`, a 503) rather than a hung request:
/// - `acquire_timeout` bounds the whole wait for a connection: for an idle one, the ping
///   PostgreSQL connections get before use; for a new one, every attempt to connect
///   (the pool retries a refused connection until then). There is no separate connect
///   timeout to tune: sqlx makes each connection attempt inside the acquire, cut at its
///   deadline. A server that stopped answering, one that refuses connections and a pool
///   exhausted by slow requests all end there.
/// - `statement_timeout` (PostgreSQL, set on every connection) bounds a statement the
///   server accepted but does not finish — one waiting on a lock held by a stuck
///   transaction. Migrations run without it (`Store::migrate`).
/// - SQLite waits up to `SQLITE_BUSY_TIMEOUT` for its write lock: a locked database is
///   busy, not unreachable, and an embedded file cannot go away. Its acquire timeout
///   still bounds the wait for one of the pool's connections.
#[derive(Clone, Debug)]
pub struct StoreOptions {
    /// `sqlite://path/to/file.db` or `postgres://user@host:port/db`.
    pub url: String,
    pub max_connections: u32,
    /// How long a request waits for a connection (connecting included) before the store
    /// says `Unavailable`. Default 500 ms.
    pub acquire_timeout: Duration,
    /// PostgreSQL cancels a statement running longer than this; the store says
    /// `Unavailable`. Default 30 s, far above any statement of the application: requests
    /// take milliseconds on the benchmarks' data, and a bulk import writes 400 patients
    /// a statement (10,000 patients in about a second in all).
    pub statement_timeout: Duration,
    /// The department's time zone: opening hours, availability, "today" and the days a
    /// stay occupies are local wall-clock time in it.
    pub zone: jiff::tz::TimeZone,
}

/// How long a SQLite write waits for another writer to commit.
pub const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

impl StoreOptions {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            max_connections: 8,
            acquire_timeout: Duration::from_millis(500),
            statement_timeout: Duration::from_secs(30),
            zone: jiff::tz::TimeZone::UTC,
        }
    }
}

/// The storage interface. Cheap to clone (a pool handle and the audit writer's queue).
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
    audit: audit::AuditWriter,
    zone: jiff::tz::TimeZone,
}

impl Store {
    /// Opens a pool. SQLite files are created when missing, in WAL mode, with foreign keys
    /// on, a busy timeout and full synchronous commits (an acknowledged write survives a
    /// power cut).
    pub async fn connect(options: &StoreOptions) -> StoreResult<Self> {
        let mut opts = ConnectOptions::new(options.url.clone());
        // sea-orm's "connect timeout" is the pool's acquire timeout too: one deadline.
        opts.max_connections(options.max_connections)
            .min_connections(1)
            .acquire_timeout(options.acquire_timeout)
            .connect_timeout(options.acquire_timeout)
            .sqlx_logging(false);
        let sqlite = options.url.starts_with("sqlite:");
        // A connection to a server can break (restart, network); it is pinged before use
        // so that the first request after an outage does not fail. An embedded SQLite
        // connection cannot break that way, and the ping would cost a round trip to its
        // worker thread on every query.
        opts.test_before_acquire(!sqlite);
        if sqlite {
            use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
            opts.map_sqlx_sqlite_opts(|o| {
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(SQLITE_BUSY_TIMEOUT)
            });
        } else if options.url.starts_with("postgres://") || options.url.starts_with("postgresql://")
        {
            opts.statement_timeout(options.statement_timeout);
        } else {
            return Err(StoreError::Other(
                "database URL must start with sqlite:// or postgres://".into(),
            ));
        }
        let db = Database::connect(opts).await.map_err(StoreError::from)?;
        let audit = audit::AuditWriter::start(db.clone());
        Ok(Self {
            db,
            audit,
            zone: options.zone.clone(),
        })
    }

    /// Applies the migrations not yet applied; returns how many ran.
    ///
    /// On PostgreSQL they run on a connection of their own without the statement
    /// timeout: a migration may rewrite or index a large table, which no request does.
    pub async fn migrate(&self) -> StoreResult<usize> {
        if self.backend() == Engine::Sqlite {
            return migrate_on(&self.db).await;
        }
        let pool = self.db.get_postgres_connection_pool();
        let unbounded = (*pool.connect_options())
            .clone()
            .options([("statement_timeout", "0")]);
        let connection = sea_orm::sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(pool.options().get_acquire_timeout())
            .connect_with(unbounded)
            .await
            .map_err(|e| StoreError::from(DbErr::Conn(RuntimeErr::SqlxError(e.into()))))?;
        let db = sea_orm::SqlxPostgresConnector::from_sqlx_postgres_pool(connection);
        let applied = migrate_on(&db).await;
        let _ = db.close().await;
        applied
    }

    /// Answers whether the database responds to a trivial query.
    pub async fn ping(&self) -> StoreResult<()> {
        let probe = Query::select().expr(Expr::val(1)).to_owned();
        self.db.query_one(&probe).await?;
        Ok(())
    }

    /// The department's time zone.
    pub fn zone(&self) -> &jiff::tz::TimeZone {
        &self.zone
    }

    pub fn backend(&self) -> Engine {
        match self.db.get_database_backend() {
            DbBackend::Postgres => Engine::Postgres,
            _ => Engine::Sqlite,
        }
    }

    pub async fn close(self) {
        let _ = self.db.close().await;
    }

    /// Whether the database holds no user yet (the demo fills only an empty database).
    pub async fn is_empty(&self) -> StoreResult<bool> {
        let q = Query::select()
            .expr(Expr::col(name("id")))
            .from(name("users"))
            .limit(1)
            .to_owned();
        Ok(self.db.query_one(&q).await?.is_none())
    }
}

async fn migrate_on(db: &DatabaseConnection) -> StoreResult<usize> {
    let pending = migration::Migrator::get_pending_migrations(db).await?.len();
    migration::Migrator::up(db, None).await?;
    Ok(pending)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Takes a one-row lock (`booking_lock`, `account_lock`): the first statement of the
/// transactions it serialises. PostgreSQL holds the row lock until commit; SQLite takes
/// its write lock before any read, so the busy timeout applies instead of a stale
/// snapshot.
pub(crate) async fn take_lock<C: ConnectionTrait>(db: &C, table: &'static str) -> StoreResult<()> {
    let update = Query::update()
        .table(name(table))
        .value(name("counter"), Expr::col(name("counter")).add(1))
        .and_where(Expr::col(name("id")).eq(1))
        .to_owned();
    db.execute(&update).await?;
    Ok(())
}
