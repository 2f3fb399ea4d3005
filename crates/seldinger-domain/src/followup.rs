//! Follow-up after a procedure: what is planned when the report is signed ([`plan`]), when
//! each item is due and when it is overdue, and what a recorded contact says.
//!
//! Every procedure gets a phone contact at day 7 and at day 30 (the study protocol's one
//! week and one month) and a post-procedure consultation about a month after; a thermal
//! ablation gets its imaging (CT or MRI) at one month; a portal vein embolization gets its
//! liver volumetry between three and six weeks. Each item is due from its day and overdue
//! after its window. A case can be closed once no item is still planned.

use serde::Deserialize;
use time::{Date, Duration};

use crate::catalog::{ProcedureFamily, ProcedureType};
use crate::invalid::{Collector, FieldError, Invalid, Problem};
use crate::text;
use crate::user::{Lang, string_enum};

pub const FINDINGS_MAX: usize = 5_000;
/// The catalog code of portal vein embolization.
pub const PORTAL_VEIN_EMBOLIZATION: &str = "EMB-PVE";

string_enum!(
    /// What kind of follow-up.
    Kind, "kind" {
        Contact = "contact",
        Consultation = "consultation",
        Imaging = "imaging",
        Volumetry = "volumetry",
    }
);

string_enum!(
    /// Where a follow-up item stands.
    Status, "status" {
        Planned = "planned",
        Done = "done",
        Unreachable = "unreachable",
        Missed = "missed",
    }
);

impl Status {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Self::Planned, Lang::Fr) => "prévu",
            (Self::Planned, Lang::En) => "planned",
            (Self::Done, Lang::Fr) => "fait",
            (Self::Done, Lang::En) => "done",
            (Self::Unreachable, Lang::Fr) => "injoignable",
            (Self::Unreachable, Lang::En) => "unreachable",
            (Self::Missed, Lang::Fr) => "manqué",
            (Self::Missed, Lang::En) => "missed",
        }
    }
}

/// One planned follow-up item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planned {
    /// Stable within a case: `d7`, `d30`, `consultation`, `imaging`, `volumetry`.
    pub code: &'static str,
    pub kind: Kind,
    pub due: Date,
    /// The last day of the window; overdue after it.
    pub window_end: Date,
}

/// The item's name as the worklists show it.
pub fn label(code: &str, lang: Lang) -> &'static str {
    match (code, lang) {
        ("d7", Lang::Fr) => "Appel à J7",
        ("d7", Lang::En) => "Day-7 call",
        ("d30", Lang::Fr) => "Appel à J30",
        ("d30", Lang::En) => "Day-30 call",
        ("consultation", Lang::Fr) => "Consultation post-procédure",
        ("consultation", Lang::En) => "Post-procedure consultation",
        ("imaging", Lang::Fr) => "Imagerie de contrôle à 1 mois",
        ("imaging", Lang::En) => "One-month imaging",
        ("volumetry", Lang::Fr) => "Volumétrie hépatique (3 à 6 semaines)",
        ("volumetry", Lang::En) => "Liver volumetry (3–6 weeks)",
        (_, Lang::Fr) => "Suivi",
        (_, Lang::En) => "Follow-up",
    }
}

/// The longest window of any planned item, in days from its due date to its last day:
/// an item due more than this many days ago is past its window. The due worklist reads
/// only this span of due dates.
pub const WINDOW_MAX_DAYS: i64 = 21;

/// The follow-up of a procedure of type `procedure` performed on `day`.
pub fn plan(procedure: &ProcedureType, day: Date) -> Vec<Planned> {
    let at = |code, kind, due: i64, end: i64| Planned {
        code,
        kind,
        due: day + Duration::days(due),
        window_end: day + Duration::days(end),
    };
    let mut items = vec![
        at("d7", Kind::Contact, 7, 10),
        at("d30", Kind::Contact, 30, 37),
        at("consultation", Kind::Consultation, 30, 45),
    ];
    if procedure.family == ProcedureFamily::Ablation {
        items.push(at("imaging", Kind::Imaging, 28, 42));
    }
    if procedure.code.as_str() == PORTAL_VEIN_EMBOLIZATION {
        items.push(at("volumetry", Kind::Volumetry, 21, 42));
    }
    items.sort_by_key(|i| (i.due, i.code));
    items
}

/// Whether a planned item is overdue on `today`.
pub fn is_overdue(status: Status, window_end: Date, today: Date) -> bool {
    status == Status::Planned && today > window_end
}

/// Whether a case whose follow-up items stand at `statuses` may be closed.
pub fn is_complete(statuses: &[Status]) -> bool {
    statuses.iter().all(|s| *s != Status::Planned)
}

/// A contact as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    /// `done`, `unreachable` or `missed`.
    #[serde(default)]
    pub status: String,
    /// The day of the contact (defaults to today).
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub findings: String,
}

/// A recorded contact, valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    pub status: Status,
    pub date: Date,
    pub findings: Option<String>,
}

impl Contact {
    /// Checks a contact for a procedure performed on `performed`, `today` being the
    /// department's date. A contact that took place says what was found.
    pub fn parse(input: &ContactInput, performed: Date, today: Date) -> Result<Self, Invalid> {
        let mut errors = Collector::default();
        let status = match Status::parse(&input.status) {
            Ok(Status::Planned) => {
                errors.push(FieldError::new(
                    "status",
                    Problem::NotOneOf {
                        allowed: vec!["done", "unreachable", "missed"],
                    },
                ));
                None
            }
            other => errors.check(other),
        };
        let date = if input.date.trim().is_empty() {
            Some(today)
        } else {
            errors.check(crate::patient::parse_date("date", &input.date))
        };
        if let Some(date) = date {
            if date > today {
                errors.push(FieldError::new("date", Problem::DateInFuture));
            } else if date < performed {
                errors.push(FieldError::new(
                    "date",
                    Problem::DateTooOld {
                        earliest: performed.to_string(),
                    },
                ));
            }
        }
        let findings = errors
            .check(text::free_text("findings", &input.findings, FINDINGS_MAX))
            .flatten();
        if status == Some(Status::Done) && findings.is_none() {
            errors.push(FieldError::new("findings", Problem::Required));
        }
        errors.finish()?;
        match (status, date) {
            (Some(status), Some(date)) => Ok(Self {
                status,
                date,
                findings,
            }),
            _ => Err(Invalid(Vec::new())),
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::catalog;

    fn procedure(code: &str) -> ProcedureType {
        catalog::seed()
            .unwrap()
            .into_iter()
            .find(|p| p.code.as_str() == code)
            .unwrap()
    }

    const DAY: Date = date!(2026 - 11 - 02);

    #[test]
    fn every_procedure_gets_its_calls_and_a_consultation() {
        let items = plan(&procedure("BIO-LUNG-CT"), DAY);
        let codes: Vec<&str> = items.iter().map(|i| i.code).collect();
        assert_eq!(codes, ["d7", "consultation", "d30"]);
        assert_eq!(items[0].due, date!(2026 - 11 - 09));
        assert_eq!(items[2].due, date!(2026 - 12 - 02));
    }

    #[test]
    fn ablations_get_imaging_and_portal_vein_embolization_volumetry() {
        let codes: Vec<&str> = plan(&procedure("ABL-LIVER-MW"), DAY)
            .iter()
            .map(|i| i.code)
            .collect();
        assert!(codes.contains(&"imaging"));
        let pve = plan(&procedure(PORTAL_VEIN_EMBOLIZATION), DAY);
        let volumetry = pve.iter().find(|i| i.code == "volumetry").unwrap();
        assert_eq!(volumetry.due, DAY + Duration::weeks(3));
        assert_eq!(volumetry.window_end, DAY + Duration::weeks(6));
        assert!(!pve.iter().any(|i| i.code == "imaging"));
    }

    #[test]
    fn no_window_is_longer_than_the_longest_the_worklist_reads() {
        for procedure in catalog::seed().unwrap() {
            for item in plan(&procedure, DAY) {
                let days = (item.window_end - item.due).whole_days();
                assert!(
                    (0..=WINDOW_MAX_DAYS).contains(&days),
                    "{} of {}: {days} days",
                    item.code,
                    procedure.code.as_str()
                );
            }
        }
    }

    #[test]
    fn overdue_after_the_window_while_planned() {
        let end = date!(2026 - 11 - 12);
        assert!(!is_overdue(Status::Planned, end, end));
        assert!(is_overdue(Status::Planned, end, date!(2026 - 11 - 13)));
        assert!(!is_overdue(Status::Done, end, date!(2026 - 11 - 13)));
        assert!(!is_complete(&[Status::Done, Status::Planned]));
        assert!(is_complete(&[
            Status::Done,
            Status::Unreachable,
            Status::Missed
        ]));
    }

    #[test]
    fn a_contact_that_took_place_says_what_was_found() {
        let today = date!(2026 - 11 - 10);
        let err = Contact::parse(
            &ContactInput {
                status: "done".into(),
                ..ContactInput::default()
            },
            DAY,
            today,
        )
        .unwrap_err();
        assert!(err.for_field("findings").is_some());
        let c = Contact::parse(
            &ContactInput {
                status: "unreachable".into(),
                ..ContactInput::default()
            },
            DAY,
            today,
        )
        .unwrap();
        assert_eq!(c.date, today);
        for (status, date) in [
            ("planned", ""),
            ("done", "2026-11-11"),
            ("done", "2026-11-01"),
        ] {
            assert!(
                Contact::parse(
                    &ContactInput {
                        status: status.into(),
                        date: date.into(),
                        findings: "ok".into()
                    },
                    DAY,
                    today
                )
                .is_err(),
                "{status} {date}"
            );
        }
    }
}
