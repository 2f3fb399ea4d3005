//! Rules that are checked against stored state (inside the store's transaction) rather
//! than against one input: a consultation recorded twice, a case put twice on an agenda,
//! a time-out on the wrong day, the last active administrator disabled… Each says what
//! is wrong in both languages and has a stable code for API clients; the HTTP layer
//! answers 409.

use crate::user::Lang;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rule {
    #[error("this consultation is already recorded")]
    ConsultationAlreadyRecorded,
    #[error("this consultation was cancelled")]
    ConsultationCancelled,
    #[error("the clinician already has a consultation at that time")]
    ClinicianBusy,
    #[error("this clinician's role does not hold this kind of consultation")]
    ClinicianRole,
    #[error("only a case awaiting the MDT can be put on an agenda")]
    CaseNotAwaitingMdt,
    #[error("the case is already on this meeting's agenda")]
    AlreadyOnAgenda,
    #[error("the case is not on this meeting's agenda")]
    NotOnAgenda,
    #[error("the MDT already decided for this case at this meeting")]
    AlreadyDecided,
    #[error("the case has no active booking")]
    NoActiveBooking,
    #[error("this booking is cancelled")]
    BookingNotActive,
    #[error("the time-out is recorded on the day of the procedure")]
    TimeOutNotOnTheDay,
    #[error("the time-out is already recorded for this booking")]
    TimeOutAlreadyRecorded,
    #[error("the time-out is recorded once the case is ready (checklist complete)")]
    CaseNotReady,
    #[error("this procedure type is withdrawn from the catalog")]
    ProcedureInactive,
    #[error("the checklist is filled in once the case is booked")]
    ChecklistNeedsBooking,
    #[error("the person named is not an active user with the needed role")]
    WrongPerson,
    #[error("a report is written once the case is ready (on the day) or performed")]
    ReportNeedsProcedure,
    #[error("the report is signed and can no longer change: add a signed addendum")]
    ReportSigned,
    #[error("an addendum completes a signed report; this one is still a draft")]
    ReportNotSigned,
    #[error("this specimen already has its pathology result")]
    PathologyAlreadyRecorded,
    #[error("this follow-up is already recorded")]
    FollowUpAlreadyRecorded,
    #[error("the case closes once every planned follow-up is recorded")]
    FollowUpIncomplete,
    #[error("adverse events are recorded once the procedure is performed")]
    EventNeedsProcedure,
    #[error("this event is not serious, or is already marked as reported")]
    NothingToReport,
    #[error("you cannot disable your own account")]
    OwnAccount,
    #[error("this is the last active administrator: enable or create another one first")]
    LastAdmin,
}

impl Rule {
    pub fn code(&self) -> &'static str {
        match self {
            Rule::ConsultationAlreadyRecorded => "consultation_already_recorded",
            Rule::ConsultationCancelled => "consultation_cancelled",
            Rule::ClinicianBusy => "clinician_busy",
            Rule::ClinicianRole => "clinician_role",
            Rule::CaseNotAwaitingMdt => "case_not_awaiting_mdt",
            Rule::AlreadyOnAgenda => "already_on_agenda",
            Rule::NotOnAgenda => "not_on_agenda",
            Rule::AlreadyDecided => "already_decided",
            Rule::NoActiveBooking => "no_active_booking",
            Rule::BookingNotActive => "booking_not_active",
            Rule::TimeOutNotOnTheDay => "timeout_not_on_the_day",
            Rule::TimeOutAlreadyRecorded => "timeout_already_recorded",
            Rule::CaseNotReady => "case_not_ready",
            Rule::ProcedureInactive => "procedure_inactive",
            Rule::ChecklistNeedsBooking => "checklist_needs_booking",
            Rule::WrongPerson => "wrong_person",
            Rule::ReportNeedsProcedure => "report_needs_procedure",
            Rule::ReportSigned => "report_signed",
            Rule::ReportNotSigned => "report_not_signed",
            Rule::PathologyAlreadyRecorded => "pathology_already_recorded",
            Rule::FollowUpAlreadyRecorded => "follow_up_already_recorded",
            Rule::FollowUpIncomplete => "follow_up_incomplete",
            Rule::EventNeedsProcedure => "event_needs_procedure",
            Rule::NothingToReport => "nothing_to_report",
            Rule::OwnAccount => "own_account",
            Rule::LastAdmin => "last_admin",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::Fr => match self {
                Rule::ConsultationAlreadyRecorded => "cette consultation est déjà renseignée",
                Rule::ConsultationCancelled => "cette consultation a été annulée",
                Rule::ClinicianBusy => "le praticien a déjà une consultation à cette heure",
                Rule::ClinicianRole => {
                    "le rôle de ce praticien ne correspond pas à ce type de consultation"
                }
                Rule::CaseNotAwaitingMdt => {
                    "seul un dossier en attente de RCP peut être inscrit à l'ordre du jour"
                }
                Rule::AlreadyOnAgenda => "le dossier est déjà à l'ordre du jour de cette réunion",
                Rule::NotOnAgenda => "le dossier n'est pas à l'ordre du jour de cette réunion",
                Rule::AlreadyDecided => "la RCP a déjà rendu sa décision pour ce dossier",
                Rule::NoActiveBooking => "le dossier n'a pas de réservation active",
                Rule::BookingNotActive => "cette réservation est annulée",
                Rule::TimeOutNotOnTheDay => "le time-out se fait le jour du geste",
                Rule::TimeOutAlreadyRecorded => {
                    "le time-out est déjà enregistré pour cette réservation"
                }
                Rule::CaseNotReady => {
                    "le time-out se fait quand le dossier est prêt (check-list complète)"
                }
                Rule::ProcedureInactive => "ce type de geste est retiré du catalogue",
                Rule::ChecklistNeedsBooking => {
                    "la check-list se remplit une fois le dossier programmé"
                }
                Rule::WrongPerson => {
                    "la personne indiquée n'est pas un utilisateur actif du rôle attendu"
                }
                Rule::ReportNeedsProcedure => {
                    "le compte rendu s'écrit quand le dossier est prêt (le jour J) ou réalisé"
                }
                Rule::ReportSigned => {
                    "le compte rendu est signé et ne peut plus changer : ajoutez un addendum signé"
                }
                Rule::ReportNotSigned => {
                    "un addendum complète un compte rendu signé ; celui-ci est encore un brouillon"
                }
                Rule::PathologyAlreadyRecorded => {
                    "ce prélèvement a déjà son résultat anatomopathologique"
                }
                Rule::FollowUpAlreadyRecorded => "ce suivi est déjà renseigné",
                Rule::FollowUpIncomplete => {
                    "le dossier se clôt quand chaque suivi prévu est renseigné"
                }
                Rule::EventNeedsProcedure => {
                    "les événements indésirables s'enregistrent une fois le geste réalisé"
                }
                Rule::NothingToReport => {
                    "cet événement n'est pas grave, ou sa déclaration est déjà enregistrée"
                }
                Rule::OwnAccount => "vous ne pouvez pas désactiver votre propre compte",
                Rule::LastAdmin => {
                    "c'est le dernier administrateur actif : activez ou créez-en un autre d'abord"
                }
            }
            .to_string(),
        }
    }
}
