//! The append-only audit log: who, in which role, did what to which object, when and
//! from where. Written in the same transaction as the data it describes; never updated
//! nor deleted (the database refuses both, see the first migration).
//!
//! Entries that stand alone (reads, searches, sign-ins) go through the [`AuditWriter`]:
//! one task writes whatever entries are waiting in one transaction (group commit), and
//! each caller waits until its entry is durable before it answers. Under load this turns
//! one synchronous commit per request into one per batch, without acknowledging anything
//! that is not on disk.

use sea_orm::sea_query::{Expr, ExprTrait, InsertStatement, Order, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult};
use seldinger_domain::audit::{Actor, AuditAction, ObjectRef};
use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use crate::{Store, StoreError, StoreResult, name};

/// One entry of the log, as read back.
#[derive(Clone, Debug, FromQueryResult)]
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
    pub detail: Option<String>,
}

/// Which entries to list, newest first.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub object: Option<ObjectRef>,
    pub username: Option<String>,
    pub action: Option<AuditAction>,
    pub since: Option<OffsetDateTime>,
    pub until: Option<OffsetDateTime>,
    /// Entries with an id below this one (paging backwards).
    pub before_id: Option<i64>,
    pub limit: u64,
}

/// One audit row, borrowed from whoever writes it.
pub(crate) struct Row<'a> {
    pub actor: &'a Actor,
    pub action: AuditAction,
    pub object: Option<&'a ObjectRef>,
    pub detail: Option<&'a str>,
    pub at: OffsetDateTime,
}

/// The one statement that writes audit rows (one or many).
pub(crate) fn insert<'a>(rows: impl IntoIterator<Item = Row<'a>>) -> InsertStatement {
    let mut insert = Query::insert();
    insert.into_table(name("audit_log")).columns(
        [
            "at",
            "user_id",
            "username",
            "role",
            "action",
            "object_type",
            "object_id",
            "client_addr",
            "detail",
        ]
        .map(name),
    );
    for row in rows {
        insert.values_panic([
            row.at.into(),
            row.actor.user_id.map(|u| u.as_uuid()).into(),
            row.actor.username.clone().into(),
            row.actor.role.map(|r| r.code().to_string()).into(),
            row.action.code().into(),
            row.object.map(|o| o.kind.clone()).into(),
            row.object.map(|o| o.id.clone()).into(),
            row.actor.client_addr.clone().into(),
            row.detail.map(str::to_string).into(),
        ]);
    }
    insert
}

/// Appends one entry through `db` (a pool or the transaction holding the audited change).
pub(crate) async fn append<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    action: AuditAction,
    object: Option<&ObjectRef>,
    detail: Option<&str>,
    at: OffsetDateTime,
) -> StoreResult<()> {
    db.execute(&insert([Row {
        actor,
        action,
        object,
        detail,
        at,
    }]))
    .await?;
    Ok(())
}

/// An entry waiting for the writer, and who to tell when it is durable.
struct Pending {
    actor: Actor,
    action: AuditAction,
    object: Option<ObjectRef>,
    detail: Option<String>,
    at: OffsetDateTime,
    done: oneshot::Sender<StoreResult<()>>,
}

/// The most entries written in one transaction (9 bound values each).
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
        action: AuditAction,
        object: Option<&ObjectRef>,
        detail: Option<&str>,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        let (done, committed) = oneshot::channel();
        let pending = Pending {
            actor: actor.clone(),
            action,
            object: object.cloned(),
            detail: detail.map(str::to_string),
            at,
            done,
        };
        let stopped = || StoreError::Other("the audit writer has stopped".into());
        self.queue.send(pending).await.map_err(|_| stopped())?;
        committed.await.map_err(|_| stopped())?
    }
}

async fn write_batch(db: &DatabaseConnection, batch: &[Pending]) -> StoreResult<()> {
    let rows = batch.iter().map(|p| Row {
        actor: &p.actor,
        action: p.action,
        object: p.object.as_ref(),
        detail: p.detail.as_deref(),
        at: p.at,
    });
    db.execute(&insert(rows)).await?;
    Ok(())
}

impl Store {
    /// Appends an entry that stands alone (a sign-in attempt, a sign-out).
    pub async fn audit(
        &self,
        actor: &Actor,
        action: AuditAction,
        object: Option<&ObjectRef>,
        detail: Option<&str>,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        self.audit.append(actor, action, object, detail, at).await
    }

    /// Lists entries, newest first. Reading the log is itself audited.
    pub async fn list_audit(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<AuditRecord>> {
        let mut q = Query::select();
        q.columns(
            [
                "id",
                "at",
                "user_id",
                "username",
                "role",
                "action",
                "object_type",
                "object_id",
                "client_addr",
                "detail",
            ]
            .map(name),
        )
        .from(name("audit_log"))
        .order_by(name("id"), Order::Desc)
        .limit(filter.limit.clamp(1, 1000));
        if let Some(object) = &filter.object {
            q.and_where(Expr::col(name("object_type")).eq(object.kind.clone()));
            q.and_where(Expr::col(name("object_id")).eq(object.id.clone()));
        }
        if let Some(username) = &filter.username {
            q.and_where(Expr::col(name("username")).eq(username.clone()));
        }
        if let Some(action) = filter.action {
            q.and_where(Expr::col(name("action")).eq(action.code()));
        }
        if let Some(since) = filter.since {
            q.and_where(Expr::col(name("at")).gte(since));
        }
        if let Some(until) = filter.until {
            q.and_where(Expr::col(name("at")).lt(until));
        }
        if let Some(before) = filter.before_id {
            q.and_where(Expr::col(name("id")).lt(before));
        }
        let rows = self.db.query_all(&q).await?;
        let records = rows
            .iter()
            .map(|r| AuditRecord::from_query_result(r, ""))
            .collect::<Result<Vec<_>, _>>()?;
        let detail = filter.object.as_ref().map(|o| format!("filter {o}"));
        self.audit
            .append(actor, AuditAction::AuditRead, None, detail.as_deref(), now)
            .await?;
        Ok(records)
    }
}
