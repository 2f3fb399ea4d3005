//! The checklist page of a case: who and what, the evaluation item by item with the
//! reason of each blocking one, the thresholds in force with their source, the form,
//! and — on the day of a ready case's booking — the time-out.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use seldinger_domain::case::{CaseStatus, status_label};
use seldinger_domain::checklist::{
    AnticoagulantPlan, Checklist, ChecklistInput, ItemState, PregnancyStatus, Premedication,
    TimeOut, TimeOutInput,
};
use seldinger_domain::localtime::to_local;
use seldinger_domain::{CaseId, Invalid, Lang, Permission};
use seldinger_store::checklists::{ChecklistView, TimeOutRecord};
use seldinger_store::{Conflict, StoreError};
use serde::Deserialize;

use super::{side_label, state_code};
use crate::AppState;
use crate::auth::Ctx;
use crate::case_view::active;
use crate::error::{AppError, refusal};
use crate::html::{Choice, FieldErrors, FormData, Layout, PageResult, render_with, see_other};
use crate::i18n::{age, lookup, message};
use crate::json::parse_id;

/// Who the patient is and what is planned, on top of the page.
pub struct Banner {
    pub family_name: String,
    pub given_names: String,
    pub birth_date: String,
    pub age: i32,
    pub mrn: String,
    pub sex: &'static str,
    pub allergies: Vec<String>,
    pub anticoagulants: Vec<String>,
    pub procedure: String,
    pub procedure_version: i32,
    pub side: &'static str,
    pub target_site: String,
    pub status: &'static str,
}

/// The active booking, as the banner shows it.
pub struct BookingView {
    pub when: String,
    pub room: String,
    pub operator: String,
}

/// One item of the evaluation.
pub struct ItemView {
    pub code: &'static str,
    pub label: &'static str,
    pub state: &'static str,
    pub state_label: &'static str,
    pub icon: &'static str,
    pub reason: Option<String>,
}

/// The thresholds in force for the procedure's bleeding-risk category.
pub struct ThresholdsView {
    pub risk: &'static str,
    pub inr_max: String,
    pub platelets_min: u32,
    pub egfr_min: u16,
    pub lab_max_age_days: u16,
    pub source: String,
}

/// A recorded time-out, as shown.
pub struct TimeOutShown {
    pub by: String,
    pub at: String,
    pub notes: String,
}

#[derive(Template)]
#[template(path = "checklist/checklist.html")]
pub struct ChecklistPage {
    l: Layout,
    case_id: String,
    banner: Banner,
    booking: Option<BookingView>,
    booked: bool,
    items: Vec<ItemView>,
    blocking: usize,
    ready: bool,
    thresholds: ThresholdsView,
    f: ChecklistInput,
    version: i64,
    updated: Option<String>,
    errors: FieldErrors,
    stale: bool,
    refusal: Option<String>,
    notice: Option<String>,
    /// The time-out form is shown (ready, booked today, not yet recorded).
    timeout_open: bool,
    timeout: TimeOutInput,
    timeout_errors: FieldErrors,
    timeout_recorded: Option<TimeOutShown>,
}

impl ChecklistPage {
    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    pub fn timeout_err(&self, field: &str) -> Option<&str> {
        self.timeout_errors.get(field)
    }

    pub fn plans(&self) -> Vec<Choice> {
        let lang = self.l.lang();
        AnticoagulantPlan::ALL
            .iter()
            .map(|p| Choice {
                code: p.code().into(),
                label: p.label(lang).into(),
            })
            .collect()
    }

    pub fn premedications(&self) -> Vec<Choice> {
        let lang = self.l.lang();
        Premedication::ALL
            .iter()
            .map(|p| Choice {
                code: p.code().into(),
                label: p.label(lang).into(),
            })
            .collect()
    }

    pub fn pregnancies(&self) -> Vec<Choice> {
        let lang = self.l.lang();
        PregnancyStatus::ALL
            .iter()
            .map(|p| Choice {
                code: p.code().into(),
                label: p.label(lang).into(),
            })
            .collect()
    }
}

/// What the page shows besides the stored state: the outcome of the last action.
#[derive(Default)]
struct Outcome {
    /// The checklist as typed (else the stored one) and the version it was read at.
    typed: Option<(ChecklistInput, i64)>,
    errors: FieldErrors,
    stale: bool,
    refusal: Option<String>,
    notice: Option<String>,
    timeout: Option<(TimeOutInput, FieldErrors)>,
}

fn items(view: &ChecklistView, lang: Lang) -> Vec<ItemView> {
    view.status
        .items
        .iter()
        .map(|s| ItemView {
            code: s.item.code(),
            label: s.item.label(lang),
            state: state_code(s.state),
            state_label: lookup(
                &format!("mdt.checklist.state.{}", state_code(s.state)),
                lang,
            )
            .unwrap_or(""),
            icon: match s.state {
                ItemState::Done => "✓",
                ItemState::NotNeeded => "–",
                ItemState::Missing => "○",
                ItemState::Failed => "✗",
            },
            reason: s.reason.as_ref().map(|r| r.message(lang)),
        })
        .collect()
}

async fn checklist_page(
    state: &AppState,
    ctx: &Ctx,
    id: CaseId,
    outcome: Outcome,
    status: StatusCode,
) -> PageResult {
    let now = state.now();
    let actor = ctx.actor();
    let store = state.store();
    let case = store.get_case(&actor, id, now).await?;
    let patient = store.get_patient(&actor, case.patient_id, now).await?;
    let view = store.checklist(&actor, id, now).await?;
    let procedure = store.procedure_version(case.planned_version_id).await?;
    let booking = active(store.case_bookings(id).await?);
    let timeouts = store.case_timeouts(id).await?;
    let l = Layout::new(ctx, format!("/cases/{id}/checklist"), "worklists");
    let lang = l.lang();
    let zone = store.zone();
    let today = to_local(now, zone).date();
    let mut allergies: Vec<String> = patient
        .allergies
        .iter()
        .chain(&case.allergies)
        .map(|a| {
            let kind = message(&format!("allergy.{}", a.kind.code()), lang);
            match &a.note {
                Some(note) => format!("{kind} ({note})"),
                None => kind,
            }
        })
        .collect();
    allergies.dedup();
    let mut anticoagulants: Vec<String> = patient
        .anticoagulants
        .iter()
        .chain(&case.anticoagulants)
        .map(|a| message(&format!("drug.{}", a.drug.code()), lang))
        .collect();
    anticoagulants.sort();
    anticoagulants.dedup();
    let banner = Banner {
        family_name: patient.family_name.clone(),
        given_names: patient.given_names.clone(),
        birth_date: l.date(&patient.birth_date),
        age: age(patient.birth_date, today),
        mrn: patient.mrn.clone(),
        sex: lookup(&format!("sex.{}", patient.sex.code()), lang).unwrap_or(""),
        allergies,
        anticoagulants,
        procedure: procedure.definition.name.get(lang).to_string(),
        procedure_version: procedure.version,
        side: side_label(case.side, lang),
        target_site: case.target_site.clone().unwrap_or_default(),
        status: status_label(case.status, lang),
    };
    let booked_today = booking
        .as_ref()
        .is_some_and(|b| to_local(b.starts_at, zone).date() == today);
    let recorded: Option<&TimeOutRecord> = booking
        .as_ref()
        .and_then(|b| timeouts.iter().find(|t| t.booking_id == b.id));
    let timeout_recorded = recorded.map(|t| TimeOutShown {
        by: t.recorded_by.clone(),
        at: l.datetime(&t.recorded_at),
        notes: t.timeout.notes.clone().unwrap_or_default(),
    });
    let (timeout, timeout_errors) = outcome.timeout.unwrap_or_default();
    let timeout_open = recorded.is_none()
        && (timeout_errors.any() || (case.status == CaseStatus::Ready && booked_today));
    let t = &view.thresholds;
    let thresholds = ThresholdsView {
        risk: lookup(
            &format!("mdt.checklist.risk.{}", t.bleeding_risk.code()),
            lang,
        )
        .unwrap_or(""),
        inr_max: t.inr_max.label(lang),
        platelets_min: t.platelets_min,
        egfr_min: t.egfr_min,
        lab_max_age_days: t.lab_max_age_days,
        source: t.source.clone(),
    };
    let (f, version) = outcome
        .typed
        .unwrap_or_else(|| (view.checklist.to_input(), view.version));
    let page = ChecklistPage {
        case_id: id.to_string(),
        booking: booking.as_ref().map(|b| BookingView {
            when: l.datetime(&b.starts_at),
            room: b.room_name.clone(),
            operator: b.operator_name.clone(),
        }),
        booked: view.booked,
        items: items(&view, lang),
        blocking: view.status.blocking().count(),
        ready: case.status == CaseStatus::Ready,
        thresholds,
        f,
        version,
        updated: view.updated_at.map(|at| l.datetime(&at)),
        errors: outcome.errors,
        stale: outcome.stale,
        refusal: outcome.refusal,
        notice: outcome.notice,
        timeout_open,
        timeout,
        timeout_errors,
        timeout_recorded,
        banner,
        l,
    };
    Ok(render_with(status, &page))
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    saved: String,
    #[serde(default)]
    timeout: String,
}

pub async fn checklist(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let id: CaseId = parse_id(&id)?;
    let notice = if !q.timeout.is_empty() {
        Some(message("mdt.timeout.done", ctx.lang))
    } else if !q.saved.is_empty() {
        Some(message("common.saved", ctx.lang))
    } else {
        None
    };
    let outcome = Outcome {
        notice,
        ..Outcome::default()
    };
    checklist_page(&state, &ctx, id, outcome, StatusCode::OK).await
}

fn typed_checklist(form: &FormData) -> ChecklistInput {
    ChecklistInput {
        information_sheet_delivered: form.has("information_sheet_delivered"),
        inr: form.get("inr").into(),
        inr_date: form.get("inr_date").into(),
        platelets: form.get("platelets").into(),
        platelets_date: form.get("platelets_date").into(),
        creatinine: form.get("creatinine").into(),
        creatinine_date: form.get("creatinine_date").into(),
        egfr: form.get("egfr").into(),
        egfr_date: form.get("egfr_date").into(),
        anticoagulant_plan: form.get("anticoagulant_plan").into(),
        anticoagulant_note: form.get("anticoagulant_note").into(),
        fasting_confirmed: form.has("fasting_confirmed"),
        premedication: form.get("premedication").into(),
        pregnancy: form.get("pregnancy").into(),
        notes: form.get("notes").into(),
    }
}

/// Saves the checklist. A value out of range or without its date is saved, and the
/// evaluation says why it blocks; a value that cannot be (INR 40) comes back beside its
/// field (422); a stale version comes back with the stored values (409); a case not yet
/// booked is refused with the reason (409).
pub async fn save_checklist(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: CaseId = parse_id(&id)?;
    let now = state.now();
    let input = typed_checklist(&form);
    let version: i64 = form.get("version").parse().unwrap_or(0);
    let today = to_local(now, state.store().zone()).date();
    let refused = |invalid: &Invalid, input: ChecklistInput| Outcome {
        errors: FieldErrors::from_invalid(invalid, ctx.lang, |f| f),
        typed: Some((input, version)),
        ..Outcome::default()
    };
    let checklist = match Checklist::parse(&input, today) {
        Ok(checklist) => checklist,
        Err(invalid) => {
            let outcome = refused(&invalid, input);
            return checklist_page(&state, &ctx, id, outcome, StatusCode::UNPROCESSABLE_ENTITY)
                .await;
        }
    };
    match state
        .store()
        .save_checklist(&ctx.actor(), id, version, &checklist, now)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/cases/{id}/checklist?saved=1"))),
        Err(StoreError::Conflict(Conflict::StaleVersion { .. })) => {
            let outcome = Outcome {
                stale: true,
                ..Outcome::default()
            };
            checklist_page(&state, &ctx, id, outcome, StatusCode::CONFLICT).await
        }
        Err(e) => {
            let e = AppError::from(e);
            if let AppError::Invalid(invalid) = &e {
                let outcome = refused(invalid, input);
                return checklist_page(&state, &ctx, id, outcome, StatusCode::UNPROCESSABLE_ENTITY)
                    .await;
            }
            match refusal(&e, ctx.lang) {
                Some(reason) => {
                    let outcome = Outcome {
                        refusal: Some(reason),
                        typed: Some((input, version)),
                        ..Outcome::default()
                    };
                    checklist_page(&state, &ctx, id, outcome, StatusCode::CONFLICT).await
                }
                None => Err(e.into()),
            }
        }
    }
}

/// Records the time-out: every box must be ticked (422 naming each one left), on the
/// day of a ready case's booking, once (409 with the reason otherwise).
pub async fn record_timeout(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: CaseId = parse_id(&id)?;
    let input = TimeOutInput {
        identity_confirmed: form.has("identity_confirmed"),
        site_confirmed: form.has("site_confirmed"),
        side_confirmed: form.has("side_confirmed"),
        procedure_confirmed: form.has("procedure_confirmed"),
        notes: form.get("notes").into(),
    };
    let timeout = match TimeOut::parse(&input) {
        Ok(timeout) => timeout,
        Err(invalid) => {
            let errors = FieldErrors::from_invalid(&invalid, ctx.lang, |f| f);
            let outcome = Outcome {
                timeout: Some((input, errors)),
                ..Outcome::default()
            };
            return checklist_page(&state, &ctx, id, outcome, StatusCode::UNPROCESSABLE_ENTITY)
                .await;
        }
    };
    match state
        .store()
        .record_timeout(&ctx.actor(), id, &timeout, state.now())
        .await
        .map_err(AppError::from)
    {
        Ok(_) => Ok(see_other(&format!("/cases/{id}/checklist?timeout=1"))),
        Err(e) => match refusal(&e, ctx.lang) {
            Some(reason) => {
                let outcome = Outcome {
                    refusal: Some(reason),
                    ..Outcome::default()
                };
                checklist_page(&state, &ctx, id, outcome, StatusCode::CONFLICT).await
            }
            None => Err(e.into()),
        },
    }
}
