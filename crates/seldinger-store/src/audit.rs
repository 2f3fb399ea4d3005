//! The append-only audit log: who, in which role, through which route, did what to
//! which object, about which patients, when and from where. Never updated nor deleted
//! (the database refuses both, see migrations m0001 and m0005).
//!
//! Every entry names the patients whose data it exposed or changed ([`Entry::patient`],
//! [`Entry::patients`]) in `audit_patients`, keyed by patient: "who saw or changed this
//! patient" is one indexed query ([`AuditFilter::patient`]), and a search or a worklist
//! names every patient on the page it returned.
//!
//! Entries of writes are written with [`write`] inside the write's transaction. Entries
//! that stand alone (reads, searches, sign-ins) go through the [`AuditWriter`]: one task
//! writes whatever entries are waiting in one transaction (group commit), and each
//! caller waits until its entry is durable before it answers. Under load this turns one
//! synchronous commit per request into one per batch, without acknowledging anything
//! that is not on disk.
//!
//! Patient data leaves the store only through [`Store::disclose`], which checks that
//! the actor may see those patients (a referring physician sees only their own) and
//! writes the entry before the data is returned.

use sea_orm::sea_query::{Expr, ExprTrait, InsertStatement, JoinType, Order, Query};
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

const COLUMNS: [&str; 10] = [
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
];

/// The most patient links written by one statement (two bound values each).
const LINKS_PER_STATEMENT: usize = 2_000;

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
        ]);
    }
    insert
}

/// Writes rows through `db` (a transaction when any row names patients: the entries and
/// their links commit together).
async fn write_rows<C: ConnectionTrait>(db: &C, rows: &[Row<'_>]) -> StoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut insert = insert(rows);
    if rows.iter().all(|r| r.entry.patients.is_empty()) {
        db.execute(&insert).await?;
        return Ok(());
    }
    insert.returning_col(name("id"));
    let mut ids = Vec::with_capacity(rows.len());
    for row in db.query_all(&insert).await? {
        ids.push(row.try_get::<i64>("", "id")?);
    }
    if ids.len() != rows.len() {
        return Err(StoreError::Other(format!(
            "audit insert returned {} ids for {} entries",
            ids.len(),
            rows.len()
        )));
    }
    // Rows are numbered in the order of the VALUES list (on PostgreSQL, by `nextval` as
    // each row is inserted; on SQLite, one after the other), whatever order RETURNING
    // lists them in: sorted, the ids match the rows.
    ids.sort_unstable();
    let links: Vec<(i64, Uuid)> = ids
        .iter()
        .zip(rows)
        .flat_map(|(id, row)| row.entry.patients.iter().map(|p| (*id, p.as_uuid())))
        .collect();
    for chunk in links.chunks(LINKS_PER_STATEMENT) {
        let mut insert = Query::insert();
        insert
            .into_table(name("audit_patients"))
            .columns(["entry_id", "patient_id"].map(name));
        for (entry, patient) in chunk {
            insert.values_panic([(*entry).into(), (*patient).into()]);
        }
        db.execute(&insert).await?;
    }
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

/// The most entries written in one transaction (10 bound values each).
const BATCH: usize = 256;

/// The group-commit writer of standalone audit entries.
#[derive(Clone, Debug)]
pub(crate) struct AuditWriter {
    queue: mpsc::Sender<Pending>,
}

impl AuditWriter {
    /// Starts the writer task on the current runtime. It stops when the last `Store`
    /// clone is dropped, after writing what is queued.
    pub(crate) fn start(db: DatabaseConnection) -> Self {
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
        Self { queue }
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
    if rows.iter().all(|r| r.entry.patients.is_empty()) {
        return write_rows(db, &rows).await;
    }
    let txn = db.begin().await?;
    write_rows(&txn, &rows).await?;
    txn.commit().await?;
    Ok(())
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
    /// [`AuditFilter::patient`], one range of `audit_patients`' key.
    pub async fn list_audit(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<AuditRecord>> {
        let col = |c: &'static str| (name("a"), name(c));
        let mut q = Query::select();
        q.columns(
            ["id"]
                .iter()
                .chain(COLUMNS.iter())
                .map(|c| (name("a"), name(c))),
        )
        .limit(filter.limit.clamp(1, 1000));
        if let Some(patient) = filter.patient {
            q.from_as(name("audit_patients"), name("l"))
                .join_as(
                    JoinType::InnerJoin,
                    name("audit_log"),
                    name("a"),
                    Expr::col(col("id")).equals((name("l"), name("entry_id"))),
                )
                .and_where(Expr::col((name("l"), name("patient_id"))).eq(patient.as_uuid()))
                .order_by((name("l"), name("entry_id")), Order::Desc);
            if let Some(before) = filter.before_id {
                q.and_where(Expr::col((name("l"), name("entry_id"))).lt(before));
            }
        } else {
            q.from_as(name("audit_log"), name("a"))
                .order_by(col("id"), Order::Desc);
            if let Some(before) = filter.before_id {
                q.and_where(Expr::col(col("id")).lt(before));
            }
        }
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
        let rows = self.db.query_all(&q).await?;
        let mut records = rows
            .iter()
            .map(|r| {
                let row = AuditRow::from_query_result(r, "")?;
                Ok(AuditRecord {
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
                    patients: Vec::new(),
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        self.attach_patients(&mut records).await?;
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

    /// Fills in each record's patients, in one query.
    async fn attach_patients(&self, records: &mut [AuditRecord]) -> StoreResult<()> {
        if records.is_empty() {
            return Ok(());
        }
        let q = Query::select()
            .columns(["entry_id", "patient_id"].map(name))
            .from(name("audit_patients"))
            .and_where(Expr::col(name("entry_id")).is_in(records.iter().map(|r| r.id)))
            .to_owned();
        for row in self.db.query_all(&q).await? {
            let entry: i64 = row.try_get("", "entry_id")?;
            let patient: Uuid = row.try_get("", "patient_id")?;
            if let Some(record) = records.iter_mut().find(|r| r.id == entry) {
                record.patients.push(PatientId::from_uuid(patient));
            }
        }
        Ok(())
    }
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
