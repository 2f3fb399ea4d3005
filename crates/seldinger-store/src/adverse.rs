//! Adverse events: the department's terms, the grading systems by version, the events of
//! a case with every revision kept, and the reporting clock of serious events.
//!
//! Immediate complications of a procedure are events like any other, with an
//! intra-procedural phase; the report shows them, it does not keep a second list.

use sea_orm::sea_query::{Expr, ExprTrait, JoinType, OnConflict, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, TransactionTrait};
use seldinger_domain::adverse::{
    Event, EventInput, GradeSystem, Phase, Term, check_onset, report_due,
};
use seldinger_domain::audit::{Actor, AuditAction};
use seldinger_domain::case::CaseStatus;
use seldinger_domain::localtime::{from_local, parse_local_datetime, to_local};
use seldinger_domain::rules::Rule;
use seldinger_domain::{AdverseEventId, CaseId, FollowUpId, Invalid, PatientId};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::access::scope_condition;
use crate::audit::{Entry, append};
use crate::cases::{CaseSummary, lock_case, select_summaries, summaries};
use crate::{Conflict, Store, StoreError, StoreResult, name};
use crate::{corrupt, json};

/// An adverse event as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdverseEventRecord {
    pub id: AdverseEventId,
    pub case_id: CaseId,
    /// The case's patient.
    pub patient_id: PatientId,
    pub event: Event,
    pub onset: OffsetDateTime,
    pub phase: Phase,
    pub report_due_at: Option<OffsetDateTime>,
    pub reported_at: Option<OffsetDateTime>,
    pub follow_up_id: Option<FollowUpId>,
    pub version: i64,
    pub created_at: OffsetDateTime,
}

impl AdverseEventRecord {
    /// A serious event not yet reported, past its deadline at `now`.
    pub fn is_report_overdue(&self, now: OffsetDateTime) -> bool {
        self.reported_at.is_none() && self.report_due_at.is_some_and(|due| due < now)
    }
}

const COLUMNS: [(&str, &str); 10] = [
    ("id", "e_id"),
    ("case_id", "e_case_id"),
    ("onset", "e_onset"),
    ("phase", "e_phase"),
    ("data", "e_data"),
    ("report_due_at", "e_report_due_at"),
    ("reported_at", "e_reported_at"),
    ("follow_up_id", "e_follow_up_id"),
    ("version", "e_version"),
    ("created_at", "e_created_at"),
];

fn select() -> SelectStatement {
    let mut q = Query::select();
    columns(&mut q);
    q.expr_as(
        Expr::col((name("ec"), name("patient_id"))),
        name("e_patient_id"),
    )
    .from_as(name("adverse_events"), name("e"))
    .join_as(
        JoinType::InnerJoin,
        name("cases"),
        name("ec"),
        Expr::col((name("ec"), name("id"))).equals((name("e"), name("case_id"))),
    );
    q
}

fn columns(q: &mut SelectStatement) {
    for (c, alias) in COLUMNS {
        q.expr_as(Expr::col((name("e"), name(c))), name(alias));
    }
}

fn row(r: &sea_orm::QueryResult) -> StoreResult<AdverseEventRecord> {
    let data: String = r.try_get("", "e_data")?;
    let phase: String = r.try_get("", "e_phase")?;
    let follow_up: Option<Uuid> = r.try_get("", "e_follow_up_id")?;
    Ok(AdverseEventRecord {
        id: AdverseEventId::from_uuid(r.try_get("", "e_id")?),
        case_id: CaseId::from_uuid(r.try_get("", "e_case_id")?),
        patient_id: PatientId::from_uuid(r.try_get("", "e_patient_id")?),
        event: serde_json::from_str(&data).map_err(|e| corrupt("adverse event", e))?,
        onset: r.try_get("", "e_onset")?,
        phase: Phase::parse(&phase).map_err(|e| corrupt("phase", e))?,
        report_due_at: r.try_get("", "e_report_due_at")?,
        reported_at: r.try_get("", "e_reported_at")?,
        follow_up_id: follow_up.map(FollowUpId::from_uuid),
        version: r.try_get("", "e_version")?,
        created_at: r.try_get("", "e_created_at")?,
    })
}

/// A case's events by onset.
pub(crate) async fn of_case<C: ConnectionTrait>(
    db: &C,
    case: CaseId,
) -> StoreResult<Vec<AdverseEventRecord>> {
    let q = select()
        .and_where(Expr::col((name("e"), name("case_id"))).eq(case.as_uuid()))
        .order_by((name("e"), name("onset")), Order::Asc)
        .to_owned();
    db.query_all(&q).await?.iter().map(row).collect()
}

async fn load_event<C: ConnectionTrait>(
    db: &C,
    id: AdverseEventId,
) -> StoreResult<AdverseEventRecord> {
    let q = select()
        .and_where(Expr::col((name("e"), name("id"))).eq(id.as_uuid()))
        .to_owned();
    row(&db.query_one(&q).await?.ok_or(StoreError::NotFound)?)
}

async fn load_terms<C: ConnectionTrait>(db: &C) -> StoreResult<Vec<Term>> {
    let q = Query::select()
        .columns(["code", "name_fr", "name_en", "active"].map(name))
        .from(name("ae_terms"))
        .order_by(name("position"), Order::Asc)
        .order_by(name("code"), Order::Asc)
        .to_owned();
    db.query_all(&q)
        .await?
        .iter()
        .map(|r| {
            Ok(Term {
                code: r.try_get("", "code")?,
                name_fr: r.try_get("", "name_fr")?,
                name_en: r.try_get("", "name_en")?,
                active: r.try_get("", "active")?,
            })
        })
        .collect()
}

async fn load_systems<C: ConnectionTrait>(db: &C) -> StoreResult<Vec<GradeSystem>> {
    let q = Query::select()
        .column(name("definition"))
        .from(name("grade_systems"))
        .order_by(name("system"), Order::Asc)
        .order_by(name("created_at"), Order::Asc)
        .to_owned();
    db.query_all(&q)
        .await?
        .iter()
        .map(|r| {
            let raw: String = r.try_get("", "definition")?;
            serde_json::from_str(&raw).map_err(|e| corrupt("grade system", e))
        })
        .collect()
}

/// The procedure's start and end, from its report.
async fn procedure_times<C: ConnectionTrait>(
    db: &C,
    case: CaseId,
) -> StoreResult<Option<(OffsetDateTime, OffsetDateTime)>> {
    let q = Query::select()
        .column(name("content"))
        .from(name("reports"))
        .and_where(Expr::col(name("case_id")).eq(case.as_uuid()))
        .to_owned();
    let Some(r) = db.query_one(&q).await? else {
        return Ok(None);
    };
    let content: String = r.try_get("", "content")?;
    let report: seldinger_domain::report::Report =
        serde_json::from_str(&content).map_err(|e| corrupt("report", e))?;
    Ok(report
        .started_at
        .map(|start| (start, report.ended_at.unwrap_or(start))))
}

impl Store {
    /// The adverse-event terms, in the department's order (withdrawn ones included).
    pub async fn ae_terms(&self) -> StoreResult<Vec<Term>> {
        load_terms(&self.db).await
    }

    /// Adds a term, or changes the names or the activity of the one with its code.
    pub async fn save_ae_term(
        &self,
        actor: &Actor,
        term: &Term,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let txn = self.db.begin().await?;
        let insert = Query::insert()
            .into_table(name("ae_terms"))
            .columns(
                [
                    "code",
                    "name_fr",
                    "name_en",
                    "active",
                    "position",
                    "version",
                    "updated_at",
                ]
                .map(name),
            )
            .values_panic([
                term.code.clone().into(),
                term.name_fr.clone().into(),
                term.name_en.clone().into(),
                term.active.into(),
                1000i32.into(),
                1i64.into(),
                now.into(),
            ])
            .on_conflict(
                OnConflict::column(name("code"))
                    .update_columns(["name_fr", "name_en", "active", "updated_at"].map(name))
                    .value(
                        name("version"),
                        Expr::col((name("ae_terms"), name("version"))).add(1),
                    )
                    .to_owned(),
            )
            .to_owned();
        txn.execute(&insert).await?;
        append(
            &txn,
            actor,
            Entry::new(AuditAction::AeTermUpdate).detail(format!("term={}", term.code)),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Every grading system, every version kept.
    pub async fn grade_systems(&self) -> StoreResult<Vec<GradeSystem>> {
        load_systems(&self.db).await
    }

    /// Records an adverse event of a performed case. The onset may not precede the
    /// procedure; the phase follows from it; a serious event gets its reporting deadline,
    /// `reporting_hours` from now. `follow_up` names the contact where it was found.
    pub async fn record_adverse_event(
        &self,
        actor: &Actor,
        case_id: CaseId,
        input: &EventInput,
        follow_up: Option<FollowUpId>,
        reporting_hours: u32,
        now: OffsetDateTime,
    ) -> StoreResult<AdverseEventRecord> {
        let txn = self.db.begin().await?;
        let case = lock_case(&txn, case_id, now).await?;
        if !matches!(
            case.status,
            CaseStatus::Performed | CaseStatus::FollowUp | CaseStatus::Closed
        ) {
            return Err(StoreError::Conflict(Conflict::Rule(
                Rule::EventNeedsProcedure,
            )));
        }
        if let Some(f) = follow_up {
            let item = crate::followups::item(&txn, f).await?;
            if item.case_id != case_id {
                return Err(StoreError::Invalid(Invalid::one(
                    "follow_up_id",
                    seldinger_domain::Problem::NoSuchRecord,
                )));
            }
        }
        let (event, onset, phase) = self.checked_event(&txn, case_id, input, now).await?;
        let id = Uuid::now_v7();
        let due = event.serious.then(|| report_due(now, reporting_hours));
        let insert = Query::insert()
            .into_table(name("adverse_events"))
            .columns(
                [
                    "id",
                    "case_id",
                    "term",
                    "onset",
                    "phase",
                    "cirse_grade",
                    "serious",
                    "data",
                    "report_due_at",
                    "follow_up_id",
                    "version",
                    "created_at",
                    "created_by",
                    "updated_at",
                ]
                .map(name),
            )
            .values_panic([
                id.into(),
                case_id.as_uuid().into(),
                event.term.clone().into(),
                onset.into(),
                phase.code().into(),
                event
                    .grade("cirse")
                    .map(|g| g.code.clone())
                    .unwrap_or_default()
                    .into(),
                event.serious.into(),
                json(&event)?.into(),
                due.into(),
                follow_up.map(|f| f.as_uuid()).into(),
                1i64.into(),
                now.into(),
                actor.user_id.map(|u| u.as_uuid()).into(),
                now.into(),
            ])
            .to_owned();
        txn.execute(&insert).await?;
        revision(&txn, actor, id, 1, &event, now).await?;
        append(
            &txn,
            actor,
            Entry::new(AuditAction::AdverseEventCreate)
                .on("case", case_id)
                .patient(case.patient_id)
                .detail(format!("adverse_event/{id}")),
            now,
        )
        .await?;
        let recorded = load_event(&txn, AdverseEventId::from_uuid(id)).await?;
        txn.commit().await?;
        Ok(recorded)
    }

    /// Parses an event against the department's terms and systems and places its onset.
    async fn checked_event<C: ConnectionTrait>(
        &self,
        db: &C,
        case_id: CaseId,
        input: &EventInput,
        now: OffsetDateTime,
    ) -> StoreResult<(Event, OffsetDateTime, Phase)> {
        let terms = load_terms(db).await?;
        let systems = load_systems(db).await?;
        let today = to_local(now, &self.zone).date();
        let label = |start: OffsetDateTime| {
            let local = to_local(start, &self.zone);
            format!("{} {:02}:{:02}", local.date(), local.hour(), local.minute())
        };
        let event = match Event::parse(input, &terms, &systems, today) {
            Ok(event) => event,
            Err(Invalid(mut errors)) => {
                // Every field error at once: an onset that reads well but precedes the
                // procedure is named beside the others.
                if let (false, Ok(onset), Some((start, _))) = (
                    errors.iter().any(|e| e.field == "onset"),
                    parse_local_datetime("onset", &input.onset),
                    procedure_times(db, case_id).await?,
                ) && let Err(e) =
                    check_onset(from_local(onset, &self.zone), start, &label(start))
                {
                    errors.push(e);
                }
                return Err(StoreError::Invalid(Invalid(errors)));
            }
        };
        let onset = from_local(event.onset, &self.zone);
        let (start, end) = procedure_times(db, case_id)
            .await?
            .ok_or(StoreError::Conflict(Conflict::Rule(
                Rule::EventNeedsProcedure,
            )))?;
        check_onset(onset, start, &label(start))
            .map_err(|e| StoreError::Invalid(Invalid(vec![e])))?;
        Ok((event, onset, Phase::of(onset, end)))
    }

    /// Changes an event at `expected_version` (its outcome resolves, its grade is
    /// revised); every version is kept. An event that becomes serious starts its clock.
    pub async fn update_adverse_event(
        &self,
        actor: &Actor,
        id: AdverseEventId,
        expected_version: i64,
        input: &EventInput,
        reporting_hours: u32,
        now: OffsetDateTime,
    ) -> StoreResult<AdverseEventRecord> {
        let current = load_event(&self.db, id).await?;
        let txn = self.db.begin().await?;
        lock_case(&txn, current.case_id, now).await?;
        let (event, onset, phase) = self
            .checked_event(&txn, current.case_id, input, now)
            .await?;
        let due = match (event.serious, current.report_due_at) {
            (true, Some(due)) => Some(due),
            (true, None) => Some(report_due(now, reporting_hours)),
            (false, _) => None,
        };
        let update = Query::update()
            .table(name("adverse_events"))
            .values([
                (name("term"), event.term.clone().into()),
                (name("onset"), onset.into()),
                (name("phase"), phase.code().into()),
                (
                    name("cirse_grade"),
                    event
                        .grade("cirse")
                        .map(|g| g.code.clone())
                        .unwrap_or_default()
                        .into(),
                ),
                (name("serious"), event.serious.into()),
                (name("data"), json(&event)?.into()),
                (name("report_due_at"), due.into()),
                (
                    name("version"),
                    crate::next_version(expected_version).into(),
                ),
                (name("updated_at"), now.into()),
            ])
            .and_where(Expr::col(name("id")).eq(id.as_uuid()))
            .and_where(Expr::col(name("version")).eq(expected_version))
            .to_owned();
        if txn.execute(&update).await?.rows_affected() == 0 {
            return Err(StoreError::Conflict(Conflict::StaleVersion {
                current: current.version,
            }));
        }
        revision(
            &txn,
            actor,
            id.as_uuid(),
            crate::next_version(expected_version),
            &event,
            now,
        )
        .await?;
        append(
            &txn,
            actor,
            Entry::new(AuditAction::AdverseEventUpdate)
                .on("case", current.case_id)
                .patient(current.patient_id)
                .detail(format!("adverse_event/{id}")),
            now,
        )
        .await?;
        let revised = load_event(&txn, id).await?;
        txn.commit().await?;
        Ok(revised)
    }

    /// Marks a serious event as reported; it leaves the due list.
    pub async fn mark_reported(
        &self,
        actor: &Actor,
        id: AdverseEventId,
        now: OffsetDateTime,
    ) -> StoreResult<AdverseEventRecord> {
        let current = load_event(&self.db, id).await?;
        let txn = self.db.begin().await?;
        let update = Query::update()
            .table(name("adverse_events"))
            .values([
                (name("reported_at"), now.into()),
                (
                    name("reported_by"),
                    actor.user_id.map(|u| u.as_uuid()).into(),
                ),
            ])
            .and_where(Expr::col(name("id")).eq(id.as_uuid()))
            .and_where(Expr::col(name("serious")).eq(true))
            .and_where(Expr::col(name("reported_at")).is_null())
            .to_owned();
        if txn.execute(&update).await?.rows_affected() == 0 {
            return Err(StoreError::Conflict(Conflict::Rule(Rule::NothingToReport)));
        }
        append(
            &txn,
            actor,
            Entry::new(AuditAction::AdverseEventReported)
                .on("case", current.case_id)
                .patient(current.patient_id)
                .detail(format!("adverse_event/{id}")),
            now,
        )
        .await?;
        let reported = load_event(&txn, id).await?;
        txn.commit().await?;
        Ok(reported)
    }

    /// One event, or `NotFound`.
    pub async fn adverse_event(
        &self,
        actor: &Actor,
        id: AdverseEventId,
        now: OffsetDateTime,
    ) -> StoreResult<AdverseEventRecord> {
        let found = load_event(&self.db, id).await?;
        let entry = Entry::new(AuditAction::AdverseEventRead)
            .on("case", found.case_id)
            .patient(found.patient_id)
            .detail(format!("adverse_event/{id}"));
        self.disclose(actor, entry, now).await?;
        Ok(found)
    }

    /// A case's events by onset.
    pub async fn case_adverse_events(
        &self,
        actor: &Actor,
        case: CaseId,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<AdverseEventRecord>> {
        let found = of_case(&self.db, case).await?;
        self.disclose_case(actor, AuditAction::AdverseEventList, case, now)
            .await?;
        Ok(found)
    }

    /// Serious events not yet reported, the nearest deadline first, with their case.
    /// Audited as one list.
    pub async fn reports_due(
        &self,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<(AdverseEventRecord, CaseSummary)>> {
        let mut q = select_summaries();
        columns(&mut q);
        q.expr_as(
            Expr::col((name("c"), name("patient_id"))),
            name("e_patient_id"),
        )
        .join_as(
            JoinType::InnerJoin,
            name("adverse_events"),
            name("e"),
            Expr::col((name("e"), name("case_id"))).equals((name("c"), name("id"))),
        )
        .and_where(Expr::col((name("e"), name("serious"))).eq(true))
        .and_where(Expr::col((name("e"), name("reported_at"))).is_null())
        .order_by((name("e"), name("report_due_at")), Order::Asc)
        .limit(500);
        if let Some(scope) = scope_condition(actor, (name("c"), name("patient_id")), now) {
            q.cond_where(scope);
        }
        let rows = self.db.query_all(&q).await?;
        let cases = summaries(&rows)?;
        let items = rows
            .iter()
            .zip(cases)
            .map(|(r, c)| Ok((row(r)?, c)))
            .collect::<StoreResult<Vec<_>>>()?;
        let entry = Entry::new(AuditAction::AdverseEventList)
            .patients(items.iter().map(|(_, c)| c.patient_id))
            .detail(format!("reports_due results={}", items.len()));
        self.disclose(actor, entry, now).await?;
        Ok(items)
    }
}

async fn revision<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    event: Uuid,
    version: i64,
    data: &Event,
    now: OffsetDateTime,
) -> StoreResult<()> {
    let insert = Query::insert()
        .into_table(name("adverse_event_revisions"))
        .columns(["event_id", "version", "data", "at", "by", "by_name"].map(name))
        .values_panic([
            event.into(),
            version.into(),
            json(data)?.into(),
            now.into(),
            actor.user_id.map(|u| u.as_uuid()).into(),
            actor.username.clone().into(),
        ])
        .to_owned();
    db.execute(&insert).await?;
    Ok(())
}
