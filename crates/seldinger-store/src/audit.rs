//! The append-only audit log: who, in which role, through which route, did what to
//! which object, about which patients, when and from where. Never updated nor deleted
//! (the database refuses both, see migrations m0001 and m0005).
//!
//! Every entry names the patients whose data it exposed or changed ([`Entry::patient`],
//! [`Entry::patients`]), a search's page of results and a worklist's rows included, in
//! its own row (`audit_log.patients`): one appended row per entry, however many patients
//! it names. "Who saw or changed this patient" ([`AuditFilter::patient`]) reads
//! `audit_patients`, an index keyed by patient that the [`AuditIndexer`] builds in the
//! background, in batches sorted by key, from `audit_backlog` (the entries not yet
//! indexed, filled by a trigger in the same statement as the entry), plus that backlog:
//! an entry is found from the moment it is written. Writing each link synchronously,
//! one random-key insert per patient shown, halved the throughput of patient search;
//! PostgreSQL's GIN indexes defer their inserts the same way ("pending list").
//!
//! Entries of writes are written with [`write`] inside the write's transaction. Entries
//! that stand alone (reads, searches, sign-ins) go through the [`AuditWriter`]: one task
//! writes whatever entries are waiting in one statement (group commit), and each
//! caller waits until its entry is durable before it answers. Under load this turns one
//! synchronous commit per request into one per batch, without acknowledging anything
//! that is not on disk.
//!
//! Patient data leaves the store only through [`Store::disclose`], which checks that
//! the actor may see those patients (a referring physician sees only their own) and
//! writes the entry before the data is returned.

use std::time::Duration;

use sea_orm::sea_query::{
    Expr, ExprTrait, InsertStatement, JoinType, OnConflict, Order, Query, SelectStatement,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult, TransactionTrait};
use seldinger_domain::PatientId;
use seldinger_domain::audit::{Actor, AuditAction, ObjectRef};
use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use crate::{Store, StoreError, StoreResult, name};

/// One entry of the log, as read back.
#[derive(Clone, Debug)]
pub struct AuditRecord {
    pub id: i64,
    pub at: OffsetDateTime,
    pub user_id: Option<Uuid>,
    pub username: String,
    pub role: Option<String>,
    pub action: String,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub client_addr: Option<String>,
    /// The route template (or command) the action came through.
    pub via: Option<String>,
    pub detail: Option<String>,
    /// The patients whose data the entry exposed or changed.
    pub patients: Vec<PatientId>,
}

#[derive(FromQueryResult)]
struct AuditRow {
    id: i64,
    at: OffsetDateTime,
    user_id: Option<Uuid>,
    username: String,
    role: Option<String>,
    action: String,
    object_type: Option<String>,
    object_id: Option<String>,
    client_addr: Option<String>,
    via: Option<String>,
    detail: Option<String>,
    patients: Option<String>,
}

/// Which entries to list, newest first.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    /// Entries that exposed or changed this patient's data, whatever their object.
    pub patient: Option<PatientId>,
    pub object: Option<ObjectRef>,
    pub username: Option<String>,
    pub action: Option<AuditAction>,
    pub since: Option<OffsetDateTime>,
    pub until: Option<OffsetDateTime>,
    /// Entries with an id below this one (paging backwards).
    pub before_id: Option<i64>,
    pub limit: u64,
}

/// What one entry says: the action, its object, the patients whose data it exposed or
/// changed, and a detail (never patient data: codes, counts, ids).
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub action: AuditAction,
    pub object: Option<ObjectRef>,
    pub patients: Vec<PatientId>,
    pub detail: Option<String>,
}

impl Entry {
    pub fn new(action: AuditAction) -> Self {
        Self {
            action,
            object: None,
            patients: Vec::new(),
            detail: None,
        }
    }

    /// The object the entry is about (`case/…`, `patient/…`).
    pub fn on(mut self, kind: &str, id: impl ToString) -> Self {
        self.object = Some(ObjectRef::new(kind, id));
        self
    }

    pub fn object(mut self, object: Option<ObjectRef>) -> Self {
        self.object = object;
        self
    }

    pub fn patient(mut self, id: PatientId) -> Self {
        if !self.patients.contains(&id) {
            self.patients.push(id);
        }
        self
    }

    pub fn patients(self, ids: impl IntoIterator<Item = PatientId>) -> Self {
        ids.into_iter().fold(self, Entry::patient)
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

/// One row to write: an entry, who, when.
struct Row<'a> {
    actor: &'a Actor,
    entry: &'a Entry,
    at: OffsetDateTime,
}

const COLUMNS: [&str; 11] = [
    "at",
    "user_id",
    "username",
    "role",
    "action",
    "object_type",
    "object_id",
    "client_addr",
    "via",
    "detail",
    "patients",
];

/// The most patient links written by one statement (two bound values each).
const LINKS_PER_STATEMENT: usize = 2_000;

/// An entry's patients as stored in `audit_log.patients`: their ids, space-separated.
fn patients_column(patients: &[PatientId]) -> Option<String> {
    if patients.is_empty() {
        return None;
    }
    let ids: Vec<String> = patients.iter().map(|p| p.as_uuid().to_string()).collect();
    Some(ids.join(" "))
}

fn parse_patients(id: i64, column: Option<&str>) -> StoreResult<Vec<PatientId>> {
    column
        .unwrap_or_default()
        .split_ascii_whitespace()
        .map(|p| {
            Uuid::parse_str(p).map(PatientId::from_uuid).map_err(|_| {
                StoreError::Other(format!("audit entry {id} names a malformed patient id"))
            })
        })
        .collect()
}

fn insert(rows: &[Row<'_>]) -> InsertStatement {
    let mut insert = Query::insert();
    insert
        .into_table(name("audit_log"))
        .columns(COLUMNS.map(name));
    for row in rows {
        let (actor, entry) = (row.actor, row.entry);
        insert.values_panic([
            row.at.into(),
            actor.user_id.map(|u| u.as_uuid()).into(),
            actor.username.clone().into(),
            actor.role.map(|r| r.code().to_string()).into(),
            entry.action.code().into(),
            entry.object.as_ref().map(|o| o.kind.clone()).into(),
            entry.object.as_ref().map(|o| o.id.clone()).into(),
            actor.client_addr.clone().into(),
            actor.via.clone().into(),
            entry.detail.clone().into(),
            patients_column(&entry.patients).into(),
        ]);
    }
    insert
}

/// Writes rows through `db` in one statement (the trigger of m0006 puts those that name
/// patients in the backlog, in the same statement).
async fn write_rows<C: ConnectionTrait>(db: &C, rows: &[Row<'_>]) -> StoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    db.execute(&insert(rows)).await?;
    Ok(())
}

/// Writes entries through `txn`, the transaction holding the audited change, so that the
/// change and its entries commit together.
pub(crate) async fn write<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    entries: &[Entry],
    at: OffsetDateTime,
) -> StoreResult<()> {
    let rows: Vec<Row<'_>> = entries
        .iter()
        .map(|entry| Row { actor, entry, at })
        .collect();
    write_rows(txn, &rows).await
}

/// [`write`] of one entry.
pub(crate) async fn append<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    entry: Entry,
    at: OffsetDateTime,
) -> StoreResult<()> {
    write(txn, actor, std::slice::from_ref(&entry), at).await
}

/// An entry waiting for the writer, and who to tell when it is durable.
struct Pending {
    actor: Actor,
    entry: Entry,
    at: OffsetDateTime,
    done: oneshot::Sender<StoreResult<()>>,
}

/// The most entries written in one statement (11 bound values each).
const BATCH: usize = 256;

/// The group-commit writer of standalone audit entries.
#[derive(Clone, Debug)]
pub(crate) struct AuditWriter {
    queue: mpsc::Sender<Pending>,
    /// Dropped with the last `Store` clone: the indexer stops.
    _indexer: mpsc::Sender<()>,
}

impl AuditWriter {
    /// Starts the writer task and the [`AuditIndexer`] on the current runtime. Both stop
    /// when the last `Store` clone is dropped, the writer after writing what is queued.
    pub(crate) fn start(db: DatabaseConnection) -> Self {
        let _indexer = AuditIndexer::start(db.clone());
        let (queue, mut waiting) = mpsc::channel::<Pending>(4 * BATCH);
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(BATCH);
            while waiting.recv_many(&mut batch, BATCH).await > 0 {
                let result = write_batch(&db, &batch).await;
                for pending in batch.drain(..) {
                    let _ = pending.done.send(result.clone());
                }
            }
        });
        Self { queue, _indexer }
    }

    /// Appends one entry and waits until it is committed.
    pub(crate) async fn append(
        &self,
        actor: &Actor,
        entry: Entry,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        let (done, committed) = oneshot::channel();
        let pending = Pending {
            actor: actor.clone(),
            entry,
            at,
            done,
        };
        let stopped = || StoreError::Other("the audit writer has stopped".into());
        self.queue.send(pending).await.map_err(|_| stopped())?;
        committed.await.map_err(|_| stopped())?
    }
}

async fn write_batch(db: &DatabaseConnection, batch: &[Pending]) -> StoreResult<()> {
    let rows: Vec<Row<'_>> = batch
        .iter()
        .map(|p| Row {
            actor: &p.actor,
            entry: &p.entry,
            at: p.at,
        })
        .collect();
    write_rows(db, &rows).await
}

/// Builds `audit_patients` from `audit_backlog` in the background: every
/// [`AuditIndexer::PERIOD`], it moves what the backlog holds into the index, in
/// transactions of at most [`AuditIndexer::ENTRIES`] entries, their links sorted by key
/// (patient, entry) so that neighbouring links share the index's pages. Several
/// processes may index the same database: a link already there is skipped.
pub(crate) struct AuditIndexer;

impl AuditIndexer {
    const PERIOD: Duration = Duration::from_secs(1);
    const ENTRIES: u64 = 500;

    /// Starts the task; it stops when every clone of the returned sender is dropped.
    fn start(db: DatabaseConnection) -> mpsc::Sender<()> {
        let (keep, mut stopped) = mpsc::channel::<()>(1);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(Self::PERIOD);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = stopped.recv() => break,
                    _ = ticks.tick() => {
                        if let Err(error) = index_backlog(&db).await {
                            // Before the migrations ran, or while the database is away:
                            // the backlog waits, and is still read by `list_audit`.
                            tracing::debug!(%error, "audit index: backlog left for later");
                        }
                    }
                }
            }
        });
        keep
    }
}

/// Moves the whole backlog into `audit_patients`; returns how many entries it moved.
async fn index_backlog(db: &DatabaseConnection) -> StoreResult<usize> {
    let mut moved = 0;
    loop {
        let n = index_some(db, AuditIndexer::ENTRIES).await?;
        moved += n;
        if (n as u64) < AuditIndexer::ENTRIES {
            return Ok(moved);
        }
    }
}

/// Moves up to `limit` entries of the backlog, oldest first, in one transaction.
async fn index_some(db: &DatabaseConnection, limit: u64) -> StoreResult<usize> {
    let txn = db.begin().await?;
    let mut q = Query::select();
    entries_of(&mut q, "audit_backlog", "b")
        .column((name("b"), name("entry_id")))
        .column((name("a"), name("patients")))
        .order_by((name("b"), name("entry_id")), Order::Asc)
        .limit(limit);
    let rows = txn.query_all(&q).await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let mut entries = Vec::with_capacity(rows.len());
    let mut links: Vec<(Uuid, i64)> = Vec::new();
    for row in &rows {
        let id: i64 = row.try_get("", "entry_id")?;
        let patients: Option<String> = row.try_get("", "patients")?;
        for patient in parse_patients(id, patients.as_deref())? {
            links.push((patient.as_uuid(), id));
        }
        entries.push(id);
    }
    links.sort_unstable();
    links.dedup();
    for chunk in links.chunks(LINKS_PER_STATEMENT) {
        let mut insert = Query::insert();
        insert
            .into_table(name("audit_patients"))
            .columns(["patient_id", "entry_id"].map(name))
            .on_conflict(
                OnConflict::columns(["patient_id", "entry_id"].map(name))
                    .do_nothing()
                    .to_owned(),
            );
        for (patient, entry) in chunk {
            insert.values_panic([(*patient).into(), (*entry).into()]);
        }
        txn.execute(&insert).await?;
    }
    // By id, not by range: on PostgreSQL an entry with a lower id may commit later.
    let delete = Query::delete()
        .from_table(name("audit_backlog"))
        .and_where(Expr::col(name("entry_id")).is_in(entries.iter().copied()))
        .to_owned();
    txn.execute(&delete).await?;
    txn.commit().await?;
    Ok(entries.len())
}

impl Store {
    /// Records an entry that stands alone and names no patient (a sign-in attempt, a
    /// sign-out, a read of the log), and waits until it is durable.
    pub(crate) async fn record(
        &self,
        actor: &Actor,
        entry: Entry,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        self.audit.append(actor, entry, now).await
    }

    /// The one door patient data leaves the store by: checks that `actor` may see every
    /// patient the entry names (a referring physician: only their own, see
    /// [`crate::access`]) — a refusal is itself recorded, and answered `Forbidden` —
    /// then records the entry and waits until it is durable. Call it after reading and
    /// before returning what was read.
    pub(crate) async fn disclose(
        &self,
        actor: &Actor,
        entry: Entry,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        if let Err(denied) =
            crate::access::ensure_in_scope(&self.db, actor, &entry.patients, now).await
        {
            if matches!(denied, StoreError::Forbidden(_)) {
                let refusal = Entry::new(AuditAction::AccessDenied)
                    .object(entry.object.clone())
                    .patients(entry.patients.iter().copied())
                    .detail(entry.action.code());
                self.audit.append(actor, refusal, now).await?;
            }
            return Err(denied);
        }
        self.audit.append(actor, entry, now).await
    }

    /// Records that someone signed in, failed to, or signed out.
    pub async fn record_sign_in(
        &self,
        actor: &Actor,
        outcome: SignIn,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let entry = match outcome {
            SignIn::Succeeded => Entry::new(AuditAction::LoginSucceeded)
                .object(actor.user_id.map(|u| ObjectRef::new("user", u))),
            SignIn::Failed => Entry::new(AuditAction::LoginFailed),
            SignIn::Limited => Entry::new(AuditAction::LoginFailed).detail("rate limited"),
            SignIn::SignedOut => Entry::new(AuditAction::Logout),
        };
        self.record(actor, entry, now).await
    }

    /// Lists entries, newest first. Reading the log is itself audited. With
    /// [`AuditFilter::patient`], the entries naming that patient: those still in the
    /// backlog (a short scan, read first), then those in `audit_patients` (one range of
    /// its key). An entry the indexer moves in between is seen twice and kept once; none
    /// can be missed, since an entry leaves the backlog only once it is in the index.
    pub async fn list_audit(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<AuditRecord>> {
        let limit = filter.limit.clamp(1, 1000);
        let mut rows = Vec::new();
        if let Some(patient) = filter.patient {
            let mut pending = select_entries(filter, limit);
            entries_of(&mut pending, "audit_backlog", "b")
                .and_where(
                    Expr::col((name("a"), name("patients")))
                        .like(format!("%{}%", patient.as_uuid())),
                )
                .order_by((name("b"), name("entry_id")), Order::Desc);
            if let Some(before) = filter.before_id {
                pending.and_where(Expr::col((name("b"), name("entry_id"))).lt(before));
            }
            rows.extend(self.db.query_all(&pending).await?);
            let mut indexed = select_entries(filter, limit);
            entries_of(&mut indexed, "audit_patients", "l")
                .and_where(Expr::col((name("l"), name("patient_id"))).eq(patient.as_uuid()))
                .order_by((name("l"), name("entry_id")), Order::Desc);
            if let Some(before) = filter.before_id {
                indexed.and_where(Expr::col((name("l"), name("entry_id"))).lt(before));
            }
            rows.extend(self.db.query_all(&indexed).await?);
        } else {
            let mut q = select_entries(filter, limit);
            q.from_as(name("audit_log"), name("a"))
                .order_by((name("a"), name("id")), Order::Desc);
            if let Some(before) = filter.before_id {
                q.and_where(Expr::col((name("a"), name("id"))).lt(before));
            }
            rows = self.db.query_all(&q).await?;
        }
        let mut records = rows
            .iter()
            .map(|r| {
                let row = AuditRow::from_query_result(r, "")?;
                Ok(AuditRecord {
                    patients: parse_patients(row.id, row.patients.as_deref())?,
                    id: row.id,
                    at: row.at,
                    user_id: row.user_id,
                    username: row.username,
                    role: row.role,
                    action: row.action,
                    object_type: row.object_type,
                    object_id: row.object_id,
                    client_addr: row.client_addr,
                    via: row.via,
                    detail: row.detail,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        records.sort_unstable_by_key(|r| std::cmp::Reverse(r.id));
        records.dedup_by_key(|r| r.id);
        records.truncate(limit as usize);
        let mut detail = Vec::new();
        if let Some(patient) = filter.patient {
            detail.push(format!("filter patient/{patient}"));
        }
        if let Some(object) = &filter.object {
            detail.push(format!("filter {object}"));
        }
        // The log holds ids, not patient data: only a search by patient names one (an
        // auditor looked at who saw that patient).
        let mut entry = Entry::new(AuditAction::AuditRead).patients(filter.patient);
        if !detail.is_empty() {
            entry = entry.detail(detail.join(" "));
        }
        self.record(actor, entry, now).await?;
        Ok(records)
    }

    /// Moves every entry waiting in the backlog into `audit_patients` now, and returns
    /// how many it moved. The store does it on its own every second; tests call it to
    /// see the index as it settles.
    pub async fn index_audit_backlog(&self) -> StoreResult<usize> {
        index_backlog(&self.db).await
    }
}

/// `table` (aliased `alias`), whose `entry_id` names entries, joined to `audit_log` (`a`).
fn entries_of<'q>(
    q: &'q mut SelectStatement,
    table: &'static str,
    alias: &'static str,
) -> &'q mut SelectStatement {
    q.from_as(name(table), name(alias)).join_as(
        JoinType::InnerJoin,
        name("audit_log"),
        name("a"),
        Expr::col((name("a"), name("id"))).equals((name(alias), name("entry_id"))),
    )
}

/// The columns of an entry and the filters other than the patient; the caller adds the
/// source (`a` is `audit_log`), its order and the paging bound.
fn select_entries(filter: &AuditFilter, limit: u64) -> SelectStatement {
    let col = |c: &'static str| (name("a"), name(c));
    let mut q = Query::select();
    q.columns(["id"].iter().chain(COLUMNS.iter()).map(|c| col(c)))
        .limit(limit);
    if let Some(object) = &filter.object {
        q.and_where(Expr::col(col("object_type")).eq(object.kind.clone()));
        q.and_where(Expr::col(col("object_id")).eq(object.id.clone()));
    }
    if let Some(username) = &filter.username {
        q.and_where(Expr::col(col("username")).eq(username.clone()));
    }
    if let Some(action) = filter.action {
        q.and_where(Expr::col(col("action")).eq(action.code()));
    }
    if let Some(since) = filter.since {
        q.and_where(Expr::col(col("at")).gte(since));
    }
    if let Some(until) = filter.until {
        q.and_where(Expr::col(col("at")).lt(until));
    }
    q
}

/// What happened at a sign-in form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignIn {
    Succeeded,
    Failed,
    /// Refused before checking the password: too many attempts from that address.
    Limited,
    SignedOut,
}
