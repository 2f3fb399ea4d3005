//! The pre-procedure checklist of a booked case, its evaluation, and the time-out.
//!
//! Readiness is derived, never typed: after every change that can affect it (a checklist
//! saved, consent recorded or withdrawn, a booking made or moved), the case's checklist is
//! evaluated against the thresholds of its procedure's bleeding-risk category, and the
//! case moves to "ready" when it is complete — or back to "scheduled" when it no longer
//! is — through the domain's transitions, in the same transaction.

use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, TransactionTrait};
use seldinger_domain::audit::{Actor, AuditAction};
use seldinger_domain::case::{CaseEvent, CaseStatus};
use seldinger_domain::checklist::{
    Checklist, ChecklistContext, ChecklistStatus, Thresholds, TimeOut, evaluate,
};
use seldinger_domain::localtime::to_local;
use seldinger_domain::patient::{Allergy, AllergyKind, Anticoagulant, Sex};
use seldinger_domain::rules::Rule;
use seldinger_domain::{BookingId, CaseId};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::audit::{Entry, append};
use crate::bookings::active_booking;
use crate::cases::{CaseRecord, apply_event, load_case, lock_case};
use crate::catalog::{procedure_version, thresholds_for};
use crate::consultations::{latest_consent, sheet_given};
use crate::{Conflict, Store, StoreError, StoreResult, name};
use crate::{corrupt, json};

/// A case's checklist as saved (empty, version 0, until first saved), evaluated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChecklistView {
    pub checklist: Checklist,
    pub version: i64,
    pub updated_at: Option<OffsetDateTime>,
    pub status: ChecklistStatus,
    /// The local day of the active booking the evaluation was made for (today when the
    /// case has none).
    pub procedure_date: Date,
    pub booked: bool,
    pub thresholds: Thresholds,
}

/// A recorded time-out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeOutRecord {
    pub booking_id: BookingId,
    pub timeout: TimeOut,
    pub recorded_at: OffsetDateTime,
    pub recorded_by: String,
}

async fn stored<C: ConnectionTrait>(
    db: &C,
    case: CaseId,
) -> StoreResult<(Checklist, i64, Option<OffsetDateTime>)> {
    let q = Query::select()
        .columns(["data", "version", "updated_at"].map(name))
        .from(name("checklists"))
        .and_where(Expr::col(name("case_id")).eq(case.as_uuid()))
        .to_owned();
    match db.query_one(&q).await? {
        Some(row) => {
            let data: String = row.try_get("", "data")?;
            Ok((
                serde_json::from_str(&data).map_err(|e| corrupt("checklist", e))?,
                row.try_get("", "version")?,
                Some(row.try_get("", "updated_at")?),
            ))
        }
        None => Ok((Checklist::default(), 0, None)),
    }
}

/// Evaluates a case's checklist with everything the rules need.
async fn view<C: ConnectionTrait>(
    db: &C,
    zone: &jiff::tz::TimeZone,
    case: &CaseRecord,
    now: OffsetDateTime,
) -> StoreResult<ChecklistView> {
    let (checklist, version, updated_at) = stored(db, case.id).await?;
    let procedure = procedure_version(db, case.planned_version_id)
        .await?
        .definition;
    let thresholds = thresholds_for(db, procedure.bleeding_risk).await?;
    let booking = active_booking(db, case.id).await?;
    let procedure_date = to_local(booking.as_ref().map_or(now, |b| b.starts_at), zone).date();
    let q = Query::select()
        .columns(["sex", "birth_date", "allergies", "anticoagulants"].map(name))
        .from(name("patients"))
        .and_where(Expr::col(name("id")).eq(case.patient_id.as_uuid()))
        .to_owned();
    let row = db.query_one(&q).await?.ok_or(StoreError::NotFound)?;
    let sex: String = row.try_get("", "sex")?;
    let allergies: String = row.try_get("", "allergies")?;
    let anticoagulants: String = row.try_get("", "anticoagulants")?;
    let allergies: Vec<Allergy> =
        serde_json::from_str(&allergies).map_err(|e| corrupt("allergies", e))?;
    let anticoagulants: Vec<Anticoagulant> =
        serde_json::from_str(&anticoagulants).map_err(|e| corrupt("anticoagulants", e))?;
    let contrast_allergy = allergies
        .iter()
        .chain(&case.allergies)
        .any(|a| a.kind == AllergyKind::IodinatedContrast);
    let ctx = ChecklistContext {
        procedure: &procedure,
        thresholds: &thresholds,
        procedure_date,
        patient_sex: Sex::parse(&sex).map_err(|e| corrupt("sex", e))?,
        patient_birth_date: row.try_get("", "birth_date")?,
        contrast_allergy,
        on_anticoagulants: !anticoagulants.is_empty() || !case.anticoagulants.is_empty(),
        consent: latest_consent(db, case.id).await?,
        sheet_given_at_consultation: sheet_given(db, case.id).await?,
    };
    let status = evaluate(&checklist, &ctx);
    Ok(ChecklistView {
        checklist,
        version,
        updated_at,
        status,
        procedure_date,
        booked: booking.is_some(),
        thresholds,
    })
}

/// Moves a booked case to "ready" when its checklist is complete, back to "scheduled"
/// when it no longer is. Call after any change that can affect readiness, inside the
/// transaction that holds the case.
pub(crate) async fn refresh_readiness<C: ConnectionTrait>(
    db: &C,
    zone: &jiff::tz::TimeZone,
    actor: &Actor,
    case_id: CaseId,
    now: OffsetDateTime,
) -> StoreResult<CaseStatus> {
    let case = load_case(db, case_id).await?;
    if !matches!(case.status, CaseStatus::Scheduled | CaseStatus::Ready) {
        return Ok(case.status);
    }
    let complete = view(db, zone, &case, now).await?.status.is_complete();
    match (case.status, complete) {
        (CaseStatus::Scheduled, true) => {
            apply_event(db, actor, &case, &CaseEvent::CompleteChecklist, now).await
        }
        (CaseStatus::Ready, false) => {
            apply_event(db, actor, &case, &CaseEvent::ReopenChecklist, now).await
        }
        (status, _) => Ok(status),
    }
}

impl Store {
    /// A case's checklist, evaluated now. Audited as a read of the case.
    pub async fn checklist(
        &self,
        actor: &Actor,
        case_id: CaseId,
        now: OffsetDateTime,
    ) -> StoreResult<ChecklistView> {
        let case = load_case(&self.db, case_id).await?;
        let view = view(&self.db, &self.zone, &case, now).await?;
        let entry = Entry::new(AuditAction::ChecklistRead)
            .on("case", case_id)
            .patient(case.patient_id);
        self.disclose(actor, entry, now).await?;
        Ok(view)
    }

    /// Saves a booked case's checklist if `expected_version` is current (0 the first
    /// time), and moves the case to "ready" or back to "scheduled" accordingly.
    pub async fn save_checklist(
        &self,
        actor: &Actor,
        case_id: CaseId,
        expected_version: i64,
        checklist: &Checklist,
        now: OffsetDateTime,
    ) -> StoreResult<(ChecklistView, CaseStatus)> {
        let txn = self.db.begin().await?;
        let case = lock_case(&txn, case_id, now).await?;
        if !matches!(case.status, CaseStatus::Scheduled | CaseStatus::Ready) {
            return Err(StoreError::Conflict(Conflict::Rule(
                Rule::ChecklistNeedsBooking,
            )));
        }
        let by = actor.user_id.map(|u| u.as_uuid());
        let data = json(checklist)?;
        let written = if expected_version == 0 {
            let insert = Query::insert()
                .into_table(name("checklists"))
                .columns(["case_id", "data", "version", "updated_at", "updated_by"].map(name))
                .values_panic([
                    case_id.as_uuid().into(),
                    data.into(),
                    1i64.into(),
                    now.into(),
                    by.into(),
                ])
                .to_owned();
            match txn.execute(&insert).await {
                Ok(result) => result.rows_affected(),
                Err(e) => match StoreError::from_db(e, "case_id") {
                    StoreError::Conflict(Conflict::Duplicate { .. }) => 0,
                    other => return Err(other),
                },
            }
        } else {
            let update = Query::update()
                .table(name("checklists"))
                .values([
                    (name("data"), data.into()),
                    (
                        name("version"),
                        crate::next_version(expected_version).into(),
                    ),
                    (name("updated_at"), now.into()),
                    (name("updated_by"), by.into()),
                ])
                .and_where(Expr::col(name("case_id")).eq(case_id.as_uuid()))
                .and_where(Expr::col(name("version")).eq(expected_version))
                .to_owned();
            txn.execute(&update).await?.rows_affected()
        };
        if written == 0 {
            drop(txn);
            let (_, current, _) = stored(&self.db, case_id).await?;
            return Err(StoreError::Conflict(Conflict::StaleVersion { current }));
        }
        append(
            &txn,
            actor,
            Entry::new(AuditAction::ChecklistUpdate)
                .on("case", case_id)
                .patient(case.patient_id),
            now,
        )
        .await?;
        let status = refresh_readiness(&txn, &self.zone, actor, case_id, now).await?;
        let case = load_case(&txn, case_id).await?;
        let view = view(&txn, &self.zone, &case, now).await?;
        txn.commit().await?;
        Ok((view, status))
    }

    /// Records the time-out (identity, site and side, procedure confirmed) on the day of
    /// a ready case's booking, once per booking.
    pub async fn record_timeout(
        &self,
        actor: &Actor,
        case_id: CaseId,
        timeout: &TimeOut,
        now: OffsetDateTime,
    ) -> StoreResult<TimeOutRecord> {
        let txn = self.db.begin().await?;
        let case = lock_case(&txn, case_id, now).await?;
        if case.status != CaseStatus::Ready {
            return Err(StoreError::Conflict(Conflict::Rule(Rule::CaseNotReady)));
        }
        let booking = active_booking(&txn, case_id)
            .await?
            .ok_or(StoreError::Conflict(Conflict::Rule(Rule::NoActiveBooking)))?;
        if to_local(booking.starts_at, &self.zone).date() != to_local(now, &self.zone).date() {
            return Err(StoreError::Conflict(Conflict::Rule(
                Rule::TimeOutNotOnTheDay,
            )));
        }
        let insert = Query::insert()
            .into_table(name("timeouts"))
            .columns(
                [
                    "id",
                    "case_id",
                    "booking_id",
                    "data",
                    "recorded_at",
                    "recorded_by",
                    "recorded_by_name",
                ]
                .map(name),
            )
            .values_panic([
                Uuid::now_v7().into(),
                case_id.as_uuid().into(),
                booking.id.as_uuid().into(),
                json(timeout)?.into(),
                now.into(),
                actor.user_id.map(|u| u.as_uuid()).into(),
                actor.username.clone().into(),
            ])
            .to_owned();
        txn.execute(&insert)
            .await
            .map_err(|e| match StoreError::from_db(e, "booking_id") {
                StoreError::Conflict(Conflict::Duplicate { .. }) => {
                    StoreError::Conflict(Conflict::Rule(Rule::TimeOutAlreadyRecorded))
                }
                other => other,
            })?;
        crate::cases::record_event(
            &txn,
            actor,
            case_id,
            "timeout",
            Some(case.status),
            case.status,
            Some(format!("booking/{}", booking.id)),
            now,
        )
        .await?;
        append(
            &txn,
            actor,
            Entry::new(AuditAction::TimeOutRecord)
                .on("case", case_id)
                .patient(case.patient_id)
                .detail(format!("booking/{}", booking.id)),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(TimeOutRecord {
            booking_id: booking.id,
            timeout: timeout.clone(),
            recorded_at: now,
            recorded_by: actor.username.clone(),
        })
    }

    /// A case's time-outs.
    pub async fn case_timeouts(
        &self,
        actor: &Actor,
        case: CaseId,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<TimeOutRecord>> {
        let found = timeouts_of_case(&self.db, case).await?;
        self.disclose_case(actor, AuditAction::ChecklistRead, case, now)
            .await?;
        Ok(found)
    }
}

/// A case's time-outs, oldest first.
pub(crate) async fn timeouts_of_case<C: ConnectionTrait>(
    db: &C,
    case: CaseId,
) -> StoreResult<Vec<TimeOutRecord>> {
    let q = Query::select()
        .columns(["booking_id", "data", "recorded_at", "recorded_by_name"].map(name))
        .from(name("timeouts"))
        .and_where(Expr::col(name("case_id")).eq(case.as_uuid()))
        .order_by(name("recorded_at"), Order::Asc)
        .to_owned();
    db.query_all(&q)
        .await?
        .iter()
        .map(|row| {
            let data: String = row.try_get("", "data")?;
            Ok(TimeOutRecord {
                booking_id: BookingId::from_uuid(row.try_get::<Uuid>("", "booking_id")?),
                timeout: serde_json::from_str(&data).map_err(|e| corrupt("time-out", e))?,
                recorded_at: row.try_get("", "recorded_at")?,
                recorded_by: row.try_get("", "recorded_by_name")?,
            })
        })
        .collect()
}
