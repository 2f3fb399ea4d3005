//! A patient's timeline: everything that happened (and is planned) across their cases,
//! in time order — the case history (referral, triage, MDT, booking, time-out,
//! procedure, signature, closure), consultations, report addenda, pathology results,
//! adverse events and follow-up. One audited read.

use seldinger_domain::adverse::Phase;
use seldinger_domain::audit::{Actor, AuditAction};
use seldinger_domain::consultation::{ConsultationKind, ConsultationStatus};
use seldinger_domain::followup::Status;
use seldinger_domain::localtime::from_local;
use seldinger_domain::pathology::Category;
use seldinger_domain::{AdverseEventId, CaseId, ConsultationId, FollowUpId, PatientId, SpecimenId};
use time::OffsetDateTime;
use time::macros::time;

use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Order};

use crate::audit::Entry;
use crate::cases::{CaseSummary, select_summaries, summaries};
use crate::{Store, StoreResult, name};

/// What happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimelineItem {
    /// A step of the case's history (`refer`, `accept`, `book`, `perform`,
    /// `sign_report`, `close`…).
    CaseEvent {
        event: String,
        to_status: String,
        by: String,
    },
    Consultation {
        id: ConsultationId,
        kind: ConsultationKind,
        status: ConsultationStatus,
        clinician: String,
    },
    Addendum {
        by: String,
    },
    Pathology {
        specimen: SpecimenId,
        label: String,
        category: Category,
    },
    AdverseEvent {
        id: AdverseEventId,
        term: String,
        phase: Phase,
        cirse_grade: String,
        serious: bool,
    },
    FollowUp {
        id: FollowUpId,
        code: String,
        status: Status,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimelineEntry {
    pub at: OffsetDateTime,
    pub case_id: CaseId,
    pub procedure_code: String,
    pub item: TimelineItem,
}

impl Store {
    /// A patient's cases and their timeline, oldest first (planned follow-up at its due
    /// date, so the future comes last). Audited once, naming the patient.
    pub async fn patient_timeline(
        &self,
        actor: &Actor,
        patient: PatientId,
        now: OffsetDateTime,
    ) -> StoreResult<(Vec<CaseSummary>, Vec<TimelineEntry>)> {
        let q = select_summaries()
            .and_where(Expr::col((name("c"), name("patient_id"))).eq(patient.as_uuid()))
            .order_by((name("c"), name("referred_at")), Order::Desc)
            .order_by((name("c"), name("id")), Order::Desc)
            .limit(200)
            .to_owned();
        let cases = summaries(&self.db.query_all(&q).await?)?;
        let mut entries = Vec::new();
        for case in &cases {
            let mut push = |at: OffsetDateTime, item: TimelineItem| {
                entries.push(TimelineEntry {
                    at,
                    case_id: case.id,
                    procedure_code: case.procedure_code.clone(),
                    item,
                });
            };
            for e in crate::cases::history(&self.db, case.id).await? {
                push(
                    e.at,
                    TimelineItem::CaseEvent {
                        event: e.event,
                        to_status: e.to_status,
                        by: e.username,
                    },
                );
            }
            for c in crate::consultations::of_case(&self.db, case.id).await? {
                push(
                    c.starts_at,
                    TimelineItem::Consultation {
                        id: c.id,
                        kind: c.kind,
                        status: c.status,
                        clinician: c.clinician_name,
                    },
                );
            }
            if let Some(report) = crate::reports::stored_report(&self.db, case.id).await? {
                for a in report.addenda {
                    push(a.signed_at, TimelineItem::Addendum { by: a.signed_by });
                }
            }
            for s in crate::reports::case_specimens(&self.db, case.id).await? {
                if let Some(r) = s.result {
                    push(
                        r.recorded_at,
                        TimelineItem::Pathology {
                            specimen: s.id,
                            label: s.label,
                            category: r.result.category,
                        },
                    );
                }
            }
            for e in crate::adverse::of_case(&self.db, case.id).await? {
                push(
                    e.onset,
                    TimelineItem::AdverseEvent {
                        id: e.id,
                        term: e.event.term.clone(),
                        phase: e.phase,
                        cirse_grade: e
                            .event
                            .grade("cirse")
                            .map(|g| g.code.clone())
                            .unwrap_or_default(),
                        serious: e.event.serious,
                    },
                );
            }
            for f in crate::followups::case_items(&self.db, case.id).await? {
                let at = f
                    .recorded_at
                    .unwrap_or_else(|| from_local(f.due_on.with_time(time!(12:00)), &self.zone));
                push(
                    at,
                    TimelineItem::FollowUp {
                        id: f.id,
                        code: f.code,
                        status: f.status,
                    },
                );
            }
        }
        entries.sort_by_key(|e| e.at);
        let entry = Entry::new(AuditAction::TimelineRead)
            .on("patient", patient)
            .patient(patient);
        self.disclose(actor, entry, now).await?;
        Ok((cases, entries))
    }
}
