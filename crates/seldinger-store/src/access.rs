//! Least privilege over patients. The department's clinical roles read every patient; a
//! referring physician ([`Actor::is_scoped`]) reads only the patients in their scope:
//! those they registered, those they referred, and those opened to them by an emergency
//! access ("break the glass": a stated reason, a limited time, audited as such and
//! listed for the quality officer).
//!
//! The check sits where patient data leaves the store ([`Store::disclose`]): a read of
//! one record outside the scope is refused (`Forbidden`, and the refusal is audited);
//! lists and searches select within the scope ([`scope_condition`]), so a page is never
//! short of rows it could have shown.

use std::collections::HashSet;

use sea_orm::sea_query::{Cond, Expr, ExprTrait, IntoColumnRef, Query, SelectStatement};
use sea_orm::{ConnectionTrait, FromQueryResult, TransactionTrait};
use seldinger_domain::audit::{Actor, AuditAction};
use seldinger_domain::{PatientId, UserId};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::audit::Entry;
use crate::{Store, StoreError, StoreResult, name};

/// How long an emergency access stays open.
pub const EMERGENCY_ACCESS: Duration = Duration::hours(4);

/// The shortest reason an emergency access accepts: a word is not a reason.
const REASON_MIN_CHARS: usize = 10;

/// An emergency access, as the quality officer's list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmergencyAccess {
    pub id: Uuid,
    pub user_id: UserId,
    pub username: String,
    pub patient_id: PatientId,
    pub reason: String,
    pub granted_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

#[derive(FromQueryResult)]
struct GrantRow {
    id: Uuid,
    user_id: Uuid,
    username: String,
    patient_id: Uuid,
    reason: String,
    granted_at: OffsetDateTime,
    expires_at: OffsetDateTime,
}

impl From<GrantRow> for EmergencyAccess {
    fn from(r: GrantRow) -> Self {
        Self {
            id: r.id,
            user_id: UserId::from_uuid(r.user_id),
            username: r.username,
            patient_id: PatientId::from_uuid(r.patient_id),
            reason: r.reason,
            granted_at: r.granted_at,
            expires_at: r.expires_at,
        }
    }
}

/// The patients `user` may read, as one subquery of ids: registered by them, referred by
/// them, or opened to them until later than `now`.
fn scope_ids(user: Uuid, now: OffsetDateTime) -> [SelectStatement; 3] {
    [
        Query::select()
            .column(name("id"))
            .from(name("patients"))
            .and_where(Expr::col(name("created_by")).eq(user))
            .to_owned(),
        Query::select()
            .column(name("patient_id"))
            .from(name("cases"))
            .and_where(Expr::col(name("referred_by")).eq(user))
            .to_owned(),
        Query::select()
            .column(name("patient_id"))
            .from(name("access_grants"))
            .and_where(Expr::col(name("user_id")).eq(user))
            .and_where(Expr::col(name("expires_at")).gt(now))
            .to_owned(),
    ]
}

/// The condition a list adds so that a scoped actor sees only their patients, the
/// patient id being `patient_col`; `None` for every other actor.
pub(crate) fn scope_condition(
    actor: &Actor,
    patient_col: impl IntoColumnRef + Clone,
    now: OffsetDateTime,
) -> Option<Cond> {
    if !actor.is_scoped() {
        return None;
    }
    let now = crate::utc(now);
    // A scoped actor without an account id (none exists today) sees nobody.
    let Some(user) = actor.user_id else {
        return Some(Cond::all().add(Expr::val(1).eq(0)));
    };
    let mut any = Cond::any();
    for ids in scope_ids(user.as_uuid(), now) {
        any = any.add(Expr::col(patient_col.clone()).in_subquery(ids));
    }
    Some(any)
}

/// Which of `patients` `actor` may read (all of them, for an actor who is not scoped).
pub(crate) async fn in_scope<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    patients: impl IntoIterator<Item = PatientId>,
    now: OffsetDateTime,
) -> StoreResult<HashSet<PatientId>> {
    let patients: HashSet<PatientId> = patients.into_iter().collect();
    let Some(scope) = scope_condition(actor, (name("p"), name("id")), now) else {
        return Ok(patients);
    };
    if patients.is_empty() {
        return Ok(patients);
    }
    let q = Query::select()
        .column((name("p"), name("id")))
        .from_as(name("patients"), name("p"))
        .and_where(Expr::col((name("p"), name("id"))).is_in(patients.iter().map(|p| p.as_uuid())))
        .cond_where(scope)
        .to_owned();
    db.query_all(&q)
        .await?
        .iter()
        .map(|row| Ok(PatientId::from_uuid(row.try_get("", "id")?)))
        .collect()
}

/// `Forbidden` unless `actor` may read every one of `patients`.
pub(crate) async fn ensure_in_scope<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    patients: &[PatientId],
    now: OffsetDateTime,
) -> StoreResult<()> {
    if !actor.is_scoped() || patients.is_empty() {
        return Ok(());
    }
    let allowed = in_scope(db, actor, patients.iter().copied(), now).await?;
    match patients.iter().find(|p| !allowed.contains(p)) {
        None => Ok(()),
        Some(refused) => Err(StoreError::Forbidden(Some(*refused))),
    }
}

impl Store {
    /// Opens one patient to a scoped actor for [`EMERGENCY_ACCESS`], with a reason.
    /// Audited as `access.emergency` naming the patient; listed by
    /// [`Store::emergency_accesses`]. Refused (`Invalid`, field `reason`) without a
    /// reason, and (`NotFound`) for a patient that does not exist. For an actor who reads
    /// every patient anyway, nothing is opened and nothing needs to be.
    pub async fn open_emergency_access(
        &self,
        actor: &Actor,
        patient: PatientId,
        reason: &str,
        now: OffsetDateTime,
    ) -> StoreResult<EmergencyAccess> {
        // A reason as every other (free text: no control characters, which PostgreSQL
        // could not even store), and long enough to say something.
        let invalid =
            |problem| StoreError::Invalid(seldinger_domain::Invalid::one("reason", problem));
        let reason = seldinger_domain::case::reason(reason).map_err(|e| invalid(e.problem))?;
        if reason.chars().count() < REASON_MIN_CHARS {
            return Err(invalid(seldinger_domain::invalid::Problem::TooShort {
                min: REASON_MIN_CHARS,
            }));
        }
        let reason = reason.as_str();
        let Some(user) = actor.user_id else {
            return Err(StoreError::Forbidden(None));
        };
        let txn = self.db.begin().await?;
        let exists = Query::select()
            .column(name("id"))
            .from(name("patients"))
            .and_where(Expr::col(name("id")).eq(patient.as_uuid()))
            .and_where(Expr::col(name("deleted_at")).is_null())
            .to_owned();
        if txn.query_one(&exists).await?.is_none() {
            return Err(StoreError::NotFound);
        }
        let now = crate::utc(now);
        let grant = EmergencyAccess {
            id: Uuid::now_v7(),
            user_id: user,
            username: actor.username.clone(),
            patient_id: patient,
            reason: reason.to_string(),
            granted_at: now,
            expires_at: now + EMERGENCY_ACCESS,
        };
        let insert = Query::insert()
            .into_table(name("access_grants"))
            .columns(
                [
                    "id",
                    "user_id",
                    "patient_id",
                    "reason",
                    "granted_at",
                    "expires_at",
                    "username",
                ]
                .map(name),
            )
            .values_panic([
                grant.id.into(),
                user.as_uuid().into(),
                patient.as_uuid().into(),
                grant.reason.clone().into(),
                grant.granted_at.into(),
                grant.expires_at.into(),
                grant.username.clone().into(),
            ])
            .to_owned();
        txn.execute(&insert).await?;
        crate::audit::append(
            &txn,
            actor,
            Entry::new(AuditAction::EmergencyAccess)
                .on("patient", patient)
                .patient(patient)
                .detail(format!(
                    "access/{} until {}",
                    grant.id,
                    crate::codec::rfc3339_seconds(grant.expires_at)
                )),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(grant)
    }

    /// Emergency accesses opened since `since`, newest first — the quality officer's list.
    /// Names the patients it shows, like any list.
    pub async fn emergency_accesses(
        &self,
        actor: &Actor,
        since: OffsetDateTime,
        limit: u64,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<EmergencyAccess>> {
        let q = Query::select()
            .columns(
                [
                    "id",
                    "user_id",
                    "username",
                    "patient_id",
                    "reason",
                    "granted_at",
                    "expires_at",
                ]
                .map(name),
            )
            .from(name("access_grants"))
            .and_where(Expr::col(name("granted_at")).gte(since))
            .order_by(name("granted_at"), sea_orm::sea_query::Order::Desc)
            .order_by(name("id"), sea_orm::sea_query::Order::Desc)
            .limit(limit.clamp(1, 500))
            .to_owned();
        let grants = self
            .db
            .query_all(&q)
            .await?
            .iter()
            .map(|r| GrantRow::from_query_result(r, "").map(EmergencyAccess::from))
            .collect::<Result<Vec<_>, _>>()?;
        self.disclose(
            actor,
            Entry::new(AuditAction::EmergencyAccessList)
                .patients(grants.iter().map(|g| g.patient_id))
                .detail(format!("list results={}", grants.len())),
            now,
        )
        .await?;
        Ok(grants)
    }

    /// The emergency accesses of `actor` open now, for the patient (the page shows that
    /// the record is open through one, and until when).
    pub async fn open_access(
        &self,
        actor: &Actor,
        patient: PatientId,
        now: OffsetDateTime,
    ) -> StoreResult<Option<OffsetDateTime>> {
        let Some(user) = actor.user_id else {
            return Ok(None);
        };
        let q = Query::select()
            .expr_as(Expr::col(name("expires_at")).max(), name("until"))
            .from(name("access_grants"))
            .and_where(Expr::col(name("user_id")).eq(user.as_uuid()))
            .and_where(Expr::col(name("patient_id")).eq(patient.as_uuid()))
            .and_where(Expr::col(name("expires_at")).gt(now))
            .to_owned();
        match self.db.query_one(&q).await? {
            Some(row) => Ok(row.try_get("", "until")?),
            None => Ok(None),
        }
    }
}
