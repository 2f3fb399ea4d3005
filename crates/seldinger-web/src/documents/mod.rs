//! Documents handed or sent to the patient, printable on A4, in French or English
//! whatever the user's own language: the convocation (when and where to come, how long
//! to plan to stay, what to bring, how to prepare), the preparation instructions, and
//! the information sheet of the catalog version the case is planned with.
//!
//! They go with pathway steps 3 and 5 (PRODUCT.md): the information sheet is handed over
//! at the consultation, the convocation and the preparation once the procedure is booked.
//! Every document shown is audited as a document read of the case.
//!
//! - [`pages`]: a document of a case, `?lang=fr|en` (template in
//!   `templates/documents/`, on the printable frame `templates/shared/document.html`);
//!   [`messages`]: its messages.
//!
//! No JSON API, hence no `api.rs` nor `spec.rs`: the documents are for print; their texts
//! come from the catalog version (whose API has them), in the document's language.

mod messages;
mod pages;

use axum::http::Method;
use seldinger_domain::{Access, Permission};

use crate::routes::{Route, route};

pub(crate) use messages::MESSAGES;

/// This area's routes, each with the access it demands.
#[rustfmt::skip] // One route per line: this is a table, read as one.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Needs;
    use Method as M;
    use Permission::*;
    vec![
        route(M::GET,    "/cases/{id}/documents/{kind}",                  Needs(CaseRead),      pages::document),
    ]
}
