//! Rooms, equipment and bed units over JSON.

use axum::extract::{Path, State};
use axum::response::Response;
use seldinger_domain::catalog::{EquipmentKind, RoomType};
use seldinger_domain::resources::{
    BedUnitDef, BedUnitInput, BedUnitKind, EquipmentDef, EquipmentInput, RoomDef, RoomInput,
};
use seldinger_domain::{BedUnitId, EquipmentId, RoomId};
use seldinger_store::resources::{BedUnitRecord, EquipmentRecord, RoomRecord};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Ctx;
use crate::catalog::{bed_unit_record, equipment_record, room_codes};
use crate::json::{ApiJson, ApiResult, created, parse_id};

#[derive(Serialize)]
pub struct RoomOut {
    pub id: RoomId,
    pub code: String,
    pub name: String,
    pub room_type: RoomType,
    /// Monday first, local time: `08:00-12:00, 13:30-18:00`; empty when closed.
    pub hours: [String; 7],
    pub active: bool,
    pub version: i64,
}

impl From<RoomRecord> for RoomOut {
    fn from(r: RoomRecord) -> Self {
        Self {
            id: r.room.id,
            hours: r.room.hours.texts(),
            code: r.room.code,
            name: r.room.name,
            room_type: r.room.room_type,
            active: r.room.active,
            version: r.version,
        }
    }
}

#[derive(Serialize)]
pub struct EquipmentOut {
    pub id: EquipmentId,
    pub code: String,
    pub name: String,
    pub kind: EquipmentKind,
    /// The codes of the rooms it can serve.
    pub rooms: Vec<String>,
    pub active: bool,
    pub version: i64,
}

impl EquipmentOut {
    fn new(e: EquipmentRecord, rooms: &[RoomRecord]) -> Self {
        Self {
            id: e.equipment.id,
            rooms: room_codes(rooms, &e.equipment.rooms),
            code: e.equipment.code,
            name: e.equipment.name,
            kind: e.equipment.kind,
            active: e.equipment.active,
            version: e.version,
        }
    }
}

#[derive(Serialize)]
pub struct BedUnitOut {
    pub id: BedUnitId,
    pub code: String,
    pub name: String,
    pub kind: BedUnitKind,
    pub capacity: u16,
    pub active: bool,
    pub version: i64,
}

impl From<BedUnitRecord> for BedUnitOut {
    fn from(b: BedUnitRecord) -> Self {
        Self {
            id: b.unit.id,
            code: b.unit.code,
            name: b.unit.name,
            kind: b.unit.kind,
            capacity: b.unit.capacity,
            active: b.unit.active,
            version: b.version,
        }
    }
}

pub async fn list_rooms(State(state): State<AppState>) -> ApiResult<axum::Json<serde_json::Value>> {
    let items: Vec<RoomOut> = state
        .store()
        .rooms()
        .await?
        .into_iter()
        .map(RoomOut::from)
        .collect();
    Ok(axum::Json(serde_json::json!({ "items": items })))
}

pub async fn get_room(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<RoomOut>> {
    let id: RoomId = parse_id(&id)?;
    Ok(axum::Json(state.store().room(id).await?.into()))
}

pub async fn create_room(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<RoomInput>,
) -> ApiResult<Response> {
    let def = RoomDef::parse(&input)?;
    let room = state
        .store()
        .create_room(&ctx.actor(), &def, state.now())
        .await?;
    Ok(created(
        format!("/api/v1/rooms/{}", room.room.id),
        RoomOut::from(room),
    ))
}

/// The body of `PUT /api/v1/rooms/{id}`: the whole room and the version that was read.
// `RoomInput`'s fields, repeated so that unknown fields are still refused.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ResourceRoomUpdate)]
pub struct RoomUpdate {
    /// The version that was read.
    pub version: i64,
    /// 1 to 32 letters, digits, `-`, `_` (stored upper-case; unique).
    #[schema(pattern = r"^\s*[A-Za-z0-9_-]{1,32}\s*$")]
    pub code: String,
    /// 1 to 120 characters once trimmed, no control characters.
    #[schema(pattern = r"^\s*(?=[\s\S]{0,119}\S\s*$)[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub name: String,
    #[schema(value_type = RoomType)]
    pub room_type: String,
    /// Monday first, local wall-clock time: `08:00-12:00, 13:30-18:00`; empty when
    /// closed. A day's error names it: `hours.wed`.
    #[schema(value_type = Vec<String>, min_items = 7, max_items = 7)]
    pub hours: [String; 7],
    /// `false` takes the room out of use.
    pub active: bool,
}

pub async fn update_room(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RoomUpdate>,
) -> ApiResult<axum::Json<RoomOut>> {
    let id: RoomId = parse_id(&id)?;
    // An unknown id is a 404 before the definition is checked.
    state.store().room(id).await?;
    let def = RoomDef::parse(&RoomInput {
        code: body.code,
        name: body.name,
        room_type: body.room_type,
        hours: body.hours,
        active: body.active,
    })?;
    let room = state
        .store()
        .update_room(&ctx.actor(), id, body.version, &def, state.now())
        .await?;
    Ok(axum::Json(room.into()))
}

pub async fn list_equipment(
    State(state): State<AppState>,
) -> ApiResult<axum::Json<serde_json::Value>> {
    let rooms = state.store().rooms().await?;
    let items: Vec<EquipmentOut> = state
        .store()
        .equipment()
        .await?
        .into_iter()
        .map(|e| EquipmentOut::new(e, &rooms))
        .collect();
    Ok(axum::Json(serde_json::json!({ "items": items })))
}

pub async fn get_equipment(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<EquipmentOut>> {
    let id: EquipmentId = parse_id(&id)?;
    let record = equipment_record(&state, id).await?;
    let rooms = state.store().rooms().await?;
    Ok(axum::Json(EquipmentOut::new(record, &rooms)))
}

pub async fn create_equipment(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<EquipmentInput>,
) -> ApiResult<Response> {
    let def = EquipmentDef::parse(&input)?;
    let record = state
        .store()
        .create_equipment(&ctx.actor(), &def, state.now())
        .await?;
    let rooms = state.store().rooms().await?;
    Ok(created(
        format!("/api/v1/equipment/{}", record.equipment.id),
        EquipmentOut::new(record, &rooms),
    ))
}

/// The body of `PUT /api/v1/equipment/{id}`: the whole equipment and the version that
/// was read.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ResourceEquipmentUpdate)]
pub struct EquipmentUpdate {
    /// The version that was read.
    pub version: i64,
    /// 1 to 32 letters, digits, `-`, `_` (stored upper-case; unique).
    #[schema(pattern = r"^\s*[A-Za-z0-9_-]{1,32}\s*$")]
    pub code: String,
    /// 1 to 120 characters once trimmed, no control characters.
    #[schema(pattern = r"^\s*(?=[\s\S]{0,119}\S\s*$)[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub name: String,
    #[schema(value_type = EquipmentKind)]
    pub kind: String,
    /// Codes of the rooms it can serve; each must exist.
    #[schema(min_items = 1)]
    pub rooms: Vec<String>,
    /// `false` takes it out of use.
    pub active: bool,
}

pub async fn update_equipment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<EquipmentUpdate>,
) -> ApiResult<axum::Json<EquipmentOut>> {
    let id: EquipmentId = parse_id(&id)?;
    // An unknown id is a 404 before the definition is checked.
    equipment_record(&state, id).await?;
    let def = EquipmentDef::parse(&EquipmentInput {
        code: body.code,
        name: body.name,
        kind: body.kind,
        rooms: body.rooms,
        active: body.active,
    })?;
    let record = state
        .store()
        .update_equipment(&ctx.actor(), id, body.version, &def, state.now())
        .await?;
    let rooms = state.store().rooms().await?;
    Ok(axum::Json(EquipmentOut::new(record, &rooms)))
}

pub async fn list_bed_units(
    State(state): State<AppState>,
) -> ApiResult<axum::Json<serde_json::Value>> {
    let items: Vec<BedUnitOut> = state
        .store()
        .bed_units()
        .await?
        .into_iter()
        .map(BedUnitOut::from)
        .collect();
    Ok(axum::Json(serde_json::json!({ "items": items })))
}

pub async fn get_bed_unit(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<BedUnitOut>> {
    let id: BedUnitId = parse_id(&id)?;
    Ok(axum::Json(bed_unit_record(&state, id).await?.into()))
}

pub async fn create_bed_unit(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<BedUnitInput>,
) -> ApiResult<Response> {
    let def = BedUnitDef::parse(&input)?;
    let unit = state
        .store()
        .create_bed_unit(&ctx.actor(), &def, state.now())
        .await?;
    Ok(created(
        format!("/api/v1/bed-units/{}", unit.unit.id),
        BedUnitOut::from(unit),
    ))
}

/// The body of `PUT /api/v1/bed-units/{id}`: the whole unit and the version that was
/// read.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ResourceBedUnitUpdate)]
pub struct BedUnitUpdate {
    /// The version that was read.
    pub version: i64,
    /// 1 to 32 letters, digits, `-`, `_` (stored upper-case; unique).
    #[schema(pattern = r"^\s*[A-Za-z0-9_-]{1,32}\s*$")]
    pub code: String,
    /// 1 to 120 characters once trimmed, no control characters.
    #[schema(pattern = r"^\s*(?=[\s\S]{0,119}\S\s*$)[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub name: String,
    #[schema(value_type = BedUnitKind)]
    pub kind: String,
    /// Places per day (day unit) or beds per night (ward). Required (a `null` is
    /// answered `required`, like a missing field).
    #[serde(deserialize_with = "crate::json::nullable")]
    #[schema(value_type = u32, minimum = 1, maximum = 500)]
    pub capacity: Option<u32>,
    /// `false` takes it out of use.
    pub active: bool,
}

pub async fn update_bed_unit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<BedUnitUpdate>,
) -> ApiResult<axum::Json<BedUnitOut>> {
    let id: BedUnitId = parse_id(&id)?;
    // An unknown id is a 404 before the definition is checked.
    bed_unit_record(&state, id).await?;
    let def = BedUnitDef::parse(&BedUnitInput {
        code: body.code,
        name: body.name,
        kind: body.kind,
        capacity: body.capacity,
        active: body.active,
    })?;
    let unit = state
        .store()
        .update_bed_unit(&ctx.actor(), id, body.version, &def, state.now())
        .await?;
    Ok(axum::Json(unit.into()))
}
