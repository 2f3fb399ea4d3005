//! Who may do what. The permission matrix lives here, in one table, so that it can be
//! read, reviewed and tested as a whole; the web layer attaches one [`Access`] to every
//! route and checks it before the handler runs.

use serde::Serialize;

use crate::user::Role;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Search patients and read their records.
    PatientRead,
    /// Register patients and edit their demographics, allergies and treatments.
    PatientWrite,
    /// Manage staff accounts, roles and API tokens.
    UserAdmin,
    /// Read the audit log.
    AuditRead,
    /// Read cases, their history, worklists, meetings, calendars and patient documents.
    CaseRead,
    /// Send a referral (open a case).
    ReferralCreate,
    /// Triage referrals (accept, decline, send to the MDT) and plan procedures after a
    /// consultation.
    Triage,
    /// Cancel a case, with a reason.
    CaseCancel,
    /// Book, move and cancel consultations.
    ConsultationBook,
    /// Record a consultation: information, risks, alternatives, consent.
    ConsultationRecord,
    /// Create meetings and put cases on their agenda.
    MdtManage,
    /// Record MDT decisions.
    MdtDecide,
    /// Book, move and cancel procedure slots.
    BookingManage,
    /// Fill in the pre-procedure checklist.
    ChecklistEdit,
    /// Record the time-out on the day.
    TimeOut,
    /// Edit the procedure catalog and the checklist thresholds.
    CatalogAdmin,
    /// Edit rooms, equipment, bed units and staff availability.
    ResourceAdmin,
    /// Write a draft report (operators, radiographers and nurses record dose and
    /// materials).
    ReportEdit,
    /// Sign a report or an addendum.
    ReportSign,
    PathologyRecord,
    AdverseEventRecord,
    /// Mark a serious adverse event as reported to the authorities or the sponsor.
    AdverseEventReport,
    FollowUpRecord,
    /// Close a case whose follow-up is complete, or reopen it.
    CaseClose,
}

impl Permission {
    pub const ALL: [Permission; 24] = [
        Permission::PatientRead,
        Permission::PatientWrite,
        Permission::UserAdmin,
        Permission::AuditRead,
        Permission::CaseRead,
        Permission::ReferralCreate,
        Permission::Triage,
        Permission::CaseCancel,
        Permission::ConsultationBook,
        Permission::ConsultationRecord,
        Permission::MdtManage,
        Permission::MdtDecide,
        Permission::BookingManage,
        Permission::ChecklistEdit,
        Permission::TimeOut,
        Permission::CatalogAdmin,
        Permission::ResourceAdmin,
        Permission::ReportEdit,
        Permission::ReportSign,
        Permission::PathologyRecord,
        Permission::AdverseEventRecord,
        Permission::AdverseEventReport,
        Permission::FollowUpRecord,
        Permission::CaseClose,
    ];
}

/// What a route demands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not: sign-in, static assets, health.
    Public,
    /// Any signed-in user: their own preferences, signing out.
    SignedIn,
    Needs(Permission),
}

impl Role {
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::InterventionalRadiologist => &[
                PatientRead,
                PatientWrite,
                CaseRead,
                ReferralCreate,
                Triage,
                CaseCancel,
                ConsultationBook,
                ConsultationRecord,
                MdtManage,
                MdtDecide,
                BookingManage,
                ChecklistEdit,
                TimeOut,
                ReportEdit,
                ReportSign,
                AdverseEventRecord,
                AdverseEventReport,
                FollowUpRecord,
                CaseClose,
            ],
            Role::ReferringPhysician => &[PatientRead, PatientWrite, CaseRead, ReferralCreate],
            Role::Anesthetist => &[
                PatientRead,
                PatientWrite,
                CaseRead,
                ConsultationBook,
                ConsultationRecord,
                ChecklistEdit,
                AdverseEventRecord,
            ],
            Role::Radiographer => &[PatientRead, CaseRead, ChecklistEdit, TimeOut, ReportEdit],
            Role::Nurse => &[
                PatientRead,
                PatientWrite,
                CaseRead,
                ConsultationBook,
                ChecklistEdit,
                TimeOut,
                ReportEdit,
                AdverseEventRecord,
                FollowUpRecord,
            ],
            Role::Scheduler => &[
                PatientRead,
                PatientWrite,
                CaseRead,
                ReferralCreate,
                CaseCancel,
                ConsultationBook,
                MdtManage,
                BookingManage,
                ResourceAdmin,
            ],
            Role::Pathologist => &[PatientRead, CaseRead, PathologyRecord],
            Role::StudyCoordinator => &[
                PatientRead,
                CaseRead,
                AdverseEventRecord,
                AdverseEventReport,
                FollowUpRecord,
            ],
            Role::QualityOfficer => &[PatientRead, CaseRead, AuditRead, AdverseEventReport],
            // Administrators run the system; they do not read clinical records.
            Role::Admin => &[UserAdmin, AuditRead, CatalogAdmin, ResourceAdmin],
        }
    }

    pub fn can(self, permission: Permission) -> bool {
        self.permissions().contains(&permission)
    }

    /// Whether this role reads only its own patients (least privilege): a referring
    /// physician sees the patients they registered or referred, not the department's.
    /// An emergency access ("break the glass", with a reason, audited, limited in time)
    /// opens one more patient.
    pub fn reads_own_patients_only(self) -> bool {
        matches!(self, Role::ReferringPhysician)
    }

    pub fn allows(self, access: Access) -> bool {
        match access {
            Access::Public | Access::SignedIn => true,
            Access::Needs(permission) => self.can(permission),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_permission_is_held_by_some_role_and_denied_to_another() {
        for permission in Permission::ALL {
            assert!(
                Role::ALL.iter().any(|r| r.can(permission)),
                "{permission:?} held by nobody"
            );
            assert!(
                Role::ALL.iter().any(|r| !r.can(permission)),
                "{permission:?} held by all"
            );
        }
    }

    #[test]
    fn only_referring_physicians_are_limited_to_their_own_patients() {
        for role in Role::ALL {
            assert_eq!(
                role.reads_own_patients_only(),
                *role == Role::ReferringPhysician,
                "{role:?}"
            );
        }
    }

    #[test]
    fn administrators_do_not_read_patients() {
        assert!(!Role::Admin.can(Permission::PatientRead));
        assert!(Role::Admin.can(Permission::AuditRead));
    }
}
