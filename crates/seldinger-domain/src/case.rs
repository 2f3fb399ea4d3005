//! The pathway of one case (one patient, one indication) as a state machine, and the
//! referral that opens it.
//!
//! The web layer never writes a status: it names a [`CaseEvent`], the store reads the
//! current state inside its transaction, asks [`CaseStatus::apply`] for the next one and
//! stores it with a history entry — or answers the [`Refusal`].
//!
//! ```text
//! referred ──accept──▶ accepted ──consultation──▶ consulted ──plan──▶ to_schedule
//!    │  └──send to MDT──▶ awaiting_mdt ◀──send to MDT──┘   ▲             │ book
//!    └──decline──▶ declined     │ MDT decision: IR ─────────┘             ▼
//!                               └ other decision ──▶ closed        scheduled ⇄ ready
//! ready ──perform──▶ performed ──sign report──▶ follow_up ──close──▶ closed
//! any open state before `performed` ──cancel (reason)──▶ cancelled
//! ```

use serde::Deserialize;
use time::{Date, OffsetDateTime};

use crate::catalog::{Organ, ProcedureCode};
use crate::invalid::{Collector, FieldError, Invalid, Problem};
use crate::patient::{Allergy, AllergyKind, Anticoagulant, AnticoagulantDrug, RawEntry};
use crate::text;
use crate::user::{Lang, string_enum};

string_enum!(
    /// Where a case stands.
    CaseStatus, "status" {
        Referred = "referred",
        Accepted = "accepted",
        AwaitingMdt = "awaiting_mdt",
        Consulted = "consulted",
        ToSchedule = "to_schedule",
        Scheduled = "scheduled",
        Ready = "ready",
        Performed = "performed",
        FollowUp = "follow_up",
        Closed = "closed",
        Declined = "declined",
        Cancelled = "cancelled",
    }
);

string_enum!(
    /// What the MDT decided for a case.
    MdtDecision, "decision" {
        IrProcedure = "ir_procedure",
        Surgery = "surgery",
        Radiotherapy = "radiotherapy",
        SystemicTherapy = "systemic_therapy",
        Surveillance = "surveillance",
        MoreWorkUp = "more_work_up",
    }
);

string_enum!(
    /// How soon the referrer needs the procedure; worklists sort by it first.
    Urgency, "urgency" {
        Emergency = "emergency",
        Urgent = "urgent",
        SemiUrgent = "semi_urgent",
        Elective = "elective",
    }
);

impl Urgency {
    /// 0 for the most urgent.
    pub fn rank(self) -> u8 {
        match self {
            Urgency::Emergency => 0,
            Urgency::Urgent => 1,
            Urgency::SemiUrgent => 2,
            Urgency::Elective => 3,
        }
    }
}

string_enum!(
    /// The side of the target, confirmed again at the time-out.
    Side, "side" {
        Left = "left",
        Right = "right",
        Bilateral = "bilateral",
        Midline = "midline",
        NotApplicable = "not_applicable",
    }
);

/// Something that happens to a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaseEvent {
    Accept,
    Decline {
        reason: String,
    },
    SendToMdt,
    RecordConsultation,
    /// The radiologist plans the procedure after consultation, without an MDT.
    PlanProcedure,
    DecideAtMdt(MdtDecision),
    Book,
    ReleaseBooking,
    CompleteChecklist,
    ReopenChecklist,
    Perform,
    SignReport,
    Close,
    Reopen {
        reason: String,
    },
    Cancel {
        reason: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("a case that is {from} cannot {}", event_label(event, Lang::En))]
    NotAllowed {
        from: CaseStatus,
        event: &'static str,
    },
    #[error("a reason is required")]
    ReasonRequired,
}

impl Refusal {
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Refusal::NotAllowed { from, event }, Lang::En) => format!(
                "a case that is {} cannot {}",
                status_label(*from, Lang::En),
                event_label(event, Lang::En)
            ),
            (Refusal::NotAllowed { from, event }, Lang::Fr) => format!(
                "un dossier au statut « {} » ne peut pas {}",
                status_label(*from, Lang::Fr),
                event_label(event, Lang::Fr)
            ),
            (Refusal::ReasonRequired, Lang::En) => "a reason is required".into(),
            (Refusal::ReasonRequired, Lang::Fr) => "un motif est obligatoire".into(),
        }
    }

    /// A stable code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::NotAllowed { .. } => "transition_not_allowed",
            Refusal::ReasonRequired => "reason_required",
        }
    }
}

/// What an event does, as a sentence's end ("cannot be booked").
fn event_label(code: &str, lang: Lang) -> &'static str {
    let (en, fr) = match code {
        "accept" => ("be accepted", "être accepté"),
        "decline" => ("be declined", "être refusé"),
        "send_to_mdt" => ("be sent to the MDT", "être présenté en RCP"),
        "record_consultation" => (
            "have a consultation recorded",
            "recevoir un compte rendu de consultation",
        ),
        "plan_procedure" => ("be planned for a procedure", "être programmé pour un geste"),
        "mdt_decision" => ("receive an MDT decision", "recevoir une décision de RCP"),
        "book" => ("be booked", "être réservé"),
        "release_booking" => ("release its booking", "libérer sa réservation"),
        "complete_checklist" => ("complete its checklist", "compléter sa check-list"),
        "reopen_checklist" => ("reopen its checklist", "rouvrir sa check-list"),
        "perform" => ("be performed", "être réalisé"),
        "sign_report" => ("have its report signed", "voir son compte rendu signé"),
        "close" => ("be closed", "être clôturé"),
        "reopen" => ("be reopened", "être rouvert"),
        "cancel" => ("be cancelled", "être annulé"),
        _ => ("change this way", "changer ainsi"),
    };
    match lang {
        Lang::En => en,
        Lang::Fr => fr,
    }
}

/// A status in words.
pub fn status_label(status: CaseStatus, lang: Lang) -> &'static str {
    use CaseStatus as S;
    let (en, fr) = match status {
        S::Referred => ("referred, to triage", "adressé, à trier"),
        S::Accepted => (
            "accepted, awaiting consultation",
            "accepté, en attente de consultation",
        ),
        S::AwaitingMdt => ("awaiting MDT", "en attente de RCP"),
        S::Consulted => ("consulted", "vu en consultation"),
        S::ToSchedule => ("to schedule", "à programmer"),
        S::Scheduled => ("scheduled", "programmé"),
        S::Ready => ("ready", "prêt"),
        S::Performed => ("performed", "réalisé"),
        S::FollowUp => ("in follow-up", "en suivi"),
        S::Closed => ("closed", "clôturé"),
        S::Declined => ("declined", "refusé"),
        S::Cancelled => ("cancelled", "annulé"),
    };
    match lang {
        Lang::En => en,
        Lang::Fr => fr,
    }
}

impl CaseEvent {
    /// The code kept in the case history.
    pub fn code(&self) -> &'static str {
        match self {
            CaseEvent::Accept => "accept",
            CaseEvent::Decline { .. } => "decline",
            CaseEvent::SendToMdt => "send_to_mdt",
            CaseEvent::RecordConsultation => "record_consultation",
            CaseEvent::PlanProcedure => "plan_procedure",
            CaseEvent::DecideAtMdt(_) => "mdt_decision",
            CaseEvent::Book => "book",
            CaseEvent::ReleaseBooking => "release_booking",
            CaseEvent::CompleteChecklist => "complete_checklist",
            CaseEvent::ReopenChecklist => "reopen_checklist",
            CaseEvent::Perform => "perform",
            CaseEvent::SignReport => "sign_report",
            CaseEvent::Close => "close",
            CaseEvent::Reopen { .. } => "reopen",
            CaseEvent::Cancel { .. } => "cancel",
        }
    }

    /// The reason or decision kept beside the event in the history.
    pub fn detail(&self) -> Option<String> {
        match self {
            CaseEvent::Decline { reason }
            | CaseEvent::Reopen { reason }
            | CaseEvent::Cancel { reason } => Some(reason.clone()),
            CaseEvent::DecideAtMdt(decision) => Some(decision.code().to_string()),
            _ => None,
        }
    }
}

impl CaseStatus {
    /// A case is open until it is closed, declined or cancelled.
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            CaseStatus::Closed | CaseStatus::Declined | CaseStatus::Cancelled
        )
    }

    /// Before the procedure: the states in which consultations, the MDT and scheduling
    /// happen.
    pub fn is_before_procedure(self) -> bool {
        matches!(
            self,
            CaseStatus::Referred
                | CaseStatus::Accepted
                | CaseStatus::AwaitingMdt
                | CaseStatus::Consulted
                | CaseStatus::ToSchedule
                | CaseStatus::Scheduled
                | CaseStatus::Ready
        )
    }

    /// Whether a consultation may be booked or recorded now (after triage, before the
    /// case ends; post-procedure consultations during follow-up).
    pub fn takes_consultations(self) -> bool {
        self.is_open() && self != CaseStatus::Referred
    }

    /// The state after `event`, or why it cannot happen.
    pub fn apply(self, event: &CaseEvent) -> Result<CaseStatus, Refusal> {
        use CaseEvent as E;
        use CaseStatus as S;
        if let E::Decline { reason } | E::Reopen { reason } | E::Cancel { reason } = event
            && reason.trim().is_empty()
        {
            return Err(Refusal::ReasonRequired);
        }
        let next = match (self, event) {
            (S::Referred, E::Accept) => S::Accepted,
            (S::Referred, E::Decline { .. }) => S::Declined,
            (S::Referred | S::Accepted | S::Consulted, E::SendToMdt) => S::AwaitingMdt,
            (S::Accepted, E::RecordConsultation) => S::Consulted,
            // Later consultations (anesthesia, a second IR visit) leave the state as it is.
            (
                from @ (S::AwaitingMdt
                | S::Consulted
                | S::ToSchedule
                | S::Scheduled
                | S::Ready
                | S::Performed
                | S::FollowUp),
                E::RecordConsultation,
            ) => from,
            (S::Consulted, E::PlanProcedure) => S::ToSchedule,
            (S::AwaitingMdt, E::DecideAtMdt(MdtDecision::IrProcedure)) => S::ToSchedule,
            // More work-up: the case waits for a later meeting.
            (S::AwaitingMdt, E::DecideAtMdt(MdtDecision::MoreWorkUp)) => S::AwaitingMdt,
            // Another treatment was chosen: nothing more for IR to do.
            (S::AwaitingMdt, E::DecideAtMdt(_)) => S::Closed,
            (S::ToSchedule, E::Book) => S::Scheduled,
            (S::Scheduled | S::Ready, E::ReleaseBooking) => S::ToSchedule,
            (S::Scheduled, E::CompleteChecklist) => S::Ready,
            (S::Ready, E::ReopenChecklist) => S::Scheduled,
            (S::Ready, E::Perform) => S::Performed,
            (S::Performed, E::SignReport) => S::FollowUp,
            (S::FollowUp, E::Close) => S::Closed,
            (S::Closed, E::Reopen { .. }) => S::FollowUp,
            (from, E::Cancel { .. }) if from.is_before_procedure() => S::Cancelled,
            (from, event) => {
                return Err(Refusal::NotAllowed {
                    from,
                    event: event.code(),
                });
            }
        };
        Ok(next)
    }
}

/// A referral as typed in a form or sent as JSON.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferralInput {
    #[serde(default)]
    pub patient_id: String,
    #[serde(default)]
    pub referring_physician: String,
    #[serde(default)]
    pub referring_service: String,
    #[serde(default)]
    pub indication: String,
    #[serde(default)]
    pub target_organ: String,
    #[serde(default)]
    pub target_site: String,
    #[serde(default)]
    pub side: String,
    /// Millimetres; empty when not applicable.
    #[serde(default)]
    pub lesion_size_mm: Option<u32>,
    /// A procedure code of the catalog.
    #[serde(default)]
    pub requested_procedure: String,
    #[serde(default)]
    pub urgency: String,
    #[serde(default)]
    pub clinical_question: String,
    #[serde(default)]
    pub anticoagulants: Vec<RawEntry>,
    #[serde(default)]
    pub allergies: Vec<RawEntry>,
    /// The date the referral was written (defaults to today).
    #[serde(default)]
    pub referral_date: String,
}

/// A referral, valid (its patient and requested procedure still to be found by the store).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewReferral {
    pub patient_id: crate::PatientId,
    pub referring_physician: String,
    pub referring_service: Option<String>,
    pub indication: String,
    pub target_organ: Organ,
    pub target_site: Option<String>,
    pub side: Side,
    pub lesion_size_mm: Option<u16>,
    pub requested_procedure: ProcedureCode,
    pub urgency: Urgency,
    pub clinical_question: Option<String>,
    pub anticoagulants: Vec<Anticoagulant>,
    pub allergies: Vec<Allergy>,
    pub referral_date: Date,
}

pub const TEXT_MAX: usize = 2_000;
pub const LESION_MAX_MM: u32 = 500;

impl NewReferral {
    pub fn parse(input: &ReferralInput, now: OffsetDateTime) -> Result<Self, Invalid> {
        let mut errors = Collector::default();
        let patient_id = errors.check(input.patient_id.trim().parse().map_err(|_| {
            FieldError::new(
                "patient_id",
                if input.patient_id.trim().is_empty() {
                    Problem::Required
                } else {
                    Problem::BadFormat {
                        expected: "a patient id",
                    }
                },
            )
        }));
        let referring_physician = errors.check(text::person_name(
            "referring_physician",
            &input.referring_physician,
            120,
        ));
        let referring_service = errors.check(text::free_text(
            "referring_service",
            &input.referring_service,
            120,
        ));
        let indication = errors.check(
            text::free_text("indication", &input.indication, TEXT_MAX)
                .and_then(|v| v.ok_or_else(|| FieldError::new("indication", Problem::Required))),
        );
        let target_organ = errors.check(Organ::parse(&input.target_organ));
        let target_site = errors.check(text::free_text("target_site", &input.target_site, 200));
        let side = errors.check(Side::parse(&input.side));
        let lesion_size_mm = match input.lesion_size_mm {
            Some(mm) if mm == 0 || mm > LESION_MAX_MM => {
                errors.push(FieldError::new(
                    "lesion_size_mm",
                    Problem::BadFormat {
                        expected: "millimetres, from 1 to 500",
                    },
                ));
                None
            }
            Some(mm) => u16::try_from(mm).ok(),
            None => None,
        };
        let requested_procedure = errors.check(
            ProcedureCode::parse(&input.requested_procedure)
                .map_err(|e| FieldError::new("requested_procedure", e.problem)),
        );
        let urgency = errors.check(Urgency::parse(&input.urgency));
        let clinical_question = errors.check(text::free_text(
            "clinical_question",
            &input.clinical_question,
            TEXT_MAX,
        ));
        let anticoagulants = crate::patient::entries(
            &mut errors,
            "anticoagulants",
            &input.anticoagulants,
            AnticoagulantDrug::parse,
            AnticoagulantDrug::Other,
        );
        let allergies = crate::patient::entries(
            &mut errors,
            "allergies",
            &input.allergies,
            AllergyKind::parse,
            AllergyKind::Other,
        );
        let referral_date = if input.referral_date.trim().is_empty() {
            Some(now.date())
        } else {
            errors.check(
                crate::patient::parse_date("referral_date", &input.referral_date).and_then(|d| {
                    if d > now.date() {
                        Err(FieldError::new("referral_date", Problem::DateInFuture))
                    } else {
                        Ok(d)
                    }
                }),
            )
        };
        errors.finish()?;
        match (
            patient_id,
            referring_physician,
            referring_service,
            indication,
            target_organ,
            target_site,
            side,
            requested_procedure,
            urgency,
            clinical_question,
            referral_date,
        ) {
            (
                Some(patient_id),
                Some(referring_physician),
                Some(referring_service),
                Some(indication),
                Some(target_organ),
                Some(target_site),
                Some(side),
                Some(requested_procedure),
                Some(urgency),
                Some(clinical_question),
                Some(referral_date),
            ) => Ok(Self {
                patient_id,
                referring_physician,
                referring_service,
                indication,
                target_organ,
                target_site,
                side,
                lesion_size_mm,
                requested_procedure,
                urgency,
                clinical_question,
                anticoagulants: anticoagulants
                    .into_iter()
                    .map(|(drug, note)| Anticoagulant { drug, note })
                    .collect(),
                allergies: allergies
                    .into_iter()
                    .map(|(kind, note)| Allergy { kind, note })
                    .collect(),
                referral_date,
            }),
            // Every None above pushed an error, so finish() returned early.
            _ => Err(Invalid(Vec::new())),
        }
    }
}

/// A reason for declining, cancelling or reopening: required free text.
pub fn reason(raw: &str) -> Result<String, FieldError> {
    text::free_text("reason", raw, 500)?.ok_or_else(|| FieldError::new("reason", Problem::Required))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn walk(from: CaseStatus, steps: &[CaseEvent]) -> Result<CaseStatus, Refusal> {
        steps.iter().try_fold(from, |s, e| s.apply(e))
    }

    #[test]
    fn a_case_walks_from_referral_to_closure_through_consultation_and_mdt() {
        let steps = [
            CaseEvent::Accept,
            CaseEvent::RecordConsultation,
            CaseEvent::SendToMdt,
            CaseEvent::RecordConsultation,
            CaseEvent::DecideAtMdt(MdtDecision::IrProcedure),
            CaseEvent::Book,
            CaseEvent::CompleteChecklist,
            CaseEvent::Perform,
            CaseEvent::SignReport,
            CaseEvent::Close,
        ];
        assert_eq!(walk(CaseStatus::Referred, &steps), Ok(CaseStatus::Closed));
    }

    #[test]
    fn a_direct_case_is_planned_after_consultation_without_mdt() {
        let steps = [
            CaseEvent::Accept,
            CaseEvent::RecordConsultation,
            CaseEvent::PlanProcedure,
            CaseEvent::Book,
            CaseEvent::ReleaseBooking,
            CaseEvent::Book,
        ];
        assert_eq!(
            walk(CaseStatus::Referred, &steps),
            Ok(CaseStatus::Scheduled)
        );
    }

    #[test]
    fn mdt_decisions_other_than_ir_end_the_case_and_more_work_up_waits() {
        assert_eq!(
            CaseStatus::AwaitingMdt.apply(&CaseEvent::DecideAtMdt(MdtDecision::Surgery)),
            Ok(CaseStatus::Closed)
        );
        assert_eq!(
            CaseStatus::AwaitingMdt.apply(&CaseEvent::DecideAtMdt(MdtDecision::MoreWorkUp)),
            Ok(CaseStatus::AwaitingMdt)
        );
    }

    #[test]
    fn refusals_say_why() {
        assert_eq!(
            CaseStatus::Referred.apply(&CaseEvent::Book),
            Err(Refusal::NotAllowed {
                from: CaseStatus::Referred,
                event: "book"
            })
        );
        assert_eq!(
            Refusal::NotAllowed {
                from: CaseStatus::Referred,
                event: "book"
            }
            .to_string(),
            "a case that is referred cannot be booked"
        );
        assert_eq!(
            CaseStatus::Scheduled.apply(&CaseEvent::Cancel { reason: " ".into() }),
            Err(Refusal::ReasonRequired)
        );
        assert!(
            CaseStatus::Cancelled
                .apply(&CaseEvent::Cancel {
                    reason: "again".into()
                })
                .is_err()
        );
        assert!(
            CaseStatus::Performed
                .apply(&CaseEvent::Cancel {
                    reason: "late".into()
                })
                .is_err()
        );
        assert!(
            CaseStatus::Referred
                .apply(&CaseEvent::PlanProcedure)
                .is_err()
        );
        assert!(CaseStatus::Scheduled.apply(&CaseEvent::Perform).is_err());
    }

    #[test]
    fn every_open_state_before_the_procedure_can_be_cancelled() {
        for status in CaseStatus::ALL {
            let cancelled = status.apply(&CaseEvent::Cancel {
                reason: "patient moved away".into(),
            });
            assert_eq!(
                cancelled.is_ok(),
                status.is_before_procedure(),
                "{status} cancel → {cancelled:?}"
            );
        }
    }

    fn referral() -> ReferralInput {
        ReferralInput {
            patient_id: "0192f3a4-1b2c-7d8e-9f00-112233445566".into(),
            referring_physician: "Dr Anne Morel".into(),
            referring_service: "Oncologie thoracique".into(),
            indication: "Nodule du lobe supérieur droit, 22 mm".into(),
            target_organ: "lung".into(),
            target_site: "LSD".into(),
            side: "right".into(),
            lesion_size_mm: Some(22),
            requested_procedure: "bio-lung-ct".into(),
            urgency: "semi_urgent".into(),
            clinical_question: "Histologie ?".into(),
            anticoagulants: vec![RawEntry {
                kind: "apixaban".into(),
                note: "5 mg x2".into(),
            }],
            allergies: vec![],
            referral_date: String::new(),
        }
    }

    #[test]
    fn a_referral_parses_with_today_as_its_date() {
        let now = time::macros::datetime!(2026-11-22 09:00 UTC);
        let parsed = NewReferral::parse(&referral(), now).expect("valid");
        assert_eq!(parsed.referral_date, now.date());
        assert_eq!(parsed.requested_procedure.as_str(), "BIO-LUNG-CT");
        assert_eq!(parsed.urgency, Urgency::SemiUrgent);
        assert_eq!(parsed.anticoagulants.len(), 1);
    }

    #[test]
    fn a_bad_referral_names_every_field() {
        let now = time::macros::datetime!(2026-11-22 09:00 UTC);
        let input = ReferralInput {
            patient_id: "nope".into(),
            urgency: "asap".into(),
            lesion_size_mm: Some(0),
            target_organ: String::new(),
            indication: "  ".into(),
            referral_date: "2027-01-01".into(),
            ..referral()
        };
        let errors = NewReferral::parse(&input, now).expect_err("invalid");
        for field in [
            "patient_id",
            "urgency",
            "lesion_size_mm",
            "target_organ",
            "indication",
            "referral_date",
        ] {
            assert!(errors.for_field(field).is_some(), "{field} in {errors}");
        }
    }
}
