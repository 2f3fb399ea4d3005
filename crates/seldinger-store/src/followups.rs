//! Follow-up items: planned when a report is signed (inside that transaction), listed as
//! due or overdue, recorded once each. A case closes once none is still planned.

use sea_orm::sea_query::{Expr, ExprTrait, Order, Query, SelectStatement, SimpleExpr};
use sea_orm::{ConnectionTrait, TransactionTrait};
use seldinger_domain::audit::{Actor, AuditAction};
use seldinger_domain::catalog::ProcedureType;
use seldinger_domain::followup::{self, Contact, ContactInput, Kind, Status};
use seldinger_domain::localtime::to_local;
use seldinger_domain::rules::Rule;
use seldinger_domain::{CaseId, FollowUpId};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::access::scope_condition;
use crate::audit::{Entry, append};
use crate::cases::{CaseSummary, lock_case, select_summaries, summaries};
use crate::corrupt;
use crate::{Conflict, Store, StoreError, StoreResult, name};

/// One follow-up item as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowUpRecord {
    pub id: FollowUpId,
    pub case_id: CaseId,
    pub code: String,
    pub kind: Kind,
    pub due_on: Date,
    pub window_end: Date,
    pub status: Status,
    pub contact_date: Option<Date>,
    pub findings: Option<String>,
    pub recorded_at: Option<OffsetDateTime>,
    pub recorded_by: Option<String>,
}

/// Which follow-up list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FollowUpList {
    /// Planned, within their window today.
    Due,
    /// Planned, past their window.
    Overdue,
}

impl FollowUpList {
    pub fn code(self) -> &'static str {
        match self {
            FollowUpList::Due => "due",
            FollowUpList::Overdue => "overdue",
        }
    }
}

const COLUMNS: [(&str, &str); 11] = [
    ("id", "f_id"),
    ("case_id", "f_case_id"),
    ("code", "f_code"),
    ("kind", "f_kind"),
    ("due_on", "f_due_on"),
    ("window_end", "f_window_end"),
    ("status", "f_status"),
    ("contact_date", "f_contact_date"),
    ("findings", "f_findings"),
    ("recorded_at", "f_recorded_at"),
    ("recorded_by_name", "f_recorded_by_name"),
];

fn columns(q: &mut SelectStatement) {
    for (c, alias) in COLUMNS {
        q.expr_as(Expr::col((name("f"), name(c))), name(alias));
    }
}

fn row(r: &sea_orm::QueryResult) -> StoreResult<FollowUpRecord> {
    let kind: String = r.try_get("", "f_kind")?;
    let status: String = r.try_get("", "f_status")?;
    Ok(FollowUpRecord {
        id: FollowUpId::from_uuid(r.try_get("", "f_id")?),
        case_id: CaseId::from_uuid(r.try_get("", "f_case_id")?),
        code: r.try_get("", "f_code")?,
        kind: Kind::parse(&kind).map_err(|e| corrupt("follow-up kind", e))?,
        due_on: r.try_get("", "f_due_on")?,
        window_end: r.try_get("", "f_window_end")?,
        status: Status::parse(&status).map_err(|e| corrupt("follow-up status", e))?,
        contact_date: r.try_get("", "f_contact_date")?,
        findings: r.try_get("", "f_findings")?,
        recorded_at: r.try_get("", "f_recorded_at")?,
        recorded_by: r.try_get("", "f_recorded_by_name")?,
    })
}

fn select() -> SelectStatement {
    let mut q = Query::select();
    columns(&mut q);
    q.from_as(name("follow_ups"), name("f"));
    q
}

/// Plans a case's follow-up (inside the signing transaction).
pub(crate) async fn plan<C: ConnectionTrait>(
    db: &C,
    case: CaseId,
    procedure: &ProcedureType,
    performed: Date,
) -> StoreResult<()> {
    let items = followup::plan(procedure, performed);
    if items.is_empty() {
        return Ok(());
    }
    let mut insert = Query::insert();
    insert.into_table(name("follow_ups")).columns(
        [
            "id",
            "case_id",
            "code",
            "kind",
            "due_on",
            "window_end",
            "status",
            "version",
        ]
        .map(name),
    );
    for item in items {
        insert.values_panic([
            Uuid::now_v7().into(),
            case.as_uuid().into(),
            item.code.into(),
            item.kind.code().into(),
            item.due.into(),
            item.window_end.into(),
            Status::Planned.code().into(),
            1i64.into(),
        ]);
    }
    db.execute(&insert).await?;
    Ok(())
}

pub(crate) async fn case_items<C: ConnectionTrait>(
    db: &C,
    case: CaseId,
) -> StoreResult<Vec<FollowUpRecord>> {
    let q = select()
        .and_where(Expr::col((name("f"), name("case_id"))).eq(case.as_uuid()))
        .order_by((name("f"), name("due_on")), Order::Asc)
        .order_by((name("f"), name("code")), Order::Asc)
        .to_owned();
    db.query_all(&q).await?.iter().map(row).collect()
}

/// Refuses to close a case whose follow-up still has planned items.
pub(crate) async fn ensure_complete<C: ConnectionTrait>(db: &C, case: CaseId) -> StoreResult<()> {
    let statuses: Vec<Status> = case_items(db, case)
        .await?
        .iter()
        .map(|f| f.status)
        .collect();
    if followup::is_complete(&statuses) {
        Ok(())
    } else {
        Err(StoreError::Conflict(Conflict::Rule(
            Rule::FollowUpIncomplete,
        )))
    }
}

/// Which planned items a list holds on `today`, and its order. The due list reads due
/// dates no older than [`followup::WINDOW_MAX_DAYS`]: anything due before is past its
/// window.
fn list_filter(list: FollowUpList, today: Date) -> (SimpleExpr, &'static [&'static str]) {
    let col = |c: &'static str| Expr::col((name("f"), name(c)));
    let planned = col("status").eq(Status::Planned.code());
    match list {
        FollowUpList::Due => (
            planned
                .and(col("due_on").gte(today - time::Duration::days(followup::WINDOW_MAX_DAYS)))
                .and(col("due_on").lte(today))
                .and(col("window_end").gte(today)),
            &["due_on", "window_end", "id"],
        ),
        FollowUpList::Overdue => (
            planned.and(col("window_end").lt(today)),
            &["window_end", "id"],
        ),
    }
}

fn follow_ups_counted(filter: SimpleExpr) -> SelectStatement {
    Query::select()
        .expr_as(Expr::col((name("f"), name("id"))).count(), name("n"))
        .from_as(name("follow_ups"), name("f"))
        .and_where(filter)
        .to_owned()
}

/// The number a counting select answers.
async fn count<C: ConnectionTrait>(db: &C, q: &SelectStatement) -> StoreResult<u64> {
    let n: i64 = match db.query_one(q).await? {
        Some(r) => r.try_get("", "n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

/// What waits after the procedures: counts only, no patient data (not audited).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WaitingCounts {
    /// Specimens without a result.
    pub pathology: u64,
    pub follow_up_due: u64,
    pub follow_up_overdue: u64,
    /// Serious adverse events not yet reported.
    pub serious_events: u64,
}

/// One follow-up item, or `NotFound`.
pub(crate) async fn item<C: ConnectionTrait>(
    db: &C,
    id: FollowUpId,
) -> StoreResult<FollowUpRecord> {
    let q = select()
        .and_where(Expr::col((name("f"), name("id"))).eq(id.as_uuid()))
        .to_owned();
    row(&db.query_one(&q).await?.ok_or(StoreError::NotFound)?)
}

impl Store {
    /// A case's follow-up items, by due date.
    pub async fn follow_ups(
        &self,
        actor: &Actor,
        case: CaseId,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<FollowUpRecord>> {
        let found = case_items(&self.db, case).await?;
        self.disclose_case(actor, AuditAction::FollowUpRead, case, now)
            .await?;
        Ok(found)
    }

    /// One follow-up item, or `NotFound`.
    pub async fn follow_up(
        &self,
        actor: &Actor,
        id: FollowUpId,
        now: OffsetDateTime,
    ) -> StoreResult<FollowUpRecord> {
        let found = item(&self.db, id).await?;
        let patient = crate::cases::patient_of(&self.db, found.case_id).await?;
        let entry = Entry::new(AuditAction::FollowUpRead)
            .on("case", found.case_id)
            .patient(patient)
            .detail(format!("follow_up/{id}"));
        self.disclose(actor, entry, now).await?;
        Ok(found)
    }

    /// The due or overdue follow-up, oldest first, each with its case; at most `limit`
    /// from `offset`, with the total. Audited as one list.
    ///
    /// Three index-driven reads, whatever the number of open items: the page of items
    /// (walking `follow_ups_worklist` or `follow_ups_overdue` in order, filtered in the
    /// index), their cases by id, and the count (from the index alone). The due list
    /// reads due dates no older than [`followup::WINDOW_MAX_DAYS`]: anything due before
    /// is past its window.
    pub async fn follow_up_worklist(
        &self,
        actor: &Actor,
        list: FollowUpList,
        limit: u64,
        offset: u64,
        now: OffsetDateTime,
    ) -> StoreResult<(Vec<(FollowUpRecord, CaseSummary)>, u64)> {
        let (mut filter, order) = list_filter(list, to_local(now, &self.zone).date());
        if let Some(scope) = scope_condition(actor, (name("sc"), name("patient_id")), now) {
            // A referring physician's own patients only (the index still drives the
            // page; the cases are looked up by id).
            let theirs = Query::select()
                .column((name("sc"), name("id")))
                .from_as(name("cases"), name("sc"))
                .cond_where(scope)
                .to_owned();
            filter = filter.and(Expr::col((name("f"), name("case_id"))).in_subquery(theirs));
        }
        let mut q = select();
        q.and_where(filter.clone());
        for column in order {
            q.order_by((name("f"), name(column)), Order::Asc);
        }
        q.limit(limit.clamp(1, 500)).offset(offset);
        let txn = self.db.begin().await?;
        let items = txn
            .query_all(&q)
            .await?
            .iter()
            .map(row)
            .collect::<StoreResult<Vec<_>>>()?;
        let mut case_ids: Vec<Uuid> = items.iter().map(|f| f.case_id.as_uuid()).collect();
        case_ids.sort_unstable();
        case_ids.dedup();
        let cases = if case_ids.is_empty() {
            Vec::new()
        } else {
            let mut cq = select_summaries();
            cq.and_where(Expr::col((name("c"), name("id"))).is_in(case_ids));
            summaries(&txn.query_all(&cq).await?)?
        };
        let total = count(&txn, &follow_ups_counted(filter)).await?;
        txn.commit().await?;
        let items = items
            .into_iter()
            .map(|f| {
                let case = cases
                    .iter()
                    .find(|c| c.id == f.case_id)
                    .cloned()
                    .ok_or_else(|| StoreError::Other("a follow-up item without its case".into()))?;
                Ok((f, case))
            })
            .collect::<StoreResult<Vec<_>>>()?;
        let entry = Entry::new(AuditAction::FollowUpList)
            .patients(items.iter().map(|(_, c)| c.patient_id))
            .detail(format!("{} results={}", list.code(), items.len()));
        self.disclose(actor, entry, now).await?;
        Ok((items, total))
    }

    /// How many specimens, follow-up items and serious events wait, on `now`'s day; one
    /// snapshot, each count from an index.
    pub async fn waiting_counts(&self, now: OffsetDateTime) -> StoreResult<WaitingCounts> {
        let today = to_local(now, &self.zone).date();
        let txn = self.db.begin().await?;
        let pathology = Query::select()
            .expr_as(Expr::col(name("id")).count(), name("n"))
            .from(name("specimens"))
            .and_where(Expr::col(name("has_result")).eq(false))
            .to_owned();
        let serious = Query::select()
            .expr_as(Expr::col(name("id")).count(), name("n"))
            .from(name("adverse_events"))
            .and_where(Expr::col(name("serious")).eq(true))
            .and_where(Expr::col(name("reported_at")).is_null())
            .to_owned();
        let counts = WaitingCounts {
            pathology: count(&txn, &pathology).await?,
            follow_up_due: count(
                &txn,
                &follow_ups_counted(list_filter(FollowUpList::Due, today).0),
            )
            .await?,
            follow_up_overdue: count(
                &txn,
                &follow_ups_counted(list_filter(FollowUpList::Overdue, today).0),
            )
            .await?,
            serious_events: count(&txn, &serious).await?,
        };
        txn.commit().await?;
        Ok(counts)
    }

    /// Records a planned follow-up item, once: rule `follow_up_already_recorded` for a
    /// second time, `NotFound` for an item that does not exist.
    pub async fn record_follow_up(
        &self,
        actor: &Actor,
        id: FollowUpId,
        input: &ContactInput,
        now: OffsetDateTime,
    ) -> StoreResult<FollowUpRecord> {
        let item = item(&self.db, id).await?;
        if item.status != Status::Planned {
            return Err(StoreError::Conflict(Conflict::Rule(
                Rule::FollowUpAlreadyRecorded,
            )));
        }
        let performed = self.performed_on(item.case_id).await?;
        let today = to_local(now, &self.zone).date();
        let contact = Contact::parse(input, performed, today).map_err(StoreError::Invalid)?;
        let txn = self.db.begin().await?;
        let case = lock_case(&txn, item.case_id, now).await?;
        let update = Query::update()
            .table(name("follow_ups"))
            .values([
                (name("status"), contact.status.code().into()),
                (name("contact_date"), contact.date.into()),
                (name("findings"), contact.findings.clone().into()),
                (name("recorded_at"), now.into()),
                (
                    name("recorded_by"),
                    actor.user_id.map(|u| u.as_uuid()).into(),
                ),
                (name("recorded_by_name"), actor.username.clone().into()),
            ])
            .value(name("version"), Expr::col(name("version")).add(1))
            .and_where(Expr::col(name("id")).eq(id.as_uuid()))
            .and_where(Expr::col(name("status")).eq(Status::Planned.code()))
            .to_owned();
        if txn.execute(&update).await?.rows_affected() == 0 {
            return Err(StoreError::Conflict(Conflict::Rule(
                Rule::FollowUpAlreadyRecorded,
            )));
        }
        append(
            &txn,
            actor,
            Entry::new(AuditAction::FollowUpRecord)
                .on("case", item.case_id)
                .patient(case.patient_id)
                .detail(format!("follow_up/{id} {}", contact.status.code())),
            now,
        )
        .await?;
        let recorded = self::item(&txn, id).await?;
        txn.commit().await?;
        Ok(recorded)
    }

    /// The local day a case's procedure ended (from its report), or `NotFound`.
    pub(crate) async fn performed_on(&self, case: CaseId) -> StoreResult<Date> {
        let q = Query::select()
            .column(name("content"))
            .from(name("reports"))
            .and_where(Expr::col(name("case_id")).eq(case.as_uuid()))
            .to_owned();
        let r = self.db.query_one(&q).await?.ok_or(StoreError::NotFound)?;
        let content: String = r.try_get("", "content")?;
        let report: seldinger_domain::report::Report =
            serde_json::from_str(&content).map_err(|e| corrupt("report", e))?;
        let at = report
            .ended_at
            .or(report.started_at)
            .ok_or_else(|| StoreError::Other("a report without times".into()))?;
        Ok(to_local(at, &self.zone).date())
    }
}
