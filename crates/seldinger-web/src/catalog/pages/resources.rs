//! Rooms (type and opening hours per weekday), equipment (kind and the rooms it can
//! serve) and bed units (kind and capacity): the overview, one form each, and the API.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use seldinger_domain::catalog::{EquipmentKind, RoomType};
use seldinger_domain::invalid::Problem;
use seldinger_domain::resources::{
    BedUnitDef, BedUnitInput, BedUnitKind, EquipmentDef, EquipmentInput, RoomDef, RoomInput,
    WEEKDAYS,
};
use seldinger_domain::{BedUnitId, EquipmentId, Invalid, Lang, Permission, RoomId};
use seldinger_store::resources::{BedUnitRecord, EquipmentRecord, RoomRecord};
use seldinger_store::{Conflict, StoreError};
use serde::Deserialize;

use crate::AppState;
use crate::auth::Ctx;
use crate::catalog::{
    bed_unit_record, equipment_record, form_field, form_number, label, merge_errors, room_codes,
};
use crate::error::{AppError, PageError};
use crate::html::{FieldErrors, FormData, Layout, PageResult, render, render_with, see_other};
use crate::json::parse_id;

/// Each weekday, Monday first: `(index, code, label)`.
pub fn days(lang: Lang) -> Vec<(usize, &'static str, &'static str)> {
    WEEKDAYS
        .iter()
        .enumerate()
        .map(|(i, code)| (i, *code, label(lang, "resources.day", code)))
        .collect()
}

/// Short weekday names, Monday first, for table headers.
pub fn short_days(lang: Lang) -> Vec<&'static str> {
    WEEKDAYS
        .iter()
        .map(|code| label(lang, "resources.day.short", code))
        .collect()
}

/// A refusal of the store that a form shows beside its fields: a taken code, a room
/// that does not exist.
fn form_refusal(err: StoreError) -> Result<Invalid, PageError> {
    match err {
        StoreError::Conflict(Conflict::Duplicate { field }) => {
            Ok(Invalid::one(field, Problem::AlreadyUsed))
        }
        StoreError::Invalid(invalid) => Ok(invalid),
        other => Err(other.into()),
    }
}

// ---------------------------------------------------------------------------------------
// The overview
// ---------------------------------------------------------------------------------------

pub struct RoomRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub room_type: &'static str,
    pub hours: [String; 7],
    pub active: bool,
}

pub struct EquipmentRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub kind: &'static str,
    pub rooms: Vec<String>,
    pub active: bool,
}

pub struct BedRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub kind: &'static str,
    pub capacity: u16,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "catalog/resources.html")]
pub struct OverviewPage {
    l: Layout,
    rooms: Vec<RoomRow>,
    equipment: Vec<EquipmentRow>,
    beds: Vec<BedRow>,
    saved: bool,
}

impl OverviewPage {
    pub fn short_days(&self) -> Vec<&'static str> {
        short_days(self.l.lang())
    }
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: String,
}

pub async fn overview_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<SavedQuery>,
) -> PageResult {
    let lang = ctx.lang;
    let rooms = state.store().rooms().await?;
    let equipment = state
        .store()
        .equipment()
        .await?
        .into_iter()
        .map(|e| EquipmentRow {
            id: e.equipment.id.to_string(),
            kind: label(lang, "catalog.equipment_kind", e.equipment.kind.code()),
            rooms: room_codes(&rooms, &e.equipment.rooms),
            code: e.equipment.code,
            name: e.equipment.name,
            active: e.equipment.active,
        })
        .collect();
    let beds = state
        .store()
        .bed_units()
        .await?
        .into_iter()
        .map(|b| BedRow {
            id: b.unit.id.to_string(),
            kind: label(lang, "resources.bed_kind", b.unit.kind.code()),
            capacity: b.unit.capacity,
            code: b.unit.code,
            name: b.unit.name,
            active: b.unit.active,
        })
        .collect();
    let rooms = rooms
        .into_iter()
        .map(|r| RoomRow {
            id: r.room.id.to_string(),
            room_type: label(lang, "catalog.room_type", r.room.room_type.code()),
            hours: r.room.hours.texts(),
            code: r.room.code,
            name: r.room.name,
            active: r.room.active,
        })
        .collect();
    Ok(render(&OverviewPage {
        l: Layout::new(&ctx, "/resources", "resources"),
        rooms,
        equipment,
        beds,
        saved: !query.saved.is_empty(),
    }))
}

// ---------------------------------------------------------------------------------------
// Rooms
// ---------------------------------------------------------------------------------------

#[derive(Clone, Debug, Default)]
pub struct RoomForm {
    pub code: String,
    pub name: String,
    pub room_type: String,
    pub hours: [String; 7],
    pub active: bool,
    pub version: i64,
}

impl RoomForm {
    fn from_form(form: &FormData) -> Self {
        Self {
            code: form.get("code").into(),
            name: form.get("name").into(),
            room_type: form.get("room_type").into(),
            hours: std::array::from_fn(|i| form.get(&format!("hours_{}", WEEKDAYS[i])).into()),
            active: form.has("active"),
            version: form.get("version").trim().parse().unwrap_or(0),
        }
    }

    fn from_record(r: &RoomRecord) -> Self {
        Self {
            code: r.room.code.clone(),
            name: r.room.name.clone(),
            room_type: r.room.room_type.code().into(),
            hours: r.room.hours.texts(),
            active: r.room.active,
            version: r.version,
        }
    }

    fn parse(&self) -> Result<RoomDef, Invalid> {
        RoomDef::parse(&RoomInput {
            code: self.code.clone(),
            name: self.name.clone(),
            room_type: self.room_type.clone(),
            hours: self.hours.clone(),
            active: self.active,
        })
    }
}

#[derive(Template)]
#[template(path = "catalog/room_form.html")]
pub struct RoomFormPage {
    l: Layout,
    id: Option<String>,
    f: RoomForm,
    errors: FieldErrors,
    stale: bool,
}

impl RoomFormPage {
    fn new(ctx: &Ctx, id: Option<RoomId>, f: RoomForm) -> Self {
        let path = match id {
            Some(id) => format!("/resources/rooms/{id}"),
            None => "/resources/rooms/new".into(),
        };
        Self {
            l: Layout::new(ctx, path, "resources"),
            id: id.map(|id| id.to_string()),
            f,
            errors: FieldErrors::default(),
            stale: false,
        }
    }

    fn refused(mut self, invalid: &Invalid) -> Response {
        self.errors = FieldErrors::from_invalid(invalid, self.l.lang(), form_field);
        render_with(StatusCode::UNPROCESSABLE_ENTITY, &self)
    }

    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    /// The error of one weekday's hours.
    pub fn day_err(&self, day: &str) -> Option<&str> {
        self.errors.get(&format!("hours.{day}"))
    }

    pub fn days(&self) -> Vec<(usize, &'static str, &'static str)> {
        days(self.l.lang())
    }

    pub fn hours(&self, i: &usize) -> &str {
        self.f.hours.get(*i).map(String::as_str).unwrap_or("")
    }

    pub fn room_types(&self) -> Vec<(&'static str, &'static str)> {
        RoomType::ALL
            .iter()
            .map(|t| {
                (
                    t.code(),
                    label(self.l.lang(), "catalog.room_type", t.code()),
                )
            })
            .collect()
    }

    pub fn chosen(&self, code: &str) -> bool {
        self.f.room_type == code
    }

    pub fn action(&self) -> String {
        match &self.id {
            Some(id) => format!("/resources/rooms/{id}"),
            None => "/resources/rooms".into(),
        }
    }
}

pub async fn new_room_page(ctx: Ctx) -> Response {
    let f = RoomForm {
        active: true,
        ..RoomForm::default()
    };
    render(&RoomFormPage::new(&ctx, None, f))
}

pub async fn create_room_page(
    State(state): State<AppState>,
    ctx: Ctx,
    form: FormData,
) -> PageResult {
    let page = RoomFormPage::new(&ctx, None, RoomForm::from_form(&form));
    let def = match page.f.parse() {
        Ok(def) => def,
        Err(invalid) => return Ok(page.refused(&invalid)),
    };
    match state
        .store()
        .create_room(&ctx.actor(), &def, state.now())
        .await
    {
        Ok(_) => Ok(see_other("/resources?saved=room")),
        Err(e) => Ok(page.refused(&form_refusal(e)?)),
    }
}

pub async fn edit_room_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let id: RoomId = parse_id(&id)?;
    let record = state.store().room(id).await?;
    Ok(render(&RoomFormPage::new(
        &ctx,
        Some(id),
        RoomForm::from_record(&record),
    )))
}

pub async fn update_room_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: RoomId = parse_id(&id)?;
    state.store().room(id).await?;
    let page = RoomFormPage::new(&ctx, Some(id), RoomForm::from_form(&form));
    let def = match page.f.parse() {
        Ok(def) => def,
        Err(invalid) => return Ok(page.refused(&invalid)),
    };
    match state
        .store()
        .update_room(&ctx.actor(), id, page.f.version, &def, state.now())
        .await
    {
        Ok(_) => Ok(see_other("/resources?saved=room")),
        Err(StoreError::Conflict(Conflict::StaleVersion { .. })) => {
            let current = state.store().room(id).await?;
            let mut page = RoomFormPage::new(&ctx, Some(id), RoomForm::from_record(&current));
            page.stale = true;
            Ok(render_with(StatusCode::CONFLICT, &page))
        }
        Err(e) => Ok(page.refused(&form_refusal(e)?)),
    }
}

// ---------------------------------------------------------------------------------------
// Equipment
// ---------------------------------------------------------------------------------------

#[derive(Clone, Debug, Default)]
pub struct EquipmentForm {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub rooms: Vec<String>,
    pub active: bool,
    pub version: i64,
}

impl EquipmentForm {
    fn from_form(form: &FormData) -> Self {
        Self {
            code: form.get("code").into(),
            name: form.get("name").into(),
            kind: form.get("kind").into(),
            rooms: form.all("rooms"),
            active: form.has("active"),
            version: form.get("version").trim().parse().unwrap_or(0),
        }
    }

    fn from_record(r: &EquipmentRecord, rooms: &[RoomRecord]) -> Self {
        Self {
            code: r.equipment.code.clone(),
            name: r.equipment.name.clone(),
            kind: r.equipment.kind.code().into(),
            rooms: room_codes(rooms, &r.equipment.rooms),
            active: r.equipment.active,
            version: r.version,
        }
    }

    fn parse(&self) -> Result<EquipmentDef, Invalid> {
        EquipmentDef::parse(&EquipmentInput {
            code: self.code.clone(),
            name: self.name.clone(),
            kind: self.kind.clone(),
            rooms: self.rooms.clone(),
            active: self.active,
        })
    }
}

/// A room offered as a checkbox.
pub struct RoomChoice {
    pub code: String,
    pub name: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "catalog/equipment_form.html")]
pub struct EquipmentFormPage {
    l: Layout,
    id: Option<String>,
    f: EquipmentForm,
    rooms: Vec<RoomChoice>,
    errors: FieldErrors,
    stale: bool,
}

impl EquipmentFormPage {
    async fn new(
        state: &AppState,
        ctx: &Ctx,
        id: Option<EquipmentId>,
        f: EquipmentForm,
    ) -> Result<Self, AppError> {
        let path = match id {
            Some(id) => format!("/resources/equipment/{id}"),
            None => "/resources/equipment/new".into(),
        };
        let rooms = state
            .store()
            .rooms()
            .await?
            .into_iter()
            // A room out of service is offered only when already chosen.
            .filter(|r| r.room.active || f.rooms.contains(&r.room.code))
            .map(|r| RoomChoice {
                code: r.room.code,
                name: r.room.name,
                active: r.room.active,
            })
            .collect();
        Ok(Self {
            l: Layout::new(ctx, path, "resources"),
            id: id.map(|id| id.to_string()),
            f,
            rooms,
            errors: FieldErrors::default(),
            stale: false,
        })
    }

    fn refused(mut self, invalid: &Invalid) -> Response {
        self.errors = FieldErrors::from_invalid(invalid, self.l.lang(), form_field);
        render_with(StatusCode::UNPROCESSABLE_ENTITY, &self)
    }

    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    pub fn kinds(&self) -> Vec<(&'static str, &'static str)> {
        EquipmentKind::ALL
            .iter()
            .map(|k| {
                (
                    k.code(),
                    label(self.l.lang(), "catalog.equipment_kind", k.code()),
                )
            })
            .collect()
    }

    pub fn chosen(&self, code: &str) -> bool {
        self.f.kind == code
    }

    pub fn serves(&self, code: &str) -> bool {
        self.f.rooms.iter().any(|c| c == code)
    }

    pub fn action(&self) -> String {
        match &self.id {
            Some(id) => format!("/resources/equipment/{id}"),
            None => "/resources/equipment".into(),
        }
    }
}

pub async fn new_equipment_page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let f = EquipmentForm {
        active: true,
        ..EquipmentForm::default()
    };
    Ok(render(
        &EquipmentFormPage::new(&state, &ctx, None, f).await?,
    ))
}

pub async fn create_equipment_page(
    State(state): State<AppState>,
    ctx: Ctx,
    form: FormData,
) -> PageResult {
    let page = EquipmentFormPage::new(&state, &ctx, None, EquipmentForm::from_form(&form)).await?;
    let def = match page.f.parse() {
        Ok(def) => def,
        Err(invalid) => return Ok(page.refused(&invalid)),
    };
    match state
        .store()
        .create_equipment(&ctx.actor(), &def, state.now())
        .await
    {
        Ok(_) => Ok(see_other("/resources?saved=equipment")),
        Err(e) => Ok(page.refused(&form_refusal(e)?)),
    }
}

pub async fn edit_equipment_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let id: EquipmentId = parse_id(&id)?;
    let record = equipment_record(&state, id).await?;
    let rooms = state.store().rooms().await?;
    let f = EquipmentForm::from_record(&record, &rooms);
    Ok(render(
        &EquipmentFormPage::new(&state, &ctx, Some(id), f).await?,
    ))
}

pub async fn update_equipment_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: EquipmentId = parse_id(&id)?;
    equipment_record(&state, id).await?;
    let page =
        EquipmentFormPage::new(&state, &ctx, Some(id), EquipmentForm::from_form(&form)).await?;
    let def = match page.f.parse() {
        Ok(def) => def,
        Err(invalid) => return Ok(page.refused(&invalid)),
    };
    match state
        .store()
        .update_equipment(&ctx.actor(), id, page.f.version, &def, state.now())
        .await
    {
        Ok(_) => Ok(see_other("/resources?saved=equipment")),
        Err(StoreError::Conflict(Conflict::StaleVersion { .. })) => {
            let current = equipment_record(&state, id).await?;
            let rooms = state.store().rooms().await?;
            let f = EquipmentForm::from_record(&current, &rooms);
            let mut page = EquipmentFormPage::new(&state, &ctx, Some(id), f).await?;
            page.stale = true;
            Ok(render_with(StatusCode::CONFLICT, &page))
        }
        Err(e) => Ok(page.refused(&form_refusal(e)?)),
    }
}

// ---------------------------------------------------------------------------------------
// Bed units
// ---------------------------------------------------------------------------------------

#[derive(Clone, Debug, Default)]
pub struct BedForm {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub capacity: String,
    pub active: bool,
    pub version: i64,
}

impl BedForm {
    fn from_form(form: &FormData) -> Self {
        Self {
            code: form.get("code").into(),
            name: form.get("name").into(),
            kind: form.get("kind").into(),
            capacity: form.get("capacity").into(),
            active: form.has("active"),
            version: form.get("version").trim().parse().unwrap_or(0),
        }
    }

    fn from_record(r: &BedUnitRecord) -> Self {
        Self {
            code: r.unit.code.clone(),
            name: r.unit.name.clone(),
            kind: r.unit.kind.code().into(),
            capacity: r.unit.capacity.to_string(),
            active: r.unit.active,
            version: r.version,
        }
    }

    fn parse(&self) -> Result<BedUnitDef, Invalid> {
        let (capacity, form_errors) = match form_number("capacity", &self.capacity) {
            Ok(n) => (n, Vec::new()),
            Err(e) => (None, vec![e]),
        };
        let parsed = BedUnitDef::parse(&BedUnitInput {
            code: self.code.clone(),
            name: self.name.clone(),
            kind: self.kind.clone(),
            capacity,
            active: self.active,
        });
        match merge_errors(form_errors, parsed.as_ref().err().cloned()) {
            Some(invalid) => Err(invalid),
            None => parsed,
        }
    }
}

#[derive(Template)]
#[template(path = "catalog/bed_form.html")]
pub struct BedFormPage {
    l: Layout,
    id: Option<String>,
    f: BedForm,
    errors: FieldErrors,
    stale: bool,
}

impl BedFormPage {
    fn new(ctx: &Ctx, id: Option<BedUnitId>, f: BedForm) -> Self {
        let path = match id {
            Some(id) => format!("/resources/beds/{id}"),
            None => "/resources/beds/new".into(),
        };
        Self {
            l: Layout::new(ctx, path, "resources"),
            id: id.map(|id| id.to_string()),
            f,
            errors: FieldErrors::default(),
            stale: false,
        }
    }

    fn refused(mut self, invalid: &Invalid) -> Response {
        self.errors = FieldErrors::from_invalid(invalid, self.l.lang(), form_field);
        render_with(StatusCode::UNPROCESSABLE_ENTITY, &self)
    }

    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    pub fn kinds(&self) -> Vec<(&'static str, &'static str)> {
        BedUnitKind::ALL
            .iter()
            .map(|k| {
                (
                    k.code(),
                    label(self.l.lang(), "resources.bed_kind", k.code()),
                )
            })
            .collect()
    }

    pub fn chosen(&self, code: &str) -> bool {
        self.f.kind == code
    }

    pub fn action(&self) -> String {
        match &self.id {
            Some(id) => format!("/resources/beds/{id}"),
            None => "/resources/beds".into(),
        }
    }
}

pub async fn new_bed_unit_page(ctx: Ctx) -> Response {
    let f = BedForm {
        active: true,
        ..BedForm::default()
    };
    render(&BedFormPage::new(&ctx, None, f))
}

pub async fn create_bed_unit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    form: FormData,
) -> PageResult {
    let page = BedFormPage::new(&ctx, None, BedForm::from_form(&form));
    let def = match page.f.parse() {
        Ok(def) => def,
        Err(invalid) => return Ok(page.refused(&invalid)),
    };
    match state
        .store()
        .create_bed_unit(&ctx.actor(), &def, state.now())
        .await
    {
        Ok(_) => Ok(see_other("/resources?saved=bed")),
        Err(e) => Ok(page.refused(&form_refusal(e)?)),
    }
}

pub async fn edit_bed_unit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let id: BedUnitId = parse_id(&id)?;
    let record = bed_unit_record(&state, id).await?;
    Ok(render(&BedFormPage::new(
        &ctx,
        Some(id),
        BedForm::from_record(&record),
    )))
}

pub async fn update_bed_unit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: BedUnitId = parse_id(&id)?;
    bed_unit_record(&state, id).await?;
    let page = BedFormPage::new(&ctx, Some(id), BedForm::from_form(&form));
    let def = match page.f.parse() {
        Ok(def) => def,
        Err(invalid) => return Ok(page.refused(&invalid)),
    };
    match state
        .store()
        .update_bed_unit(&ctx.actor(), id, page.f.version, &def, state.now())
        .await
    {
        Ok(_) => Ok(see_other("/resources?saved=bed")),
        Err(StoreError::Conflict(Conflict::StaleVersion { .. })) => {
            let current = bed_unit_record(&state, id).await?;
            let mut page = BedFormPage::new(&ctx, Some(id), BedForm::from_record(&current));
            page.stale = true;
            Ok(render_with(StatusCode::CONFLICT, &page))
        }
        Err(e) => Ok(page.refused(&form_refusal(e)?)),
    }
}
