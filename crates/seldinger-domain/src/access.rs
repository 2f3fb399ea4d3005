//! Who may do what. The permission matrix lives here, in one table, so that it can be
//! read, reviewed and tested as a whole; the web layer attaches one [`Access`] to every
//! route and checks it before the handler runs.

use serde::Serialize;

use crate::user::Role;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
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
}

impl Permission {
    pub const ALL: [Permission; 4] = [
        Permission::PatientRead,
        Permission::PatientWrite,
        Permission::UserAdmin,
        Permission::AuditRead,
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
            Role::InterventionalRadiologist => &[PatientRead, PatientWrite],
            Role::ReferringPhysician => &[PatientRead, PatientWrite],
            Role::Anesthetist => &[PatientRead, PatientWrite],
            Role::Radiographer => &[PatientRead],
            Role::Nurse => &[PatientRead, PatientWrite],
            Role::Scheduler => &[PatientRead, PatientWrite],
            Role::Pathologist => &[PatientRead],
            Role::StudyCoordinator => &[PatientRead],
            Role::QualityOfficer => &[PatientRead, AuditRead],
            // Administrators run the system; they do not read clinical records.
            Role::Admin => &[UserAdmin, AuditRead],
        }
    }

    pub fn can(self, permission: Permission) -> bool {
        self.permissions().contains(&permission)
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
    fn administrators_do_not_read_patients() {
        assert!(!Role::Admin.can(Permission::PatientRead));
        assert!(Role::Admin.can(Permission::AuditRead));
    }
}
