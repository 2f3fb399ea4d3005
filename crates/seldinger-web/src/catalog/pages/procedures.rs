//! The procedure catalog: the list grouped by family, one type with both languages side
//! by side and its version history, the form that saves the next version; the same over
//! the JSON API.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use seldinger_domain::catalog::{
    Anesthesia, BleedingRisk, EquipmentKind, Guidance, Organ, ProcedureFamily, ProcedureType,
    ProcedureTypeInput, RoomType, StayKind,
};
use seldinger_domain::invalid::Problem;
use seldinger_domain::text::fold;
use seldinger_domain::{Invalid, Lang, Permission, ProcedureTypeId};
use seldinger_store::Conflict;
use seldinger_store::catalog::ProcedureTypeRecord;
use serde::Deserialize;
use time::OffsetDateTime;

use crate::AppState;
use crate::auth::Ctx;
use crate::catalog::{form_field, form_number, label, merge_errors};
use crate::error::AppError;
use crate::html::{FieldErrors, FormData, Layout, PageResult, render, render_with, see_other};
use crate::json::parse_id;

// ---------------------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------------------

/// One line of the catalog list, in the reader's language.
pub struct TypeRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub anesthesia: &'static str,
    pub stay: String,
    pub duration: u16,
    pub rooms: Vec<&'static str>,
    pub risk: &'static str,
    pub high_risk: bool,
    pub active: bool,
}

impl TypeRow {
    fn new(record: &ProcedureTypeRecord, lang: Lang) -> Self {
        let d = &record.definition;
        Self {
            id: record.id.to_string(),
            code: d.code.to_string(),
            name: d.name.get(lang).to_string(),
            anesthesia: label(lang, "catalog.anesthesia", d.anesthesia.code()),
            stay: d.stay.label(lang),
            duration: d.duration_minutes,
            rooms: d
                .room_types
                .iter()
                .map(|r| label(lang, "catalog.room_type", r.code()))
                .collect(),
            risk: label(lang, "catalog.bleeding_risk", d.bleeding_risk.code()),
            high_risk: d.bleeding_risk == BleedingRisk::High,
            active: record.active,
        }
    }
}

/// The types of one family.
pub struct FamilyGroup {
    pub code: &'static str,
    pub name: &'static str,
    pub rows: Vec<TypeRow>,
}

#[derive(Template)]
#[template(path = "catalog/list.html")]
pub struct ListPage {
    l: Layout,
    q: String,
    withdrawn: bool,
    groups: Vec<FamilyGroup>,
    shown: usize,
}

impl ListPage {
    pub fn shown_count(&self) -> usize {
        self.shown
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    withdrawn: String,
}

/// Whether every word of the folded query is in the type's code or one of its names.
fn matches(words: &[String], d: &ProcedureType) -> bool {
    let haystack = format!(
        "{} {} {}",
        fold(d.code.as_str()),
        fold(&d.name.fr),
        fold(&d.name.en)
    );
    words.iter().all(|w| haystack.contains(w.as_str()))
}

pub async fn list_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let withdrawn = !query.withdrawn.is_empty();
    let words: Vec<String> = fold(&query.q)
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let types = state.store().list_procedure_types(withdrawn).await?;
    let lang = ctx.lang;
    let mut groups = Vec::new();
    let mut shown = 0;
    for family in ProcedureFamily::ALL {
        let mut rows: Vec<(String, TypeRow)> = types
            .iter()
            .filter(|t| t.definition.family == *family && matches(&words, &t.definition))
            .map(|t| (fold(t.definition.name.get(lang)), TypeRow::new(t, lang)))
            .collect();
        if rows.is_empty() {
            continue;
        }
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        shown += rows.len();
        groups.push(FamilyGroup {
            code: family.code(),
            name: label(lang, "catalog.family", family.code()),
            rows: rows.into_iter().map(|(_, row)| row).collect(),
        });
    }
    Ok(render(&ListPage {
        l: Layout::new(&ctx, "/catalog", "catalog"),
        q: query.q,
        withdrawn,
        groups,
        shown,
    }))
}

/// One text in both languages, cut into paragraphs at blank lines.
pub struct Bilingual {
    pub title: &'static str,
    pub id: &'static str,
    pub fr: Vec<String>,
    pub en: Vec<String>,
}

fn paragraphs(text: &str) -> Vec<String> {
    text.replace("\r\n", "\n")
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// What a version says, in the reader's language.
pub struct Facts {
    pub family: &'static str,
    pub organs: Vec<&'static str>,
    pub guidance: Vec<&'static str>,
    pub anesthesia: &'static str,
    pub stay: String,
    pub duration: u16,
    pub rooms: Vec<&'static str>,
    pub equipment: Vec<&'static str>,
    pub risk: &'static str,
    pub high_risk: bool,
    pub contrast: bool,
}

impl Facts {
    fn new(d: &ProcedureType, lang: Lang) -> Self {
        Self {
            family: label(lang, "catalog.family", d.family.code()),
            organs: d
                .target_organs
                .iter()
                .map(|o| label(lang, "catalog.organ", o.code()))
                .collect(),
            guidance: d
                .guidance
                .iter()
                .map(|g| label(lang, "catalog.guidance", g.code()))
                .collect(),
            anesthesia: label(lang, "catalog.anesthesia", d.anesthesia.code()),
            stay: d.stay.label(lang),
            duration: d.duration_minutes,
            rooms: d
                .room_types
                .iter()
                .map(|r| label(lang, "catalog.room_type", r.code()))
                .collect(),
            equipment: d
                .equipment
                .iter()
                .map(|e| label(lang, "catalog.equipment_kind", e.code()))
                .collect(),
            risk: label(lang, "catalog.bleeding_risk", d.bleeding_risk.code()),
            high_risk: d.bleeding_risk == BleedingRisk::High,
            contrast: d.contrast,
        }
    }
}

/// A line of the version history.
pub struct VersionRow {
    pub version: i32,
    pub created_at: OffsetDateTime,
    pub current: bool,
    pub shown: bool,
}

#[derive(Template)]
#[template(path = "catalog/type.html")]
pub struct TypePage {
    l: Layout,
    id: String,
    code: String,
    name: String,
    active: bool,
    current_version: i32,
    shown_version: i32,
    shown_at: OffsetDateTime,
    facts: Facts,
    texts: Vec<Bilingual>,
    versions: Vec<VersionRow>,
    saved: Option<i32>,
}

impl TypePage {
    pub fn is_current(&self) -> bool {
        self.shown_version == self.current_version
    }

    /// The version just saved is the first: the type was created.
    pub fn created(&self) -> bool {
        self.saved == Some(1)
    }
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    #[serde(default)]
    version: String,
    #[serde(default)]
    saved: String,
}

pub async fn show_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(query): Query<ShowQuery>,
) -> PageResult {
    let id: ProcedureTypeId = parse_id(&id)?;
    let record = state.store().procedure_type(id).await?;
    let versions = state.store().procedure_versions(id).await?;
    let wanted = match query.version.trim() {
        "" => record.version,
        raw => raw.parse().map_err(|_| AppError::NotFound)?,
    };
    let shown = versions
        .iter()
        .find(|v| v.version == wanted)
        .ok_or(AppError::NotFound)?;
    let lang = ctx.lang;
    let d = &shown.definition;
    let both = |title, id, fr: &str, en: &str| Bilingual {
        title,
        id,
        fr: paragraphs(fr),
        en: paragraphs(en),
    };
    let texts = vec![
        both("catalog.name", "names", &d.name.fr, &d.name.en),
        both("catalog.risks", "risks", &d.risks.fr, &d.risks.en),
        both(
            "catalog.preparation",
            "preparation",
            &d.preparation.fr,
            &d.preparation.en,
        ),
        both(
            "catalog.information_sheet",
            "information-sheet",
            &d.information_sheet.fr,
            &d.information_sheet.en,
        ),
    ];
    let page = TypePage {
        l: Layout::new(&ctx, format!("/catalog/{id}"), "catalog"),
        id: id.to_string(),
        code: d.code.to_string(),
        name: d.name.get(lang).to_string(),
        active: record.active,
        current_version: record.version,
        shown_version: shown.version,
        shown_at: shown.created_at,
        facts: Facts::new(d, lang),
        texts,
        versions: versions
            .iter()
            .map(|v| VersionRow {
                version: v.version,
                created_at: v.created_at,
                current: v.version == record.version,
                shown: v.version == shown.version,
            })
            .collect(),
        saved: query.saved.trim().parse().ok(),
    };
    Ok(render(&page))
}

/// The type form's values as typed, kept when the form comes back.
#[derive(Clone, Debug, Default)]
pub struct TypeForm {
    pub code: String,
    pub name_fr: String,
    pub name_en: String,
    pub family: String,
    pub target_organs: Vec<String>,
    pub guidance: Vec<String>,
    pub anesthesia: String,
    pub stay: String,
    pub nights: String,
    pub duration_minutes: String,
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
    pub active: bool,
    pub version: i32,
}

impl TypeForm {
    fn from_form(form: &FormData) -> Self {
        Self {
            code: form.get("code").into(),
            name_fr: form.get("name_fr").into(),
            name_en: form.get("name_en").into(),
            family: form.get("family").into(),
            target_organs: form.all("target_organs"),
            guidance: form.all("guidance"),
            anesthesia: form.get("anesthesia").into(),
            stay: form.get("stay").into(),
            nights: form.get("nights").into(),
            duration_minutes: form.get("duration_minutes").into(),
            room_types: form.all("room_types"),
            equipment: form.all("equipment"),
            bleeding_risk: form.get("bleeding_risk").into(),
            contrast: form.has("contrast"),
            risks_fr: form.get("risks_fr").into(),
            risks_en: form.get("risks_en").into(),
            preparation_fr: form.get("preparation_fr").into(),
            preparation_en: form.get("preparation_en").into(),
            information_sheet_fr: form.get("information_sheet_fr").into(),
            information_sheet_en: form.get("information_sheet_en").into(),
            active: form.has("active"),
            version: form.get("version").trim().parse().unwrap_or(0),
        }
    }

    fn from_record(record: &ProcedureTypeRecord) -> Self {
        let i = record.definition.to_input();
        Self {
            code: i.code,
            name_fr: i.name_fr,
            name_en: i.name_en,
            family: i.family,
            target_organs: i.target_organs,
            guidance: i.guidance,
            anesthesia: i.anesthesia,
            stay: i.stay,
            nights: i.nights.map(|n| n.to_string()).unwrap_or_default(),
            duration_minutes: i
                .duration_minutes
                .map(|n| n.to_string())
                .unwrap_or_default(),
            room_types: i.room_types,
            equipment: i.equipment,
            bleeding_risk: i.bleeding_risk,
            contrast: i.contrast,
            risks_fr: i.risks_fr,
            risks_en: i.risks_en,
            preparation_fr: i.preparation_fr,
            preparation_en: i.preparation_en,
            information_sheet_fr: i.information_sheet_fr,
            information_sheet_en: i.information_sheet_en,
            active: record.active,
            version: record.version,
        }
    }

    /// Every problem at once: the numbers the form could not read, then the domain's.
    fn parse(&self) -> Result<ProcedureType, Invalid> {
        let mut form_errors = Vec::new();
        let mut number = |field: &str, raw: &str| match form_number(field, raw) {
            Ok(n) => n,
            Err(e) => {
                form_errors.push(e);
                None
            }
        };
        // Nights only count for an inpatient stay; a value left in the box otherwise
        // is ignored, as the domain does.
        let nights = if self.stay == StayKind::Inpatient.code() {
            number("nights", &self.nights)
        } else {
            None
        };
        let duration_minutes = number("duration_minutes", &self.duration_minutes);
        let input = ProcedureTypeInput {
            code: self.code.clone(),
            name_fr: self.name_fr.clone(),
            name_en: self.name_en.clone(),
            family: self.family.clone(),
            target_organs: self.target_organs.clone(),
            guidance: self.guidance.clone(),
            anesthesia: self.anesthesia.clone(),
            stay: self.stay.clone(),
            nights,
            duration_minutes,
            room_types: self.room_types.clone(),
            equipment: self.equipment.clone(),
            bleeding_risk: self.bleeding_risk.clone(),
            contrast: self.contrast,
            risks_fr: self.risks_fr.clone(),
            risks_en: self.risks_en.clone(),
            preparation_fr: self.preparation_fr.clone(),
            preparation_en: self.preparation_en.clone(),
            information_sheet_fr: self.information_sheet_fr.clone(),
            information_sheet_en: self.information_sheet_en.clone(),
        };
        let parsed = ProcedureType::parse(&input);
        match merge_errors(form_errors, parsed.as_ref().err().cloned()) {
            Some(invalid) => Err(invalid),
            None => parsed,
        }
    }
}

#[derive(Template)]
#[template(path = "catalog/type_form.html")]
pub struct TypeFormPage {
    l: Layout,
    /// `None` for a new type.
    id: Option<String>,
    f: TypeForm,
    errors: FieldErrors,
    stale: bool,
}

/// `(code, label)` pairs for a select or a group of checkboxes.
fn options<T: Copy>(
    lang: Lang,
    prefix: &str,
    all: &[T],
    code: fn(T) -> &'static str,
) -> Vec<(&'static str, &'static str)> {
    all.iter()
        .map(|v| (code(*v), label(lang, prefix, code(*v))))
        .collect()
}

impl TypeFormPage {
    fn new(ctx: &Ctx, id: Option<ProcedureTypeId>, f: TypeForm) -> Self {
        let path = match id {
            Some(id) => format!("/catalog/{id}/edit"),
            None => "/catalog/new".into(),
        };
        Self {
            l: Layout::new(ctx, path, "catalog"),
            id: id.map(|id| id.to_string()),
            f,
            errors: FieldErrors::default(),
            stale: false,
        }
    }

    /// The form again (422), each message beside its field, the typed values kept.
    fn refused(mut self, invalid: &Invalid) -> Response {
        self.errors = FieldErrors::from_invalid(invalid, self.l.lang(), form_field);
        render_with(StatusCode::UNPROCESSABLE_ENTITY, &self)
    }

    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    pub fn action(&self) -> String {
        match &self.id {
            Some(id) => format!("/catalog/{id}"),
            None => "/catalog".into(),
        }
    }

    pub fn families(&self) -> Vec<(&'static str, &'static str)> {
        options(
            self.l.lang(),
            "catalog.family",
            ProcedureFamily::ALL,
            ProcedureFamily::code,
        )
    }

    pub fn organs(&self) -> Vec<(&'static str, &'static str)> {
        options(self.l.lang(), "catalog.organ", Organ::ALL, Organ::code)
    }

    pub fn guidances(&self) -> Vec<(&'static str, &'static str)> {
        options(
            self.l.lang(),
            "catalog.guidance",
            Guidance::ALL,
            Guidance::code,
        )
    }

    pub fn anesthesias(&self) -> Vec<(&'static str, &'static str)> {
        options(
            self.l.lang(),
            "catalog.anesthesia",
            Anesthesia::ALL,
            Anesthesia::code,
        )
    }

    pub fn stays(&self) -> Vec<(&'static str, &'static str)> {
        options(self.l.lang(), "catalog.stay", StayKind::ALL, StayKind::code)
    }

    pub fn room_types(&self) -> Vec<(&'static str, &'static str)> {
        options(
            self.l.lang(),
            "catalog.room_type",
            RoomType::ALL,
            RoomType::code,
        )
    }

    pub fn equipment_kinds(&self) -> Vec<(&'static str, &'static str)> {
        options(
            self.l.lang(),
            "catalog.equipment_kind",
            EquipmentKind::ALL,
            EquipmentKind::code,
        )
    }

    pub fn risks(&self) -> Vec<(&'static str, &'static str)> {
        options(
            self.l.lang(),
            "catalog.bleeding_risk",
            BleedingRisk::ALL,
            BleedingRisk::code,
        )
    }

    /// Whether `code` is chosen in the select or checkbox group `field`.
    pub fn chosen(&self, field: &str, code: &str) -> bool {
        let f = &self.f;
        let single = |v: &String| v == code;
        let many = |v: &Vec<String>| v.iter().any(|c| c == code);
        match field {
            "family" => single(&f.family),
            "anesthesia" => single(&f.anesthesia),
            "stay" => single(&f.stay),
            "bleeding_risk" => single(&f.bleeding_risk),
            "target_organs" => many(&f.target_organs),
            "guidance" => many(&f.guidance),
            "room_types" => many(&f.room_types),
            "equipment" => many(&f.equipment),
            _ => false,
        }
    }
}

pub async fn new_page(ctx: Ctx) -> Response {
    let values = TypeForm {
        anesthesia: Anesthesia::Local.code().into(),
        stay: StayKind::Outpatient.code().into(),
        bleeding_risk: BleedingRisk::Low.code().into(),
        active: true,
        ..TypeForm::default()
    };
    render(&TypeFormPage::new(&ctx, None, values))
}

/// A code taken by another type, beside the code field.
fn code_taken() -> Invalid {
    Invalid::one("code", Problem::AlreadyUsed)
}

pub async fn create_page(State(state): State<AppState>, ctx: Ctx, form: FormData) -> PageResult {
    let page = TypeFormPage::new(&ctx, None, TypeForm::from_form(&form));
    let def = match page.f.parse() {
        Ok(def) => def,
        Err(invalid) => return Ok(page.refused(&invalid)),
    };
    match state
        .store()
        .create_procedure_type(&ctx.actor(), &def, state.now())
        .await
    {
        Ok(created) => Ok(see_other(&format!(
            "/catalog/{}?saved={}",
            created.id, created.version
        ))),
        Err(seldinger_store::StoreError::Conflict(Conflict::Duplicate { .. })) => {
            Ok(page.refused(&code_taken()))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let id: ProcedureTypeId = parse_id(&id)?;
    let record = state.store().procedure_type(id).await?;
    Ok(render(&TypeFormPage::new(
        &ctx,
        Some(id),
        TypeForm::from_record(&record),
    )))
}

pub async fn update_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id: ProcedureTypeId = parse_id(&id)?;
    // Unknown ids are 404 before anything is read from the form.
    state.store().procedure_type(id).await?;
    let page = TypeFormPage::new(&ctx, Some(id), TypeForm::from_form(&form));
    let def = match page.f.parse() {
        Ok(def) => def,
        Err(invalid) => return Ok(page.refused(&invalid)),
    };
    let result = state
        .store()
        .update_procedure_type(
            &ctx.actor(),
            id,
            page.f.version,
            &def,
            page.f.active,
            state.now(),
        )
        .await;
    match result {
        Ok(saved) => Ok(see_other(&format!("/catalog/{id}?saved={}", saved.version))),
        Err(seldinger_store::StoreError::Conflict(Conflict::Duplicate { .. })) => {
            Ok(page.refused(&code_taken()))
        }
        Err(seldinger_store::StoreError::Conflict(Conflict::StaleVersion { .. })) => {
            // Someone saved first: the form shows what is stored now, to build on.
            let current = state.store().procedure_type(id).await?;
            let mut page = TypeFormPage::new(&ctx, Some(id), TypeForm::from_record(&current));
            page.stale = true;
            Ok(render_with(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_information_sheet_is_cut_into_paragraphs_at_blank_lines() {
        assert_eq!(
            paragraphs("First line\nsame paragraph.\r\n\r\nSecond.\n\n\n\nThird. "),
            ["First line\nsame paragraph.", "Second.", "Third."]
        );
        assert!(paragraphs("  ").is_empty());
    }
}
