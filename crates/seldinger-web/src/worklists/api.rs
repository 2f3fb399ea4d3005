//! One worklist over JSON, page by page.

use axum::extract::{Path, State};
use serde_json::{Value, json};

use super::worklist_named;
use crate::AppState;
use crate::auth::Ctx;
use crate::json::{ApiQuery, ApiResult};
use crate::outputs::CaseListItem;

pub async fn get_worklist(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(list): Path<String>,
    ApiQuery(params): ApiQuery<crate::json::PageParams>,
) -> ApiResult<axum::Json<Value>> {
    let list = worklist_named(&list)?;
    let limit = crate::json::page_limit(params.limit)?;
    let offset = crate::json::page_offset(params.offset)?;
    let now = state.now();
    let (cases, total) = state
        .store()
        .worklist(&ctx.actor(), list, limit, offset, now)
        .await?;
    let items: Vec<CaseListItem> = cases
        .into_iter()
        .map(|c| CaseListItem::new(c, now, &ctx.timezone))
        .collect();
    Ok(axum::Json(
        json!({ "items": items, "total": total, "limit": limit, "offset": offset }),
    ))
}
