//! Rooms, equipment, bed units and the availability of operators and anesthetists:
//! what bookings are checked against. Edited by administrators and schedulers; not
//! patient data, but every change is audited.

use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, FromQueryResult, TransactionTrait};
use seldinger_domain::audit::{Actor, AuditAction};
use seldinger_domain::catalog::{EquipmentKind, RoomType};
use seldinger_domain::invalid::{FieldError, Problem};
use seldinger_domain::resources::{
    Availability, AvailabilityException, BedUnitDef, BedUnitKind, EquipmentDef, RoomDef,
    WeeklyHours,
};
use seldinger_domain::{BedUnitId, EquipmentId, Invalid, Role, RoomId, UserId};
use seldinger_schedule::{BedUnit, Equipment, Person, Room};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::audit::{Entry, append};

use crate::{Conflict, Store, StoreError, StoreResult, name};
use crate::{corrupt, json};

/// A room with the version its edits build on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomRecord {
    pub room: Room,
    pub version: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EquipmentRecord {
    pub equipment: Equipment,
    pub version: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BedUnitRecord {
    pub unit: BedUnit,
    pub version: i64,
}

/// A member of staff who can be booked, with their weekly hours and exceptions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffAvailability {
    pub user_id: UserId,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub weekly: WeeklyHours,
    /// 0 until hours are first set.
    pub version: i64,
    pub exceptions: Vec<(Uuid, AvailabilityException)>,
}

impl StaffAvailability {
    pub fn person(&self) -> Person {
        Person {
            id: self.user_id,
            name: self.full_name.clone(),
            availability: Availability {
                weekly: self.weekly.clone(),
                exceptions: self.exceptions.iter().map(|(_, e)| e.clone()).collect(),
            },
        }
    }
}

#[derive(FromQueryResult)]
struct RoomRow {
    id: Uuid,
    code: String,
    name: String,
    room_type: String,
    hours: String,
    active: bool,
    version: i64,
}

#[derive(FromQueryResult)]
struct EquipmentRow {
    id: Uuid,
    code: String,
    name: String,
    kind: String,
    rooms: String,
    active: bool,
    version: i64,
}

#[derive(FromQueryResult)]
struct BedUnitRow {
    id: Uuid,
    code: String,
    name: String,
    kind: String,
    capacity: i32,
    active: bool,
    version: i64,
}

pub(crate) async fn load_rooms<C: ConnectionTrait>(db: &C) -> StoreResult<Vec<RoomRecord>> {
    let q = Query::select()
        .columns(
            [
                "id",
                "code",
                "name",
                "room_type",
                "hours",
                "active",
                "version",
            ]
            .map(name),
        )
        .from(name("rooms"))
        .order_by(name("code"), Order::Asc)
        .to_owned();
    db.query_all(&q)
        .await?
        .iter()
        .map(|r| {
            let row = RoomRow::from_query_result(r, "")?;
            Ok(RoomRecord {
                room: Room {
                    id: RoomId::from_uuid(row.id),
                    code: row.code,
                    name: row.name,
                    room_type: RoomType::parse(&row.room_type)
                        .map_err(|e| corrupt("room type", e))?,
                    hours: serde_json::from_str(&row.hours).map_err(|e| corrupt("hours", e))?,
                    active: row.active,
                },
                version: row.version,
            })
        })
        .collect()
}

pub(crate) async fn load_equipment<C: ConnectionTrait>(
    db: &C,
) -> StoreResult<Vec<EquipmentRecord>> {
    let q = Query::select()
        .columns(["id", "code", "name", "kind", "rooms", "active", "version"].map(name))
        .from(name("equipment"))
        .order_by(name("code"), Order::Asc)
        .to_owned();
    db.query_all(&q)
        .await?
        .iter()
        .map(|r| {
            let row = EquipmentRow::from_query_result(r, "")?;
            Ok(EquipmentRecord {
                equipment: Equipment {
                    id: EquipmentId::from_uuid(row.id),
                    code: row.code,
                    name: row.name,
                    kind: EquipmentKind::parse(&row.kind)
                        .map_err(|e| corrupt("equipment kind", e))?,
                    rooms: serde_json::from_str(&row.rooms).map_err(|e| corrupt("rooms", e))?,
                    active: row.active,
                },
                version: row.version,
            })
        })
        .collect()
}

pub(crate) async fn load_bed_units<C: ConnectionTrait>(db: &C) -> StoreResult<Vec<BedUnitRecord>> {
    let q = Query::select()
        .columns(
            [
                "id", "code", "name", "kind", "capacity", "active", "version",
            ]
            .map(name),
        )
        .from(name("bed_units"))
        .order_by(name("code"), Order::Asc)
        .to_owned();
    db.query_all(&q)
        .await?
        .iter()
        .map(|r| {
            let row = BedUnitRow::from_query_result(r, "")?;
            Ok(BedUnitRecord {
                unit: BedUnit {
                    id: BedUnitId::from_uuid(row.id),
                    code: row.code,
                    name: row.name,
                    kind: BedUnitKind::parse(&row.kind).map_err(|e| corrupt("bed unit", e))?,
                    capacity: u16::try_from(row.capacity).unwrap_or(0),
                    active: row.active,
                },
                version: row.version,
            })
        })
        .collect()
}

/// Active staff of `role` with their availability; exceptions from `from` on.
pub(crate) async fn load_staff<C: ConnectionTrait>(
    db: &C,
    roles: &[Role],
    from: Date,
) -> StoreResult<Vec<StaffAvailability>> {
    let q = Query::select()
        .expr_as(Expr::col((name("u"), name("id"))), name("id"))
        .columns(["username", "full_name", "role"].map(|c| (name("u"), name(c))))
        .columns(["weekly", "version"].map(|c| (name("a"), name(c))))
        .from_as(name("users"), name("u"))
        .join_as(
            sea_orm::sea_query::JoinType::LeftJoin,
            name("staff_availability"),
            name("a"),
            Expr::col((name("a"), name("user_id"))).equals((name("u"), name("id"))),
        )
        .and_where(Expr::col((name("u"), name("role"))).is_in(roles.iter().map(|r| r.code())))
        .and_where(Expr::col((name("u"), name("disabled_at"))).is_null())
        .order_by((name("u"), name("full_name")), Order::Asc)
        .to_owned();
    let mut staff = Vec::new();
    for row in db.query_all(&q).await? {
        let weekly: Option<String> = row.try_get("", "weekly")?;
        let version: Option<i64> = row.try_get("", "version")?;
        let role: String = row.try_get("", "role")?;
        staff.push(StaffAvailability {
            user_id: UserId::from_uuid(row.try_get("", "id")?),
            username: row.try_get("", "username")?,
            full_name: row.try_get("", "full_name")?,
            role: Role::parse(&role).map_err(|e| corrupt("role", e))?,
            weekly: match weekly {
                Some(raw) => serde_json::from_str(&raw).map_err(|e| corrupt("weekly hours", e))?,
                None => WeeklyHours::default(),
            },
            version: version.unwrap_or(0),
            exceptions: Vec::new(),
        });
    }
    if staff.is_empty() {
        return Ok(staff);
    }
    let q = Query::select()
        .columns(["id", "user_id", "date", "hours", "reason"].map(name))
        .from(name("availability_exceptions"))
        .and_where(Expr::col(name("date")).gte(from))
        .and_where(Expr::col(name("user_id")).is_in(staff.iter().map(|s| s.user_id.as_uuid())))
        .order_by(name("date"), Order::Asc)
        .to_owned();
    for row in db.query_all(&q).await? {
        let user: Uuid = row.try_get("", "user_id")?;
        let hours: String = row.try_get("", "hours")?;
        let exception = AvailabilityException {
            date: row.try_get("", "date")?,
            hours: serde_json::from_str(&hours).map_err(|e| corrupt("exception hours", e))?,
            reason: row.try_get("", "reason")?,
        };
        if let Some(person) = staff.iter_mut().find(|s| s.user_id.as_uuid() == user) {
            person.exceptions.push((row.try_get("", "id")?, exception));
        }
    }
    Ok(staff)
}

/// Resolves room codes to ids, naming `rooms.i` for each unknown one.
async fn room_ids<C: ConnectionTrait>(db: &C, codes: &[String]) -> StoreResult<Vec<RoomId>> {
    let rooms = load_rooms(db).await?;
    let mut ids = Vec::new();
    let mut errors = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        match rooms.iter().find(|r| &r.room.code == code) {
            Some(r) => ids.push(r.room.id),
            None => errors.push(FieldError::new(format!("rooms.{i}"), Problem::NoSuchRecord)),
        }
    }
    if errors.is_empty() {
        Ok(ids)
    } else {
        Err(StoreError::Invalid(Invalid(errors)))
    }
}

/// The version of `table`'s row `id`, after a versioned update touched nothing.
async fn stale<C: ConnectionTrait>(db: &C, table: &'static str, id: Uuid) -> StoreError {
    let q = Query::select()
        .column(name("version"))
        .from(name(table))
        .and_where(Expr::col(name("id")).eq(id))
        .to_owned();
    match db.query_one(&q).await {
        Ok(Some(row)) => match row.try_get("", "version") {
            Ok(current) => StoreError::Conflict(Conflict::StaleVersion { current }),
            Err(e) => e.into(),
        },
        Ok(None) => StoreError::NotFound,
        Err(e) => e.into(),
    }
}

/// The columns of a resource row, beside `id`, `version` and the timestamps.
type Columns = Vec<(&'static str, sea_orm::Value)>;

impl Store {
    /// Writes one resource row with its audit entry: a new row (version 1) when
    /// `expected_version` is `None`, else an update of row `id` if its version is still
    /// the expected one. A taken code is `Duplicate { field: "code" }`. Returns the
    /// version written.
    #[expect(clippy::too_many_arguments, reason = "what, which, and how it changes")]
    async fn save_resource(
        &self,
        actor: &Actor,
        table: &'static str,
        object: &'static str,
        id: Uuid,
        expected_version: Option<i64>,
        columns: Columns,
        now: OffsetDateTime,
    ) -> StoreResult<i64> {
        let txn = self.db.begin().await?;
        let version = match expected_version {
            None => {
                let mut names = vec![name("id")];
                let mut values: Vec<sea_orm::Value> = vec![id.into()];
                for (column, value) in columns {
                    names.push(name(column));
                    values.push(value);
                }
                for (column, value) in [
                    ("version", 1i64.into()),
                    ("created_at", now.into()),
                    ("updated_at", now.into()),
                ] {
                    names.push(name(column));
                    values.push(value);
                }
                let insert = Query::insert()
                    .into_table(name(table))
                    .columns(names)
                    .values_panic(values.into_iter().map(Expr::from))
                    .to_owned();
                txn.execute(&insert)
                    .await
                    .map_err(|e| StoreError::from_db(e, "code"))?;
                1
            }
            Some(expected) => {
                let mut update = Query::update();
                update.table(name(table));
                for (column, value) in columns {
                    update.value(name(column), value);
                }
                update
                    .value(name("updated_at"), now)
                    .value(name("version"), crate::next_version(expected))
                    .and_where(Expr::col(name("id")).eq(id))
                    .and_where(Expr::col(name("version")).eq(expected));
                let updated = txn
                    .execute(&update)
                    .await
                    .map_err(|e| StoreError::from_db(e, "code"))?;
                if updated.rows_affected() == 0 {
                    return Err(stale(&txn, table, id).await);
                }
                crate::next_version(expected)
            }
        };
        let mut entry = Entry::new(AuditAction::ResourceUpdate).on(object, id);
        if expected_version.is_none() {
            entry = entry.detail("create");
        }
        append(&txn, actor, entry, now).await?;
        txn.commit().await?;
        Ok(version)
    }

    pub async fn rooms(&self) -> StoreResult<Vec<RoomRecord>> {
        load_rooms(&self.db).await
    }

    pub async fn room(&self, id: RoomId) -> StoreResult<RoomRecord> {
        load_rooms(&self.db)
            .await?
            .into_iter()
            .find(|r| r.room.id == id)
            .ok_or(StoreError::NotFound)
    }

    pub async fn create_room(
        &self,
        actor: &Actor,
        def: &RoomDef,
        now: OffsetDateTime,
    ) -> StoreResult<RoomRecord> {
        self.save_room(actor, RoomId::from_uuid(Uuid::now_v7()), None, def, now)
            .await
    }

    pub async fn update_room(
        &self,
        actor: &Actor,
        id: RoomId,
        expected_version: i64,
        def: &RoomDef,
        now: OffsetDateTime,
    ) -> StoreResult<RoomRecord> {
        self.save_room(actor, id, Some(expected_version), def, now)
            .await
    }

    async fn save_room(
        &self,
        actor: &Actor,
        id: RoomId,
        expected_version: Option<i64>,
        def: &RoomDef,
        now: OffsetDateTime,
    ) -> StoreResult<RoomRecord> {
        let columns: Columns = vec![
            ("code", def.code.clone().into()),
            ("name", def.name.clone().into()),
            ("room_type", def.room_type.code().into()),
            ("hours", json(&def.hours)?.into()),
            ("active", def.active.into()),
        ];
        let version = self
            .save_resource(
                actor,
                "rooms",
                "room",
                id.as_uuid(),
                expected_version,
                columns,
                now,
            )
            .await?;
        Ok(RoomRecord {
            room: Room {
                id,
                code: def.code.clone(),
                name: def.name.clone(),
                room_type: def.room_type,
                hours: def.hours.clone(),
                active: def.active,
            },
            version,
        })
    }

    pub async fn equipment(&self) -> StoreResult<Vec<EquipmentRecord>> {
        load_equipment(&self.db).await
    }

    /// Adds equipment; its rooms are named by code (an unknown one is a field error).
    pub async fn create_equipment(
        &self,
        actor: &Actor,
        def: &EquipmentDef,
        now: OffsetDateTime,
    ) -> StoreResult<EquipmentRecord> {
        self.save_equipment(
            actor,
            EquipmentId::from_uuid(Uuid::now_v7()),
            None,
            def,
            now,
        )
        .await
    }

    pub async fn update_equipment(
        &self,
        actor: &Actor,
        id: EquipmentId,
        expected_version: i64,
        def: &EquipmentDef,
        now: OffsetDateTime,
    ) -> StoreResult<EquipmentRecord> {
        self.save_equipment(actor, id, Some(expected_version), def, now)
            .await
    }

    async fn save_equipment(
        &self,
        actor: &Actor,
        id: EquipmentId,
        expected_version: Option<i64>,
        def: &EquipmentDef,
        now: OffsetDateTime,
    ) -> StoreResult<EquipmentRecord> {
        let rooms = room_ids(&self.db, &def.rooms).await?;
        let columns: Columns = vec![
            ("code", def.code.clone().into()),
            ("name", def.name.clone().into()),
            ("kind", def.kind.code().into()),
            ("rooms", json(&rooms)?.into()),
            ("active", def.active.into()),
        ];
        let version = self
            .save_resource(
                actor,
                "equipment",
                "equipment",
                id.as_uuid(),
                expected_version,
                columns,
                now,
            )
            .await?;
        Ok(EquipmentRecord {
            equipment: Equipment {
                id,
                code: def.code.clone(),
                name: def.name.clone(),
                kind: def.kind,
                rooms,
                active: def.active,
            },
            version,
        })
    }

    pub async fn bed_units(&self) -> StoreResult<Vec<BedUnitRecord>> {
        load_bed_units(&self.db).await
    }

    pub async fn create_bed_unit(
        &self,
        actor: &Actor,
        def: &BedUnitDef,
        now: OffsetDateTime,
    ) -> StoreResult<BedUnitRecord> {
        self.save_bed_unit(actor, BedUnitId::from_uuid(Uuid::now_v7()), None, def, now)
            .await
    }

    pub async fn update_bed_unit(
        &self,
        actor: &Actor,
        id: BedUnitId,
        expected_version: i64,
        def: &BedUnitDef,
        now: OffsetDateTime,
    ) -> StoreResult<BedUnitRecord> {
        self.save_bed_unit(actor, id, Some(expected_version), def, now)
            .await
    }

    async fn save_bed_unit(
        &self,
        actor: &Actor,
        id: BedUnitId,
        expected_version: Option<i64>,
        def: &BedUnitDef,
        now: OffsetDateTime,
    ) -> StoreResult<BedUnitRecord> {
        let columns: Columns = vec![
            ("code", def.code.clone().into()),
            ("name", def.name.clone().into()),
            ("kind", def.kind.code().into()),
            ("capacity", i32::from(def.capacity).into()),
            ("active", def.active.into()),
        ];
        let version = self
            .save_resource(
                actor,
                "bed_units",
                "bed_unit",
                id.as_uuid(),
                expected_version,
                columns,
                now,
            )
            .await?;
        Ok(BedUnitRecord {
            unit: BedUnit {
                id,
                code: def.code.clone(),
                name: def.name.clone(),
                kind: def.kind,
                capacity: def.capacity,
                active: def.active,
            },
            version,
        })
    }

    /// Operators (interventional radiologists) or anesthetists, with their availability
    /// and the exceptions from `from` on.
    pub async fn staff_availability(
        &self,
        role: Role,
        from: Date,
    ) -> StoreResult<Vec<StaffAvailability>> {
        load_staff(&self.db, &[role], from).await
    }

    /// Sets someone's weekly hours, if `expected_version` is current (0 the first time).
    pub async fn set_weekly_availability(
        &self,
        actor: &Actor,
        user: UserId,
        expected_version: i64,
        weekly: &WeeklyHours,
        now: OffsetDateTime,
    ) -> StoreResult<i64> {
        let txn = self.db.begin().await?;
        let by = actor.user_id.map(|u| u.as_uuid());
        let written = if expected_version == 0 {
            let insert = Query::insert()
                .into_table(name("staff_availability"))
                .columns(["user_id", "weekly", "version", "updated_at", "updated_by"].map(name))
                .values_panic([
                    user.as_uuid().into(),
                    json(weekly)?.into(),
                    1i64.into(),
                    now.into(),
                    by.into(),
                ])
                .to_owned();
            txn.execute(&insert).await.map(|r| r.rows_affected())
        } else {
            let update = Query::update()
                .table(name("staff_availability"))
                .values([
                    (name("weekly"), json(weekly)?.into()),
                    (
                        name("version"),
                        crate::next_version(expected_version).into(),
                    ),
                    (name("updated_at"), now.into()),
                    (name("updated_by"), by.into()),
                ])
                .and_where(Expr::col(name("user_id")).eq(user.as_uuid()))
                .and_where(Expr::col(name("version")).eq(expected_version))
                .to_owned();
            txn.execute(&update).await.map(|r| r.rows_affected())
        };
        let stale_version = || async {
            let q = Query::select()
                .column(name("version"))
                .from(name("staff_availability"))
                .and_where(Expr::col(name("user_id")).eq(user.as_uuid()))
                .to_owned();
            match self.db.query_one(&q).await {
                Ok(Some(row)) => match row.try_get("", "version") {
                    Ok(current) => StoreError::Conflict(Conflict::StaleVersion { current }),
                    Err(e) => e.into(),
                },
                Ok(None) => StoreError::Conflict(Conflict::StaleVersion { current: 0 }),
                Err(e) => e.into(),
            }
        };
        match written {
            Ok(1) => {}
            Ok(_) => {
                drop(txn);
                return Err(stale_version().await);
            }
            Err(e) => {
                drop(txn);
                return Err(match StoreError::from_db(e, "user_id") {
                    StoreError::Conflict(Conflict::Duplicate { .. }) => stale_version().await,
                    other => other,
                });
            }
        }
        append(
            &txn,
            actor,
            Entry::new(AuditAction::ResourceUpdate).on("availability", user),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(crate::next_version(expected_version))
    }

    /// Adds (or replaces) someone's exception for one date.
    pub async fn set_availability_exception(
        &self,
        actor: &Actor,
        user: UserId,
        exception: &AvailabilityException,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let txn = self.db.begin().await?;
        let delete = Query::delete()
            .from_table(name("availability_exceptions"))
            .and_where(Expr::col(name("user_id")).eq(user.as_uuid()))
            .and_where(Expr::col(name("date")).eq(exception.date))
            .to_owned();
        txn.execute(&delete).await?;
        let insert = Query::insert()
            .into_table(name("availability_exceptions"))
            .columns(
                [
                    "id",
                    "user_id",
                    "date",
                    "hours",
                    "reason",
                    "created_at",
                    "created_by",
                ]
                .map(name),
            )
            .values_panic([
                Uuid::now_v7().into(),
                user.as_uuid().into(),
                exception.date.into(),
                json(&exception.hours)?.into(),
                exception.reason.clone().into(),
                now.into(),
                actor.user_id.map(|u| u.as_uuid()).into(),
            ])
            .to_owned();
        txn.execute(&insert).await?;
        append(
            &txn,
            actor,
            Entry::new(AuditAction::ResourceUpdate)
                .on("availability", user)
                .detail(format!("exception {}", exception.date)),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Removes someone's exception for one date (their weekly hours apply again).
    pub async fn remove_availability_exception(
        &self,
        actor: &Actor,
        user: UserId,
        date: Date,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let txn = self.db.begin().await?;
        let delete = Query::delete()
            .from_table(name("availability_exceptions"))
            .and_where(Expr::col(name("user_id")).eq(user.as_uuid()))
            .and_where(Expr::col(name("date")).eq(date))
            .to_owned();
        if txn.execute(&delete).await?.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        append(
            &txn,
            actor,
            Entry::new(AuditAction::ResourceUpdate)
                .on("availability", user)
                .detail(format!("remove exception {date}")),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}
