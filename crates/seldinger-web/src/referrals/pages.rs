//! The referral form, the case page's route, and triage, planning and cancellation from
//! it: each posts, and redirects to the case page, or shows it again with the refusal.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use seldinger_domain::case::{CaseEvent, NewReferral, ReferralInput, Side, Urgency};
use seldinger_domain::catalog::Organ;
use seldinger_domain::patient::{AllergyKind, AnticoagulantDrug, RawEntry};
use seldinger_domain::{CaseId, FieldError, Invalid, PatientId, Permission, Problem, Role, case};
use seldinger_store::{Patient, StoreError};
use serde::Deserialize;
use time::Date;

use super::procedure_code;
use crate::auth::Ctx;
use crate::calendar::{local_now, today};
use crate::case_page::{CaseForms, FamilyGroup, procedure_groups, refuse, same};
use crate::case_view::{Banner, Words};
use crate::error::AppError;
use crate::html::{
    DoneQuery, FieldErrors, FormData, Layout, PageResult, render, render_with, see_other,
};
use crate::json::parse_id;
use crate::{AppState, case_page};

/// One allergy or treatment of the referral form: ticked or not, with its note.
pub struct EntryValue {
    pub code: &'static str,
    pub checked: bool,
    pub note: String,
}

/// The referral form's values as typed.
#[derive(Default)]
pub struct ReferralValues {
    pub patient_id: String,
    pub referring_physician: String,
    pub referring_service: String,
    pub indication: String,
    pub target_organ: String,
    pub target_site: String,
    pub side: String,
    pub lesion_size_mm: String,
    pub requested_procedure: String,
    pub urgency: String,
    pub clinical_question: String,
    pub referral_date: String,
    pub allergies: Vec<EntryValue>,
    pub drugs: Vec<EntryValue>,
}

/// Entries of one kind from a patient's record, notes joined (several "other" entries).
fn entry_from_record(code: &'static str, notes: Vec<Option<String>>) -> EntryValue {
    EntryValue {
        code,
        checked: !notes.is_empty(),
        note: notes.into_iter().flatten().collect::<Vec<_>>().join("; "),
    }
}

impl ReferralValues {
    /// A new referral for `patient`: their allergies and treatments ticked, the
    /// signed-in referring physician's name, today's date.
    fn for_patient(patient: &Patient, ctx: &Ctx, today: Date) -> Self {
        let user = &ctx.principal.user;
        Self {
            patient_id: patient.id.to_string(),
            referring_physician: if user.role == Role::ReferringPhysician {
                user.full_name.clone()
            } else {
                String::new()
            },
            referral_date: today.to_string(),
            allergies: AllergyKind::ALL
                .iter()
                .map(|kind| {
                    let notes = patient
                        .allergies
                        .iter()
                        .filter(|a| a.kind == *kind)
                        .map(|a| a.note.clone())
                        .collect();
                    entry_from_record(kind.code(), notes)
                })
                .collect(),
            drugs: AnticoagulantDrug::ALL
                .iter()
                .map(|drug| {
                    let notes = patient
                        .anticoagulants
                        .iter()
                        .filter(|a| a.drug == *drug)
                        .map(|a| a.note.clone())
                        .collect();
                    entry_from_record(drug.code(), notes)
                })
                .collect(),
            ..Default::default()
        }
    }

    fn from_form(form: &FormData) -> Self {
        let ticked = |name: &str, codes: Vec<&'static str>, prefix: &str| -> Vec<EntryValue> {
            let all = form.all(name);
            codes
                .into_iter()
                .map(|code| EntryValue {
                    code,
                    checked: all.iter().any(|c| c == code),
                    note: form.get(&format!("{prefix}{code}")).to_string(),
                })
                .collect()
        };
        Self {
            patient_id: form.get("patient_id").into(),
            referring_physician: form.get("referring_physician").into(),
            referring_service: form.get("referring_service").into(),
            indication: form.get("indication").into(),
            target_organ: form.get("target_organ").into(),
            target_site: form.get("target_site").into(),
            side: form.get("side").into(),
            lesion_size_mm: form.get("lesion_size_mm").into(),
            requested_procedure: form.get("requested_procedure").into(),
            urgency: form.get("urgency").into(),
            clinical_question: form.get("clinical_question").into(),
            referral_date: form.get("referral_date").into(),
            allergies: ticked(
                "allergy",
                AllergyKind::ALL.iter().map(|k| k.code()).collect(),
                "allergy_note_",
            ),
            drugs: ticked(
                "drug",
                AnticoagulantDrug::ALL.iter().map(|d| d.code()).collect(),
                "drug_note_",
            ),
        }
    }

    /// The domain's input, and the errors of what the form alone can tell (a lesion
    /// size that is not a number).
    fn input(&self) -> (ReferralInput, Vec<FieldError>) {
        let mut errors = Vec::new();
        let lesion_size_mm = match self.lesion_size_mm.trim() {
            "" => None,
            raw => match raw.parse::<u32>() {
                Ok(mm) => Some(mm),
                Err(_) => {
                    errors.push(FieldError::new(
                        "lesion_size_mm",
                        Problem::BadFormat {
                            expected: "millimetres, from 1 to 500",
                        },
                    ));
                    None
                }
            },
        };
        let entries = |values: &[EntryValue]| -> Vec<RawEntry> {
            values
                .iter()
                .filter(|e| e.checked)
                .map(|e| RawEntry {
                    kind: e.code.to_string(),
                    note: e.note.clone(),
                })
                .collect()
        };
        let input = ReferralInput {
            patient_id: self.patient_id.clone(),
            referring_physician: self.referring_physician.clone(),
            referring_service: self.referring_service.clone(),
            indication: self.indication.clone(),
            target_organ: self.target_organ.clone(),
            target_site: self.target_site.clone(),
            side: self.side.clone(),
            lesion_size_mm,
            requested_procedure: self.requested_procedure.clone(),
            urgency: self.urgency.clone(),
            clinical_question: self.clinical_question.clone(),
            anticoagulants: entries(&self.drugs),
            allergies: entries(&self.allergies),
            referral_date: self.referral_date.clone(),
        };
        (input, errors)
    }
}

/// Domain field paths → referral form fields.
fn referral_field(field: &str) -> &str {
    if field.starts_with("allergies") {
        "allergies"
    } else if field.starts_with("anticoagulants") {
        "anticoagulants"
    } else {
        field
    }
}

#[derive(Template)]
#[template(path = "referrals/form.html")]
pub struct ReferralFormPage {
    l: Layout,
    w: Words,
    banner: Option<Banner>,
    f: ReferralValues,
    errors: FieldErrors,
    groups: Vec<FamilyGroup>,
}

impl ReferralFormPage {
    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    pub fn urgencies(&self) -> &'static [Urgency] {
        Urgency::ALL
    }

    pub fn organs(&self) -> &'static [Organ] {
        Organ::ALL
    }

    pub fn sides(&self) -> &'static [Side] {
        Side::ALL
    }

    pub fn allergy_label(&self, code: &str) -> &'static str {
        AllergyKind::parse(code)
            .map(|k| self.w.allergy(&k))
            .unwrap_or("")
    }

    pub fn drug_label(&self, code: &str) -> &'static str {
        AnticoagulantDrug::parse(code)
            .map(|d| self.w.drug(&d))
            .unwrap_or("")
    }
}

#[derive(Deserialize, Default)]
pub struct ReferralQuery {
    #[serde(default)]
    patient: String,
}

pub async fn new_referral(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ReferralQuery>,
) -> PageResult {
    // A referral is always about a patient: without one, find them first.
    if q.patient.trim().is_empty() {
        return Ok(see_other("/patients"));
    }
    let id: PatientId = parse_id(q.patient.trim())?;
    let now = state.now();
    let day = today(&state, &ctx);
    let patient = state.store().get_patient(&ctx.actor(), id, now).await?;
    let w = Words(ctx.lang);
    let page = ReferralFormPage {
        l: Layout::new(&ctx, format!("/referrals/new?patient={id}"), "patients"),
        w,
        f: ReferralValues::for_patient(&patient, &ctx, day),
        banner: Some(Banner::new(patient, day)),
        errors: FieldErrors::default(),
        groups: procedure_groups(&state, w).await?,
    };
    Ok(render(&page))
}

pub async fn create_referral(
    State(state): State<AppState>,
    ctx: Ctx,
    form: FormData,
) -> PageResult {
    let now = state.now();
    let actor = ctx.actor();
    let f = ReferralValues::from_form(&form);
    let (input, extra) = f.input();
    let invalid = match NewReferral::parse(&input, local_now(now, &ctx.timezone)) {
        Ok(referral) if extra.is_empty() => {
            match state.store().create_referral(&actor, &referral, now).await {
                Ok(case) => return Ok(see_other(&format!("/cases/{}?done=referred", case.id))),
                Err(StoreError::Invalid(invalid)) => invalid,
                Err(other) => return Err(other.into()),
            }
        }
        Ok(_) => Invalid(extra),
        Err(Invalid(mut errors)) => {
            errors.extend(extra);
            Invalid(errors)
        }
    };
    let day = today(&state, &ctx);
    let banner = match f.patient_id.trim().parse::<PatientId>() {
        Ok(id) => match state.store().get_patient(&actor, id, now).await {
            Ok(patient) => Some(Banner::new(patient, day)),
            Err(StoreError::NotFound) => None,
            Err(other) => return Err(other.into()),
        },
        Err(_) => None,
    };
    let w = Words(ctx.lang);
    let page = ReferralFormPage {
        l: Layout::new(&ctx, "/referrals", "patients"),
        w,
        banner,
        errors: FieldErrors::from_invalid(&invalid, ctx.lang, referral_field),
        f,
        groups: procedure_groups(&state, w).await?,
    };
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

pub async fn case(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let id: CaseId = parse_id(&id)?;
    case_page::show(&state, &ctx, id, &q.done).await
}

#[expect(
    clippy::too_many_arguments,
    reason = "the action and how to show its refusal"
)]
async fn transition(
    state: &AppState,
    ctx: &Ctx,
    id: CaseId,
    event: CaseEvent,
    done: &str,
    f: CaseForms,
    form: &'static str,
    map: fn(&str) -> &str,
) -> PageResult {
    match state
        .store()
        .transition_case(&ctx.actor(), id, &event, state.now())
        .await
    {
        Ok(_) => Ok(see_other(&format!("/cases/{id}?done={done}"))),
        Err(e) => refuse(state, ctx, id, e.into(), f, form, map).await,
    }
}

pub async fn accept_case(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let id: CaseId = parse_id(&id)?;
    let f = CaseForms::default();
    transition(
        &state,
        &ctx,
        id,
        CaseEvent::Accept,
        "accepted",
        f,
        "triage",
        same,
    )
    .await
}

pub async fn send_case_to_mdt(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let id: CaseId = parse_id(&id)?;
    let f = CaseForms::default();
    let event = CaseEvent::SendToMdt;
    transition(&state, &ctx, id, event, "sent_to_mdt", f, "triage", same).await
}

fn decline_field(field: &str) -> &str {
    if field == "reason" {
        "decline_reason"
    } else {
        field
    }
}

fn cancel_field(field: &str) -> &str {
    if field == "reason" {
        "cancel_reason"
    } else {
        field
    }
}

pub async fn decline_case(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: CaseId = parse_id(&id)?;
    let raw = form.get("reason");
    let f = CaseForms {
        decline_reason: raw.to_string(),
        ..Default::default()
    };
    match case::reason(raw) {
        Ok(reason) => {
            let event = CaseEvent::Decline { reason };
            transition(
                &state,
                &ctx,
                id,
                event,
                "declined",
                f,
                "decline",
                decline_field,
            )
            .await
        }
        Err(e) => refuse(&state, &ctx, id, e.into(), f, "decline", decline_field).await,
    }
}

pub async fn cancel_case(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: CaseId = parse_id(&id)?;
    let raw = form.get("reason");
    let f = CaseForms {
        cancel_reason: raw.to_string(),
        ..Default::default()
    };
    match case::reason(raw) {
        Ok(reason) => {
            let event = CaseEvent::Cancel { reason };
            transition(
                &state,
                &ctx,
                id,
                event,
                "cancelled",
                f,
                "cancel",
                cancel_field,
            )
            .await
        }
        Err(e) => refuse(&state, &ctx, id, e.into(), f, "cancel", cancel_field).await,
    }
}

pub async fn plan_case(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: CaseId = parse_id(&id)?;
    let raw = form.get("procedure");
    let f = CaseForms {
        procedure: raw.to_string(),
        ..Default::default()
    };
    let result = match procedure_code("procedure", raw) {
        Ok(code) => state
            .store()
            .plan_procedure(&ctx.actor(), id, code.as_ref(), state.now())
            .await
            .map_err(AppError::from),
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/cases/{id}?done=planned"))),
        Err(e) => refuse(&state, &ctx, id, e, f, "plan", same).await,
    }
}
