//! Validation errors that say what is wrong and where.
//!
//! A [`FieldError`] names the field (a JSON pointer-like dotted path such as
//! `allergies.0.kind`) and a [`Problem`]; the problem renders itself in English or
//! French. An [`Invalid`] gathers every field error of one input, so a form can show
//! all of them beside their fields at once.

use std::fmt;

use crate::user::Lang;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    Required,
    TooLong {
        max: usize,
    },
    TooShort {
        min: usize,
    },
    /// Characters that have no place in this field (markup, digits in a name…).
    ForbiddenCharacters {
        found: String,
    },
    NotADate,
    DateInFuture,
    DateTooOld {
        earliest: String,
    },
    NotOneOf {
        allowed: Vec<&'static str>,
    },
    /// Like `NotOneOf`, for choices that are data (grades of a grading system…): its
    /// own code, `not_listed`, as the list is stored data, not part of the API.
    NotListed {
        allowed: String,
    },
    BadFormat {
        expected: &'static str,
    },
    /// An identifier that must hold at least one digit (an MRN) holds none.
    DigitRequired,
    /// The value is already used by another record (an MRN, a username).
    AlreadyUsed,
    UnknownField,
    /// Names a record that does not exist (a patient, a procedure code, a room…).
    NoSuchRecord,
    /// Names a record withdrawn from use (an inactive procedure type, room…).
    Withdrawn,
    /// Is not the account's current password.
    WrongPassword,
    /// A repeated value (a new password typed twice) differs from the first.
    Mismatch,
    /// A new password that is the current one.
    Unchanged,
    /// Disagrees with another field of the same input (an end before its start, a range
    /// too long): a rule between fields, which no schema of one field can state.
    Inconsistent {
        en: &'static str,
        fr: &'static str,
    },
}

impl Problem {
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Problem::Required, Lang::En) => "is required".into(),
            (Problem::Required, Lang::Fr) => "est obligatoire".into(),
            (Problem::TooLong { max }, Lang::En) => {
                format!("is too long (at most {max} characters)")
            }
            (Problem::TooLong { max }, Lang::Fr) => {
                format!("est trop long ({max} caractères au plus)")
            }
            (Problem::TooShort { min }, Lang::En) => {
                format!("is too short (at least {min} characters)")
            }
            (Problem::TooShort { min }, Lang::Fr) => {
                format!("est trop court ({min} caractères au moins)")
            }
            (Problem::ForbiddenCharacters { found }, Lang::En) => {
                format!("contains characters that are not allowed here: {found}")
            }
            (Problem::ForbiddenCharacters { found }, Lang::Fr) => {
                format!("contient des caractères interdits ici : {found}")
            }
            (Problem::NotADate, Lang::En) => {
                "is not a date that exists (expected YYYY-MM-DD or DD/MM/YYYY)".into()
            }
            (Problem::NotADate, Lang::Fr) => {
                "n'est pas une date qui existe (attendu AAAA-MM-JJ ou JJ/MM/AAAA)".into()
            }
            (Problem::DateInFuture, Lang::En) => "is in the future".into(),
            (Problem::DateInFuture, Lang::Fr) => "est dans le futur".into(),
            (Problem::DateTooOld { earliest }, Lang::En) => format!("is before {earliest}"),
            (Problem::DateTooOld { earliest }, Lang::Fr) => format!("est antérieure au {earliest}"),
            (Problem::NotOneOf { allowed }, Lang::En) => {
                format!("must be one of: {}", allowed.join(", "))
            }
            (Problem::NotOneOf { allowed }, Lang::Fr) => {
                format!("doit valoir l'une de ces valeurs : {}", allowed.join(", "))
            }
            (Problem::NotListed { allowed }, Lang::En) => format!("must be one of: {allowed}"),
            (Problem::NotListed { allowed }, Lang::Fr) => {
                format!("doit valoir l'une de ces valeurs : {allowed}")
            }
            (Problem::BadFormat { expected }, Lang::En) => {
                format!("is not well formed: {expected}")
            }
            (Problem::BadFormat { expected }, Lang::Fr) => format!("est mal formé : {expected}"),
            (Problem::DigitRequired, Lang::En) => "must contain at least one digit".into(),
            (Problem::DigitRequired, Lang::Fr) => "doit contenir au moins un chiffre".into(),
            (Problem::AlreadyUsed, Lang::En) => "is already used by another record".into(),
            (Problem::AlreadyUsed, Lang::Fr) => "est déjà utilisé par un autre dossier".into(),
            (Problem::UnknownField, Lang::En) => "is not a known field".into(),
            (Problem::UnknownField, Lang::Fr) => "n'est pas un champ connu".into(),
            (Problem::NoSuchRecord, Lang::En) => "names nothing that exists".into(),
            (Problem::NoSuchRecord, Lang::Fr) => "ne désigne rien qui existe".into(),
            (Problem::Withdrawn, Lang::En) => "is withdrawn and can no longer be chosen".into(),
            (Problem::Withdrawn, Lang::Fr) => "est retiré et ne peut plus être choisi".into(),
            (Problem::WrongPassword, Lang::En) => "is not your current password".into(),
            (Problem::WrongPassword, Lang::Fr) => "n'est pas votre mot de passe actuel".into(),
            (Problem::Mismatch, Lang::En) => "differs from the first entry".into(),
            (Problem::Mismatch, Lang::Fr) => "diffère de la première saisie".into(),
            (Problem::Inconsistent { en, .. }, Lang::En) => {
                format!("expected, given the other fields: {en}")
            }
            (Problem::Inconsistent { fr, .. }, Lang::Fr) => {
                format!("attendu, vu les autres champs : {fr}")
            }
            (Problem::Unchanged, Lang::En) => "is the current password: choose another".into(),
            (Problem::Unchanged, Lang::Fr) => {
                "est le mot de passe actuel : choisissez-en un autre".into()
            }
        }
    }

    /// A stable machine-readable code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::Required => "required",
            Problem::TooLong { .. } => "too_long",
            Problem::TooShort { .. } => "too_short",
            Problem::ForbiddenCharacters { .. } => "forbidden_characters",
            Problem::NotADate => "not_a_date",
            Problem::DateInFuture => "date_in_future",
            Problem::DateTooOld { .. } => "date_too_old",
            Problem::NotOneOf { .. } => "not_one_of",
            // A choice among stored data (the grades of a grading system in force).
            Problem::NotListed { .. } => "not_listed",
            Problem::BadFormat { .. } => "bad_format",
            Problem::DigitRequired => "digit_required",
            Problem::AlreadyUsed => "already_used",
            Problem::UnknownField => "unknown_field",
            Problem::NoSuchRecord => "no_such_record",
            Problem::Withdrawn => "withdrawn",
            Problem::WrongPassword => "wrong_password",
            Problem::Mismatch => "mismatch",
            Problem::Unchanged => "unchanged",
            Problem::Inconsistent { .. } => "inconsistent",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub problem: Problem,
}

impl FieldError {
    pub fn new(field: impl Into<String>, problem: Problem) -> Self {
        Self {
            field: field.into(),
            problem,
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field, self.problem.message(Lang::En))
    }
}

/// Every field error found in one input. Never empty.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    pub fn one(field: impl Into<String>, problem: Problem) -> Self {
        Self(vec![FieldError::new(field, problem)])
    }

    pub fn for_field(&self, field: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.field == field)
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join("; "))
    }
}

/// Collects field errors while a parser walks an input, so that all of them are reported.
#[derive(Default, Debug)]
pub struct Collector(Vec<FieldError>);

impl Collector {
    pub fn check<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.0.push(error);
                None
            }
        }
    }

    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    pub fn finish(self) -> Result<(), Invalid> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Invalid(self.0))
        }
    }
}
