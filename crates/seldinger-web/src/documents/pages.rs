//! The documents' page: one document of a case, in the language asked for.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use seldinger_domain::audit::{AuditAction, ObjectRef};
use seldinger_domain::localtime::to_local;
use seldinger_domain::{CaseId, Lang};
use serde::Deserialize;
use time::Duration;

use crate::AppState;
use crate::auth::Ctx;
use crate::case_view::active;
use crate::error::{AppError, PageError};
use crate::html::{Layout, render};
use crate::i18n::Tr;
use crate::json::parse_id;

/// The documents there are, by the name in their path.
const KINDS: [&str; 3] = ["convocation", "preparation", "information"];

/// When and where, on a convocation.
pub struct Appointment {
    pub date: String,
    pub time: String,
    pub arrival: String,
    pub room: String,
    pub stay: String,
}

#[derive(Template)]
#[template(path = "documents/document.html")]
pub struct DocumentPage {
    /// The frame in the document's language (which may not be the user's).
    l: Layout,
    kind: &'static str,
    case_id: String,
    /// The language to switch the document to.
    other: &'static str,
    family_name: String,
    given_names: String,
    birth_date: String,
    procedure: String,
    /// The catalog version the texts come from.
    version: i32,
    issued: String,
    appointment: Option<Appointment>,
    preparation: Vec<String>,
    sheet: Vec<String>,
}

#[derive(Deserialize, Default)]
pub struct DocumentQuery {
    #[serde(default)]
    lang: String,
}

pub async fn document(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, kind)): Path<(String, String)>,
    Query(q): Query<DocumentQuery>,
) -> Result<Response, PageError> {
    let id: CaseId = parse_id(&id)?;
    let kind = KINDS
        .iter()
        .copied()
        .find(|k| *k == kind)
        .ok_or(AppError::NotFound)?;
    let lang = crate::html::document_lang(&q.lang, ctx.lang)?;
    let now = state.now();
    let actor = ctx.actor();
    let store = state.store();
    let case = store.get_case(&actor, id, now).await?;
    let patient = store.get_patient(&actor, case.patient_id, now).await?;
    let procedure = store.procedure_version(case.planned_version_id).await?;
    let booking = active(store.case_bookings(id).await?);
    store
        .audit(
            &actor,
            AuditAction::DocumentRead,
            Some(&ObjectRef::new("case", id)),
            Some(&format!("{kind} {}", lang.code())),
            now,
        )
        .await?;
    let l = Layout {
        tr: Tr(lang),
        ..Layout::new(
            &ctx,
            format!("/cases/{id}/documents/{kind}?lang={}", lang.code()),
            "worklists",
        )
    };
    let def = &procedure.definition;
    let appointment = booking.map(|b| Appointment {
        date: l.local_date(&b.starts_at),
        time: l.time(&b.starts_at),
        arrival: l.time(&(b.starts_at - Duration::hours(1))),
        room: b.room_name,
        stay: def.stay.label(lang),
    });
    let page = DocumentPage {
        kind,
        case_id: id.to_string(),
        other: match lang {
            Lang::Fr => "en",
            Lang::En => "fr",
        },
        family_name: patient.family_name,
        given_names: patient.given_names,
        birth_date: l.date(&patient.birth_date),
        procedure: def.name.get(lang).to_string(),
        version: procedure.version,
        issued: l.date(&to_local(now, store.zone()).date()),
        appointment,
        preparation: paragraphs(def.preparation.get(lang)),
        sheet: paragraphs(def.information_sheet.get(lang)),
        l,
    };
    Ok(render(&page))
}

/// Text typed with line breaks, as paragraphs (catalog texts, notes).
fn paragraphs(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_texts_become_paragraphs() {
        assert_eq!(
            paragraphs("Un.\n\n  Deux. \nTrois."),
            ["Un.", "Deux.", "Trois."]
        );
    }
}
