//! The procedure catalog: types and their versions. An edit never changes a version: it
//! adds the next one and points the type at it, so a case planned with version 3 still
//! reads version 3.

use sea_orm::sea_query::{Expr, ExprTrait, JoinType, Order, Query};
use sea_orm::{ConnectionTrait, FromQueryResult, TransactionTrait};
use seldinger_domain::audit::{Actor, AuditAction};
use seldinger_domain::catalog::{BleedingRisk, ProcedureCode, ProcedureType};
use seldinger_domain::checklist::Thresholds;
use seldinger_domain::{ProcedureTypeId, ProcedureVersionId};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::audit::{Entry, append};
use crate::{Conflict, Store, StoreError, StoreResult, name};

/// A procedure type at its current version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcedureTypeRecord {
    pub id: ProcedureTypeId,
    pub version_id: ProcedureVersionId,
    pub version: i32,
    pub active: bool,
    pub definition: ProcedureType,
    pub updated_at: OffsetDateTime,
}

/// One version of a procedure type, as a case was planned with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcedureVersion {
    pub id: ProcedureVersionId,
    pub type_id: ProcedureTypeId,
    pub version: i32,
    pub definition: ProcedureType,
    pub created_at: OffsetDateTime,
}

#[derive(FromQueryResult)]
struct TypeRow {
    id: Uuid,
    current_version_id: Uuid,
    current_version: i32,
    active: bool,
    definition: String,
    updated_at: OffsetDateTime,
}

#[derive(FromQueryResult)]
struct VersionRow {
    id: Uuid,
    procedure_type_id: Uuid,
    version: i32,
    definition: String,
    created_at: OffsetDateTime,
}

pub(crate) fn definition(raw: &str) -> StoreResult<ProcedureType> {
    serde_json::from_str(raw)
        .map_err(|e| StoreError::Other(format!("stored procedure definition: {e}")))
}

impl TypeRow {
    fn into_record(self) -> StoreResult<ProcedureTypeRecord> {
        Ok(ProcedureTypeRecord {
            id: ProcedureTypeId::from_uuid(self.id),
            version_id: ProcedureVersionId::from_uuid(self.current_version_id),
            version: self.current_version,
            active: self.active,
            definition: definition(&self.definition)?,
            updated_at: self.updated_at,
        })
    }
}

impl VersionRow {
    fn into_version(self) -> StoreResult<ProcedureVersion> {
        Ok(ProcedureVersion {
            id: ProcedureVersionId::from_uuid(self.id),
            type_id: ProcedureTypeId::from_uuid(self.procedure_type_id),
            version: self.version,
            definition: definition(&self.definition)?,
            created_at: self.created_at,
        })
    }
}

fn select_types() -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .columns(
            [
                "id",
                "current_version_id",
                "current_version",
                "active",
                "updated_at",
            ]
            .map(|c| (name("t"), name(c))),
        )
        .column((name("v"), name("definition")))
        .from_as(name("procedure_types"), name("t"))
        .join_as(
            JoinType::InnerJoin,
            name("procedure_type_versions"),
            name("v"),
            Expr::col((name("v"), name("id"))).equals((name("t"), name("current_version_id"))),
        )
        .to_owned()
}

async fn insert_version<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    type_id: Uuid,
    version: i32,
    def: &ProcedureType,
    by: Option<Uuid>,
    now: OffsetDateTime,
) -> StoreResult<()> {
    let json = serde_json::to_string(def).map_err(|e| StoreError::Other(e.to_string()))?;
    let insert = Query::insert()
        .into_table(name("procedure_type_versions"))
        .columns(
            [
                "id",
                "procedure_type_id",
                "version",
                "code",
                "name_fr",
                "name_en",
                "definition",
                "created_at",
                "created_by",
            ]
            .map(name),
        )
        .values_panic([
            id.into(),
            type_id.into(),
            version.into(),
            def.code.as_str().into(),
            def.name.fr.clone().into(),
            def.name.en.clone().into(),
            json.into(),
            now.into(),
            by.into(),
        ])
        .to_owned();
    db.execute(&insert).await?;
    Ok(())
}

impl Store {
    /// Every procedure type at its current version, by code; withdrawn ones only when
    /// asked for.
    pub async fn list_procedure_types(
        &self,
        include_inactive: bool,
    ) -> StoreResult<Vec<ProcedureTypeRecord>> {
        let mut q = select_types();
        q.order_by((name("t"), name("code")), Order::Asc);
        if !include_inactive {
            q.and_where(Expr::col((name("t"), name("active"))).eq(true));
        }
        let rows = self.db.query_all(&q).await?;
        rows.iter()
            .map(|r| TypeRow::from_query_result(r, "")?.into_record())
            .collect()
    }

    /// One procedure type at its current version.
    pub async fn procedure_type(&self, id: ProcedureTypeId) -> StoreResult<ProcedureTypeRecord> {
        let q = select_types()
            .and_where(Expr::col((name("t"), name("id"))).eq(id.as_uuid()))
            .to_owned();
        let row = self.db.query_one(&q).await?.ok_or(StoreError::NotFound)?;
        TypeRow::from_query_result(&row, "")?.into_record()
    }

    /// The procedure type with this code.
    pub async fn procedure_type_by_code(
        &self,
        code: &ProcedureCode,
    ) -> StoreResult<ProcedureTypeRecord> {
        let q = select_types()
            .and_where(Expr::col((name("t"), name("code"))).eq(code.as_str()))
            .to_owned();
        let row = self.db.query_one(&q).await?.ok_or(StoreError::NotFound)?;
        TypeRow::from_query_result(&row, "")?.into_record()
    }

    /// Every version of a type, newest first.
    pub async fn procedure_versions(
        &self,
        id: ProcedureTypeId,
    ) -> StoreResult<Vec<ProcedureVersion>> {
        let q = Query::select()
            .columns(
                [
                    "id",
                    "procedure_type_id",
                    "version",
                    "definition",
                    "created_at",
                ]
                .map(name),
            )
            .from(name("procedure_type_versions"))
            .and_where(Expr::col(name("procedure_type_id")).eq(id.as_uuid()))
            .order_by(name("version"), Order::Desc)
            .to_owned();
        let rows = self.db.query_all(&q).await?;
        rows.iter()
            .map(|r| VersionRow::from_query_result(r, "")?.into_version())
            .collect()
    }

    /// One version, whatever the type's current one is.
    pub async fn procedure_version(&self, id: ProcedureVersionId) -> StoreResult<ProcedureVersion> {
        procedure_version(&self.db, id).await
    }

    /// Adds a procedure type (version 1). A taken code is `Duplicate { field: "code" }`.
    pub async fn create_procedure_type(
        &self,
        actor: &Actor,
        def: &ProcedureType,
        now: OffsetDateTime,
    ) -> StoreResult<ProcedureTypeRecord> {
        let by = actor.user_id.map(|u| u.as_uuid());
        let type_id = Uuid::now_v7();
        let version_id = Uuid::now_v7();
        let txn = self.db.begin().await?;
        // The version row points at the type: the type goes first, with the id of its
        // first version known in advance.
        let insert = Query::insert()
            .into_table(name("procedure_types"))
            .columns(
                [
                    "id",
                    "code",
                    "current_version",
                    "current_version_id",
                    "active",
                    "created_at",
                    "updated_at",
                ]
                .map(name),
            )
            .values_panic([
                type_id.into(),
                def.code.as_str().into(),
                1.into(),
                version_id.into(),
                true.into(),
                now.into(),
                now.into(),
            ])
            .to_owned();
        txn.execute(&insert)
            .await
            .map_err(|e| StoreError::from_db(e, "code"))?;
        insert_version(&txn, version_id, type_id, 1, def, by, now).await?;
        append(
            &txn,
            actor,
            Entry::new(AuditAction::CatalogUpdate)
                .on("procedure_type", type_id)
                .detail(format!("create {} v1", def.code)),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(ProcedureTypeRecord {
            id: ProcedureTypeId::from_uuid(type_id),
            version_id: ProcedureVersionId::from_uuid(version_id),
            version: 1,
            active: true,
            definition: def.clone(),
            updated_at: now,
        })
    }

    /// Saves an edit as the next version, if `expected_version` is still current.
    /// `active: false` withdraws the type from new referrals (cases keep their version).
    pub async fn update_procedure_type(
        &self,
        actor: &Actor,
        id: ProcedureTypeId,
        expected_version: i32,
        def: &ProcedureType,
        active: bool,
        now: OffsetDateTime,
    ) -> StoreResult<ProcedureTypeRecord> {
        let by = actor.user_id.map(|u| u.as_uuid());
        let next = crate::next_version(expected_version);
        let txn = self.db.begin().await?;
        // The write comes first, so that concurrent edits serialise on it.
        let bump = Query::update()
            .table(name("procedure_types"))
            .value(name("current_version"), next)
            .value(name("code"), def.code.as_str())
            .value(name("active"), active)
            .value(name("updated_at"), now)
            .and_where(Expr::col(name("id")).eq(id.as_uuid()))
            .and_where(Expr::col(name("current_version")).eq(expected_version))
            .to_owned();
        let updated = txn
            .execute(&bump)
            .await
            .map_err(|e| StoreError::from_db(e, "code"))?;
        if updated.rows_affected() == 0 {
            let current = Query::select()
                .column(name("current_version"))
                .from(name("procedure_types"))
                .and_where(Expr::col(name("id")).eq(id.as_uuid()))
                .to_owned();
            return Err(match txn.query_one(&current).await? {
                Some(row) => StoreError::Conflict(Conflict::StaleVersion {
                    current: i64::from(row.try_get::<i32>("", "current_version")?),
                }),
                None => StoreError::NotFound,
            });
        }
        let version_id = Uuid::now_v7();
        insert_version(&txn, version_id, id.as_uuid(), next, def, by, now).await?;
        let point = Query::update()
            .table(name("procedure_types"))
            .value(name("current_version_id"), version_id)
            .and_where(Expr::col(name("id")).eq(id.as_uuid()))
            .to_owned();
        txn.execute(&point).await?;
        append(
            &txn,
            actor,
            Entry::new(AuditAction::CatalogUpdate)
                .on("procedure_type", id)
                .detail(format!(
                    "{} v{next}{}",
                    def.code,
                    if active { "" } else { " withdrawn" }
                )),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(ProcedureTypeRecord {
            id,
            version_id: ProcedureVersionId::from_uuid(version_id),
            version: next,
            active,
            definition: def.clone(),
            updated_at: now,
        })
    }
}

/// The checklist thresholds of one bleeding-risk category, with their version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThresholdsRecord {
    pub thresholds: Thresholds,
    pub version: i64,
    pub updated_at: OffsetDateTime,
}

impl Store {
    /// Both categories' thresholds, low risk first.
    pub async fn thresholds(&self) -> StoreResult<Vec<ThresholdsRecord>> {
        let q = Query::select()
            .columns(["bleeding_risk", "definition", "version", "updated_at"].map(name))
            .from(name("checklist_thresholds"))
            .to_owned();
        let mut records = self
            .db
            .query_all(&q)
            .await?
            .iter()
            .map(threshold_row)
            .collect::<StoreResult<Vec<_>>>()?;
        records.sort_by_key(|r| r.thresholds.bleeding_risk);
        Ok(records)
    }

    /// Replaces one category's thresholds if `expected_version` is still current.
    pub async fn update_thresholds(
        &self,
        actor: &Actor,
        expected_version: i64,
        thresholds: &Thresholds,
        now: OffsetDateTime,
    ) -> StoreResult<ThresholdsRecord> {
        let risk = thresholds.bleeding_risk.code();
        let json =
            serde_json::to_string(thresholds).map_err(|e| StoreError::Other(e.to_string()))?;
        let txn = self.db.begin().await?;
        let update = Query::update()
            .table(name("checklist_thresholds"))
            .value(name("definition"), json)
            .value(name("version"), crate::next_version(expected_version))
            .value(name("updated_at"), now)
            .value(name("updated_by"), actor.user_id.map(|u| u.as_uuid()))
            .and_where(Expr::col(name("bleeding_risk")).eq(risk))
            .and_where(Expr::col(name("version")).eq(expected_version))
            .to_owned();
        if txn.execute(&update).await?.rows_affected() == 0 {
            let current = Query::select()
                .column(name("version"))
                .from(name("checklist_thresholds"))
                .and_where(Expr::col(name("bleeding_risk")).eq(risk))
                .to_owned();
            return Err(match txn.query_one(&current).await? {
                Some(row) => StoreError::Conflict(Conflict::StaleVersion {
                    current: row.try_get("", "version")?,
                }),
                None => StoreError::NotFound,
            });
        }
        append(
            &txn,
            actor,
            Entry::new(AuditAction::ThresholdUpdate).on("thresholds", risk),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(ThresholdsRecord {
            thresholds: thresholds.clone(),
            version: crate::next_version(expected_version),
            updated_at: now,
        })
    }
}

fn threshold_row(row: &sea_orm::QueryResult) -> StoreResult<ThresholdsRecord> {
    let raw: String = row.try_get("", "definition")?;
    Ok(ThresholdsRecord {
        thresholds: serde_json::from_str(&raw)
            .map_err(|e| StoreError::Other(format!("stored thresholds: {e}")))?,
        version: row.try_get("", "version")?,
        updated_at: row.try_get("", "updated_at")?,
    })
}

/// The thresholds of one category, inside a transaction.
pub(crate) async fn thresholds_for<C: ConnectionTrait>(
    db: &C,
    risk: BleedingRisk,
) -> StoreResult<Thresholds> {
    let q = Query::select()
        .columns(["bleeding_risk", "definition", "version", "updated_at"].map(name))
        .from(name("checklist_thresholds"))
        .and_where(Expr::col(name("bleeding_risk")).eq(risk.code()))
        .to_owned();
    let row = db.query_one(&q).await?.ok_or(StoreError::NotFound)?;
    Ok(threshold_row(&row)?.thresholds)
}

pub(crate) async fn procedure_version<C: ConnectionTrait>(
    db: &C,
    id: ProcedureVersionId,
) -> StoreResult<ProcedureVersion> {
    let q = Query::select()
        .columns(
            [
                "id",
                "procedure_type_id",
                "version",
                "definition",
                "created_at",
            ]
            .map(name),
        )
        .from(name("procedure_type_versions"))
        .and_where(Expr::col(name("id")).eq(id.as_uuid()))
        .to_owned();
    let row = db.query_one(&q).await?.ok_or(StoreError::NotFound)?;
    VersionRow::from_query_result(&row, "")?.into_version()
}

/// The current version of the type with `code`, for a referral or a decision; `None`
/// when no such type exists. Withdrawn types are returned with `active: false`.
pub(crate) async fn current_by_code<C: ConnectionTrait>(
    db: &C,
    code: &ProcedureCode,
) -> StoreResult<Option<(ProcedureTypeId, ProcedureVersionId, bool)>> {
    let q = Query::select()
        .columns(["id", "current_version_id", "active"].map(name))
        .from(name("procedure_types"))
        .and_where(Expr::col(name("code")).eq(code.as_str()))
        .to_owned();
    match db.query_one(&q).await? {
        Some(row) => Ok(Some((
            ProcedureTypeId::from_uuid(row.try_get("", "id")?),
            ProcedureVersionId::from_uuid(row.try_get("", "current_version_id")?),
            row.try_get("", "active")?,
        ))),
        None => Ok(None),
    }
}
