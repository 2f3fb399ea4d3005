//! Cases: the referral that opens one, its state changes (each kept in `case_events`
//! with who and when), and the worklists that read them.
//!
//! A state change is always the same steps, in one transaction: take the case's row
//! (an update first, so that concurrent changes serialise — on SQLite the write lock is
//! taken before anything is read), read its state, ask the domain for the next one
//! ([`CaseStatus::apply`]), store it with a history entry and an audit entry.

use sea_orm::sea_query::{Expr, ExprTrait, JoinType, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, FromQueryResult, TransactionTrait};
use seldinger_domain::audit::{Actor, AuditAction};
use seldinger_domain::case::{CaseEvent, CaseStatus, NewReferral, Side, Urgency};
use seldinger_domain::catalog::{Organ, ProcedureCode};
use seldinger_domain::invalid::{FieldError, Problem};
use seldinger_domain::patient::{Allergy, Anticoagulant, Sex};
use seldinger_domain::{CaseId, Invalid, PatientId, ProcedureTypeId, ProcedureVersionId};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::access::scope_condition;
use crate::audit::{Entry, append};
use crate::catalog::current_by_code;
use crate::{Conflict, Store, StoreError, StoreResult, corrupt, json, name};

/// A case as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseRecord {
    pub id: CaseId,
    pub patient_id: PatientId,
    pub status: CaseStatus,
    pub version: i64,
    pub urgency: Urgency,
    pub referring_physician: String,
    pub referring_service: Option<String>,
    pub indication: String,
    pub target_organ: Organ,
    pub target_site: Option<String>,
    pub side: Side,
    pub lesion_size_mm: Option<u16>,
    pub requested_type_id: ProcedureTypeId,
    /// The catalog version the case is planned with.
    pub planned_version_id: ProcedureVersionId,
    pub clinical_question: Option<String>,
    pub anticoagulants: Vec<Anticoagulant>,
    pub allergies: Vec<Allergy>,
    pub referral_date: Date,
    pub referred_at: OffsetDateTime,
    pub status_changed_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

const CASE_COLUMNS: [&str; 23] = [
    "id",
    "patient_id",
    "status",
    "version",
    "urgency",
    "referring_physician",
    "referring_service",
    "indication",
    "target_organ",
    "target_site",
    "side",
    "lesion_size_mm",
    "requested_type_id",
    "planned_version_id",
    "clinical_question",
    "anticoagulants",
    "allergies",
    "referral_date",
    "referred_at",
    "status_changed_at",
    "updated_at",
    // Written, not read back into `CaseRecord`:
    "urgency_rank",
    "referred_by",
];

#[derive(FromQueryResult)]
struct CaseRow {
    id: Uuid,
    patient_id: Uuid,
    status: String,
    version: i64,
    urgency: String,
    referring_physician: String,
    referring_service: Option<String>,
    indication: String,
    target_organ: String,
    target_site: Option<String>,
    side: String,
    lesion_size_mm: Option<i32>,
    requested_type_id: Uuid,
    planned_version_id: Uuid,
    clinical_question: Option<String>,
    anticoagulants: String,
    allergies: String,
    referral_date: Date,
    referred_at: OffsetDateTime,
    status_changed_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl CaseRow {
    fn into_record(self) -> StoreResult<CaseRecord> {
        Ok(CaseRecord {
            id: CaseId::from_uuid(self.id),
            patient_id: PatientId::from_uuid(self.patient_id),
            status: CaseStatus::parse(&self.status).map_err(|e| corrupt("case status", e))?,
            version: self.version,
            urgency: Urgency::parse(&self.urgency).map_err(|e| corrupt("urgency", e))?,
            referring_physician: self.referring_physician,
            referring_service: self.referring_service,
            indication: self.indication,
            target_organ: Organ::parse(&self.target_organ)
                .map_err(|e| corrupt("target organ", e))?,
            target_site: self.target_site,
            side: Side::parse(&self.side).map_err(|e| corrupt("side", e))?,
            lesion_size_mm: self.lesion_size_mm.and_then(|v| u16::try_from(v).ok()),
            requested_type_id: ProcedureTypeId::from_uuid(self.requested_type_id),
            planned_version_id: ProcedureVersionId::from_uuid(self.planned_version_id),
            clinical_question: self.clinical_question,
            anticoagulants: serde_json::from_str(&self.anticoagulants)
                .map_err(|e| corrupt("anticoagulants", e))?,
            allergies: serde_json::from_str(&self.allergies)
                .map_err(|e| corrupt("allergies", e))?,
            referral_date: self.referral_date,
            referred_at: self.referred_at,
            status_changed_at: self.status_changed_at,
            updated_at: self.updated_at,
        })
    }
}

fn select_case() -> SelectStatement {
    Query::select()
        .columns(CASE_COLUMNS[..21].iter().map(|c| name(c)))
        .from(name("cases"))
        .to_owned()
}

/// Reads a case inside a transaction (or from the pool).
pub(crate) async fn load_case<C: ConnectionTrait>(db: &C, id: CaseId) -> StoreResult<CaseRecord> {
    let q = select_case()
        .and_where(Expr::col(name("id")).eq(id.as_uuid()))
        .to_owned();
    let row = db.query_one(&q).await?.ok_or(StoreError::NotFound)?;
    CaseRow::from_query_result(&row, "")?.into_record()
}

/// Takes the case for a change: bumps its version first (the lock), then reads it.
pub(crate) async fn lock_case<C: ConnectionTrait>(
    db: &C,
    id: CaseId,
    now: OffsetDateTime,
) -> StoreResult<CaseRecord> {
    let touch = Query::update()
        .table(name("cases"))
        .value(name("version"), Expr::col(name("version")).add(1))
        .value(name("updated_at"), now)
        .and_where(Expr::col(name("id")).eq(id.as_uuid()))
        .to_owned();
    if db.execute(&touch).await?.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    load_case(db, id).await
}

/// Applies `event` to a case already taken with [`lock_case`]: the next state (or the
/// refusal), the history entry, the audit entry. Returns the new state.
pub(crate) async fn apply_event<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    case: &CaseRecord,
    event: &CaseEvent,
    now: OffsetDateTime,
) -> StoreResult<CaseStatus> {
    let next = case
        .status
        .apply(event)
        .map_err(|refusal| StoreError::Conflict(Conflict::Transition(refusal)))?;
    if next != case.status {
        let update = Query::update()
            .table(name("cases"))
            .value(name("status"), next.code())
            .value(name("status_changed_at"), now)
            .and_where(Expr::col(name("id")).eq(case.id.as_uuid()))
            .to_owned();
        db.execute(&update).await?;
    }
    record_event(
        db,
        actor,
        case.id,
        event.code(),
        Some(case.status),
        next,
        event.detail(),
        now,
    )
    .await?;
    let entry = Entry::new(AuditAction::CaseTransition)
        .on("case", case.id)
        .patient(case.patient_id)
        .detail(format!("{} {}→{}", event.code(), case.status, next));
    append(db, actor, entry, now).await?;
    Ok(next)
}

#[expect(clippy::too_many_arguments, reason = "one column each")]
pub(crate) async fn record_event<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    case: CaseId,
    event: &str,
    from: Option<CaseStatus>,
    to: CaseStatus,
    detail: Option<String>,
    now: OffsetDateTime,
) -> StoreResult<()> {
    let insert = Query::insert()
        .into_table(name("case_events"))
        .columns(
            [
                "case_id",
                "at",
                "user_id",
                "username",
                "event",
                "from_status",
                "to_status",
                "detail",
            ]
            .map(name),
        )
        .values_panic([
            case.as_uuid().into(),
            now.into(),
            actor.user_id.map(|u| u.as_uuid()).into(),
            actor.username.clone().into(),
            event.into(),
            from.map(|s| s.code().to_string()).into(),
            to.code().into(),
            detail.into(),
        ])
        .to_owned();
    db.execute(&insert).await?;
    Ok(())
}

/// A procedure code named by an input, resolved to its type and current version; an
/// unknown or withdrawn code is a field error on `field`.
pub(crate) async fn resolve_procedure<C: ConnectionTrait>(
    db: &C,
    code: &ProcedureCode,
    field: &str,
) -> StoreResult<(ProcedureTypeId, ProcedureVersionId)> {
    match current_by_code(db, code).await? {
        Some((id, version, true)) => Ok((id, version)),
        Some((_, _, false)) => Err(StoreError::Invalid(Invalid::one(field, Problem::Withdrawn))),
        None => Err(StoreError::Invalid(Invalid::one(
            field,
            Problem::NoSuchRecord,
        ))),
    }
}

/// One entry of a case's history.
#[derive(Clone, Debug, PartialEq, Eq, FromQueryResult)]
pub struct CaseEventRecord {
    pub id: i64,
    pub at: OffsetDateTime,
    pub username: String,
    pub event: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub detail: Option<String>,
}

/// Which worklist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Worklist {
    /// Referrals waiting for triage.
    ToTriage,
    /// Accepted cases waiting for their consultation.
    AwaitingConsultation,
    /// Cases waiting for an MDT meeting.
    AwaitingMdt,
    /// Consulted cases waiting for a decision: plan, or send to the MDT.
    Consulted,
    /// Cases waiting for a booking.
    ToSchedule,
}

impl Worklist {
    pub fn status(self) -> CaseStatus {
        match self {
            Worklist::ToTriage => CaseStatus::Referred,
            Worklist::AwaitingConsultation => CaseStatus::Accepted,
            Worklist::AwaitingMdt => CaseStatus::AwaitingMdt,
            Worklist::Consulted => CaseStatus::Consulted,
            Worklist::ToSchedule => CaseStatus::ToSchedule,
        }
    }
}

/// What a list shows of a case: the case, its patient and its planned procedure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseSummary {
    pub id: CaseId,
    pub status: CaseStatus,
    pub urgency: Urgency,
    pub referral_date: Date,
    pub referred_at: OffsetDateTime,
    pub status_changed_at: OffsetDateTime,
    pub referring_physician: String,
    pub indication: String,
    pub target_organ: Organ,
    pub side: Side,
    pub patient_id: PatientId,
    pub mrn: String,
    pub family_name: String,
    pub given_names: String,
    pub birth_date: Date,
    pub sex: Sex,
    pub procedure_code: String,
    pub procedure_fr: String,
    pub procedure_en: String,
}

impl CaseSummary {
    /// The planned procedure's name in `lang`.
    pub fn procedure_name(&self, lang: seldinger_domain::Lang) -> &str {
        match lang {
            seldinger_domain::Lang::Fr => &self.procedure_fr,
            seldinger_domain::Lang::En => &self.procedure_en,
        }
    }
}

#[derive(FromQueryResult)]
struct SummaryRow {
    id: Uuid,
    status: String,
    urgency: String,
    referral_date: Date,
    referred_at: OffsetDateTime,
    status_changed_at: OffsetDateTime,
    referring_physician: String,
    indication: String,
    target_organ: String,
    side: String,
    patient_id: Uuid,
    mrn: String,
    family_name: String,
    given_names: String,
    birth_date: Date,
    sex: String,
    procedure_code: String,
    procedure_fr: String,
    procedure_en: String,
}

impl SummaryRow {
    fn into_summary(self) -> StoreResult<CaseSummary> {
        Ok(CaseSummary {
            id: CaseId::from_uuid(self.id),
            status: CaseStatus::parse(&self.status).map_err(|e| corrupt("case status", e))?,
            urgency: Urgency::parse(&self.urgency).map_err(|e| corrupt("urgency", e))?,
            referral_date: self.referral_date,
            referred_at: self.referred_at,
            status_changed_at: self.status_changed_at,
            referring_physician: self.referring_physician,
            indication: self.indication,
            target_organ: Organ::parse(&self.target_organ)
                .map_err(|e| corrupt("target organ", e))?,
            side: Side::parse(&self.side).map_err(|e| corrupt("side", e))?,
            patient_id: PatientId::from_uuid(self.patient_id),
            mrn: self.mrn,
            family_name: self.family_name,
            given_names: self.given_names,
            birth_date: self.birth_date,
            sex: Sex::parse(&self.sex).map_err(|e| corrupt("sex", e))?,
            procedure_code: self.procedure_code,
            procedure_fr: self.procedure_fr,
            procedure_en: self.procedure_en,
        })
    }
}

/// Cases joined to their patient and planned procedure, as lists show them.
pub(crate) fn select_summaries() -> SelectStatement {
    let mut q = Query::select();
    for c in [
        "id",
        "status",
        "urgency",
        "referral_date",
        "referred_at",
        "status_changed_at",
        "referring_physician",
        "indication",
        "target_organ",
        "side",
        "patient_id",
    ] {
        q.column((name("c"), name(c)));
    }
    for c in ["mrn", "family_name", "given_names", "birth_date", "sex"] {
        q.column((name("p"), name(c)));
    }
    q.expr_as(Expr::col((name("v"), name("code"))), name("procedure_code"))
        .expr_as(
            Expr::col((name("v"), name("name_fr"))),
            name("procedure_fr"),
        )
        .expr_as(
            Expr::col((name("v"), name("name_en"))),
            name("procedure_en"),
        )
        .from_as(name("cases"), name("c"))
        .join_as(
            JoinType::InnerJoin,
            name("patients"),
            name("p"),
            Expr::col((name("p"), name("id"))).equals((name("c"), name("patient_id"))),
        )
        .join_as(
            JoinType::InnerJoin,
            name("procedure_type_versions"),
            name("v"),
            Expr::col((name("v"), name("id"))).equals((name("c"), name("planned_version_id"))),
        );
    q
}

pub(crate) fn summaries(rows: &[sea_orm::QueryResult]) -> StoreResult<Vec<CaseSummary>> {
    rows.iter()
        .map(|r| SummaryRow::from_query_result(r, "")?.into_summary())
        .collect()
}

/// The audit entry of a list of cases: `what results=N`, naming each case's patient.
pub(crate) fn list_entry(what: &str, cases: &[CaseSummary]) -> Entry {
    Entry::new(AuditAction::CaseList)
        .patients(cases.iter().map(|c| c.patient_id))
        .detail(format!("{what} results={}", cases.len()))
}

impl Store {
    /// Opens a case from a referral. The patient must exist (else a field error on
    /// `patient_id`), the requested procedure must be in the catalog and active (else
    /// on `requested_procedure`); the case is planned with that type's current version.
    pub async fn create_referral(
        &self,
        actor: &Actor,
        referral: &NewReferral,
        now: OffsetDateTime,
    ) -> StoreResult<CaseRecord> {
        let id = Uuid::now_v7();
        // References are checked before the transaction, whose first statement is its
        // write (the foreign keys still refuse a patient removed in between).
        let patient = Query::select()
            .column(name("id"))
            .from(name("patients"))
            .and_where(Expr::col(name("id")).eq(referral.patient_id.as_uuid()))
            .and_where(Expr::col(name("deleted_at")).is_null())
            .to_owned();
        let mut missing = Vec::new();
        if self.db.query_one(&patient).await?.is_none() {
            missing.push(FieldError::new("patient_id", Problem::NoSuchRecord));
        } else {
            // A referring physician refers their own patients (or one opened to them).
            crate::access::ensure_in_scope(&self.db, actor, &[referral.patient_id], now).await?;
        }
        let procedure = match resolve_procedure(
            &self.db,
            &referral.requested_procedure,
            "requested_procedure",
        )
        .await
        {
            Ok(found) => Some(found),
            Err(StoreError::Invalid(Invalid(errors))) => {
                missing.extend(errors);
                None
            }
            Err(other) => return Err(other),
        };
        let (type_id, version_id) = match procedure {
            Some(found) if missing.is_empty() => found,
            _ => return Err(StoreError::Invalid(Invalid(missing))),
        };
        let txn = self.db.begin().await?;
        let insert = Query::insert()
            .into_table(name("cases"))
            .columns(CASE_COLUMNS.map(name))
            .values_panic([
                id.into(),
                referral.patient_id.as_uuid().into(),
                CaseStatus::Referred.code().into(),
                1i64.into(),
                referral.urgency.code().into(),
                referral.referring_physician.clone().into(),
                referral.referring_service.clone().into(),
                referral.indication.clone().into(),
                referral.target_organ.code().into(),
                referral.target_site.clone().into(),
                referral.side.code().into(),
                referral.lesion_size_mm.map(i32::from).into(),
                type_id.as_uuid().into(),
                version_id.as_uuid().into(),
                referral.clinical_question.clone().into(),
                json(&referral.anticoagulants)?.into(),
                json(&referral.allergies)?.into(),
                referral.referral_date.into(),
                now.into(),
                now.into(),
                now.into(),
                i32::from(referral.urgency.rank()).into(),
                actor.user_id.map(|u| u.as_uuid()).into(),
            ])
            .to_owned();
        txn.execute(&insert).await?;
        let case_id = CaseId::from_uuid(id);
        record_event(
            &txn,
            actor,
            case_id,
            "refer",
            None,
            CaseStatus::Referred,
            None,
            now,
        )
        .await?;
        let entry = Entry::new(AuditAction::CaseCreate)
            .on("case", id)
            .patient(referral.patient_id);
        append(&txn, actor, entry, now).await?;
        let case = load_case(&txn, case_id).await?;
        txn.commit().await?;
        Ok(case)
    }

    /// Reads a case, auditing the read.
    pub async fn get_case(
        &self,
        actor: &Actor,
        id: CaseId,
        now: OffsetDateTime,
    ) -> StoreResult<CaseRecord> {
        let case = load_case(&self.db, id).await?;
        let entry = Entry::new(AuditAction::CaseRead)
            .on("case", id)
            .patient(case.patient_id);
        self.disclose(actor, entry, now).await?;
        Ok(case)
    }

    /// A case and its patient: the top of every page about a case, one read naming the
    /// patient.
    pub async fn case_with_patient(
        &self,
        actor: &Actor,
        id: CaseId,
        now: OffsetDateTime,
    ) -> StoreResult<(CaseRecord, crate::Patient)> {
        let case = load_case(&self.db, id).await?;
        let patient = crate::patients::load_patient(&self.db, case.patient_id).await?;
        let entry = Entry::new(AuditAction::CaseRead)
            .on("case", id)
            .patient(case.patient_id);
        self.disclose(actor, entry, now).await?;
        Ok((case, patient))
    }

    /// A case with its history, consultations, consents, MDT items and bookings: what
    /// its page shows, read in one snapshot and audited as one read naming the patient.
    pub async fn case_file(
        &self,
        actor: &Actor,
        id: CaseId,
        now: OffsetDateTime,
    ) -> StoreResult<CaseFile> {
        let file = self.load_file(id).await?;
        let entry = Entry::new(AuditAction::CaseRead)
            .on("case", id)
            .patient(file.case.patient_id)
            .detail("file");
        self.disclose(actor, entry, now).await?;
        Ok(file)
    }

    /// What a patient document (convocation, preparation, information sheet) prints of a
    /// case: its [`CaseFile`], audited as `document.read` with `document` (its kind and
    /// language) as the detail.
    pub async fn case_document(
        &self,
        actor: &Actor,
        id: CaseId,
        document: &str,
        now: OffsetDateTime,
    ) -> StoreResult<CaseFile> {
        let file = self.load_file(id).await?;
        let entry = Entry::new(AuditAction::DocumentRead)
            .on("case", id)
            .patient(file.case.patient_id)
            .detail(document);
        self.disclose(actor, entry, now).await?;
        Ok(file)
    }

    async fn load_file(&self, id: CaseId) -> StoreResult<CaseFile> {
        let txn = self.db.begin().await?;
        let case = load_case(&txn, id).await?;
        let patient = crate::patients::load_patient(&txn, case.patient_id).await?;
        let file = CaseFile {
            history: history(&txn, id).await?,
            consultations: crate::consultations::of_case(&txn, id).await?,
            consents: crate::consultations::consents_of_case(&txn, id).await?,
            mdt_items: crate::mdt::items_of_case(&txn, id).await?,
            bookings: crate::bookings::of_case(&txn, id).await?,
            case,
            patient,
        };
        txn.commit().await?;
        Ok(file)
    }

    /// A case's history, oldest first.
    pub async fn case_history(
        &self,
        actor: &Actor,
        id: CaseId,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<CaseEventRecord>> {
        let events = history(&self.db, id).await?;
        self.disclose_case(actor, AuditAction::CaseHistoryRead, id, now)
            .await?;
        Ok(events)
    }

    /// Records the read of a part of a case (its history, report, bookings…): an entry
    /// on the case naming its patient, after checking the actor may see that patient.
    pub(crate) async fn disclose_case(
        &self,
        actor: &Actor,
        action: AuditAction,
        id: CaseId,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let patient = patient_of(&self.db, id).await?;
        let entry = Entry::new(action).on("case", id).patient(patient);
        self.disclose(actor, entry, now).await
    }
}

/// The patient a case belongs to; `NotFound` for no such case.
pub(crate) async fn patient_of<C: ConnectionTrait>(db: &C, case: CaseId) -> StoreResult<PatientId> {
    let q = Query::select()
        .column(name("patient_id"))
        .from(name("cases"))
        .and_where(Expr::col(name("id")).eq(case.as_uuid()))
        .to_owned();
    let row = db.query_one(&q).await?.ok_or(StoreError::NotFound)?;
    Ok(PatientId::from_uuid(row.try_get("", "patient_id")?))
}

/// A case and what its page shows, see [`Store::case_file`].
#[derive(Clone, Debug)]
pub struct CaseFile {
    pub case: CaseRecord,
    pub patient: crate::Patient,
    pub history: Vec<CaseEventRecord>,
    pub consultations: Vec<crate::consultations::Consultation>,
    pub consents: Vec<crate::consultations::Consent>,
    pub mdt_items: Vec<crate::mdt::AgendaItem>,
    pub bookings: Vec<crate::bookings::BookingRecord>,
}

pub(crate) async fn history<C: ConnectionTrait>(
    db: &C,
    id: CaseId,
) -> StoreResult<Vec<CaseEventRecord>> {
    let q = Query::select()
        .columns(
            [
                "id",
                "at",
                "username",
                "event",
                "from_status",
                "to_status",
                "detail",
            ]
            .map(name),
        )
        .from(name("case_events"))
        .and_where(Expr::col(name("case_id")).eq(id.as_uuid()))
        .order_by(name("id"), Order::Asc)
        .to_owned();
    let rows = db.query_all(&q).await?;
    rows.iter()
        .map(|r| CaseEventRecord::from_query_result(r, "").map_err(StoreError::from))
        .collect()
}

impl Store {
    /// Applies an event that needs nothing but the case: accept, decline, send to the
    /// MDT, cancel, close, reopen. Other events come with their own records (a
    /// consultation, a decision, a booking, a checklist) through their own methods, and
    /// are refused here as a field error on `event`: a case is never "booked" without its
    /// booking nor "ready" without its checklist.
    pub async fn transition_case(
        &self,
        actor: &Actor,
        id: CaseId,
        event: &CaseEvent,
        now: OffsetDateTime,
    ) -> StoreResult<CaseRecord> {
        let cancel = match event {
            CaseEvent::Cancel { .. } => true,
            CaseEvent::Accept
            | CaseEvent::Decline { .. }
            | CaseEvent::SendToMdt
            | CaseEvent::Close
            | CaseEvent::Reopen { .. } => false,
            _ => {
                return Err(StoreError::Invalid(Invalid::one(
                    "event",
                    Problem::NotOneOf {
                        allowed: vec![
                            "accept",
                            "decline",
                            "send_to_mdt",
                            "cancel",
                            "close",
                            "reopen",
                        ],
                    },
                )));
            }
        };
        let txn = self.db.begin().await?;
        // Cancelling a case cancels its booking: a booking change, so it takes the
        // booking lock first, like every other one (a move of that booking waits, then
        // finds it cancelled).
        if cancel {
            crate::bookings::lock_bookings(&txn).await?;
        }
        let case = lock_case(&txn, id, now).await?;
        if matches!(event, CaseEvent::Close) && case.status == CaseStatus::FollowUp {
            crate::followups::ensure_complete(&txn, id).await?;
        }
        apply_event(&txn, actor, &case, event, now).await?;
        if cancel {
            crate::bookings::cancel_active_bookings(&txn, actor, id, "case cancelled", now).await?;
            // Consultations still to come no longer hold their clinicians' time.
            let consultations = Query::update()
                .table(name("consultations"))
                .value(name("status"), "cancelled")
                .value(name("version"), Expr::col(name("version")).add(1))
                .and_where(Expr::col(name("case_id")).eq(id.as_uuid()))
                .and_where(Expr::col(name("status")).eq("booked"))
                .to_owned();
            txn.execute(&consultations).await?;
        }
        let case = load_case(&txn, id).await?;
        txn.commit().await?;
        Ok(case)
    }

    /// Plans the procedure after a consultation, without an MDT; `procedure` changes the
    /// planned type (its current version), else the case keeps the version it has.
    pub async fn plan_procedure(
        &self,
        actor: &Actor,
        id: CaseId,
        procedure: Option<&ProcedureCode>,
        now: OffsetDateTime,
    ) -> StoreResult<CaseRecord> {
        let txn = self.db.begin().await?;
        let case = lock_case(&txn, id, now).await?;
        apply_event(&txn, actor, &case, &CaseEvent::PlanProcedure, now).await?;
        if let Some(code) = procedure {
            let (_, version) = resolve_procedure(&txn, code, "procedure").await?;
            set_planned_version(&txn, id, version).await?;
        }
        let case = load_case(&txn, id).await?;
        txn.commit().await?;
        Ok(case)
    }

    /// One worklist, most urgent first, then the longest waiting since referral; at most
    /// `limit` from `offset`, with the total count. Audited as one list entry.
    pub async fn worklist(
        &self,
        actor: &Actor,
        list: Worklist,
        limit: u64,
        offset: u64,
        now: OffsetDateTime,
    ) -> StoreResult<(Vec<CaseSummary>, u64)> {
        let status = list.status().code();
        let mut q = select_summaries()
            .and_where(Expr::col((name("c"), name("status"))).eq(status))
            .order_by((name("c"), name("urgency_rank")), Order::Asc)
            .order_by((name("c"), name("referred_at")), Order::Asc)
            // A total order, so that pages neither repeat nor skip a case.
            .order_by((name("c"), name("id")), Order::Asc)
            .limit(limit.clamp(1, 500))
            .offset(offset)
            .to_owned();
        let mut count = Query::select()
            .expr_as(Expr::col(name("id")).count(), name("n"))
            .from(name("cases"))
            .and_where(Expr::col(name("status")).eq(status))
            .to_owned();
        if let Some(scope) = scope_condition(actor, (name("c"), name("patient_id")), now) {
            q.cond_where(scope);
        }
        if let Some(scope) = scope_condition(actor, name("patient_id"), now) {
            count.cond_where(scope);
        }
        let rows = self.db.query_all(&q).await?;
        let cases = summaries(&rows)?;
        let total: i64 = match self.db.query_one(&count).await? {
            Some(row) => row.try_get("", "n")?,
            None => 0,
        };
        self.disclose(
            actor,
            list_entry(&format!("worklist={status}"), &cases),
            now,
        )
        .await?;
        Ok((cases, u64::try_from(total).unwrap_or(0)))
    }

    /// A patient's cases, newest first. Audited as a list naming the patient.
    pub async fn patient_cases(
        &self,
        actor: &Actor,
        patient: PatientId,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<CaseSummary>> {
        let q = select_summaries()
            .and_where(Expr::col((name("c"), name("patient_id"))).eq(patient.as_uuid()))
            .order_by((name("c"), name("referred_at")), Order::Desc)
            .order_by((name("c"), name("id")), Order::Desc)
            .limit(200)
            .to_owned();
        let cases = summaries(&self.db.query_all(&q).await?)?;
        let entry = list_entry("patient cases", &cases)
            .on("patient", patient)
            .patient(patient);
        self.disclose(actor, entry, now).await?;
        Ok(cases)
    }
}

pub(crate) async fn set_planned_version<C: ConnectionTrait>(
    db: &C,
    id: CaseId,
    version: ProcedureVersionId,
) -> StoreResult<()> {
    let update = Query::update()
        .table(name("cases"))
        .value(name("planned_version_id"), version.as_uuid())
        .and_where(Expr::col(name("id")).eq(id.as_uuid()))
        .to_owned();
    db.execute(&update).await?;
    Ok(())
}
