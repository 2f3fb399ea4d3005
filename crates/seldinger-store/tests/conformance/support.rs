//! What every story starts from: a fixed clock, patients, staff accounts.

use seldinger_domain::Lang;
use seldinger_domain::Role;
use seldinger_domain::audit::Actor;
use seldinger_domain::patient::{NewPatient, PatientInput, RawEntry};
use seldinger_domain::user::Username;
use seldinger_store::{NewUser, Store, User};
use time::OffsetDateTime;
use time::macros::datetime;

/// A Sunday morning; the Monday after is 2026-11-23.
pub const NOW: OffsetDateTime = datetime!(2026-11-22 09:30 UTC);

pub fn input(mrn: &str, family: &str, given: &str, birth: &str) -> PatientInput {
    PatientInput {
        mrn: mrn.into(),
        family_name: family.into(),
        given_names: given.into(),
        birth_date: birth.into(),
        sex: "female".into(),
        allergies: vec![RawEntry {
            kind: "latex".into(),
            note: String::new(),
        }],
        anticoagulants: vec![RawEntry {
            kind: "apixaban".into(),
            note: "5 mg twice daily".into(),
        }],
    }
}

pub fn patient(mrn: &str, family: &str, given: &str, birth: &str) -> NewPatient {
    NewPatient::parse(&input(mrn, family, given, birth), NOW).expect("valid test patient")
}

/// An active account of `role`, created by the command line.
pub async fn user(store: &Store, username: &str, full_name: &str, role: Role) -> User {
    store
        .create_user(
            &Actor::system("test"),
            NewUser {
                username: Username::parse(username).unwrap(),
                full_name: full_name.into(),
                role,
                language: Lang::Fr,
                password_hash: "not-a-real-hash".into(),
            },
            NOW,
        )
        .await
        .unwrap()
}
