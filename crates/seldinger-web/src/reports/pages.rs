//! The report page, its print, the pathologists' worklist and a specimen's result form.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use seldinger_domain::case::{CaseStatus, status_label};
use seldinger_domain::catalog::{Anesthesia, Guidance};
use seldinger_domain::localtime::to_local;
use seldinger_domain::report::{
    AblationModality, Addendum, AddendumInput, ReportInput, TechnicalSuccess,
};
use seldinger_domain::{CaseId, Invalid, Lang, Permission, Role};
use seldinger_store::StoreError;
use seldinger_store::reports::ReportRecord;
use seldinger_store::resources::StaffAvailability;
use serde::Deserialize;

use super::{Section, field_label, sections};
use crate::AppState;
use crate::auth::Ctx;
use crate::case_view::{Banner, SpecimenView, Words, case_header, specimen_view};
use crate::error::AppError;
use crate::html::{
    Choice, DoneQuery, FieldErrors, FormData, FormRefusal, Layout, PageResult, choices, render,
};
use crate::i18n::{Tr, message};
use crate::json::parse_id;

/// An addendum as shown.
pub struct AddendumView {
    pub text: String,
    pub by: String,
    pub at: String,
}

/// A radiologist's name from their username (the username itself if unknown).
fn full_name(staff: &[StaffAvailability], username: &str) -> String {
    staff
        .iter()
        .find(|s| s.username == username)
        .map_or_else(|| username.to_string(), |s| s.full_name.clone())
}

#[derive(Template)]
#[template(path = "reports/report.html")]
pub struct ReportPage {
    l: Layout,
    w: Words,
    banner: Banner,
    case_id: String,
    procedure: String,
    family: &'static str,
    case_status: &'static str,
    /// `new`, `draft` or `signed`.
    state: &'static str,
    /// Whether a report can be written for the case's status.
    writable: bool,
    f: ReportInput,
    version: i64,
    errors: FieldErrors,
    /// Labels of what the draft still lacks for signature.
    missing: Vec<String>,
    signed: Option<(String, String)>,
    shown: Vec<Section>,
    addenda: Vec<AddendumView>,
    addendum: String,
    addendum_error: Option<String>,
    specimens: Vec<SpecimenView>,
    refusal: Option<String>,
    stale: bool,
    notice: Option<String>,
    operators: Vec<Choice>,
}

impl ReportPage {
    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    pub fn label(&self, field: &str) -> String {
        field_label(field, self.l.lang())
    }

    pub fn is_operator(&self, username: &str) -> bool {
        self.f.operators.iter().any(|o| o == username)
    }

    pub fn has_guidance(&self, code: &str) -> bool {
        self.f.guidance.iter().any(|g| g == code)
    }

    pub fn guidances(&self) -> Vec<Choice> {
        let lang = self.l.lang();
        choices(Guidance::ALL, Guidance::code, |g| {
            super::guidance_label(g, lang)
        })
    }

    pub fn anesthesias(&self) -> Vec<Choice> {
        let lang = self.l.lang();
        choices(Anesthesia::ALL, Anesthesia::code, |a| {
            super::anesthesia_label(a, lang)
        })
    }

    pub fn successes(&self) -> Vec<Choice> {
        let lang = self.l.lang();
        choices(TechnicalSuccess::ALL, TechnicalSuccess::code, |s| {
            s.label(lang)
        })
    }

    pub fn modalities(&self) -> Vec<Choice> {
        let lang = self.l.lang();
        choices(AblationModality::ALL, AblationModality::code, |m| {
            super::modality_label(m, lang)
        })
    }

    pub fn state_key(&self) -> String {
        format!("report.state.{}", self.state)
    }

    pub fn specimen_lines(&self) -> String {
        self.f.specimens.join("\n")
    }
}

/// What the page shows besides the stored state: the outcome of the last action.
#[derive(Default)]
struct Outcome {
    typed: Option<(ReportInput, i64)>,
    errors: FieldErrors,
    missing: Option<Vec<String>>,
    stale: bool,
    refusal: Option<String>,
    notice: Option<String>,
    addendum: Option<(String, String)>,
}

/// Whether a report may be started or edited for a case in this state (the store
/// decides; this only hides a form that would be refused).
fn writable(status: CaseStatus) -> bool {
    matches!(status, CaseStatus::Ready | CaseStatus::Performed)
}

async fn report_page(
    state: &AppState,
    ctx: &Ctx,
    id: CaseId,
    outcome: Outcome,
    status: StatusCode,
) -> PageResult {
    let now = state.now();
    let actor = ctx.actor();
    let store = state.store();
    let (case, patient, procedure) = case_header(state, &actor, id, now).await?;
    let record = store.report(&actor, id, now).await?;
    let zone = store.zone();
    let today = to_local(now, zone).date();
    let staff = store
        .staff_availability(Role::InterventionalRadiologist, today)
        .await?;
    let l = Layout::new(ctx, format!("/cases/{id}/report"), "worklists");
    let lang = l.lang();
    let name_of = |username: &str| full_name(&staff, username);
    let (state_code, stored_input, version) = match &record {
        None => {
            let (_, input) = store.report_template(id).await?;
            ("new", input, 0)
        }
        Some(r) if r.signed.is_some() => (
            "signed",
            ReportInput::from_report(&r.report, zone),
            r.version,
        ),
        Some(r) => (
            "draft",
            ReportInput::from_report(&r.report, zone),
            r.version,
        ),
    };
    let missing = match (&outcome.missing, &record) {
        (Some(m), _) => m.clone(),
        (None, Some(r)) if r.signed.is_none() => r
            .report
            .missing_for_signature()
            .iter()
            .map(|e| field_label(&e.field, lang))
            .collect(),
        _ => Vec::new(),
    };
    let (f, version) = outcome.typed.unwrap_or((stored_input, version));
    let specimens = if state_code == "signed" {
        store.specimens(id).await?
    } else {
        Vec::new()
    };
    let (addendum, addendum_error) = outcome.addendum.unzip();
    let time = |t| l.datetime(&t);
    let shown = record
        .as_ref()
        .map(|r| sections(&r.report, lang, &time, &name_of))
        .unwrap_or_default();
    let page = ReportPage {
        w: Words(lang),
        banner: Banner::new(patient, today),
        case_id: id.to_string(),
        procedure: procedure.definition.name.get(lang).to_string(),
        family: procedure.definition.family.code(),
        case_status: status_label(case.status, lang),
        state: state_code,
        writable: record.as_ref().is_some_and(|r| r.signed.is_none()) || writable(case.status),
        f,
        version,
        errors: outcome.errors,
        missing,
        signed: record
            .as_ref()
            .and_then(|r| r.signed.as_ref())
            .map(|(at, by)| (name_of(by), l.datetime(at))),
        shown,
        addenda: record
            .as_ref()
            .map(|r| {
                r.addenda
                    .iter()
                    .map(|a| AddendumView {
                        text: a.text.clone(),
                        by: name_of(&a.signed_by),
                        at: l.datetime(&a.signed_at),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        addendum: addendum.unwrap_or_default(),
        addendum_error,
        specimens: specimens.iter().map(|s| specimen_view(s, &l)).collect(),
        refusal: outcome.refusal,
        stale: outcome.stale,
        notice: outcome.notice,
        operators: staff
            .iter()
            .map(|s| Choice {
                code: s.username.clone(),
                label: s.full_name.clone(),
            })
            .collect(),
        l,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let id: CaseId = parse_id(&id)?;
    let notice = match q.done.as_str() {
        "saved" => Some(message("report.saved", ctx.lang)),
        "signed" => Some(message("report.signed", ctx.lang)),
        "addendum" => Some(message("report.addendum.added", ctx.lang)),
        _ => None,
    };
    let outcome = Outcome {
        notice,
        ..Outcome::default()
    };
    report_page(&state, &ctx, id, outcome, StatusCode::OK).await
}

fn typed_report(form: &FormData) -> ReportInput {
    let lines = |name: &str| -> Vec<String> {
        form.get(name)
            .lines()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    ReportInput {
        started_at: form.get("started_at").into(),
        ended_at: form.get("ended_at").into(),
        operators: form.all("operators"),
        assistants: form.get("assistants").into(),
        guidance: form.all("guidance"),
        anesthesia: form.get("anesthesia").into(),
        access_route: form.get("access_route").into(),
        devices: form.get("devices").into(),
        contrast_agent: form.get("contrast_agent").into(),
        contrast_ml: form.get("contrast_ml").into(),
        dap_gycm2: form.get("dap_gycm2").into(),
        fluoroscopy_s: form.get("fluoroscopy_s").into(),
        air_kerma_mgy: form.get("air_kerma_mgy").into(),
        ct_dlp_mgycm: form.get("ct_dlp_mgycm").into(),
        exposures: form.get("exposures").into(),
        biopsy_needle_gauge: form.get("biopsy_needle_gauge").into(),
        biopsy_cores: form.get("biopsy_cores").into(),
        ablation_modality: form.get("ablation_modality").into(),
        ablation_energy_kj: form.get("ablation_energy_kj").into(),
        ablation_power_w: form.get("ablation_power_w").into(),
        ablation_duration_min: form.get("ablation_duration_min").into(),
        ablation_applications: form.get("ablation_applications").into(),
        ablation_zone_mm: form.get("ablation_zone_mm").into(),
        embolization_agent: form.get("embolization_agent").into(),
        embolization_target_vessel: form.get("embolization_target_vessel").into(),
        drainage_catheter_fr: form.get("drainage_catheter_fr").into(),
        technical_success: form.get("technical_success").into(),
        findings: form.get("findings").into(),
        conclusion: form.get("conclusion").into(),
        specimens: lines("specimens"),
    }
}

/// Turns a store error of a form action into the page that shows it: field errors
/// (422), a stale version (409, the stored values), a refusal (409, the typed values
/// kept), anything else as an error page.
async fn refused(
    state: &AppState,
    ctx: &Ctx,
    id: CaseId,
    err: StoreError,
    typed: Option<(ReportInput, i64)>,
) -> PageResult {
    let (outcome, status) = match FormRefusal::of(err, ctx.lang)? {
        FormRefusal::Stale => (
            Outcome {
                stale: true,
                ..Outcome::default()
            },
            StatusCode::CONFLICT,
        ),
        FormRefusal::Fields(errors) => (
            Outcome {
                errors,
                typed,
                ..Outcome::default()
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        FormRefusal::Reason(reason) => (
            Outcome {
                refusal: Some(reason),
                ..Outcome::default()
            },
            StatusCode::CONFLICT,
        ),
    };
    report_page(state, ctx, id, outcome, status).await
}

/// Saves the draft. A signed report is refused (409, the signed report shown again,
/// nothing changed); malformed fields come back beside themselves (422).
pub async fn save_report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: CaseId = parse_id(&id)?;
    let input = typed_report(&form);
    let version: i64 = form.get("version").parse().unwrap_or(0);
    match state
        .store()
        .save_report(&ctx.actor(), id, version, &input, state.now())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}/report?done=saved")).into_response()),
        Err(e) => refused(&state, &ctx, id, e, Some((input, version))).await,
    }
}

/// Signs the report at the version shown. An incomplete report is refused with the list
/// of what is missing (422).
pub async fn sign_report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: CaseId = parse_id(&id)?;
    let version: i64 = form.get("version").parse().unwrap_or(0);
    match state
        .store()
        .sign_report(&ctx.actor(), id, version, state.now())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}/report?done=signed")).into_response()),
        Err(StoreError::Invalid(Invalid(missing))) => {
            let outcome = Outcome {
                missing: Some(
                    missing
                        .iter()
                        .map(|e| field_label(&e.field, ctx.lang))
                        .collect(),
                ),
                ..Outcome::default()
            };
            report_page(&state, &ctx, id, outcome, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => refused(&state, &ctx, id, e, None).await,
    }
}

/// Adds a signed addendum to a signed report.
pub async fn add_addendum(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: CaseId = parse_id(&id)?;
    let input = AddendumInput {
        text: form.get("text").into(),
    };
    let addendum = match Addendum::parse(&input) {
        Ok(a) => a,
        Err(invalid) => {
            let errors = FieldErrors::from_invalid(&invalid, ctx.lang, |f| f);
            let outcome = Outcome {
                addendum: Some((
                    input.text,
                    errors.get("text").unwrap_or_default().to_string(),
                )),
                ..Outcome::default()
            };
            return report_page(&state, &ctx, id, outcome, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    match state
        .store()
        .add_addendum(&ctx.actor(), id, &addendum, state.now())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}/report?done=addendum")).into_response()),
        Err(e) => refused(&state, &ctx, id, e, None).await,
    }
}

#[derive(Template)]
#[template(path = "reports/print.html")]
pub struct PrintPage {
    /// The frame in the document's language (which may not be the user's).
    l: Layout,
    case_id: String,
    other: &'static str,
    family_name: String,
    given_names: String,
    birth_date: String,
    mrn: String,
    procedure: String,
    shown: Vec<Section>,
    signed: Option<(String, String)>,
    addenda: Vec<AddendumView>,
    issued: String,
}

#[derive(Deserialize, Default)]
pub struct PrintQuery {
    #[serde(default)]
    lang: String,
}

/// The report on A4, in French or English whatever the user's language.
pub async fn print(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<PrintQuery>,
) -> PageResult {
    let id: CaseId = parse_id(&id)?;
    let lang = crate::html::document_lang(&q.lang, ctx.lang)?;
    let now = state.now();
    let actor = ctx.actor();
    let store = state.store();
    let (_, patient, procedure) = case_header(&state, &actor, id, now).await?;
    let record: ReportRecord = store
        .report(&actor, id, now)
        .await?
        .ok_or(AppError::NotFound)?;
    let today = to_local(now, store.zone()).date();
    let staff = store
        .staff_availability(Role::InterventionalRadiologist, today)
        .await?;
    let name_of = |username: &str| full_name(&staff, username);
    let l = Layout {
        tr: Tr(lang),
        ..Layout::new(
            &ctx,
            format!("/cases/{id}/report/print?lang={}", lang.code()),
            "worklists",
        )
    };
    let time = |t| l.datetime(&t);
    let page = PrintPage {
        case_id: id.to_string(),
        other: match lang {
            Lang::Fr => "en",
            Lang::En => "fr",
        },
        family_name: patient.family_name,
        given_names: patient.given_names,
        birth_date: l.date(&patient.birth_date),
        mrn: patient.mrn,
        procedure: procedure.definition.name.get(lang).to_string(),
        shown: sections(&record.report, lang, &time, &name_of),
        signed: record
            .signed
            .as_ref()
            .map(|(at, by)| (name_of(by), l.datetime(at))),
        addenda: record
            .addenda
            .iter()
            .map(|a| AddendumView {
                text: a.text.clone(),
                by: name_of(&a.signed_by),
                at: l.datetime(&a.signed_at),
            })
            .collect(),
        issued: l.date(&today),
        l,
    };
    Ok(render(&page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_is_written_from_ready_and_performed_only() {
        for status in CaseStatus::ALL {
            assert_eq!(
                writable(*status),
                matches!(status, CaseStatus::Ready | CaseStatus::Performed),
                "{status:?}"
            );
        }
    }
}
