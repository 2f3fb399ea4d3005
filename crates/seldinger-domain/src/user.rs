//! Staff who sign in: usernames, roles and the language each one works in.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::invalid::{FieldError, Problem};

/// A sign-in name: 2–64 characters, lower-case ASCII letters, digits, `.`, `-`, `_`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim().to_lowercase();
        let field = "username";
        if value.is_empty() {
            return Err(FieldError::new(field, Problem::Required));
        }
        if value.len() < 2 {
            return Err(FieldError::new(field, Problem::TooShort { min: 2 }));
        }
        if value.len() > 64 {
            return Err(FieldError::new(field, Problem::TooLong { max: 64 }));
        }
        let mut bad: Vec<char> = value
            .chars()
            .filter(|c| {
                !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'))
            })
            .collect();
        bad.dedup();
        if !bad.is_empty() {
            return Err(FieldError::new(
                field,
                Problem::ForbiddenCharacters {
                    found: bad.into_iter().take(8).collect(),
                },
            ));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Username {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Username> for String {
    fn from(value: Username) -> Self {
        value.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password as typed, checked for length only (NIST SP 800-63B: length over
/// composition rules). Never stored: only its argon2 hash is.
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN: usize = 10;
    pub const MAX: usize = 256;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let count = raw.chars().count();
        if count == 0 {
            return Err(FieldError::new("password", Problem::Required));
        }
        if count < Self::MIN {
            return Err(FieldError::new(
                "password",
                Problem::TooShort { min: Self::MIN },
            ));
        }
        if count > Self::MAX {
            return Err(FieldError::new(
                "password",
                Problem::TooLong { max: Self::MAX },
            ));
        }
        Ok(Self(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

/// The interface language, chosen per user.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Fr, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }
}

impl FromStr for Lang {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "fr" => Ok(Lang::Fr),
            "en" => Ok(Lang::En),
            _ => Err(FieldError::new(
                "language",
                Problem::NotOneOf {
                    allowed: vec!["fr", "en"],
                },
            )),
        }
    }
}

macro_rules! string_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal { $($variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
            pub fn parse(raw: &str) -> Result<Self, $crate::invalid::FieldError> {
                match raw.trim() {
                    $($code => Ok($name::$variant),)+
                    "" => Err($crate::invalid::FieldError::new($field, $crate::invalid::Problem::Required)),
                    _ => Err($crate::invalid::FieldError::new(
                        $field,
                        $crate::invalid::Problem::NotOneOf { allowed: vec![$($code),+] },
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        // JSON speaks the same codes as forms and the database.
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
                if let Ok(value) = $name::parse(&raw) {
                    return Ok(value);
                }
                // Records written before the codes were the JSON names used the variant
                // names in snake case (`low_molecular_weight_heparin` for `lmwh`).
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| $crate::user::snake_case(&format!("{v:?}")) == raw)
                    .ok_or_else(|| serde::de::Error::unknown_variant(&raw, &[$($code),+]))
            }
        }
    };
}
/// `LowMolecularWeightHeparin` → `low_molecular_weight_heparin`.
pub(crate) fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}
pub(crate) use string_enum;

string_enum!(
    /// What a member of staff does; each role carries a fixed set of permissions
    /// (see [`crate::access`]).
    Role, "role" {
        InterventionalRadiologist = "interventional_radiologist",
        ReferringPhysician = "referring_physician",
        Anesthetist = "anesthetist",
        Radiographer = "radiographer",
        Nurse = "nurse",
        Scheduler = "scheduler",
        Pathologist = "pathologist",
        StudyCoordinator = "study_coordinator",
        QualityOfficer = "quality_officer",
        Admin = "admin",
    }
);

impl Role {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Role::InterventionalRadiologist, Lang::En) => "Interventional radiologist",
            (Role::InterventionalRadiologist, Lang::Fr) => "Radiologue interventionnel",
            (Role::ReferringPhysician, Lang::En) => "Referring physician",
            (Role::ReferringPhysician, Lang::Fr) => "Médecin adresseur",
            (Role::Anesthetist, Lang::En) => "Anesthetist",
            (Role::Anesthetist, Lang::Fr) => "Anesthésiste",
            (Role::Radiographer, Lang::En) => "Radiographer",
            (Role::Radiographer, Lang::Fr) => "Manipulateur radio",
            (Role::Nurse, Lang::En) => "Nurse",
            (Role::Nurse, Lang::Fr) => "Infirmier·ère",
            (Role::Scheduler, Lang::En) => "Scheduler",
            (Role::Scheduler, Lang::Fr) => "Secrétariat / programmation",
            (Role::Pathologist, Lang::En) => "Pathologist",
            (Role::Pathologist, Lang::Fr) => "Anatomopathologiste",
            (Role::StudyCoordinator, Lang::En) => "Study coordinator",
            (Role::StudyCoordinator, Lang::Fr) => "Attaché·e de recherche clinique",
            (Role::QualityOfficer, Lang::En) => "Quality officer",
            (Role::QualityOfficer, Lang::Fr) => "Responsable qualité",
            (Role::Admin, Lang::En) => "Administrator",
            (Role::Admin, Lang::Fr) => "Administrateur",
        }
    }
}

/// A person's display name for a user account: 1–120 characters, no control characters.
pub fn full_name(raw: &str) -> Result<String, FieldError> {
    crate::text::free_text("full_name", raw, 120)?
        .filter(|n| !n.contains(['\n', '\r', '\t']))
        .ok_or_else(|| FieldError::new("full_name", Problem::Required))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lower_case_and_plain() {
        assert_eq!(
            Username::parse(" JDupont ").map(|u| u.0),
            Ok("jdupont".into())
        );
        assert!(matches!(
            Username::parse("j dupont").unwrap_err().problem,
            Problem::ForbiddenCharacters { .. }
        ));
        assert_eq!(Username::parse("").unwrap_err().problem, Problem::Required);
    }

    #[test]
    fn json_speaks_the_codes_and_still_reads_the_old_names() {
        use crate::patient::AnticoagulantDrug;
        assert_eq!(
            serde_json::to_string(&AnticoagulantDrug::LowMolecularWeightHeparin).ok(),
            Some("\"lmwh\"".to_string())
        );
        for raw in ["\"lmwh\"", "\"low_molecular_weight_heparin\""] {
            assert_eq!(
                serde_json::from_str::<AnticoagulantDrug>(raw).ok(),
                Some(AnticoagulantDrug::LowMolecularWeightHeparin)
            );
        }
        assert!(serde_json::from_str::<AnticoagulantDrug>("\"heparin\"").is_err());
    }

    #[test]
    fn roles_round_trip_through_their_codes() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.code()), Ok(*role));
        }
        assert!(Role::parse("surgeon").is_err());
    }
}
