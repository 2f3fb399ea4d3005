//! The pathologists' worklist (specimens awaiting their result, oldest first) and a
//! specimen's page with the result form.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use seldinger_domain::localtime::to_local;
use seldinger_domain::pathology::{Adequacy, Category, ResultInput, turnaround_days};
use seldinger_domain::{Permission, SpecimenId};
use seldinger_store::cases::CaseSummary;
use serde::Deserialize;

use crate::AppState;
use crate::auth::Ctx;
use crate::case_view::{Banner, SpecimenView, Words, case_header, specimen_view};
use crate::html::{
    Choice, DoneQuery, FieldErrors, FormData, FormRefusal, Layout, PageResult, choices, render,
};
use crate::i18n::message;
use crate::json::parse_id;

const PAGE_SIZE: u64 = 100;

/// A pending specimen on the pathologists' worklist.
pub struct PendingRow {
    pub specimen: SpecimenView,
    /// The case and its patient.
    pub case: CaseSummary,
    pub waiting_days: i64,
}

#[derive(Template)]
#[template(path = "pathology/worklist.html")]
pub struct PathologyPage {
    l: Layout,
    rows: Vec<PendingRow>,
    total: u64,
    offset: u64,
    next: Option<u64>,
    previous: Option<u64>,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    offset: u64,
}

pub async fn pathology_worklist(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let offset = q.offset.min(crate::json::MAX_OFFSET);
    let now = state.now();
    let store = state.store();
    let (items, total) = store
        .pending_specimens(&ctx.actor(), PAGE_SIZE, offset, now)
        .await?;
    let today = to_local(now, store.zone()).date();
    let l = Layout::new(&ctx, "/worklists/pathology", "worklists");
    let rows = items
        .iter()
        .map(|p| PendingRow {
            specimen: specimen_view(&p.specimen, &l),
            case: p.case.clone(),
            waiting_days: turnaround_days(p.specimen.collected_on, today),
        })
        .collect();
    Ok(render(&PathologyPage {
        l,
        rows,
        total,
        offset,
        next: (offset.saturating_add(PAGE_SIZE) < total)
            .then_some(offset.saturating_add(PAGE_SIZE)),
        previous: (offset > 0).then(|| offset.saturating_sub(PAGE_SIZE)),
    }))
}

#[derive(Template)]
#[template(path = "pathology/specimen.html")]
pub struct SpecimenPage {
    l: Layout,
    w: Words,
    banner: Banner,
    case_id: String,
    procedure: String,
    specimen: SpecimenView,
    /// The recorded result: adequacy, category, histology, date, turnaround, by, at.
    result: Option<RecordedResult>,
    f: ResultInput,
    errors: FieldErrors,
    refusal: Option<String>,
    notice: Option<String>,
}

pub struct RecordedResult {
    pub adequacy: &'static str,
    pub category: &'static str,
    pub histology: String,
    pub date: String,
    pub turnaround_days: i32,
    pub by: String,
    pub at: String,
}

impl SpecimenPage {
    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    pub fn adequacies(&self) -> Vec<Choice> {
        let lang = self.l.lang();
        choices(Adequacy::ALL, Adequacy::code, |a| a.label(lang))
    }

    pub fn categories(&self) -> Vec<Choice> {
        let lang = self.l.lang();
        choices(Category::ALL, Category::code, |c| c.label(lang))
    }
}

async fn specimen_page(
    state: &AppState,
    ctx: &Ctx,
    id: SpecimenId,
    typed: Option<(ResultInput, FieldErrors)>,
    refusal: Option<String>,
    notice: Option<String>,
    status: StatusCode,
) -> PageResult {
    let now = state.now();
    let actor = ctx.actor();
    let store = state.store();
    let specimen = store.specimen(&actor, id, now).await?;
    let (case, patient, procedure) = case_header(state, &actor, specimen.case_id, now).await?;
    let today = to_local(now, store.zone()).date();
    let l = Layout::new(ctx, format!("/specimens/{id}"), "worklists");
    let lang = l.lang();
    let (f, errors) = typed.unwrap_or_else(|| {
        (
            ResultInput {
                result_date: today.to_string(),
                ..ResultInput::default()
            },
            FieldErrors::default(),
        )
    });
    let result = specimen.result.as_ref().map(|r| RecordedResult {
        adequacy: r.result.adequacy.label(lang),
        category: r.result.category.label(lang),
        histology: r.result.histology.clone().unwrap_or_default(),
        date: l.date(&r.result.result_date),
        turnaround_days: r.turnaround_days,
        by: r.recorded_by.clone(),
        at: l.datetime(&r.recorded_at),
    });
    let page = SpecimenPage {
        w: Words(lang),
        banner: Banner::new(patient, today),
        case_id: case.id.to_string(),
        procedure: procedure.definition.name.get(lang).to_string(),
        specimen: specimen_view(&specimen, &l),
        result,
        f,
        errors,
        refusal,
        notice,
        l,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn specimen(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let id: SpecimenId = parse_id(&id)?;
    let notice = (q.done == "recorded").then(|| message("pathology.recorded", ctx.lang));
    specimen_page(&state, &ctx, id, None, None, notice, StatusCode::OK).await
}

/// Records the result, once: field errors beside their fields (422), a second result
/// refused with the reason (409), an unknown specimen 404.
pub async fn record_result(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: SpecimenId = parse_id(&id)?;
    let input = ResultInput {
        adequacy: form.get("adequacy").into(),
        category: form.get("category").into(),
        histology: form.get("histology").into(),
        result_date: form.get("result_date").into(),
    };
    match state
        .store()
        .record_pathology(&ctx.actor(), id, &input, state.now())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/specimens/{id}?done=recorded")).into_response()),
        Err(e) => {
            let (typed, refusal, status) = match FormRefusal::of(e, ctx.lang)? {
                FormRefusal::Fields(errors) => (
                    Some((input, errors)),
                    None,
                    StatusCode::UNPROCESSABLE_ENTITY,
                ),
                FormRefusal::Reason(reason) => (None, Some(reason), StatusCode::CONFLICT),
                FormRefusal::Stale => (None, None, StatusCode::CONFLICT),
            };
            specimen_page(&state, &ctx, id, typed, refusal, None, status).await
        }
    }
}
