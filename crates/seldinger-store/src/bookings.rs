//! Booking a case: one transaction that takes the booking lock, loads what the decision
//! needs (resources, availability, the active bookings around the requested time and the
//! bed days), asks `seldinger-schedule` whether the request is feasible, and writes the
//! booking, its bed days and the case's state change — or answers every conflict, naming
//! the resource and the booking in the way.
//!
//! The lock is one row (`booking_lock`) updated first by every booking transaction:
//! bookings are rare (tens an hour), so serialising them all is cheap and makes "no
//! overlap" hold on both engines without dialect-specific locking.

use sea_orm::sea_query::{Expr, ExprTrait, JoinType, Order, Query, SelectStatement, UnionType};
use sea_orm::{ConnectionTrait, FromQueryResult, TransactionTrait};
use seldinger_domain::audit::{Actor, AuditAction};
use seldinger_domain::case::{CaseEvent, CaseStatus};
use seldinger_domain::catalog::ProcedureType;
use seldinger_domain::localtime::{from_local, to_local};
use seldinger_domain::patient::{Allergy, AllergyKind, Anticoagulant, AnticoagulantDrug};
use seldinger_domain::rules::Rule;
use seldinger_domain::{
    BedUnitId, BookingId, CaseId, EquipmentId, PatientId, ProcedureVersionId, Role, RoomId, UserId,
};
use seldinger_schedule::{Allocation, BedUnit, Booked, Context, Equipment, Person, Room, Slot};
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time};
use uuid::Uuid;

use crate::access::scope_condition;
use crate::audit::{Entry, append};
use crate::cases::{
    CaseRecord, CaseSummary, apply_event, lock_case, record_event, select_summaries, summaries,
};
use crate::catalog::procedure_version;
use crate::resources::{load_bed_units, load_equipment, load_rooms, load_staff};
use crate::{Conflict, Store, StoreError, StoreResult, name, utc};
use crate::{corrupt, json};

/// A booking as stored, with the names lists show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookingRecord {
    pub id: BookingId,
    pub case_id: CaseId,
    /// The case's patient.
    pub patient_id: PatientId,
    pub room_id: RoomId,
    pub room_name: String,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub operator_id: UserId,
    pub operator_name: String,
    pub anesthetist_id: Option<UserId>,
    pub anesthetist_name: Option<String>,
    pub equipment: Vec<EquipmentId>,
    pub bed_unit_id: Option<BedUnitId>,
    pub active: bool,
    pub cancel_reason: Option<String>,
    pub created_at: OffsetDateTime,
    pub version: i64,
}

#[derive(FromQueryResult)]
struct BookingRow {
    id: Uuid,
    case_id: Uuid,
    patient_id: Uuid,
    room_id: Uuid,
    room_name: String,
    starts_at: OffsetDateTime,
    ends_at: OffsetDateTime,
    operator_id: Uuid,
    operator_name: String,
    anesthetist_id: Option<Uuid>,
    anesthetist_name: Option<String>,
    equipment: String,
    bed_unit_id: Option<Uuid>,
    status: String,
    cancel_reason: Option<String>,
    created_at: OffsetDateTime,
    version: i64,
}

const ACTIVE: &str = "active";
const CANCELLED: &str = "cancelled";

impl BookingRow {
    fn into_record(self) -> StoreResult<BookingRecord> {
        Ok(BookingRecord {
            id: BookingId::from_uuid(self.id),
            case_id: CaseId::from_uuid(self.case_id),
            patient_id: PatientId::from_uuid(self.patient_id),
            room_id: RoomId::from_uuid(self.room_id),
            room_name: self.room_name,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            operator_id: UserId::from_uuid(self.operator_id),
            operator_name: self.operator_name,
            anesthetist_id: self.anesthetist_id.map(UserId::from_uuid),
            anesthetist_name: self.anesthetist_name,
            equipment: serde_json::from_str(&self.equipment)
                .map_err(|e| corrupt("booking equipment", e))?,
            bed_unit_id: self.bed_unit_id.map(BedUnitId::from_uuid),
            active: self.status == ACTIVE,
            cancel_reason: self.cancel_reason,
            created_at: self.created_at,
            version: self.version,
        })
    }
}

/// What the scheduler needs of a booking.
const SCHEDULE_COLUMNS: [&str; 9] = [
    "id",
    "case_id",
    "room_id",
    "starts_at",
    "ends_at",
    "operator_id",
    "anesthetist_id",
    "equipment",
    "bed_unit_id",
];

/// Bookings with their room's and people's names.
fn select_bookings() -> SelectStatement {
    let mut q = Query::select();
    let more = ["status", "cancel_reason", "created_at", "version"];
    for c in SCHEDULE_COLUMNS.iter().chain(&more) {
        q.column((name("b"), name(c)));
    }
    q.expr_as(Expr::col((name("r"), name("name"))), name("room_name"))
        .expr_as(
            Expr::col((name("o"), name("full_name"))),
            name("operator_name"),
        )
        .expr_as(
            Expr::col((name("an"), name("full_name"))),
            name("anesthetist_name"),
        )
        .column((name("bc"), name("patient_id")))
        .from_as(name("bookings"), name("b"))
        .join_as(
            JoinType::InnerJoin,
            name("cases"),
            name("bc"),
            Expr::col((name("bc"), name("id"))).equals((name("b"), name("case_id"))),
        )
        .join_as(
            JoinType::InnerJoin,
            name("rooms"),
            name("r"),
            Expr::col((name("r"), name("id"))).equals((name("b"), name("room_id"))),
        )
        .join_as(
            JoinType::InnerJoin,
            name("users"),
            name("o"),
            Expr::col((name("o"), name("id"))).equals((name("b"), name("operator_id"))),
        )
        .join_as(
            JoinType::LeftJoin,
            name("users"),
            name("an"),
            Expr::col((name("an"), name("id"))).equals((name("b"), name("anesthetist_id"))),
        );
    q
}

/// A case's bookings, newest first.
pub(crate) async fn of_case<C: ConnectionTrait>(
    db: &C,
    case: CaseId,
) -> StoreResult<Vec<BookingRecord>> {
    let q = select_bookings()
        .and_where(Expr::col((name("b"), name("case_id"))).eq(case.as_uuid()))
        .order_by((name("b"), name("created_at")), Order::Desc)
        .to_owned();
    booking_rows(&db.query_all(&q).await?)
}

fn booking_rows(rows: &[sea_orm::QueryResult]) -> StoreResult<Vec<BookingRecord>> {
    rows.iter()
        .map(|r| BookingRow::from_query_result(r, "")?.into_record())
        .collect()
}

/// What a booking asks for. `end` defaults to the start plus the procedure's duration;
/// equipment and bed unit are picked automatically when not named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookingRequest {
    pub room: RoomId,
    pub start: OffsetDateTime,
    pub end: Option<OffsetDateTime>,
    pub operator: UserId,
    pub anesthetist: Option<UserId>,
    pub equipment: Option<Vec<EquipmentId>>,
    pub bed_unit: Option<BedUnitId>,
}

impl BookingRequest {
    /// The same request with its instants on the UTC clock, as they are stored.
    fn in_utc(&self) -> Self {
        Self {
            start: utc(self.start),
            end: self.end.map(utc),
            ..self.clone()
        }
    }
}

/// Takes the booking lock: the first statement of every booking transaction.
pub(crate) async fn lock_bookings<C: ConnectionTrait>(db: &C) -> StoreResult<()> {
    crate::take_lock(db, "booking_lock").await
}

/// Resources, people and bookings around a time window, as the scheduler needs them.
pub(crate) struct Loaded {
    rooms: Vec<Room>,
    equipment: Vec<Equipment>,
    bed_units: Vec<BedUnit>,
    operators: Vec<Person>,
    anesthetists: Vec<Person>,
    booked: Vec<Booked>,
}

impl Loaded {
    fn context<'a>(&'a self, zone: &'a jiff::tz::TimeZone) -> Context<'a> {
        Context {
            zone,
            rooms: &self.rooms,
            equipment: &self.equipment,
            bed_units: &self.bed_units,
            operators: &self.operators,
            anesthetists: &self.anesthetists,
            booked: &self.booked,
        }
    }
}

/// Loads what deciding on bookings within `[from, to)` needs: every resource, the
/// availability of operators and anesthetists, the active bookings overlapping the window
/// and those holding a bed on any day from `from`'s date to `to`'s date + `nights`.
pub(crate) async fn load_context<C: ConnectionTrait>(
    db: &C,
    zone: &jiff::tz::TimeZone,
    from: OffsetDateTime,
    to: OffsetDateTime,
    nights: i64,
) -> StoreResult<Loaded> {
    let (from, to) = (utc(from), utc(to));
    let first_day = to_local(from, zone).date();
    let last_day = to_local(to, zone).date() + Duration::days(Ord::max(nights, 0) + 1);
    // A booking lies within one day's opening hours, so one overlapping the window
    // starts less than a day before it: the lower bound keeps the index range short.
    // Two index-driven selects joined by UNION: an OR of the two conditions would make
    // PostgreSQL scan every booking.
    let mut q = Query::select()
        .columns(SCHEDULE_COLUMNS.map(|c| (name("b"), name(c))))
        .from_as(name("bookings"), name("b"))
        .and_where(Expr::col((name("b"), name("starts_at"))).gte(from - Duration::days(1)))
        .and_where(Expr::col((name("b"), name("starts_at"))).lt(to))
        .and_where(Expr::col((name("b"), name("ends_at"))).gt(from))
        .and_where(Expr::col((name("b"), name("status"))).eq(ACTIVE))
        .to_owned();
    let holding_beds = Query::select()
        .columns(SCHEDULE_COLUMNS.map(|c| (name("b"), name(c))))
        .from_as(name("booking_beds"), name("d"))
        .join_as(
            JoinType::InnerJoin,
            name("bookings"),
            name("b"),
            Expr::col((name("b"), name("id"))).equals((name("d"), name("booking_id"))),
        )
        .and_where(Expr::col((name("d"), name("date"))).gte(first_day))
        .and_where(Expr::col((name("d"), name("date"))).lte(last_day))
        .and_where(Expr::col((name("b"), name("status"))).eq(ACTIVE))
        .to_owned();
    q.union(UnionType::Distinct, holding_beds);
    let mut booked = Vec::new();
    for row in db.query_all(&q).await? {
        let equipment: String = row.try_get("", "equipment")?;
        let anesthetist: Option<Uuid> = row.try_get("", "anesthetist_id")?;
        let bed: Option<Uuid> = row.try_get("", "bed_unit_id")?;
        booked.push(Booked {
            id: BookingId::from_uuid(row.try_get("", "id")?),
            case: CaseId::from_uuid(row.try_get("", "case_id")?),
            room: RoomId::from_uuid(row.try_get("", "room_id")?),
            start: row.try_get("", "starts_at")?,
            end: row.try_get("", "ends_at")?,
            operator: UserId::from_uuid(row.try_get("", "operator_id")?),
            anesthetist: anesthetist.map(UserId::from_uuid),
            equipment: serde_json::from_str(&equipment)
                .map_err(|e| corrupt("booking equipment", e))?,
            bed_unit: bed.map(BedUnitId::from_uuid),
            bed_dates: Vec::new(),
        });
    }
    let with_beds: Vec<Uuid> = booked
        .iter()
        .filter(|b| b.bed_unit.is_some())
        .map(|b| b.id.as_uuid())
        .collect();
    if !with_beds.is_empty() {
        let q = Query::select()
            .columns(["booking_id", "date"].map(name))
            .from(name("booking_beds"))
            .and_where(Expr::col(name("booking_id")).is_in(with_beds))
            .to_owned();
        for row in db.query_all(&q).await? {
            let id = BookingId::from_uuid(row.try_get("", "booking_id")?);
            let date: Date = row.try_get("", "date")?;
            if let Some(b) = booked.iter_mut().find(|b| b.id == id) {
                b.bed_dates.push(date);
            }
        }
    }
    let staff = load_staff(
        db,
        &[Role::InterventionalRadiologist, Role::Anesthetist],
        first_day,
    )
    .await?;
    Ok(Loaded {
        rooms: load_rooms(db).await?.into_iter().map(|r| r.room).collect(),
        equipment: load_equipment(db)
            .await?
            .into_iter()
            .map(|e| e.equipment)
            .collect(),
        bed_units: load_bed_units(db)
            .await?
            .into_iter()
            .map(|u| u.unit)
            .collect(),
        operators: staff
            .iter()
            .filter(|s| s.role == Role::InterventionalRadiologist)
            .map(|s| s.person())
            .collect(),
        anesthetists: staff
            .iter()
            .filter(|s| s.role == Role::Anesthetist)
            .map(|s| s.person())
            .collect(),
        booked,
    })
}

fn nights(procedure: &ProcedureType) -> i64 {
    i64::from(procedure.stay.nights)
}

async fn write_beds<C: ConnectionTrait>(
    db: &C,
    booking: Uuid,
    allocation: &Allocation,
) -> StoreResult<()> {
    let delete = Query::delete()
        .from_table(name("booking_beds"))
        .and_where(Expr::col(name("booking_id")).eq(booking))
        .to_owned();
    db.execute(&delete).await?;
    if let Some(unit) = allocation.bed_unit
        && !allocation.bed_dates.is_empty()
    {
        let mut insert = Query::insert();
        insert
            .into_table(name("booking_beds"))
            .columns(["booking_id", "bed_unit_id", "date"].map(name));
        for date in &allocation.bed_dates {
            insert.values_panic([booking.into(), unit.as_uuid().into(), (*date).into()]);
        }
        db.execute(&insert).await?;
    }
    Ok(())
}

/// Checks a request against everything booked, as the scheduler sees it.
fn checked(
    loaded: &Loaded,
    zone: &jiff::tz::TimeZone,
    case: &CaseRecord,
    procedure: &ProcedureType,
    request: &BookingRequest,
    replacing: Option<BookingId>,
) -> StoreResult<(OffsetDateTime, Allocation)> {
    let end = request
        .end
        .unwrap_or(request.start + Duration::minutes(i64::from(procedure.duration_minutes)));
    let schedule_request = seldinger_schedule::Request {
        case: case.id,
        procedure,
        room: request.room,
        start: request.start,
        end,
        operator: request.operator,
        anesthetist: request.anesthetist,
        equipment: request.equipment.clone(),
        bed_unit: request.bed_unit,
        replacing,
    };
    seldinger_schedule::check(&schedule_request, &loaded.context(zone))
        .map(|allocation| (end, allocation))
        .map_err(|conflicts| StoreError::Conflict(Conflict::Booking(conflicts)))
}

async fn booking<C: ConnectionTrait>(db: &C, id: BookingId) -> StoreResult<BookingRecord> {
    let q = select_bookings()
        .and_where(Expr::col((name("b"), name("id"))).eq(id.as_uuid()))
        .to_owned();
    let row = db.query_one(&q).await?.ok_or(StoreError::NotFound)?;
    BookingRow::from_query_result(&row, "")?.into_record()
}

/// The case's active booking, if any.
pub(crate) async fn active_booking<C: ConnectionTrait>(
    db: &C,
    case: CaseId,
) -> StoreResult<Option<BookingRecord>> {
    let q = select_bookings()
        .and_where(Expr::col((name("b"), name("case_id"))).eq(case.as_uuid()))
        .and_where(Expr::col((name("b"), name("status"))).eq(ACTIVE))
        .limit(1)
        .to_owned();
    match db.query_one(&q).await? {
        Some(row) => Ok(Some(
            BookingRow::from_query_result(&row, "")?.into_record()?,
        )),
        None => Ok(None),
    }
}

/// Cancels a case's active bookings (the case is cancelled): no state change here.
pub(crate) async fn cancel_active_bookings<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    case: CaseId,
    reason: &str,
    now: OffsetDateTime,
) -> StoreResult<()> {
    if let Some(active) = active_booking(db, case).await? {
        cancel_row(db, active.id, reason, now).await?;
        let entry = Entry::new(AuditAction::BookingCancel)
            .on("case", case)
            .patient(active.patient_id)
            .detail(format!("booking/{} {reason}", active.id));
        append(db, actor, entry, now).await?;
    }
    Ok(())
}

async fn cancel_row<C: ConnectionTrait>(
    db: &C,
    id: BookingId,
    reason: &str,
    now: OffsetDateTime,
) -> StoreResult<()> {
    let update = Query::update()
        .table(name("bookings"))
        .values([
            (name("status"), CANCELLED.into()),
            (name("cancelled_at"), now.into()),
            (name("cancel_reason"), reason.into()),
            (name("updated_at"), now.into()),
        ])
        .value(name("version"), Expr::col(name("version")).add(1))
        .and_where(Expr::col(name("id")).eq(id.as_uuid()))
        .to_owned();
    db.execute(&update).await?;
    let delete = Query::delete()
        .from_table(name("booking_beds"))
        .and_where(Expr::col(name("booking_id")).eq(id.as_uuid()))
        .to_owned();
    db.execute(&delete).await?;
    Ok(())
}

/// One line of a calendar or a day list: the booking and its case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookedCase {
    pub booking: BookingRecord,
    pub case: CaseSummary,
    /// A time-out is recorded for this booking.
    pub timed_out: bool,
    /// The catalog version the case is planned with.
    pub planned_version_id: ProcedureVersionId,
    /// The alerts of the referral and of the patient's record, each once.
    pub allergies: Vec<AllergyKind>,
    pub anticoagulants: Vec<AnticoagulantDrug>,
}

/// Per case: the planned version and the alerts of the referral and the patient.
async fn alerts<C: ConnectionTrait>(
    db: &C,
    cases: Vec<Uuid>,
) -> StoreResult<
    Vec<(
        CaseId,
        ProcedureVersionId,
        Vec<AllergyKind>,
        Vec<AnticoagulantDrug>,
    )>,
> {
    let q = Query::select()
        .columns(
            ["id", "planned_version_id", "allergies", "anticoagulants"]
                .map(|c| (name("c"), name(c))),
        )
        .expr_as(
            Expr::col((name("p"), name("allergies"))),
            name("patient_allergies"),
        )
        .expr_as(
            Expr::col((name("p"), name("anticoagulants"))),
            name("patient_anticoagulants"),
        )
        .from_as(name("cases"), name("c"))
        .join_as(
            JoinType::InnerJoin,
            name("patients"),
            name("p"),
            Expr::col((name("p"), name("id"))).equals((name("c"), name("patient_id"))),
        )
        .and_where(Expr::col((name("c"), name("id"))).is_in(cases))
        .to_owned();
    let mut out = Vec::new();
    for row in db.query_all(&q).await? {
        let mut allergies: Vec<AllergyKind> = Vec::new();
        let mut drugs: Vec<AnticoagulantDrug> = Vec::new();
        for column in ["allergies", "patient_allergies"] {
            let raw: String = row.try_get("", column)?;
            let list: Vec<Allergy> =
                serde_json::from_str(&raw).map_err(|e| corrupt("allergies", e))?;
            allergies.extend(list.iter().map(|a| a.kind));
        }
        for column in ["anticoagulants", "patient_anticoagulants"] {
            let raw: String = row.try_get("", column)?;
            let list: Vec<Anticoagulant> =
                serde_json::from_str(&raw).map_err(|e| corrupt("anticoagulants", e))?;
            drugs.extend(list.iter().map(|a| a.drug));
        }
        allergies.sort();
        allergies.dedup();
        drugs.sort();
        drugs.dedup();
        out.push((
            CaseId::from_uuid(row.try_get("", "id")?),
            ProcedureVersionId::from_uuid(row.try_get("", "planned_version_id")?),
            allergies,
            drugs,
        ));
    }
    Ok(out)
}

/// Where in the day's lists to look.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ListFilter {
    pub room: Option<RoomId>,
    pub anesthetist: Option<UserId>,
    /// Only bookings with an anesthetist (the anesthetists' list).
    pub with_anesthetist: bool,
}

impl Store {
    /// Books a case that is "to schedule": checks every constraint and writes the
    /// booking and the case's move to "scheduled" in one transaction.
    pub async fn book_case(
        &self,
        actor: &Actor,
        case_id: CaseId,
        request: &BookingRequest,
        now: OffsetDateTime,
    ) -> StoreResult<BookingRecord> {
        let request = &request.in_utc();
        let txn = self.db.begin().await?;
        lock_bookings(&txn).await?;
        let case = lock_case(&txn, case_id, now).await?;
        case.status
            .apply(&CaseEvent::Book)
            .map_err(|refusal| StoreError::Conflict(Conflict::Transition(refusal)))?;
        let procedure = procedure_version(&txn, case.planned_version_id)
            .await?
            .definition;
        let window_end = request
            .end
            .unwrap_or(request.start + Duration::minutes(i64::from(procedure.duration_minutes)));
        let loaded = load_context(
            &txn,
            &self.zone,
            request.start,
            window_end,
            nights(&procedure),
        )
        .await?;
        let (end, allocation) = checked(&loaded, &self.zone, &case, &procedure, request, None)?;
        let id = Uuid::now_v7();
        let insert = Query::insert()
            .into_table(name("bookings"))
            .columns(
                SCHEDULE_COLUMNS
                    .iter()
                    .chain(&[
                        "status",
                        "created_at",
                        "created_by",
                        "updated_at",
                        "version",
                    ])
                    .map(|c| name(c)),
            )
            .values_panic([
                id.into(),
                case_id.as_uuid().into(),
                request.room.as_uuid().into(),
                request.start.into(),
                end.into(),
                request.operator.as_uuid().into(),
                request.anesthetist.map(|a| a.as_uuid()).into(),
                json(&allocation.equipment)?.into(),
                allocation.bed_unit.map(|b| b.as_uuid()).into(),
                ACTIVE.into(),
                now.into(),
                actor.user_id.map(|u| u.as_uuid()).into(),
                now.into(),
                1i64.into(),
            ])
            .to_owned();
        txn.execute(&insert).await?;
        write_beds(&txn, id, &allocation).await?;
        apply_event(&txn, actor, &case, &CaseEvent::Book, now).await?;
        append(
            &txn,
            actor,
            Entry::new(AuditAction::BookingCreate)
                .on("case", case_id)
                .patient(case.patient_id)
                .detail(format!("booking/{id}")),
            now,
        )
        .await?;
        crate::checklists::refresh_readiness(&txn, &self.zone, actor, case_id, now).await?;
        let booked = booking(&txn, BookingId::from_uuid(id)).await?;
        txn.commit().await?;
        Ok(booked)
    }

    /// Whether a booking would be accepted now, without making it: the same check as
    /// [`book_case`](Self::book_case), outside the lock (the answer may be stale by the
    /// time a booking is attempted). Its reads share one transaction: one snapshot, and
    /// one connection taken from the pool rather than one per read.
    pub async fn check_booking(
        &self,
        case_id: CaseId,
        request: &BookingRequest,
    ) -> StoreResult<Allocation> {
        let txn = self.db.begin().await?;
        let case = crate::cases::load_case(&txn, case_id).await?;
        let procedure = procedure_version(&txn, case.planned_version_id)
            .await?
            .definition;
        let window_end = request
            .end
            .unwrap_or(request.start + Duration::minutes(i64::from(procedure.duration_minutes)));
        let loaded = load_context(
            &txn,
            &self.zone,
            request.start,
            window_end,
            nights(&procedure),
        )
        .await?;
        txn.commit().await?;
        checked(&loaded, &self.zone, &case, &procedure, request, None).map(|(_, a)| a)
    }

    /// Moves an active booking (another time, room or team), checked like a new one.
    pub async fn move_booking(
        &self,
        actor: &Actor,
        id: BookingId,
        request: &BookingRequest,
        now: OffsetDateTime,
    ) -> StoreResult<BookingRecord> {
        let request = &request.in_utc();
        let txn = self.db.begin().await?;
        lock_bookings(&txn).await?;
        let current = booking(&txn, id).await?;
        if !current.active {
            return Err(StoreError::Conflict(Conflict::Rule(Rule::BookingNotActive)));
        }
        let case = lock_case(&txn, current.case_id, now).await?;
        // Only a booking still ahead of its procedure moves.
        if !matches!(case.status, CaseStatus::Scheduled | CaseStatus::Ready) {
            return Err(StoreError::Conflict(Conflict::Transition(
                seldinger_domain::case::Refusal::NotAllowed {
                    from: case.status,
                    event: "book",
                },
            )));
        }
        let procedure = procedure_version(&txn, case.planned_version_id)
            .await?
            .definition;
        let window_end = request
            .end
            .unwrap_or(request.start + Duration::minutes(i64::from(procedure.duration_minutes)));
        let loaded = load_context(
            &txn,
            &self.zone,
            request.start,
            window_end,
            nights(&procedure),
        )
        .await?;
        let (end, allocation) = checked(&loaded, &self.zone, &case, &procedure, request, Some(id))?;
        let update = Query::update()
            .table(name("bookings"))
            .values([
                (name("room_id"), request.room.as_uuid().into()),
                (name("starts_at"), request.start.into()),
                (name("ends_at"), end.into()),
                (name("operator_id"), request.operator.as_uuid().into()),
                (
                    name("anesthetist_id"),
                    request.anesthetist.map(|a| a.as_uuid()).into(),
                ),
                (name("equipment"), json(&allocation.equipment)?.into()),
                (
                    name("bed_unit_id"),
                    allocation.bed_unit.map(|b| b.as_uuid()).into(),
                ),
                (name("updated_at"), now.into()),
            ])
            .value(name("version"), Expr::col(name("version")).add(1))
            .and_where(Expr::col(name("id")).eq(id.as_uuid()))
            .to_owned();
        txn.execute(&update).await?;
        write_beds(&txn, id.as_uuid(), &allocation).await?;
        record_event(
            &txn,
            actor,
            case.id,
            "reschedule",
            Some(case.status),
            case.status,
            Some(format!("booking/{id}")),
            now,
        )
        .await?;
        append(
            &txn,
            actor,
            Entry::new(AuditAction::BookingMove)
                .on("case", case.id)
                .patient(case.patient_id)
                .detail(format!("booking/{id}")),
            now,
        )
        .await?;
        crate::checklists::refresh_readiness(&txn, &self.zone, actor, case.id, now).await?;
        let moved = booking(&txn, id).await?;
        txn.commit().await?;
        Ok(moved)
    }

    /// Cancels an active booking; the case goes back to "to schedule".
    pub async fn cancel_booking(
        &self,
        actor: &Actor,
        id: BookingId,
        reason: &str,
        now: OffsetDateTime,
    ) -> StoreResult<BookingRecord> {
        let txn = self.db.begin().await?;
        lock_bookings(&txn).await?;
        let current = booking(&txn, id).await?;
        if !current.active {
            return Err(StoreError::Conflict(Conflict::Rule(Rule::BookingNotActive)));
        }
        let case = lock_case(&txn, current.case_id, now).await?;
        apply_event(&txn, actor, &case, &CaseEvent::ReleaseBooking, now).await?;
        cancel_row(&txn, id, reason, now).await?;
        append(
            &txn,
            actor,
            Entry::new(AuditAction::BookingCancel)
                .on("case", case.id)
                .patient(case.patient_id)
                .detail(format!("booking/{id}")),
            now,
        )
        .await?;
        let cancelled = booking(&txn, id).await?;
        txn.commit().await?;
        Ok(cancelled)
    }

    /// One booking.
    pub async fn booking(
        &self,
        actor: &Actor,
        id: BookingId,
        now: OffsetDateTime,
    ) -> StoreResult<BookingRecord> {
        let found = booking(&self.db, id).await?;
        let entry = Entry::new(AuditAction::BookingRead)
            .on("case", found.case_id)
            .patient(found.patient_id)
            .detail(format!("booking/{id}"));
        self.disclose(actor, entry, now).await?;
        Ok(found)
    }

    /// A case's bookings, newest first.
    pub async fn case_bookings(
        &self,
        actor: &Actor,
        case: CaseId,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<BookingRecord>> {
        let found = of_case(&self.db, case).await?;
        self.disclose_case(actor, AuditAction::BookingRead, case, now)
            .await?;
        Ok(found)
    }

    /// Active bookings starting in `[from, to)` with their cases, in time order (a room's
    /// week, the day's lists, the anesthetists' list). Audited as a list.
    pub async fn booked_cases(
        &self,
        actor: &Actor,
        from: OffsetDateTime,
        to: OffsetDateTime,
        filter: ListFilter,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<BookedCase>> {
        let (from, to) = (utc(from), utc(to));
        let mut q = select_bookings()
            .and_where(Expr::col((name("b"), name("status"))).eq(ACTIVE))
            .and_where(Expr::col((name("b"), name("starts_at"))).gte(from))
            .and_where(Expr::col((name("b"), name("starts_at"))).lt(to))
            .order_by((name("b"), name("starts_at")), Order::Asc)
            .order_by((name("b"), name("id")), Order::Asc)
            .limit(2000)
            .to_owned();
        if let Some(room) = filter.room {
            q.and_where(Expr::col((name("b"), name("room_id"))).eq(room.as_uuid()));
        }
        if let Some(anesthetist) = filter.anesthetist {
            q.and_where(Expr::col((name("b"), name("anesthetist_id"))).eq(anesthetist.as_uuid()));
        }
        if filter.with_anesthetist {
            q.and_where(Expr::col((name("b"), name("anesthetist_id"))).is_not_null());
        }
        if let Some(scope) = scope_condition(actor, (name("bc"), name("patient_id")), now) {
            q.cond_where(scope);
        }
        let bookings = booking_rows(&self.db.query_all(&q).await?)?;
        let mut out = Vec::with_capacity(bookings.len());
        if !bookings.is_empty() {
            let ids: Vec<Uuid> = bookings.iter().map(|b| b.case_id.as_uuid()).collect();
            let cases = summaries(
                &self
                    .db
                    .query_all(
                        &select_summaries()
                            .and_where(Expr::col((name("c"), name("id"))).is_in(ids))
                            .to_owned(),
                    )
                    .await?,
            )?;
            let booking_ids: Vec<Uuid> = bookings.iter().map(|b| b.id.as_uuid()).collect();
            let timeouts = Query::select()
                .column(name("booking_id"))
                .from(name("timeouts"))
                .and_where(Expr::col(name("booking_id")).is_in(booking_ids))
                .to_owned();
            let mut timed_out = Vec::new();
            for row in self.db.query_all(&timeouts).await? {
                timed_out.push(BookingId::from_uuid(row.try_get("", "booking_id")?));
            }
            let alerts = alerts(
                &self.db,
                bookings.iter().map(|b| b.case_id.as_uuid()).collect(),
            )
            .await?;
            for booking in bookings {
                let case = cases.iter().find(|c| c.id == booking.case_id);
                let alert = alerts.iter().find(|a| a.0 == booking.case_id);
                if let (Some(case), Some((_, version, allergies, anticoagulants))) = (case, alert) {
                    out.push(BookedCase {
                        timed_out: timed_out.contains(&booking.id),
                        case: case.clone(),
                        planned_version_id: *version,
                        allergies: allergies.clone(),
                        anticoagulants: anticoagulants.clone(),
                        booking,
                    });
                }
            }
        }
        let entry = Entry::new(AuditAction::BookingList)
            .patients(out.iter().map(|b| b.case.patient_id))
            .detail(format!("bookings results={}", out.len()));
        self.disclose(actor, entry, now).await?;
        Ok(out)
    }

    /// The next `count` feasible slots for a case from `from`, over `days` days: a plain
    /// search over rooms, times on a `step_minutes` grid, operators and anesthetists. The
    /// case's own active booking is left out, so that a booked case sees where it could
    /// move.
    #[expect(
        clippy::too_many_arguments,
        reason = "the search's knobs, each optional"
    )]
    pub async fn next_slots(
        &self,
        case_id: CaseId,
        from: OffsetDateTime,
        days: u16,
        count: usize,
        room: Option<RoomId>,
        operator: Option<UserId>,
        anesthetist: Option<UserId>,
    ) -> StoreResult<Vec<Slot>> {
        // One snapshot and one pooled connection for every read, as for a check.
        let txn = self.db.begin().await?;
        let case = crate::cases::load_case(&txn, case_id).await?;
        let procedure = procedure_version(&txn, case.planned_version_id)
            .await?
            .definition;
        let to = from + Duration::days(i64::from(days) + 1);
        let mut loaded = load_context(&txn, &self.zone, from, to, nights(&procedure)).await?;
        txn.commit().await?;
        // A booked case looks for somewhere to move: its own booking is not in the way.
        loaded.booked.retain(|b| b.case != case_id);
        let query = seldinger_schedule::SlotQuery {
            procedure: &procedure,
            case: case_id,
            from,
            days,
            count,
            step_minutes: 15,
            room,
            operator,
            anesthetist,
        };
        Ok(seldinger_schedule::next_slots(
            &query,
            &loaded.context(&self.zone),
        ))
    }

    /// The instants of a local day in the department's zone: `[midnight, next midnight)`.
    pub fn local_day(&self, date: Date) -> (OffsetDateTime, OffsetDateTime) {
        let start = from_local(PrimitiveDateTime::new(date, Time::MIDNIGHT), &self.zone);
        let end = from_local(
            PrimitiveDateTime::new(date + Duration::days(1), Time::MIDNIGHT),
            &self.zone,
        );
        (start, end)
    }

    /// Whether `case`'s status allows a booking now (for pages deciding what to show).
    pub fn can_book(status: CaseStatus) -> bool {
        status.apply(&CaseEvent::Book).is_ok()
    }
}
