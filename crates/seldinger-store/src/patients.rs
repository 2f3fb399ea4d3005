//! Patient records. Each name is also stored folded (lower case, no accents) and split
//! into search tokens, so "helene" finds "Hélène" and "lefevre" finds "Dupré-Lefèvre" on
//! both engines with a plain index range scan.

use sea_orm::sea_query::{
    Cond, Expr, ExprTrait, JoinType, Order, Query, SelectStatement, SimpleExpr,
};
use sea_orm::{ConnectionTrait, FromQueryResult, TransactionTrait};
use seldinger_domain::PatientId;
use seldinger_domain::audit::{Actor, AuditAction};
use seldinger_domain::patient::{Allergy, Anticoagulant, NewPatient, PatientQuery, Sex};
use seldinger_domain::text::{fold, prefix_upper_bound};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::audit::{Entry, append};
use crate::{Conflict, Store, StoreError, StoreResult, json, name};

/// A patient record as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Patient {
    pub id: PatientId,
    pub mrn: String,
    pub family_name: String,
    pub given_names: String,
    pub birth_date: Date,
    pub sex: Sex,
    pub allergies: Vec<Allergy>,
    pub anticoagulants: Vec<Anticoagulant>,
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// What a list shows of a patient (the same record; the name says what it is for).
pub type PatientSummary = Patient;

#[derive(FromQueryResult)]
struct PatientRow {
    id: Uuid,
    mrn: String,
    family_name: String,
    given_names: String,
    birth_date: Date,
    sex: String,
    allergies: String,
    anticoagulants: String,
    version: i64,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

const COLUMNS: [&str; 11] = [
    "id",
    "mrn",
    "family_name",
    "given_names",
    "birth_date",
    "sex",
    "allergies",
    "anticoagulants",
    "version",
    "created_at",
    "updated_at",
];

impl PatientRow {
    fn into_patient(self) -> StoreResult<Patient> {
        let corrupt = |what: &str, e: &dyn std::fmt::Display| {
            StoreError::Other(format!("stored patient {what}: {e}"))
        };
        Ok(Patient {
            id: PatientId::from_uuid(self.id),
            mrn: self.mrn,
            family_name: self.family_name,
            given_names: self.given_names,
            birth_date: self.birth_date,
            sex: Sex::parse(&self.sex).map_err(|e| corrupt("sex", &e))?,
            allergies: serde_json::from_str(&self.allergies)
                .map_err(|e| corrupt("allergies", &e))?,
            anticoagulants: serde_json::from_str(&self.anticoagulants)
                .map_err(|e| corrupt("anticoagulants", &e))?,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

fn rows_to_patients(rows: Vec<sea_orm::QueryResult>) -> StoreResult<Vec<Patient>> {
    rows.iter()
        .map(|r| PatientRow::from_query_result(r, "")?.into_patient())
        .collect()
}

fn select() -> SelectStatement {
    Query::select()
        .columns(COLUMNS.map(name))
        .from(name("patients"))
        .to_owned()
}

fn not_deleted() -> SimpleExpr {
    Expr::col(name("deleted_at")).is_null()
}

/// A live patient (not withdrawn), or `NotFound`.
pub(crate) async fn load_patient<C: ConnectionTrait>(
    db: &C,
    id: PatientId,
) -> StoreResult<Patient> {
    let q = select()
        .and_where(Expr::col(name("id")).eq(id.as_uuid()))
        .and_where(not_deleted())
        .to_owned();
    let row = db.query_one(&q).await?.ok_or(StoreError::NotFound)?;
    PatientRow::from_query_result(&row, "")?.into_patient()
}

/// A search's audit entry: the patients it showed, and how many.
fn search_entry(patients: &[Patient]) -> Entry {
    Entry::new(AuditAction::PatientSearch)
        .patients(patients.iter().map(|p| p.id))
        .detail(format!("results={}", patients.len()))
}

/// The values of one patient row, in [`WRITE_COLUMNS`] order.
fn row_values(
    id: Uuid,
    p: &NewPatient,
    by: Option<Uuid>,
    now: OffsetDateTime,
) -> StoreResult<Vec<sea_orm::Value>> {
    Ok(vec![
        id.into(),
        p.mrn.as_str().into(),
        p.family_name.clone().into(),
        p.given_names.clone().into(),
        fold(&p.family_name).into(),
        fold(&p.given_names).into(),
        p.birth_date.into(),
        p.sex.code().into(),
        json(&p.allergies)?.into(),
        json(&p.anticoagulants)?.into(),
        now.into(),
        by.into(),
        now.into(),
        by.into(),
        1i64.into(),
    ])
}

const WRITE_COLUMNS: [&str; 15] = [
    "id",
    "mrn",
    "family_name",
    "given_names",
    "family_folded",
    "given_folded",
    "birth_date",
    "sex",
    "allergies",
    "anticoagulants",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "version",
];

/// Writes the search tokens of each patient, with its sort key and birth date.
async fn insert_tokens<C: ConnectionTrait>(
    db: &C,
    rows: &[(Uuid, &NewPatient)],
) -> StoreResult<()> {
    let mut insert = Query::insert();
    insert
        .into_table(name("patient_name_tokens"))
        .columns(["token", "patient_id", "sort_key", "birth_date"].map(name));
    let mut any = false;
    for (id, patient) in rows {
        let sort_key = patient.sort_key();
        for token in patient.search_tokens() {
            insert.values_panic([
                token.into(),
                (*id).into(),
                sort_key.clone().into(),
                patient.birth_date.into(),
            ]);
            any = true;
        }
    }
    if any {
        db.execute(&insert).await?;
    }
    Ok(())
}

async fn delete_tokens<C: ConnectionTrait>(db: &C, id: PatientId) -> StoreResult<()> {
    let delete = Query::delete()
        .from_table(name("patient_name_tokens"))
        .and_where(Expr::col(name("patient_id")).eq(id.as_uuid()))
        .to_owned();
    db.execute(&delete).await?;
    Ok(())
}

/// Why a versioned write touched no row: the record moved on (its current version), or
/// it does not exist (or was withdrawn).
async fn stale_or_missing<C: ConnectionTrait>(db: &C, id: PatientId) -> StoreError {
    let current = Query::select()
        .column(name("version"))
        .from(name("patients"))
        .and_where(Expr::col(name("id")).eq(id.as_uuid()))
        .and_where(not_deleted())
        .to_owned();
    match db.query_one(&current).await {
        Ok(Some(row)) => match row.try_get("", "version") {
            Ok(current) => StoreError::Conflict(Conflict::StaleVersion { current }),
            Err(e) => e.into(),
        },
        Ok(None) => StoreError::NotFound,
        Err(e) => e.into(),
    }
}

fn created(id: Uuid, p: &NewPatient, now: OffsetDateTime) -> Patient {
    Patient {
        id: PatientId::from_uuid(id),
        mrn: p.mrn.as_str().to_string(),
        family_name: p.family_name.clone(),
        given_names: p.given_names.clone(),
        birth_date: p.birth_date,
        sex: p.sex,
        allergies: p.allergies.clone(),
        anticoagulants: p.anticoagulants.clone(),
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

impl Store {
    /// Registers a patient. A taken MRN is a `Conflict::Duplicate { field: "mrn" }`.
    pub async fn create_patient(
        &self,
        actor: &Actor,
        patient: &NewPatient,
        now: OffsetDateTime,
    ) -> StoreResult<Patient> {
        let id = Uuid::now_v7();
        let by = actor.user_id.map(|u| u.as_uuid());
        let txn = self.db.begin().await?;
        let insert = Query::insert()
            .into_table(name("patients"))
            .columns(WRITE_COLUMNS.map(name))
            .values_panic(
                row_values(id, patient, by, now)?
                    .into_iter()
                    .map(Expr::from),
            )
            .to_owned();
        txn.execute(&insert)
            .await
            .map_err(|e| StoreError::from_db(e, "mrn"))?;
        insert_tokens(&txn, &[(id, patient)]).await?;
        let entry = Entry::new(AuditAction::PatientCreate)
            .on("patient", id)
            .patient(PatientId::from_uuid(id));
        append(&txn, actor, entry, now).await?;
        txn.commit().await?;
        Ok(created(id, patient, now))
    }

    /// Registers many patients in one transaction (demo data, imports, benchmarks), each
    /// with its audit entry. All or nothing.
    pub async fn import_patients(
        &self,
        actor: &Actor,
        patients: &[NewPatient],
        now: OffsetDateTime,
    ) -> StoreResult<Vec<PatientId>> {
        let by = actor.user_id.map(|u| u.as_uuid());
        let txn = self.db.begin().await?;
        let mut ids = Vec::with_capacity(patients.len());
        for chunk in patients.chunks(400) {
            let mut insert = Query::insert();
            insert
                .into_table(name("patients"))
                .columns(WRITE_COLUMNS.map(name));
            let mut tokens = Vec::with_capacity(chunk.len());
            for p in chunk {
                let id = Uuid::now_v7();
                insert.values_panic(row_values(id, p, by, now)?.into_iter().map(Expr::from));
                tokens.push((id, p));
                ids.push(PatientId::from_uuid(id));
            }
            txn.execute(&insert)
                .await
                .map_err(|e| StoreError::from_db(e, "mrn"))?;
            insert_tokens(&txn, &tokens).await?;
            let entries: Vec<Entry> = tokens
                .iter()
                .map(|(id, _)| {
                    Entry::new(AuditAction::PatientCreate)
                        .on("patient", id)
                        .patient(PatientId::from_uuid(*id))
                })
                .collect();
            crate::audit::write(&txn, actor, &entries, now).await?;
        }
        txn.commit().await?;
        Ok(ids)
    }

    /// Reads one patient, auditing the read.
    pub async fn get_patient(
        &self,
        actor: &Actor,
        id: PatientId,
        now: OffsetDateTime,
    ) -> StoreResult<Patient> {
        let patient = load_patient(&self.db, id).await?;
        self.disclose(
            actor,
            Entry::new(AuditAction::PatientRead)
                .on("patient", id)
                .patient(id),
            now,
        )
        .await?;
        Ok(patient)
    }

    /// Replaces a patient's data if `expected_version` is still current.
    pub async fn update_patient(
        &self,
        actor: &Actor,
        id: PatientId,
        expected_version: i64,
        patient: &NewPatient,
        now: OffsetDateTime,
    ) -> StoreResult<Patient> {
        let by = actor.user_id.map(|u| u.as_uuid());
        let txn = self.db.begin().await?;
        crate::access::ensure_in_scope(&txn, actor, &[id], now).await?;
        let update = Query::update()
            .table(name("patients"))
            .values([
                (name("mrn"), patient.mrn.as_str().into()),
                (name("family_name"), patient.family_name.clone().into()),
                (name("given_names"), patient.given_names.clone().into()),
                (name("family_folded"), fold(&patient.family_name).into()),
                (name("given_folded"), fold(&patient.given_names).into()),
                (name("birth_date"), patient.birth_date.into()),
                (name("sex"), patient.sex.code().into()),
                (name("allergies"), json(&patient.allergies)?.into()),
                (
                    name("anticoagulants"),
                    json(&patient.anticoagulants)?.into(),
                ),
                (name("updated_at"), now.into()),
                (name("updated_by"), by.into()),
            ])
            .value(name("version"), Expr::col(name("version")).add(1))
            .and_where(Expr::col(name("id")).eq(id.as_uuid()))
            .and_where(Expr::col(name("version")).eq(expected_version))
            .and_where(not_deleted())
            .to_owned();
        let result = txn
            .execute(&update)
            .await
            .map_err(|e| StoreError::from_db(e, "mrn"))?;
        if result.rows_affected() == 0 {
            return Err(stale_or_missing(&txn, id).await);
        }
        delete_tokens(&txn, id).await?;
        insert_tokens(&txn, &[(id.as_uuid(), patient)]).await?;
        append(
            &txn,
            actor,
            Entry::new(AuditAction::PatientUpdate)
                .on("patient", id)
                .patient(id),
            now,
        )
        .await?;
        let q = select()
            .and_where(Expr::col(name("id")).eq(id.as_uuid()))
            .to_owned();
        let row = txn.query_one(&q).await?.ok_or(StoreError::NotFound)?;
        let stored = PatientRow::from_query_result(&row, "")?.into_patient()?;
        txn.commit().await?;
        Ok(stored)
    }

    /// Withdraws a record registered in error: it disappears from searches and reads but
    /// stays in the database (soft delete), with the reason in the audit log.
    pub async fn delete_patient(
        &self,
        actor: &Actor,
        id: PatientId,
        expected_version: i64,
        reason: &str,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let by = actor.user_id.map(|u| u.as_uuid());
        let txn = self.db.begin().await?;
        crate::access::ensure_in_scope(&txn, actor, &[id], now).await?;
        let update = Query::update()
            .table(name("patients"))
            .value(name("deleted_at"), now)
            .value(name("updated_at"), now)
            .value(name("updated_by"), by)
            .value(name("version"), Expr::col(name("version")).add(1))
            .and_where(Expr::col(name("id")).eq(id.as_uuid()))
            .and_where(Expr::col(name("version")).eq(expected_version))
            .and_where(not_deleted())
            .to_owned();
        if txn.execute(&update).await?.rows_affected() == 0 {
            return Err(stale_or_missing(&txn, id).await);
        }
        delete_tokens(&txn, id).await?;
        append(
            &txn,
            actor,
            Entry::new(AuditAction::PatientDelete)
                .on("patient", id)
                .detail(reason)
                .patient(id),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Patients matching a search-box query; at most `limit`. Name words are prefixes
    /// that must all match; results come in the order of the name that matched, then
    /// family name, given names and birth date. A query that is also a valid MRN puts
    /// that record first. A birth date alone lists that day's patients by name; an empty
    /// query, the most recently updated. Audited as one search entry naming the records
    /// shown.
    pub async fn search_patients(
        &self,
        actor: &Actor,
        query: &PatientQuery,
        limit: u64,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<Patient>> {
        let limit = limit.clamp(1, 200);
        // A referring physician searches among their own patients only.
        let scope = crate::access::scope_condition(actor, name("id"), now);
        let in_scope = |mut q: SelectStatement| {
            if let Some(scope) = scope.clone() {
                q.cond_where(scope);
            }
            q
        };
        let mut found = Vec::new();
        if let Some(mrn) = &query.mrn {
            let q = select()
                .and_where(Expr::col(name("mrn")).eq(mrn.clone()))
                .and_where(not_deleted())
                .to_owned();
            found = rows_to_patients(self.db.query_all(&in_scope(q)).await?)?;
        }
        if !query.name_prefixes.is_empty() {
            let token_scope =
                crate::access::scope_condition(actor, (name("t"), name("patient_id")), now);
            let mut by_name = self.patients_by_name(query, token_scope, limit).await?;
            by_name.retain(|p| !found.iter().any(|f| f.id == p.id));
            found.extend(by_name);
        } else if let Some(date) = query.birth_date {
            let q = select()
                .and_where(Expr::col(name("birth_date")).eq(date))
                .and_where(not_deleted())
                .order_by(name("family_folded"), Order::Asc)
                .order_by(name("given_folded"), Order::Asc)
                .limit(limit)
                .to_owned();
            // A date-shaped MRN (`12/03/1956`) keeps its record first.
            let mut born = rows_to_patients(self.db.query_all(&in_scope(q)).await?)?;
            born.retain(|p| !found.iter().any(|f| f.id == p.id));
            found.extend(born);
        } else if query.is_empty() {
            let q = select()
                .and_where(not_deleted())
                .order_by(name("updated_at"), Order::Desc)
                .limit(limit)
                .to_owned();
            found = rows_to_patients(self.db.query_all(&in_scope(q)).await?)?;
        }
        found.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        self.disclose(actor, search_entry(&found), now).await?;
        Ok(found)
    }

    /// The first `limit` live patients whose names match every prefix, in order, in one
    /// statement: the longest prefix drives an ordered range scan of the token index
    /// (stopping at the page), the other words and the birth date filter it, and only
    /// the page's patients are read.
    async fn patients_by_name(
        &self,
        query: &PatientQuery,
        scope: Option<Cond>,
        limit: u64,
    ) -> StoreResult<Vec<Patient>> {
        let mut prefixes: Vec<&String> = query.name_prefixes.iter().collect();
        prefixes.sort_by_key(|p| std::cmp::Reverse(p.len()));
        let Some((lead, others)) = prefixes.split_first() else {
            return Ok(Vec::new());
        };
        let token = |table: &'static str| (name(table), name("token"));
        let in_range = |table: &'static str, prefix: &str| {
            let mut cond = Cond::all().add(Expr::col(token(table)).gte(prefix.to_string()));
            if let Some(upper) = prefix_upper_bound(prefix) {
                cond = cond.add(Expr::col(token(table)).lt(upper));
            }
            cond
        };
        let mut tokens = Query::select();
        tokens
            .columns([
                (name("t"), name("patient_id")),
                (name("t"), name("token")),
                (name("t"), name("sort_key")),
            ])
            .from_as(name("patient_name_tokens"), name("t"))
            .cond_where(in_range("t", lead));
        for other in others {
            let mut also = Query::select();
            also.expr(Expr::val(1))
                .from_as(name("patient_name_tokens"), name("o"))
                .and_where(
                    Expr::col((name("o"), name("patient_id")))
                        .equals((name("t"), name("patient_id"))),
                )
                .cond_where(in_range("o", other));
            tokens.and_where(Expr::exists(also.to_owned()));
        }
        if let Some(date) = query.birth_date {
            tokens.and_where(Expr::col((name("t"), name("birth_date"))).eq(date));
        }
        if let Some(scope) = scope {
            tokens.cond_where(scope);
        }
        tokens
            .order_by((name("t"), name("token")), Order::Asc)
            .order_by((name("t"), name("sort_key")), Order::Asc);
        // A patient can match the leading prefix with several tokens ("dupre" and
        // "duprelefevre"): read pages until `limit` distinct patients are found.
        let page = limit + 10;
        let wanted = usize::try_from(limit).unwrap_or(usize::MAX);
        let mut found: Vec<Patient> = Vec::new();
        let mut offset = 0;
        loop {
            let window = tokens.clone().limit(page).offset(offset).to_owned();
            let q = Query::select()
                .columns(COLUMNS.map(|c| (name("p"), name(c))))
                .from_subquery(window, name("m"))
                .join_as(
                    JoinType::InnerJoin,
                    name("patients"),
                    name("p"),
                    Expr::col((name("p"), name("id"))).equals((name("m"), name("patient_id"))),
                )
                .and_where(Expr::col((name("p"), name("deleted_at"))).is_null())
                .order_by((name("m"), name("token")), Order::Asc)
                .order_by((name("m"), name("sort_key")), Order::Asc)
                .to_owned();
            let rows = self.db.query_all(&q).await?;
            let fetched = rows.len() as u64;
            for patient in rows_to_patients(rows)? {
                if !found.iter().any(|p| p.id == patient.id) {
                    found.push(patient);
                }
            }
            if found.len() >= wanted || fetched < page {
                break;
            }
            offset += page;
        }
        found.truncate(wanted);
        Ok(found)
    }

    /// Other records with the same folded names and birth date: possible duplicates to
    /// show before registering or renaming. Audited as a search when it finds any.
    pub async fn possible_duplicates(
        &self,
        actor: &Actor,
        patient: &NewPatient,
        except: Option<PatientId>,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<Patient>> {
        let (family, given, birth_date) = patient.duplicate_key();
        let mut q = select()
            .and_where(Expr::col(name("family_folded")).eq(family))
            .and_where(Expr::col(name("given_folded")).eq(given))
            .and_where(Expr::col(name("birth_date")).eq(birth_date))
            .and_where(not_deleted())
            .limit(20)
            .to_owned();
        if let Some(scope) = crate::access::scope_condition(actor, name("id"), now) {
            q.cond_where(scope);
        }
        if let Some(except) = except {
            q.and_where(Expr::col(name("id")).ne(except.as_uuid()));
        }
        let patients = rows_to_patients(self.db.query_all(&q).await?)?;
        if !patients.is_empty() {
            self.disclose(actor, search_entry(&patients), now).await?;
        }
        Ok(patients)
    }
}
