//! Embedded schema migrations. An applied migration is never edited: a change of schema
//! is a new migration appended to [`Migrator::migrations`].
//!
//! - `m0001_foundation`: users, API tokens, sessions, patients, their name tokens and the
//!   audit log.
//! - `m0002_pathway`: the catalog (versioned procedure types, checklist thresholds),
//!   resources (rooms, equipment, bed units, staff availability), cases with their
//!   history, consultations and consent, MDT meetings, bookings, checklists and time-outs.
//! - `m0003_outcomes`: reports and addenda, specimens and pathology results, adverse
//!   events, follow-up.
//! - `m0004_accounts`: the accounts lock (an active administrator always remains),
//!   `users.must_change_password`, API token labels.
//! - `m0005_audit`: the patients each audit entry names (`audit_patients`), the route it
//!   came through, emergency access grants.
//! - `m0006_audit_backlog`: an entry's patients written with it; `audit_patients` built
//!   in the background from `audit_backlog`.
//!
//! Tables are keyed by UUIDv7, with `version` where people edit; every patient-related
//! row is reachable from `patients.id`. Histories (audit log, case events, consent) are
//! append-only in the database itself.

use sea_orm_migration::prelude::*;

mod m0002_pathway;
mod m0003_outcomes;
mod m0004_accounts;
mod m0005_audit;
mod m0006_audit_backlog;
pub mod seed;

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(M0001Foundation),
            Box::new(m0002_pathway::M0002Pathway),
            Box::new(m0003_outcomes::M0003Outcomes),
            Box::new(m0004_accounts::M0004Accounts),
            Box::new(m0005_audit::M0005Audit),
            Box::new(m0006_audit_backlog::M0006AuditBacklog),
        ]
    }
}

struct M0001Foundation;

impl MigrationName for M0001Foundation {
    fn name(&self) -> &str {
        "m0001_foundation"
    }
}

pub(crate) fn ts(name: &'static str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

pub(crate) fn ts_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

pub(crate) fn text(name: &'static str, len: u32) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .string_len(len)
        .not_null()
        .to_owned()
}

pub(crate) fn text_null(name: &'static str, len: u32) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .string_len(len)
        .null()
        .to_owned()
}

pub(crate) fn uuid_pk(name: &'static str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .uuid()
        .not_null()
        .primary_key()
        .to_owned()
}

pub(crate) fn uuid(name: &'static str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .uuid()
        .not_null()
        .to_owned()
}

pub(crate) fn index(
    table: &'static str,
    name: &'static str,
    cols: &[&'static str],
) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(name).table(Alias::new(table));
    for c in cols {
        idx.col(Alias::new(*c));
    }
    idx.to_owned()
}

pub(crate) fn a(name: &'static str) -> Alias {
    Alias::new(name)
}

pub(crate) fn json(name: &'static str) -> ColumnDef {
    ColumnDef::new(a(name)).text().not_null().to_owned()
}

pub(crate) fn big(name: &'static str) -> ColumnDef {
    ColumnDef::new(a(name)).big_integer().not_null().to_owned()
}

pub(crate) fn int(name: &'static str) -> ColumnDef {
    ColumnDef::new(a(name)).integer().not_null().to_owned()
}

pub(crate) fn int_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(a(name)).integer().null().to_owned()
}

pub(crate) fn flag(name: &'static str) -> ColumnDef {
    ColumnDef::new(a(name)).boolean().not_null().to_owned()
}

pub(crate) fn uuid_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(a(name)).uuid().null().to_owned()
}

pub(crate) fn date(name: &'static str) -> ColumnDef {
    ColumnDef::new(a(name)).date().not_null().to_owned()
}

pub(crate) fn fk(
    table: &'static str,
    column: &'static str,
    to: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(a(table), a(column))
        .to(a(to), a("id"))
        .to_owned()
}

pub(crate) fn serial_pk(name: &'static str) -> ColumnDef {
    ColumnDef::new(a(name))
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for M0001Foundation {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Alias::new("users"))
                .col(uuid_pk("id"))
                .col(text("username", 64).unique_key().to_owned())
                .col(text("full_name", 120))
                .col(text("role", 32))
                .col(text("password_hash", 200))
                .col(text("language", 2))
                .col(ts("created_at"))
                .col(ts_null("disabled_at"))
                .col(
                    ColumnDef::new(Alias::new("version"))
                        .big_integer()
                        .not_null(),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Alias::new("api_tokens"))
                .col(uuid_pk("id"))
                .col(uuid("user_id"))
                .col(text("token_hash", 64).unique_key().to_owned())
                .col(ts("created_at"))
                .col(ts_null("revoked_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from(Alias::new("api_tokens"), Alias::new("user_id"))
                        .to(Alias::new("users"), Alias::new("id")),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Alias::new("sessions"))
                .col(
                    ColumnDef::new(Alias::new("id_hash"))
                        .string_len(64)
                        .not_null()
                        .primary_key(),
                )
                .col(uuid("user_id"))
                .col(text("csrf_token", 64))
                .col(ts("created_at"))
                .col(ts("last_seen_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from(Alias::new("sessions"), Alias::new("user_id"))
                        .to(Alias::new("users"), Alias::new("id")),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index("sessions", "sessions_user", &["user_id"]))
            .await?;

        m.create_table(
            Table::create()
                .table(Alias::new("patients"))
                .col(uuid_pk("id"))
                .col(text("mrn", 32).unique_key().to_owned())
                .col(text("family_name", 100))
                .col(text("given_names", 100))
                .col(text("family_folded", 100))
                .col(text("given_folded", 100))
                .col(ColumnDef::new(Alias::new("birth_date")).date().not_null())
                .col(text("sex", 8))
                .col(ColumnDef::new(Alias::new("allergies")).text().not_null())
                .col(
                    ColumnDef::new(Alias::new("anticoagulants"))
                        .text()
                        .not_null(),
                )
                .col(ts("created_at"))
                .col(ColumnDef::new(Alias::new("created_by")).uuid().null())
                .col(ts("updated_at"))
                .col(ColumnDef::new(Alias::new("updated_by")).uuid().null())
                .col(
                    ColumnDef::new(Alias::new("version"))
                        .big_integer()
                        .not_null(),
                )
                .col(ts_null("deleted_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "patients",
            "patients_name",
            &["family_folded", "given_folded", "birth_date"],
        ))
        .await?;
        m.create_index(index("patients", "patients_birth_date", &["birth_date"]))
            .await?;
        m.create_index(index("patients", "patients_updated", &["updated_at"]))
            .await?;

        // The search index of names: one row per folded name token, carrying the
        // patient's sort key and birth date so that a prefix range is read already in
        // order (token, then name) and stops at the page size, without touching
        // `patients` until the page is known. On PostgreSQL the text columns compare
        // bytewise (COLLATE "C"), as on SQLite, so that a prefix is one index range.
        let bytewise = |mut column: ColumnDef| {
            if m.get_database_backend() == sea_orm::DbBackend::Postgres {
                column.extra("COLLATE \"C\"");
            }
            column
        };
        m.create_table(
            Table::create()
                .table(Alias::new("patient_name_tokens"))
                .col(bytewise(
                    ColumnDef::new(Alias::new("token"))
                        .text()
                        .not_null()
                        .to_owned(),
                ))
                .col(uuid("patient_id"))
                .col(bytewise(
                    ColumnDef::new(Alias::new("sort_key"))
                        .text()
                        .not_null()
                        .to_owned(),
                ))
                .col(ColumnDef::new(Alias::new("birth_date")).date().not_null())
                .primary_key(
                    Index::create()
                        .col(Alias::new("token"))
                        .col(Alias::new("patient_id")),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Alias::new("patient_name_tokens"), Alias::new("patient_id"))
                        .to(Alias::new("patients"), Alias::new("id")),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "patient_name_tokens",
            "patient_name_tokens_ordered",
            &["token", "sort_key", "patient_id"],
        ))
        .await?;
        m.create_index(index(
            "patient_name_tokens",
            "patient_name_tokens_patient",
            &["patient_id", "token"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Alias::new("audit_log"))
                .col(
                    ColumnDef::new(Alias::new("id"))
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ts("at"))
                .col(ColumnDef::new(Alias::new("user_id")).uuid().null())
                .col(text("username", 64))
                .col(text_null("role", 32))
                .col(text("action", 32))
                .col(text_null("object_type", 32))
                .col(text_null("object_id", 64))
                .col(text_null("client_addr", 64))
                .col(ColumnDef::new(Alias::new("detail")).text().null())
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "audit_log",
            "audit_object",
            &["object_type", "object_id", "id"],
        ))
        .await?;
        m.create_index(index("audit_log", "audit_user", &["username", "id"]))
            .await?;

        // Dialect matters here: the audit log refuses UPDATE and DELETE in the database
        // itself, so not even a bug in this crate can rewrite history.
        let db = m.get_connection();
        match m.get_database_backend() {
            sea_orm::DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log \
                     FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only()",
                )
                .await?;
            }
            _ => {
                for op in ["UPDATE", "DELETE"] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER audit_log_no_{op} BEFORE {op} ON audit_log \
                         BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }
}
