//! Consultations: the IR pre-procedure consultation (information, risks, alternatives,
//! consent), the anesthesia consultation, and post-procedure consultations. A
//! consultation is booked in a clinic slot, then recorded once; a recorded consultation
//! is a clinical record and does not change. Consent is kept as its own history
//! ([`ConsentDecision`]): given at a consultation, withdrawn later if the patient says so.

use serde::Deserialize;
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime};

use crate::invalid::{Collector, FieldError, Invalid, Problem};
use crate::text;
use crate::user::{Lang, string_enum};

string_enum!(
    /// Which consultation.
    ConsultationKind, "kind" {
        IrPre = "ir_pre",
        Anesthesia = "anesthesia",
        PostProcedure = "post_procedure",
    }
);

string_enum!(
    /// Where a consultation stands.
    ConsultationStatus, "status" {
        Booked = "booked",
        Done = "done",
        Missed = "missed",
        Cancelled = "cancelled",
    }
);

string_enum!(
    /// The patient's decision on the procedure.
    ConsentDecision, "consent" { Given = "given", Refused = "refused", Withdrawn = "withdrawn" }
);

pub const DURATION_DEFAULT: i64 = 30;
pub const NOTES_MAX: usize = 5_000;

/// A consultation to book, as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsultationBookingInput {
    #[serde(default)]
    pub kind: String,
    /// The clinician's username.
    #[serde(default)]
    pub clinician: String,
    /// Local wall-clock time, `YYYY-MM-DDTHH:MM`.
    #[serde(default)]
    pub starts_at: String,
    #[serde(default)]
    pub duration_minutes: Option<u32>,
}

/// A consultation to book, valid; the clinician is still a username for the store to
/// resolve, the start still local time for the web layer to place in the zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsultationBooking {
    pub kind: ConsultationKind,
    pub clinician: String,
    pub starts_at: PrimitiveDateTime,
    pub duration: Duration,
}

impl ConsultationBooking {
    pub fn parse(input: &ConsultationBookingInput) -> Result<Self, Invalid> {
        let mut errors = Collector::default();
        let kind = errors.check(ConsultationKind::parse(&input.kind));
        let clinician = input.clinician.trim().to_lowercase();
        if clinician.is_empty() {
            errors.push(FieldError::new("clinician", Problem::Required));
        }
        let starts_at = errors.check(crate::localtime::parse_local_datetime(
            "starts_at",
            &input.starts_at,
        ));
        let minutes = i64::from(input.duration_minutes.unwrap_or(DURATION_DEFAULT as u32));
        if !(5..=240).contains(&minutes) {
            errors.push(FieldError::new(
                "duration_minutes",
                Problem::BadFormat {
                    expected: "minutes, from 5 to 240",
                },
            ));
        }
        errors.finish()?;
        match (kind, starts_at) {
            (Some(kind), Some(starts_at)) => Ok(Self {
                kind,
                clinician,
                starts_at,
                duration: Duration::minutes(minutes),
            }),
            _ => Err(Invalid(Vec::new())),
        }
    }
}

/// What was said and decided at a consultation, as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsultationRecordInput {
    /// `done` or `missed`.
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub information_sheet_given: bool,
    /// The language of the sheet handed over (`fr`, `en`).
    #[serde(default)]
    pub sheet_language: String,
    #[serde(default)]
    pub risks_explained: String,
    #[serde(default)]
    pub alternatives_discussed: String,
    /// `given`, `refused`, or empty when consent is not asked at this consultation.
    #[serde(default)]
    pub consent: String,
    /// The date consent was signed or refused (defaults to the consultation's day).
    #[serde(default)]
    pub consent_date: String,
    #[serde(default)]
    pub notes: String,
}

/// A recorded consultation, valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsultationRecord {
    pub outcome: ConsultationStatus,
    /// The sheet's language when one was handed over.
    pub information_sheet: Option<Lang>,
    pub risks_explained: Option<String>,
    pub alternatives_discussed: Option<String>,
    pub consent: Option<(ConsentDecision, Date)>,
    pub notes: Option<String>,
}

impl ConsultationRecord {
    /// Checks a record for a consultation of `kind` held on `day`, now being `now`.
    /// An IR pre-procedure consultation that took place must say which risks were
    /// explained; consent, when recorded, is given or refused (withdrawal is recorded on
    /// the case later), and not dated in the future.
    pub fn parse(
        input: &ConsultationRecordInput,
        kind: ConsultationKind,
        day: Date,
        now: OffsetDateTime,
    ) -> Result<Self, Invalid> {
        let mut errors = Collector::default();
        let outcome = match input.outcome.trim() {
            "" | "done" => Some(ConsultationStatus::Done),
            "missed" => Some(ConsultationStatus::Missed),
            _ => {
                errors.push(FieldError::new(
                    "outcome",
                    Problem::NotOneOf {
                        allowed: vec!["done", "missed"],
                    },
                ));
                None
            }
        };
        let done = outcome == Some(ConsultationStatus::Done);
        let information_sheet = if input.information_sheet_given && done {
            errors.check(
                input
                    .sheet_language
                    .trim()
                    .parse::<Lang>()
                    .map_err(|e| FieldError::new("sheet_language", e.problem)),
            )
        } else {
            None
        };
        let risks_explained = errors
            .check(text::free_text(
                "risks_explained",
                &input.risks_explained,
                NOTES_MAX,
            ))
            .flatten();
        if done && kind == ConsultationKind::IrPre && risks_explained.is_none() {
            errors.push(FieldError::new("risks_explained", Problem::Required));
        }
        let alternatives_discussed = errors
            .check(text::free_text(
                "alternatives_discussed",
                &input.alternatives_discussed,
                NOTES_MAX,
            ))
            .flatten();
        let decision = match input.consent.trim() {
            "" => None,
            "given" => Some(ConsentDecision::Given),
            "refused" => Some(ConsentDecision::Refused),
            _ => {
                errors.push(FieldError::new(
                    "consent",
                    Problem::NotOneOf {
                        allowed: vec!["given", "refused"],
                    },
                ));
                None
            }
        };
        if decision.is_some() && !done {
            errors.push(FieldError::new(
                "consent",
                Problem::BadFormat {
                    expected: "no consent at a missed consultation",
                },
            ));
        }
        let consent_date = if input.consent_date.trim().is_empty() {
            Some(day)
        } else {
            errors.check(
                crate::patient::parse_date("consent_date", &input.consent_date).and_then(|d| {
                    if d > now.date() {
                        Err(FieldError::new("consent_date", Problem::DateInFuture))
                    } else {
                        Ok(d)
                    }
                }),
            )
        };
        let notes = errors
            .check(text::free_text("notes", &input.notes, NOTES_MAX))
            .flatten();
        errors.finish()?;
        let outcome = outcome.ok_or_else(|| Invalid(Vec::new()))?;
        Ok(Self {
            outcome,
            information_sheet,
            risks_explained,
            alternatives_discussed,
            consent: decision.zip(consent_date),
            notes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn an_ir_consultation_must_say_which_risks_were_explained() {
        let input = ConsultationRecordInput {
            information_sheet_given: true,
            sheet_language: "fr".into(),
            consent: "given".into(),
            ..Default::default()
        };
        let now = datetime!(2026-11-22 10:00 UTC);
        let errors = ConsultationRecord::parse(&input, ConsultationKind::IrPre, now.date(), now)
            .expect_err("risks missing");
        assert!(errors.for_field("risks_explained").is_some());
        let ok = ConsultationRecord::parse(
            &ConsultationRecordInput {
                risks_explained: "Pneumothorax (20 %), saignement.".into(),
                ..input
            },
            ConsultationKind::IrPre,
            now.date(),
            now,
        )
        .expect("valid");
        assert_eq!(
            ok.consent,
            Some((ConsentDecision::Given, date!(2026 - 11 - 22)))
        );
        assert_eq!(ok.information_sheet, Some(Lang::Fr));
    }

    #[test]
    fn a_missed_consultation_records_no_consent() {
        let now = datetime!(2026-11-22 10:00 UTC);
        let input = ConsultationRecordInput {
            outcome: "missed".into(),
            consent: "given".into(),
            ..Default::default()
        };
        let errors = ConsultationRecord::parse(&input, ConsultationKind::IrPre, now.date(), now)
            .expect_err("no consent when missed");
        assert!(errors.for_field("consent").is_some());
    }

    #[test]
    fn bookings_need_a_kind_a_clinician_and_a_time() {
        let errors = ConsultationBooking::parse(&ConsultationBookingInput {
            duration_minutes: Some(1),
            ..Default::default()
        })
        .expect_err("empty");
        for field in ["kind", "clinician", "starts_at", "duration_minutes"] {
            assert!(errors.for_field(field).is_some(), "{field} in {errors}");
        }
    }
}
