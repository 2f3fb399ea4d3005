//! The procedure catalog over JSON: the list, a type with its versions, one version,
//! creating a type and saving its next version.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use seldinger_domain::catalog::{ProcedureType, ProcedureTypeInput};
use seldinger_domain::{ProcedureTypeId, ProcedureVersionId};
use seldinger_store::catalog::{ProcedureTypeRecord, ProcedureVersion};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::AppState;
use crate::auth::Ctx;
use crate::json::{ApiJson, ApiQuery, ApiResult, parse_id};

/// A procedure type at its current version.
#[derive(Serialize)]
pub struct TypeOut {
    pub id: ProcedureTypeId,
    pub version_id: ProcedureVersionId,
    pub version: i32,
    pub active: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(flatten)]
    pub definition: ProcedureType,
}

impl From<ProcedureTypeRecord> for TypeOut {
    fn from(r: ProcedureTypeRecord) -> Self {
        Self {
            id: r.id,
            version_id: r.version_id,
            version: r.version,
            active: r.active,
            updated_at: r.updated_at,
            definition: r.definition,
        }
    }
}

/// One version of a type, whatever the current one is.
#[derive(Serialize)]
pub struct VersionOut {
    pub id: ProcedureVersionId,
    pub type_id: ProcedureTypeId,
    pub version: i32,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(flatten)]
    pub definition: ProcedureType,
}

impl From<ProcedureVersion> for VersionOut {
    fn from(v: ProcedureVersion) -> Self {
        Self {
            id: v.id,
            type_id: v.type_id,
            version: v.version,
            created_at: v.created_at,
            definition: v.definition,
        }
    }
}

#[derive(Serialize)]
pub struct VersionSummary {
    pub id: ProcedureVersionId,
    pub version: i32,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Serialize)]
pub struct TypeWithVersions {
    #[serde(flatten)]
    pub current: TypeOut,
    /// Newest first.
    pub versions: Vec<VersionSummary>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    #[serde(default)]
    pub include_withdrawn: bool,
}

pub async fn list_types(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<axum::Json<serde_json::Value>> {
    let items: Vec<TypeOut> = state
        .store()
        .list_procedure_types(params.include_withdrawn)
        .await?
        .into_iter()
        .map(TypeOut::from)
        .collect();
    Ok(axum::Json(serde_json::json!({ "items": items })))
}

pub async fn create_type(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<ProcedureTypeInput>,
) -> ApiResult<Response> {
    let def = ProcedureType::parse(&input)?;
    let created = state
        .store()
        .create_procedure_type(&ctx.actor(), &def, state.now())
        .await?;
    let location = format!("/api/v1/catalog/{}", created.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        axum::Json(TypeOut::from(created)),
    )
        .into_response())
}

async fn with_versions(
    state: &AppState,
    record: ProcedureTypeRecord,
) -> ApiResult<TypeWithVersions> {
    let versions = state
        .store()
        .procedure_versions(record.id)
        .await?
        .into_iter()
        .map(|v| VersionSummary {
            id: v.id,
            version: v.version,
            created_at: v.created_at,
        })
        .collect();
    Ok(TypeWithVersions {
        current: record.into(),
        versions,
    })
}

pub async fn get_type(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<TypeWithVersions>> {
    let id: ProcedureTypeId = parse_id(&id)?;
    let record = state.store().procedure_type(id).await?;
    Ok(axum::Json(with_versions(&state, record).await?))
}

/// The body of `PUT /api/v1/catalog/{id}`: the version that was read, the whole
/// definition, and whether the type stays in use. It repeats `ProcedureTypeInput`'s
/// fields because `#[serde(flatten)]` would silently disable `deny_unknown_fields`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeUpdate {
    pub version: i32,
    /// `false` withdraws the type from new referrals.
    pub active: bool,
    pub code: String,
    pub name_fr: String,
    pub name_en: String,
    pub family: String,
    pub target_organs: Vec<String>,
    pub guidance: Vec<String>,
    pub anesthesia: String,
    pub stay: String,
    #[serde(deserialize_with = "crate::json::nullable")]
    pub nights: Option<u32>,
    #[serde(deserialize_with = "crate::json::nullable")]
    pub duration_minutes: Option<u32>,
    pub room_types: Vec<String>,
    pub equipment: Vec<String>,
    pub bleeding_risk: String,
    pub contrast: bool,
    pub risks_fr: String,
    pub risks_en: String,
    pub preparation_fr: String,
    pub preparation_en: String,
    pub information_sheet_fr: String,
    pub information_sheet_en: String,
}

impl TypeUpdate {
    fn input(self) -> ProcedureTypeInput {
        ProcedureTypeInput {
            code: self.code,
            name_fr: self.name_fr,
            name_en: self.name_en,
            family: self.family,
            target_organs: self.target_organs,
            guidance: self.guidance,
            anesthesia: self.anesthesia,
            stay: self.stay,
            nights: self.nights,
            duration_minutes: self.duration_minutes,
            room_types: self.room_types,
            equipment: self.equipment,
            bleeding_risk: self.bleeding_risk,
            contrast: self.contrast,
            risks_fr: self.risks_fr,
            risks_en: self.risks_en,
            preparation_fr: self.preparation_fr,
            preparation_en: self.preparation_en,
            information_sheet_fr: self.information_sheet_fr,
            information_sheet_en: self.information_sheet_en,
        }
    }
}

pub async fn update_type(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TypeUpdate>,
) -> ApiResult<axum::Json<TypeWithVersions>> {
    let id: ProcedureTypeId = parse_id(&id)?;
    // An unknown id is a 404 before the definition is checked.
    state.store().procedure_type(id).await?;
    let version = body.version;
    let active = body.active;
    let def = ProcedureType::parse(&body.input())?;
    let saved = state
        .store()
        .update_procedure_type(&ctx.actor(), id, version, &def, active, state.now())
        .await?;
    Ok(axum::Json(with_versions(&state, saved).await?))
}

pub async fn get_version(
    State(state): State<AppState>,
    Path(version_id): Path<String>,
) -> ApiResult<axum::Json<VersionOut>> {
    let id: ProcedureVersionId = parse_id(&version_id)?;
    let version = state.store().procedure_version(id).await?;
    Ok(axum::Json(version.into()))
}
