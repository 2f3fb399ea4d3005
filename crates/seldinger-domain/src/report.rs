//! The procedure report: who did what, how, with which dose, and what came of it.
//!
//! A report starts as a draft prefilled from the catalog and the booking
//! ([`ReportInput::from_plan`]). A draft only has to be well formed ([`Report::parse`]); a
//! report must be complete to be signed ([`Report::missing_for_signature`]): times,
//! operators, guidance, anesthesia, the dose figures the guidance calls for (a report of a
//! procedure under ionising radiation carries its dose), the technique parameters of its
//! family, technical success and a conclusion. Signing locks it; corrections are signed
//! addenda ([`Addendum`]).
//!
//! Specimens are listed in the report, one label per line; signing creates them for the
//! pathologists. Immediate complications are adverse events ([`crate::adverse`]), not a
//! list of the report.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::catalog::{Anesthesia, Guidance, ProcedureFamily, ProcedureType};
use crate::invalid::{Collector, FieldError, Invalid, Problem};
use crate::localtime::{from_local, local_input, parse_local_datetime, to_local};
use crate::number::{decimal, text_or_number, whole};
use crate::text;
use crate::user::{Lang, string_enum};

pub const TEXT_MAX: usize = 10_000;
pub const LINE_MAX: usize = 200;
pub const SPECIMENS_MAX: usize = 30;
pub const ADDENDUM_MAX: usize = 5_000;

/// A technique field of another procedure family than the case's (an ablation power on
/// a biopsy report): a rule between the report and its case.
const NOT_THIS_FAMILY: Problem = Problem::Inconsistent {
    en: "left empty: it does not apply to this procedure",
    fr: "laissé vide : il ne s'applique pas à cette procédure",
};

string_enum!(
    /// Whether the procedure did what it was planned to do.
    TechnicalSuccess, "technical_success" {
        Success = "success",
        Partial = "partial",
        Failure = "failure",
    }
);

impl TechnicalSuccess {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Self::Success, Lang::Fr) => "succès technique",
            (Self::Success, Lang::En) => "technical success",
            (Self::Partial, Lang::Fr) => "succès partiel",
            (Self::Partial, Lang::En) => "partial success",
            (Self::Failure, Lang::Fr) => "échec technique",
            (Self::Failure, Lang::En) => "technical failure",
        }
    }
}

string_enum!(
    /// The energy of a thermal ablation.
    AblationModality, "ablation_modality" {
        Radiofrequency = "radiofrequency",
        Microwave = "microwave",
        Cryoablation = "cryoablation",
    }
);

/// Radiation dose, as the modality displays it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Dose {
    /// Dose-area product, Gy·cm².
    pub dap_gycm2: Option<f64>,
    /// Fluoroscopy time, seconds.
    pub fluoroscopy_s: Option<u32>,
    /// Reference air kerma, mGy.
    pub air_kerma_mgy: Option<f64>,
    /// CT dose-length product, mGy·cm.
    pub ct_dlp_mgycm: Option<f64>,
    pub exposures: Option<u32>,
}

/// Technique parameters, by family.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "family", rename_all = "snake_case")]
pub enum Technique {
    #[default]
    None,
    Biopsy {
        needle_gauge: Option<u32>,
        cores: Option<u32>,
    },
    Ablation {
        modality: Option<AblationModality>,
        energy_kj: Option<f64>,
        power_w: Option<f64>,
        duration_min: Option<f64>,
        applications: Option<u32>,
        zone_mm: Option<f64>,
    },
    Embolization {
        agent: Option<String>,
        target_vessel: Option<String>,
    },
    Drainage {
        catheter_fr: Option<u32>,
    },
}

/// The parameters each family records; other families record none.
fn technique_fields(family: ProcedureFamily) -> &'static [&'static str] {
    match family {
        ProcedureFamily::Biopsy => &["biopsy_needle_gauge", "biopsy_cores"],
        ProcedureFamily::Ablation => &[
            "ablation_modality",
            "ablation_energy_kj",
            "ablation_power_w",
            "ablation_duration_min",
            "ablation_applications",
            "ablation_zone_mm",
        ],
        ProcedureFamily::Embolization => &["embolization_agent", "embolization_target_vessel"],
        ProcedureFamily::Drainage => &["drainage_catheter_fr"],
        _ => &[],
    }
}

/// A report as typed: every field text, so that a half-filled form round-trips. Numbers
/// may be JSON numbers; lists may be JSON arrays or one item per line.
///
/// Read from JSON, every field must be present (`PUT` replaces the whole draft, and must
/// not clear what it did not repeat); a field with nothing in it is `""` or `[]`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    /// Local wall-clock time, `YYYY-MM-DDTHH:MM`.
    pub started_at: String,
    pub ended_at: String,
    /// Usernames of the operators (interventional radiologists), first is the main one.
    #[serde(deserialize_with = "lines_or_list")]
    pub operators: Vec<String>,
    pub assistants: String,
    #[serde(deserialize_with = "lines_or_list")]
    pub guidance: Vec<String>,
    pub anesthesia: String,
    pub access_route: String,
    pub devices: String,
    pub contrast_agent: String,
    #[serde(deserialize_with = "text_or_number")]
    pub contrast_ml: String,
    #[serde(deserialize_with = "text_or_number")]
    pub dap_gycm2: String,
    #[serde(deserialize_with = "text_or_number")]
    pub fluoroscopy_s: String,
    #[serde(deserialize_with = "text_or_number")]
    pub air_kerma_mgy: String,
    #[serde(deserialize_with = "text_or_number")]
    pub ct_dlp_mgycm: String,
    #[serde(deserialize_with = "text_or_number")]
    pub exposures: String,
    #[serde(deserialize_with = "text_or_number")]
    pub biopsy_needle_gauge: String,
    #[serde(deserialize_with = "text_or_number")]
    pub biopsy_cores: String,
    pub ablation_modality: String,
    #[serde(deserialize_with = "text_or_number")]
    pub ablation_energy_kj: String,
    #[serde(deserialize_with = "text_or_number")]
    pub ablation_power_w: String,
    #[serde(deserialize_with = "text_or_number")]
    pub ablation_duration_min: String,
    #[serde(deserialize_with = "text_or_number")]
    pub ablation_applications: String,
    #[serde(deserialize_with = "text_or_number")]
    pub ablation_zone_mm: String,
    pub embolization_agent: String,
    pub embolization_target_vessel: String,
    #[serde(deserialize_with = "text_or_number")]
    pub drainage_catheter_fr: String,
    pub technical_success: String,
    pub findings: String,
    pub conclusion: String,
    /// Specimen labels, one per line or a JSON array.
    #[serde(deserialize_with = "lines_or_list")]
    pub specimens: Vec<String>,
}

/// A list sent as a JSON array, or as text with one item per line (a form's textarea).
pub fn lines_or_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        List(Vec<String>),
        Text(String),
        Null,
    }
    let items = match Raw::deserialize(d)? {
        Raw::List(items) => items,
        Raw::Text(text) => text.lines().map(str::to_string).collect(),
        Raw::Null => Vec::new(),
    };
    Ok(items
        .into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect())
}

/// A report, well formed (a draft, or complete and ready to sign). Times are instants.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    #[serde(with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub ended_at: Option<OffsetDateTime>,
    pub operators: Vec<String>,
    pub assistants: Option<String>,
    pub guidance: Vec<Guidance>,
    pub anesthesia: Option<Anesthesia>,
    pub access_route: Option<String>,
    pub devices: Option<String>,
    pub contrast_agent: Option<String>,
    pub contrast_ml: Option<f64>,
    pub dose: Dose,
    pub technique: Technique,
    pub technical_success: Option<TechnicalSuccess>,
    pub findings: Option<String>,
    pub conclusion: Option<String>,
    pub specimens: Vec<String>,
}

fn fmt_num(v: Option<f64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn fmt_whole(v: Option<u32>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

impl ReportInput {
    /// A new draft: the planned slot, the booked operator, the catalog's guidance and
    /// anesthesia.
    pub fn from_plan(
        procedure: &ProcedureType,
        start: OffsetDateTime,
        end: OffsetDateTime,
        operator: &str,
        zone: &jiff::tz::TimeZone,
    ) -> Self {
        let local = |t| local_input(to_local(t, zone));
        Self {
            started_at: local(start),
            ended_at: local(end),
            operators: vec![operator.to_string()],
            guidance: procedure
                .guidance
                .iter()
                .map(|g| g.code().to_string())
                .collect(),
            anesthesia: procedure.anesthesia.code().to_string(),
            ..Self::default()
        }
    }

    /// The input that shows a stored report again (to edit a draft).
    pub fn from_report(report: &Report, zone: &jiff::tz::TimeZone) -> Self {
        let local = |t: Option<OffsetDateTime>| {
            t.map(|t| local_input(to_local(t, zone)))
                .unwrap_or_default()
        };
        let text = |t: &Option<String>| t.clone().unwrap_or_default();
        let mut input = Self {
            started_at: local(report.started_at),
            ended_at: local(report.ended_at),
            operators: report.operators.clone(),
            assistants: text(&report.assistants),
            guidance: report
                .guidance
                .iter()
                .map(|g| g.code().to_string())
                .collect(),
            anesthesia: report
                .anesthesia
                .map(|a| a.code().to_string())
                .unwrap_or_default(),
            access_route: text(&report.access_route),
            devices: text(&report.devices),
            contrast_agent: text(&report.contrast_agent),
            contrast_ml: fmt_num(report.contrast_ml),
            dap_gycm2: fmt_num(report.dose.dap_gycm2),
            fluoroscopy_s: fmt_whole(report.dose.fluoroscopy_s),
            air_kerma_mgy: fmt_num(report.dose.air_kerma_mgy),
            ct_dlp_mgycm: fmt_num(report.dose.ct_dlp_mgycm),
            exposures: fmt_whole(report.dose.exposures),
            technical_success: report
                .technical_success
                .map(|t| t.code().to_string())
                .unwrap_or_default(),
            findings: text(&report.findings),
            conclusion: text(&report.conclusion),
            specimens: report.specimens.clone(),
            ..Self::default()
        };
        match &report.technique {
            Technique::None => {}
            Technique::Biopsy {
                needle_gauge,
                cores,
            } => {
                input.biopsy_needle_gauge = fmt_whole(*needle_gauge);
                input.biopsy_cores = fmt_whole(*cores);
            }
            Technique::Ablation {
                modality,
                energy_kj,
                power_w,
                duration_min,
                applications,
                zone_mm,
            } => {
                input.ablation_modality =
                    modality.map(|m| m.code().to_string()).unwrap_or_default();
                input.ablation_energy_kj = fmt_num(*energy_kj);
                input.ablation_power_w = fmt_num(*power_w);
                input.ablation_duration_min = fmt_num(*duration_min);
                input.ablation_applications = fmt_whole(*applications);
                input.ablation_zone_mm = fmt_num(*zone_mm);
            }
            Technique::Embolization {
                agent,
                target_vessel,
            } => {
                input.embolization_agent = text(agent);
                input.embolization_target_vessel = text(target_vessel);
            }
            Technique::Drainage { catheter_fr } => {
                input.drainage_catheter_fr = fmt_whole(*catheter_fr);
            }
        }
        input
    }

    /// The technique fields that are filled, by name.
    fn filled_technique_fields(&self) -> Vec<(&'static str, &str)> {
        [
            ("biopsy_needle_gauge", &self.biopsy_needle_gauge),
            ("biopsy_cores", &self.biopsy_cores),
            ("ablation_modality", &self.ablation_modality),
            ("ablation_energy_kj", &self.ablation_energy_kj),
            ("ablation_power_w", &self.ablation_power_w),
            ("ablation_duration_min", &self.ablation_duration_min),
            ("ablation_applications", &self.ablation_applications),
            ("ablation_zone_mm", &self.ablation_zone_mm),
            ("embolization_agent", &self.embolization_agent),
            (
                "embolization_target_vessel",
                &self.embolization_target_vessel,
            ),
            ("drainage_catheter_fr", &self.drainage_catheter_fr),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k, v.as_str()))
        .collect()
    }
}

fn opt_text(errors: &mut Collector, field: &str, raw: &str, max: usize) -> Option<String> {
    errors.check(text::free_text(field, raw, max)).flatten()
}

impl Report {
    /// Checks that a report is well formed, for a procedure of `family`, `now` being the
    /// current instant and `zone` the department's. Nothing is required yet: see
    /// [`missing_for_signature`](Self::missing_for_signature).
    pub fn parse(
        input: &ReportInput,
        family: ProcedureFamily,
        zone: &jiff::tz::TimeZone,
        now: OffsetDateTime,
    ) -> Result<Report, Invalid> {
        let mut errors = Collector::default();
        let instant = |errors: &mut Collector, field: &str, raw: &str| {
            if raw.trim().is_empty() {
                return None;
            }
            errors
                .check(parse_local_datetime(field, raw))
                .map(|t| from_local(t, zone))
        };
        let started_at = instant(&mut errors, "started_at", &input.started_at);
        let ended_at = instant(&mut errors, "ended_at", &input.ended_at);
        if let Some(end) = ended_at
            && end > now + Duration::minutes(5)
        {
            errors.push(FieldError::new("ended_at", Problem::DateInFuture));
        }
        if let (Some(start), Some(end)) = (started_at, ended_at) {
            if end <= start {
                errors.push(FieldError::new(
                    "ended_at",
                    Problem::DateTooOld {
                        earliest: input.started_at.trim().replace('T', " "),
                    },
                ));
            } else if end - start > Duration::hours(24) {
                errors.push(FieldError::new(
                    "ended_at",
                    Problem::Inconsistent {
                        en: "within 24 hours of the start",
                        fr: "dans les 24 heures après le début",
                    },
                ));
            }
        }
        let mut operators: Vec<String> = Vec::new();
        for raw in &input.operators {
            let name = raw.trim().to_lowercase();
            if !name.is_empty() && !operators.contains(&name) {
                operators.push(name);
            }
        }
        let assistants = opt_text(&mut errors, "assistants", &input.assistants, LINE_MAX * 2);
        let mut guidance = Vec::new();
        for raw in &input.guidance {
            if let Some(g) = errors.check(Guidance::parse(raw))
                && !guidance.contains(&g)
            {
                guidance.push(g);
            }
        }
        let anesthesia = if input.anesthesia.trim().is_empty() {
            None
        } else {
            errors.check(Anesthesia::parse(&input.anesthesia))
        };
        let access_route = opt_text(&mut errors, "access_route", &input.access_route, LINE_MAX);
        let devices = opt_text(&mut errors, "devices", &input.devices, TEXT_MAX);
        let contrast_agent = opt_text(
            &mut errors,
            "contrast_agent",
            &input.contrast_agent,
            LINE_MAX,
        );
        let contrast_ml = errors
            .check(decimal(
                "contrast_ml",
                &input.contrast_ml,
                0.0..=1000.0,
                "millilitres, from 0 to 1000",
            ))
            .flatten();
        let dose = Dose {
            dap_gycm2: errors
                .check(decimal(
                    "dap_gycm2",
                    &input.dap_gycm2,
                    0.0..=10_000.0,
                    "Gy·cm², from 0 to 10000",
                ))
                .flatten(),
            fluoroscopy_s: errors
                .check(whole(
                    "fluoroscopy_s",
                    &input.fluoroscopy_s,
                    0..=36_000,
                    "seconds, from 0 to 36000",
                ))
                .flatten(),
            air_kerma_mgy: errors
                .check(decimal(
                    "air_kerma_mgy",
                    &input.air_kerma_mgy,
                    0.0..=50_000.0,
                    "mGy, from 0 to 50000",
                ))
                .flatten(),
            ct_dlp_mgycm: errors
                .check(decimal(
                    "ct_dlp_mgycm",
                    &input.ct_dlp_mgycm,
                    0.0..=100_000.0,
                    "mGy·cm, from 0 to 100000",
                ))
                .flatten(),
            exposures: errors
                .check(whole(
                    "exposures",
                    &input.exposures,
                    0..=10_000,
                    "a count, from 0 to 10000",
                ))
                .flatten(),
        };
        let allowed = technique_fields(family);
        for (field, _) in input.filled_technique_fields() {
            if !allowed.contains(&field) {
                errors.push(FieldError::new(field, NOT_THIS_FAMILY));
            }
        }
        let technique = match family {
            ProcedureFamily::Biopsy => Technique::Biopsy {
                needle_gauge: errors
                    .check(whole(
                        "biopsy_needle_gauge",
                        &input.biopsy_needle_gauge,
                        10..=25,
                        "a gauge, from 10 to 25",
                    ))
                    .flatten(),
                cores: errors
                    .check(whole(
                        "biopsy_cores",
                        &input.biopsy_cores,
                        0..=30,
                        "a count, from 0 to 30",
                    ))
                    .flatten(),
            },
            ProcedureFamily::Ablation => Technique::Ablation {
                modality: if input.ablation_modality.trim().is_empty() {
                    None
                } else {
                    errors.check(AblationModality::parse(&input.ablation_modality))
                },
                energy_kj: errors
                    .check(decimal(
                        "ablation_energy_kj",
                        &input.ablation_energy_kj,
                        0.0..=10_000.0,
                        "kJ, from 0 to 10000",
                    ))
                    .flatten(),
                power_w: errors
                    .check(decimal(
                        "ablation_power_w",
                        &input.ablation_power_w,
                        0.0..=500.0,
                        "W, from 0 to 500",
                    ))
                    .flatten(),
                duration_min: errors
                    .check(decimal(
                        "ablation_duration_min",
                        &input.ablation_duration_min,
                        0.0..=240.0,
                        "minutes, from 0 to 240",
                    ))
                    .flatten(),
                applications: errors
                    .check(whole(
                        "ablation_applications",
                        &input.ablation_applications,
                        1..=50,
                        "a count, from 1 to 50",
                    ))
                    .flatten(),
                zone_mm: errors
                    .check(decimal(
                        "ablation_zone_mm",
                        &input.ablation_zone_mm,
                        0.0..=200.0,
                        "mm, from 0 to 200",
                    ))
                    .flatten(),
            },
            ProcedureFamily::Embolization => Technique::Embolization {
                agent: opt_text(
                    &mut errors,
                    "embolization_agent",
                    &input.embolization_agent,
                    LINE_MAX,
                ),
                target_vessel: opt_text(
                    &mut errors,
                    "embolization_target_vessel",
                    &input.embolization_target_vessel,
                    LINE_MAX,
                ),
            },
            ProcedureFamily::Drainage => Technique::Drainage {
                catheter_fr: errors
                    .check(whole(
                        "drainage_catheter_fr",
                        &input.drainage_catheter_fr,
                        4..=40,
                        "French, from 4 to 40",
                    ))
                    .flatten(),
            },
            _ => Technique::None,
        };
        let technical_success = if input.technical_success.trim().is_empty() {
            None
        } else {
            errors.check(TechnicalSuccess::parse(&input.technical_success))
        };
        let findings = opt_text(&mut errors, "findings", &input.findings, TEXT_MAX);
        let conclusion = opt_text(&mut errors, "conclusion", &input.conclusion, TEXT_MAX);
        let mut specimens = Vec::new();
        for label in &input.specimens {
            match errors.check(text::free_text("specimens", label, LINE_MAX)) {
                Some(Some(label)) if !specimens.contains(&label) => specimens.push(label),
                _ => {}
            }
        }
        if specimens.len() > SPECIMENS_MAX {
            errors.push(FieldError::new(
                "specimens",
                Problem::BadFormat {
                    expected: "at most 30 specimens",
                },
            ));
        }
        errors.finish()?;
        Ok(Report {
            started_at,
            ended_at,
            operators,
            assistants,
            guidance,
            anesthesia,
            access_route,
            devices,
            contrast_agent,
            contrast_ml,
            dose,
            technique,
            technical_success,
            findings,
            conclusion,
            specimens,
        })
    }

    /// What a report still lacks to be signed, as field errors (empty when complete).
    pub fn missing_for_signature(&self) -> Vec<FieldError> {
        let mut missing = Vec::new();
        let mut need = |ok: bool, field: &str| {
            if !ok {
                missing.push(FieldError::new(field, Problem::Required));
            }
        };
        need(self.started_at.is_some(), "started_at");
        need(self.ended_at.is_some(), "ended_at");
        need(!self.operators.is_empty(), "operators");
        need(!self.guidance.is_empty(), "guidance");
        need(self.anesthesia.is_some(), "anesthesia");
        let ct = self
            .guidance
            .iter()
            .any(|g| matches!(g, Guidance::Ct | Guidance::ConeBeamCt));
        let fluoro = self.guidance.contains(&Guidance::Fluoroscopy);
        need(!ct || self.dose.ct_dlp_mgycm.is_some(), "ct_dlp_mgycm");
        need(!fluoro || self.dose.dap_gycm2.is_some(), "dap_gycm2");
        need(
            !fluoro || self.dose.fluoroscopy_s.is_some(),
            "fluoroscopy_s",
        );
        need(
            self.contrast_ml.is_none() || self.contrast_agent.is_some(),
            "contrast_agent",
        );
        match &self.technique {
            Technique::Biopsy {
                needle_gauge,
                cores,
            } => {
                need(needle_gauge.is_some(), "biopsy_needle_gauge");
                need(cores.is_some(), "biopsy_cores");
            }
            Technique::Ablation {
                modality,
                applications,
                ..
            } => {
                need(modality.is_some(), "ablation_modality");
                need(applications.is_some(), "ablation_applications");
            }
            Technique::Embolization { agent, .. } => need(agent.is_some(), "embolization_agent"),
            Technique::Drainage { catheter_fr } => {
                need(catheter_fr.is_some(), "drainage_catheter_fr");
            }
            Technique::None => {}
        }
        need(self.technical_success.is_some(), "technical_success");
        need(self.conclusion.is_some(), "conclusion");
        missing
    }
}

/// A correction or complement to a signed report, signed by its author.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddendumInput {
    #[serde(default)]
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Addendum {
    pub text: String,
}

impl Addendum {
    pub fn parse(input: &AddendumInput) -> Result<Addendum, Invalid> {
        match text::free_text("text", &input.text, ADDENDUM_MAX) {
            Ok(Some(text)) => Ok(Addendum { text }),
            Ok(None) => Err(Invalid::one("text", Problem::Required)),
            Err(e) => Err(Invalid(vec![e])),
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn zone() -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get("Europe/Paris").unwrap()
    }

    const NOW: OffsetDateTime = datetime!(2026-11-24 15:00 UTC);

    fn biopsy() -> ReportInput {
        ReportInput {
            started_at: "2026-11-24T10:00".into(),
            ended_at: "2026-11-24T10:45".into(),
            operators: vec!["CLemaire".into()],
            guidance: vec!["ct".into()],
            anesthesia: "local".into(),
            ct_dlp_mgycm: "412,5".into(),
            biopsy_needle_gauge: "18".into(),
            biopsy_cores: "3".into(),
            technical_success: "success".into(),
            conclusion: "Trois carottes du nodule LSG.".into(),
            specimens: vec!["A — carotte 1".into(), "B — carotte 2".into()],
            ..ReportInput::default()
        }
    }

    #[test]
    fn a_complete_biopsy_report() {
        let r = Report::parse(&biopsy(), ProcedureFamily::Biopsy, &zone(), NOW).unwrap();
        assert_eq!(r.started_at, Some(datetime!(2026-11-24 09:00 UTC)));
        assert_eq!(r.operators, vec!["clemaire".to_string()]);
        assert_eq!(r.dose.ct_dlp_mgycm, Some(412.5));
        assert_eq!(
            r.technique,
            Technique::Biopsy {
                needle_gauge: Some(18),
                cores: Some(3)
            }
        );
        assert!(r.missing_for_signature().is_empty());
        // Round trip through the form.
        let again = ReportInput::from_report(&r, &zone());
        assert_eq!(
            Report::parse(&again, ProcedureFamily::Biopsy, &zone(), NOW).unwrap(),
            r
        );
    }

    #[test]
    fn a_draft_may_be_incomplete_but_not_malformed() {
        let draft = ReportInput {
            started_at: "2026-11-24T10:00".into(),
            ..ReportInput::default()
        };
        let r = Report::parse(&draft, ProcedureFamily::Biopsy, &zone(), NOW).unwrap();
        let missing: Vec<String> = r
            .missing_for_signature()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert!(missing.contains(&"ended_at".to_string()));
        assert!(missing.contains(&"biopsy_cores".to_string()));
        assert!(missing.contains(&"conclusion".to_string()));
        let mut bad = biopsy();
        bad.ended_at = "2026-11-24T09:00".into();
        bad.biopsy_cores = "-1".into();
        bad.dap_gycm2 = "a lot".into();
        let err = Report::parse(&bad, ProcedureFamily::Biopsy, &zone(), NOW).unwrap_err();
        for field in ["ended_at", "biopsy_cores", "dap_gycm2"] {
            assert!(err.for_field(field).is_some(), "{field}");
        }
    }

    #[test]
    fn the_dose_follows_the_guidance() {
        let mut input = biopsy();
        input.guidance = vec!["fluoroscopy".into()];
        input.ct_dlp_mgycm = String::new();
        let r = Report::parse(&input, ProcedureFamily::Biopsy, &zone(), NOW).unwrap();
        let missing: Vec<String> = r
            .missing_for_signature()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(missing, ["dap_gycm2", "fluoroscopy_s"]);
    }

    #[test]
    fn technique_fields_of_another_family_are_refused() {
        let mut input = biopsy();
        input.ablation_power_w = "100".into();
        let err = Report::parse(&input, ProcedureFamily::Biopsy, &zone(), NOW).unwrap_err();
        assert_eq!(
            err.for_field("ablation_power_w").map(|e| &e.problem),
            Some(&NOT_THIS_FAMILY)
        );
    }

    #[test]
    fn an_ablation_records_its_energy() {
        let input = ReportInput {
            ablation_modality: "microwave".into(),
            ablation_power_w: "100".into(),
            ablation_duration_min: "6,5".into(),
            ablation_applications: "2".into(),
            ablation_zone_mm: "35".into(),
            ..ReportInput::default()
        };
        let r = Report::parse(&input, ProcedureFamily::Ablation, &zone(), NOW).unwrap();
        assert_eq!(
            r.technique,
            Technique::Ablation {
                modality: Some(AblationModality::Microwave),
                energy_kj: None,
                power_w: Some(100.0),
                duration_min: Some(6.5),
                applications: Some(2),
                zone_mm: Some(35.0),
            }
        );
    }

    #[test]
    fn the_end_cannot_be_in_the_future() {
        let mut input = biopsy();
        input.ended_at = "2026-11-24T18:00".into();
        let err = Report::parse(&input, ProcedureFamily::Biopsy, &zone(), NOW).unwrap_err();
        assert_eq!(
            err.for_field("ended_at").map(|e| &e.problem),
            Some(&Problem::DateInFuture)
        );
    }

    #[test]
    fn json_lists_and_numbers() {
        let mut json = serde_json::to_value(ReportInput::default()).unwrap();
        json["specimens"] = "A\n\nB".into();
        json["biopsy_cores"] = 3.into();
        json["guidance"] = "ct".into();
        let input: ReportInput = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(input.specimens, ["A", "B"]);
        assert_eq!(input.guidance, ["ct"]);
        assert_eq!(input.biopsy_cores, "3");
        // Unknown fields are refused, and so is a form with a field left out.
        json["surgeon"] = "x".into();
        assert!(serde_json::from_value::<ReportInput>(json.clone()).is_err());
        json.as_object_mut().unwrap().remove("surgeon");
        json.as_object_mut().unwrap().remove("conclusion");
        let missing = serde_json::from_value::<ReportInput>(json).unwrap_err();
        assert!(missing.to_string().contains("conclusion"), "{missing}");
    }

    #[test]
    fn an_addendum_needs_text() {
        assert!(Addendum::parse(&AddendumInput { text: "  ".into() }).is_err());
        assert_eq!(
            Addendum::parse(&AddendumInput {
                text: " Correction : 4 carottes. ".into()
            })
            .unwrap()
            .text,
            "Correction : 4 carottes."
        );
    }
}
