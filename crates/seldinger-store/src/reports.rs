//! Procedure reports, their addenda, and the specimens they list with their pathology
//! results.
//!
//! Saving the first draft of a ready case records the procedure as performed. Signing is
//! one transaction: the completeness check, the signature, the case's move to follow-up,
//! the specimens, and the follow-up planned from the procedure type. A signed report
//! never changes: the store refuses (rule `report_signed`) and the database's triggers
//! refuse any other path; corrections are signed addenda.

use sea_orm::sea_query::{Expr, ExprTrait, JoinType, Order, Query};
use sea_orm::{ConnectionTrait, TransactionTrait};
use seldinger_domain::audit::{Actor, AuditAction};
use seldinger_domain::case::{CaseEvent, CaseStatus};
use seldinger_domain::catalog::ProcedureType;
use seldinger_domain::localtime::to_local;
use seldinger_domain::pathology::{self, PathologyResult, ResultInput};
use seldinger_domain::report::{Addendum, Report, ReportInput};
use seldinger_domain::rules::Rule;
use seldinger_domain::{CaseId, Invalid, ReportId, Role, SpecimenId};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::access::scope_condition;
use crate::audit::{Entry, append};
use crate::bookings::active_booking;
use crate::cases::{
    CaseRecord, CaseSummary, apply_event, load_case, lock_case, select_summaries, summaries,
};
use crate::catalog::procedure_version;
use crate::consultations::staff_member;
use crate::{Conflict, Store, StoreError, StoreResult, name};
use crate::{corrupt, json};

/// A report as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportRecord {
    pub id: ReportId,
    pub case_id: CaseId,
    pub report: Report,
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// When and by whom, once signed.
    pub signed: Option<(OffsetDateTime, String)>,
    pub addenda: Vec<AddendumRecord>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddendumRecord {
    pub text: String,
    pub signed_at: OffsetDateTime,
    pub signed_by: String,
}

/// A specimen with its result, when recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecimenRecord {
    pub id: SpecimenId,
    pub case_id: CaseId,
    pub position: i32,
    pub label: String,
    pub collected_on: Date,
    pub result: Option<ResultRecord>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultRecord {
    pub result: PathologyResult,
    pub turnaround_days: i32,
    pub recorded_at: OffsetDateTime,
    pub recorded_by: String,
}

/// A pending specimen and its case, for the pathologists' worklist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingSpecimen {
    pub specimen: SpecimenRecord,
    pub case: CaseSummary,
}

async fn load_report<C: ConnectionTrait>(
    db: &C,
    case: CaseId,
) -> StoreResult<Option<ReportRecord>> {
    let q = Query::select()
        .columns(
            [
                "id",
                "content",
                "version",
                "created_at",
                "updated_at",
                "signed_at",
                "signed_by_name",
            ]
            .map(name),
        )
        .from(name("reports"))
        .and_where(Expr::col(name("case_id")).eq(case.as_uuid()))
        .to_owned();
    let Some(row) = db.query_one(&q).await? else {
        return Ok(None);
    };
    let id: Uuid = row.try_get("", "id")?;
    let content: String = row.try_get("", "content")?;
    let signed_at: Option<OffsetDateTime> = row.try_get("", "signed_at")?;
    let signed_by: Option<String> = row.try_get("", "signed_by_name")?;
    let q = Query::select()
        .columns(["text", "signed_at", "signed_by_name"].map(name))
        .from(name("report_addenda"))
        .and_where(Expr::col(name("report_id")).eq(id))
        .order_by(name("id"), Order::Asc)
        .to_owned();
    let addenda = db
        .query_all(&q)
        .await?
        .iter()
        .map(|r| {
            Ok(AddendumRecord {
                text: r.try_get("", "text")?,
                signed_at: r.try_get("", "signed_at")?,
                signed_by: r.try_get("", "signed_by_name")?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(Some(ReportRecord {
        id: ReportId::from_uuid(id),
        case_id: case,
        report: serde_json::from_str(&content).map_err(|e| corrupt("report", e))?,
        version: row.try_get("", "version")?,
        created_at: row.try_get("", "created_at")?,
        updated_at: row.try_get("", "updated_at")?,
        signed: signed_at.zip(signed_by),
        addenda,
    }))
}

fn specimen_columns(q: &mut sea_orm::sea_query::SelectStatement) {
    for (c, alias) in [
        ("id", "s_id"),
        ("case_id", "s_case_id"),
        ("position", "s_position"),
        ("label", "s_label"),
        ("collected_on", "s_collected_on"),
    ] {
        q.expr_as(Expr::col((name("s"), name(c))), name(alias));
    }
    for c in [
        "adequacy",
        "category",
        "histology",
        "result_date",
        "turnaround_days",
        "recorded_at",
        "recorded_by_name",
    ] {
        q.column((name("r"), name(c)));
    }
}

fn specimen_row(row: &sea_orm::QueryResult) -> StoreResult<SpecimenRecord> {
    let adequacy: Option<String> = row.try_get("", "adequacy")?;
    let result = match adequacy {
        Some(adequacy) => {
            let category: String = row.try_get("", "category")?;
            Some(ResultRecord {
                result: PathologyResult {
                    adequacy: pathology::Adequacy::parse(&adequacy)
                        .map_err(|e| corrupt("adequacy", e))?,
                    category: pathology::Category::parse(&category)
                        .map_err(|e| corrupt("category", e))?,
                    histology: row.try_get("", "histology")?,
                    result_date: row.try_get("", "result_date")?,
                },
                turnaround_days: row.try_get("", "turnaround_days")?,
                recorded_at: row.try_get("", "recorded_at")?,
                recorded_by: row.try_get("", "recorded_by_name")?,
            })
        }
        None => None,
    };
    Ok(SpecimenRecord {
        id: SpecimenId::from_uuid(row.try_get("", "s_id")?),
        case_id: CaseId::from_uuid(row.try_get("", "s_case_id")?),
        position: row.try_get("", "s_position")?,
        label: row.try_get("", "s_label")?,
        collected_on: row.try_get("", "s_collected_on")?,
        result,
    })
}

async fn load_specimen<C: ConnectionTrait>(db: &C, id: SpecimenId) -> StoreResult<SpecimenRecord> {
    let q = select_specimens()
        .and_where(Expr::col((name("s"), name("id"))).eq(id.as_uuid()))
        .to_owned();
    let row = db.query_one(&q).await?.ok_or(StoreError::NotFound)?;
    specimen_row(&row)
}

fn select_specimens() -> sea_orm::sea_query::SelectStatement {
    let mut q = Query::select();
    specimen_columns(&mut q);
    q.from_as(name("specimens"), name("s")).join_as(
        JoinType::LeftJoin,
        name("pathology_results"),
        name("r"),
        Expr::col((name("r"), name("specimen_id"))).equals((name("s"), name("id"))),
    );
    q
}

pub(crate) async fn case_specimens<C: ConnectionTrait>(
    db: &C,
    case: CaseId,
) -> StoreResult<Vec<SpecimenRecord>> {
    let q = select_specimens()
        .and_where(Expr::col((name("s"), name("case_id"))).eq(case.as_uuid()))
        .order_by((name("s"), name("position")), Order::Asc)
        .to_owned();
    db.query_all(&q).await?.iter().map(specimen_row).collect()
}

/// A case's report without auditing (for reads already audited by their caller).
pub(crate) async fn stored_report<C: ConnectionTrait>(
    db: &C,
    case: CaseId,
) -> StoreResult<Option<ReportRecord>> {
    load_report(db, case).await
}

/// The procedure a case is planned with.
async fn planned<C: ConnectionTrait>(db: &C, case: &CaseRecord) -> StoreResult<ProcedureType> {
    Ok(procedure_version(db, case.planned_version_id)
        .await?
        .definition)
}

impl Store {
    /// A case's report, if one was started, with its addenda.
    pub async fn report(
        &self,
        actor: &Actor,
        case: CaseId,
        now: OffsetDateTime,
    ) -> StoreResult<Option<ReportRecord>> {
        let record = load_case(&self.db, case).await?;
        let report = load_report(&self.db, case).await?;
        let mut entry = Entry::new(AuditAction::ReportRead)
            .on("case", case)
            .patient(record.patient_id);
        if report.is_none() {
            entry = entry.detail("none yet");
        }
        self.disclose(actor, entry, now).await?;
        Ok(report)
    }

    /// The form of a new report: the booked slot and operator, the catalog's guidance and
    /// anesthesia. Also says the procedure's family (which technique fields apply).
    pub async fn report_template(
        &self,
        actor: &Actor,
        case: CaseId,
        now: OffsetDateTime,
    ) -> StoreResult<(ProcedureType, ReportInput)> {
        let record = load_case(&self.db, case).await?;
        let entry = Entry::new(AuditAction::ReportRead)
            .on("case", case)
            .patient(record.patient_id)
            .detail("template");
        self.disclose(actor, entry, now).await?;
        let procedure = planned(&self.db, &record).await?;
        let input = match active_booking(&self.db, case).await? {
            Some(b) => {
                let q = Query::select()
                    .column(name("username"))
                    .from(name("users"))
                    .and_where(Expr::col(name("id")).eq(b.operator_id.as_uuid()))
                    .to_owned();
                let operator: String = match self.db.query_one(&q).await? {
                    Some(row) => row.try_get("", "username")?,
                    None => String::new(),
                };
                ReportInput::from_plan(&procedure, b.starts_at, b.ends_at, &operator, &self.zone)
            }
            None => ReportInput::default(),
        };
        Ok((procedure, input))
    }

    /// Saves a draft report if `expected_version` is current (0 for the first). The first
    /// draft of a ready case records the procedure as performed. Field errors (a
    /// malformed value, an operator who is not an active interventional radiologist) change
    /// nothing.
    pub async fn save_report(
        &self,
        actor: &Actor,
        case_id: CaseId,
        expected_version: i64,
        input: &ReportInput,
        now: OffsetDateTime,
    ) -> StoreResult<ReportRecord> {
        let txn = self.db.begin().await?;
        let case = lock_case(&txn, case_id, now).await?;
        let procedure = planned(&txn, &case).await?;
        let report =
            Report::parse(input, procedure.family, &self.zone, now).map_err(StoreError::Invalid)?;
        for operator in &report.operators {
            match staff_member(&txn, operator, Role::InterventionalRadiologist, "operators").await {
                Ok(_) => {}
                Err(StoreError::Conflict(_)) => {
                    return Err(StoreError::Invalid(Invalid::one(
                        "operators",
                        seldinger_domain::Problem::NoSuchRecord,
                    )));
                }
                Err(e) => return Err(e),
            }
        }
        let existing = load_report(&txn, case_id).await?;
        if existing.as_ref().is_some_and(|r| r.signed.is_some()) {
            return Err(StoreError::Conflict(Conflict::Rule(Rule::ReportSigned)));
        }
        let current = existing.as_ref().map_or(0, |r| r.version);
        if current != expected_version {
            return Err(StoreError::Conflict(Conflict::StaleVersion { current }));
        }
        let by = actor.user_id.map(|u| u.as_uuid());
        match existing {
            None => {
                match case.status {
                    CaseStatus::Ready => {
                        apply_event(&txn, actor, &case, &CaseEvent::Perform, now).await?;
                    }
                    CaseStatus::Performed => {}
                    _ => {
                        return Err(StoreError::Conflict(Conflict::Rule(
                            Rule::ReportNeedsProcedure,
                        )));
                    }
                }
                let booking = active_booking(&txn, case_id).await?;
                let insert = Query::insert()
                    .into_table(name("reports"))
                    .columns(
                        [
                            "id",
                            "case_id",
                            "booking_id",
                            "content",
                            "version",
                            "created_at",
                            "created_by",
                            "updated_at",
                            "updated_by",
                        ]
                        .map(name),
                    )
                    .values_panic([
                        Uuid::now_v7().into(),
                        case_id.as_uuid().into(),
                        booking.map(|b| b.id.as_uuid()).into(),
                        json(&report)?.into(),
                        1i64.into(),
                        now.into(),
                        by.into(),
                        now.into(),
                        by.into(),
                    ])
                    .to_owned();
                txn.execute(&insert).await?;
            }
            Some(_) => {
                let update = Query::update()
                    .table(name("reports"))
                    .values([
                        (name("content"), json(&report)?.into()),
                        (
                            name("version"),
                            crate::next_version(expected_version).into(),
                        ),
                        (name("updated_at"), now.into()),
                        (name("updated_by"), by.into()),
                    ])
                    .and_where(Expr::col(name("case_id")).eq(case_id.as_uuid()))
                    .and_where(Expr::col(name("version")).eq(expected_version))
                    .and_where(Expr::col(name("signed_at")).is_null())
                    .to_owned();
                txn.execute(&update).await?;
            }
        }
        append(
            &txn,
            actor,
            Entry::new(AuditAction::ReportSave)
                .on("case", case_id)
                .patient(case.patient_id),
            now,
        )
        .await?;
        let saved = load_report(&txn, case_id)
            .await?
            .ok_or_else(|| StoreError::Other("report vanished".into()))?;
        txn.commit().await?;
        Ok(saved)
    }

    /// Signs a complete report at `expected_version`: the case moves to follow-up, the
    /// specimens are created and the follow-up is planned, all in one transaction.
    /// An incomplete report is refused with the missing fields.
    pub async fn sign_report(
        &self,
        actor: &Actor,
        case_id: CaseId,
        expected_version: i64,
        now: OffsetDateTime,
    ) -> StoreResult<ReportRecord> {
        let txn = self.db.begin().await?;
        let case = lock_case(&txn, case_id, now).await?;
        let existing = load_report(&txn, case_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if existing.signed.is_some() {
            return Err(StoreError::Conflict(Conflict::Rule(Rule::ReportSigned)));
        }
        if existing.version != expected_version {
            return Err(StoreError::Conflict(Conflict::StaleVersion {
                current: existing.version,
            }));
        }
        let missing = existing.report.missing_for_signature();
        if !missing.is_empty() {
            return Err(StoreError::Invalid(Invalid(missing)));
        }
        apply_event(&txn, actor, &case, &CaseEvent::SignReport, now).await?;
        let update = Query::update()
            .table(name("reports"))
            .values([
                (name("signed_at"), now.into()),
                (name("signed_by"), actor.user_id.map(|u| u.as_uuid()).into()),
                (name("signed_by_name"), actor.username.clone().into()),
            ])
            .and_where(Expr::col(name("id")).eq(existing.id.as_uuid()))
            .to_owned();
        txn.execute(&update).await?;
        let report = &existing.report;
        let started = report.started_at.unwrap_or(now);
        let collected = to_local(started, &self.zone).date();
        if !report.specimens.is_empty() {
            let mut insert = Query::insert();
            insert.into_table(name("specimens")).columns(
                [
                    "id",
                    "case_id",
                    "report_id",
                    "position",
                    "label",
                    "collected_on",
                    "created_at",
                    "has_result",
                ]
                .map(name),
            );
            for (i, label) in report.specimens.iter().enumerate() {
                insert.values_panic([
                    Uuid::now_v7().into(),
                    case_id.as_uuid().into(),
                    existing.id.as_uuid().into(),
                    i32::try_from(i + 1).unwrap_or(i32::MAX).into(),
                    label.clone().into(),
                    collected.into(),
                    now.into(),
                    false.into(),
                ]);
            }
            txn.execute(&insert).await?;
        }
        let procedure = planned(&txn, &case).await?;
        let performed = to_local(report.ended_at.unwrap_or(started), &self.zone).date();
        crate::followups::plan(&txn, case_id, &procedure, performed).await?;
        append(
            &txn,
            actor,
            Entry::new(AuditAction::ReportSign)
                .on("case", case_id)
                .patient(case.patient_id)
                .detail(format!("specimens={}", report.specimens.len())),
            now,
        )
        .await?;
        let signed = load_report(&txn, case_id)
            .await?
            .ok_or_else(|| StoreError::Other("report vanished".into()))?;
        txn.commit().await?;
        Ok(signed)
    }

    /// Adds a signed addendum to a signed report.
    pub async fn add_addendum(
        &self,
        actor: &Actor,
        case_id: CaseId,
        addendum: &Addendum,
        now: OffsetDateTime,
    ) -> StoreResult<ReportRecord> {
        let txn = self.db.begin().await?;
        let case = lock_case(&txn, case_id, now).await?;
        let report = load_report(&txn, case_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if report.signed.is_none() {
            return Err(StoreError::Conflict(Conflict::Rule(Rule::ReportNotSigned)));
        }
        let insert = Query::insert()
            .into_table(name("report_addenda"))
            .columns(
                [
                    "report_id",
                    "text",
                    "signed_at",
                    "signed_by",
                    "signed_by_name",
                ]
                .map(name),
            )
            .values_panic([
                report.id.as_uuid().into(),
                addendum.text.clone().into(),
                now.into(),
                actor.user_id.map(|u| u.as_uuid()).into(),
                actor.username.clone().into(),
            ])
            .to_owned();
        txn.execute(&insert).await?;
        append(
            &txn,
            actor,
            Entry::new(AuditAction::AddendumSign)
                .on("case", case_id)
                .patient(case.patient_id),
            now,
        )
        .await?;
        let updated = load_report(&txn, case_id)
            .await?
            .ok_or_else(|| StoreError::Other("report vanished".into()))?;
        txn.commit().await?;
        Ok(updated)
    }

    /// A case's specimens with their results.
    pub async fn specimens(
        &self,
        actor: &Actor,
        case: CaseId,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<SpecimenRecord>> {
        let found = case_specimens(&self.db, case).await?;
        self.disclose_case(actor, AuditAction::SpecimenList, case, now)
            .await?;
        Ok(found)
    }

    /// One specimen, or `NotFound`.
    pub async fn specimen(
        &self,
        actor: &Actor,
        id: SpecimenId,
        now: OffsetDateTime,
    ) -> StoreResult<SpecimenRecord> {
        let found = load_specimen(&self.db, id).await?;
        let patient = crate::cases::patient_of(&self.db, found.case_id).await?;
        let entry = Entry::new(AuditAction::SpecimenRead)
            .on("case", found.case_id)
            .patient(patient)
            .detail(format!("specimen/{id}"));
        self.disclose(actor, entry, now).await?;
        Ok(found)
    }

    /// Specimens waiting for their result, oldest first, with their case; the total.
    /// Audited as one list.
    pub async fn pending_specimens(
        &self,
        actor: &Actor,
        limit: u64,
        offset: u64,
        now: OffsetDateTime,
    ) -> StoreResult<(Vec<PendingSpecimen>, u64)> {
        let mut q = select_summaries();
        specimen_columns(&mut q);
        q.join_as(
            JoinType::InnerJoin,
            name("specimens"),
            name("s"),
            Expr::col((name("s"), name("case_id"))).equals((name("c"), name("id"))),
        )
        .join_as(
            JoinType::LeftJoin,
            name("pathology_results"),
            name("r"),
            Expr::col((name("r"), name("specimen_id"))).equals((name("s"), name("id"))),
        )
        .and_where(Expr::col((name("s"), name("has_result"))).eq(false))
        .order_by((name("s"), name("collected_on")), Order::Asc)
        .order_by((name("s"), name("id")), Order::Asc)
        .limit(limit.clamp(1, 500))
        .offset(offset);
        let mut count = Query::select()
            .expr_as(Expr::col((name("s"), name("id"))).count(), name("n"))
            .from_as(name("specimens"), name("s"))
            .and_where(Expr::col((name("s"), name("has_result"))).eq(false))
            .to_owned();
        if let Some(scope) = scope_condition(actor, (name("c"), name("patient_id")), now) {
            q.cond_where(scope.clone());
            count
                .join_as(
                    JoinType::InnerJoin,
                    name("cases"),
                    name("c"),
                    Expr::col((name("c"), name("id"))).equals((name("s"), name("case_id"))),
                )
                .cond_where(scope);
        }
        let rows = self.db.query_all(&q).await?;
        let cases = summaries(&rows)?;
        let mut items = Vec::with_capacity(rows.len());
        for (row, case) in rows.iter().zip(cases) {
            items.push(PendingSpecimen {
                specimen: specimen_row(row)?,
                case,
            });
        }
        let total: i64 = match self.db.query_one(&count).await? {
            Some(row) => row.try_get("", "n")?,
            None => 0,
        };
        let entry = Entry::new(AuditAction::SpecimenList)
            .patients(items.iter().map(|i| i.case.patient_id))
            .detail(format!("pending results={}", items.len()));
        self.disclose(actor, entry, now).await?;
        Ok((items, u64::try_from(total).unwrap_or(0)))
    }

    /// Records a specimen's pathology result, once: `NotFound` for a specimen that does
    /// not exist, rule `pathology_already_recorded` for a second result.
    pub async fn record_pathology(
        &self,
        actor: &Actor,
        id: SpecimenId,
        input: &ResultInput,
        now: OffsetDateTime,
    ) -> StoreResult<SpecimenRecord> {
        let specimen = load_specimen(&self.db, id).await?;
        if specimen.result.is_some() {
            return Err(StoreError::Conflict(Conflict::Rule(
                Rule::PathologyAlreadyRecorded,
            )));
        }
        let today = to_local(now, &self.zone).date();
        let result = PathologyResult::parse(input, specimen.collected_on, today)
            .map_err(StoreError::Invalid)?;
        let txn = self.db.begin().await?;
        let case = lock_case(&txn, specimen.case_id, now).await?;
        // Taken first, so that two results for one specimen cannot both pass.
        let claim = Query::update()
            .table(name("specimens"))
            .value(name("has_result"), true)
            .and_where(Expr::col(name("id")).eq(id.as_uuid()))
            .and_where(Expr::col(name("has_result")).eq(false))
            .to_owned();
        if txn.execute(&claim).await?.rows_affected() == 0 {
            return Err(StoreError::Conflict(Conflict::Rule(
                Rule::PathologyAlreadyRecorded,
            )));
        }
        let turnaround = pathology::turnaround_days(specimen.collected_on, result.result_date);
        let insert = Query::insert()
            .into_table(name("pathology_results"))
            .columns(
                [
                    "specimen_id",
                    "adequacy",
                    "category",
                    "histology",
                    "result_date",
                    "turnaround_days",
                    "recorded_at",
                    "recorded_by",
                    "recorded_by_name",
                ]
                .map(name),
            )
            .values_panic([
                id.as_uuid().into(),
                result.adequacy.code().into(),
                result.category.code().into(),
                result.histology.clone().into(),
                result.result_date.into(),
                i32::try_from(turnaround).unwrap_or(i32::MAX).into(),
                now.into(),
                actor.user_id.map(|u| u.as_uuid()).into(),
                actor.username.clone().into(),
            ])
            .to_owned();
        txn.execute(&insert).await?;
        append(
            &txn,
            actor,
            Entry::new(AuditAction::PathologyRecord)
                .on("case", specimen.case_id)
                .patient(case.patient_id)
                .detail(format!("specimen/{id}")),
            now,
        )
        .await?;
        let recorded = load_specimen(&txn, id).await?;
        txn.commit().await?;
        Ok(recorded)
    }
}
