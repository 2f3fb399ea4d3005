//! The patients an audit entry names are written with the entry, in `audit_log.patients`
//! (their ids, space-separated): one appended row per entry, whatever the number of
//! patients a search or a worklist showed. `audit_patients`, the index keyed by patient,
//! becomes derived data that the store builds in the background, in batches sorted by
//! key; `audit_backlog` holds the entries not yet in it (a trigger adds every entry that
//! names a patient, in the same statement as the entry). "Who saw this patient" reads the
//! index and the backlog (see `audit::Store::list_audit`), so an entry is found from the
//! moment it is written. The same design as PostgreSQL's GIN "pending list".
//!
//! Entries written before this migration (m0005 was never released) keep their patients
//! in `audit_patients` only: they are found by patient, but list none.

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;

use super::{a, big};

pub struct M0006AuditBacklog;

impl MigrationName for M0006AuditBacklog {
    fn name(&self) -> &str {
        "m0006_audit_backlog"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0006AuditBacklog {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("audit_log"))
                .add_column(ColumnDef::new(a("patients")).text().null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("audit_backlog"))
                .col(big("entry_id").primary_key())
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        match m.get_database_backend() {
            sea_orm::DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE FUNCTION audit_log_to_backlog() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN INSERT INTO audit_backlog (entry_id) VALUES (NEW.id); RETURN NULL; END $$",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER audit_log_backlog AFTER INSERT ON audit_log FOR EACH ROW \
                     WHEN (NEW.patients IS NOT NULL) EXECUTE FUNCTION audit_log_to_backlog()",
                )
                .await?;
            }
            _ => {
                db.execute_unprepared(
                    "CREATE TRIGGER audit_log_backlog AFTER INSERT ON audit_log \
                     WHEN NEW.patients IS NOT NULL \
                     BEGIN INSERT INTO audit_backlog (entry_id) VALUES (NEW.id); END",
                )
                .await?;
            }
        }
        Ok(())
    }
}
