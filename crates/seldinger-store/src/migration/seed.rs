//! Data the pathway migration starts with: the procedure catalog (version 1 of each
//! type, from the domain's seed, `catalog_seed.json`) and the checklist thresholds.
//! Both are edited in the application afterwards, each edit a new version. The seed file
//! belongs to this migration: types added later come with migrations of their own.

use sea_orm_migration::prelude::*;
use time::OffsetDateTime;
use uuid::Uuid;

fn a(name: &'static str) -> Alias {
    Alias::new(name)
}

/// The default checklist thresholds (SIR 2019, ESUR 2018), one row per bleeding risk.
pub(super) async fn thresholds(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let now = OffsetDateTime::now_utc();
    for t in seldinger_domain::checklist::Thresholds::defaults() {
        let definition = serde_json::to_string(&t).map_err(|e| DbErr::Migration(e.to_string()))?;
        m.exec_stmt(
            Query::insert()
                .into_table(a("checklist_thresholds"))
                .columns(["bleeding_risk", "definition", "version", "updated_at"].map(a))
                .values_panic([
                    t.bleeding_risk.code().into(),
                    definition.into(),
                    1i64.into(),
                    now.into(),
                ])
                .to_owned(),
        )
        .await?;
    }
    Ok(())
}

pub(super) async fn catalog(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let types = seldinger_domain::catalog::seed().map_err(DbErr::Migration)?;
    let now = OffsetDateTime::now_utc();
    for t in types {
        let type_id = Uuid::now_v7();
        let version_id = Uuid::now_v7();
        let definition = serde_json::to_string(&t).map_err(|e| DbErr::Migration(e.to_string()))?;
        m.exec_stmt(
            Query::insert()
                .into_table(a("procedure_types"))
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
                    .map(a),
                )
                .values_panic([
                    type_id.into(),
                    t.code.as_str().into(),
                    1.into(),
                    version_id.into(),
                    true.into(),
                    now.into(),
                    now.into(),
                ])
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table(a("procedure_type_versions"))
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
                    .map(a),
                )
                .values_panic([
                    version_id.into(),
                    type_id.into(),
                    1.into(),
                    t.code.as_str().into(),
                    t.name.fr.as_str().into(),
                    t.name.en.as_str().into(),
                    definition.into(),
                    now.into(),
                    Option::<Uuid>::None.into(),
                ])
                .to_owned(),
        )
        .await?;
    }
    Ok(())
}
