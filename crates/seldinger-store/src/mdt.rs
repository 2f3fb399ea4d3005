//! MDT meetings ("RCP"): the meeting, its agenda of cases and one decision per case. A
//! decision moves its case in the same transaction; an IR decision also sets the
//! procedure the case is planned with.

use sea_orm::sea_query::{Expr, ExprTrait, Func, JoinType, Order, Query};
use sea_orm::{ConnectionTrait, FromQueryResult, TransactionTrait};
use seldinger_domain::audit::{Actor, AuditAction};
use seldinger_domain::case::{CaseEvent, CaseStatus, MdtDecision};
use seldinger_domain::localtime::from_local;
use seldinger_domain::mdt::{Attendee, Decision, MeetingKind, NewMeeting};
use seldinger_domain::rules::Rule;
use seldinger_domain::{CaseId, MeetingId, ProcedureVersionId};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::audit::{Entry, append};
use crate::cases::{
    CaseSummary, apply_event, lock_case, resolve_procedure, select_summaries, set_planned_version,
    summaries,
};
use crate::{Conflict, Store, StoreError, StoreResult, name, utc};
use crate::{corrupt, json};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meeting {
    pub id: MeetingId,
    pub kind: MeetingKind,
    pub starts_at: OffsetDateTime,
    pub location: Option<String>,
    pub attendees: Vec<Attendee>,
    pub version: i64,
    /// Cases on the agenda, and how many have a decision (in lists).
    pub items: i64,
    pub decided: i64,
}

#[derive(FromQueryResult)]
struct MeetingRow {
    id: Uuid,
    kind: String,
    starts_at: OffsetDateTime,
    location: Option<String>,
    attendees: String,
    version: i64,
    items: i64,
    decided: i64,
}

impl MeetingRow {
    fn into_meeting(self) -> StoreResult<Meeting> {
        Ok(Meeting {
            id: MeetingId::from_uuid(self.id),
            kind: MeetingKind::parse(&self.kind).map_err(|e| corrupt("meeting kind", e))?,
            starts_at: self.starts_at,
            location: self.location,
            attendees: serde_json::from_str(&self.attendees)
                .map_err(|e| corrupt("attendees", e))?,
            version: self.version,
            items: self.items,
            decided: self.decided,
        })
    }
}

/// One case on an agenda, with its decision once made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgendaItem {
    pub meeting_id: MeetingId,
    pub meeting_kind: MeetingKind,
    pub meeting_starts_at: OffsetDateTime,
    pub position: i32,
    pub case: CaseSummary,
    pub decision: Option<MdtDecision>,
    pub procedure_version_id: Option<ProcedureVersionId>,
    pub rationale: Option<String>,
    pub responsible_physician: Option<String>,
    pub decided_at: Option<OffsetDateTime>,
}

fn select_meetings() -> sea_orm::sea_query::SelectStatement {
    let count = |decided: bool| {
        let mut q = Query::select();
        q.expr(Expr::col(name("id")).count())
            .from(name("mdt_items"))
            .and_where(
                Expr::col((name("mdt_items"), name("meeting_id"))).equals((name("m"), name("id"))),
            );
        if decided {
            q.and_where(Expr::col(name("decision")).is_not_null());
        }
        q.to_owned()
    };
    Query::select()
        .columns(
            [
                "id",
                "kind",
                "starts_at",
                "location",
                "attendees",
                "version",
            ]
            .map(|c| (name("m"), name(c))),
        )
        .expr_as(
            Expr::SubQuery(None, Box::new(count(false).into())),
            name("items"),
        )
        .expr_as(
            Expr::SubQuery(None, Box::new(count(true).into())),
            name("decided"),
        )
        .from_as(name("mdt_meetings"), name("m"))
        .to_owned()
}

async fn meeting<C: ConnectionTrait>(db: &C, id: MeetingId) -> StoreResult<Meeting> {
    let q = select_meetings()
        .and_where(Expr::col((name("m"), name("id"))).eq(id.as_uuid()))
        .to_owned();
    let row = db.query_one(&q).await?.ok_or(StoreError::NotFound)?;
    MeetingRow::from_query_result(&row, "")?.into_meeting()
}

/// The meetings a case was put before, with their decisions.
pub(crate) async fn items_of_case<C: ConnectionTrait>(
    db: &C,
    case: CaseId,
) -> StoreResult<Vec<AgendaItem>> {
    agenda(db, None, Some(case)).await
}

async fn agenda<C: ConnectionTrait>(
    db: &C,
    meeting: Option<MeetingId>,
    case: Option<CaseId>,
) -> StoreResult<Vec<AgendaItem>> {
    let mut q = select_summaries();
    for c in [
        "meeting_id",
        "position",
        "decision",
        "procedure_version_id",
        "rationale",
        "responsible_physician",
        "decided_at",
    ] {
        q.column((name("i"), name(c)));
    }
    q.expr_as(Expr::col((name("m"), name("kind"))), name("meeting_kind"))
        .expr_as(
            Expr::col((name("m"), name("starts_at"))),
            name("meeting_starts_at"),
        )
        .join_as(
            JoinType::InnerJoin,
            name("mdt_items"),
            name("i"),
            Expr::col((name("i"), name("case_id"))).equals((name("c"), name("id"))),
        )
        .join_as(
            JoinType::InnerJoin,
            name("mdt_meetings"),
            name("m"),
            Expr::col((name("m"), name("id"))).equals((name("i"), name("meeting_id"))),
        );
    if let Some(meeting) = meeting {
        q.and_where(Expr::col((name("i"), name("meeting_id"))).eq(meeting.as_uuid()))
            .order_by((name("i"), name("position")), Order::Asc);
    }
    if let Some(case) = case {
        q.and_where(Expr::col((name("i"), name("case_id"))).eq(case.as_uuid()))
            .order_by((name("m"), name("starts_at")), Order::Asc);
    }
    let rows = db.query_all(&q).await?;
    let cases = summaries(&rows)?;
    rows.iter()
        .zip(cases)
        .map(|(row, case)| {
            let decision: Option<String> = row.try_get("", "decision")?;
            let kind: String = row.try_get("", "meeting_kind")?;
            let version: Option<Uuid> = row.try_get("", "procedure_version_id")?;
            Ok(AgendaItem {
                meeting_id: MeetingId::from_uuid(row.try_get("", "meeting_id")?),
                meeting_kind: MeetingKind::parse(&kind).map_err(|e| corrupt("meeting kind", e))?,
                meeting_starts_at: row.try_get("", "meeting_starts_at")?,
                position: row.try_get("", "position")?,
                case,
                decision: decision
                    .map(|d| MdtDecision::parse(&d).map_err(|e| corrupt("decision", e)))
                    .transpose()?,
                procedure_version_id: version.map(ProcedureVersionId::from_uuid),
                rationale: row.try_get("", "rationale")?,
                responsible_physician: row.try_get("", "responsible_physician")?,
                decided_at: row.try_get("", "decided_at")?,
            })
        })
        .collect()
}

impl Store {
    /// Plans a meeting (its local start time placed in the department's zone).
    pub async fn create_meeting(
        &self,
        actor: &Actor,
        new: &NewMeeting,
        now: OffsetDateTime,
    ) -> StoreResult<Meeting> {
        let id = Uuid::now_v7();
        let txn = self.db.begin().await?;
        let insert = Query::insert()
            .into_table(name("mdt_meetings"))
            .columns(
                [
                    "id",
                    "kind",
                    "starts_at",
                    "location",
                    "attendees",
                    "version",
                    "created_at",
                    "created_by",
                    "updated_at",
                ]
                .map(name),
            )
            .values_panic([
                id.into(),
                new.kind.code().into(),
                from_local(new.starts_at, &self.zone).into(),
                new.location.clone().into(),
                json(&new.attendees)?.into(),
                1i64.into(),
                now.into(),
                actor.user_id.map(|u| u.as_uuid()).into(),
                now.into(),
            ])
            .to_owned();
        txn.execute(&insert).await?;
        append(
            &txn,
            actor,
            Entry::new(AuditAction::MeetingCreate).on("mdt", id),
            now,
        )
        .await?;
        let created = meeting(&txn, MeetingId::from_uuid(id)).await?;
        txn.commit().await?;
        Ok(created)
    }

    /// Changes a meeting's date, kind, place or attendees, if `expected_version` is current.
    pub async fn update_meeting(
        &self,
        actor: &Actor,
        id: MeetingId,
        expected_version: i64,
        new: &NewMeeting,
        now: OffsetDateTime,
    ) -> StoreResult<Meeting> {
        let txn = self.db.begin().await?;
        let update = Query::update()
            .table(name("mdt_meetings"))
            .values([
                (name("kind"), new.kind.code().into()),
                (
                    name("starts_at"),
                    from_local(new.starts_at, &self.zone).into(),
                ),
                (name("location"), new.location.clone().into()),
                (name("attendees"), json(&new.attendees)?.into()),
                (name("updated_at"), now.into()),
            ])
            .value(name("version"), Expr::col(name("version")).add(1))
            .and_where(Expr::col(name("id")).eq(id.as_uuid()))
            .and_where(Expr::col(name("version")).eq(expected_version))
            .to_owned();
        if txn.execute(&update).await?.rows_affected() == 0 {
            let current = meeting(&txn, id).await?;
            return Err(StoreError::Conflict(Conflict::StaleVersion {
                current: current.version,
            }));
        }
        append(
            &txn,
            actor,
            Entry::new(AuditAction::MeetingUpdate).on("mdt", id),
            now,
        )
        .await?;
        let updated = meeting(&txn, id).await?;
        txn.commit().await?;
        Ok(updated)
    }

    /// Meetings starting in `[from, to)`, in time order, with their agenda counts (no
    /// patient data: not audited).
    pub async fn list_meetings(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> StoreResult<Vec<Meeting>> {
        let (from, to) = (utc(from), utc(to));
        let q = select_meetings()
            .and_where(Expr::col((name("m"), name("starts_at"))).gte(from))
            .and_where(Expr::col((name("m"), name("starts_at"))).lt(to))
            .order_by((name("m"), name("starts_at")), Order::Asc)
            .limit(200)
            .to_owned();
        self.db
            .query_all(&q)
            .await?
            .iter()
            .map(|r| MeetingRow::from_query_result(r, "")?.into_meeting())
            .collect()
    }

    /// A meeting and its agenda. Audited as a read of the meeting naming its cases.
    pub async fn meeting(
        &self,
        actor: &Actor,
        id: MeetingId,
        now: OffsetDateTime,
    ) -> StoreResult<(Meeting, Vec<AgendaItem>)> {
        let found = meeting(&self.db, id).await?;
        let mut items = agenda(&self.db, Some(id), None).await?;
        if actor.is_scoped() {
            // A referring physician sees their own patients on the agenda.
            let mine = crate::access::in_scope(
                &self.db,
                actor,
                items.iter().map(|i| i.case.patient_id),
                now,
            )
            .await?;
            items.retain(|i| mine.contains(&i.case.patient_id));
        }
        let entry = Entry::new(AuditAction::MeetingRead)
            .on("mdt", id)
            .patients(items.iter().map(|i| i.case.patient_id))
            .detail(format!("agenda results={}", items.len()));
        self.disclose(actor, entry, now).await?;
        Ok((found, items))
    }

    /// The meetings a case was put before, with their decisions.
    pub async fn case_mdt_items(
        &self,
        actor: &Actor,
        case: CaseId,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<AgendaItem>> {
        let items = items_of_case(&self.db, case).await?;
        self.disclose_case(actor, AuditAction::MeetingRead, case, now)
            .await?;
        Ok(items)
    }

    /// Puts a case awaiting the MDT on a meeting's agenda, last.
    pub async fn add_to_agenda(
        &self,
        actor: &Actor,
        meeting_id: MeetingId,
        case_id: CaseId,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let txn = self.db.begin().await?;
        let case = lock_case(&txn, case_id, now).await?;
        meeting(&txn, meeting_id).await?;
        if case.status != CaseStatus::AwaitingMdt {
            return Err(StoreError::Conflict(Conflict::Rule(
                Rule::CaseNotAwaitingMdt,
            )));
        }
        let last = Query::select()
            .expr_as(Func::max(Expr::col(name("position"))), name("last"))
            .from(name("mdt_items"))
            .and_where(Expr::col(name("meeting_id")).eq(meeting_id.as_uuid()))
            .to_owned();
        let last: Option<i32> = match txn.query_one(&last).await? {
            Some(row) => row.try_get("", "last")?,
            None => None,
        };
        let insert = Query::insert()
            .into_table(name("mdt_items"))
            .columns(
                [
                    "id",
                    "meeting_id",
                    "case_id",
                    "position",
                    "added_at",
                    "added_by",
                ]
                .map(name),
            )
            .values_panic([
                Uuid::now_v7().into(),
                meeting_id.as_uuid().into(),
                case_id.as_uuid().into(),
                (last.unwrap_or(0) + 1).into(),
                now.into(),
                actor.user_id.map(|u| u.as_uuid()).into(),
            ])
            .to_owned();
        txn.execute(&insert)
            .await
            .map_err(|e| match StoreError::from_db(e, "case_id") {
                StoreError::Conflict(Conflict::Duplicate { .. }) => {
                    StoreError::Conflict(Conflict::Rule(Rule::AlreadyOnAgenda))
                }
                other => other,
            })?;
        append(
            &txn,
            actor,
            Entry::new(AuditAction::MeetingUpdate)
                .on("mdt", meeting_id)
                .patient(case.patient_id)
                .detail(format!("add case/{case_id}")),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Takes an undecided case off an agenda.
    pub async fn remove_from_agenda(
        &self,
        actor: &Actor,
        meeting_id: MeetingId,
        case_id: CaseId,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let txn = self.db.begin().await?;
        let delete = Query::delete()
            .from_table(name("mdt_items"))
            .and_where(Expr::col(name("meeting_id")).eq(meeting_id.as_uuid()))
            .and_where(Expr::col(name("case_id")).eq(case_id.as_uuid()))
            .and_where(Expr::col(name("decision")).is_null())
            .to_owned();
        if txn.execute(&delete).await?.rows_affected() == 0 {
            let present = Query::select()
                .column(name("id"))
                .from(name("mdt_items"))
                .and_where(Expr::col(name("meeting_id")).eq(meeting_id.as_uuid()))
                .and_where(Expr::col(name("case_id")).eq(case_id.as_uuid()))
                .to_owned();
            let rule = if txn.query_one(&present).await?.is_some() {
                Rule::AlreadyDecided
            } else {
                Rule::NotOnAgenda
            };
            return Err(StoreError::Conflict(Conflict::Rule(rule)));
        }
        let patient = crate::cases::patient_of(&txn, case_id).await?;
        append(
            &txn,
            actor,
            Entry::new(AuditAction::MeetingUpdate)
                .on("mdt", meeting_id)
                .patient(patient)
                .detail(format!("remove case/{case_id}")),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Records the MDT's decision for a case on the agenda and moves the case: an IR
    /// procedure sends it to scheduling with that procedure (its current catalog
    /// version), more work-up keeps it waiting for a later meeting, any other treatment
    /// closes it for IR.
    pub async fn decide(
        &self,
        actor: &Actor,
        meeting_id: MeetingId,
        case_id: CaseId,
        decision: &Decision,
        now: OffsetDateTime,
    ) -> StoreResult<CaseStatus> {
        let txn = self.db.begin().await?;
        let case = lock_case(&txn, case_id, now).await?;
        let version = match (&decision.decision, &decision.procedure) {
            (MdtDecision::IrProcedure, Some(code)) => {
                Some(resolve_procedure(&txn, code, "procedure").await?.1)
            }
            _ => None,
        };
        let update = Query::update()
            .table(name("mdt_items"))
            .values([
                (name("decision"), decision.decision.code().into()),
                (
                    name("procedure_version_id"),
                    version.map(|v| v.as_uuid()).into(),
                ),
                (name("rationale"), decision.rationale.clone().into()),
                (
                    name("responsible_physician"),
                    decision.responsible_physician.clone().into(),
                ),
                (name("decided_at"), now.into()),
                (
                    name("decided_by"),
                    actor.user_id.map(|u| u.as_uuid()).into(),
                ),
            ])
            .and_where(Expr::col(name("meeting_id")).eq(meeting_id.as_uuid()))
            .and_where(Expr::col(name("case_id")).eq(case_id.as_uuid()))
            .and_where(Expr::col(name("decision")).is_null())
            .to_owned();
        if txn.execute(&update).await?.rows_affected() == 0 {
            let present = Query::select()
                .column(name("id"))
                .from(name("mdt_items"))
                .and_where(Expr::col(name("meeting_id")).eq(meeting_id.as_uuid()))
                .and_where(Expr::col(name("case_id")).eq(case_id.as_uuid()))
                .to_owned();
            let rule = if txn.query_one(&present).await?.is_some() {
                Rule::AlreadyDecided
            } else {
                Rule::NotOnAgenda
            };
            return Err(StoreError::Conflict(Conflict::Rule(rule)));
        }
        let next = apply_event(
            &txn,
            actor,
            &case,
            &CaseEvent::DecideAtMdt(decision.decision),
            now,
        )
        .await?;
        if let Some(version) = version {
            set_planned_version(&txn, case_id, version).await?;
        }
        append(
            &txn,
            actor,
            Entry::new(AuditAction::MdtDecide)
                .on("case", case_id)
                .patient(case.patient_id)
                .detail(format!("mdt/{meeting_id} {}", decision.decision)),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(next)
    }
}
