//! The checklist's lab thresholds, one set per bleeding-risk category, shown with the
//! reference they come from and edited by catalog administrators.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use seldinger_domain::Permission;
use seldinger_domain::catalog::BleedingRisk;
use seldinger_domain::checklist::{Thresholds, ThresholdsInput};
use seldinger_store::catalog::ThresholdsRecord;
use seldinger_store::{Conflict, StoreError};
use serde::Deserialize;

use crate::AppState;
use crate::auth::Ctx;
use crate::catalog::parse_risk;
use crate::error::AppError;
use crate::html::{FieldErrors, FormData, Layout, PageResult, render, render_with, see_other};

/// One category: what is stored, and its form.
pub struct Card {
    pub risk: &'static str,
    pub record: ThresholdsRecord,
    pub f: ThresholdsInput,
    pub version: i64,
    pub errors: FieldErrors,
    pub stale: bool,
}

impl Card {
    fn new(record: ThresholdsRecord) -> Self {
        Self {
            risk: record.thresholds.bleeding_risk.code(),
            f: record.thresholds.to_input(),
            version: record.version,
            record,
            errors: FieldErrors::default(),
            stale: false,
        }
    }

    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    pub fn title_key(&self) -> &'static str {
        match self.record.thresholds.bleeding_risk {
            BleedingRisk::Low => "thresholds.risk.low",
            BleedingRisk::High => "thresholds.risk.high",
        }
    }
}

#[derive(Template)]
#[template(path = "catalog/thresholds.html")]
pub struct ThresholdsPage {
    l: Layout,
    cards: Vec<Card>,
    saved: Option<&'static str>,
}

impl ThresholdsPage {
    pub fn inr(&self, card: &Card) -> String {
        card.record.thresholds.inr_max.label(self.l.lang())
    }

    pub fn saved_key(&self) -> &'static str {
        match self.saved {
            Some("low") => "thresholds.saved.low",
            _ => "thresholds.saved.high",
        }
    }
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: String,
}

async fn cards(state: &AppState) -> Result<Vec<Card>, AppError> {
    Ok(state
        .store()
        .thresholds()
        .await?
        .into_iter()
        .map(Card::new)
        .collect())
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<SavedQuery>,
) -> PageResult {
    let saved = BleedingRisk::parse(&query.saved)
        .ok()
        .map(BleedingRisk::code);
    Ok(render(&ThresholdsPage {
        l: Layout::new(&ctx, "/catalog/thresholds", "catalog"),
        cards: cards(&state).await?,
        saved,
    }))
}

fn form_input(form: &FormData) -> ThresholdsInput {
    ThresholdsInput {
        inr_max: form.get("inr_max").into(),
        platelets_min: form.get("platelets_min").into(),
        egfr_min: form.get("egfr_min").into(),
        lab_max_age_days: form.get("lab_max_age_days").into(),
        source: form.get("source").into(),
    }
}

pub async fn update_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(risk): Path<String>,
    form: FormData,
) -> PageResult {
    let risk = parse_risk(&risk)?;
    let input = form_input(&form);
    let version: i64 = form.get("version").trim().parse().unwrap_or(0);
    // `Some`: the fields to correct; `None`: someone saved first.
    let invalid = match Thresholds::parse(risk, &input) {
        Err(invalid) => Some(invalid),
        Ok(thresholds) => match state
            .store()
            .update_thresholds(&ctx.actor(), version, &thresholds, state.now())
            .await
        {
            Ok(_) => {
                return Ok(see_other(&format!(
                    "/catalog/thresholds?saved={}",
                    risk.code()
                )));
            }
            Err(StoreError::Conflict(Conflict::StaleVersion { .. })) => None,
            Err(e) => return Err(e.into()),
        },
    };
    let mut cards = cards(&state).await?;
    let card = cards
        .iter_mut()
        .find(|c| c.record.thresholds.bleeding_risk == risk)
        .ok_or(AppError::NotFound)?;
    let status = match invalid {
        Some(invalid) => {
            card.f = input;
            card.version = version;
            card.errors = FieldErrors::from_invalid(&invalid, ctx.lang, |f| f);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        // The card already shows what is stored now, to build on.
        None => {
            card.stale = true;
            StatusCode::CONFLICT
        }
    };
    let page = ThresholdsPage {
        l: Layout::new(&ctx, "/catalog/thresholds", "catalog"),
        cards,
        saved: None,
    };
    Ok(render_with(status, &page))
}
