//! Multidisciplinary meetings (MDT, "RCP" in French): a date, a type, attendees by
//! specialty, an agenda of cases, and one decision per case with its rationale and the
//! physician responsible. A decision for an IR procedure names the procedure type and
//! moves the case to scheduling (see [`crate::case`]).

use serde::Deserialize;
use time::PrimitiveDateTime;

use crate::case::MdtDecision;
use crate::catalog::ProcedureCode;
use crate::invalid::{Collector, FieldError, Invalid, Problem};
use crate::text;
use crate::user::string_enum;

string_enum!(
    /// The kind of meeting.
    MeetingKind, "kind" {
        ThoracicOncology = "thoracic_oncology",
        DigestiveOncology = "digestive_oncology",
        Hepatobiliary = "hepatobiliary",
        UrologicOncology = "urologic_oncology",
        GynecologicOncology = "gynecologic_oncology",
        Musculoskeletal = "musculoskeletal",
        Vascular = "vascular",
        General = "general",
    }
);

string_enum!(
    /// An attendee's specialty.
    Specialty, "specialty" {
        InterventionalRadiology = "interventional_radiology",
        Radiology = "radiology",
        Oncology = "oncology",
        Surgery = "surgery",
        RadiationOncology = "radiation_oncology",
        Gastroenterology = "gastroenterology",
        Pulmonology = "pulmonology",
        Urology = "urology",
        Gynecology = "gynecology",
        Pathology = "pathology",
        Anesthesia = "anesthesia",
        NuclearMedicine = "nuclear_medicine",
        Other = "other",
    }
);

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttendeeInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub specialty: String,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct Attendee {
    pub name: String,
    pub specialty: Specialty,
}

/// A meeting as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingInput {
    #[serde(default)]
    pub kind: String,
    /// Local wall-clock time, `YYYY-MM-DDTHH:MM`.
    #[serde(default)]
    pub starts_at: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub attendees: Vec<AttendeeInput>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMeeting {
    pub kind: MeetingKind,
    pub starts_at: PrimitiveDateTime,
    pub location: Option<String>,
    pub attendees: Vec<Attendee>,
}

pub const ATTENDEES_MAX: usize = 40;

impl NewMeeting {
    pub fn parse(input: &MeetingInput) -> Result<Self, Invalid> {
        let mut errors = Collector::default();
        let kind = errors.check(MeetingKind::parse(&input.kind));
        let starts_at = errors.check(crate::localtime::parse_local_datetime(
            "starts_at",
            &input.starts_at,
        ));
        let location = errors.check(text::free_text("location", &input.location, 200));
        let mut attendees = Vec::new();
        if input.attendees.len() > ATTENDEES_MAX {
            errors.push(FieldError::new(
                "attendees",
                Problem::TooLong { max: ATTENDEES_MAX },
            ));
        }
        for (i, a) in input.attendees.iter().enumerate().take(ATTENDEES_MAX) {
            // A form leaves empty rows for attendees not yet named.
            if a.name.trim().is_empty() && a.specialty.trim().is_empty() {
                continue;
            }
            let name = errors.check(text::person_name(
                &format!("attendees.{i}.name"),
                &a.name,
                120,
            ));
            let specialty = errors.check(
                Specialty::parse(&a.specialty)
                    .map_err(|e| FieldError::new(format!("attendees.{i}.specialty"), e.problem)),
            );
            if let (Some(name), Some(specialty)) = (name, specialty) {
                attendees.push(Attendee { name, specialty });
            }
        }
        errors.finish()?;
        match (kind, starts_at, location) {
            (Some(kind), Some(starts_at), Some(location)) => Ok(Self {
                kind,
                starts_at,
                location,
                attendees,
            }),
            _ => Err(Invalid(Vec::new())),
        }
    }
}

/// A decision as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    #[serde(default)]
    pub decision: String,
    /// A procedure code, for an IR decision.
    #[serde(default)]
    pub procedure: String,
    #[serde(default)]
    pub rationale: String,
    #[serde(default)]
    pub responsible_physician: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub decision: MdtDecision,
    /// Set exactly when the decision is an IR procedure.
    pub procedure: Option<ProcedureCode>,
    pub rationale: String,
    pub responsible_physician: String,
}

impl Decision {
    pub fn parse(input: &DecisionInput) -> Result<Self, Invalid> {
        let mut errors = Collector::default();
        let decision = errors.check(MdtDecision::parse(&input.decision));
        let procedure = match decision {
            Some(MdtDecision::IrProcedure) => errors.check(
                ProcedureCode::parse(&input.procedure)
                    .map_err(|e| FieldError::new("procedure", e.problem)),
            ),
            _ => None,
        };
        let rationale = errors.check(
            text::free_text("rationale", &input.rationale, 5_000)
                .and_then(|v| v.ok_or_else(|| FieldError::new("rationale", Problem::Required))),
        );
        let responsible_physician = errors.check(text::person_name(
            "responsible_physician",
            &input.responsible_physician,
            120,
        ));
        errors.finish()?;
        match (decision, rationale, responsible_physician) {
            (Some(decision), Some(rationale), Some(responsible_physician)) => Ok(Self {
                decision,
                procedure,
                rationale,
                responsible_physician,
            }),
            _ => Err(Invalid(Vec::new())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ir_decision_names_its_procedure() {
        let input = DecisionInput {
            decision: "ir_procedure".into(),
            procedure: String::new(),
            rationale: "Lésion unique de 22 mm, non opérable.".into(),
            responsible_physician: "Dr Claire Lemaire".into(),
        };
        let errors = Decision::parse(&input).expect_err("procedure missing");
        assert!(errors.for_field("procedure").is_some());
        let ok = Decision::parse(&DecisionInput {
            procedure: "abl-liver-mw".into(),
            ..input
        })
        .expect("valid");
        assert_eq!(
            ok.procedure.map(|p| p.to_string()).as_deref(),
            Some("ABL-LIVER-MW")
        );
        let surgery = Decision::parse(&DecisionInput {
            decision: "surgery".into(),
            procedure: "ignored".into(),
            rationale: "Résécable.".into(),
            responsible_physician: "Dr Paul Martin".into(),
        })
        .expect("valid");
        assert_eq!(surgery.procedure, None);
    }

    #[test]
    fn meetings_skip_empty_attendee_rows_and_name_bad_ones() {
        let input = MeetingInput {
            kind: "thoracic_oncology".into(),
            starts_at: "2026-11-24T14:00".into(),
            location: "Salle de staff".into(),
            attendees: vec![
                AttendeeInput {
                    name: "Dr Claire Lemaire".into(),
                    specialty: "interventional_radiology".into(),
                },
                AttendeeInput::default(),
                AttendeeInput {
                    name: "Dr X".into(),
                    specialty: "astrology".into(),
                },
            ],
        };
        let errors = NewMeeting::parse(&input).expect_err("bad specialty");
        assert!(
            errors.for_field("attendees.2.specialty").is_some(),
            "{errors}"
        );
        let ok = NewMeeting::parse(&MeetingInput {
            attendees: input.attendees[..2].to_vec(),
            ..input
        })
        .expect("valid");
        assert_eq!(ok.attendees.len(), 1);
    }
}
