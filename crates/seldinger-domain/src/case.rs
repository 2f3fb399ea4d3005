//! The pathway of one case (one patient, one indication) as a state machine.
//!
//! The web layer never writes a status: it asks [`CaseStatus::apply`] for the next state
//! and stores what comes back, or shows the [`Refusal`]. The referral and scheduling
//! screens that drive these transitions come with the pathway work; the machine is here
//! first so that storage and the interface are shaped around it.

use serde::Serialize;

use crate::user::string_enum;

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

/// What the MDT decided for a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MdtDecision {
    IrProcedure,
    Surgery,
    Radiotherapy,
    SystemicTherapy,
    Surveillance,
    MoreWorkUp,
}

/// Something that happens to a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaseEvent {
    Accept,
    Decline { reason: String },
    SendToMdt,
    RecordConsultation { consent_given: bool },
    DecideAtMdt(MdtDecision),
    Book,
    ReleaseBooking,
    CompleteChecklist,
    ReopenChecklist,
    Perform,
    SignReport,
    Close,
    Reopen { reason: String },
    Cancel { reason: String },
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("a case that is {from} cannot {event}")]
    NotAllowed {
        from: CaseStatus,
        event: &'static str,
    },
    #[error("a reason is required")]
    ReasonRequired,
}

impl CaseEvent {
    fn name(&self) -> &'static str {
        match self {
            CaseEvent::Accept => "be accepted",
            CaseEvent::Decline { .. } => "be declined",
            CaseEvent::SendToMdt => "be sent to the MDT",
            CaseEvent::RecordConsultation { .. } => "have a consultation recorded",
            CaseEvent::DecideAtMdt(_) => "receive an MDT decision",
            CaseEvent::Book => "be booked",
            CaseEvent::ReleaseBooking => "release its booking",
            CaseEvent::CompleteChecklist => "complete its checklist",
            CaseEvent::ReopenChecklist => "reopen its checklist",
            CaseEvent::Perform => "be performed",
            CaseEvent::SignReport => "have its report signed",
            CaseEvent::Close => "be closed",
            CaseEvent::Reopen { .. } => "be reopened",
            CaseEvent::Cancel { .. } => "be cancelled",
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
            (
                S::Accepted,
                E::RecordConsultation {
                    consent_given: true,
                },
            ) => S::ToSchedule,
            (
                S::Accepted,
                E::RecordConsultation {
                    consent_given: false,
                },
            ) => S::Consulted,
            (
                S::Consulted,
                E::RecordConsultation {
                    consent_given: true,
                },
            ) => S::ToSchedule,
            (S::AwaitingMdt, E::DecideAtMdt(MdtDecision::IrProcedure)) => S::ToSchedule,
            (S::AwaitingMdt, E::DecideAtMdt(_)) => S::Closed,
            (S::ToSchedule, E::Book) => S::Scheduled,
            (S::Scheduled | S::Ready, E::ReleaseBooking) => S::ToSchedule,
            (S::Scheduled, E::CompleteChecklist) => S::Ready,
            (S::Ready, E::ReopenChecklist) => S::Scheduled,
            (S::Ready, E::Perform) => S::Performed,
            (S::Performed, E::SignReport) => S::FollowUp,
            (S::FollowUp, E::Close) => S::Closed,
            (S::Closed, E::Reopen { .. }) => S::FollowUp,
            (from, E::Cancel { .. }) if from.is_open() && from != S::Performed => S::Cancelled,
            (from, event) => {
                return Err(Refusal::NotAllowed {
                    from,
                    event: event.name(),
                });
            }
        };
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_walks_from_referral_to_closure() {
        let steps = [
            CaseEvent::SendToMdt,
            CaseEvent::DecideAtMdt(MdtDecision::IrProcedure),
            CaseEvent::Book,
            CaseEvent::CompleteChecklist,
            CaseEvent::Perform,
            CaseEvent::SignReport,
            CaseEvent::Close,
        ];
        let end = steps
            .iter()
            .try_fold(CaseStatus::Referred, |s, e| s.apply(e));
        assert_eq!(end, Ok(CaseStatus::Closed));
    }

    #[test]
    fn refusals_say_why() {
        assert_eq!(
            CaseStatus::Referred.apply(&CaseEvent::Book),
            Err(Refusal::NotAllowed {
                from: CaseStatus::Referred,
                event: "be booked"
            })
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
    }
}
