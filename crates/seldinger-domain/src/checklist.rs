//! The pre-procedure checklist of a booked case, the lab thresholds it is judged by, and
//! the time-out recorded in the room.
//!
//! Between booking and the procedure day, nurses, radiographers and radiologists fill in
//! a [`Checklist`]: information sheet, coagulation and renal labs with their sampling
//! dates, the anticoagulant plan, fasting, premedication, pregnancy status. [`evaluate`]
//! judges it against the procedure type, the patient and the department's
//! [`Thresholds`], one [`ItemStatus`] per [`ChecklistItem`], each missing or failed item
//! with a [`Reason`] in French and English. A case may become `ready` (the case event
//! [`CompleteChecklist`](crate::case::CaseEvent::CompleteChecklist)) only when the
//! evaluation [`is_complete`](ChecklistStatus::is_complete): every item done or not
//! needed for this procedure and this patient.
//!
//! Thresholds are data, one set per bleeding-risk category, each citing its source. The
//! defaults ([`Thresholds::defaults`]) come from:
//! - the Society of Interventional Radiology consensus guidelines on periprocedural
//!   management of thrombotic and bleeding risk (Patel IJ et al., J Vasc Interv Radiol
//!   2019;30:1168–1184.e1), for INR and platelets by bleeding-risk category;
//! - the ESUR Contrast Media Safety Committee guidelines, version 10 (2018; van der Molen
//!   AJ et al., Eur Radiol 2018;28:2845–2855), for renal function before iodinated
//!   contrast.
//!
//! The time-out ([`TimeOut`]) is the pause of the WHO surgical safety checklist, taken
//! before the first puncture: identity, site, side and procedure confirmed by the team.

use std::fmt;
use std::ops::RangeInclusive;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use crate::catalog::{Anesthesia, BleedingRisk, ProcedureType};
use crate::consultation::ConsentDecision;
use crate::invalid::{Collector, FieldError, Invalid, Problem};
use crate::patient::{Sex, parse_date};
use crate::text;
use crate::user::{Lang, string_enum};

/// The longest anticoagulant note and time-out note.
pub const NOTE_MAX: usize = 1_000;
/// The longest free notes on a checklist.
pub const NOTES_MAX: usize = 5_000;
/// The longest threshold source text.
pub const SOURCE_MAX: usize = 1_000;

string_enum!(
    /// What was decided for an anticoagulant or antiplatelet treatment before the
    /// procedure.
    AnticoagulantPlan, "anticoagulant_plan" {
        NotApplicable = "not_applicable",
        Continued = "continued",
        Stopped = "stopped",
        Bridged = "bridged",
    }
);

impl AnticoagulantPlan {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (AnticoagulantPlan::NotApplicable, Lang::En) => "Not applicable",
            (AnticoagulantPlan::NotApplicable, Lang::Fr) => "Sans objet",
            (AnticoagulantPlan::Continued, Lang::En) => "Continued",
            (AnticoagulantPlan::Continued, Lang::Fr) => "Poursuivi",
            (AnticoagulantPlan::Stopped, Lang::En) => "Stopped",
            (AnticoagulantPlan::Stopped, Lang::Fr) => "Arrêté",
            (AnticoagulantPlan::Bridged, Lang::En) => "Bridged",
            (AnticoagulantPlan::Bridged, Lang::Fr) => "Relais",
        }
    }
}

string_enum!(
    /// Whether the patient may be pregnant, as checked before exposure to X-rays.
    PregnancyStatus, "pregnancy" {
        NotApplicable = "not_applicable",
        NegativeTest = "negative_test",
        DeclaredNotPregnant = "declared_not_pregnant",
        Pregnant = "pregnant",
    }
);

impl PregnancyStatus {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (PregnancyStatus::NotApplicable, Lang::En) => "Not applicable",
            (PregnancyStatus::NotApplicable, Lang::Fr) => "Sans objet",
            (PregnancyStatus::NegativeTest, Lang::En) => "Negative test",
            (PregnancyStatus::NegativeTest, Lang::Fr) => "Test négatif",
            (PregnancyStatus::DeclaredNotPregnant, Lang::En) => "Declared not pregnant",
            (PregnancyStatus::DeclaredNotPregnant, Lang::Fr) => "Absence de grossesse déclarée",
            (PregnancyStatus::Pregnant, Lang::En) => "Pregnant",
            (PregnancyStatus::Pregnant, Lang::Fr) => "Enceinte",
        }
    }
}

string_enum!(
    /// Premedication for a patient allergic to iodinated contrast.
    Premedication, "premedication" {
        NotNeeded = "not_needed",
        Prescribed = "prescribed",
        Taken = "taken",
    }
);

impl Premedication {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Premedication::NotNeeded, Lang::En) => "Not needed",
            (Premedication::NotNeeded, Lang::Fr) => "Non nécessaire",
            (Premedication::Prescribed, Lang::En) => "Prescribed",
            (Premedication::Prescribed, Lang::Fr) => "Prescrite",
            (Premedication::Taken, Lang::En) => "Taken",
            (Premedication::Taken, Lang::Fr) => "Prise",
        }
    }
}

/// An INR in hundredths (1.25 → 125), so that the type is `Eq` and comparisons exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Inr(pub u16);

impl Inr {
    pub const MIN: Inr = Inr(50);
    pub const MAX: Inr = Inr(1_500);
    const EXPECTED: &'static str = "an INR from 0.5 to 15";

    /// Reads an INR as typed: `1.2`, `1.25`, or with a French decimal comma, `1,25`.
    /// At most two decimals; from 0.5 to 15.
    pub fn parse(field: &str, raw: &str) -> Result<Inr, FieldError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(FieldError::new(field, Problem::Required));
        }
        let bad = || {
            FieldError::new(
                field,
                Problem::BadFormat {
                    expected: Self::EXPECTED,
                },
            )
        };
        let (whole, decimals) = raw.split_once(['.', ',']).unwrap_or((raw, ""));
        let digits = |s: &str, max: usize| s.len() <= max && s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(whole, 2) || !digits(decimals, 2) {
            return Err(bad());
        }
        let whole: u16 = whole.parse().map_err(|_| bad())?;
        let hundredths: u16 = match decimals.len() {
            0 => 0,
            1 => decimals.parse::<u16>().map_err(|_| bad())? * 10,
            _ => decimals.parse().map_err(|_| bad())?,
        };
        let inr = Inr(whole * 100 + hundredths);
        if inr < Self::MIN || inr > Self::MAX {
            return Err(bad());
        }
        Ok(inr)
    }

    /// "1.25" in English, "1,25" in French.
    pub fn label(self, lang: Lang) -> String {
        let separator = match lang {
            Lang::En => '.',
            Lang::Fr => ',',
        };
        format!("{}{separator}{:02}", self.0 / 100, self.0 % 100)
    }
}

impl fmt::Display for Inr {
    /// Two decimals with a point ("1.80"), as forms and JSON write it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label(Lang::En))
    }
}

/// A lab result and the day it was sampled. A value may be recorded before its date is
/// known; the evaluation then says that the date is missing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lab<T> {
    pub value: T,
    pub taken_on: Option<Date>,
}

/// The pre-procedure checklist of one case, valid.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Checklist {
    pub information_sheet_delivered: bool,
    pub inr: Option<Lab<Inr>>,
    /// ×10⁹/L, 1–2000.
    pub platelets: Option<Lab<u32>>,
    /// µmol/L, 10–3000.
    pub creatinine: Option<Lab<u16>>,
    /// mL/min/1.73 m², 1–200.
    pub egfr: Option<Lab<u16>>,
    pub anticoagulant_plan: Option<AnticoagulantPlan>,
    pub anticoagulant_note: Option<String>,
    pub fasting_confirmed: bool,
    pub premedication: Option<Premedication>,
    pub pregnancy: Option<PregnancyStatus>,
    pub notes: Option<String>,
}

/// A checklist as typed in the form or sent as JSON: strings, empty when not recorded.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistInput {
    #[serde(default)]
    pub information_sheet_delivered: bool,
    #[serde(default)]
    pub inr: String,
    #[serde(default)]
    pub inr_date: String,
    #[serde(default)]
    pub platelets: String,
    #[serde(default)]
    pub platelets_date: String,
    #[serde(default)]
    pub creatinine: String,
    #[serde(default)]
    pub creatinine_date: String,
    #[serde(default)]
    pub egfr: String,
    #[serde(default)]
    pub egfr_date: String,
    #[serde(default)]
    pub anticoagulant_plan: String,
    #[serde(default)]
    pub anticoagulant_note: String,
    #[serde(default)]
    pub fasting_confirmed: bool,
    #[serde(default)]
    pub premedication: String,
    #[serde(default)]
    pub pregnancy: String,
    #[serde(default)]
    pub notes: String,
}

/// A whole number in `range`; `expected` describes the range for the error.
fn whole_number<T: FromStr + PartialOrd>(
    field: &str,
    raw: &str,
    range: RangeInclusive<T>,
    expected: &'static str,
) -> Result<T, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(FieldError::new(field, Problem::Required));
    }
    raw.parse::<T>()
        .ok()
        .filter(|v| range.contains(v))
        .ok_or_else(|| FieldError::new(field, Problem::BadFormat { expected }))
}

/// A sampling date: a date that exists, not after `today`.
fn sampling_date(field: &str, raw: &str, today: Date) -> Result<Date, FieldError> {
    let date = parse_date(field, raw)?;
    if date > today {
        return Err(FieldError::new(field, Problem::DateInFuture));
    }
    Ok(date)
}

/// Parses one lab, value in `field`, date in `{field}_date`; `None` when not recorded
/// (or when an error was collected, which the caller's `finish` reports).
fn lab<T>(
    errors: &mut Collector,
    field: &str,
    raw: &str,
    raw_date: &str,
    today: Date,
    parse: impl FnOnce(&str, &str) -> Result<T, FieldError>,
) -> Option<Lab<T>> {
    let date_field = format!("{field}_date");
    let value = if raw.trim().is_empty() {
        if !raw_date.trim().is_empty() {
            errors.push(FieldError::new(field, Problem::Required));
        }
        None
    } else {
        errors.check(parse(field, raw))
    };
    let taken_on = if raw_date.trim().is_empty() {
        None
    } else {
        errors.check(sampling_date(&date_field, raw_date, today))
    };
    value.map(|value| Lab { value, taken_on })
}

fn optional<T>(
    errors: &mut Collector,
    raw: &str,
    parse: fn(&str) -> Result<T, FieldError>,
) -> Option<T> {
    if raw.trim().is_empty() {
        None
    } else {
        errors.check(parse(raw))
    }
}

fn lab_input<T: ToString>(lab: Option<&Lab<T>>) -> (String, String) {
    lab.map(|l| {
        (
            l.value.to_string(),
            l.taken_on.map(|d| d.to_string()).unwrap_or_default(),
        )
    })
    .unwrap_or_default()
}

impl Checklist {
    /// Checks every field, reporting all problems at once. A value that cannot be (INR
    /// 40, platelets "abc") or a sampling date after `today` is an error on its own field
    /// (`inr`, `inr_date`…); a date without a value is an error on the value's field. A
    /// value without a date is accepted: [`evaluate`] then says the date is missing.
    pub fn parse(input: &ChecklistInput, today: Date) -> Result<Checklist, Invalid> {
        let mut errors = Collector::default();
        let inr = lab(
            &mut errors,
            "inr",
            &input.inr,
            &input.inr_date,
            today,
            Inr::parse,
        );
        let platelets = lab(
            &mut errors,
            "platelets",
            &input.platelets,
            &input.platelets_date,
            today,
            |field, raw| whole_number(field, raw, 1..=2_000, "a platelet count from 1 to 2000"),
        );
        let creatinine = lab(
            &mut errors,
            "creatinine",
            &input.creatinine,
            &input.creatinine_date,
            today,
            |field, raw| whole_number(field, raw, 10..=3_000, "µmol/L, from 10 to 3000"),
        );
        let egfr = lab(
            &mut errors,
            "egfr",
            &input.egfr,
            &input.egfr_date,
            today,
            |field, raw| whole_number(field, raw, 1..=200, "mL/min/1.73 m², from 1 to 200"),
        );
        let anticoagulant_plan = optional(
            &mut errors,
            &input.anticoagulant_plan,
            AnticoagulantPlan::parse,
        );
        let anticoagulant_note = errors
            .check(text::free_text(
                "anticoagulant_note",
                &input.anticoagulant_note,
                NOTE_MAX,
            ))
            .flatten();
        let premedication = optional(&mut errors, &input.premedication, Premedication::parse);
        let pregnancy = optional(&mut errors, &input.pregnancy, PregnancyStatus::parse);
        let notes = errors
            .check(text::free_text("notes", &input.notes, NOTES_MAX))
            .flatten();
        errors.finish()?;
        Ok(Checklist {
            information_sheet_delivered: input.information_sheet_delivered,
            inr,
            platelets,
            creatinine,
            egfr,
            anticoagulant_plan,
            anticoagulant_note,
            fasting_confirmed: input.fasting_confirmed,
            premedication,
            pregnancy,
            notes,
        })
    }

    /// The form values of this checklist, to show it again; `parse` gives it back.
    pub fn to_input(&self) -> ChecklistInput {
        let (inr, inr_date) = lab_input(self.inr.as_ref());
        let (platelets, platelets_date) = lab_input(self.platelets.as_ref());
        let (creatinine, creatinine_date) = lab_input(self.creatinine.as_ref());
        let (egfr, egfr_date) = lab_input(self.egfr.as_ref());
        let code = |c: Option<&'static str>| c.unwrap_or_default().to_string();
        ChecklistInput {
            information_sheet_delivered: self.information_sheet_delivered,
            inr,
            inr_date,
            platelets,
            platelets_date,
            creatinine,
            creatinine_date,
            egfr,
            egfr_date,
            anticoagulant_plan: code(self.anticoagulant_plan.map(AnticoagulantPlan::code)),
            anticoagulant_note: self.anticoagulant_note.clone().unwrap_or_default(),
            fasting_confirmed: self.fasting_confirmed,
            premedication: code(self.premedication.map(Premedication::code)),
            pregnancy: code(self.pregnancy.map(PregnancyStatus::code)),
            notes: self.notes.clone().unwrap_or_default(),
        }
    }
}

/// The department's limits for one bleeding-risk category, with the reference they
/// come from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thresholds {
    pub bleeding_risk: BleedingRisk,
    /// Ready when INR ≤ `inr_max`.
    pub inr_max: Inr,
    /// Ready when platelets ≥ `platelets_min` (×10⁹/L); SIR: "transfuse if below".
    pub platelets_min: u32,
    /// Ready when eGFR ≥ `egfr_min` (mL/min/1.73 m²), when iodinated contrast is planned.
    pub egfr_min: u16,
    /// A lab sampled more than this many days before the procedure day is stale.
    pub lab_max_age_days: u16,
    /// The reference the numbers come from, shown beside them.
    pub source: String,
}

/// Thresholds as typed by an administrator: strings, checked by [`Thresholds::parse`].
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdsInput {
    #[serde(default)]
    pub inr_max: String,
    #[serde(default)]
    pub platelets_min: String,
    #[serde(default)]
    pub egfr_min: String,
    #[serde(default)]
    pub lab_max_age_days: String,
    #[serde(default)]
    pub source: String,
}

const SOURCE_LOW: &str = "SIR 2019 consensus (Patel IJ et al., J Vasc Interv Radiol \
2019;30:1168–1184.e1), low bleeding-risk procedures: correct INR to the range 2.0–3.0 \
(upper bound 3.0 chosen), transfuse platelets below 20×10⁹/L. ESUR Contrast Media Safety \
Committee guidelines v10 (2018): eGFR ≥ 30 mL/min/1.73 m² before intravenous or \
second-pass intra-arterial iodinated contrast (45 before first-pass intra-arterial). \
Labs sampled within 30 days (department choice).";

const SOURCE_HIGH: &str = "SIR 2019 consensus (Patel IJ et al., J Vasc Interv Radiol \
2019;30:1168–1184.e1), high bleeding-risk procedures: correct INR to the range 1.5–1.8 \
(upper bound 1.8 chosen), transfuse platelets below 50×10⁹/L. ESUR Contrast Media Safety \
Committee guidelines v10 (2018): eGFR ≥ 30 mL/min/1.73 m² before intravenous or \
second-pass intra-arterial iodinated contrast (45 before first-pass intra-arterial). \
Labs sampled within 14 days (department choice).";

impl Thresholds {
    /// Checks every field, reporting all problems at once. The ranges refuse what no
    /// department would mean (an INR limit of 10, labs valid for a year).
    pub fn parse(
        bleeding_risk: BleedingRisk,
        input: &ThresholdsInput,
    ) -> Result<Thresholds, Invalid> {
        let mut errors = Collector::default();
        let inr_max = errors.check(Inr::parse("inr_max", &input.inr_max).and_then(|inr| {
            if (Inr(100)..=Inr(400)).contains(&inr) {
                Ok(inr)
            } else {
                Err(FieldError::new(
                    "inr_max",
                    Problem::BadFormat {
                        expected: "an INR limit from 1.0 to 4.0",
                    },
                ))
            }
        }));
        let platelets_min = errors.check(whole_number(
            "platelets_min",
            &input.platelets_min,
            10..=200,
            "a platelet count from 10 to 200",
        ));
        let egfr_min = errors.check(whole_number(
            "egfr_min",
            &input.egfr_min,
            10..=90,
            "mL/min/1.73 m², from 10 to 90",
        ));
        let lab_max_age_days = errors.check(whole_number(
            "lab_max_age_days",
            &input.lab_max_age_days,
            1..=180,
            "a number of days from 1 to 180",
        ));
        let source = errors
            .check(text::free_text("source", &input.source, SOURCE_MAX))
            .flatten();
        if source.is_none() && input.source.trim().is_empty() {
            errors.push(FieldError::new("source", Problem::Required));
        }
        errors.finish()?;
        match (inr_max, platelets_min, egfr_min, lab_max_age_days, source) {
            (
                Some(inr_max),
                Some(platelets_min),
                Some(egfr_min),
                Some(lab_max_age_days),
                Some(source),
            ) => Ok(Thresholds {
                bleeding_risk,
                inr_max,
                platelets_min,
                egfr_min,
                lab_max_age_days,
                source,
            }),
            // Every None above pushed an error, so finish() returned early.
            _ => Err(Invalid(Vec::new())),
        }
    }

    /// The form values, to edit them.
    pub fn to_input(&self) -> ThresholdsInput {
        ThresholdsInput {
            inr_max: self.inr_max.to_string(),
            platelets_min: self.platelets_min.to_string(),
            egfr_min: self.egfr_min.to_string(),
            lab_max_age_days: self.lab_max_age_days.to_string(),
            source: self.source.clone(),
        }
    }

    /// The defaults, `[low, high]`: SIR 2019 for INR and platelets (the upper bound of
    /// each INR correction range), ESUR 2018 for eGFR before iodinated contrast; labs
    /// fresh within 30 days for low risk and 14 days for high risk.
    pub fn defaults() -> [Thresholds; 2] {
        [
            Thresholds {
                bleeding_risk: BleedingRisk::Low,
                inr_max: Inr(300),
                platelets_min: 20,
                egfr_min: 30,
                lab_max_age_days: 30,
                source: SOURCE_LOW.into(),
            },
            Thresholds {
                bleeding_risk: BleedingRisk::High,
                inr_max: Inr(180),
                platelets_min: 50,
                egfr_min: 30,
                lab_max_age_days: 14,
                source: SOURCE_HIGH.into(),
            },
        ]
    }
}

/// What the evaluation needs besides the checklist, gathered by the store.
pub struct ChecklistContext<'a> {
    pub procedure: &'a ProcedureType,
    /// The thresholds for `procedure.bleeding_risk`.
    pub thresholds: &'a Thresholds,
    pub procedure_date: Date,
    pub patient_sex: Sex,
    pub patient_birth_date: Date,
    /// An iodinated contrast allergy, on the patient record or the referral.
    pub contrast_allergy: bool,
    /// An anticoagulant or antiplatelet treatment, on the patient record or the referral.
    pub on_anticoagulants: bool,
    /// The latest consent decision recorded for the case.
    pub consent: Option<ConsentDecision>,
    /// A recorded consultation says the information sheet was handed over.
    pub sheet_given_at_consultation: bool,
}

string_enum!(
    /// The items of the checklist, in the order they are shown.
    ChecklistItem, "item" {
        Consent = "consent",
        InformationSheet = "information_sheet",
        Inr = "inr",
        Platelets = "platelets",
        RenalFunction = "renal_function",
        AnticoagulantPlan = "anticoagulant_plan",
        Fasting = "fasting",
        Premedication = "premedication",
        Pregnancy = "pregnancy",
    }
);

impl ChecklistItem {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (ChecklistItem::Consent, Lang::En) => "Consent",
            (ChecklistItem::Consent, Lang::Fr) => "Consentement",
            (ChecklistItem::InformationSheet, Lang::En) => "Information sheet",
            (ChecklistItem::InformationSheet, Lang::Fr) => "Fiche d'information",
            (ChecklistItem::Inr, _) => "INR",
            (ChecklistItem::Platelets, Lang::En) => "Platelets",
            (ChecklistItem::Platelets, Lang::Fr) => "Plaquettes",
            (ChecklistItem::RenalFunction, Lang::En) => "Renal function",
            (ChecklistItem::RenalFunction, Lang::Fr) => "Fonction rénale",
            (ChecklistItem::AnticoagulantPlan, Lang::En) => "Anticoagulant plan",
            (ChecklistItem::AnticoagulantPlan, Lang::Fr) => "Gestion des anticoagulants",
            (ChecklistItem::Fasting, Lang::En) => "Fasting",
            (ChecklistItem::Fasting, Lang::Fr) => "Jeûne",
            (ChecklistItem::Premedication, Lang::En) => "Premedication",
            (ChecklistItem::Premedication, Lang::Fr) => "Prémédication",
            (ChecklistItem::Pregnancy, Lang::En) => "Pregnancy",
            (ChecklistItem::Pregnancy, Lang::Fr) => "Grossesse",
        }
    }
}

/// Where one item stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    Done,
    /// The item does not apply to this procedure or patient.
    NotNeeded,
    /// Nothing recorded yet.
    Missing,
    /// Recorded, but it stops the procedure (out of range, stale, refused).
    Failed,
}

/// Why an item is not done, rendered in either language like [`Problem::message`].
/// Messages are shown beside the item's label ([`ChecklistItem::label`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    ConsentNotRecorded,
    ConsentRefused,
    ConsentWithdrawn,
    SheetNotDelivered,
    /// A lab that is always needed has no value.
    NotRecorded,
    /// Contrast is planned and neither eGFR nor creatinine is recorded.
    RenalFunctionNotRecorded,
    /// A lab value without its sampling date.
    NoDate,
    TooOld {
        taken_on: Date,
        max_days: u16,
    },
    AfterProcedure {
        taken_on: Date,
    },
    InrTooHigh {
        value: Inr,
        max: Inr,
        risk: BleedingRisk,
    },
    PlateletsTooLow {
        value: u32,
        min: u32,
        risk: BleedingRisk,
    },
    EgfrTooLow {
        value: u16,
        min: u16,
    },
    PlanMissing,
    FastingNotConfirmed,
    PremedicationMissing,
    PregnancyUnknown,
    Pregnant,
}

fn date_label(date: Date, lang: Lang) -> String {
    match lang {
        Lang::En => date.to_string(),
        Lang::Fr => format!(
            "{:02}/{:02}/{}",
            date.day(),
            u8::from(date.month()),
            date.year()
        ),
    }
}

fn risk_label(risk: BleedingRisk, lang: Lang) -> &'static str {
    match (risk, lang) {
        (BleedingRisk::Low, Lang::En) => "low",
        (BleedingRisk::Low, Lang::Fr) => "faible",
        (BleedingRisk::High, Lang::En) => "high",
        (BleedingRisk::High, Lang::Fr) => "élevé",
    }
}

impl Reason {
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Reason::ConsentNotRecorded, Lang::En) => "no consent recorded for this case".into(),
            (Reason::ConsentNotRecorded, Lang::Fr) => {
                "aucun consentement enregistré pour ce dossier".into()
            }
            (Reason::ConsentRefused, Lang::En) => "the patient refused the procedure".into(),
            (Reason::ConsentRefused, Lang::Fr) => "le patient a refusé le geste".into(),
            (Reason::ConsentWithdrawn, Lang::En) => "the patient withdrew consent".into(),
            (Reason::ConsentWithdrawn, Lang::Fr) => "le patient a retiré son consentement".into(),
            (Reason::SheetNotDelivered, Lang::En) => {
                "the information sheet has not been handed over".into()
            }
            (Reason::SheetNotDelivered, Lang::Fr) => {
                "la fiche d'information n'a pas été remise".into()
            }
            (Reason::NotRecorded, Lang::En) => "no result recorded".into(),
            (Reason::NotRecorded, Lang::Fr) => "aucun résultat renseigné".into(),
            (Reason::RenalFunctionNotRecorded, Lang::En) => {
                "no eGFR or creatinine recorded, and iodinated contrast is planned".into()
            }
            (Reason::RenalFunctionNotRecorded, Lang::Fr) => {
                "ni DFG ni créatinine renseignés, alors qu'un produit de contraste iodé est prévu"
                    .into()
            }
            (Reason::NoDate, Lang::En) => "the result has no sampling date".into(),
            (Reason::NoDate, Lang::Fr) => "le résultat n'a pas de date de prélèvement".into(),
            (Reason::TooOld { taken_on, max_days }, Lang::En) => format!(
                "sampled on {}, more than {max_days} days before the procedure",
                date_label(*taken_on, lang)
            ),
            (Reason::TooOld { taken_on, max_days }, Lang::Fr) => format!(
                "prélevé le {}, plus de {max_days} jours avant le geste",
                date_label(*taken_on, lang)
            ),
            (Reason::AfterProcedure { taken_on }, Lang::En) => format!(
                "sampled on {}, after the procedure day",
                date_label(*taken_on, lang)
            ),
            (Reason::AfterProcedure { taken_on }, Lang::Fr) => format!(
                "prélevé le {}, après le jour du geste",
                date_label(*taken_on, lang)
            ),
            (Reason::InrTooHigh { value, max, risk }, Lang::En) => format!(
                "INR {} is above {}, the limit for a {} bleeding-risk procedure",
                value.label(lang),
                max.label(lang),
                risk_label(*risk, lang)
            ),
            (Reason::InrTooHigh { value, max, risk }, Lang::Fr) => format!(
                "INR {} supérieur à {}, limite pour un geste à risque hémorragique {}",
                value.label(lang),
                max.label(lang),
                risk_label(*risk, lang)
            ),
            (Reason::PlateletsTooLow { value, min, risk }, Lang::En) => format!(
                "platelets {value}×10⁹/L are below {min}×10⁹/L, the minimum for a {} \
                 bleeding-risk procedure",
                risk_label(*risk, lang)
            ),
            (Reason::PlateletsTooLow { value, min, risk }, Lang::Fr) => format!(
                "plaquettes {value} G/L inférieures à {min} G/L, minimum pour un geste à \
                 risque hémorragique {}",
                risk_label(*risk, lang)
            ),
            (Reason::EgfrTooLow { value, min }, Lang::En) => format!(
                "eGFR {value} mL/min/1.73 m² is below {min}, the minimum before iodinated \
                 contrast"
            ),
            (Reason::EgfrTooLow { value, min }, Lang::Fr) => format!(
                "DFG {value} mL/min/1,73 m² inférieur à {min}, minimum avant produit de \
                 contraste iodé"
            ),
            (Reason::PlanMissing, Lang::En) => {
                "the patient takes an anticoagulant or antiplatelet drug and no plan is recorded"
                    .into()
            }
            (Reason::PlanMissing, Lang::Fr) => {
                "le patient prend un anticoagulant ou un antiagrégant et aucune conduite à tenir \
                 n'est renseignée"
                    .into()
            }
            (Reason::FastingNotConfirmed, Lang::En) => {
                "fasting not confirmed, and sedation or general anesthesia is planned".into()
            }
            (Reason::FastingNotConfirmed, Lang::Fr) => {
                "jeûne non confirmé, alors qu'une sédation ou une anesthésie générale est prévue"
                    .into()
            }
            (Reason::PremedicationMissing, Lang::En) => {
                "allergy to iodinated contrast: no premedication prescribed".into()
            }
            (Reason::PremedicationMissing, Lang::Fr) => {
                "allergie au produit de contraste iodé : aucune prémédication prescrite".into()
            }
            (Reason::PregnancyUnknown, Lang::En) => "pregnancy status not recorded".into(),
            (Reason::PregnancyUnknown, Lang::Fr) => "statut de grossesse non renseigné".into(),
            (Reason::Pregnant, Lang::En) => {
                "the patient is pregnant: indication and radiation protection to be reviewed".into()
            }
            (Reason::Pregnant, Lang::Fr) => {
                "patiente enceinte : indication et radioprotection à réévaluer".into()
            }
        }
    }

    /// A stable machine-readable code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::ConsentNotRecorded => "consent_not_recorded",
            Reason::ConsentRefused => "consent_refused",
            Reason::ConsentWithdrawn => "consent_withdrawn",
            Reason::SheetNotDelivered => "sheet_not_delivered",
            Reason::NotRecorded => "not_recorded",
            Reason::RenalFunctionNotRecorded => "renal_function_not_recorded",
            Reason::NoDate => "no_date",
            Reason::TooOld { .. } => "too_old",
            Reason::AfterProcedure { .. } => "after_procedure",
            Reason::InrTooHigh { .. } => "inr_too_high",
            Reason::PlateletsTooLow { .. } => "platelets_too_low",
            Reason::EgfrTooLow { .. } => "egfr_too_low",
            Reason::PlanMissing => "plan_missing",
            Reason::FastingNotConfirmed => "fasting_not_confirmed",
            Reason::PremedicationMissing => "premedication_missing",
            Reason::PregnancyUnknown => "pregnancy_unknown",
            Reason::Pregnant => "pregnant",
        }
    }
}

/// One item of an evaluation. `reason` is set exactly when the item is missing or failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemStatus {
    pub item: ChecklistItem,
    pub state: ItemState,
    pub reason: Option<Reason>,
}

impl ItemStatus {
    fn done(item: ChecklistItem) -> Self {
        Self {
            item,
            state: ItemState::Done,
            reason: None,
        }
    }

    fn not_needed(item: ChecklistItem) -> Self {
        Self {
            item,
            state: ItemState::NotNeeded,
            reason: None,
        }
    }

    fn missing(item: ChecklistItem, reason: Reason) -> Self {
        Self {
            item,
            state: ItemState::Missing,
            reason: Some(reason),
        }
    }

    fn failed(item: ChecklistItem, reason: Reason) -> Self {
        Self {
            item,
            state: ItemState::Failed,
            reason: Some(reason),
        }
    }

    fn blocks(&self) -> bool {
        matches!(self.state, ItemState::Missing | ItemState::Failed)
    }
}

/// The evaluation of a checklist: one status per [`ChecklistItem`], in the order of
/// [`ChecklistItem::ALL`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChecklistStatus {
    pub items: Vec<ItemStatus>,
}

impl ChecklistStatus {
    /// Every item is done or not needed: the case may become ready.
    pub fn is_complete(&self) -> bool {
        self.blocking().next().is_none()
    }

    /// The items that keep the case from being ready.
    pub fn blocking(&self) -> impl Iterator<Item = &ItemStatus> {
        self.items.iter().filter(|s| s.blocks())
    }

    pub fn get(&self, item: ChecklistItem) -> Option<&ItemStatus> {
        self.items.iter().find(|s| s.item == item)
    }
}

/// A lab's value when it is dated within `lab_max_age_days` before the procedure day
/// (and not after it); otherwise the state and reason that say why it cannot be used.
fn fresh<T: Copy>(lab: Option<&Lab<T>>, ctx: &ChecklistContext) -> Result<T, (ItemState, Reason)> {
    let lab = lab.ok_or((ItemState::Missing, Reason::NotRecorded))?;
    let taken_on = lab.taken_on.ok_or((ItemState::Failed, Reason::NoDate))?;
    if taken_on > ctx.procedure_date {
        return Err((ItemState::Failed, Reason::AfterProcedure { taken_on }));
    }
    let max_days = ctx.thresholds.lab_max_age_days;
    let oldest = ctx
        .procedure_date
        .checked_sub(Duration::days(i64::from(max_days)));
    // Before the calendar's first day nothing can be stale.
    if oldest.is_some_and(|oldest| taken_on < oldest) {
        return Err((ItemState::Failed, Reason::TooOld { taken_on, max_days }));
    }
    Ok(lab.value)
}

fn unusable(item: ChecklistItem, (state, reason): (ItemState, Reason)) -> ItemStatus {
    ItemStatus {
        item,
        state,
        reason: Some(reason),
    }
}

/// Full years between `birth` and `on`; negative when `on` is before `birth`.
fn age_on(birth: Date, on: Date) -> i32 {
    let years = on.year() - birth.year();
    if (u8::from(on.month()), on.day()) < (u8::from(birth.month()), birth.day()) {
        years - 1
    } else {
        years
    }
}

/// Judges `checklist` for the case described by `ctx`: one [`ItemStatus`] per
/// [`ChecklistItem::ALL`], in that order.
///
/// Renal function, when contrast is planned, is judged on a fresh eGFR; without one, a
/// fresh creatinine is enough (its value is read by the radiologist, who records the
/// eGFR when it matters).
pub fn evaluate(checklist: &Checklist, ctx: &ChecklistContext) -> ChecklistStatus {
    let items = ChecklistItem::ALL
        .iter()
        .map(|&item| evaluate_item(item, checklist, ctx))
        .collect();
    ChecklistStatus { items }
}

fn evaluate_item(item: ChecklistItem, checklist: &Checklist, ctx: &ChecklistContext) -> ItemStatus {
    let limits = ctx.thresholds;
    let risk = ctx.procedure.bleeding_risk;
    match item {
        ChecklistItem::Consent => match ctx.consent {
            Some(ConsentDecision::Given) => ItemStatus::done(item),
            Some(ConsentDecision::Refused) => ItemStatus::failed(item, Reason::ConsentRefused),
            Some(ConsentDecision::Withdrawn) => ItemStatus::failed(item, Reason::ConsentWithdrawn),
            None => ItemStatus::missing(item, Reason::ConsentNotRecorded),
        },
        ChecklistItem::InformationSheet => {
            if checklist.information_sheet_delivered || ctx.sheet_given_at_consultation {
                ItemStatus::done(item)
            } else {
                ItemStatus::missing(item, Reason::SheetNotDelivered)
            }
        }
        ChecklistItem::Inr => match fresh(checklist.inr.as_ref(), ctx) {
            Err(why) => unusable(item, why),
            Ok(value) if value > limits.inr_max => ItemStatus::failed(
                item,
                Reason::InrTooHigh {
                    value,
                    max: limits.inr_max,
                    risk,
                },
            ),
            Ok(_) => ItemStatus::done(item),
        },
        ChecklistItem::Platelets => match fresh(checklist.platelets.as_ref(), ctx) {
            Err(why) => unusable(item, why),
            Ok(value) if value < limits.platelets_min => ItemStatus::failed(
                item,
                Reason::PlateletsTooLow {
                    value,
                    min: limits.platelets_min,
                    risk,
                },
            ),
            Ok(_) => ItemStatus::done(item),
        },
        ChecklistItem::RenalFunction => {
            if !ctx.procedure.contrast {
                return ItemStatus::not_needed(item);
            }
            let egfr = fresh(checklist.egfr.as_ref(), ctx);
            let creatinine = fresh(checklist.creatinine.as_ref(), ctx);
            match (egfr, creatinine) {
                (Ok(value), _) if value < limits.egfr_min => ItemStatus::failed(
                    item,
                    Reason::EgfrTooLow {
                        value,
                        min: limits.egfr_min,
                    },
                ),
                (Ok(_), _) | (Err(_), Ok(_)) => ItemStatus::done(item),
                // The eGFR's own problem (undated, stale) is the one to fix first.
                (Err(why), _) if checklist.egfr.is_some() => unusable(item, why),
                (Err(_), Err(why)) if checklist.creatinine.is_some() => unusable(item, why),
                (Err(_), Err(_)) => ItemStatus::missing(item, Reason::RenalFunctionNotRecorded),
            }
        }
        ChecklistItem::AnticoagulantPlan => {
            if !ctx.on_anticoagulants {
                return ItemStatus::not_needed(item);
            }
            match checklist.anticoagulant_plan {
                Some(
                    AnticoagulantPlan::Continued
                    | AnticoagulantPlan::Stopped
                    | AnticoagulantPlan::Bridged,
                ) => ItemStatus::done(item),
                Some(AnticoagulantPlan::NotApplicable) | None => {
                    ItemStatus::missing(item, Reason::PlanMissing)
                }
            }
        }
        ChecklistItem::Fasting => {
            if ctx.procedure.anesthesia == Anesthesia::Local {
                ItemStatus::not_needed(item)
            } else if checklist.fasting_confirmed {
                ItemStatus::done(item)
            } else {
                ItemStatus::missing(item, Reason::FastingNotConfirmed)
            }
        }
        ChecklistItem::Premedication => {
            if !(ctx.procedure.contrast && ctx.contrast_allergy) {
                return ItemStatus::not_needed(item);
            }
            match checklist.premedication {
                Some(Premedication::Prescribed | Premedication::Taken) => ItemStatus::done(item),
                Some(Premedication::NotNeeded) | None => {
                    ItemStatus::missing(item, Reason::PremedicationMissing)
                }
            }
        }
        ChecklistItem::Pregnancy => {
            let age = age_on(ctx.patient_birth_date, ctx.procedure_date);
            if ctx.patient_sex != Sex::Female || !(12..=55).contains(&age) {
                return ItemStatus::not_needed(item);
            }
            match checklist.pregnancy {
                Some(
                    PregnancyStatus::NegativeTest
                    | PregnancyStatus::DeclaredNotPregnant
                    | PregnancyStatus::NotApplicable,
                ) => ItemStatus::done(item),
                Some(PregnancyStatus::Pregnant) => ItemStatus::failed(item, Reason::Pregnant),
                None => ItemStatus::missing(item, Reason::PregnancyUnknown),
            }
        }
    }
}

/// The time-out as ticked in the room.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeOutInput {
    #[serde(default)]
    pub identity_confirmed: bool,
    #[serde(default)]
    pub site_confirmed: bool,
    #[serde(default)]
    pub side_confirmed: bool,
    #[serde(default)]
    pub procedure_confirmed: bool,
    #[serde(default)]
    pub notes: String,
}

/// A time-out, recorded only when every check was confirmed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeOut {
    pub identity_confirmed: bool,
    pub site_confirmed: bool,
    pub side_confirmed: bool,
    pub procedure_confirmed: bool,
    pub notes: Option<String>,
}

impl TimeOut {
    /// Each of the four checks must be confirmed; every unconfirmed one is named.
    pub fn parse(input: &TimeOutInput) -> Result<TimeOut, Invalid> {
        let mut errors = Collector::default();
        for (field, confirmed) in [
            ("identity_confirmed", input.identity_confirmed),
            ("site_confirmed", input.site_confirmed),
            ("side_confirmed", input.side_confirmed),
            ("procedure_confirmed", input.procedure_confirmed),
        ] {
            if !confirmed {
                errors.push(FieldError::new(field, Problem::Required));
            }
        }
        let notes = errors
            .check(text::free_text("notes", &input.notes, NOTE_MAX))
            .flatten();
        errors.finish()?;
        Ok(TimeOut {
            identity_confirmed: true,
            site_confirmed: true,
            side_confirmed: true,
            procedure_confirmed: true,
            notes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Bilingual, Guidance, ProcedureCode, ProcedureFamily, RoomType, Stay};
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 22);
    const PROCEDURE_DAY: Date = date!(2026 - 11 - 26);

    fn procedure(risk: BleedingRisk, contrast: bool, anesthesia: Anesthesia) -> ProcedureType {
        ProcedureType {
            code: ProcedureCode::parse("BIO-LIVER-US").expect("valid code"),
            name: Bilingual {
                fr: "Biopsie hépatique".into(),
                en: "Liver biopsy".into(),
            },
            family: ProcedureFamily::Biopsy,
            target_organs: vec![],
            guidance: vec![Guidance::Ultrasound],
            anesthesia,
            stay: Stay::day_case(),
            duration_minutes: 45,
            room_types: vec![RoomType::Ultrasound],
            equipment: vec![],
            bleeding_risk: risk,
            contrast,
            risks: Bilingual::default(),
            preparation: Bilingual::default(),
            information_sheet: Bilingual::default(),
        }
    }

    fn fresh_lab<T>(value: T) -> Option<Lab<T>> {
        Some(Lab {
            value,
            taken_on: Some(TODAY),
        })
    }

    /// A case and its checklist; each test changes what it is about.
    struct Scenario {
        checklist: Checklist,
        risk: BleedingRisk,
        contrast: bool,
        anesthesia: Anesthesia,
        sex: Sex,
        birth_date: Date,
        contrast_allergy: bool,
        on_anticoagulants: bool,
        consent: Option<ConsentDecision>,
    }

    impl Scenario {
        /// Everything recorded and within the high-risk limits, for a woman of 30 on
        /// anticoagulants, allergic to contrast, having a high-risk procedure with
        /// contrast under sedation: every item applies and is done.
        fn complete() -> Self {
            Scenario {
                checklist: Checklist {
                    information_sheet_delivered: true,
                    inr: fresh_lab(Inr(110)),
                    platelets: fresh_lab(180),
                    creatinine: fresh_lab(80),
                    egfr: fresh_lab(85),
                    anticoagulant_plan: Some(AnticoagulantPlan::Bridged),
                    anticoagulant_note: Some("Apixaban stopped 48 h before.".into()),
                    fasting_confirmed: true,
                    premedication: Some(Premedication::Taken),
                    pregnancy: Some(PregnancyStatus::NegativeTest),
                    notes: None,
                },
                risk: BleedingRisk::High,
                contrast: true,
                anesthesia: Anesthesia::Sedation,
                sex: Sex::Female,
                birth_date: date!(1996 - 05 - 14),
                contrast_allergy: true,
                on_anticoagulants: true,
                consent: Some(ConsentDecision::Given),
            }
        }

        fn evaluate(&self) -> ChecklistStatus {
            let procedure = procedure(self.risk, self.contrast, self.anesthesia);
            let [low, high] = Thresholds::defaults();
            let thresholds = match self.risk {
                BleedingRisk::Low => low,
                BleedingRisk::High => high,
            };
            evaluate(
                &self.checklist,
                &ChecklistContext {
                    procedure: &procedure,
                    thresholds: &thresholds,
                    procedure_date: PROCEDURE_DAY,
                    patient_sex: self.sex,
                    patient_birth_date: self.birth_date,
                    contrast_allergy: self.contrast_allergy,
                    on_anticoagulants: self.on_anticoagulants,
                    consent: self.consent,
                    sheet_given_at_consultation: false,
                },
            )
        }
    }

    #[track_caller]
    fn check(scenario: &Scenario, item: ChecklistItem, state: ItemState, reason: Option<Reason>) {
        let status = scenario.evaluate();
        let found = status.get(item).expect("every item is evaluated");
        assert_eq!((found.state, &found.reason), (state, &reason), "{item}");
    }

    fn input() -> ChecklistInput {
        ChecklistInput {
            information_sheet_delivered: true,
            inr: "1.1".into(),
            inr_date: "2026-11-20".into(),
            platelets: "210".into(),
            platelets_date: "20/11/2026".into(),
            creatinine: "75".into(),
            creatinine_date: "2026-11-20".into(),
            egfr: "".into(),
            egfr_date: "".into(),
            anticoagulant_plan: "stopped".into(),
            anticoagulant_note: "Rivaroxaban: last dose 3 days before.".into(),
            fasting_confirmed: true,
            premedication: "".into(),
            pregnancy: "declared_not_pregnant".into(),
            notes: "Veines difficiles.".into(),
        }
    }

    #[test]
    fn a_complete_checklist_for_a_high_risk_procedure_is_complete() {
        let status = Scenario::complete().evaluate();
        let items: Vec<ChecklistItem> = status.items.iter().map(|s| s.item).collect();
        assert_eq!(items, ChecklistItem::ALL);
        assert!(
            status.items.iter().all(|s| s.state == ItemState::Done),
            "{status:?}"
        );
        assert!(status.is_complete());
    }

    #[test]
    fn an_inr_of_2_1_fails_a_high_risk_procedure_naming_the_limit_in_both_languages() {
        let scenario = Scenario {
            checklist: Checklist {
                inr: fresh_lab(Inr(210)),
                ..Scenario::complete().checklist
            },
            ..Scenario::complete()
        };
        let reason = Reason::InrTooHigh {
            value: Inr(210),
            max: Inr(180),
            risk: BleedingRisk::High,
        };
        check(
            &scenario,
            ChecklistItem::Inr,
            ItemState::Failed,
            Some(reason.clone()),
        );
        assert!(!scenario.evaluate().is_complete());
        assert_eq!(
            reason.message(Lang::En),
            "INR 2.10 is above 1.80, the limit for a high bleeding-risk procedure"
        );
        assert_eq!(
            reason.message(Lang::Fr),
            "INR 2,10 supérieur à 1,80, limite pour un geste à risque hémorragique élevé"
        );
        assert_eq!(reason.code(), "inr_too_high");
    }

    #[test]
    fn the_same_inr_passes_a_low_risk_procedure() {
        let scenario = Scenario {
            checklist: Checklist {
                inr: fresh_lab(Inr(210)),
                ..Scenario::complete().checklist
            },
            risk: BleedingRisk::Low,
            ..Scenario::complete()
        };
        check(&scenario, ChecklistItem::Inr, ItemState::Done, None);
        assert!(scenario.evaluate().is_complete());
    }

    #[test]
    fn platelets_below_the_minimum_fail_with_the_risk_named() {
        let scenario = Scenario {
            checklist: Checklist {
                platelets: fresh_lab(35),
                ..Scenario::complete().checklist
            },
            ..Scenario::complete()
        };
        let reason = Reason::PlateletsTooLow {
            value: 35,
            min: 50,
            risk: BleedingRisk::High,
        };
        check(
            &scenario,
            ChecklistItem::Platelets,
            ItemState::Failed,
            Some(reason.clone()),
        );
        assert!(reason.message(Lang::Fr).contains("50 G/L"));
        assert!(reason.message(Lang::En).contains("50×10⁹/L"));
    }

    #[test]
    fn a_value_without_a_date_keeps_the_case_from_being_ready() {
        let scenario = Scenario {
            checklist: Checklist {
                platelets: Some(Lab {
                    value: 180,
                    taken_on: None,
                }),
                ..Scenario::complete().checklist
            },
            ..Scenario::complete()
        };
        check(
            &scenario,
            ChecklistItem::Platelets,
            ItemState::Failed,
            Some(Reason::NoDate),
        );
        assert!(!scenario.evaluate().is_complete());
    }

    #[test]
    fn a_lab_forty_days_old_is_too_old_and_one_after_the_procedure_is_refused() {
        let taken_on = date!(2026 - 10 - 17);
        let old = Scenario {
            checklist: Checklist {
                inr: Some(Lab {
                    value: Inr(100),
                    taken_on: Some(taken_on),
                }),
                ..Scenario::complete().checklist
            },
            ..Scenario::complete()
        };
        let reason = Reason::TooOld {
            taken_on,
            max_days: 14,
        };
        check(
            &old,
            ChecklistItem::Inr,
            ItemState::Failed,
            Some(reason.clone()),
        );
        assert!(reason.message(Lang::Fr).contains("17/10/2026"));
        let exactly_the_limit = Scenario {
            checklist: Checklist {
                inr: Some(Lab {
                    value: Inr(100),
                    taken_on: Some(date!(2026 - 11 - 12)),
                }),
                ..Scenario::complete().checklist
            },
            ..Scenario::complete()
        };
        check(
            &exactly_the_limit,
            ChecklistItem::Inr,
            ItemState::Done,
            None,
        );
        let after = date!(2026 - 11 - 27);
        let later = Scenario {
            checklist: Checklist {
                inr: Some(Lab {
                    value: Inr(100),
                    taken_on: Some(after),
                }),
                ..Scenario::complete().checklist
            },
            ..Scenario::complete()
        };
        check(
            &later,
            ChecklistItem::Inr,
            ItemState::Failed,
            Some(Reason::AfterProcedure { taken_on: after }),
        );
    }

    #[test]
    fn an_egfr_of_25_fails_when_contrast_is_planned() {
        let scenario = Scenario {
            checklist: Checklist {
                egfr: fresh_lab(25),
                ..Scenario::complete().checklist
            },
            ..Scenario::complete()
        };
        check(
            &scenario,
            ChecklistItem::RenalFunction,
            ItemState::Failed,
            Some(Reason::EgfrTooLow { value: 25, min: 30 }),
        );
    }

    #[test]
    fn creatinine_alone_is_enough_and_nothing_is_missing() {
        let creatinine_only = Scenario {
            checklist: Checklist {
                egfr: None,
                ..Scenario::complete().checklist
            },
            ..Scenario::complete()
        };
        check(
            &creatinine_only,
            ChecklistItem::RenalFunction,
            ItemState::Done,
            None,
        );
        let neither = Scenario {
            checklist: Checklist {
                egfr: None,
                creatinine: None,
                ..Scenario::complete().checklist
            },
            ..Scenario::complete()
        };
        check(
            &neither,
            ChecklistItem::RenalFunction,
            ItemState::Missing,
            Some(Reason::RenalFunctionNotRecorded),
        );
        let undated_creatinine = Scenario {
            checklist: Checklist {
                egfr: None,
                creatinine: Some(Lab {
                    value: 80,
                    taken_on: None,
                }),
                ..Scenario::complete().checklist
            },
            ..Scenario::complete()
        };
        check(
            &undated_creatinine,
            ChecklistItem::RenalFunction,
            ItemState::Failed,
            Some(Reason::NoDate),
        );
    }

    #[test]
    fn renal_function_is_not_needed_without_contrast() {
        let scenario = Scenario {
            checklist: Checklist {
                egfr: fresh_lab(12),
                creatinine: None,
                ..Scenario::complete().checklist
            },
            contrast: false,
            ..Scenario::complete()
        };
        check(
            &scenario,
            ChecklistItem::RenalFunction,
            ItemState::NotNeeded,
            None,
        );
    }

    #[test]
    fn the_anticoagulant_plan_is_needed_only_when_the_patient_takes_anticoagulants() {
        let no_plan = Checklist {
            anticoagulant_plan: Some(AnticoagulantPlan::NotApplicable),
            ..Scenario::complete().checklist
        };
        let treated = Scenario {
            checklist: no_plan.clone(),
            ..Scenario::complete()
        };
        check(
            &treated,
            ChecklistItem::AnticoagulantPlan,
            ItemState::Missing,
            Some(Reason::PlanMissing),
        );
        let untreated = Scenario {
            checklist: no_plan,
            on_anticoagulants: false,
            ..Scenario::complete()
        };
        check(
            &untreated,
            ChecklistItem::AnticoagulantPlan,
            ItemState::NotNeeded,
            None,
        );
    }

    #[test]
    fn premedication_is_needed_only_with_contrast_and_a_contrast_allergy() {
        let none = Checklist {
            premedication: None,
            ..Scenario::complete().checklist
        };
        let both = Scenario {
            checklist: none.clone(),
            ..Scenario::complete()
        };
        check(
            &both,
            ChecklistItem::Premedication,
            ItemState::Missing,
            Some(Reason::PremedicationMissing),
        );
        let no_allergy = Scenario {
            checklist: none.clone(),
            contrast_allergy: false,
            ..Scenario::complete()
        };
        check(
            &no_allergy,
            ChecklistItem::Premedication,
            ItemState::NotNeeded,
            None,
        );
        let no_contrast = Scenario {
            checklist: none,
            contrast: false,
            ..Scenario::complete()
        };
        check(
            &no_contrast,
            ChecklistItem::Premedication,
            ItemState::NotNeeded,
            None,
        );
    }

    #[test]
    fn pregnancy_is_asked_of_a_woman_of_30_not_of_a_man_nor_a_woman_of_70() {
        let unknown = Checklist {
            pregnancy: None,
            ..Scenario::complete().checklist
        };
        let woman_of_30 = Scenario {
            checklist: unknown.clone(),
            ..Scenario::complete()
        };
        check(
            &woman_of_30,
            ChecklistItem::Pregnancy,
            ItemState::Missing,
            Some(Reason::PregnancyUnknown),
        );
        let man = Scenario {
            checklist: unknown.clone(),
            sex: Sex::Male,
            ..Scenario::complete()
        };
        check(&man, ChecklistItem::Pregnancy, ItemState::NotNeeded, None);
        let woman_of_70 = Scenario {
            checklist: unknown,
            birth_date: date!(1956 - 03 - 12),
            ..Scenario::complete()
        };
        check(
            &woman_of_70,
            ChecklistItem::Pregnancy,
            ItemState::NotNeeded,
            None,
        );
        let pregnant = Scenario {
            checklist: Checklist {
                pregnancy: Some(PregnancyStatus::Pregnant),
                ..Scenario::complete().checklist
            },
            ..Scenario::complete()
        };
        check(
            &pregnant,
            ChecklistItem::Pregnancy,
            ItemState::Failed,
            Some(Reason::Pregnant),
        );
    }

    #[test]
    fn age_counts_full_years_on_the_procedure_day() {
        assert_eq!(age_on(date!(1971 - 11 - 27), PROCEDURE_DAY), 54);
        assert_eq!(age_on(date!(1971 - 11 - 26), PROCEDURE_DAY), 55);
        assert_eq!(age_on(date!(2027 - 01 - 01), PROCEDURE_DAY), -1);
    }

    #[test]
    fn consent_must_be_given_and_fasting_confirmed_under_sedation() {
        let refused = Scenario {
            consent: Some(ConsentDecision::Refused),
            ..Scenario::complete()
        };
        check(
            &refused,
            ChecklistItem::Consent,
            ItemState::Failed,
            Some(Reason::ConsentRefused),
        );
        let none = Scenario {
            consent: None,
            ..Scenario::complete()
        };
        check(
            &none,
            ChecklistItem::Consent,
            ItemState::Missing,
            Some(Reason::ConsentNotRecorded),
        );
        let not_fasting = Checklist {
            fasting_confirmed: false,
            ..Scenario::complete().checklist
        };
        let sedation = Scenario {
            checklist: not_fasting.clone(),
            ..Scenario::complete()
        };
        check(
            &sedation,
            ChecklistItem::Fasting,
            ItemState::Missing,
            Some(Reason::FastingNotConfirmed),
        );
        let local = Scenario {
            checklist: not_fasting,
            anesthesia: Anesthesia::Local,
            ..Scenario::complete()
        };
        check(&local, ChecklistItem::Fasting, ItemState::NotNeeded, None);
    }

    #[test]
    fn parse_names_every_bad_field_in_one_invalid() {
        let bad = ChecklistInput {
            inr: "40".into(),
            platelets: "abc".into(),
            creatinine: "".into(),
            creatinine_date: "2026-11-20".into(),
            egfr: "60".into(),
            egfr_date: "2026-12-01".into(),
            pregnancy: "maybe".into(),
            ..input()
        };
        let errors = Checklist::parse(&bad, TODAY).expect_err("invalid");
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["inr", "platelets", "creatinine", "egfr_date", "pregnancy"]
        );
        let problem = |field| errors.for_field(field).map(|e| e.problem.clone());
        assert_eq!(
            problem("inr"),
            Some(Problem::BadFormat {
                expected: "an INR from 0.5 to 15"
            })
        );
        assert_eq!(problem("creatinine"), Some(Problem::Required));
        assert_eq!(problem("egfr_date"), Some(Problem::DateInFuture));
    }

    #[track_caller]
    fn check_inr(raw: &str, expected: Option<u16>) {
        assert_eq!(Inr::parse("inr", raw).ok(), expected.map(Inr), "{raw:?}");
    }

    #[test]
    fn inr_reads_a_point_or_a_french_comma_within_0_5_to_15() {
        check_inr("1,25", Some(125));
        check_inr("1.2", Some(120));
        check_inr(" 1.25 ", Some(125));
        check_inr("3", Some(300));
        check_inr("0.5", Some(50));
        check_inr("15", Some(1_500));
        check_inr("0.4", None);
        check_inr("15.01", None);
        check_inr("40", None);
        check_inr("1.255", None);
        check_inr(",5", None);
        check_inr("1.2.3", None);
        check_inr("-1", None);
        check_inr("abc", None);
        assert_eq!(Inr(120).to_string(), "1.20");
        assert_eq!(Inr(1_500).label(Lang::Fr), "15,00");
    }

    #[test]
    fn a_lab_without_a_date_is_accepted_then_flagged() {
        let input = ChecklistInput {
            inr_date: "".into(),
            ..input()
        };
        let checklist = Checklist::parse(&input, TODAY).expect("valid");
        assert_eq!(
            checklist.inr,
            Some(Lab {
                value: Inr(110),
                taken_on: None
            })
        );
    }

    #[test]
    fn parse_of_to_input_round_trips() {
        let parsed = Checklist::parse(&input(), TODAY).expect("valid");
        assert_eq!(
            parsed.platelets,
            Some(Lab {
                value: 210,
                taken_on: Some(date!(2026 - 11 - 20))
            })
        );
        assert_eq!(
            Checklist::parse(&parsed.to_input(), TODAY),
            Ok(parsed.clone())
        );
        let complete = Scenario::complete().checklist;
        assert_eq!(Checklist::parse(&complete.to_input(), TODAY), Ok(complete));
        let empty = Checklist::default();
        assert_eq!(Checklist::parse(&empty.to_input(), TODAY), Ok(empty));
        let json = serde_json::to_string(&parsed).expect("serialize");
        assert_eq!(serde_json::from_str::<Checklist>(&json).ok(), Some(parsed));
    }

    #[test]
    fn the_defaults_carry_the_sir_numbers_and_cite_their_source() {
        let [low, high] = Thresholds::defaults();
        assert_eq!(
            (
                low.bleeding_risk,
                low.inr_max,
                low.platelets_min,
                low.egfr_min,
                low.lab_max_age_days
            ),
            (BleedingRisk::Low, Inr(300), 20, 30, 30)
        );
        assert_eq!(
            (
                high.bleeding_risk,
                high.inr_max,
                high.platelets_min,
                high.egfr_min,
                high.lab_max_age_days
            ),
            (BleedingRisk::High, Inr(180), 50, 30, 14)
        );
        for t in [low, high] {
            assert!(t.source.contains("SIR 2019") && t.source.contains("ESUR"));
            assert_eq!(
                Thresholds::parse(t.bleeding_risk, &t.to_input()),
                Ok(t.clone())
            );
        }
    }

    #[test]
    fn thresholds_refuse_insane_numbers_and_a_missing_source() {
        let input = ThresholdsInput {
            inr_max: "9".into(),
            platelets_min: "0".into(),
            egfr_min: "x".into(),
            lab_max_age_days: "365".into(),
            source: "  ".into(),
        };
        let errors = Thresholds::parse(BleedingRisk::High, &input).expect_err("invalid");
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "inr_max",
                "platelets_min",
                "egfr_min",
                "lab_max_age_days",
                "source"
            ]
        );
    }

    #[test]
    fn a_time_out_names_each_unconfirmed_check() {
        let errors = TimeOut::parse(&TimeOutInput {
            identity_confirmed: true,
            site_confirmed: false,
            side_confirmed: false,
            procedure_confirmed: true,
            notes: "".into(),
        })
        .expect_err("two checks missing");
        assert_eq!(
            errors.0,
            [
                FieldError::new("site_confirmed", Problem::Required),
                FieldError::new("side_confirmed", Problem::Required),
            ]
        );
        let confirmed = TimeOut::parse(&TimeOutInput {
            identity_confirmed: true,
            site_confirmed: true,
            side_confirmed: true,
            procedure_confirmed: true,
            notes: " Left kidney, lower pole. ".into(),
        })
        .expect("valid");
        assert_eq!(confirmed.notes.as_deref(), Some("Left kidney, lower pole."));
        let errors = TimeOut::parse(&TimeOutInput {
            notes: "x".repeat(NOTE_MAX + 1),
            ..TimeOutInput::default()
        })
        .expect_err("nothing confirmed");
        assert_eq!(errors.0.len(), 5);
    }
}
