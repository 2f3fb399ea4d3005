//! Patients: identity, allergies and anticoagulant treatment, and how they are searched.

use serde::{Deserialize, Serialize};
use time::{Date, Month, OffsetDateTime};

use crate::invalid::{Collector, FieldError, Invalid, Problem};
use crate::text::{self, fold};
use crate::user::string_enum;

pub const NAME_MAX: usize = 100;
pub const NOTE_MAX: usize = 500;
pub const LIST_MAX: usize = 20;

/// A medical record number, as issued by the hospital: 1–32 characters, letters, digits,
/// `-`, `_`, `/` and `.`, with at least one digit (a hospital's IPP always has some, and
/// the search box tries a query as an MRN only when it holds one); stored upper-case;
/// unique.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Mrn(String);

impl Mrn {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim().to_uppercase();
        if value.is_empty() {
            return Err(FieldError::new("mrn", Problem::Required));
        }
        if value.chars().count() > 32 {
            return Err(FieldError::new("mrn", Problem::TooLong { max: 32 }));
        }
        let mut bad: Vec<char> = value
            .chars()
            .filter(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/' | '.')))
            .collect();
        bad.dedup();
        if !bad.is_empty() {
            return Err(FieldError::new(
                "mrn",
                Problem::ForbiddenCharacters {
                    found: bad.into_iter().take(8).collect(),
                },
            ));
        }
        if !value.chars().any(|c| c.is_ascii_digit()) {
            return Err(FieldError::new("mrn", Problem::DigitRequired));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_enum!(
    /// Administrative sex, as FHIR's `AdministrativeGender`.
    Sex, "sex" { Female = "female", Male = "male", Other = "other", Unknown = "unknown" }
);

string_enum!(
    /// Allergies that change what IR does: iodinated contrast (premedication or another
    /// contrast), latex (latex-free room), and anything else, described in the note.
    AllergyKind, "kind" { IodinatedContrast = "iodinated_contrast", Latex = "latex", Other = "other" }
);

string_enum!(
    /// Treatments that change bleeding risk and must be managed before a procedure.
    AnticoagulantDrug, "drug" {
        Warfarin = "warfarin",
        Fluindione = "fluindione",
        Acenocoumarol = "acenocoumarol",
        Apixaban = "apixaban",
        Rivaroxaban = "rivaroxaban",
        Dabigatran = "dabigatran",
        Edoxaban = "edoxaban",
        LowMolecularWeightHeparin = "lmwh",
        UnfractionatedHeparin = "ufh",
        Aspirin = "aspirin",
        Clopidogrel = "clopidogrel",
        Prasugrel = "prasugrel",
        Ticagrelor = "ticagrelor",
        Other = "other",
    }
);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Allergy {
    pub kind: AllergyKind,
    /// Required for `other`. Absent rather than null.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false, max_length = 500))]
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Anticoagulant {
    pub drug: AnticoagulantDrug,
    /// Required for `other`. Absent rather than null.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false, max_length = 500))]
    pub note: Option<String>,
}

/// Raw patient input, as it arrives from a form or JSON (strings, unchecked).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatientInput {
    #[serde(default)]
    pub mrn: String,
    #[serde(default)]
    pub family_name: String,
    #[serde(default)]
    pub given_names: String,
    #[serde(default)]
    pub birth_date: String,
    #[serde(default)]
    pub sex: String,
    #[serde(default)]
    pub allergies: Vec<RawEntry>,
    #[serde(default)]
    pub anticoagulants: Vec<RawEntry>,
}

/// One allergy or treatment as typed: a kind (or drug) code and an optional note.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEntry {
    #[serde(default, alias = "drug")]
    pub kind: String,
    #[serde(default)]
    pub note: String,
}

/// A patient's identity and clinical flags, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPatient {
    pub mrn: Mrn,
    pub family_name: String,
    pub given_names: String,
    pub birth_date: Date,
    pub sex: Sex,
    pub allergies: Vec<Allergy>,
    pub anticoagulants: Vec<Anticoagulant>,
}

pub const EARLIEST_BIRTH_DATE: Date = time::macros::date!(1890 - 01 - 01);

/// Parses a date written `YYYY-MM-DD` (ISO 8601, what `<input type=date>` sends) or
/// `DD/MM/YYYY` (how it is written in France). Refuses dates that do not exist.
pub fn parse_date(field: &str, raw: &str) -> Result<Date, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(FieldError::new(field, Problem::Required));
    }
    let not_a_date = || FieldError::new(field, Problem::NotADate);
    let numbers = |parts: Vec<&str>| -> Option<(i32, u8, u8)> {
        match parts.as_slice() {
            [y, m, d]
                if y.len() == 4 && (1..=2).contains(&m.len()) && (1..=2).contains(&d.len()) =>
            {
                Some((y.parse().ok()?, m.parse().ok()?, d.parse().ok()?))
            }
            _ => None,
        }
    };
    let (year, month, day) = if raw.contains('-') {
        numbers(raw.split('-').collect())
    } else if raw.contains('/') {
        let mut parts: Vec<&str> = raw.split('/').collect();
        parts.reverse();
        numbers(parts)
    } else {
        None
    }
    .ok_or_else(not_a_date)?;
    let month = Month::try_from(month).map_err(|_| not_a_date())?;
    Date::from_calendar_date(year, month, day).map_err(|_| not_a_date())
}

fn birth_date(raw: &str, today: Date) -> Result<Date, FieldError> {
    let date = parse_date("birth_date", raw)?;
    if date > today {
        return Err(FieldError::new("birth_date", Problem::DateInFuture));
    }
    if date < EARLIEST_BIRTH_DATE {
        return Err(FieldError::new(
            "birth_date",
            Problem::DateTooOld {
                earliest: EARLIEST_BIRTH_DATE.to_string(),
            },
        ));
    }
    Ok(date)
}

pub(crate) fn entries<K: Copy + PartialEq>(
    errors: &mut Collector,
    list: &str,
    raw: &[RawEntry],
    parse: fn(&str) -> Result<K, FieldError>,
    other: K,
) -> Vec<(K, Option<String>)> {
    if raw.len() > LIST_MAX {
        errors.push(FieldError::new(list, Problem::TooLong { max: LIST_MAX }));
        return Vec::new();
    }
    let mut out: Vec<(K, Option<String>)> = Vec::new();
    for (i, entry) in raw.iter().enumerate() {
        let kind = errors.check(
            parse(&entry.kind)
                .map_err(|e| FieldError::new(format!("{list}.{i}.{}", e.field), e.problem)),
        );
        let note = errors.check(text::free_text(
            &format!("{list}.{i}.note"),
            &entry.note,
            NOTE_MAX,
        ));
        if let (Some(kind), Some(note)) = (kind, note) {
            if kind == other && note.is_none() {
                errors.push(FieldError::new(
                    format!("{list}.{i}.note"),
                    Problem::Required,
                ));
            } else if !out.iter().any(|(k, n)| *k == kind && *n == note) {
                out.push((kind, note));
            }
        }
    }
    out
}

impl NewPatient {
    /// Checks every field against the rules, reporting all problems at once.
    pub fn parse(input: &PatientInput, now: OffsetDateTime) -> Result<Self, Invalid> {
        let mut errors = Collector::default();
        let mrn = errors.check(Mrn::parse(&input.mrn));
        let family_name = errors.check(text::person_name(
            "family_name",
            &input.family_name,
            NAME_MAX,
        ));
        let given_names = errors.check(text::person_name(
            "given_names",
            &input.given_names,
            NAME_MAX,
        ));
        let birth_date = errors.check(birth_date(&input.birth_date, now.date()));
        let sex = errors.check(Sex::parse(&input.sex));
        let allergies = entries(
            &mut errors,
            "allergies",
            &input.allergies,
            AllergyKind::parse,
            AllergyKind::Other,
        );
        let anticoagulants = entries(
            &mut errors,
            "anticoagulants",
            &input.anticoagulants,
            AnticoagulantDrug::parse,
            AnticoagulantDrug::Other,
        );
        errors.finish()?;
        match (mrn, family_name, given_names, birth_date, sex) {
            (Some(mrn), Some(family_name), Some(given_names), Some(birth_date), Some(sex)) => {
                Ok(Self {
                    mrn,
                    family_name,
                    given_names,
                    birth_date,
                    sex,
                    allergies: allergies
                        .into_iter()
                        .map(|(kind, note)| Allergy { kind, note })
                        .collect(),
                    anticoagulants: anticoagulants
                        .into_iter()
                        .map(|(drug, note)| Anticoagulant { drug, note })
                        .collect(),
                })
            }
            // Every None above pushed an error, so finish() returned early.
            _ => Err(Invalid(Vec::new())),
        }
    }

    /// The key under which two records are possible duplicates: folded names and birth date.
    pub fn duplicate_key(&self) -> (String, String, Date) {
        (
            fold(&self.family_name),
            fold(&self.given_names),
            self.birth_date,
        )
    }

    /// How lists order patients: folded family name, folded given names, birth date.
    pub fn sort_key(&self) -> String {
        format!(
            "{}\u{1f}{}\u{1f}{}",
            fold(&self.family_name),
            fold(&self.given_names),
            self.birth_date
        )
    }

    /// Every search token of the patient's names.
    pub fn search_tokens(&self) -> Vec<String> {
        let mut tokens = text::name_tokens(&self.family_name);
        for t in text::name_tokens(&self.given_names) {
            if !tokens.contains(&t) {
                tokens.push(t);
            }
        }
        tokens
    }
}

/// What a search box query asks for. Words that are dates select the birth date; the
/// other words are name prefixes that must all match (in any order, on family or given
/// names); the whole query, when it is a valid MRN, is also tried as an exact one — so
/// every MRN [`Mrn::parse`] accepts is found by searching for it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PatientQuery {
    pub name_prefixes: Vec<String>,
    pub birth_date: Option<Date>,
    pub mrn: Option<String>,
}

impl PatientQuery {
    pub const MAX_LEN: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        if raw.chars().count() > Self::MAX_LEN {
            return Err(FieldError::new(
                "q",
                Problem::TooLong { max: Self::MAX_LEN },
            ));
        }
        // Every MRN holds a digit (`Mrn::parse`), so a query without any is not one.
        let mrn = Mrn::parse(raw).ok();
        let mut query = PatientQuery {
            mrn: mrn.map(|m| m.0),
            ..Self::default()
        };
        for word in raw.split_whitespace() {
            if word.chars().next().is_some_and(|c| c.is_ascii_digit())
                && (word.contains('-') || word.contains('/'))
            {
                match parse_date("q", word) {
                    Ok(date) => {
                        query.birth_date = Some(date);
                        continue;
                    }
                    // `2024-0001` is no date but may well be an MRN: look it up as one.
                    Err(_) if query.mrn.is_some() => {}
                    Err(e) => return Err(e),
                }
            }
            for token in text::name_tokens(word) {
                if !query.name_prefixes.contains(&token) {
                    query.name_prefixes.push(token);
                }
            }
        }
        // The joined form of a compound word ("duprelefevre") is implied by its parts.
        query
            .name_prefixes
            .retain(|t| t.chars().all(char::is_alphanumeric));
        query.name_prefixes.truncate(6);
        Ok(query)
    }

    pub fn is_empty(&self) -> bool {
        self.name_prefixes.is_empty() && self.birth_date.is_none() && self.mrn.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    const NOW: OffsetDateTime = datetime!(2026-11-22 10:00 UTC);

    fn input() -> PatientInput {
        PatientInput {
            mrn: "ip-000123".into(),
            family_name: "Dupré-Lefèvre".into(),
            given_names: "Hélène".into(),
            birth_date: "1956-03-12".into(),
            sex: "female".into(),
            allergies: vec![RawEntry {
                kind: "iodinated_contrast".into(),
                note: "urticaria".into(),
            }],
            anticoagulants: vec![],
        }
    }

    #[test]
    fn a_valid_patient_parses() {
        let p = NewPatient::parse(&input(), NOW).unwrap();
        assert_eq!(p.mrn.as_str(), "IP-000123");
        assert_eq!(p.birth_date, date!(1956 - 03 - 12));
        assert_eq!(p.allergies[0].kind, AllergyKind::IodinatedContrast);
        assert!(p.search_tokens().contains(&"helene".to_string()));
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let bad = PatientInput {
            mrn: "".into(),
            family_name: "<b>x</b>".into(),
            birth_date: "1956-02-30".into(),
            sex: "yes".into(),
            allergies: vec![RawEntry {
                kind: "other".into(),
                note: "".into(),
            }],
            ..input()
        };
        let err = NewPatient::parse(&bad, NOW).unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "mrn",
                "family_name",
                "birth_date",
                "sex",
                "allergies.0.note"
            ]
        );
        assert_eq!(
            err.for_field("birth_date").unwrap().problem,
            Problem::NotADate
        );
    }

    #[test]
    fn dates_are_read_in_iso_and_french_order_and_must_exist() {
        assert_eq!(parse_date("d", "12/03/1956"), Ok(date!(1956 - 03 - 12)));
        assert_eq!(parse_date("d", "1956-3-2"), Ok(date!(1956 - 03 - 02)));
        assert!(parse_date("d", "2023-02-29").is_err());
        assert!(parse_date("d", "31/04/2020").is_err());
        assert!(parse_date("d", "yesterday").is_err());
        let future = PatientInput {
            birth_date: "2030-01-01".into(),
            ..input()
        };
        assert_eq!(
            NewPatient::parse(&future, NOW).unwrap_err().0[0].problem,
            Problem::DateInFuture
        );
    }

    #[test]
    fn search_queries_split_names_dates_and_mrn() {
        let q = PatientQuery::parse("Dupré hélène 12/03/1956").unwrap();
        assert_eq!(q.name_prefixes, vec!["dupre", "helene"]);
        assert_eq!(q.birth_date, Some(date!(1956 - 03 - 12)));
        assert_eq!(q.mrn, None);
        let q = PatientQuery::parse("ip-000123").unwrap();
        assert_eq!(q.mrn.as_deref(), Some("IP-000123"));
        assert!(PatientQuery::parse("dupont 1956-02-30").is_err());
    }

    #[test]
    fn an_mrn_without_a_digit_is_refused_saying_so() {
        for raw in ["IPP", "dupont", "A-B_C"] {
            assert_eq!(
                Mrn::parse(raw).unwrap_err(),
                FieldError::new("mrn", Problem::DigitRequired),
                "{raw}"
            );
        }
        assert_eq!(
            Problem::DigitRequired.message(crate::Lang::Fr),
            "doit contenir au moins un chiffre"
        );
        assert_eq!(
            Problem::DigitRequired.message(crate::Lang::En),
            "must contain at least one digit"
        );
        assert_eq!(Mrn::parse("7").map(|m| m.0), Ok("7".to_string()));
    }

    #[test]
    fn an_mrn_that_looks_like_a_date_but_is_none_is_searched_as_an_mrn() {
        let q = PatientQuery::parse("2024-0001").unwrap();
        assert_eq!(q.mrn.as_deref(), Some("2024-0001"));
        assert_eq!(q.birth_date, None);
        let q = PatientQuery::parse("12/03/1956").unwrap();
        assert_eq!(q.mrn.as_deref(), Some("12/03/1956"));
        assert_eq!(q.birth_date, Some(date!(1956 - 03 - 12)));
        // Alone, a date that does not exist is a well-formed MRN: it is looked up as one.
        let q = PatientQuery::parse("1956-02-30").unwrap();
        assert_eq!(q.mrn.as_deref(), Some("1956-02-30"));
        assert_eq!(q.birth_date, None);
        assert!(
            PatientQuery::parse("dupont 2024-0001").is_err(),
            "not an MRN (a space), and no date"
        );
    }

    /// The characters an MRN may hold, in either case.
    const MRN_ALPHABET: &str = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_/.";

    fn any_mrn() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let chars: Vec<char> = MRN_ALPHABET.chars().collect();
        (
            proptest::collection::vec(proptest::sample::select(chars), 0..32),
            0..10u32,
            any::<proptest::sample::Index>(),
            "[ \t]{0,2}",
            "[ \t]{0,2}",
        )
            .prop_map(|(mut body, digit, at, before, after)| {
                // At least one digit somewhere, at most 32 characters in all.
                let digit = char::from_digit(digit, 10).unwrap_or('0');
                body.insert(at.index(body.len() + 1), digit);
                format!("{before}{}{after}", body.into_iter().collect::<String>())
            })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        #[test]
        fn every_mrn_that_parses_is_what_a_search_for_it_looks_up(raw in any_mrn()) {
            let mrn = Mrn::parse(&raw);
            proptest::prop_assert!(mrn.is_ok(), "{raw:?}: {mrn:?}");
            let query = PatientQuery::parse(&raw);
            proptest::prop_assert_eq!(
                query.map(|q| q.mrn),
                Ok(mrn.ok().map(|m| m.0)),
                "{:?}", raw
            );
        }

        #[test]
        fn any_string_that_parses_as_an_mrn_is_looked_up_as_that_mrn(raw in "[ 0-9A-Za-z_./-]{0,34}") {
            if let Ok(mrn) = Mrn::parse(&raw) {
                proptest::prop_assert_eq!(
                    PatientQuery::parse(&raw).map(|q| q.mrn),
                    Ok(Some(mrn.0))
                );
            }
        }
    }
}
