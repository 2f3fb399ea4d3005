//! Adverse events: what went wrong during or after a procedure, how bad it was, whether it
//! was serious, whether the procedure (or a device under study) caused it, what was done
//! and how it ended.
//!
//! Terms come from an editable list ([`DEFAULT_TERMS`] seeds it). Grades are codes of
//! versioned grading systems ([`GradeSystem`]), so that a later revision can live beside
//! the one a past event was graded with:
//! - CIRSE 2017, required on every event: Filippiadis DK et al., "Cardiovascular and
//!   Interventional Radiological Society of Europe Standards of Practice: the CIRSE
//!   classification system for complications", Cardiovasc Intervent Radiol 2017;40:
//!   1141–1146 — grades 1 to 6;
//! - SIR 2017, optional: Khalilzadeh O et al., "Proposal of a new adverse event
//!   classification by the Society of Interventional Radiology Standards Division",
//!   J Vasc Interv Radiol 2017;28:1432–1437 — mild to death;
//! - CTCAE v5.0, optional: NCI Common Terminology Criteria for Adverse Events, version 5.0
//!   (2017) — grades 1 to 5.
//!
//! The phase is not typed: it follows from the onset and the procedure's times
//! ([`Phase::of`]). A serious event starts a reporting clock ([`report_due`]).

use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime};

use crate::invalid::{Collector, FieldError, Invalid, Problem};
use crate::text;
use crate::user::{Lang, string_enum};

/// The longest term code, description, action note and outcome note.
pub const CODE_MAX: usize = 32;
pub const NOTE_MAX: usize = 2_000;
/// Hours to report a serious event, unless the department says otherwise.
pub const REPORTING_HOURS_DEFAULT: u32 = 24;

string_enum!(
    /// When the event began, relative to the procedure.
    Phase, "phase" {
        IntraProcedural = "intra_procedural",
        Within24h = "within_24h",
        Within7d = "within_7d",
        Within30d = "within_30d",
        Later = "later",
    }
);

impl Phase {
    /// The phase of an event that began at `onset`, for a procedure that ended at `end`.
    pub fn of(onset: OffsetDateTime, end: OffsetDateTime) -> Phase {
        let after = onset - end;
        if after <= Duration::ZERO {
            Phase::IntraProcedural
        } else if after <= Duration::hours(24) {
            Phase::Within24h
        } else if after <= Duration::days(7) {
            Phase::Within7d
        } else if after <= Duration::days(30) {
            Phase::Within30d
        } else {
            Phase::Later
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Phase::IntraProcedural, Lang::Fr) => "per-procédure",
            (Phase::IntraProcedural, Lang::En) => "intra-procedural",
            (Phase::Within24h, Lang::Fr) => "≤ 24 h",
            (Phase::Within24h, Lang::En) => "≤ 24 h",
            (Phase::Within7d, Lang::Fr) => "≤ 7 jours",
            (Phase::Within7d, Lang::En) => "≤ 7 days",
            (Phase::Within30d, Lang::Fr) => "≤ 30 jours",
            (Phase::Within30d, Lang::En) => "≤ 30 days",
            (Phase::Later, Lang::Fr) => "au-delà de 30 jours",
            (Phase::Later, Lang::En) => "after 30 days",
        }
    }
}

string_enum!(
    /// Why an event is serious (ICH E2A criteria).
    SeriousCriterion, "serious_criteria" {
        Death = "death",
        LifeThreatening = "life_threatening",
        Hospitalisation = "hospitalisation",
        Disability = "disability",
        OtherImportant = "other_important",
    }
);

impl SeriousCriterion {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Self::Death, Lang::Fr) => "décès",
            (Self::Death, Lang::En) => "death",
            (Self::LifeThreatening, Lang::Fr) => "mise en jeu du pronostic vital",
            (Self::LifeThreatening, Lang::En) => "life-threatening",
            (Self::Hospitalisation, Lang::Fr) => "hospitalisation ou sa prolongation",
            (Self::Hospitalisation, Lang::En) => "hospitalisation or its prolongation",
            (Self::Disability, Lang::Fr) => "invalidité ou incapacité",
            (Self::Disability, Lang::En) => "disability or incapacity",
            (Self::OtherImportant, Lang::Fr) => "autre événement médicalement important",
            (Self::OtherImportant, Lang::En) => "other important medical event",
        }
    }
}

string_enum!(
    /// How likely the procedure (or the device) caused the event.
    Relatedness, "relatedness" {
        NotRelated = "not_related",
        Unlikely = "unlikely",
        Possible = "possible",
        Probable = "probable",
        Definite = "definite",
    }
);

impl Relatedness {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Self::NotRelated, Lang::Fr) => "non lié",
            (Self::NotRelated, Lang::En) => "not related",
            (Self::Unlikely, Lang::Fr) => "peu probable",
            (Self::Unlikely, Lang::En) => "unlikely",
            (Self::Possible, Lang::Fr) => "possible",
            (Self::Possible, Lang::En) => "possible",
            (Self::Probable, Lang::Fr) => "probable",
            (Self::Probable, Lang::En) => "probable",
            (Self::Definite, Lang::Fr) => "certain",
            (Self::Definite, Lang::En) => "definite",
        }
    }
}

string_enum!(
    /// What was done about the event.
    Action, "action" {
        None = "none",
        Observation = "observation",
        Medication = "medication",
        Transfusion = "transfusion",
        Drainage = "drainage",
        Embolization = "embolization",
        Surgery = "surgery",
        Other = "other",
    }
);

impl Action {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Self::None, Lang::Fr) => "aucune",
            (Self::None, Lang::En) => "none",
            (Self::Observation, Lang::Fr) => "surveillance prolongée",
            (Self::Observation, Lang::En) => "prolonged observation",
            (Self::Medication, Lang::Fr) => "traitement médical",
            (Self::Medication, Lang::En) => "medication",
            (Self::Transfusion, Lang::Fr) => "transfusion",
            (Self::Transfusion, Lang::En) => "transfusion",
            (Self::Drainage, Lang::Fr) => "drainage",
            (Self::Drainage, Lang::En) => "drainage",
            (Self::Embolization, Lang::Fr) => "embolisation",
            (Self::Embolization, Lang::En) => "embolization",
            (Self::Surgery, Lang::Fr) => "chirurgie",
            (Self::Surgery, Lang::En) => "surgery",
            (Self::Other, Lang::Fr) => "autre",
            (Self::Other, Lang::En) => "other",
        }
    }
}

string_enum!(
    /// How the event ended (or stands).
    Outcome, "outcome" {
        Resolved = "resolved",
        Resolving = "resolving",
        NotResolved = "not_resolved",
        ResolvedWithSequelae = "resolved_with_sequelae",
        Fatal = "fatal",
        Unknown = "unknown",
    }
);

impl Outcome {
    /// Outcomes that end the event, and so carry a resolution date.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Outcome::Resolved | Outcome::ResolvedWithSequelae | Outcome::Fatal
        )
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Self::Resolved, Lang::Fr) => "résolu",
            (Self::Resolved, Lang::En) => "resolved",
            (Self::Resolving, Lang::Fr) => "en cours de résolution",
            (Self::Resolving, Lang::En) => "resolving",
            (Self::NotResolved, Lang::Fr) => "non résolu",
            (Self::NotResolved, Lang::En) => "not resolved",
            (Self::ResolvedWithSequelae, Lang::Fr) => "résolu avec séquelles",
            (Self::ResolvedWithSequelae, Lang::En) => "resolved with sequelae",
            (Self::Fatal, Lang::Fr) => "décès",
            (Self::Fatal, Lang::En) => "fatal",
            (Self::Unknown, Lang::Fr) => "inconnu",
            (Self::Unknown, Lang::En) => "unknown",
        }
    }
}

/// One grade of a grading system, in both languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grade {
    pub code: String,
    /// Severity order within the system (1 is the mildest).
    pub rank: u8,
    pub label_fr: String,
    pub label_en: String,
    /// The event is fatal at this grade.
    #[serde(default)]
    pub death: bool,
}

/// A versioned grading system: its grades and where they come from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeSystem {
    /// `cirse`, `sir`, `ctcae`.
    pub system: String,
    /// `2017`, `5.0`.
    pub version: String,
    pub name: String,
    pub source: String,
    /// Every event must carry a grade of this system.
    pub required: bool,
    pub grades: Vec<Grade>,
}

impl GradeSystem {
    pub fn grade(&self, code: &str) -> Option<&Grade> {
        self.grades.iter().find(|g| g.code == code)
    }
}

fn grade(code: &str, rank: u8, fr: &str, en: &str) -> Grade {
    Grade {
        code: code.into(),
        rank,
        label_fr: fr.into(),
        label_en: en.into(),
        death: false,
    }
}

fn fatal(mut g: Grade) -> Grade {
    g.death = true;
    g
}

/// The grading systems seeded by the migrations (paraphrased definitions; the sources
/// are cited).
pub fn default_systems() -> Vec<GradeSystem> {
    vec![
        GradeSystem {
            system: "cirse".into(),
            version: "2017".into(),
            name: "CIRSE classification system for complications".into(),
            source: "Filippiadis DK et al., Cardiovasc Intervent Radiol 2017;40:1141–1146".into(),
            required: true,
            grades: vec![
                grade(
                    "1",
                    1,
                    "1 — résolu pendant la procédure, sans traitement ni suite",
                    "1 — solved within the same session; no further therapy or sequelae",
                ),
                grade(
                    "2",
                    2,
                    "2 — surveillance prolongée (< 48 h), sans traitement ni séquelle",
                    "2 — prolonged observation (< 48 h); no further therapy or sequelae",
                ),
                grade(
                    "3",
                    3,
                    "3 — traitement supplémentaire ou séjour prolongé (> 48 h), sans séquelle",
                    "3 — additional therapy or prolonged stay (> 48 h); no sequelae",
                ),
                grade(
                    "4",
                    4,
                    "4 — séquelle permanente légère",
                    "4 — permanent mild sequelae",
                ),
                grade(
                    "5",
                    5,
                    "5 — séquelle permanente sévère",
                    "5 — permanent severe sequelae",
                ),
                fatal(grade("6", 6, "6 — décès", "6 — death")),
            ],
        },
        GradeSystem {
            system: "sir".into(),
            version: "2017".into(),
            name: "SIR adverse event classification".into(),
            source: "Khalilzadeh O et al., J Vasc Interv Radiol 2017;28:1432–1437".into(),
            required: false,
            grades: vec![
                grade("mild", 1, "léger", "mild"),
                grade("moderate", 2, "modéré", "moderate"),
                grade("severe", 3, "sévère", "severe"),
                grade(
                    "life_threatening",
                    4,
                    "menace vitale ou invalidant",
                    "life-threatening or disabling",
                ),
                fatal(grade("death", 5, "décès", "death")),
            ],
        },
        GradeSystem {
            system: "ctcae".into(),
            version: "5.0".into(),
            name: "Common Terminology Criteria for Adverse Events".into(),
            source: "NCI CTCAE version 5.0, 27 November 2017".into(),
            required: false,
            grades: vec![
                grade("1", 1, "1 — léger", "1 — mild"),
                grade("2", 2, "2 — modéré", "2 — moderate"),
                grade("3", 3, "3 — sévère", "3 — severe"),
                grade("4", 4, "4 — menace vitale", "4 — life-threatening"),
                fatal(grade("5", 5, "5 — décès", "5 — death")),
            ],
        },
    ]
}

/// An adverse-event term of the department's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    pub code: String,
    pub name_fr: String,
    pub name_en: String,
    pub active: bool,
}

impl Term {
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fr => &self.name_fr,
            Lang::En => &self.name_en,
        }
    }
}

/// The terms seeded by the migrations: `(code, French, English)`.
pub const DEFAULT_TERMS: &[(&str, &str, &str)] = &[
    (
        "bleeding",
        "Saignement ou hématome",
        "Bleeding or haematoma",
    ),
    (
        "pneumothorax",
        "Pneumothorax sans drain",
        "Pneumothorax without drain",
    ),
    (
        "pneumothorax_drain",
        "Pneumothorax drainé",
        "Pneumothorax with drain",
    ),
    ("infection", "Infection ou abcès", "Infection or abscess"),
    ("pain", "Douleur", "Pain"),
    ("bile_leak", "Fuite biliaire", "Bile leak"),
    ("thermal_injury", "Lésion thermique", "Thermal injury"),
    (
        "contrast_reaction",
        "Réaction au produit de contraste",
        "Contrast reaction",
    ),
    ("vasovagal", "Malaise vagal", "Vasovagal reaction"),
    (
        "post_embolization_syndrome",
        "Syndrome post-embolisation",
        "Post-embolization syndrome",
    ),
    ("other", "Autre", "Other"),
];

/// A term as typed by an administrator.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermInput {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name_fr: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl Term {
    pub fn parse(input: &TermInput) -> Result<Term, Invalid> {
        let mut errors = Collector::default();
        let code = input.code.trim().to_lowercase();
        if code.is_empty() {
            errors.push(FieldError::new("code", Problem::Required));
        } else if code.len() > CODE_MAX
            || !code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            errors.push(FieldError::new(
                "code",
                Problem::BadFormat {
                    expected: "lower-case letters, digits and _, at most 32",
                },
            ));
        }
        let mut name =
            |field: &str, raw: &str| match errors.check(text::free_text(field, raw, 120)).flatten()
            {
                Some(n) => n,
                None => {
                    errors.push(FieldError::new(field, Problem::Required));
                    String::new()
                }
            };
        let name_fr = name("name_fr", &input.name_fr);
        let name_en = name("name_en", &input.name_en);
        errors.finish()?;
        Ok(Term {
            code,
            name_fr,
            name_en,
            active: input.active,
        })
    }
}

/// An adverse event as typed (form or JSON). Grades are codes of the current version of
/// each system: `cirse_grade` is required, the others optional.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    #[serde(default)]
    pub term: String,
    /// Details when the term is `other`, or any precision.
    #[serde(default)]
    pub description: String,
    /// Local wall-clock time, `YYYY-MM-DDTHH:MM`.
    #[serde(default)]
    pub onset: String,
    #[serde(default)]
    pub cirse_grade: String,
    #[serde(default)]
    pub sir_grade: String,
    #[serde(default)]
    pub ctcae_grade: String,
    #[serde(default)]
    pub serious: bool,
    #[serde(default)]
    pub serious_criteria: Vec<String>,
    #[serde(default)]
    pub related_to_procedure: String,
    /// Empty when no device under study was used.
    #[serde(default)]
    pub related_to_device: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub action_note: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub resolution_date: String,
}

/// A grade given in one system, at one version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Graded {
    pub system: String,
    pub version: String,
    pub code: String,
}

/// An adverse event, valid. The onset is still local time: the caller places it in the
/// department's zone (and has checked it against the procedure with [`check_onset`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub term: String,
    pub description: Option<String>,
    pub onset: PrimitiveDateTime,
    pub grades: Vec<Graded>,
    pub serious: bool,
    pub serious_criteria: Vec<SeriousCriterion>,
    pub related_to_procedure: Relatedness,
    pub related_to_device: Option<Relatedness>,
    pub action: Action,
    pub action_note: Option<String>,
    pub outcome: Outcome,
    pub resolution_date: Option<Date>,
}

impl Event {
    /// Checks an event against the department's terms and grading systems (the current
    /// version of each), `today` being the department's date.
    pub fn parse(
        input: &EventInput,
        terms: &[Term],
        systems: &[GradeSystem],
        today: Date,
    ) -> Result<Event, Invalid> {
        let mut errors = Collector::default();
        let term = input.term.trim().to_string();
        if term.is_empty() {
            errors.push(FieldError::new("term", Problem::Required));
        } else if !terms.iter().any(|t| t.code == term && t.active) {
            errors.push(FieldError::new(
                "term",
                if terms.iter().any(|t| t.code == term) {
                    Problem::Withdrawn
                } else {
                    Problem::NoSuchRecord
                },
            ));
        }
        let description = errors
            .check(text::free_text("description", &input.description, NOTE_MAX))
            .flatten();
        if term == "other" && description.is_none() {
            errors.push(FieldError::new("description", Problem::Required));
        }
        let onset = errors.check(crate::localtime::parse_local_datetime(
            "onset",
            &input.onset,
        ));
        if let Some(onset) = onset
            && onset.date() > today
        {
            errors.push(FieldError::new("onset", Problem::DateInFuture));
        }
        let mut grades = Vec::new();
        let mut fatal_grade = false;
        for (field, system, raw) in [
            ("cirse_grade", "cirse", &input.cirse_grade),
            ("sir_grade", "sir", &input.sir_grade),
            ("ctcae_grade", "ctcae", &input.ctcae_grade),
        ] {
            let Some(found) = current(systems, system) else {
                continue;
            };
            let raw = raw.trim();
            if raw.is_empty() {
                if found.required {
                    errors.push(FieldError::new(field, Problem::Required));
                }
                continue;
            }
            match found.grade(raw) {
                Some(g) => {
                    fatal_grade |= g.death;
                    grades.push(Graded {
                        system: found.system.clone(),
                        version: found.version.clone(),
                        code: g.code.clone(),
                    });
                }
                None => errors.push(FieldError::new(
                    field,
                    Problem::NotListed {
                        allowed: found
                            .grades
                            .iter()
                            .map(|g| g.code.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    },
                )),
            }
        }
        let mut serious_criteria = Vec::new();
        for raw in &input.serious_criteria {
            if raw.trim().is_empty() {
                continue;
            }
            if let Some(c) = errors.check(SeriousCriterion::parse(raw))
                && !serious_criteria.contains(&c)
            {
                serious_criteria.push(c);
            }
        }
        serious_criteria.sort();
        if input.serious && serious_criteria.is_empty() {
            errors.push(FieldError::new("serious_criteria", Problem::Required));
        }
        if !input.serious && !serious_criteria.is_empty() {
            errors.push(FieldError::new(
                "serious",
                Problem::Inconsistent {
                    en: "checked when a seriousness criterion is given",
                    fr: "coché quand un critère de gravité est donné",
                },
            ));
        }
        let related_to_procedure = errors.check(
            Relatedness::parse(&input.related_to_procedure)
                .map_err(|e| FieldError::new("related_to_procedure", e.problem)),
        );
        let related_to_device = if input.related_to_device.trim().is_empty() {
            None
        } else {
            errors.check(
                Relatedness::parse(&input.related_to_device)
                    .map_err(|e| FieldError::new("related_to_device", e.problem)),
            )
        };
        let action = if input.action.trim().is_empty() {
            Some(Action::None)
        } else {
            errors.check(Action::parse(&input.action))
        };
        let action_note = errors
            .check(text::free_text("action_note", &input.action_note, NOTE_MAX))
            .flatten();
        let outcome = errors.check(Outcome::parse(&input.outcome));
        let resolution_date = if input.resolution_date.trim().is_empty() {
            None
        } else {
            errors.check(crate::patient::parse_date(
                "resolution_date",
                &input.resolution_date,
            ))
        };
        if let Some(outcome) = outcome {
            if outcome.is_final() && resolution_date.is_none() {
                errors.push(FieldError::new("resolution_date", Problem::Required));
            }
            if fatal_grade != (outcome == Outcome::Fatal) {
                errors.push(FieldError::new(
                    "outcome",
                    Problem::Inconsistent {
                        en: "fatal exactly when the grade is death",
                        fr: "décès exactement quand le grade est le décès",
                    },
                ));
            }
            if outcome == Outcome::Fatal && !serious_criteria.contains(&SeriousCriterion::Death) {
                errors.push(FieldError::new(
                    "serious_criteria",
                    Problem::Inconsistent {
                        en: "death, for a fatal event",
                        fr: "décès, pour un événement fatal",
                    },
                ));
            }
        }
        if let Some(date) = resolution_date {
            if date > today {
                errors.push(FieldError::new("resolution_date", Problem::DateInFuture));
            }
            if let Some(onset) = onset
                && date < onset.date()
            {
                errors.push(FieldError::new(
                    "resolution_date",
                    Problem::DateTooOld {
                        earliest: onset.date().to_string(),
                    },
                ));
            }
        }
        errors.finish()?;
        match (onset, related_to_procedure, action, outcome) {
            (Some(onset), Some(related_to_procedure), Some(action), Some(outcome)) => Ok(Event {
                term,
                description,
                onset,
                grades,
                serious: input.serious,
                serious_criteria,
                related_to_procedure,
                related_to_device,
                action,
                action_note,
                outcome,
                resolution_date,
            }),
            _ => Err(Invalid(Vec::new())),
        }
    }

    /// The grade given in `system`, if any.
    pub fn grade(&self, system: &str) -> Option<&Graded> {
        self.grades.iter().find(|g| g.system == system)
    }
}

/// The current (last listed) version of a system.
pub fn current<'a>(systems: &'a [GradeSystem], system: &str) -> Option<&'a GradeSystem> {
    systems.iter().rev().find(|s| s.system == system)
}

/// An onset before the procedure began is refused: an event of this case cannot precede
/// it. `start_label` is how the start is shown in the message.
pub fn check_onset(
    onset: OffsetDateTime,
    procedure_start: OffsetDateTime,
    start_label: &str,
) -> Result<(), FieldError> {
    if onset < procedure_start {
        return Err(FieldError::new(
            "onset",
            Problem::DateTooOld {
                earliest: start_label.to_string(),
            },
        ));
    }
    Ok(())
}

/// When a serious event must be reported: `hours` after the team learnt of it.
pub fn report_due(known_at: OffsetDateTime, hours: u32) -> OffsetDateTime {
    known_at + Duration::hours(i64::from(hours))
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    fn terms() -> Vec<Term> {
        DEFAULT_TERMS
            .iter()
            .map(|(code, fr, en)| Term {
                code: (*code).into(),
                name_fr: (*fr).into(),
                name_en: (*en).into(),
                active: true,
            })
            .collect()
    }

    fn input() -> EventInput {
        EventInput {
            term: "pneumothorax_drain".into(),
            onset: "2026-11-20T10:40".into(),
            cirse_grade: "3".into(),
            related_to_procedure: "definite".into(),
            action: "drainage".into(),
            outcome: "resolved".into(),
            resolution_date: "2026-11-22".into(),
            ..EventInput::default()
        }
    }

    const TODAY: Date = date!(2026 - 11 - 24);

    #[test]
    fn a_graded_event_parses() {
        let e = Event::parse(&input(), &terms(), &default_systems(), TODAY).unwrap();
        assert_eq!(e.term, "pneumothorax_drain");
        assert_eq!(
            e.grade("cirse"),
            Some(&Graded {
                system: "cirse".into(),
                version: "2017".into(),
                code: "3".into()
            })
        );
        assert_eq!(e.grade("sir"), None);
        assert_eq!(e.action, Action::Drainage);
    }

    #[test]
    fn the_cirse_grade_is_required_and_checked() {
        let mut i = input();
        i.cirse_grade = String::new();
        let err = Event::parse(&i, &terms(), &default_systems(), TODAY).unwrap_err();
        assert_eq!(
            err.for_field("cirse_grade").map(|e| &e.problem),
            Some(&Problem::Required)
        );
        i.cirse_grade = "7".into();
        let err = Event::parse(&i, &terms(), &default_systems(), TODAY).unwrap_err();
        assert_eq!(
            err.for_field("cirse_grade")
                .map(|e| e.problem.message(Lang::En)),
            Some("must be one of: 1, 2, 3, 4, 5, 6".to_string())
        );
        i.cirse_grade = "2".into();
        i.ctcae_grade = "6".into();
        assert!(Event::parse(&i, &terms(), &default_systems(), TODAY).is_err());
    }

    #[test]
    fn seriousness_needs_its_criteria_and_death_agrees_everywhere() {
        let mut i = input();
        i.serious = true;
        let err = Event::parse(&i, &terms(), &default_systems(), TODAY).unwrap_err();
        assert!(err.for_field("serious_criteria").is_some());
        i.serious_criteria = vec!["hospitalisation".into()];
        assert!(Event::parse(&i, &terms(), &default_systems(), TODAY).is_ok());
        // A fatal outcome with a non-fatal grade, or the reverse, is refused.
        i.outcome = "fatal".into();
        assert!(Event::parse(&i, &terms(), &default_systems(), TODAY).is_err());
        i.cirse_grade = "6".into();
        i.serious_criteria = vec!["death".into()];
        assert!(Event::parse(&i, &terms(), &default_systems(), TODAY).is_ok());
        i.outcome = "resolved".into();
        assert!(Event::parse(&i, &terms(), &default_systems(), TODAY).is_err());
    }

    #[test]
    fn dates_are_checked() {
        let mut i = input();
        i.onset = "2026-11-25T08:00".into();
        let err = Event::parse(&i, &terms(), &default_systems(), TODAY).unwrap_err();
        assert_eq!(
            err.for_field("onset").map(|e| &e.problem),
            Some(&Problem::DateInFuture)
        );
        let mut i = input();
        i.resolution_date = "2026-11-19".into();
        assert!(Event::parse(&i, &terms(), &default_systems(), TODAY).is_err());
        i.resolution_date = String::new();
        let err = Event::parse(&i, &terms(), &default_systems(), TODAY).unwrap_err();
        assert!(err.for_field("resolution_date").is_some());
        i.outcome = "resolving".into();
        assert!(Event::parse(&i, &terms(), &default_systems(), TODAY).is_ok());
    }

    #[test]
    fn unknown_and_withdrawn_terms_are_refused() {
        let mut list = terms();
        let mut i = input();
        i.term = "haemoptysis".into();
        let err = Event::parse(&i, &list, &default_systems(), TODAY).unwrap_err();
        assert_eq!(
            err.for_field("term").map(|e| &e.problem),
            Some(&Problem::NoSuchRecord)
        );
        list[0].active = false;
        i.term = "bleeding".into();
        let err = Event::parse(&i, &list, &default_systems(), TODAY).unwrap_err();
        assert_eq!(
            err.for_field("term").map(|e| &e.problem),
            Some(&Problem::Withdrawn)
        );
        i.term = "other".into();
        let err = Event::parse(&i, &list, &default_systems(), TODAY).unwrap_err();
        assert!(err.for_field("description").is_some());
    }

    #[test]
    fn phases_follow_the_onset() {
        let end = datetime!(2026-11-20 11:00 UTC);
        assert_eq!(
            Phase::of(datetime!(2026-11-20 10:30 UTC), end),
            Phase::IntraProcedural
        );
        assert_eq!(
            Phase::of(datetime!(2026-11-21 11:00 UTC), end),
            Phase::Within24h
        );
        assert_eq!(
            Phase::of(datetime!(2026-11-21 11:01 UTC), end),
            Phase::Within7d
        );
        assert_eq!(
            Phase::of(datetime!(2026-12-10 11:00 UTC), end),
            Phase::Within30d
        );
        assert_eq!(
            Phase::of(datetime!(2027-01-10 11:00 UTC), end),
            Phase::Later
        );
    }

    #[test]
    fn onset_before_the_procedure_is_refused() {
        let start = datetime!(2026-11-20 10:00 UTC);
        assert!(check_onset(datetime!(2026-11-20 10:00 UTC), start, "x").is_ok());
        let err =
            check_onset(datetime!(2026-11-20 09:59 UTC), start, "20/11/2026 11:00").unwrap_err();
        assert_eq!(err.field, "onset");
        assert!(err.problem.message(Lang::En).contains("20/11/2026 11:00"));
    }

    #[test]
    fn terms_parse_with_a_code_and_both_names() {
        let t = Term::parse(&TermInput {
            code: "Haemoptysis".into(),
            name_fr: "Hémoptysie".into(),
            name_en: "Haemoptysis".into(),
            active: true,
        })
        .unwrap();
        assert_eq!(t.code, "haemoptysis");
        let err = Term::parse(&TermInput {
            code: "bad code!".into(),
            ..TermInput::default()
        })
        .unwrap_err();
        assert!(err.for_field("code").is_some());
        assert!(err.for_field("name_fr").is_some());
    }

    #[test]
    fn the_reporting_clock() {
        assert_eq!(
            report_due(datetime!(2026-11-20 10:00 UTC), REPORTING_HOURS_DEFAULT),
            datetime!(2026-11-21 10:00 UTC)
        );
    }
}
