//! The procedure report (PRODUCT.md, pathway step 7): the draft, what signature still
//! needs, the signature, addenda to a signed report, and the print in French or English.
//!
//! - [`pages`]: the report page (the form while a draft; once signed, the report, its
//!   specimens and its signed addenda, read-only) and the printable report (templates in
//!   `templates/reports/`).
//! - [`api`]: the same actions as JSON under `/api/v1`; [`spec`]: their OpenAPI part;
//!   [`messages`]: the area's messages.
//!
//! Shared here by both faces and the print: a report as labelled sections.
//!
//! The store does the work and keeps the rules: the first draft of a ready case records
//! the procedure as performed; signing is one transaction (the case moves to follow-up,
//! specimens are created, follow-up is planned); a signed report never changes, whatever
//! the route (the store refuses, the database's triggers too).

mod api;
mod messages;
mod pages;
mod spec;

use seldinger_domain::catalog::{Anesthesia, Guidance};
use seldinger_domain::report::{AblationModality, Report, Technique};
use seldinger_domain::{Lang, Permission};
use serde_json::Value;

use crate::i18n::lookup;
use crate::routes::{Route, route};

pub(crate) use messages::MESSAGES;

/// This area's routes, each with the access it demands.
#[rustfmt::skip] // One route per line: this is a table, read as one.
pub(crate) fn routes() -> Vec<Route> {
    use seldinger_domain::Access::Needs;
    use axum::http::Method as M;
    use Permission::*;
    vec![
        route(M::GET,  "/cases/{id}/report",                  Needs(CaseRead),        pages::report),
        route(M::POST, "/cases/{id}/report",                  Needs(ReportEdit),      pages::save_report),
        route(M::POST, "/cases/{id}/report/sign",             Needs(ReportSign),      pages::sign_report),
        route(M::POST, "/cases/{id}/report/addenda",          Needs(ReportSign),      pages::add_addendum),
        route(M::GET,  "/cases/{id}/report/print",            Needs(CaseRead),        pages::print),
        route(M::GET,  "/api/v1/cases/{id}/report",           Needs(CaseRead),        api::get_report),
        route(M::PUT,  "/api/v1/cases/{id}/report",           Needs(ReportEdit),      api::save_report),
        route(M::GET,  "/api/v1/cases/{id}/report/template",  Needs(CaseRead),        api::report_template),
        route(M::POST, "/api/v1/cases/{id}/report/sign",      Needs(ReportSign),      api::sign_report),
        route(M::POST, "/api/v1/cases/{id}/report/addenda",   Needs(ReportSign),      api::add_addendum),
    ]
}

/// This area's part of the OpenAPI document: `tags`, `paths` and `schemas`.
pub(crate) fn openapi() -> Value {
    spec::openapi()
}

fn word(key: &str, lang: Lang) -> &'static str {
    lookup(key, lang).unwrap_or("")
}

/// The label of a report field (`report.field.dap_gycm2`).
fn field_label(field: &str, lang: Lang) -> String {
    lookup(&format!("report.field.{field}"), lang)
        .unwrap_or(field)
        .to_string()
}

fn guidance_label(g: Guidance, lang: Lang) -> &'static str {
    word(&format!("catalog.guidance.{}", g.code()), lang)
}

fn anesthesia_label(a: Anesthesia, lang: Lang) -> &'static str {
    word(&format!("catalog.anesthesia.{}", a.code()), lang)
}

fn modality_label(m: AblationModality, lang: Lang) -> &'static str {
    word(&format!("report.modality.{}", m.code()), lang)
}

/// A number as the language writes it (a decimal comma in French).
fn number(v: f64, lang: Lang) -> String {
    let text = v.to_string();
    match lang {
        Lang::Fr => text.replace('.', ","),
        Lang::En => text,
    }
}

/// A titled group of label/value lines of a report, for the signed view and the print.
pub struct Section {
    pub title: &'static str,
    pub rows: Vec<(String, String)>,
}

/// A report as label/value lines, in `lang`: empty values are left out. `names` turns a
/// username into the person's name.
fn sections(
    report: &Report,
    lang: Lang,
    time: &dyn Fn(time::OffsetDateTime) -> String,
    names: &dyn Fn(&str) -> String,
) -> Vec<Section> {
    let row = |field: &str, value: String| (field_label(field, lang), value);
    let opt = |field: &str, value: &Option<String>| value.clone().map(|v| row(field, v));
    let num = |field: &str, value: Option<f64>| value.map(|v| row(field, number(v, lang)));
    let whole = |field: &str, value: Option<u32>| value.map(|v| row(field, v.to_string()));
    let procedure: Vec<Option<(String, String)>> = vec![
        report.started_at.map(|t| row("started_at", time(t))),
        report.ended_at.map(|t| row("ended_at", time(t))),
        (!report.guidance.is_empty()).then(|| {
            row(
                "guidance",
                report
                    .guidance
                    .iter()
                    .map(|g| guidance_label(*g, lang))
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        }),
        report
            .anesthesia
            .map(|a| row("anesthesia", anesthesia_label(a, lang).to_string())),
        opt("access_route", &report.access_route),
        opt("devices", &report.devices),
        opt("contrast_agent", &report.contrast_agent),
        num("contrast_ml", report.contrast_ml),
    ];
    let team = vec![
        (!report.operators.is_empty()).then(|| {
            row(
                "operators",
                report
                    .operators
                    .iter()
                    .map(|u| names(u))
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        }),
        opt("assistants", &report.assistants),
    ];
    let technique = match &report.technique {
        Technique::None => Vec::new(),
        Technique::Biopsy {
            needle_gauge,
            cores,
        } => vec![
            whole("biopsy_needle_gauge", *needle_gauge),
            whole("biopsy_cores", *cores),
        ],
        Technique::Ablation {
            modality,
            energy_kj,
            power_w,
            duration_min,
            applications,
            zone_mm,
        } => vec![
            modality.map(|m| row("ablation_modality", modality_label(m, lang).to_string())),
            num("ablation_energy_kj", *energy_kj),
            num("ablation_power_w", *power_w),
            num("ablation_duration_min", *duration_min),
            whole("ablation_applications", *applications),
            num("ablation_zone_mm", *zone_mm),
        ],
        Technique::Embolization {
            agent,
            target_vessel,
        } => vec![
            opt("embolization_agent", agent),
            opt("embolization_target_vessel", target_vessel),
        ],
        Technique::Drainage { catheter_fr } => vec![whole("drainage_catheter_fr", *catheter_fr)],
    };
    let d = &report.dose;
    let dose = vec![
        num("dap_gycm2", d.dap_gycm2),
        whole("fluoroscopy_s", d.fluoroscopy_s),
        num("air_kerma_mgy", d.air_kerma_mgy),
        num("ct_dlp_mgycm", d.ct_dlp_mgycm),
        whole("exposures", d.exposures),
    ];
    let result = vec![
        report
            .technical_success
            .map(|s| row("technical_success", s.label(lang).to_string())),
        opt("findings", &report.findings),
        opt("conclusion", &report.conclusion),
        (!report.specimens.is_empty()).then(|| row("specimens", report.specimens.join(" · "))),
    ];
    [
        ("report.section.procedure", procedure),
        ("report.section.team", team),
        ("report.section.technique", technique),
        ("report.section.dose", dose),
        ("report.section.result", result),
    ]
    .into_iter()
    .map(|(title, rows)| Section {
        title: word(title, lang),
        rows: rows.into_iter().flatten().collect(),
    })
    .filter(|s| !s.rows.is_empty())
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use seldinger_domain::report::{Dose, ReportInput, TechnicalSuccess};

    #[test]
    fn every_report_field_has_a_label_in_both_languages() {
        let fields = serde_json::to_value(ReportInput::default()).expect("input as JSON");
        for field in fields.as_object().expect("an object").keys() {
            assert!(
                crate::i18n::exists(&format!("report.field.{field}")),
                "report.field.{field} is missing"
            );
        }
        for g in Guidance::ALL {
            assert!(!guidance_label(*g, Lang::Fr).is_empty());
        }
        for m in AblationModality::ALL {
            assert!(!modality_label(*m, Lang::En).is_empty());
        }
    }

    #[test]
    fn a_report_reads_as_sections_without_empty_lines() {
        let report = Report {
            operators: vec!["jdupont".into()],
            dose: Dose {
                dap_gycm2: Some(12.5),
                ..Dose::default()
            },
            technique: Technique::Biopsy {
                needle_gauge: Some(18),
                cores: None,
            },
            technical_success: Some(TechnicalSuccess::Success),
            ..Report::default()
        };
        let shown = sections(&report, Lang::Fr, &|_| String::new(), &|u| {
            format!("Dr {u}")
        });
        let titles: Vec<&str> = shown.iter().map(|s| s.title).collect();
        assert_eq!(
            titles,
            ["Équipe", "Technique", "Dose d'irradiation", "Résultat"]
        );
        assert_eq!(
            shown[0].rows,
            [("Opérateurs".to_string(), "Dr jdupont".to_string())]
        );
        assert_eq!(shown[1].rows.len(), 1, "the missing core count is left out");
        assert_eq!(shown[2].rows[0].1, "12,5");
        assert_eq!(shown[3].rows[0].1, "succès technique");
    }
}
