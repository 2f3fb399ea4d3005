//! The audit log names the patients: every entry records each patient whose data it
//! exposed or changed (a search's page of results and a worklist's rows included), in
//! `audit_patients`, so that "who saw or changed this patient" is one indexed query. An
//! entry also records the route it came through (`via`). Emergency access ("break the
//! glass") to one patient for a limited time is kept in `access_grants`.
//!
//! All three are append-only in the database itself, like the log.

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;

use super::{a, index, text, text_null, ts, uuid, uuid_pk};

pub struct M0005Audit;

impl MigrationName for M0005Audit {
    fn name(&self) -> &str {
        "m0005_audit"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0005Audit {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("audit_log"))
                .add_column(text_null("via", 120))
                .to_owned(),
        )
        .await?;
        // Keyed by patient first: the question asked of it is "this patient's entries,
        // newest first". No foreign key to `audit_log`: both are append-only and written
        // together by the store, and the key would cost every audit write a lookup.
        let mut links = Table::create()
            .table(a("audit_patients"))
            .col(uuid("patient_id"))
            .col(ColumnDef::new(a("entry_id")).big_integer().not_null())
            .primary_key(Index::create().col(a("patient_id")).col(a("entry_id")))
            .to_owned();
        if m.get_database_backend() == sea_orm::DbBackend::Sqlite {
            // The key is the table: one B-tree written per link, not a rowid table and
            // its index.
            links.extra("WITHOUT ROWID");
        }
        m.create_table(links).await?;

        m.create_table(
            Table::create()
                .table(a("access_grants"))
                .col(uuid_pk("id"))
                .col(uuid("user_id"))
                .col(uuid("patient_id"))
                .col(ColumnDef::new(a("reason")).text().not_null())
                .col(ts("granted_at"))
                .col(ts("expires_at"))
                .col(text("username", 64))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "access_grants",
            "access_grants_user",
            &["user_id", "patient_id", "expires_at"],
        ))
        .await?;
        m.create_index(index(
            "access_grants",
            "access_grants_time",
            &["granted_at"],
        ))
        .await?;

        // A referring physician's patients: the cases they referred, the records they
        // registered.
        m.create_index(index(
            "cases",
            "cases_referred_by",
            &["referred_by", "patient_id"],
        ))
        .await?;
        m.create_index(index(
            "patients",
            "patients_created_by",
            &["created_by", "id"],
        ))
        .await?;

        let db = m.get_connection();
        let tables = ["audit_patients", "access_grants"];
        match m.get_database_backend() {
            sea_orm::DbBackend::Postgres => {
                // `history_is_append_only()` comes from m0002.
                for table in tables {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} \
                         FOR EACH ROW EXECUTE FUNCTION history_is_append_only()"
                    ))
                    .await?;
                }
            }
            _ => {
                for table in tables {
                    for op in ["UPDATE", "DELETE"] {
                        db.execute_unprepared(&format!(
                            "CREATE TRIGGER {table}_no_{op} BEFORE {op} ON {table} \
                             BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                        ))
                        .await?;
                    }
                }
            }
        }
        Ok(())
    }
}
