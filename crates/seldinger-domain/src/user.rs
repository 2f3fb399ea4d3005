//! Staff who sign in: usernames, passwords (as typed, and the temporary ones an
//! administrator hands out), roles and the language each one works in.

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

/// What an API token's owner calls it ("reporting script"): 1–100 characters on one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenLabel(String);

impl TokenLabel {
    pub const MAX: usize = 100;

    /// An empty label is no label.
    pub fn parse(raw: &str) -> Result<Option<Self>, FieldError> {
        let Some(value) = crate::text::free_text("label", raw, Self::MAX)? else {
            return Ok(None);
        };
        if let Some(c) = value.chars().find(|c| matches!(c, '\n' | '\r' | '\t')) {
            return Err(FieldError::new(
                "label",
                Problem::ForbiddenCharacters {
                    found: format!("U+{:04X}", u32::from(c)),
                },
            ));
        }
        Ok(Some(Self(value)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The symbols of a temporary password: Crockford's base 32, lower case — digits and
/// letters without `i`, `l`, `o` and `u`, so that nothing read aloud or copied from a
/// screen is mistaken for something else. 32 symbols: 5 bits each.
pub const TEMPORARY_ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
/// Groups of four symbols, joined by `-`: `7k2m-q9xa-03hd-wz5p`.
pub const TEMPORARY_GROUPS: usize = 4;
pub const TEMPORARY_GROUP_LEN: usize = 4;
/// 16 symbols of 5 bits: 80 bits, beyond any online or offline guessing of an argon2id
/// hash during the little time a temporary password lives.
pub const TEMPORARY_BITS: u32 = (TEMPORARY_GROUPS * TEMPORARY_GROUP_LEN) as u32 * 5;
const _: () = assert!(TEMPORARY_BITS >= 80, "a temporary password carries 80 bits");

/// A one-time password an administrator hands to a locked-out user, to be replaced at
/// the next sign-in. Drawn uniformly from [`TEMPORARY_ALPHABET`] by the caller's `rng`
/// (the domain reads no randomness of its own); long enough for [`NewPassword`].
pub fn temporary_password(rng: &mut impl rand::Rng) -> NewPassword {
    let mut out = String::with_capacity(TEMPORARY_GROUPS * (TEMPORARY_GROUP_LEN + 1));
    for group in 0..TEMPORARY_GROUPS {
        if group > 0 {
            out.push('-');
        }
        for _ in 0..TEMPORARY_GROUP_LEN {
            // Uniform: the range is sampled without modulo bias.
            let symbol = TEMPORARY_ALPHABET[rng.random_range(0..TEMPORARY_ALPHABET.len())];
            out.push(char::from(symbol));
        }
    }
    NewPassword(out)
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

        // The OpenAPI schema: a string, one of the codes.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($code),+]))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
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
    fn a_token_label_is_one_line_of_at_most_100_characters() {
        assert_eq!(TokenLabel::parse("  "), Ok(None));
        assert_eq!(
            TokenLabel::parse(" reporting script ").map(|l| l.map(|l| l.0)),
            Ok(Some("reporting script".into()))
        );
        assert!(matches!(
            TokenLabel::parse("two\nlines").unwrap_err().problem,
            Problem::ForbiddenCharacters { .. }
        ));
        assert_eq!(
            TokenLabel::parse(&"x".repeat(101)).unwrap_err().problem,
            Problem::TooLong { max: 100 }
        );
    }

    #[test]
    fn a_temporary_password_is_four_groups_of_four_unambiguous_symbols() {
        use rand::SeedableRng;
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let password = temporary_password(&mut rng);
        let text = password.expose();
        let groups: Vec<&str> = text.split('-').collect();
        assert_eq!(groups.len(), 4, "{text}");
        for group in groups {
            assert_eq!(group.len(), 4, "{text}");
            assert!(
                group.bytes().all(|b| TEMPORARY_ALPHABET.contains(&b)),
                "{text}"
            );
        }
        assert!(NewPassword::parse(text).is_ok(), "a valid password: {text}");
        assert_eq!(format!("{password:?}"), "NewPassword(***)");
    }

    #[test]
    fn a_temporary_password_carries_at_least_80_bits() {
        assert_eq!(TEMPORARY_ALPHABET.len(), 32);
        let distinct: std::collections::BTreeSet<u8> = TEMPORARY_ALPHABET.iter().copied().collect();
        assert_eq!(distinct.len(), 32, "no symbol twice");
        for ambiguous in [b'i', b'l', b'o', b'u', b'I', b'L', b'O'] {
            assert!(!TEMPORARY_ALPHABET.contains(&ambiguous));
        }
        let symbols = TEMPORARY_GROUPS * TEMPORARY_GROUP_LEN;
        let bits = symbols as f64 * (TEMPORARY_ALPHABET.len() as f64).log2();
        assert!(bits >= 80.0, "{bits} bits");
        assert_eq!(f64::from(TEMPORARY_BITS), bits);
    }

    #[test]
    fn temporary_passwords_come_from_the_rng_and_use_the_whole_alphabet() {
        use rand::SeedableRng;
        let draw = |seed| {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            temporary_password(&mut rng).expose().to_string()
        };
        assert_eq!(draw(1), draw(1), "the same rng gives the same password");
        assert_ne!(draw(1), draw(2));
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let mut seen = std::collections::BTreeSet::new();
        let mut all = std::collections::BTreeSet::new();
        for _ in 0..200 {
            let password = temporary_password(&mut rng);
            assert!(all.insert(password.expose().to_string()), "no repeat");
            seen.extend(password.expose().bytes().filter(|b| *b != b'-'));
        }
        let alphabet: std::collections::BTreeSet<u8> = TEMPORARY_ALPHABET.iter().copied().collect();
        assert_eq!(seen, alphabet);
    }

    #[test]
    fn roles_round_trip_through_their_codes() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.code()), Ok(*role));
        }
        assert!(Role::parse("surgeon").is_err());
    }
}
