//! The pathway, steps 7–11: procedure reports and their addenda, specimens and pathology
//! results, adverse events (terms, versioned grading systems, revisions), follow-up.
//!
//! A signed report is immutable in the database itself (triggers refuse any update or
//! delete of a signed row), whatever code path tries; addenda, revisions of adverse events
//! and pathology results are append-only.

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;
use time::OffsetDateTime;

use super::{
    a, big, date, fk, flag, index, int, json, serial_pk, text, text_null, ts, ts_null, uuid,
    uuid_null, uuid_pk,
};

pub struct M0003Outcomes;

impl MigrationName for M0003Outcomes {
    fn name(&self) -> &str {
        "m0003_outcomes"
    }
}

fn long_text(name: &'static str) -> ColumnDef {
    ColumnDef::new(a(name)).text().null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for M0003Outcomes {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One report per case: a draft, then signed.
        m.create_table(
            Table::create()
                .table(a("reports"))
                .col(uuid_pk("id"))
                .col(uuid("case_id").unique_key().to_owned())
                .col(uuid_null("booking_id"))
                .col(json("content"))
                .col(big("version"))
                .col(ts("created_at"))
                .col(uuid_null("created_by"))
                .col(ts("updated_at"))
                .col(uuid_null("updated_by"))
                .col(ts_null("signed_at"))
                .col(uuid_null("signed_by"))
                .col(text_null("signed_by_name", 120))
                .foreign_key(&mut fk("reports", "case_id", "cases"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("report_addenda"))
                .col(serial_pk("id"))
                .col(uuid("report_id"))
                .col(ColumnDef::new(a("text")).text().not_null())
                .col(ts("signed_at"))
                .col(uuid_null("signed_by"))
                .col(text("signed_by_name", 120))
                .foreign_key(&mut fk("report_addenda", "report_id", "reports"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "report_addenda",
            "report_addenda_report",
            &["report_id", "id"],
        ))
        .await?;

        // Specimens, created when their report is signed, and their results.
        m.create_table(
            Table::create()
                .table(a("specimens"))
                .col(uuid_pk("id"))
                .col(uuid("case_id"))
                .col(uuid("report_id"))
                .col(int("position"))
                .col(text("label", 200))
                .col(date("collected_on"))
                .col(ts("created_at"))
                // Denormalised from the result, so that the pending list is one index.
                .col(flag("has_result"))
                .foreign_key(&mut fk("specimens", "case_id", "cases"))
                .foreign_key(&mut fk("specimens", "report_id", "reports"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "specimens",
            "specimens_case",
            &["case_id", "position"],
        ))
        .await?;
        m.create_index(index(
            "specimens",
            "specimens_pending",
            &["has_result", "collected_on"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(a("pathology_results"))
                .col(
                    ColumnDef::new(a("specimen_id"))
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(text("adequacy", 16))
                .col(text("category", 16))
                .col(long_text("histology"))
                .col(date("result_date"))
                .col(int("turnaround_days"))
                .col(ts("recorded_at"))
                .col(uuid_null("recorded_by"))
                .col(text("recorded_by_name", 120))
                .foreign_key(&mut fk("pathology_results", "specimen_id", "specimens"))
                .to_owned(),
        )
        .await?;

        // Adverse events: the department's terms, the grading systems by version.
        m.create_table(
            Table::create()
                .table(a("ae_terms"))
                .col(
                    ColumnDef::new(a("code"))
                        .string_len(32)
                        .not_null()
                        .primary_key(),
                )
                .col(text("name_fr", 120))
                .col(text("name_en", 120))
                .col(flag("active"))
                .col(int("position"))
                .col(big("version"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("grade_systems"))
                .col(text("system", 16))
                .col(text("version", 16))
                .col(json("definition"))
                .col(ts("created_at"))
                .primary_key(Index::create().col(a("system")).col(a("version")))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("adverse_events"))
                .col(uuid_pk("id"))
                .col(uuid("case_id"))
                .col(text("term", 32))
                .col(ts("onset"))
                .col(text("phase", 24))
                // The CIRSE grade, for lists and rates; every grade is in `data`.
                .col(text("cirse_grade", 8))
                .col(flag("serious"))
                .col(json("data"))
                .col(ts_null("report_due_at"))
                .col(ts_null("reported_at"))
                .col(uuid_null("reported_by"))
                .col(uuid_null("follow_up_id"))
                .col(big("version"))
                .col(ts("created_at"))
                .col(uuid_null("created_by"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk("adverse_events", "case_id", "cases"))
                .foreign_key(
                    &mut ForeignKey::create()
                        .from(a("adverse_events"), a("term"))
                        .to(a("ae_terms"), a("code"))
                        .to_owned(),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "adverse_events",
            "adverse_events_case",
            &["case_id", "onset"],
        ))
        .await?;
        m.create_index(index(
            "adverse_events",
            "adverse_events_due",
            &["serious", "reported_at", "report_due_at"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(a("adverse_event_revisions"))
                .col(serial_pk("id"))
                .col(uuid("event_id"))
                .col(big("version"))
                .col(json("data"))
                .col(ts("at"))
                .col(uuid_null("by"))
                .col(text("by_name", 120))
                .foreign_key(&mut fk(
                    "adverse_event_revisions",
                    "event_id",
                    "adverse_events",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "adverse_event_revisions",
            "adverse_event_revisions_event",
            &["event_id", "version"],
        ))
        .await?;

        // Follow-up, planned when the report is signed.
        m.create_table(
            Table::create()
                .table(a("follow_ups"))
                .col(uuid_pk("id"))
                .col(uuid("case_id"))
                .col(text("code", 16))
                .col(text("kind", 16))
                .col(date("due_on"))
                .col(date("window_end"))
                .col(text("status", 16))
                .col(ColumnDef::new(a("contact_date")).date().null())
                .col(long_text("findings"))
                .col(ts_null("recorded_at"))
                .col(uuid_null("recorded_by"))
                .col(text_null("recorded_by_name", 120))
                .col(big("version"))
                .foreign_key(&mut fk("follow_ups", "case_id", "cases"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index("follow_ups", "follow_ups_item", &["case_id", "code"])
                .unique()
                .to_owned(),
        )
        .await?;
        // Due and overdue lists read the planned items by date, from the index alone
        // (the due list filters on the window's end, the count reads no row).
        m.create_index(index(
            "follow_ups",
            "follow_ups_worklist",
            &["status", "due_on", "window_end", "id"],
        ))
        .await?;
        m.create_index(index(
            "follow_ups",
            "follow_ups_overdue",
            &["status", "window_end", "id"],
        ))
        .await?;

        protect(m).await?;
        seed(m).await?;
        Ok(())
    }
}

/// Signed reports and the histories refuse rewriting, in the database itself.
async fn protect(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = m.get_connection();
    let append_only = [
        "report_addenda",
        "adverse_event_revisions",
        "pathology_results",
    ];
    match m.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            // `history_is_append_only()` comes from m0002.
            for table in append_only {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} \
                     FOR EACH ROW EXECUTE FUNCTION history_is_append_only()"
                ))
                .await?;
            }
            db.execute_unprepared(
                "CREATE FUNCTION signed_report_is_immutable() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN \
                   IF OLD.signed_at IS NOT NULL THEN \
                     RAISE EXCEPTION 'report % is signed and immutable', OLD.id; \
                   END IF; \
                   IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; \
                   RETURN NEW; \
                 END $$",
            )
            .await?;
            db.execute_unprepared(
                "CREATE TRIGGER reports_signed_immutable BEFORE UPDATE OR DELETE ON reports \
                 FOR EACH ROW EXECUTE FUNCTION signed_report_is_immutable()",
            )
            .await?;
        }
        _ => {
            for table in append_only {
                for op in ["UPDATE", "DELETE"] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {table}_no_{op} BEFORE {op} ON {table} \
                         BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                    ))
                    .await?;
                }
            }
            for op in ["UPDATE", "DELETE"] {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER reports_signed_no_{op} BEFORE {op} ON reports \
                     WHEN OLD.signed_at IS NOT NULL \
                     BEGIN SELECT RAISE(ABORT, 'signed reports are immutable'); END"
                ))
                .await?;
            }
        }
    }
    Ok(())
}

/// The adverse-event terms and grading systems this migration starts with (from the
/// domain's defaults at the time of writing; later changes come as migrations or edits).
async fn seed(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let now = OffsetDateTime::now_utc();
    for (position, (code, fr, en)) in seldinger_domain::adverse::DEFAULT_TERMS.iter().enumerate() {
        m.exec_stmt(
            Query::insert()
                .into_table(a("ae_terms"))
                .columns(
                    [
                        "code",
                        "name_fr",
                        "name_en",
                        "active",
                        "position",
                        "version",
                        "updated_at",
                    ]
                    .map(a),
                )
                .values_panic([
                    (*code).into(),
                    (*fr).into(),
                    (*en).into(),
                    true.into(),
                    <i32 as TryFrom<usize>>::try_from(position)
                        .unwrap_or(i32::MAX)
                        .into(),
                    1i64.into(),
                    now.into(),
                ])
                .to_owned(),
        )
        .await?;
    }
    for system in seldinger_domain::adverse::default_systems() {
        let definition =
            serde_json::to_string(&system).map_err(|e| DbErr::Migration(e.to_string()))?;
        m.exec_stmt(
            Query::insert()
                .into_table(a("grade_systems"))
                .columns(["system", "version", "definition", "created_at"].map(a))
                .values_panic([
                    system.system.clone().into(),
                    system.version.clone().into(),
                    definition.into(),
                    now.into(),
                ])
                .to_owned(),
        )
        .await?;
    }
    Ok(())
}
