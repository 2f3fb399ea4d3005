//! Booking a consultation and withdrawing consent from the case page, the consultation
//! page (recording it, once, with consent; cancelling it), and the clinic: the day's
//! consultations by clinician.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use seldinger_domain::consultation::{
    ConsultationBooking, ConsultationBookingInput, ConsultationKind, ConsultationRecord,
    ConsultationRecordInput, ConsultationStatus,
};
use seldinger_domain::localtime::from_local;
use seldinger_domain::patient::parse_date;
use seldinger_domain::{CaseId, ConsultationId, FieldError, Invalid, Lang, Permission, Problem};
use seldinger_store::catalog::ProcedureVersion;
use seldinger_store::consultations::{Consent, Consultation};
use seldinger_store::{Patient, StoreError};
use serde::Deserialize;
use time::{Date, Duration};

use super::{consultation_day, parse_consent, slot};
use crate::AppState;
use crate::auth::Ctx;
use crate::calendar::{day_bounds, local_now, today};
use crate::case_page::{CaseForms, refuse, same};
use crate::case_view::{Banner, Words, conflict_message};
use crate::error::AppError;
use crate::html::{FieldErrors, FormData, Layout, PageResult, render_with, see_other};
use crate::json::parse_id;

pub async fn book_consultation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: CaseId = parse_id(&id)?;
    let f = CaseForms {
        kind: form.get("kind").into(),
        clinician: form.get("clinician").into(),
        starts_at: form.get("starts_at").into(),
        duration: form.get("duration_minutes").into(),
        ..Default::default()
    };
    let mut errors = Vec::new();
    let duration_minutes = match f.duration.trim() {
        "" => None,
        raw => match raw.parse::<u32>() {
            Ok(minutes) => Some(minutes),
            Err(_) => {
                errors.push(FieldError::new(
                    "duration_minutes",
                    Problem::BadFormat {
                        expected: "minutes, from 5 to 240",
                    },
                ));
                None
            }
        },
    };
    let input = ConsultationBookingInput {
        kind: f.kind.clone(),
        clinician: f.clinician.clone(),
        starts_at: f.starts_at.clone(),
        duration_minutes,
    };
    let booking = match ConsultationBooking::parse(&input) {
        Ok(booking) if errors.is_empty() => booking,
        Ok(_) => {
            let invalid = AppError::Invalid(Invalid(errors));
            return refuse(&state, &ctx, id, invalid, f, "book", same).await;
        }
        Err(Invalid(mut found)) => {
            found.extend(errors);
            let invalid = AppError::Invalid(Invalid(found));
            return refuse(&state, &ctx, id, invalid, f, "book", same).await;
        }
    };
    let starts_at = from_local(booking.starts_at, &ctx.timezone);
    match state
        .store()
        .book_consultation(&ctx.actor(), id, &slot(&booking, starts_at), state.now())
        .await
    {
        Ok(_) => Ok(see_other(&format!("/cases/{id}?done=consultation_booked"))),
        Err(e) => refuse(&state, &ctx, id, e.into(), f, "book", same).await,
    }
}

fn consent_field(field: &str) -> &str {
    match field {
        "date" => "consent_date",
        "note" => "consent_note",
        other => other,
    }
}

/// Withdraws consent (the page's only consent decision outside a consultation).
pub async fn record_consent(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: CaseId = parse_id(&id)?;
    let f = CaseForms {
        consent_date: form.get("date").into(),
        consent_note: form.get("note").into(),
        ..Default::default()
    };
    let day = today(&state, &ctx);
    let result = match parse_consent("withdrawn", &f.consent_date, &f.consent_note, day) {
        Ok((decision, date, note)) => state
            .store()
            .record_consent(
                &ctx.actor(),
                id,
                decision,
                date,
                note.as_deref(),
                state.now(),
            )
            .await
            .map_err(AppError::from),
        Err(invalid) => Err(invalid.into()),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/cases/{id}?done=consent_withdrawn"))),
        Err(e) => refuse(&state, &ctx, id, e, f, "consent", consent_field).await,
    }
}

/// The consultation form's values as typed.
#[derive(Default)]
pub struct RecordValues {
    pub outcome: String,
    pub sheet_given: bool,
    pub sheet_language: String,
    pub risks_explained: String,
    pub alternatives_discussed: String,
    pub consent: String,
    pub consent_date: String,
    pub notes: String,
}

impl RecordValues {
    fn initial(day: Date, lang: Lang) -> Self {
        Self {
            outcome: "done".into(),
            sheet_language: lang.code().into(),
            consent_date: day.to_string(),
            ..Default::default()
        }
    }

    fn from_form(form: &FormData) -> Self {
        Self {
            outcome: form.get("outcome").into(),
            sheet_given: form.has("information_sheet_given"),
            sheet_language: form.get("sheet_language").into(),
            risks_explained: form.get("risks_explained").into(),
            alternatives_discussed: form.get("alternatives_discussed").into(),
            consent: form.get("consent").into(),
            consent_date: form.get("consent_date").into(),
            notes: form.get("notes").into(),
        }
    }

    fn input(&self) -> ConsultationRecordInput {
        ConsultationRecordInput {
            outcome: self.outcome.clone(),
            information_sheet_given: self.sheet_given,
            sheet_language: self.sheet_language.clone(),
            risks_explained: self.risks_explained.clone(),
            alternatives_discussed: self.alternatives_discussed.clone(),
            consent: self.consent.clone(),
            consent_date: self.consent_date.clone(),
            notes: self.notes.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "consultations/consultation.html")]
pub struct ConsultationPage {
    l: Layout,
    w: Words,
    banner: Banner,
    c: Consultation,
    planned: ProcedureVersion,
    consent: Option<Consent>,
    /// The language the procedure's risks are shown in.
    risks_lang: Lang,
    f: RecordValues,
    errors: FieldErrors,
    refusal: Option<String>,
    can_record: bool,
    can_cancel: bool,
}

impl ConsultationPage {
    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    pub fn risks(&self) -> &str {
        self.planned.definition.risks.get(self.risks_lang)
    }

    pub fn procedure_name(&self) -> &str {
        self.w.text(&self.planned.definition.name)
    }

    pub fn risks_in(&self, lang: &str) -> bool {
        self.risks_lang.code() == lang
    }

    pub fn languages(&self) -> [Lang; 2] {
        [Lang::Fr, Lang::En]
    }

    pub fn is_ir(&self) -> bool {
        self.c.kind == ConsultationKind::IrPre
    }
}

#[derive(Deserialize, Default)]
pub struct RisksQuery {
    #[serde(default)]
    lang: String,
}

#[expect(
    clippy::too_many_arguments,
    reason = "the page and what the last action left"
)]
async fn show_consultation(
    state: &AppState,
    ctx: &Ctx,
    id: ConsultationId,
    f: Option<RecordValues>,
    errors: FieldErrors,
    refusal: Option<String>,
    risks_lang: Option<Lang>,
    status: StatusCode,
) -> PageResult {
    let store = state.store();
    let now = state.now();
    let actor = ctx.actor();
    let c = store.consultation(id).await?;
    let case = store.get_case(&actor, c.case_id, now).await?;
    let patient = store.get_patient(&actor, case.patient_id, now).await?;
    let planned = store.procedure_version(case.planned_version_id).await?;
    let consent = store
        .case_consents(c.case_id)
        .await?
        .into_iter()
        .find(|x| x.consultation_id == Some(id));
    let risks_lang = risks_lang.unwrap_or(ctx.lang);
    let l = Layout::new(ctx, format!("/consultations/{id}"), "worklists");
    let booked = c.status == ConsultationStatus::Booked;
    let page = ConsultationPage {
        can_record: booked && l.can(Permission::ConsultationRecord),
        can_cancel: booked && l.can(Permission::ConsultationBook),
        l,
        w: Words(ctx.lang),
        banner: Banner::new(patient, today(state, ctx)),
        f: f.unwrap_or_else(|| {
            RecordValues::initial(consultation_day(&c, &ctx.timezone), risks_lang)
        }),
        c,
        planned,
        consent,
        risks_lang,
        errors,
        refusal,
    };
    Ok(render_with(status, &page))
}

pub async fn consultation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<RisksQuery>,
) -> PageResult {
    let id: ConsultationId = parse_id(&id)?;
    let lang = q.lang.parse::<Lang>().ok();
    show_consultation(
        &state,
        &ctx,
        id,
        None,
        FieldErrors::default(),
        None,
        lang,
        StatusCode::OK,
    )
    .await
}

pub async fn record_consultation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: ConsultationId = parse_id(&id)?;
    let now = state.now();
    let found = state.store().consultation(id).await?;
    let f = RecordValues::from_form(&form);
    let lang = f.sheet_language.parse::<Lang>().ok();
    let day = consultation_day(&found, &ctx.timezone);
    let result =
        match ConsultationRecord::parse(&f.input(), found.kind, day, local_now(now, &ctx.timezone))
        {
            Ok(record) => state
                .store()
                .record_consultation(&ctx.actor(), id, &record, now)
                .await
                .map_err(AppError::from),
            Err(invalid) => Err(invalid.into()),
        };
    match result {
        Ok(_) => Ok(see_other(&format!(
            "/cases/{}?done=consultation_recorded",
            found.case_id
        ))),
        Err(AppError::Invalid(invalid)) => {
            let errors = FieldErrors::from_invalid(&invalid, ctx.lang, same);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            show_consultation(&state, &ctx, id, Some(f), errors, None, lang, status).await
        }
        Err(AppError::Conflict(conflict)) => {
            let refusal = Some(conflict_message(&conflict, ctx.lang, &ctx.timezone));
            let errors = FieldErrors::default();
            let status = StatusCode::CONFLICT;
            show_consultation(&state, &ctx, id, Some(f), errors, refusal, lang, status).await
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn cancel_consultation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let id: ConsultationId = parse_id(&id)?;
    match state
        .store()
        .cancel_consultation(&ctx.actor(), id, state.now())
        .await
    {
        Ok(c) => Ok(see_other(&format!(
            "/cases/{}?done=consultation_cancelled",
            c.case_id
        ))),
        Err(StoreError::Conflict(conflict)) => {
            let refusal = Some(conflict_message(&conflict, ctx.lang, &ctx.timezone));
            let errors = FieldErrors::default();
            let status = StatusCode::CONFLICT;
            show_consultation(&state, &ctx, id, None, errors, refusal, None, status).await
        }
        Err(other) => Err(other.into()),
    }
}

pub struct ClinicRow {
    pub c: Consultation,
    pub patient: Option<Patient>,
}

pub struct ClinicGroup {
    pub clinician: String,
    pub rows: Vec<ClinicRow>,
}

#[derive(Template)]
#[template(path = "consultations/clinic.html")]
pub struct ClinicPage {
    l: Layout,
    w: Words,
    day: Date,
    date: String,
    previous: String,
    next: String,
    groups: Vec<ClinicGroup>,
    error: Option<String>,
}

impl ClinicPage {
    pub fn cancelled(&self, c: &Consultation) -> bool {
        c.status == ConsultationStatus::Cancelled
    }
}

#[derive(Deserialize, Default)]
pub struct ClinicQuery {
    #[serde(default)]
    date: String,
}

pub async fn clinic(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ClinicQuery>,
) -> PageResult {
    let now = state.now();
    let actor = ctx.actor();
    let l = Layout::new(&ctx, "/clinic", "worklists");
    let (day, error) = if q.date.trim().is_empty() {
        (today(&state, &ctx), None)
    } else {
        match parse_date("date", &q.date) {
            Ok(day) => (day, None),
            Err(e) => (today(&state, &ctx), Some(e.problem.message(ctx.lang))),
        }
    };
    let mut groups: Vec<ClinicGroup> = Vec::new();
    if error.is_none() {
        let (from, to) = day_bounds(day, &ctx.timezone);
        let found = state
            .store()
            .consultations_between(&actor, from, to, None, now)
            .await?;
        // Each consultation's patient, read once per case (each read audited).
        let mut patients: HashMap<CaseId, Option<Patient>> = HashMap::new();
        for c in &found {
            if patients.contains_key(&c.case_id) {
                continue;
            }
            let patient = match state.store().get_case(&actor, c.case_id, now).await {
                Ok(case) => match state
                    .store()
                    .get_patient(&actor, case.patient_id, now)
                    .await
                {
                    Ok(p) => Some(p),
                    Err(StoreError::NotFound) => None,
                    Err(other) => return Err(other.into()),
                },
                Err(StoreError::NotFound) => None,
                Err(other) => return Err(other.into()),
            };
            patients.insert(c.case_id, patient);
        }
        let mut by_clinician: Vec<ClinicGroup> = Vec::new();
        for c in found {
            let patient = patients.get(&c.case_id).cloned().flatten();
            let row = ClinicRow { c, patient };
            match by_clinician
                .iter_mut()
                .find(|g| g.clinician == row.c.clinician_name)
            {
                Some(group) => group.rows.push(row),
                None => by_clinician.push(ClinicGroup {
                    clinician: row.c.clinician_name.clone(),
                    rows: vec![row],
                }),
            }
        }
        by_clinician.sort_by_cached_key(|g| seldinger_domain::text::fold(&g.clinician));
        groups = by_clinician;
    }
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ClinicPage {
        l,
        w: Words(ctx.lang),
        date: if error.is_some() {
            q.date.clone()
        } else {
            day.to_string()
        },
        previous: (day - Duration::days(1)).to_string(),
        next: (day + Duration::days(1)).to_string(),
        day,
        groups,
        error,
    };
    Ok(render_with(status, &page))
}
