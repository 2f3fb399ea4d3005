//! What the audit log records. Every read and write of patient data, every sign-in
//! attempt and every change to an account appends one entry; nothing updates or
//! deletes one.

use serde::Serialize;

use crate::user::string_enum;

string_enum!(
    /// The kind of event audited.
    AuditAction, "action" {
        PatientRead = "patient.read",
        PatientSearch = "patient.search",
        PatientCreate = "patient.create",
        PatientUpdate = "patient.update",
        PatientDelete = "patient.delete",
        LoginSucceeded = "login.succeeded",
        LoginFailed = "login.failed",
        Logout = "logout",
        UserCreate = "user.create",
        UserDisable = "user.disable",
        UserEnable = "user.enable",
        PasswordChange = "user.password_change",
        PasswordReset = "user.password_reset",
        TokenCreate = "token.create",
        TokenRevoke = "token.revoke",
        AuditRead = "audit.read",
        CaseCreate = "case.create",
        CaseRead = "case.read",
        CaseList = "case.list",
        CaseTransition = "case.transition",
        ConsultationBook = "consultation.book",
        ConsultationRecord = "consultation.record",
        ConsultationCancel = "consultation.cancel",
        ConsentRecord = "consent.record",
        MeetingCreate = "mdt.create",
        MeetingUpdate = "mdt.update",
        MeetingRead = "mdt.read",
        MdtDecide = "mdt.decide",
        BookingCreate = "booking.create",
        BookingMove = "booking.move",
        BookingCancel = "booking.cancel",
        ChecklistUpdate = "checklist.update",
        TimeOutRecord = "timeout.record",
        DocumentRead = "document.read",
        CatalogUpdate = "catalog.update",
        ResourceUpdate = "resource.update",
        ThresholdUpdate = "threshold.update",
        ReportRead = "report.read",
        ReportSave = "report.save",
        ReportSign = "report.sign",
        AddendumSign = "report.addendum",
        SpecimenList = "specimen.list",
        PathologyRecord = "pathology.record",
        AdverseEventCreate = "ae.create",
        AdverseEventUpdate = "ae.update",
        AdverseEventReported = "ae.reported",
        AdverseEventList = "ae.list",
        AeTermUpdate = "ae_term.update",
        FollowUpRecord = "followup.record",
        FollowUpList = "followup.list",
        TimelineRead = "patient.timeline",
        CaseHistoryRead = "case.history",
        ConsultationRead = "consultation.read",
        ConsultationList = "consultation.list",
        ConsentRead = "consent.read",
        BookingRead = "booking.read",
        BookingList = "booking.list",
        ChecklistRead = "checklist.read",
        SpecimenRead = "specimen.read",
        AdverseEventRead = "ae.read",
        FollowUpRead = "followup.read",
        EmergencyAccess = "access.emergency",
        EmergencyAccessList = "access.list",
        AccessDenied = "access.denied",
    }
);

/// The object an audit entry is about, written `type/id` (`patient/0192…`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ObjectRef {
    pub kind: String,
    pub id: String,
}

impl ObjectRef {
    pub fn new(kind: &str, id: impl ToString) -> Self {
        Self {
            kind: kind.into(),
            id: id.to_string(),
        }
    }

    /// Parses `type/id`.
    pub fn parse(raw: &str) -> Option<Self> {
        let (kind, id) = raw.split_once('/')?;
        let ok = |s: &str| {
            !s.is_empty()
                && s.len() <= 64
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        (ok(kind) && ok(id)).then(|| Self::new(kind, id))
    }
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.kind, self.id)
    }
}

/// Who does something, from where and through what: the subject of every audit entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<crate::UserId>,
    pub username: String,
    pub role: Option<crate::Role>,
    /// The client's address as seen by the server (or the proxy's forwarded address).
    pub client_addr: Option<String>,
    /// The way in: a route template (`GET /api/v1/cases/{id}/report`), or the command
    /// line's command. Never a concrete path: paths can hold identifiers.
    pub via: Option<String>,
}

impl Actor {
    /// The command line acting on the operator's behalf (user management, demo data).
    pub fn system(what: &str) -> Self {
        Self {
            user_id: None,
            username: format!("system:{what}"),
            role: None,
            client_addr: None,
            via: Some(format!("cli {what}")),
        }
    }

    /// Someone not (yet) signed in: a sign-in attempt under `username`.
    pub fn visitor(username: &str, client_addr: Option<String>) -> Self {
        Self {
            user_id: None,
            username: username.chars().take(64).collect(),
            role: None,
            client_addr,
            via: None,
        }
    }

    /// The same actor, coming through `via`.
    pub fn via(mut self, via: impl Into<String>) -> Self {
        self.via = Some(via.into());
        self
    }

    /// Whether this actor reads only the patients in their own scope (a referring
    /// physician: the patients they registered or referred, and those opened to them
    /// by an emergency access). Every other clinical role reads the department's
    /// patients.
    pub fn is_scoped(&self) -> bool {
        self.role.is_some_and(crate::Role::reads_own_patients_only)
    }
}
