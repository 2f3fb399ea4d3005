//! Specimens and their pathology results. A specimen is created when the report that
//! lists it is signed; the pathologist records one result per specimen: adequacy,
//! category, histology and the date of the result. The turnaround is counted in days from
//! the procedure to the result.

use serde::Deserialize;
use time::Date;

use crate::invalid::{Collector, FieldError, Invalid, Problem};
use crate::text;
use crate::user::{Lang, string_enum};

pub const HISTOLOGY_MAX: usize = 10_000;

string_enum!(
    /// Whether the specimen allowed a diagnosis.
    Adequacy, "adequacy" { Adequate = "adequate", Inadequate = "inadequate" }
);

string_enum!(
    /// What the pathologist concluded.
    Category, "category" {
        Benign = "benign",
        Malignant = "malignant",
        Indeterminate = "indeterminate",
        NonDiagnostic = "non_diagnostic",
    }
);

impl Adequacy {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Self::Adequate, Lang::Fr) => "contributif",
            (Self::Adequate, Lang::En) => "adequate",
            (Self::Inadequate, Lang::Fr) => "non contributif",
            (Self::Inadequate, Lang::En) => "inadequate",
        }
    }
}

impl Category {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Self::Benign, Lang::Fr) => "bénin",
            (Self::Benign, Lang::En) => "benign",
            (Self::Malignant, Lang::Fr) => "malin",
            (Self::Malignant, Lang::En) => "malignant",
            (Self::Indeterminate, Lang::Fr) => "indéterminé",
            (Self::Indeterminate, Lang::En) => "indeterminate",
            (Self::NonDiagnostic, Lang::Fr) => "non diagnostique",
            (Self::NonDiagnostic, Lang::En) => "non-diagnostic",
        }
    }
}

/// A result as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultInput {
    #[serde(default)]
    pub adequacy: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub histology: String,
    /// The date of the pathology report.
    #[serde(default)]
    pub result_date: String,
}

/// A pathology result, valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathologyResult {
    pub adequacy: Adequacy,
    pub category: Category,
    pub histology: Option<String>,
    pub result_date: Date,
}

impl PathologyResult {
    /// Checks a result for a specimen taken on `collected`, `today` being the
    /// department's date. An inadequate specimen is non-diagnostic, and the reverse; a
    /// diagnosis (benign, malignant) needs its histology.
    pub fn parse(input: &ResultInput, collected: Date, today: Date) -> Result<Self, Invalid> {
        let mut errors = Collector::default();
        let adequacy = errors.check(Adequacy::parse(&input.adequacy));
        let category = errors.check(Category::parse(&input.category));
        let histology = errors
            .check(text::free_text(
                "histology",
                &input.histology,
                HISTOLOGY_MAX,
            ))
            .flatten();
        let result_date = errors.check(crate::patient::parse_date(
            "result_date",
            &input.result_date,
        ));
        if let Some(date) = result_date {
            if date > today {
                errors.push(FieldError::new("result_date", Problem::DateInFuture));
            } else if date < collected {
                errors.push(FieldError::new(
                    "result_date",
                    Problem::DateTooOld {
                        earliest: collected.to_string(),
                    },
                ));
            }
        }
        if let (Some(adequacy), Some(category)) = (adequacy, category)
            && (adequacy == Adequacy::Inadequate) != (category == Category::NonDiagnostic)
        {
            errors.push(FieldError::new(
                "category",
                Problem::BadFormat {
                    expected: "non_diagnostic exactly when the specimen is inadequate",
                },
            ));
        }
        if matches!(category, Some(Category::Benign | Category::Malignant)) && histology.is_none() {
            errors.push(FieldError::new("histology", Problem::Required));
        }
        errors.finish()?;
        match (adequacy, category, result_date) {
            (Some(adequacy), Some(category), Some(result_date)) => Ok(Self {
                adequacy,
                category,
                histology,
                result_date,
            }),
            _ => Err(Invalid(Vec::new())),
        }
    }
}

/// Days from the procedure to the result.
pub fn turnaround_days(collected: Date, result: Date) -> i64 {
    (result - collected).whole_days()
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn input() -> ResultInput {
        ResultInput {
            adequacy: "adequate".into(),
            category: "malignant".into(),
            histology: "Adénocarcinome pulmonaire, TTF1+.".into(),
            result_date: "2026-11-27".into(),
        }
    }

    const TAKEN: Date = date!(2026 - 11 - 24);
    const TODAY: Date = date!(2026 - 11 - 30);

    #[test]
    fn a_result_with_its_turnaround() {
        let r = PathologyResult::parse(&input(), TAKEN, TODAY).unwrap();
        assert_eq!(r.category, Category::Malignant);
        assert_eq!(turnaround_days(TAKEN, r.result_date), 3);
    }

    #[test]
    fn adequacy_and_category_agree() {
        let mut i = input();
        i.adequacy = "inadequate".into();
        assert!(PathologyResult::parse(&i, TAKEN, TODAY).is_err());
        i.category = "non_diagnostic".into();
        i.histology = String::new();
        assert!(PathologyResult::parse(&i, TAKEN, TODAY).is_ok());
        i.adequacy = "adequate".into();
        assert!(PathologyResult::parse(&i, TAKEN, TODAY).is_err());
    }

    #[test]
    fn a_diagnosis_needs_histology_and_a_plausible_date() {
        let mut i = input();
        i.histology = String::new();
        let err = PathologyResult::parse(&i, TAKEN, TODAY).unwrap_err();
        assert!(err.for_field("histology").is_some());
        let mut i = input();
        i.result_date = "2026-11-23".into();
        assert!(PathologyResult::parse(&i, TAKEN, TODAY).is_err());
        i.result_date = "2026-12-01".into();
        let err = PathologyResult::parse(&i, TAKEN, TODAY).unwrap_err();
        assert_eq!(
            err.for_field("result_date").map(|e| &e.problem),
            Some(&Problem::DateInFuture)
        );
        let err = PathologyResult::parse(&ResultInput::default(), TAKEN, TODAY).unwrap_err();
        for field in ["adequacy", "category", "result_date"] {
            assert!(err.for_field(field).is_some(), "{field}");
        }
    }
}
