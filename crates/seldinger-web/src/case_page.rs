//! The case page (`/cases/{id}`): a case with its history, consultations, consent, MDT
//! decisions and bookings, and the forms of what the user may do next. Every step of the
//! pathway links back to it; its forms post to the areas that own each action (triage,
//! planning and cancellation to `referrals`, consultations and consent to
//! `consultations`), and a refused action comes back on it ([`refuse`]): 409 with the
//! reason, or 422 with each field error beside its field, the typed values kept.
//!
//! Which actions it offers follows from the state machine ([`CaseView::allows`]) and the
//! user's role; the store decides when the form is sent. The page's messages are here too
//! (`MESSAGES`); its template is `templates/shared/case.html`.

use askama::Template;
use axum::http::StatusCode;
use seldinger_domain::case::{CaseEvent, MdtDecision};
use seldinger_domain::catalog::ProcedureFamily;
use seldinger_domain::consultation::{ConsultationKind, ConsultationStatus};
use seldinger_domain::{CaseId, Permission, Role};
use seldinger_store::cases::CaseEventRecord;
use seldinger_store::catalog::ProcedureVersion;
use seldinger_store::consultations::Consultation;
use time::Date;

use crate::AppState;
use crate::auth::Ctx;
use crate::calendar::today;
use crate::case_view::{Banner, CaseView, Words, any_reason, conflict_message};
use crate::error::AppError;
use crate::html::{FieldErrors, Layout, PageResult, render_with};
use crate::i18n::messages;

/// A procedure in a select.
pub struct ProcedureOption {
    pub code: String,
    pub name: String,
}

/// The procedures of one family, by name in the user's language.
pub struct FamilyGroup {
    pub label: &'static str,
    pub procedures: Vec<ProcedureOption>,
}

/// The active catalog, grouped by family, for a select.
pub(crate) async fn procedure_groups(
    state: &AppState,
    w: Words,
) -> Result<Vec<FamilyGroup>, AppError> {
    let types = state.store().list_procedure_types(false).await?;
    let mut groups = Vec::new();
    for family in ProcedureFamily::ALL {
        let mut procedures: Vec<ProcedureOption> = types
            .iter()
            .filter(|t| t.definition.family == *family)
            .map(|t| ProcedureOption {
                code: t.definition.code.to_string(),
                name: w.text(&t.definition.name).to_string(),
            })
            .collect();
        if procedures.is_empty() {
            continue;
        }
        procedures.sort_by_cached_key(|p| seldinger_domain::text::fold(&p.name));
        groups.push(FamilyGroup {
            label: w.family(family),
            procedures,
        });
    }
    Ok(groups)
}

/// The values typed in the case page's forms, kept when one comes back.
#[derive(Default)]
pub struct CaseForms {
    pub decline_reason: String,
    pub cancel_reason: String,
    pub procedure: String,
    pub kind: String,
    pub clinician: String,
    pub starts_at: String,
    pub duration: String,
    pub consent_date: String,
    pub consent_note: String,
}

/// What the case page says about the last action.
#[derive(Default)]
struct Feedback {
    errors: FieldErrors,
    refusal: Option<String>,
    done: Option<&'static str>,
    /// The form to show open (it has errors).
    open: Option<&'static str>,
}

/// The actions the case page offers: those the state machine allows now and the user's
/// role permits.
#[derive(Default)]
pub struct Actions {
    pub accept: bool,
    pub decline: bool,
    pub send_to_mdt: bool,
    pub plan: bool,
    pub book_consultation: bool,
    pub cancel: bool,
    pub withdraw_consent: bool,
    pub booking: bool,
    pub checklist: bool,
    pub convocation: bool,
    /// The procedure is due or done: its report, adverse events and follow-up.
    pub outcome: bool,
}

impl Actions {
    fn new(l: &Layout, v: &CaseView) -> Self {
        let status = v.case.status;
        let active_booking = v.active_booking().is_some();
        Self {
            accept: l.can(Permission::Triage) && v.allows(&CaseEvent::Accept),
            decline: l.can(Permission::Triage)
                && v.allows(&CaseEvent::Decline {
                    reason: any_reason(),
                }),
            send_to_mdt: l.can(Permission::Triage) && v.allows(&CaseEvent::SendToMdt),
            plan: l.can(Permission::Triage) && v.allows(&CaseEvent::PlanProcedure),
            book_consultation: l.can(Permission::ConsultationBook)
                && v.allows(&CaseEvent::RecordConsultation),
            cancel: l.can(Permission::CaseCancel)
                && v.allows(&CaseEvent::Cancel {
                    reason: any_reason(),
                }),
            withdraw_consent: l.can(Permission::ConsultationRecord)
                && status.is_open()
                && v.consent() == Some(seldinger_domain::consultation::ConsentDecision::Given),
            booking: l.can(Permission::BookingManage)
                && (active_booking || status.apply(&CaseEvent::Book).is_ok()),
            checklist: active_booking,
            convocation: active_booking,
            outcome: matches!(
                status,
                seldinger_domain::case::CaseStatus::Ready
                    | seldinger_domain::case::CaseStatus::Performed
                    | seldinger_domain::case::CaseStatus::FollowUp
                    | seldinger_domain::case::CaseStatus::Closed
            ),
        }
    }

    pub fn any(&self) -> bool {
        self.accept
            || self.decline
            || self.send_to_mdt
            || self.plan
            || self.book_consultation
            || self.cancel
            || self.withdraw_consent
    }
}

/// Someone who can hold a consultation.
pub struct Clinician {
    pub username: String,
    pub name: String,
}

async fn clinicians(state: &AppState, role: Role, day: Date) -> Result<Vec<Clinician>, AppError> {
    Ok(state
        .store()
        .staff_availability(role, day)
        .await?
        .into_iter()
        .map(|s| Clinician {
            username: s.username,
            name: s.full_name,
        })
        .collect())
}

#[derive(Template)]
#[template(path = "shared/case.html")]
pub struct CasePage {
    l: Layout,
    w: Words,
    v: CaseView,
    banner: Banner,
    can: Actions,
    f: CaseForms,
    errors: FieldErrors,
    refusal: Option<String>,
    done: Option<&'static str>,
    open: Option<&'static str>,
    groups: Vec<FamilyGroup>,
    irs: Vec<Clinician>,
    anesthetists: Vec<Clinician>,
}

impl CasePage {
    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    pub fn is_open(&self, form: &str) -> bool {
        self.open == Some(form)
    }

    pub fn kinds(&self) -> &'static [ConsultationKind] {
        ConsultationKind::ALL
    }

    pub fn planned_name(&self) -> &str {
        self.w.text(&self.v.planned.definition.name)
    }

    pub fn planned(&self) -> &ProcedureVersion {
        &self.v.planned
    }

    /// What an entry of the history adds: its reason, or the MDT decision in words.
    pub fn detail(&self, e: &CaseEventRecord) -> String {
        match (e.event.as_str(), e.detail.as_deref()) {
            ("mdt_decision", Some(code)) => MdtDecision::parse(code)
                .map(|d| self.w.decision(&d).to_string())
                .unwrap_or_else(|_| code.to_string()),
            // A reference kept for the audit trail (`booking/<id>`), not for readers.
            (_, Some(detail)) if detail.starts_with("booking/") => String::new(),
            (_, Some(detail)) => detail.to_string(),
            _ => String::new(),
        }
    }

    pub fn previous_status(&self, e: &CaseEventRecord) -> String {
        e.from_status
            .as_deref()
            .map(|s| self.w.status_code(s))
            .unwrap_or_default()
    }

    pub fn consultation_action(&self, c: &Consultation) -> &'static str {
        if c.status == ConsultationStatus::Booked && self.l.can(Permission::ConsultationRecord) {
            "consult.record"
        } else {
            "consult.open"
        }
    }
}

fn done_message(done: &str) -> Option<&'static str> {
    Some(match done {
        "referred" => "case.done.referred",
        "accepted" => "case.done.accepted",
        "declined" => "case.done.declined",
        "sent_to_mdt" => "case.done.sent_to_mdt",
        "planned" => "case.done.planned",
        "cancelled" => "case.done.cancelled",
        "consultation_booked" => "case.done.consultation_booked",
        "consultation_recorded" => "case.done.consultation_recorded",
        "consultation_cancelled" => "case.done.consultation_cancelled",
        "consent_withdrawn" => "case.done.consent_withdrawn",
        _ => return None,
    })
}

async fn show_case(
    state: &AppState,
    ctx: &Ctx,
    id: CaseId,
    mut f: CaseForms,
    feedback: Feedback,
    status: StatusCode,
) -> PageResult {
    let view = CaseView::load(state, &ctx.actor(), id).await?;
    let day = today(state, ctx);
    let w = Words(ctx.lang);
    let l = Layout::new(ctx, format!("/cases/{id}"), "worklists");
    let can = Actions::new(&l, &view);
    let groups = if can.plan {
        procedure_groups(state, w).await?
    } else {
        Vec::new()
    };
    let (irs, anesthetists) = if can.book_consultation {
        (
            clinicians(state, Role::InterventionalRadiologist, day).await?,
            clinicians(state, Role::Anesthetist, day).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    if f.consent_date.is_empty() {
        f.consent_date = day.to_string();
    }
    if f.duration.is_empty() {
        f.duration = seldinger_domain::consultation::DURATION_DEFAULT.to_string();
    }
    let page = CasePage {
        banner: Banner::new(view.patient.clone(), day),
        l,
        w,
        v: view,
        can,
        f,
        errors: feedback.errors,
        refusal: feedback.refusal,
        done: feedback.done,
        open: feedback.open,
        groups,
        irs,
        anesthetists,
    };
    Ok(render_with(status, &page))
}

/// The case page again after a refused action: 409 with the reason for a conflict, 422
/// with each field error beside its field (`map` names the fields of `form`).
pub(crate) async fn refuse(
    state: &AppState,
    ctx: &Ctx,
    id: CaseId,
    err: AppError,
    f: CaseForms,
    form: &'static str,
    map: fn(&str) -> &str,
) -> PageResult {
    let (feedback, status) = match err {
        AppError::Conflict(conflict) => (
            Feedback {
                refusal: Some(conflict_message(&conflict, ctx.lang, &ctx.timezone)),
                open: Some(form),
                ..Default::default()
            },
            StatusCode::CONFLICT,
        ),
        AppError::Invalid(invalid) => (
            Feedback {
                errors: FieldErrors::from_invalid(&invalid, ctx.lang, map),
                open: Some(form),
                ..Default::default()
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        other => return Err(other.into()),
    };
    show_case(state, ctx, id, f, feedback, status).await
}

/// The case page, saying what the last action did (`done`, as the redirect names it).
pub(crate) async fn show(state: &AppState, ctx: &Ctx, id: CaseId, done: &str) -> PageResult {
    let feedback = Feedback {
        done: done_message(done),
        ..Default::default()
    };
    show_case(
        state,
        ctx,
        id,
        CaseForms::default(),
        feedback,
        StatusCode::OK,
    )
    .await
}

/// The field mapping of a form whose fields are named as the domain names them (for
/// [`refuse`]).
pub(crate) fn same(field: &str) -> &str {
    field
}

// The case page's messages.
messages! { MESSAGES {
    "patient.allergies" => "Allergies", "Allergies";

    "patient.anticoagulants" => "Anticoagulant and antiplatelet treatment", "Traitement anticoagulant et antiagrégant";

    "case.referral" => "Referral", "Demande";
    "case.referral_date" => "Referral date", "Date de la demande";
    "case.received" => "received", "reçue le";
    "case.referring_physician" => "Referring physician", "Médecin demandeur";

    "case.requested_procedure" => "Requested procedure", "Acte demandé";
    "case.procedure" => "Procedure", "Acte";

    "case.status" => "Status", "Statut";
    "case.indication" => "Indication", "Indication";
    "case.clinical_question" => "Clinical question", "Question clinique";
    "case.target" => "Target", "Cible";

    "case.planned" => "Planned procedure", "Acte prévu";
    "case.catalog_version" => "Catalog version", "Version du catalogue";
    "case.anesthesia" => "Anesthesia", "Anesthésie";
    "case.stay" => "Stay", "Séjour";
    "case.duration" => "Duration in the room", "Durée en salle";
    "case.actions" => "What to do now", "Actions possibles";
    "case.accept" => "Accept", "Accepter";
    "case.send_to_mdt" => "Send to the MDT", "Présenter en RCP";
    "case.decline" => "Decline the referral…", "Refuser la demande…";
    "case.decline.submit" => "Decline", "Refuser";
    "case.reason" => "Reason", "Motif";
    "case.plan" => "Plan the procedure", "Programmer le geste";
    "case.plan.hint" => "After the consultation, without an MDT: the case goes to the list of procedures to schedule.", "Après la consultation, sans RCP : le dossier rejoint la liste des gestes à programmer.";
    "case.plan.procedure" => "Procedure", "Acte";
    "case.plan.keep" => "Keep the planned procedure", "Garder l'acte prévu";
    "case.plan.submit" => "Plan", "Programmer";
    "case.cancel" => "Cancel the case…", "Annuler le dossier…";
    "case.cancel.hint" => "Any booking of the case is released.", "Toute réservation du dossier est libérée.";
    "case.cancel.submit" => "Cancel the case", "Annuler le dossier";
    "case.refused" => "Not done:", "Action refusée :";

    "case.history" => "History", "Historique";
    "case.history.when" => "When", "Quand";
    "case.history.event" => "Event", "Événement";
    "case.history.change" => "Status", "Statut";
    "case.history.who" => "Who", "Qui";
    "case.history.detail" => "Reason or decision", "Motif ou décision";
    "case.mdt.title" => "MDT meetings", "Réunions de concertation (RCP)";
    "case.mdt.none" => "Not presented at an MDT.", "Non présenté en RCP.";
    "case.mdt.meeting" => "Meeting", "Réunion";
    "case.mdt.decision" => "Decision", "Décision";
    "case.mdt.pending" => "On the agenda, not decided yet", "À l'ordre du jour, pas encore décidé";
    "case.mdt.rationale" => "Rationale", "Argumentaire";
    "case.mdt.responsible" => "Responsible physician", "Médecin responsable";
    "case.bookings.title" => "Bookings", "Programmation";
    "case.bookings.none" => "No booking yet.", "Pas encore de réservation.";
    "case.bookings.book" => "Booking", "Réservation";
    "case.bookings.checklist" => "Checklist", "Check-list";
    "case.bookings.convocation" => "Convocation", "Convocation";
    "case.bookings.when" => "When", "Quand";
    "case.bookings.room" => "Room", "Salle";
    "case.bookings.operator" => "Operator", "Opérateur";
    "case.bookings.anesthetist" => "Anesthetist", "Anesthésiste";
    "case.bookings.active" => "Booked", "Réservé";
    "case.bookings.cancelled" => "Cancelled", "Annulé";
    "case.done.referred" => "Referral sent: the case waits for triage.", "Demande envoyée : le dossier attend d'être trié.";
    "case.done.accepted" => "Case accepted.", "Dossier accepté.";
    "case.done.declined" => "Referral declined.", "Demande refusée.";
    "case.done.sent_to_mdt" => "Case sent to the MDT.", "Dossier adressé en RCP.";
    "case.done.planned" => "Procedure planned: the case waits for a slot.", "Geste programmé : le dossier attend un créneau.";
    "case.done.cancelled" => "Case cancelled.", "Dossier annulé.";
    "case.done.consultation_booked" => "Consultation booked.", "Consultation réservée.";
    "case.done.consultation_recorded" => "Consultation recorded.", "Consultation enregistrée.";
    "case.done.consultation_cancelled" => "Consultation cancelled.", "Consultation annulée.";
    "case.done.consent_withdrawn" => "Consent withdrawal recorded.", "Retrait du consentement enregistré.";

    "consult.title" => "Consultations", "Consultations";
    "consult.none" => "No consultation yet.", "Pas encore de consultation.";
    "consult.when" => "When", "Quand";
    "consult.kind" => "Consultation", "Consultation";

    "consult.status" => "Status", "Statut";

    "consult.clinician" => "Clinician", "Praticien";
    "consult.clinician.irs" => "Interventional radiologists", "Radiologues interventionnels";
    "consult.clinician.anesthetists" => "Anesthetists", "Anesthésistes";
    "consult.starts_at" => "Date and time", "Date et heure";
    "consult.local_time" => "Local time", "Heure locale";
    "consult.duration" => "Duration (minutes)", "Durée (minutes)";
    "consult.book" => "Book a consultation", "Prendre rendez-vous en consultation";
    "consult.book.submit" => "Book", "Réserver";
    "consult.open" => "Open", "Ouvrir";
    "consult.record" => "Record", "Renseigner";

    "consult.withdraw" => "Record a withdrawal of consent…", "Enregistrer un retrait de consentement…";
    "consult.withdraw.date" => "Date of withdrawal", "Date du retrait";
    "consult.withdraw.note" => "Note", "Précision";
    "consult.withdraw.submit" => "Record the withdrawal", "Enregistrer le retrait";

    "case.outcome.title" => "Procedure, adverse events and follow-up", "Geste, événements indésirables et suivi";
    "case.outcome.events" => "Adverse events", "Événements indésirables";
    "case.outcome.follow_up" => "Follow-up and closure", "Suivi et clôture";

    "report.link" => "Procedure report", "Compte rendu";
} }

#[cfg(test)]
mod tests {
    use crate::i18n::assert_labelled;

    #[test]
    fn every_outcome_the_page_reports_has_words_in_both_languages() {
        assert_labelled(
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
    }
}
