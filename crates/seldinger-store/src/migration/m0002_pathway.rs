//! The pathway, steps 1–6: catalog, resources, cases and their history, consultations
//! and consent, MDT meetings, bookings, checklists and time-outs.
//!
//! Structured values that are read and written whole (a procedure type's definition,
//! opening hours, a checklist) are JSON text in the domain's serde form; the columns that
//! queries filter or sort on are plain columns beside them.

use sea_orm_migration::prelude::*;

use super::{
    a, big, date, fk, flag, index, int, int_null, json, serial_pk, text, text_null, ts, ts_null,
    uuid, uuid_null, uuid_pk,
};

pub struct M0002Pathway;

impl MigrationName for M0002Pathway {
    fn name(&self) -> &str {
        "m0002_pathway"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0002Pathway {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // The catalog: one row per procedure type, one per version of its definition.
        m.create_table(
            Table::create()
                .table(a("procedure_types"))
                .col(uuid_pk("id"))
                .col(text("code", 32).unique_key().to_owned())
                .col(int("current_version"))
                .col(uuid("current_version_id"))
                .col(flag("active"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("procedure_type_versions"))
                .col(uuid_pk("id"))
                .col(uuid("procedure_type_id"))
                .col(int("version"))
                // Copied out of the definition for lists, which need no more.
                .col(text("code", 32))
                .col(text("name_fr", 120))
                .col(text("name_en", 120))
                .col(json("definition"))
                .col(ts("created_at"))
                .col(uuid_null("created_by"))
                .foreign_key(&mut fk(
                    "procedure_type_versions",
                    "procedure_type_id",
                    "procedure_types",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index(
                "procedure_type_versions",
                "procedure_type_versions_number",
                &["procedure_type_id", "version"],
            )
            .unique()
            .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("checklist_thresholds"))
                .col(
                    ColumnDef::new(a("bleeding_risk"))
                        .string_len(8)
                        .not_null()
                        .primary_key(),
                )
                .col(json("definition"))
                .col(big("version"))
                .col(ts("updated_at"))
                .col(uuid_null("updated_by"))
                .to_owned(),
        )
        .await?;

        // Resources.
        m.create_table(
            Table::create()
                .table(a("rooms"))
                .col(uuid_pk("id"))
                .col(text("code", 32).unique_key().to_owned())
                .col(text("name", 120))
                .col(text("room_type", 16))
                .col(json("hours"))
                .col(flag("active"))
                .col(big("version"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("equipment"))
                .col(uuid_pk("id"))
                .col(text("code", 32).unique_key().to_owned())
                .col(text("name", 120))
                .col(text("kind", 32))
                .col(json("rooms"))
                .col(flag("active"))
                .col(big("version"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("bed_units"))
                .col(uuid_pk("id"))
                .col(text("code", 32).unique_key().to_owned())
                .col(text("name", 120))
                .col(text("kind", 16))
                .col(int("capacity"))
                .col(flag("active"))
                .col(big("version"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("staff_availability"))
                .col(ColumnDef::new(a("user_id")).uuid().not_null().primary_key())
                .col(json("weekly"))
                .col(big("version"))
                .col(ts("updated_at"))
                .col(uuid_null("updated_by"))
                .foreign_key(
                    &mut ForeignKey::create()
                        .from(a("staff_availability"), a("user_id"))
                        .to(a("users"), a("id"))
                        .to_owned(),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("availability_exceptions"))
                .col(uuid_pk("id"))
                .col(uuid("user_id"))
                .col(date("date"))
                .col(json("hours"))
                .col(text_null("reason", 200))
                .col(ts("created_at"))
                .col(uuid_null("created_by"))
                .foreign_key(&mut fk("availability_exceptions", "user_id", "users"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index(
                "availability_exceptions",
                "availability_exceptions_day",
                &["user_id", "date"],
            )
            .unique()
            .to_owned(),
        )
        .await?;

        // Cases: one patient, one indication.
        m.create_table(
            Table::create()
                .table(a("cases"))
                .col(uuid_pk("id"))
                .col(uuid("patient_id"))
                .col(text("status", 16))
                .col(big("version"))
                .col(text("urgency", 16))
                .col(int("urgency_rank"))
                .col(text("referring_physician", 120))
                .col(text_null("referring_service", 120))
                .col(ColumnDef::new(a("indication")).text().not_null())
                .col(text("target_organ", 32))
                .col(text_null("target_site", 200))
                .col(text("side", 16))
                .col(int_null("lesion_size_mm"))
                .col(uuid("requested_type_id"))
                // The catalog version the case is planned with: the requested type's
                // version at referral, then the type decided at the MDT or at planning.
                .col(uuid("planned_version_id"))
                .col(ColumnDef::new(a("clinical_question")).text().null())
                .col(json("anticoagulants"))
                .col(json("allergies"))
                .col(date("referral_date"))
                .col(ts("referred_at"))
                .col(uuid_null("referred_by"))
                .col(ts("status_changed_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk("cases", "patient_id", "patients"))
                .foreign_key(&mut fk("cases", "requested_type_id", "procedure_types"))
                .foreign_key(&mut fk(
                    "cases",
                    "planned_version_id",
                    "procedure_type_versions",
                ))
                .to_owned(),
        )
        .await?;
        // Worklists read one status in urgency order, then the longest waiting first.
        m.create_index(index(
            "cases",
            "cases_worklist",
            &["status", "urgency_rank", "referred_at"],
        ))
        .await?;
        m.create_index(index("cases", "cases_patient", &["patient_id"]))
            .await?;

        m.create_table(
            Table::create()
                .table(a("case_events"))
                .col(serial_pk("id"))
                .col(uuid("case_id"))
                .col(ts("at"))
                .col(uuid_null("user_id"))
                .col(text("username", 64))
                .col(text("event", 32))
                .col(text_null("from_status", 16))
                .col(text("to_status", 16))
                .col(ColumnDef::new(a("detail")).text().null())
                .foreign_key(&mut fk("case_events", "case_id", "cases"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("case_events", "case_events_case", &["case_id", "id"]))
            .await?;

        // Consultations and consent.
        m.create_table(
            Table::create()
                .table(a("consultations"))
                .col(uuid_pk("id"))
                .col(uuid("case_id"))
                .col(text("kind", 16))
                .col(text("status", 16))
                .col(uuid("clinician_id"))
                .col(ts("starts_at"))
                .col(ts("ends_at"))
                .col(ts("booked_at"))
                .col(uuid_null("booked_by"))
                .col(ts_null("recorded_at"))
                .col(uuid_null("recorded_by"))
                .col(text_null("sheet_language", 2))
                .col(uuid_null("sheet_version_id"))
                .col(ColumnDef::new(a("risks_explained")).text().null())
                .col(ColumnDef::new(a("alternatives_discussed")).text().null())
                .col(ColumnDef::new(a("notes")).text().null())
                .col(big("version"))
                .foreign_key(&mut fk("consultations", "case_id", "cases"))
                .foreign_key(&mut fk("consultations", "clinician_id", "users"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "consultations",
            "consultations_clinician",
            &["clinician_id", "starts_at"],
        ))
        .await?;
        m.create_index(index("consultations", "consultations_case", &["case_id"]))
            .await?;
        m.create_index(index("consultations", "consultations_day", &["starts_at"]))
            .await?;
        m.create_table(
            Table::create()
                .table(a("consents"))
                .col(serial_pk("id"))
                .col(uuid("case_id"))
                .col(text("decision", 16))
                .col(date("decided_on"))
                .col(ts("recorded_at"))
                .col(uuid_null("recorded_by"))
                .col(text("recorded_by_name", 120))
                .col(uuid_null("consultation_id"))
                .col(ColumnDef::new(a("note")).text().null())
                .foreign_key(&mut fk("consents", "case_id", "cases"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("consents", "consents_case", &["case_id", "id"]))
            .await?;

        // MDT meetings.
        m.create_table(
            Table::create()
                .table(a("mdt_meetings"))
                .col(uuid_pk("id"))
                .col(text("kind", 32))
                .col(ts("starts_at"))
                .col(text_null("location", 200))
                .col(json("attendees"))
                .col(big("version"))
                .col(ts("created_at"))
                .col(uuid_null("created_by"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("mdt_meetings", "mdt_meetings_day", &["starts_at"]))
            .await?;
        m.create_table(
            Table::create()
                .table(a("mdt_items"))
                .col(uuid_pk("id"))
                .col(uuid("meeting_id"))
                .col(uuid("case_id"))
                .col(int("position"))
                .col(ts("added_at"))
                .col(uuid_null("added_by"))
                .col(text_null("decision", 32))
                .col(uuid_null("procedure_version_id"))
                .col(ColumnDef::new(a("rationale")).text().null())
                .col(text_null("responsible_physician", 120))
                .col(ts_null("decided_at"))
                .col(uuid_null("decided_by"))
                .foreign_key(&mut fk("mdt_items", "meeting_id", "mdt_meetings"))
                .foreign_key(&mut fk("mdt_items", "case_id", "cases"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index("mdt_items", "mdt_items_case", &["meeting_id", "case_id"])
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index("mdt_items", "mdt_items_by_case", &["case_id"]))
            .await?;

        // Bookings.
        m.create_table(
            Table::create()
                .table(a("bookings"))
                .col(uuid_pk("id"))
                .col(uuid("case_id"))
                .col(uuid("room_id"))
                .col(ts("starts_at"))
                .col(ts("ends_at"))
                .col(uuid("operator_id"))
                .col(uuid_null("anesthetist_id"))
                .col(json("equipment"))
                .col(uuid_null("bed_unit_id"))
                .col(text("status", 16))
                .col(ts("created_at"))
                .col(uuid_null("created_by"))
                .col(ts("updated_at"))
                .col(ts_null("cancelled_at"))
                .col(ColumnDef::new(a("cancel_reason")).text().null())
                .col(big("version"))
                .foreign_key(&mut fk("bookings", "case_id", "cases"))
                .foreign_key(&mut fk("bookings", "room_id", "rooms"))
                .foreign_key(&mut fk("bookings", "operator_id", "users"))
                .foreign_key(&mut fk("bookings", "bed_unit_id", "bed_units"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("bookings", "bookings_time", &["starts_at"]))
            .await?;
        m.create_index(index(
            "bookings",
            "bookings_room",
            &["room_id", "starts_at"],
        ))
        .await?;
        m.create_index(index("bookings", "bookings_case", &["case_id"]))
            .await?;
        // The days a booking holds a place in a bed unit, for capacity counts.
        m.create_table(
            Table::create()
                .table(a("booking_beds"))
                .col(uuid("booking_id"))
                .col(uuid("bed_unit_id"))
                .col(date("date"))
                .primary_key(Index::create().col(a("booking_id")).col(a("date")))
                .foreign_key(&mut fk("booking_beds", "booking_id", "bookings"))
                .foreign_key(&mut fk("booking_beds", "bed_unit_id", "bed_units"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "booking_beds",
            "booking_beds_day",
            &["date", "bed_unit_id"],
        ))
        .await?;
        // One row, updated first by every booking transaction: it serialises bookings on
        // both engines (PostgreSQL holds the row lock until commit; SQLite takes its write
        // lock before any read, so the busy timeout applies instead of a stale snapshot).
        m.create_table(
            Table::create()
                .table(a("booking_lock"))
                .col(ColumnDef::new(a("id")).integer().not_null().primary_key())
                .col(big("counter"))
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table(a("booking_lock"))
                .columns([a("id"), a("counter")])
                .values_panic([1.into(), 0i64.into()])
                .to_owned(),
        )
        .await?;

        // Checklists and time-outs.
        m.create_table(
            Table::create()
                .table(a("checklists"))
                .col(ColumnDef::new(a("case_id")).uuid().not_null().primary_key())
                .col(json("data"))
                .col(big("version"))
                .col(ts("updated_at"))
                .col(uuid_null("updated_by"))
                .foreign_key(&mut fk("checklists", "case_id", "cases"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("timeouts"))
                .col(uuid_pk("id"))
                .col(uuid("case_id"))
                .col(uuid("booking_id"))
                .col(json("data"))
                .col(ts("recorded_at"))
                .col(uuid_null("recorded_by"))
                .col(text("recorded_by_name", 120))
                .foreign_key(&mut fk("timeouts", "case_id", "cases"))
                .foreign_key(&mut fk("timeouts", "booking_id", "bookings"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index("timeouts", "timeouts_booking", &["booking_id"])
                .unique()
                .to_owned(),
        )
        .await?;

        append_only(m, &["case_events", "consents", "timeouts"]).await?;
        super::seed::catalog(m).await?;
        super::seed::thresholds(m).await?;
        Ok(())
    }
}

/// Histories that the database itself refuses to rewrite. Dialect matters here.
async fn append_only(m: &SchemaManager<'_>, tables: &[&str]) -> Result<(), DbErr> {
    let db = m.get_connection();
    match m.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            db.execute_unprepared(
                "CREATE FUNCTION history_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$",
            )
            .await?;
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
