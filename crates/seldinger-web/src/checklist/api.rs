//! The checklist and the time-out over JSON.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use seldinger_domain::checklist::{
    Checklist, ChecklistInput, ChecklistItem, ItemState, TimeOut, TimeOutInput,
};
use seldinger_domain::localtime::to_local;
use seldinger_domain::{BookingId, CaseId, Lang};
use seldinger_store::checklists::{ChecklistView, TimeOutRecord};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::AppState;
use crate::auth::Ctx;
use crate::json::{ApiJson, ApiResult, parse_id};

#[derive(Serialize)]
struct ItemOut {
    item: ChecklistItem,
    label: &'static str,
    state: ItemState,
    /// Why the item blocks, as a stable code.
    reason: Option<&'static str>,
    /// The same, in the caller's language.
    message: Option<String>,
}

#[derive(Serialize)]
struct TimeOutOut {
    booking_id: BookingId,
    identity_confirmed: bool,
    site_confirmed: bool,
    side_confirmed: bool,
    procedure_confirmed: bool,
    notes: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    recorded_at: OffsetDateTime,
    recorded_by: String,
}

impl From<TimeOutRecord> for TimeOutOut {
    fn from(t: TimeOutRecord) -> Self {
        Self {
            booking_id: t.booking_id,
            identity_confirmed: t.timeout.identity_confirmed,
            site_confirmed: t.timeout.site_confirmed,
            side_confirmed: t.timeout.side_confirmed,
            procedure_confirmed: t.timeout.procedure_confirmed,
            notes: t.timeout.notes,
            recorded_at: t.recorded_at,
            recorded_by: t.recorded_by,
        }
    }
}

fn checklist_body(view: ChecklistView, timeouts: Vec<TimeOutRecord>, lang: Lang) -> Value {
    let items: Vec<ItemOut> = view
        .status
        .items
        .iter()
        .map(|s| ItemOut {
            item: s.item,
            label: s.item.label(lang),
            state: s.state,
            reason: s.reason.as_ref().map(|r| r.code()),
            message: s.reason.as_ref().map(|r| r.message(lang)),
        })
        .collect();
    let t = &view.thresholds;
    let updated_at = view
        .updated_at
        .and_then(|at| at.format(&Rfc3339).ok())
        .map(Value::String)
        .unwrap_or(Value::Null);
    json!({
        "checklist": view.checklist.to_input(),
        "version": view.version,
        "updated_at": updated_at,
        "complete": view.status.is_complete(),
        "blocking": view.status.blocking().count(),
        "booked": view.booked,
        "procedure_date": view.procedure_date.to_string(),
        "items": items,
        "thresholds": {
            "bleeding_risk": t.bleeding_risk,
            "inr_max": t.inr_max.to_string(),
            "platelets_min": t.platelets_min,
            "egfr_min": t.egfr_min,
            "lab_max_age_days": t.lab_max_age_days,
            "source": t.source,
        },
        "timeouts": timeouts.into_iter().map(TimeOutOut::from).collect::<Vec<_>>(),
    })
}

pub async fn get_checklist(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    let id: CaseId = parse_id(&id)?;
    let view = state
        .store()
        .checklist(&ctx.actor(), id, state.now())
        .await?;
    let timeouts = state
        .store()
        .case_timeouts(&ctx.actor(), id, state.now())
        .await?;
    Ok(axum::Json(checklist_body(view, timeouts, ctx.lang)))
}

/// The body of `PUT /api/v1/cases/{id}/checklist`: the checklist and the version it
/// was read at (0 the first time); the fields repeated for `deny_unknown_fields`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistUpdate {
    pub version: i64,
    pub information_sheet_delivered: bool,
    pub inr: String,
    pub inr_date: String,
    pub platelets: String,
    pub platelets_date: String,
    pub creatinine: String,
    pub creatinine_date: String,
    pub egfr: String,
    pub egfr_date: String,
    pub anticoagulant_plan: String,
    pub anticoagulant_note: String,
    pub fasting_confirmed: bool,
    pub premedication: String,
    pub pregnancy: String,
    pub notes: String,
}

impl ChecklistUpdate {
    fn input(self) -> (i64, ChecklistInput) {
        (
            self.version,
            ChecklistInput {
                information_sheet_delivered: self.information_sheet_delivered,
                inr: self.inr,
                inr_date: self.inr_date,
                platelets: self.platelets,
                platelets_date: self.platelets_date,
                creatinine: self.creatinine,
                creatinine_date: self.creatinine_date,
                egfr: self.egfr,
                egfr_date: self.egfr_date,
                anticoagulant_plan: self.anticoagulant_plan,
                anticoagulant_note: self.anticoagulant_note,
                fasting_confirmed: self.fasting_confirmed,
                premedication: self.premedication,
                pregnancy: self.pregnancy,
                notes: self.notes,
            },
        )
    }
}

/// Saves the checklist; answers the evaluated checklist and the case's status.
pub async fn save_checklist(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ChecklistUpdate>,
) -> ApiResult<axum::Json<Value>> {
    let id: CaseId = parse_id(&id)?;
    let now = state.now();
    let (version, input) = body.input();
    let today = to_local(now, state.store().zone()).date();
    let checklist = Checklist::parse(&input, today)?;
    let (view, status) = state
        .store()
        .save_checklist(&ctx.actor(), id, version, &checklist, now)
        .await?;
    let timeouts = state.store().case_timeouts(&ctx.actor(), id, now).await?;
    let mut body = checklist_body(view, timeouts, ctx.lang);
    body["status"] = json!(status);
    Ok(axum::Json(body))
}

/// Records the time-out on the day; 201 with the record.
pub async fn record_timeout(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<TimeOutInput>,
) -> ApiResult<Response> {
    let id: CaseId = parse_id(&id)?;
    let timeout = TimeOut::parse(&input)?;
    let record = state
        .store()
        .record_timeout(&ctx.actor(), id, &timeout, state.now())
        .await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/cases/{id}/checklist"))],
        axum::Json(TimeOutOut::from(record)),
    )
        .into_response())
}
