//! Referrals and cases: the referral form, the case page with its history and actions
//! (triage, planning, cancellation), consultations and consent, and the worklists.
//! Pages and JSON API.
//!
//! Submodules: [`pages`] (HTML handlers and their templates in `templates/cases/`),
//! [`api`] (JSON handlers and their output types), [`doc`] (this area's part of the
//! OpenAPI document). Shared here: the route table, a case loaded with everything its
//! page shows ([`CaseView`]), the worklists by name, and [`Words`], the pathway's codes
//! in the user's language.
//!
//! Status changes never happen here: a handler names a [`CaseEvent`] and the store asks
//! [`CaseStatus::apply`] inside its transaction. Pages ask the same function, beforehand,
//! which actions to show.

mod api;
mod doc;
mod pages;

use axum::http::Method;
use seldinger_domain::audit::Actor;
use seldinger_domain::case::{CaseEvent, CaseStatus, MdtDecision, Side, Urgency, status_label};
use seldinger_domain::catalog::{Anesthesia, Bilingual, Organ, ProcedureFamily, Stay};
use seldinger_domain::consultation::{ConsentDecision, ConsultationKind, ConsultationStatus};
use seldinger_domain::mdt::MeetingKind;
use seldinger_domain::patient::{AllergyKind, AnticoagulantDrug, Sex};
use seldinger_domain::{Access, CaseId, Lang, Permission};
use seldinger_store::bookings::BookingRecord;
use seldinger_store::cases::{CaseEventRecord, CaseRecord, Worklist};
use seldinger_store::catalog::{ProcedureTypeRecord, ProcedureVersion};
use seldinger_store::consultations::{Consent, Consultation};
use seldinger_store::mdt::AgendaItem;
use seldinger_store::{Conflict, Patient};
use time::{Date, OffsetDateTime};

pub(crate) use doc::openapi;
pub(crate) use pages::{PatientCases, patient_cases};

use crate::AppState;
use crate::error::AppError;
use crate::i18n::lookup;
use crate::routes::{Route, route};

/// This area's routes, each with the access it demands.
#[rustfmt::skip] // One route per line: this is a table, read as one.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Needs;
    use Method as M;
    use Permission::*;
    vec![
        route(M::GET,  "/worklists",                              Needs(CaseRead),           pages::worklists),
        route(M::GET,  "/worklists/{list}",                       Needs(CaseRead),           pages::worklist),
        route(M::GET,  "/referrals/new",                          Needs(ReferralCreate),     pages::new_referral),
        route(M::POST, "/referrals",                              Needs(ReferralCreate),     pages::create_referral),
        route(M::GET,  "/cases/{id}",                             Needs(CaseRead),           pages::case),
        route(M::POST, "/cases/{id}/accept",                      Needs(Triage),             pages::accept_case),
        route(M::POST, "/cases/{id}/decline",                     Needs(Triage),             pages::decline_case),
        route(M::POST, "/cases/{id}/send-to-mdt",                 Needs(Triage),             pages::send_case_to_mdt),
        route(M::POST, "/cases/{id}/plan",                        Needs(Triage),             pages::plan_case),
        route(M::POST, "/cases/{id}/cancel",                      Needs(CaseCancel),         pages::cancel_case),
        route(M::POST, "/cases/{id}/consultations",               Needs(ConsultationBook),   pages::book_consultation),
        route(M::POST, "/cases/{id}/consent",                     Needs(ConsultationRecord), pages::record_consent),
        route(M::GET,  "/consultations/{id}",                     Needs(CaseRead),           pages::consultation),
        route(M::POST, "/consultations/{id}",                     Needs(ConsultationRecord), pages::record_consultation),
        route(M::POST, "/consultations/{id}/cancel",              Needs(ConsultationBook),   pages::cancel_consultation),
        route(M::GET,  "/clinic",                                 Needs(CaseRead),           pages::clinic),
        route(M::POST, "/api/v1/cases",                           Needs(ReferralCreate),     api::create_referral),
        route(M::GET,  "/api/v1/patients/{id}/cases",             Needs(CaseRead),           api::list_patient_cases),
        route(M::GET,  "/api/v1/cases/{id}",                      Needs(CaseRead),           api::get_case),
        route(M::POST, "/api/v1/cases/{id}/accept",               Needs(Triage),             api::accept_case),
        route(M::POST, "/api/v1/cases/{id}/decline",              Needs(Triage),             api::decline_case),
        route(M::POST, "/api/v1/cases/{id}/send-to-mdt",          Needs(Triage),             api::send_case_to_mdt),
        route(M::POST, "/api/v1/cases/{id}/plan",                 Needs(Triage),             api::plan_case),
        route(M::POST, "/api/v1/cases/{id}/cancel",               Needs(CaseCancel),         api::cancel_case),
        route(M::POST, "/api/v1/cases/{id}/consultations",        Needs(ConsultationBook),   api::book_consultation),
        route(M::POST, "/api/v1/cases/{id}/consent",              Needs(ConsultationRecord), api::record_consent),
        route(M::GET,  "/api/v1/consultations",                   Needs(CaseRead),           api::list_consultations),
        route(M::GET,  "/api/v1/consultations/{id}",              Needs(CaseRead),           api::get_consultation),
        route(M::POST, "/api/v1/consultations/{id}",              Needs(ConsultationRecord), api::record_consultation),
        route(M::POST, "/api/v1/consultations/{id}/cancel",       Needs(ConsultationBook),   api::cancel_consultation),
        route(M::GET,  "/api/v1/worklists/{list}",                Needs(CaseRead),           api::get_worklist),
    ]
}

/// The worklists, by the name their paths use, in the order the landing page shows them.
pub(crate) const WORKLISTS: [(&str, Worklist); 5] = [
    ("to_triage", Worklist::ToTriage),
    ("awaiting_consultation", Worklist::AwaitingConsultation),
    ("consulted", Worklist::Consulted),
    ("awaiting_mdt", Worklist::AwaitingMdt),
    ("to_schedule", Worklist::ToSchedule),
];

/// The worklist a path names; any other name names nothing (404).
pub(crate) fn worklist_named(slug: &str) -> Result<Worklist, AppError> {
    WORKLISTS
        .iter()
        .find(|(name, _)| *name == slug)
        .map(|(_, list)| *list)
        .ok_or(AppError::NotFound)
}

/// A case with everything its page (and the API's detail) shows. Loading it audits the
/// read of the case and of its patient; the rest is read with the case.
pub(crate) struct CaseView {
    pub case: CaseRecord,
    pub patient: Patient,
    /// The catalog version the case is planned with.
    pub planned: ProcedureVersion,
    /// The requested procedure, when planning changed the type.
    pub requested: Option<ProcedureTypeRecord>,
    pub history: Vec<CaseEventRecord>,
    pub consultations: Vec<Consultation>,
    pub consents: Vec<Consent>,
    pub mdt_items: Vec<AgendaItem>,
    pub bookings: Vec<BookingRecord>,
}

impl CaseView {
    pub async fn load(state: &AppState, actor: &Actor, id: CaseId) -> Result<Self, AppError> {
        let store = state.store();
        let now = state.now();
        let case = store.get_case(actor, id, now).await?;
        let patient = store.get_patient(actor, case.patient_id, now).await?;
        let planned = store.procedure_version(case.planned_version_id).await?;
        let requested = if planned.type_id == case.requested_type_id {
            None
        } else {
            Some(store.procedure_type(case.requested_type_id).await?)
        };
        Ok(Self {
            history: store.case_history(id).await?,
            consultations: store.case_consultations(id).await?,
            consents: store.case_consents(id).await?,
            mdt_items: store.case_mdt_items(id).await?,
            bookings: store.case_bookings(id).await?,
            case,
            patient,
            planned,
            requested,
        })
    }

    /// The last consent decision, if any.
    pub fn consent(&self) -> Option<ConsentDecision> {
        self.consents.last().map(|c| c.decision)
    }

    pub fn active_booking(&self) -> Option<&BookingRecord> {
        self.bookings.iter().find(|b| b.active)
    }

    /// Whether the state machine lets `event` happen now.
    pub fn allows(&self, event: &CaseEvent) -> bool {
        self.case.status.apply(event).is_ok()
    }
}

/// Stand-in reason used only to ask the state machine whether a reasoned event could
/// happen (the real reason is checked when the user sends it).
pub(crate) fn any_reason() -> String {
    "-".into()
}

/// `now` as the department's clock shows it: the same instant, at the zone's offset, so
/// that the domain's "today" (`now.date()`: a referral or consent date not in the future)
/// is the department's day, not UTC's.
pub(crate) fn local_now(now: OffsetDateTime, zone: &jiff::tz::TimeZone) -> OffsetDateTime {
    let local = seldinger_domain::localtime::to_local(now, zone).assume_utc();
    let seconds = (local - now).whole_seconds();
    i32::try_from(seconds)
        .ok()
        .and_then(|s| time::UtcOffset::from_whole_seconds(s).ok())
        .map(|offset| now.to_offset(offset))
        .unwrap_or(now)
}

/// Full days between the local dates of `from` and `now`.
pub(crate) fn days_between(
    from: OffsetDateTime,
    now: OffsetDateTime,
    zone: &jiff::tz::TimeZone,
) -> i64 {
    let start = seldinger_domain::localtime::local_date(from, zone);
    let end = seldinger_domain::localtime::local_date(now, zone);
    (end - start).whole_days()
}

/// A case, its patient and the catalog version it is planned with: the top of every
/// page about a case (the case and the patient are audited reads).
pub(crate) async fn case_header(
    state: &AppState,
    actor: &Actor,
    id: CaseId,
    now: OffsetDateTime,
) -> Result<(CaseRecord, Patient, ProcedureVersion), AppError> {
    let store = state.store();
    let case = store.get_case(actor, id, now).await?;
    let patient = store.get_patient(actor, case.patient_id, now).await?;
    let procedure = store.procedure_version(case.planned_version_id).await?;
    Ok((case, patient, procedure))
}

/// What a refused action says, in `lang`, times on the department's clock `zone` (the
/// store's conflicts on a case).
pub(crate) fn conflict_message(
    conflict: &Conflict,
    lang: Lang,
    zone: &jiff::tz::TimeZone,
) -> String {
    match conflict {
        Conflict::Transition(refusal) => refusal.message(lang),
        Conflict::Rule(rule) => rule.message(lang),
        Conflict::Locked => lookup("case.locked", lang).unwrap_or("locked").to_string(),
        Conflict::StaleVersion { .. } => lookup("case.stale", lang).unwrap_or("stale").to_string(),
        Conflict::Booking(conflicts) => conflicts
            .iter()
            .map(|c| c.message(lang, zone))
            .collect::<Vec<_>>()
            .join("; "),
        Conflict::Duplicate { field } => format!(
            "{field}: {}",
            lookup("case.duplicate", lang).unwrap_or("already used")
        ),
    }
}

/// The pathway's codes in the user's language, for templates.
#[derive(Clone, Copy, Debug)]
pub struct Words(pub Lang);

impl Words {
    fn word(self, prefix: &str, code: &'static str) -> &'static str {
        lookup(&format!("{prefix}.{code}"), self.0).unwrap_or(code)
    }

    pub fn urgency(&self, urgency: &Urgency) -> &'static str {
        self.word("case.urgency", urgency.code())
    }

    pub fn organ(&self, organ: &Organ) -> &'static str {
        self.word("case.organ", organ.code())
    }

    pub fn side(&self, side: &Side) -> &'static str {
        self.word("case.side", side.code())
    }

    pub fn family(&self, family: &ProcedureFamily) -> &'static str {
        self.word("case.family", family.code())
    }

    pub fn anesthesia(&self, anesthesia: &Anesthesia) -> &'static str {
        self.word("case.anesthesia", anesthesia.code())
    }

    pub fn stay(&self, stay: &Stay) -> String {
        stay.label(self.0)
    }

    pub fn status(&self, status: &CaseStatus) -> &'static str {
        status_label(*status, self.0)
    }

    /// A status as stored in the history (a code), in words.
    pub fn status_code(&self, code: &str) -> String {
        match CaseStatus::parse(code) {
            Ok(status) => status_label(status, self.0).to_string(),
            Err(_) => code.to_string(),
        }
    }

    /// An event of the history, in words.
    pub fn event(&self, code: &str) -> String {
        lookup(&format!("case.event.{code}"), self.0)
            .map(str::to_string)
            .unwrap_or_else(|| code.to_string())
    }

    pub fn consultation_kind(&self, kind: &ConsultationKind) -> &'static str {
        self.word("consult.kind", kind.code())
    }

    pub fn consultation_status(&self, status: &ConsultationStatus) -> &'static str {
        self.word("consult.status", status.code())
    }

    pub fn consent(&self, decision: &ConsentDecision) -> &'static str {
        self.word("consult.consent", decision.code())
    }

    pub fn meeting(&self, kind: &MeetingKind) -> &'static str {
        self.word("case.meeting", kind.code())
    }

    pub fn decision(&self, decision: &MdtDecision) -> &'static str {
        self.word("case.decision", decision.code())
    }

    pub fn allergy(&self, kind: &AllergyKind) -> &'static str {
        self.word("allergy", kind.code())
    }

    pub fn drug(&self, drug: &AnticoagulantDrug) -> &'static str {
        self.word("drug", drug.code())
    }

    pub fn sex(&self, sex: &Sex) -> &'static str {
        self.word("sex", sex.code())
    }

    pub fn language(&self, lang: &Lang) -> &'static str {
        self.word("consult.language", lang.code())
    }

    pub fn text<'a>(&self, text: &'a Bilingual) -> &'a str {
        text.get(self.0)
    }
}

/// The patient shown at the top of every page about a case.
pub struct Banner {
    pub patient: Patient,
    pub age: i32,
}

impl Banner {
    pub fn new(patient: Patient, today: Date) -> Self {
        let age = crate::i18n::age(patient.birth_date, today);
        Self { patient, age }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::exists;

    #[test]
    fn every_code_the_pages_show_has_words_in_both_languages() {
        let mut keys: Vec<String> = Vec::new();
        let mut add = |prefix: &str, codes: Vec<&str>| {
            keys.extend(codes.into_iter().map(|c| format!("{prefix}.{c}")));
        };
        add(
            "case.urgency",
            Urgency::ALL.iter().map(|v| v.code()).collect(),
        );
        add("case.organ", Organ::ALL.iter().map(|v| v.code()).collect());
        add("case.side", Side::ALL.iter().map(|v| v.code()).collect());
        add(
            "case.family",
            ProcedureFamily::ALL.iter().map(|v| v.code()).collect(),
        );
        add(
            "case.anesthesia",
            Anesthesia::ALL.iter().map(|v| v.code()).collect(),
        );
        add(
            "case.meeting",
            MeetingKind::ALL.iter().map(|v| v.code()).collect(),
        );
        add(
            "case.decision",
            MdtDecision::ALL.iter().map(|v| v.code()).collect(),
        );
        add(
            "consult.kind",
            ConsultationKind::ALL.iter().map(|v| v.code()).collect(),
        );
        add(
            "consult.status",
            ConsultationStatus::ALL.iter().map(|v| v.code()).collect(),
        );
        add(
            "consult.consent",
            ConsentDecision::ALL.iter().map(|v| v.code()).collect(),
        );
        add("consult.language", vec!["fr", "en"]);
        add(
            "case.event",
            vec![
                "refer",
                "accept",
                "decline",
                "send_to_mdt",
                "record_consultation",
                "plan_procedure",
                "mdt_decision",
                "book",
                "release_booking",
                "reschedule",
                "complete_checklist",
                "reopen_checklist",
                "perform",
                "sign_report",
                "close",
                "reopen",
                "cancel",
                // Not a transition: the store records the time-out in the history too.
                "timeout",
            ],
        );
        add(
            "worklist.action",
            vec![
                "triage",
                "book_consultation",
                "decide",
                "agenda",
                "book",
                "open",
            ],
        );
        add(
            "case.done",
            vec![
                "referred",
                "accepted",
                "declined",
                "sent_to_mdt",
                "planned",
                "cancelled",
                "consultation_booked",
                "consultation_recorded",
                "consultation_cancelled",
                "consent_withdrawn",
            ],
        );
        add("case", vec!["locked", "stale", "duplicate"]);
        for (slug, _) in WORKLISTS {
            keys.push(format!("worklist.{slug}"));
            keys.push(format!("worklist.{slug}.hint"));
        }
        for key in keys {
            assert!(exists(&key), "no message for {key}");
        }
    }

    #[test]
    fn every_event_the_state_machine_knows_has_words() {
        let events = [
            CaseEvent::Accept,
            CaseEvent::Decline {
                reason: any_reason(),
            },
            CaseEvent::SendToMdt,
            CaseEvent::RecordConsultation,
            CaseEvent::PlanProcedure,
            CaseEvent::DecideAtMdt(MdtDecision::Surgery),
            CaseEvent::Book,
            CaseEvent::ReleaseBooking,
            CaseEvent::CompleteChecklist,
            CaseEvent::ReopenChecklist,
            CaseEvent::Perform,
            CaseEvent::SignReport,
            CaseEvent::Close,
            CaseEvent::Reopen {
                reason: any_reason(),
            },
            CaseEvent::Cancel {
                reason: any_reason(),
            },
        ];
        for event in events {
            assert!(
                exists(&format!("case.event.{}", event.code())),
                "{}",
                event.code()
            );
        }
    }

    #[test]
    fn the_department_day_is_the_local_one() {
        let paris = jiff::tz::TimeZone::get("Europe/Paris").expect("bundled zone");
        let late = time::macros::datetime!(2026-11-22 23:30 UTC);
        let local = local_now(late, &paris);
        assert_eq!(local, late, "the same instant");
        assert_eq!(local.date(), time::macros::date!(2026 - 11 - 23));
        assert_eq!(
            local_now(late, &jiff::tz::TimeZone::UTC).date(),
            late.date()
        );
    }

    #[test]
    fn worklists_are_found_by_name_and_nothing_else() {
        assert_eq!(
            worklist_named("to_schedule").ok(),
            Some(Worklist::ToSchedule)
        );
        assert!(worklist_named("everything").is_err());
    }
}
