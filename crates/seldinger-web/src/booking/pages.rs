//! The booking pages: a case's booking (its planned procedure, its current booking, the
//! next feasible slots and a manual form), the move form, the day's list per room, a
//! room's week and the anesthetists' list. Forms post and redirect; a refused booking
//! comes back (409) listing every conflict in the user's language and local time.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use seldinger_domain::case::{CaseStatus, status_label};
use seldinger_domain::catalog::ProcedureType;
use seldinger_domain::localtime::to_local;
use seldinger_domain::resources::{WEEKDAYS, weekday_index};
use seldinger_domain::{BookingId, CaseId, Invalid, Lang, Permission, Role, RoomId, UserId};
use seldinger_store::bookings::{BookedCase, BookingRecord, ListFilter};
use seldinger_store::{Conflict, Patient, Store, StoreError};
use serde::Deserialize;
use time::{Date, Duration, OffsetDateTime};

use super::{BookingInput, Resources, Times, date_or, details, is_ready, label, monday, today};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::html::{FieldErrors, FormData, Layout, PageResult, render_with, see_other};
use crate::i18n::age;
use crate::json::{parse_id, withdrawal_reason};

/// How many slots the booking page proposes, over how many days.
const SLOT_COUNT: usize = 10;
const SLOT_DAYS: u16 = 21;

fn weekday_label(date: Date, lang: Lang) -> &'static str {
    label(
        &format!(
            "booking.weekday.{}",
            WEEKDAYS[weekday_index(date.weekday())]
        ),
        lang,
    )
}

/// `2026-11-23T08:00`, as `<input type=datetime-local>` shows and sends it.
fn local_input(at: OffsetDateTime, zone: &jiff::tz::TimeZone) -> String {
    let local = to_local(at, zone);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        local.year(),
        u8::from(local.month()),
        local.day(),
        local.hour(),
        local.minute()
    )
}

/// A choice of a select or a checkbox list.
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// The case as the booking pages show it: the patient banner and the planned procedure.
pub struct CaseView {
    pub id: CaseId,
    pub status: CaseStatus,
    pub status_label: &'static str,
    pub patient: Patient,
    pub age: i32,
    pub sex: &'static str,
    pub allergies: Vec<String>,
    pub anticoagulants: Vec<String>,
    pub procedure: ProcedureType,
    pub procedure_name: String,
    pub anesthesia: &'static str,
    pub needs_anesthetist: bool,
    pub stay: String,
    pub room_types: String,
    pub equipment: String,
}

impl CaseView {
    /// Reads the case, its patient and its planned procedure (the reads are audited).
    async fn load(state: &AppState, ctx: &Ctx, id: CaseId) -> Result<Self, AppError> {
        let store = state.store();
        let now = state.now();
        let actor = ctx.actor();
        let lang = ctx.lang;
        let case = store.get_case(&actor, id, now).await?;
        let patient = store.get_patient(&actor, case.patient_id, now).await?;
        let procedure = store
            .procedure_version(case.planned_version_id)
            .await?
            .definition;
        let with_note = |name: &str, note: &Option<String>| match note {
            Some(note) => format!("{name} ({note})"),
            None => name.to_string(),
        };
        let mut allergies = Vec::new();
        for a in patient.allergies.iter().chain(&case.allergies) {
            let text = with_note(label(&format!("allergy.{}", a.kind.code()), lang), &a.note);
            if !allergies.contains(&text) {
                allergies.push(text);
            }
        }
        let mut anticoagulants = Vec::new();
        for a in patient.anticoagulants.iter().chain(&case.anticoagulants) {
            let text = with_note(label(&format!("drug.{}", a.drug.code()), lang), &a.note);
            if !anticoagulants.contains(&text) {
                anticoagulants.push(text);
            }
        }
        let room_types = procedure
            .room_types
            .iter()
            .map(|t| label(&format!("booking.room_type.{}", t.code()), lang))
            .collect::<Vec<_>>()
            .join(", ");
        let equipment = procedure
            .equipment
            .iter()
            .map(|k| label(&format!("booking.equipment.{}", k.code()), lang))
            .collect::<Vec<_>>()
            .join(", ");
        Ok(Self {
            id,
            status: case.status,
            status_label: status_label(case.status, lang),
            age: age(patient.birth_date, to_local(now, &ctx.timezone).date()),
            sex: label(&format!("sex.{}", patient.sex.code()), lang),
            patient,
            allergies,
            anticoagulants,
            procedure_name: procedure.name.get(lang).to_string(),
            anesthesia: label(
                &format!("booking.anesthesia.{}", procedure.anesthesia.code()),
                lang,
            ),
            needs_anesthetist: procedure.anesthesia.needs_anesthetist(),
            stay: procedure.stay.label(lang),
            room_types,
            equipment,
            procedure,
        })
    }
}

/// A booking as the pages show it.
pub struct BookingView {
    pub id: BookingId,
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
    pub room_name: String,
    pub operator_name: String,
    pub anesthetist_name: Option<String>,
    pub equipment: Vec<String>,
    pub bed_unit: Option<String>,
    pub cancel_reason: Option<String>,
}

impl BookingView {
    fn new(b: &BookingRecord, res: &Resources) -> Self {
        Self {
            id: b.id,
            start: b.starts_at,
            end: b.ends_at,
            room_name: b.room_name.clone(),
            operator_name: b.operator_name.clone(),
            anesthetist_name: b.anesthetist_name.clone(),
            equipment: b.equipment.iter().map(|e| res.equipment_name(*e)).collect(),
            bed_unit: b.bed_unit_id.map(|u| res.bed_unit_name(u)),
            cancel_reason: b.cancel_reason.clone(),
        }
    }
}

/// A feasible slot, with what its one-click form posts.
pub struct SlotView {
    pub room: String,
    pub room_name: String,
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
    pub weekday: &'static str,
    /// The start on the local clock, as the form posts it.
    pub start_local: String,
    pub operator: String,
    pub operator_name: String,
    pub anesthetist: String,
    pub anesthetist_name: String,
    pub equipment: String,
    pub bed: String,
}

/// The booking form as typed.
#[derive(Clone, Default)]
pub struct FormValues {
    pub room: String,
    pub start: String,
    pub end: String,
    pub operator: String,
    pub anesthetist: String,
    pub equipment: Vec<String>,
    pub bed_unit: String,
}

impl FormValues {
    fn from_form(form: &FormData) -> Self {
        Self {
            room: form.get("room").to_string(),
            start: form.get("start").to_string(),
            end: form.get("end").to_string(),
            operator: form.get("operator").to_string(),
            anesthetist: form.get("anesthetist").to_string(),
            equipment: form
                .all("equipment")
                .into_iter()
                .filter(|e| !e.is_empty())
                .collect(),
            bed_unit: form.get("bed_unit").to_string(),
        }
    }

    /// No equipment ticked: picked automatically.
    fn input(&self) -> BookingInput {
        BookingInput {
            room: self.room.clone(),
            start: self.start.clone(),
            end: self.end.clone(),
            operator: self.operator.clone(),
            anesthetist: self.anesthetist.clone(),
            equipment: (!self.equipment.is_empty()).then(|| self.equipment.clone()),
            bed_unit: self.bed_unit.clone(),
        }
    }
}

/// The slot filters of the booking and move pages (a GET form), and the notice to show.
#[derive(Deserialize, Default)]
pub struct SlotFilters {
    #[serde(default)]
    room: String,
    #[serde(default)]
    operator: String,
    #[serde(default)]
    anesthetist: String,
    #[serde(default)]
    done: String,
}

type Filter = (Option<RoomId>, Option<UserId>, Option<UserId>);

fn parse_filters(res: &Resources, f: &SlotFilters) -> Result<Filter, Invalid> {
    let mut errors = seldinger_domain::invalid::Collector::default();
    let room = match f.room.trim() {
        "" => None,
        raw => errors.check(res.room_id("room", raw)),
    };
    let operator = match f.operator.trim() {
        "" => None,
        raw => errors.check(res.operator_id("operator", raw)),
    };
    let anesthetist = match f.anesthetist.trim() {
        "" => None,
        raw => errors.check(res.anesthetist_id("anesthetist", raw)),
    };
    errors.finish()?;
    Ok((room, operator, anesthetist))
}

/// Form fields of the domain's field paths (`equipment.2` → `equipment`).
fn form_field(field: &str) -> &str {
    if field.starts_with("equipment") {
        "equipment"
    } else {
        field
    }
}

/// The slots and the manual form, shared by the booking and the move pages.
pub struct BookingForm {
    /// Where the form and the slots' buttons post.
    pub action: String,
    /// Where the slot filters go (GET).
    pub filter_action: String,
    pub moving: bool,
    pub f: FormValues,
    pub errors: FieldErrors,
    pub filters: SlotFilters,
    pub filter_errors: FieldErrors,
    pub slots: Vec<SlotView>,
    pub rooms: Vec<Choice>,
    pub operators: Vec<Choice>,
    pub anesthetists: Vec<Choice>,
    pub equipment: Vec<Choice>,
    pub bed_units: Vec<Choice>,
}

impl BookingForm {
    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    pub fn filter_err(&self, field: &str) -> Option<&str> {
        self.filter_errors.get(field)
    }

    pub fn has_equipment(&self, id: &str) -> bool {
        self.f.equipment.iter().any(|e| e == id)
    }

    /// Builds the form and searches the slots of `case` (none when `search` is false).
    #[expect(clippy::too_many_arguments, reason = "the parts of two pages")]
    async fn load(
        state: &AppState,
        ctx: &Ctx,
        res: &Resources,
        case: CaseId,
        action: String,
        filter_action: String,
        filters: SlotFilters,
        search: bool,
    ) -> Result<Self, AppError> {
        let lang = ctx.lang;
        let zone = &ctx.timezone;
        let mut filter_errors = FieldErrors::default();
        let mut slots = Vec::new();
        if search {
            match parse_filters(res, &filters) {
                Ok((room, operator, anesthetist)) => {
                    let found = state
                        .store()
                        .next_slots(
                            case,
                            state.now(),
                            SLOT_DAYS,
                            SLOT_COUNT,
                            room,
                            operator,
                            anesthetist,
                        )
                        .await?;
                    slots = found
                        .into_iter()
                        .map(|s| SlotView {
                            room: s.room.to_string(),
                            room_name: res.room_name(s.room),
                            start: s.start,
                            end: s.end,
                            weekday: weekday_label(to_local(s.start, zone).date(), lang),
                            start_local: local_input(s.start, zone),
                            operator: res.username(s.operator),
                            operator_name: res.full_name(s.operator),
                            anesthetist: s.anesthetist.map(|a| res.username(a)).unwrap_or_default(),
                            anesthetist_name: s
                                .anesthetist
                                .map(|a| res.full_name(a))
                                .unwrap_or_default(),
                            equipment: s
                                .allocation
                                .equipment
                                .iter()
                                .map(|e| res.equipment_name(*e))
                                .collect::<Vec<_>>()
                                .join(", "),
                            bed: s
                                .allocation
                                .bed_unit
                                .map(|u| res.bed_unit_name(u))
                                .unwrap_or_default(),
                        })
                        .collect();
                }
                Err(invalid) => filter_errors = FieldErrors::from_invalid(&invalid, lang, |f| f),
            }
        }
        let people = |staff: &[seldinger_store::resources::StaffAvailability]| {
            staff
                .iter()
                .map(|p| Choice {
                    value: p.username.clone(),
                    label: p.full_name.clone(),
                })
                .collect()
        };
        Ok(Self {
            action,
            filter_action,
            moving: false,
            f: FormValues::default(),
            errors: FieldErrors::default(),
            filters,
            filter_errors,
            slots,
            rooms: res
                .rooms
                .iter()
                .filter(|r| r.room.active)
                .map(|r| Choice {
                    value: r.room.id.to_string(),
                    label: format!(
                        "{} ({})",
                        r.room.name,
                        label(
                            &format!("booking.room_type.{}", r.room.room_type.code()),
                            lang
                        )
                    ),
                })
                .collect(),
            operators: people(&res.operators),
            anesthetists: people(&res.anesthetists),
            equipment: res
                .equipment
                .iter()
                .filter(|e| e.equipment.active)
                .map(|e| Choice {
                    value: e.equipment.id.to_string(),
                    label: format!(
                        "{} ({})",
                        e.equipment.name,
                        label(
                            &format!("booking.equipment.{}", e.equipment.kind.code()),
                            lang
                        )
                    ),
                })
                .collect(),
            bed_units: res
                .bed_units
                .iter()
                .filter(|u| u.unit.active)
                .map(|u| Choice {
                    value: u.unit.id.to_string(),
                    label: format!(
                        "{} ({})",
                        u.unit.name,
                        label(&format!("booking.bed_kind.{}", u.unit.kind.code()), lang)
                    ),
                })
                .collect(),
        })
    }
}

/// What went wrong with a booking, as a page shows it.
#[derive(Default)]
struct Refusal {
    conflicts: Vec<String>,
    reason: Option<String>,
}

/// A refusal the page shows (409), or another error.
fn refusal(err: AppError, lang: Lang, zone: &jiff::tz::TimeZone) -> Result<Refusal, AppError> {
    match err {
        AppError::Conflict(Conflict::Booking(conflicts)) => Ok(Refusal {
            conflicts: conflicts.iter().map(|c| c.message(lang, zone)).collect(),
            reason: None,
        }),
        AppError::Conflict(Conflict::Transition(refusal)) => Ok(Refusal {
            conflicts: Vec::new(),
            reason: Some(refusal.message(lang)),
        }),
        AppError::Conflict(Conflict::Rule(rule)) => Ok(Refusal {
            conflicts: Vec::new(),
            reason: Some(rule.message(lang)),
        }),
        other => Err(other),
    }
}

#[derive(Template)]
#[template(path = "booking/case.html")]
pub struct BookingPage {
    l: Layout,
    c: CaseView,
    current: Option<BookingView>,
    past: Vec<BookingView>,
    /// The case is "to schedule": slots and the form are shown.
    bookable: bool,
    /// The case is booked and not yet performed: its booking may be moved or cancelled.
    changeable: bool,
    form: BookingForm,
    conflicts: Vec<String>,
    refusal: Option<String>,
    cancel_reason: String,
    cancel_error: Option<String>,
    done: Option<&'static str>,
}

impl BookingPage {
    async fn load(
        state: &AppState,
        ctx: &Ctx,
        id: CaseId,
        filters: SlotFilters,
    ) -> Result<Self, AppError> {
        let c = CaseView::load(state, ctx, id).await?;
        let res = Resources::load(state).await?;
        let bookings = state.store().case_bookings(id).await?;
        let current = bookings
            .iter()
            .find(|b| b.active)
            .map(|b| BookingView::new(b, &res));
        let past = bookings
            .iter()
            .filter(|b| !b.active)
            .map(|b| BookingView::new(b, &res))
            .collect();
        let bookable = Store::can_book(c.status);
        let changeable = matches!(c.status, CaseStatus::Scheduled | CaseStatus::Ready);
        let done = match filters.done.as_str() {
            "cancelled" => Some("booking.cancel.done"),
            _ => None,
        };
        let form = BookingForm::load(
            state,
            ctx,
            &res,
            id,
            format!("/cases/{id}/booking"),
            format!("/cases/{id}/booking"),
            filters,
            bookable,
        )
        .await?;
        Ok(Self {
            l: Layout::new(ctx, format!("/cases/{id}/booking"), "schedule"),
            c,
            current,
            past,
            bookable,
            changeable,
            form,
            conflicts: Vec::new(),
            refusal: None,
            cancel_reason: String::new(),
            cancel_error: None,
            done,
        })
    }

    fn render_refusal(mut self, refusal: Refusal) -> Response {
        self.conflicts = refusal.conflicts;
        self.refusal = refusal.reason;
        render_with(StatusCode::CONFLICT, &self)
    }
}

/// A case's booking: the patient, the planned procedure, the current booking (move,
/// cancel) and, when the case is to schedule, the next feasible slots and the form.
pub async fn booking_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(filters): Query<SlotFilters>,
) -> PageResult {
    let id: CaseId = parse_id(&id)?;
    let page = BookingPage::load(&state, &ctx, id, filters).await?;
    let status = if page.form.filter_errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render_with(status, &page))
}

pub async fn book_case(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: CaseId = parse_id(&id)?;
    let values = FormValues::from_form(&form);
    let res = Resources::load(&state).await?;
    let parsed = res.parse(&values.input(), Times::Local(&ctx.timezone));
    let result = match parsed {
        Ok(request) => state
            .store()
            .book_case(&ctx.actor(), id, &request, state.now())
            .await
            .map_err(AppError::from),
        Err(invalid) => Err(AppError::Invalid(invalid)),
    };
    let err = match result {
        Ok(_) => return Ok(see_other(&format!("/cases/{id}"))),
        Err(err) => err,
    };
    let mut page = BookingPage::load(&state, &ctx, id, SlotFilters::default()).await?;
    page.form.f = values;
    if let AppError::Invalid(invalid) = &err {
        page.form.errors = FieldErrors::from_invalid(invalid, ctx.lang, form_field);
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let refused = refusal(err, ctx.lang, &ctx.timezone)?;
    Ok(page.render_refusal(refused))
}

#[derive(Template)]
#[template(path = "booking/move.html")]
pub struct MovePage {
    l: Layout,
    c: CaseView,
    /// Always the booking being moved (an option so the booking partial can bind it).
    current: Option<BookingView>,
    form: BookingForm,
    conflicts: Vec<String>,
    refusal: Option<String>,
}

impl MovePage {
    async fn load(
        state: &AppState,
        ctx: &Ctx,
        record: &BookingRecord,
        filters: SlotFilters,
    ) -> Result<Self, AppError> {
        let c = CaseView::load(state, ctx, record.case_id).await?;
        let res = Resources::load(state).await?;
        let id = record.id;
        let mut form = BookingForm::load(
            state,
            ctx,
            &res,
            record.case_id,
            format!("/bookings/{id}/move"),
            format!("/bookings/{id}/move"),
            filters,
            record.active,
        )
        .await?;
        form.moving = true;
        // Equipment and bed are picked again for the new time unless chosen; the end is
        // kept only when the booking's length is not the procedure's.
        let planned = Duration::minutes(i64::from(c.procedure.duration_minutes));
        form.f = FormValues {
            room: record.room_id.to_string(),
            start: local_input(record.starts_at, &ctx.timezone),
            end: if record.ends_at - record.starts_at == planned {
                String::new()
            } else {
                local_input(record.ends_at, &ctx.timezone)
            },
            operator: res.username(record.operator_id),
            anesthetist: record
                .anesthetist_id
                .map(|a| res.username(a))
                .unwrap_or_default(),
            equipment: Vec::new(),
            bed_unit: String::new(),
        };
        let refusal = (!record.active)
            .then(|| seldinger_domain::rules::Rule::BookingNotActive.message(ctx.lang));
        Ok(Self {
            l: Layout::new(ctx, format!("/bookings/{id}/move"), "schedule"),
            current: Some(BookingView::new(record, &res)),
            c,
            form,
            conflicts: Vec::new(),
            refusal,
        })
    }
}

/// The move form, prefilled with the booking, and the slots it could move to.
pub async fn move_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(filters): Query<SlotFilters>,
) -> PageResult {
    let id: BookingId = parse_id(&id)?;
    let record = state.store().booking(id).await?;
    let page = MovePage::load(&state, &ctx, &record, filters).await?;
    let status = if page.form.filter_errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else if page.refusal.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    Ok(render_with(status, &page))
}

pub async fn move_booking(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: BookingId = parse_id(&id)?;
    let values = FormValues::from_form(&form);
    let res = Resources::load(&state).await?;
    let result = match res.parse(&values.input(), Times::Local(&ctx.timezone)) {
        Ok(request) => state
            .store()
            .move_booking(&ctx.actor(), id, &request, state.now())
            .await
            .map_err(AppError::from),
        Err(invalid) => Err(AppError::Invalid(invalid)),
    };
    let err = match result {
        Ok(moved) => return Ok(see_other(&format!("/cases/{}", moved.case_id))),
        Err(err) => err,
    };
    let current = state.store().booking(id).await?;
    let mut page = MovePage::load(&state, &ctx, &current, SlotFilters::default()).await?;
    page.form.f = values;
    if let AppError::Invalid(invalid) = &err {
        page.form.errors = FieldErrors::from_invalid(invalid, ctx.lang, form_field);
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let refused = refusal(err, ctx.lang, &ctx.timezone)?;
    page.conflicts = refused.conflicts;
    if refused.reason.is_some() {
        page.refusal = refused.reason;
    }
    Ok(render_with(StatusCode::CONFLICT, &page))
}

/// Cancels a booking with a reason; the case goes back to "to schedule" and its booking
/// page shows the slots again.
pub async fn cancel_booking(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: BookingId = parse_id(&id)?;
    let record = state.store().booking(id).await?;
    let reason = form.get("reason").to_string();
    let result = match withdrawal_reason(&reason) {
        Ok(reason) => state
            .store()
            .cancel_booking(&ctx.actor(), id, &reason, state.now())
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    let err = match result {
        Ok(_) => {
            return Ok(see_other(&format!(
                "/cases/{}/booking?done=cancelled",
                record.case_id
            )));
        }
        Err(err) => err,
    };
    let mut page = BookingPage::load(&state, &ctx, record.case_id, SlotFilters::default()).await?;
    page.cancel_reason = reason;
    if let AppError::Invalid(invalid) = &err {
        page.cancel_error = invalid
            .for_field("reason")
            .map(|e| e.problem.message(ctx.lang));
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let refused = refusal(err, ctx.lang, &ctx.timezone)?;
    Ok(page.render_refusal(refused))
}

/// One booked case in a list.
pub struct Row {
    pub b: BookedCase,
    pub age: i32,
    pub procedure: String,
    pub stay: String,
    pub anesthesia: &'static str,
    pub alerts: Vec<&'static str>,
    pub anticoagulants: Vec<&'static str>,
}

impl Row {
    pub fn ready(&self) -> bool {
        is_ready(self.b.case.status)
    }

    /// `H. D.` for Hélène Dupré-Lefèvre.
    pub fn initials(&self) -> String {
        let given = self.b.case.given_names.chars().next();
        let family = self.b.case.family_name.chars().next();
        [given, family]
            .iter()
            .flatten()
            .map(|c| format!("{}.", c.to_uppercase()))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Rows of `booked`, with procedure and alerts when `details` are given.
fn rows(
    booked: Vec<BookedCase>,
    details: Option<Vec<super::Detail>>,
    ctx: &Ctx,
    now: OffsetDateTime,
) -> Vec<Row> {
    let lang = ctx.lang;
    let today = to_local(now, &ctx.timezone).date();
    let mut details = details.map(|d| d.into_iter());
    booked
        .into_iter()
        .map(|b| {
            let detail = details.as_mut().and_then(Iterator::next);
            let procedure = match lang {
                Lang::Fr => b.case.procedure_fr.clone(),
                Lang::En => b.case.procedure_en.clone(),
            };
            Row {
                age: age(b.case.birth_date, today),
                procedure,
                stay: detail
                    .as_ref()
                    .map(|d| d.procedure.stay.label(lang))
                    .unwrap_or_default(),
                anesthesia: detail.as_ref().map_or("", |d| {
                    label(
                        &format!("booking.anesthesia.{}", d.procedure.anesthesia.code()),
                        lang,
                    )
                }),
                alerts: detail.as_ref().map_or_else(Vec::new, |d| {
                    d.allergies
                        .iter()
                        .map(|a| label(&format!("allergy.{}", a.code()), lang))
                        .collect()
                }),
                anticoagulants: detail.as_ref().map_or_else(Vec::new, |d| {
                    d.anticoagulants
                        .iter()
                        .map(|a| label(&format!("drug.{}", a.code()), lang))
                        .collect()
                }),
                b,
            }
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub struct DayQuery {
    #[serde(default)]
    date: String,
}

/// One room's part of the day.
pub struct RoomDay {
    pub id: RoomId,
    pub name: String,
    pub room_type: &'static str,
    pub hours: String,
    pub rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "booking/day.html")]
pub struct DayPage {
    l: Layout,
    date: Date,
    weekday: &'static str,
    previous: Date,
    next: Date,
    date_raw: String,
    error: Option<String>,
    rooms: Vec<RoomDay>,
}

/// The day's list per room: each active room (and any other with bookings that day) with
/// its bookings in time order, the checklist and time-out status of each.
pub async fn day_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<DayQuery>,
) -> PageResult {
    let lang = ctx.lang;
    let (date, error) = match date_or("date", &query.date, today(&state)) {
        Ok(date) => (date, None),
        Err(e) => (today(&state), Some(e.problem.message(lang))),
    };
    let path = format!("/schedule?date={date}");
    let res = Resources::load(&state).await?;
    let mut rooms: Vec<RoomDay> = Vec::new();
    if error.is_none() {
        let (from, to) = state.store().local_day(date);
        let actor = ctx.actor();
        let booked = state
            .store()
            .booked_cases(&actor, from, to, ListFilter::default(), state.now())
            .await?;
        let details = details(&state, &booked).await?;
        let all = rows(booked, Some(details), &ctx, state.now());
        for r in &res.rooms {
            rooms.push(RoomDay {
                id: r.room.id,
                name: r.room.name.clone(),
                room_type: label(
                    &format!("booking.room_type.{}", r.room.room_type.code()),
                    lang,
                ),
                hours: r
                    .room
                    .hours
                    .day(date.weekday())
                    .iter()
                    .map(|s| s.label())
                    .collect::<Vec<_>>()
                    .join(", "),
                rows: Vec::new(),
            });
        }
        for row in all {
            if let Some(room) = rooms.iter_mut().find(|r| r.id == row.b.booking.room_id) {
                room.rows.push(row);
            }
        }
        let active: Vec<RoomId> = res
            .rooms
            .iter()
            .filter(|r| r.room.active)
            .map(|r| r.room.id)
            .collect();
        rooms.retain(|r| active.contains(&r.id) || !r.rows.is_empty());
    }
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = DayPage {
        l: Layout::new(&ctx, path, "schedule"),
        weekday: weekday_label(date, lang),
        previous: date - Duration::days(1),
        next: date + Duration::days(1),
        date_raw: query.date,
        date,
        error,
        rooms,
    };
    Ok(render_with(status, &page))
}

#[derive(Deserialize, Default)]
pub struct WeekQuery {
    #[serde(default)]
    week: String,
}

/// One day of a room's week.
pub struct WeekDay {
    pub date: Date,
    pub weekday: &'static str,
    pub hours: String,
    pub rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "booking/week.html")]
pub struct WeekPage {
    l: Layout,
    room_id: RoomId,
    room_name: String,
    room_type: &'static str,
    monday: Date,
    sunday: Date,
    previous: Date,
    next: Date,
    week_raw: String,
    error: Option<String>,
    days: Vec<WeekDay>,
}

/// A room's week, Monday to Sunday: opening hours and bookings of each day. Printable.
pub async fn room_week(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(query): Query<WeekQuery>,
) -> PageResult {
    let lang = ctx.lang;
    let id: RoomId = parse_id(&id)?;
    let room = match state.store().room(id).await {
        Ok(room) => room.room,
        Err(StoreError::NotFound) => return Err(AppError::NotFound.into()),
        Err(e) => return Err(e.into()),
    };
    let (date, error) = match date_or("week", &query.week, today(&state)) {
        Ok(date) => (date, None),
        Err(e) => (today(&state), Some(e.problem.message(lang))),
    };
    let first = monday(date);
    let mut days: Vec<WeekDay> = (0..7)
        .map(|i| {
            let date = first + Duration::days(i);
            WeekDay {
                date,
                weekday: weekday_label(date, lang),
                hours: room
                    .hours
                    .day(date.weekday())
                    .iter()
                    .map(|s| s.label())
                    .collect::<Vec<_>>()
                    .join(", "),
                rows: Vec::new(),
            }
        })
        .collect();
    if error.is_none() {
        let (from, _) = state.store().local_day(first);
        let (_, to) = state.store().local_day(first + Duration::days(6));
        let filter = ListFilter {
            room: Some(id),
            ..ListFilter::default()
        };
        let booked = state
            .store()
            .booked_cases(&ctx.actor(), from, to, filter, state.now())
            .await?;
        for row in rows(booked, None, &ctx, state.now()) {
            let day = to_local(row.b.booking.starts_at, &ctx.timezone).date();
            if let Some(d) = days.iter_mut().find(|d| d.date == day) {
                d.rows.push(row);
            }
        }
    }
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = WeekPage {
        l: Layout::new(
            &ctx,
            format!("/schedule/rooms/{id}?week={first}"),
            "schedule",
        ),
        room_id: id,
        room_name: room.name.clone(),
        room_type: label(
            &format!("booking.room_type.{}", room.room_type.code()),
            lang,
        ),
        monday: first,
        sunday: first + Duration::days(6),
        previous: first - Duration::days(7),
        next: first + Duration::days(7),
        week_raw: query.week,
        error,
        days,
    };
    Ok(render_with(status, &page))
}

#[derive(Deserialize, Default)]
pub struct AnesthesiaQuery {
    #[serde(default)]
    from: String,
    /// Absent: the signed-in anesthetist, if they are one; empty: everyone.
    anesthetist: Option<String>,
}

#[derive(Template)]
#[template(path = "booking/anesthesia.html")]
pub struct AnesthesiaPage {
    l: Layout,
    from: Date,
    to: Date,
    previous: Date,
    next: Date,
    from_raw: String,
    anesthetist: String,
    anesthetists: Vec<Choice>,
    errors: FieldErrors,
    days: Vec<WeekDay>,
}

impl AnesthesiaPage {
    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }
}

/// The anesthetists' list: the bookings with an anesthetist over seven days from `from`,
/// by day, with the anesthesia planned and the patient's alerts.
pub async fn anesthesia_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<AnesthesiaQuery>,
) -> PageResult {
    let lang = ctx.lang;
    let res = Resources::load(&state).await?;
    let mut errors = seldinger_domain::invalid::Collector::default();
    let from = errors
        .check(date_or("from", &query.from, today(&state)))
        .unwrap_or_else(|| today(&state));
    let me = &ctx.principal.user;
    let anesthetist = match &query.anesthetist {
        None if me.role == Role::Anesthetist => me.username.clone(),
        None => String::new(),
        Some(chosen) => chosen.trim().to_lowercase(),
    };
    let anesthetist_id = match anesthetist.as_str() {
        "" => None,
        username => errors.check(res.anesthetist_id("anesthetist", username)),
    };
    let errors = match errors.finish() {
        Ok(()) => FieldErrors::default(),
        Err(invalid) => FieldErrors::from_invalid(&invalid, lang, |f| f),
    };
    let mut days: Vec<WeekDay> = (0..7)
        .map(|i| {
            let date = from + Duration::days(i);
            WeekDay {
                date,
                weekday: weekday_label(date, lang),
                hours: String::new(),
                rows: Vec::new(),
            }
        })
        .collect();
    if !errors.any() {
        let (start, _) = state.store().local_day(from);
        let (_, end) = state.store().local_day(from + Duration::days(6));
        let filter = ListFilter {
            anesthetist: anesthetist_id,
            with_anesthetist: true,
            ..ListFilter::default()
        };
        let actor = ctx.actor();
        let booked = state
            .store()
            .booked_cases(&actor, start, end, filter, state.now())
            .await?;
        let details = details(&state, &booked).await?;
        for row in rows(booked, Some(details), &ctx, state.now()) {
            let day = to_local(row.b.booking.starts_at, &ctx.timezone).date();
            if let Some(d) = days.iter_mut().find(|d| d.date == day) {
                d.rows.push(row);
            }
        }
    }
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = AnesthesiaPage {
        l: Layout::new(
            &ctx,
            format!("/schedule/anesthesia?from={from}"),
            "schedule",
        ),
        to: from + Duration::days(6),
        previous: from - Duration::days(7),
        next: from + Duration::days(7),
        from,
        from_raw: query.from,
        anesthetist,
        anesthetists: res
            .anesthetists
            .iter()
            .map(|p| Choice {
                value: p.username.clone(),
                label: p.full_name.clone(),
            })
            .collect(),
        errors,
        days,
    };
    Ok(render_with(status, &page))
}
