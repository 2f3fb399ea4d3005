//! Consultations (booked in a clinic slot, recorded once) and consent (a history per
//! case: given or refused at a consultation, withdrawn later).

use sea_orm::sea_query::{Expr, ExprTrait, JoinType, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, FromQueryResult, TransactionTrait};
use seldinger_domain::audit::{Actor, AuditAction};
use seldinger_domain::case::CaseEvent;
use seldinger_domain::consultation::{
    ConsentDecision, ConsultationKind, ConsultationRecord, ConsultationStatus,
};
use seldinger_domain::invalid::Problem;
use seldinger_domain::rules::Rule;
use seldinger_domain::{CaseId, ConsultationId, Invalid, Lang, PatientId, Role, UserId};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::access::scope_condition;
use crate::audit::{Entry, append};
use crate::cases::{CaseRecord, apply_event, lock_case};
use crate::corrupt;
use crate::{Conflict, Store, StoreError, StoreResult, name, utc};

/// A consultation as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consultation {
    pub id: ConsultationId,
    pub case_id: CaseId,
    /// The case's patient.
    pub patient_id: PatientId,
    pub kind: ConsultationKind,
    pub status: ConsultationStatus,
    pub clinician_id: UserId,
    pub clinician_name: String,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub booked_at: OffsetDateTime,
    pub recorded_at: Option<OffsetDateTime>,
    /// The language of the information sheet handed over, when one was.
    pub sheet_language: Option<Lang>,
    pub risks_explained: Option<String>,
    pub alternatives_discussed: Option<String>,
    pub notes: Option<String>,
    pub version: i64,
}

#[derive(FromQueryResult)]
struct ConsultationRow {
    id: Uuid,
    case_id: Uuid,
    patient_id: Uuid,
    kind: String,
    status: String,
    clinician_id: Uuid,
    clinician_name: String,
    starts_at: OffsetDateTime,
    ends_at: OffsetDateTime,
    booked_at: OffsetDateTime,
    recorded_at: Option<OffsetDateTime>,
    sheet_language: Option<String>,
    risks_explained: Option<String>,
    alternatives_discussed: Option<String>,
    notes: Option<String>,
    version: i64,
}

impl ConsultationRow {
    fn into_consultation(self) -> StoreResult<Consultation> {
        Ok(Consultation {
            id: ConsultationId::from_uuid(self.id),
            case_id: CaseId::from_uuid(self.case_id),
            patient_id: PatientId::from_uuid(self.patient_id),
            kind: ConsultationKind::parse(&self.kind).map_err(|e| corrupt("kind", e))?,
            status: ConsultationStatus::parse(&self.status).map_err(|e| corrupt("status", e))?,
            clinician_id: UserId::from_uuid(self.clinician_id),
            clinician_name: self.clinician_name,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            booked_at: self.booked_at,
            recorded_at: self.recorded_at,
            sheet_language: self.sheet_language.and_then(|l| l.parse().ok()),
            risks_explained: self.risks_explained,
            alternatives_discussed: self.alternatives_discussed,
            notes: self.notes,
            version: self.version,
        })
    }
}

fn select_consultations() -> SelectStatement {
    let mut q = Query::select();
    for c in [
        "id",
        "case_id",
        "kind",
        "status",
        "clinician_id",
        "starts_at",
        "ends_at",
        "booked_at",
        "recorded_at",
        "sheet_language",
        "risks_explained",
        "alternatives_discussed",
        "notes",
        "version",
    ] {
        q.column((name("k"), name(c)));
    }
    q.expr_as(
        Expr::col((name("u"), name("full_name"))),
        name("clinician_name"),
    )
    .column((name("c"), name("patient_id")))
    .from_as(name("consultations"), name("k"))
    .join_as(
        JoinType::InnerJoin,
        name("users"),
        name("u"),
        Expr::col((name("u"), name("id"))).equals((name("k"), name("clinician_id"))),
    )
    .join_as(
        JoinType::InnerJoin,
        name("cases"),
        name("c"),
        Expr::col((name("c"), name("id"))).equals((name("k"), name("case_id"))),
    );
    q
}

fn rows(rows: &[sea_orm::QueryResult]) -> StoreResult<Vec<Consultation>> {
    rows.iter()
        .map(|r| ConsultationRow::from_query_result(r, "")?.into_consultation())
        .collect()
}

/// One entry of a case's consent history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consent {
    pub decision: ConsentDecision,
    pub decided_on: Date,
    pub recorded_at: OffsetDateTime,
    pub recorded_by: String,
    pub consultation_id: Option<ConsultationId>,
    pub note: Option<String>,
}

/// Who may hold a consultation of `kind`.
fn clinician_role(kind: ConsultationKind) -> Role {
    match kind {
        ConsultationKind::Anesthesia => Role::Anesthetist,
        ConsultationKind::IrPre | ConsultationKind::PostProcedure => {
            Role::InterventionalRadiologist
        }
    }
}

/// An active user with this username and role, or the field error / rule that says why
/// not: a disabled account is the wrong person, an active one of another role cannot
/// hold this kind of consultation.
pub(crate) async fn staff_member<C: ConnectionTrait>(
    db: &C,
    username: &str,
    role: Role,
    field: &str,
) -> StoreResult<UserId> {
    let q = Query::select()
        .columns(["id", "role", "disabled_at"].map(name))
        .from(name("users"))
        .and_where(Expr::col(name("username")).eq(username))
        .to_owned();
    let row = db
        .query_one(&q)
        .await?
        .ok_or_else(|| StoreError::Invalid(Invalid::one(field, Problem::NoSuchRecord)))?;
    let disabled: Option<OffsetDateTime> = row.try_get("", "disabled_at")?;
    let stored_role: String = row.try_get("", "role")?;
    if disabled.is_some() {
        return Err(StoreError::Conflict(Conflict::Rule(Rule::WrongPerson)));
    }
    if stored_role != role.code() {
        return Err(StoreError::Conflict(Conflict::Rule(Rule::ClinicianRole)));
    }
    Ok(UserId::from_uuid(row.try_get("", "id")?))
}

#[expect(clippy::too_many_arguments, reason = "one column each")]
pub(crate) async fn insert_consent<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    case: &CaseRecord,
    decision: ConsentDecision,
    decided_on: Date,
    consultation: Option<ConsultationId>,
    note: Option<&str>,
    now: OffsetDateTime,
) -> StoreResult<()> {
    let insert = Query::insert()
        .into_table(name("consents"))
        .columns(
            [
                "case_id",
                "decision",
                "decided_on",
                "recorded_at",
                "recorded_by",
                "recorded_by_name",
                "consultation_id",
                "note",
            ]
            .map(name),
        )
        .values_panic([
            case.id.as_uuid().into(),
            decision.code().into(),
            decided_on.into(),
            now.into(),
            actor.user_id.map(|u| u.as_uuid()).into(),
            actor.username.clone().into(),
            consultation.map(|c| c.as_uuid()).into(),
            note.map(str::to_string).into(),
        ])
        .to_owned();
    db.execute(&insert).await?;
    let entry = Entry::new(AuditAction::ConsentRecord)
        .on("case", case.id)
        .patient(case.patient_id)
        .detail(decision.code());
    append(db, actor, entry, now).await
}

/// The latest consent decision of a case.
pub(crate) async fn latest_consent<C: ConnectionTrait>(
    db: &C,
    case: CaseId,
) -> StoreResult<Option<ConsentDecision>> {
    let q = Query::select()
        .column(name("decision"))
        .from(name("consents"))
        .and_where(Expr::col(name("case_id")).eq(case.as_uuid()))
        .order_by(name("id"), Order::Desc)
        .limit(1)
        .to_owned();
    match db.query_one(&q).await? {
        Some(row) => {
            let raw: String = row.try_get("", "decision")?;
            Ok(Some(
                ConsentDecision::parse(&raw).map_err(|e| corrupt("consent", e))?,
            ))
        }
        None => Ok(None),
    }
}

/// Whether a recorded consultation of the case says the information sheet was handed over.
pub(crate) async fn sheet_given<C: ConnectionTrait>(db: &C, case: CaseId) -> StoreResult<bool> {
    let q = Query::select()
        .column(name("id"))
        .from(name("consultations"))
        .and_where(Expr::col(name("case_id")).eq(case.as_uuid()))
        .and_where(Expr::col(name("sheet_language")).is_not_null())
        .limit(1)
        .to_owned();
    Ok(db.query_one(&q).await?.is_some())
}

/// A consultation to book, with its start and end placed in time.
#[derive(Clone, Debug)]
pub struct ConsultationSlot<'a> {
    pub kind: ConsultationKind,
    pub clinician: &'a str,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
}

impl Store {
    /// Books a consultation for a case in a clinician's clinic slot. The case must take
    /// consultations (triaged, not ended); the clinician must be an active user of the
    /// role the kind needs and free at that time.
    pub async fn book_consultation(
        &self,
        actor: &Actor,
        case_id: CaseId,
        slot: &ConsultationSlot<'_>,
        now: OffsetDateTime,
    ) -> StoreResult<Consultation> {
        let (starts_at, ends_at) = (utc(slot.starts_at), utc(slot.ends_at));
        let txn = self.db.begin().await?;
        // Consultations of one clinician serialise on the booking lock, as bookings do.
        crate::bookings::lock_bookings(&txn).await?;
        let case = lock_case(&txn, case_id, now).await?;
        case.status
            .apply(&CaseEvent::RecordConsultation)
            .map_err(|refusal| StoreError::Conflict(Conflict::Transition(refusal)))?;
        let clinician =
            staff_member(&txn, slot.clinician, clinician_role(slot.kind), "clinician").await?;
        let busy = Query::select()
            .column(name("id"))
            .from(name("consultations"))
            .and_where(Expr::col(name("clinician_id")).eq(clinician.as_uuid()))
            .and_where(Expr::col(name("status")).is_in([
                ConsultationStatus::Booked.code(),
                ConsultationStatus::Done.code(),
            ]))
            .and_where(Expr::col(name("starts_at")).lt(ends_at))
            .and_where(Expr::col(name("ends_at")).gt(starts_at))
            .limit(1)
            .to_owned();
        if txn.query_one(&busy).await?.is_some() {
            return Err(StoreError::Conflict(Conflict::Rule(Rule::ClinicianBusy)));
        }
        let id = Uuid::now_v7();
        let insert = Query::insert()
            .into_table(name("consultations"))
            .columns(
                [
                    "id",
                    "case_id",
                    "kind",
                    "status",
                    "clinician_id",
                    "starts_at",
                    "ends_at",
                    "booked_at",
                    "booked_by",
                    "version",
                ]
                .map(name),
            )
            .values_panic([
                id.into(),
                case_id.as_uuid().into(),
                slot.kind.code().into(),
                ConsultationStatus::Booked.code().into(),
                clinician.as_uuid().into(),
                starts_at.into(),
                ends_at.into(),
                now.into(),
                actor.user_id.map(|u| u.as_uuid()).into(),
                1i64.into(),
            ])
            .to_owned();
        txn.execute(&insert).await?;
        append(
            &txn,
            actor,
            Entry::new(AuditAction::ConsultationBook)
                .on("case", case_id)
                .patient(case.patient_id)
                .detail(format!("consultation/{id} {}", slot.kind)),
            now,
        )
        .await?;
        let booked = consultation(&txn, ConsultationId::from_uuid(id)).await?;
        txn.commit().await?;
        Ok(booked)
    }

    /// Records a booked consultation, once: what was said, the sheet handed over (the
    /// case's planned catalog version, in the language given), consent. A consultation
    /// that took place moves an accepted case to "consulted".
    pub async fn record_consultation(
        &self,
        actor: &Actor,
        id: ConsultationId,
        record: &ConsultationRecord,
        now: OffsetDateTime,
    ) -> StoreResult<Consultation> {
        let existing = consultation(&self.db, id).await?;
        let txn = self.db.begin().await?;
        let case = lock_case(&txn, existing.case_id, now).await?;
        let update = Query::update()
            .table(name("consultations"))
            .values([
                (name("status"), record.outcome.code().into()),
                (name("recorded_at"), now.into()),
                (
                    name("recorded_by"),
                    actor.user_id.map(|u| u.as_uuid()).into(),
                ),
                (
                    name("sheet_language"),
                    record
                        .information_sheet
                        .map(|l| l.code().to_string())
                        .into(),
                ),
                (
                    name("sheet_version_id"),
                    record
                        .information_sheet
                        .map(|_| case.planned_version_id.as_uuid())
                        .into(),
                ),
                (
                    name("risks_explained"),
                    record.risks_explained.clone().into(),
                ),
                (
                    name("alternatives_discussed"),
                    record.alternatives_discussed.clone().into(),
                ),
                (name("notes"), record.notes.clone().into()),
            ])
            .value(name("version"), Expr::col(name("version")).add(1))
            .and_where(Expr::col(name("id")).eq(id.as_uuid()))
            .and_where(Expr::col(name("status")).eq(ConsultationStatus::Booked.code()))
            .to_owned();
        if txn.execute(&update).await?.rows_affected() == 0 {
            let rule = match existing.status {
                ConsultationStatus::Cancelled => Rule::ConsultationCancelled,
                _ => Rule::ConsultationAlreadyRecorded,
            };
            return Err(StoreError::Conflict(Conflict::Rule(rule)));
        }
        if record.outcome == ConsultationStatus::Done {
            apply_event(&txn, actor, &case, &CaseEvent::RecordConsultation, now).await?;
        }
        if let Some((decision, on)) = record.consent {
            insert_consent(&txn, actor, &case, decision, on, Some(id), None, now).await?;
        }
        append(
            &txn,
            actor,
            Entry::new(AuditAction::ConsultationRecord)
                .on("case", case.id)
                .patient(case.patient_id)
                .detail(format!("consultation/{id} {}", record.outcome)),
            now,
        )
        .await?;
        crate::checklists::refresh_readiness(&txn, &self.zone, actor, case.id, now).await?;
        let recorded = consultation(&txn, id).await?;
        txn.commit().await?;
        Ok(recorded)
    }

    /// Cancels a consultation that has not taken place.
    pub async fn cancel_consultation(
        &self,
        actor: &Actor,
        id: ConsultationId,
        now: OffsetDateTime,
    ) -> StoreResult<Consultation> {
        let txn = self.db.begin().await?;
        let update = Query::update()
            .table(name("consultations"))
            .value(name("status"), ConsultationStatus::Cancelled.code())
            .value(name("version"), Expr::col(name("version")).add(1))
            .and_where(Expr::col(name("id")).eq(id.as_uuid()))
            .and_where(Expr::col(name("status")).eq(ConsultationStatus::Booked.code()))
            .to_owned();
        let changed = txn.execute(&update).await?.rows_affected();
        let current = consultation(&txn, id).await?;
        if changed == 0 {
            let rule = match current.status {
                ConsultationStatus::Cancelled => Rule::ConsultationCancelled,
                _ => Rule::ConsultationAlreadyRecorded,
            };
            return Err(StoreError::Conflict(Conflict::Rule(rule)));
        }
        append(
            &txn,
            actor,
            Entry::new(AuditAction::ConsultationCancel)
                .on("case", current.case_id)
                .patient(current.patient_id)
                .detail(format!("consultation/{id}")),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(current)
    }

    /// Records a consent decision outside a consultation (a withdrawal, most often).
    pub async fn record_consent(
        &self,
        actor: &Actor,
        case_id: CaseId,
        decision: ConsentDecision,
        decided_on: Date,
        note: Option<&str>,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let txn = self.db.begin().await?;
        let case = lock_case(&txn, case_id, now).await?;
        if !case.status.is_open() {
            return Err(StoreError::Conflict(Conflict::Locked));
        }
        insert_consent(&txn, actor, &case, decision, decided_on, None, note, now).await?;
        crate::checklists::refresh_readiness(&txn, &self.zone, actor, case_id, now).await?;
        txn.commit().await?;
        Ok(())
    }

    /// A case's consultations, in time order.
    pub async fn case_consultations(
        &self,
        actor: &Actor,
        case: CaseId,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<Consultation>> {
        let found = of_case(&self.db, case).await?;
        self.disclose_case(actor, AuditAction::ConsultationList, case, now)
            .await?;
        Ok(found)
    }

    /// A case's consent history, oldest first.
    pub async fn case_consents(
        &self,
        actor: &Actor,
        case: CaseId,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<Consent>> {
        let found = consents_of_case(&self.db, case).await?;
        self.disclose_case(actor, AuditAction::ConsentRead, case, now)
            .await?;
        Ok(found)
    }

    /// One consultation.
    pub async fn consultation(
        &self,
        actor: &Actor,
        id: ConsultationId,
        now: OffsetDateTime,
    ) -> StoreResult<Consultation> {
        let found = consultation(&self.db, id).await?;
        let entry = Entry::new(AuditAction::ConsultationRead)
            .on("case", found.case_id)
            .patient(found.patient_id)
            .detail(format!("consultation/{id}"));
        self.disclose(actor, entry, now).await?;
        Ok(found)
    }

    /// Consultations starting in `[from, to)`, for the clinic list (of one clinician when
    /// given), in time order. Audited as a list.
    pub async fn consultations_between(
        &self,
        actor: &Actor,
        from: OffsetDateTime,
        to: OffsetDateTime,
        clinician: Option<UserId>,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<Consultation>> {
        let (from, to) = (utc(from), utc(to));
        let mut q = select_consultations()
            .and_where(Expr::col((name("k"), name("starts_at"))).gte(from))
            .and_where(Expr::col((name("k"), name("starts_at"))).lt(to))
            .order_by((name("k"), name("starts_at")), Order::Asc)
            .limit(500)
            .to_owned();
        if let Some(clinician) = clinician {
            q.and_where(Expr::col((name("k"), name("clinician_id"))).eq(clinician.as_uuid()));
        }
        if let Some(scope) = scope_condition(actor, (name("c"), name("patient_id")), now) {
            q.cond_where(scope);
        }
        let found = rows(&self.db.query_all(&q).await?)?;
        let entry = Entry::new(AuditAction::ConsultationList)
            .patients(found.iter().map(|c| c.patient_id))
            .detail(format!("clinic results={}", found.len()));
        self.disclose(actor, entry, now).await?;
        Ok(found)
    }
}

/// A case's consultations, in time order.
pub(crate) async fn of_case<C: ConnectionTrait>(
    db: &C,
    case: CaseId,
) -> StoreResult<Vec<Consultation>> {
    let q = select_consultations()
        .and_where(Expr::col((name("k"), name("case_id"))).eq(case.as_uuid()))
        .order_by((name("k"), name("starts_at")), Order::Asc)
        .to_owned();
    rows(&db.query_all(&q).await?)
}

/// A case's consent history, oldest first.
pub(crate) async fn consents_of_case<C: ConnectionTrait>(
    db: &C,
    case: CaseId,
) -> StoreResult<Vec<Consent>> {
    let q = Query::select()
        .columns(
            [
                "decision",
                "decided_on",
                "recorded_at",
                "recorded_by_name",
                "consultation_id",
                "note",
            ]
            .map(name),
        )
        .from(name("consents"))
        .and_where(Expr::col(name("case_id")).eq(case.as_uuid()))
        .order_by(name("id"), Order::Asc)
        .to_owned();
    db.query_all(&q)
        .await?
        .iter()
        .map(|row| {
            let decision: String = row.try_get("", "decision")?;
            let consultation: Option<Uuid> = row.try_get("", "consultation_id")?;
            Ok(Consent {
                decision: ConsentDecision::parse(&decision).map_err(|e| corrupt("consent", e))?,
                decided_on: row.try_get("", "decided_on")?,
                recorded_at: row.try_get("", "recorded_at")?,
                recorded_by: row.try_get("", "recorded_by_name")?,
                consultation_id: consultation.map(ConsultationId::from_uuid),
                note: row.try_get("", "note")?,
            })
        })
        .collect()
}

async fn consultation<C: ConnectionTrait>(db: &C, id: ConsultationId) -> StoreResult<Consultation> {
    let q = select_consultations()
        .and_where(Expr::col((name("k"), name("id"))).eq(id.as_uuid()))
        .to_owned();
    let row = db.query_one(&q).await?.ok_or(StoreError::NotFound)?;
    ConsultationRow::from_query_result(&row, "")?.into_consultation()
}
