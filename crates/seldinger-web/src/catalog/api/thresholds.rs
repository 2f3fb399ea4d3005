//! The checklist thresholds over JSON.

use axum::extract::{Path, State};
use seldinger_domain::catalog::BleedingRisk;
use seldinger_domain::checklist::{Thresholds, ThresholdsInput};
use seldinger_store::catalog::ThresholdsRecord;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::AppState;
use crate::auth::Ctx;
use crate::catalog::parse_risk;
use crate::json::{ApiJson, ApiResult};

/// One category's thresholds over the API.
#[derive(Serialize)]
pub struct ThresholdsOut {
    pub bleeding_risk: BleedingRisk,
    /// Ready when INR ≤ this.
    pub inr_max: f64,
    pub platelets_min: u32,
    pub egfr_min: u16,
    pub lab_max_age_days: u16,
    pub source: String,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<ThresholdsRecord> for ThresholdsOut {
    fn from(r: ThresholdsRecord) -> Self {
        let t = r.thresholds;
        Self {
            bleeding_risk: t.bleeding_risk,
            inr_max: f64::from(t.inr_max.0) / 100.0,
            platelets_min: t.platelets_min,
            egfr_min: t.egfr_min,
            lab_max_age_days: t.lab_max_age_days,
            source: t.source,
            version: r.version,
            updated_at: r.updated_at,
        }
    }
}

/// Both categories, low risk first.
pub async fn list(State(state): State<AppState>) -> ApiResult<axum::Json<serde_json::Value>> {
    let items: Vec<ThresholdsOut> = state
        .store()
        .thresholds()
        .await?
        .into_iter()
        .map(ThresholdsOut::from)
        .collect();
    Ok(axum::Json(serde_json::json!({ "items": items })))
}

/// A number as JSON writes it or as a form would type it (`"1,8"`).
#[derive(Deserialize)]
#[serde(untagged)]
pub enum Number {
    Number(serde_json::Number),
    Text(String),
}

impl Number {
    fn text(value: Option<Number>) -> String {
        match value {
            Some(Number::Number(n)) => n.to_string(),
            Some(Number::Text(s)) => s,
            None => String::new(),
        }
    }
}

/// The body of `PUT /api/v1/thresholds/{risk}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdsUpdate {
    pub version: i64,
    #[serde(deserialize_with = "crate::json::nullable")]
    pub inr_max: Option<Number>,
    #[serde(deserialize_with = "crate::json::nullable")]
    pub platelets_min: Option<Number>,
    #[serde(deserialize_with = "crate::json::nullable")]
    pub egfr_min: Option<Number>,
    #[serde(deserialize_with = "crate::json::nullable")]
    pub lab_max_age_days: Option<Number>,
    pub source: String,
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(risk): Path<String>,
    ApiJson(body): ApiJson<ThresholdsUpdate>,
) -> ApiResult<axum::Json<ThresholdsOut>> {
    let risk = parse_risk(&risk)?;
    let input = ThresholdsInput {
        inr_max: Number::text(body.inr_max),
        platelets_min: Number::text(body.platelets_min),
        egfr_min: Number::text(body.egfr_min),
        lab_max_age_days: Number::text(body.lab_max_age_days),
        source: body.source,
    };
    let thresholds = Thresholds::parse(risk, &input)?;
    let saved = state
        .store()
        .update_thresholds(&ctx.actor(), body.version, &thresholds, state.now())
        .await?;
    Ok(axum::Json(saved.into()))
}
