//! The procedure catalog: what a department performs, with the defaults that drive
//! planning (guidance, anesthesia, stay, duration, rooms, equipment), the checklist
//! (bleeding-risk category, contrast) and the patient documents (risks, preparation,
//! information sheet), each text in French and English.
//!
//! The catalog is data: seeded by a migration, edited in the application. Every edit
//! makes a new version of the type ([`ProcedureType::parse`] checks each one); a case
//! keeps the version it was planned with.

use serde::{Deserialize, Serialize};

use crate::invalid::{Collector, FieldError, Invalid, Problem};
use crate::text;
use crate::user::{Lang, string_enum};

string_enum!(
    /// The families of IR procedures (PRODUCT.md, "The catalog").
    ProcedureFamily, "family" {
        Biopsy = "biopsy",
        Drainage = "drainage",
        Ablation = "ablation",
        Embolization = "embolization",
        Recanalization = "recanalization",
        VisceralAngiography = "visceral_angiography",
        SpinalInfiltration = "spinal_infiltration",
        Cementoplasty = "cementoplasty",
        BiliaryStone = "biliary_stone",
        IntratumoralInjection = "intratumoral_injection",
    }
);

string_enum!(
    /// How the patient is kept comfortable; sedation and general anesthesia need an
    /// anesthetist on the booking and an anesthesia consultation.
    Anesthesia, "anesthesia" { Local = "local", Sedation = "sedation", General = "general" }
);

impl Anesthesia {
    /// Whether an anesthetist must be booked.
    pub fn needs_anesthetist(self) -> bool {
        matches!(self, Anesthesia::Sedation | Anesthesia::General)
    }
}

string_enum!(
    /// The kinds of room IR works in.
    RoomType, "room_type" {
        Ct = "ct",
        Ultrasound = "ultrasound",
        Angiography = "angiography",
        HybridOr = "hybrid_or",
        Mri = "mri",
    }
);

string_enum!(
    /// Imaging that guides a procedure.
    Guidance, "guidance" {
        Ct = "ct",
        Ultrasound = "ultrasound",
        Fluoroscopy = "fluoroscopy",
        Mri = "mri",
        ConeBeamCt = "cbct",
    }
);

string_enum!(
    /// The bleeding-risk category of a procedure (SIR 2019), which selects the lab
    /// thresholds of the checklist.
    BleedingRisk, "bleeding_risk" { Low = "low", High = "high" }
);

string_enum!(
    /// Equipment that must be booked with the room (one unit of each kind required).
    EquipmentKind, "equipment" {
        RfGenerator = "rf_generator",
        MwGenerator = "mw_generator",
        CryoConsole = "cryo_console",
        Endomicroscopy = "endomicroscopy",
        PortableUltrasound = "portable_ultrasound",
        Lithotripsy = "lithotripsy",
    }
);

string_enum!(
    /// Organs and sites IR procedures target (also a referral's target organ).
    Organ, "target_organ" {
        Lung = "lung",
        Pleura = "pleura",
        Mediastinum = "mediastinum",
        Liver = "liver",
        BileDucts = "bile_ducts",
        Gallbladder = "gallbladder",
        Pancreas = "pancreas",
        Kidney = "kidney",
        Adrenal = "adrenal",
        UrinaryTract = "urinary_tract",
        Uterus = "uterus",
        Prostate = "prostate",
        Bone = "bone",
        Spine = "spine",
        SoftTissue = "soft_tissue",
        LymphNode = "lymph_node",
        Thyroid = "thyroid",
        Abdomen = "abdomen",
        Pelvis = "pelvis",
        Arteries = "arteries",
        Veins = "veins",
        PortalVein = "portal_vein",
        Other = "other",
    }
);

string_enum!(
    /// How long the patient stays: leaves after the procedure, spends the day in the
    /// day unit, or stays `nights` nights on the ward.
    StayKind, "stay" { Outpatient = "outpatient", DayCase = "day_case", Inpatient = "inpatient" }
);

/// The planned stay.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stay {
    pub kind: StayKind,
    /// Nights on the ward; 0 unless `kind` is `Inpatient`.
    pub nights: u8,
}

impl Stay {
    pub const MAX_NIGHTS: u8 = 30;

    pub fn outpatient() -> Self {
        Self {
            kind: StayKind::Outpatient,
            nights: 0,
        }
    }

    pub fn day_case() -> Self {
        Self {
            kind: StayKind::DayCase,
            nights: 0,
        }
    }

    pub fn nights(nights: u8) -> Self {
        Self {
            kind: StayKind::Inpatient,
            nights,
        }
    }

    /// "2 nights", "day case"… in `lang`.
    pub fn label(&self, lang: Lang) -> String {
        match (self.kind, lang) {
            (StayKind::Outpatient, Lang::En) => "outpatient".into(),
            (StayKind::Outpatient, Lang::Fr) => "externe".into(),
            (StayKind::DayCase, Lang::En) => "day case".into(),
            (StayKind::DayCase, Lang::Fr) => "ambulatoire".into(),
            (StayKind::Inpatient, Lang::En) if self.nights == 1 => "1 night".into(),
            (StayKind::Inpatient, Lang::En) => format!("{} nights", self.nights),
            (StayKind::Inpatient, Lang::Fr) if self.nights == 1 => "1 nuit".into(),
            (StayKind::Inpatient, Lang::Fr) => format!("{} nuits", self.nights),
        }
    }
}

/// A text in both languages of the application.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bilingual {
    pub fr: String,
    pub en: String,
}

impl Bilingual {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        }
    }
}

/// A procedure code: 2–32 characters, upper-case letters, digits, `-` and `_`
/// (`BIO-LUNG-CT`). Stored upper-case; unique in the catalog.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProcedureCode(String);

impl ProcedureCode {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let field = "code";
        let value = raw.trim().to_uppercase();
        if value.is_empty() {
            return Err(FieldError::new(field, Problem::Required));
        }
        if value.chars().count() < 2 {
            return Err(FieldError::new(field, Problem::TooShort { min: 2 }));
        }
        if value.chars().count() > 32 {
            return Err(FieldError::new(field, Problem::TooLong { max: 32 }));
        }
        let mut bad: Vec<char> = value
            .chars()
            .filter(|c| !(c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '-' | '_')))
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

impl TryFrom<String> for ProcedureCode {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ProcedureCode> for String {
    fn from(value: ProcedureCode) -> Self {
        value.0
    }
}

impl std::fmt::Display for ProcedureCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One version of a procedure type, valid. Stored as JSON (this shape) in the version
/// row, so an old version reads back as it was.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureType {
    pub code: ProcedureCode,
    pub name: Bilingual,
    pub family: ProcedureFamily,
    pub target_organs: Vec<Organ>,
    pub guidance: Vec<Guidance>,
    pub anesthesia: Anesthesia,
    pub stay: Stay,
    /// Typical time in the room, from installation to leaving.
    pub duration_minutes: u16,
    /// Rooms the procedure can be done in (at least one).
    pub room_types: Vec<RoomType>,
    pub equipment: Vec<EquipmentKind>,
    pub bleeding_risk: BleedingRisk,
    /// Iodinated contrast is planned: the checklist asks for creatinine or eGFR and, with
    /// a contrast allergy, for premedication.
    pub contrast: bool,
    pub risks: Bilingual,
    pub preparation: Bilingual,
    pub information_sheet: Bilingual,
}

/// A procedure type as typed in a form or sent as JSON: unchecked strings and lists.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcedureTypeInput {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name_fr: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub family: String,
    #[serde(default)]
    pub target_organs: Vec<String>,
    #[serde(default)]
    pub guidance: Vec<String>,
    #[serde(default)]
    pub anesthesia: String,
    #[serde(default)]
    pub stay: String,
    #[serde(default)]
    pub nights: Option<u32>,
    #[serde(default)]
    pub duration_minutes: Option<u32>,
    #[serde(default)]
    pub room_types: Vec<String>,
    #[serde(default)]
    pub equipment: Vec<String>,
    #[serde(default)]
    pub bleeding_risk: String,
    #[serde(default)]
    pub contrast: bool,
    #[serde(default)]
    pub risks_fr: String,
    #[serde(default)]
    pub risks_en: String,
    #[serde(default)]
    pub preparation_fr: String,
    #[serde(default)]
    pub preparation_en: String,
    #[serde(default)]
    pub information_sheet_fr: String,
    #[serde(default)]
    pub information_sheet_en: String,
}

pub const NAME_MAX: usize = 120;
pub const SHORT_TEXT_MAX: usize = 2_000;
pub const SHEET_MAX: usize = 20_000;
pub const DURATION_MAX: u16 = 600;

/// Parses a list of codes with `parse`, naming `list.i` on error, without repeats.
pub(crate) fn code_list<T: PartialEq + Copy>(
    errors: &mut Collector,
    list: &str,
    raw: &[String],
    parse: fn(&str) -> Result<T, FieldError>,
) -> Vec<T> {
    let mut out = Vec::new();
    for (i, item) in raw.iter().enumerate() {
        if let Some(value) =
            errors.check(parse(item).map_err(|e| FieldError::new(format!("{list}.{i}"), e.problem)))
            && !out.contains(&value)
        {
            out.push(value);
        }
    }
    out
}

fn required_text(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    text::free_text(field, raw, max)?.ok_or_else(|| FieldError::new(field, Problem::Required))
}

impl ProcedureType {
    /// Checks every field, reporting all problems at once.
    pub fn parse(input: &ProcedureTypeInput) -> Result<Self, Invalid> {
        let mut errors = Collector::default();
        let code = errors.check(ProcedureCode::parse(&input.code));
        let name_fr = errors.check(required_text("name_fr", &input.name_fr, NAME_MAX));
        let name_en = errors.check(required_text("name_en", &input.name_en, NAME_MAX));
        let family = errors.check(ProcedureFamily::parse(&input.family));
        let target_organs = code_list(
            &mut errors,
            "target_organs",
            &input.target_organs,
            Organ::parse,
        );
        let guidance = code_list(&mut errors, "guidance", &input.guidance, Guidance::parse);
        if input.guidance.is_empty() {
            errors.push(FieldError::new("guidance", Problem::Required));
        }
        let anesthesia = errors.check(Anesthesia::parse(&input.anesthesia));
        let stay_kind = errors.check(StayKind::parse(&input.stay));
        let stay = match stay_kind {
            Some(StayKind::Inpatient) => match input.nights {
                None | Some(0) => {
                    errors.push(FieldError::new("nights", Problem::Required));
                    None
                }
                Some(n) if n > u32::from(Stay::MAX_NIGHTS) => {
                    errors.push(FieldError::new(
                        "nights",
                        Problem::BadFormat {
                            expected: "a number of nights from 1 to 30",
                        },
                    ));
                    None
                }
                Some(n) => u8::try_from(n).ok().map(Stay::nights),
            },
            Some(StayKind::Outpatient) => Some(Stay::outpatient()),
            Some(StayKind::DayCase) => Some(Stay::day_case()),
            None => None,
        };
        let duration_minutes = match input.duration_minutes {
            None => {
                errors.push(FieldError::new("duration_minutes", Problem::Required));
                None
            }
            Some(m) if !(5..=u32::from(DURATION_MAX)).contains(&m) => {
                errors.push(FieldError::new(
                    "duration_minutes",
                    Problem::BadFormat {
                        expected: "minutes, from 5 to 600",
                    },
                ));
                None
            }
            Some(m) => u16::try_from(m).ok(),
        };
        let room_types = code_list(
            &mut errors,
            "room_types",
            &input.room_types,
            RoomType::parse,
        );
        if input.room_types.is_empty() {
            errors.push(FieldError::new("room_types", Problem::Required));
        }
        let equipment = code_list(
            &mut errors,
            "equipment",
            &input.equipment,
            EquipmentKind::parse,
        );
        let bleeding_risk = errors.check(BleedingRisk::parse(&input.bleeding_risk));
        let mut bilingual = |fr_field: &str, fr: &str, en_field: &str, en: &str, max: usize| {
            let fr = errors.check(required_text(fr_field, fr, max));
            let en = errors.check(required_text(en_field, en, max));
            fr.zip(en).map(|(fr, en)| Bilingual { fr, en })
        };
        let risks = bilingual(
            "risks_fr",
            &input.risks_fr,
            "risks_en",
            &input.risks_en,
            SHORT_TEXT_MAX,
        );
        let preparation = bilingual(
            "preparation_fr",
            &input.preparation_fr,
            "preparation_en",
            &input.preparation_en,
            SHORT_TEXT_MAX,
        );
        let information_sheet = bilingual(
            "information_sheet_fr",
            &input.information_sheet_fr,
            "information_sheet_en",
            &input.information_sheet_en,
            SHEET_MAX,
        );
        errors.finish()?;
        match (
            code,
            name_fr,
            name_en,
            family,
            anesthesia,
            stay,
            duration_minutes,
            bleeding_risk,
            risks,
            preparation,
            information_sheet,
        ) {
            (
                Some(code),
                Some(fr),
                Some(en),
                Some(family),
                Some(anesthesia),
                Some(stay),
                Some(duration_minutes),
                Some(bleeding_risk),
                Some(risks),
                Some(preparation),
                Some(information_sheet),
            ) => Ok(Self {
                code,
                name: Bilingual { fr, en },
                family,
                target_organs,
                guidance,
                anesthesia,
                stay,
                duration_minutes,
                room_types,
                equipment,
                bleeding_risk,
                contrast: input.contrast,
                risks,
                preparation,
                information_sheet,
            }),
            // Every None above pushed an error, so finish() returned early.
            _ => Err(Invalid(Vec::new())),
        }
    }

    /// The form values of this version, to edit it into the next one.
    pub fn to_input(&self) -> ProcedureTypeInput {
        let codes = |v: Vec<&str>| v.into_iter().map(str::to_string).collect();
        ProcedureTypeInput {
            code: self.code.to_string(),
            name_fr: self.name.fr.clone(),
            name_en: self.name.en.clone(),
            family: self.family.code().into(),
            target_organs: codes(self.target_organs.iter().map(|o| o.code()).collect()),
            guidance: codes(self.guidance.iter().map(|g| g.code()).collect()),
            anesthesia: self.anesthesia.code().into(),
            stay: self.stay.kind.code().into(),
            nights: (self.stay.kind == StayKind::Inpatient).then_some(u32::from(self.stay.nights)),
            duration_minutes: Some(u32::from(self.duration_minutes)),
            room_types: codes(self.room_types.iter().map(|r| r.code()).collect()),
            equipment: codes(self.equipment.iter().map(|e| e.code()).collect()),
            bleeding_risk: self.bleeding_risk.code().into(),
            contrast: self.contrast,
            risks_fr: self.risks.fr.clone(),
            risks_en: self.risks.en.clone(),
            preparation_fr: self.preparation.fr.clone(),
            preparation_en: self.preparation.en.clone(),
            information_sheet_fr: self.information_sheet.fr.clone(),
            information_sheet_en: self.information_sheet.en.clone(),
        }
    }

    pub fn fits_room(&self, room: RoomType) -> bool {
        self.room_types.contains(&room)
    }
}

/// The seed catalog (PRODUCT.md, "The catalog"): the procedure types a new installation
/// starts with, in the serde form of [`ProcedureType`]. The first migration stores them as
/// version 1 of each type; afterwards the catalog is edited in the application.
/// The catalog the first pathway migration seeds (`m0002_pathway`). It belongs to that
/// migration: do not edit an entry; add types with a new migration.
pub const SEED_JSON: &str = include_str!("catalog_seed.json");

/// The seed catalog, each entry checked as an edit in the application would be.
pub fn seed() -> Result<Vec<ProcedureType>, String> {
    check_catalog(SEED_JSON)
}

/// Reads a catalog in the serde form of [`ProcedureType`]: every entry must pass
/// [`ProcedureType::parse`] and read back exactly as written, and no code may repeat.
/// The error names the offending code.
fn check_catalog(json: &str) -> Result<Vec<ProcedureType>, String> {
    let entries: Vec<ProcedureType> =
        serde_json::from_str(json).map_err(|e| format!("the catalog is not readable: {e}"))?;
    let mut codes = std::collections::BTreeSet::new();
    for entry in &entries {
        let parsed = ProcedureType::parse(&entry.to_input())
            .map_err(|e| format!("procedure type {} is invalid: {e}", entry.code))?;
        if parsed != *entry {
            return Err(format!(
                "procedure type {} does not read back as written (untrimmed text, repeated list item or nights outside an inpatient stay)",
                entry.code
            ));
        }
        if !codes.insert(entry.code.clone()) {
            return Err(format!("procedure type {} appears twice", entry.code));
        }
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lung_biopsy() -> ProcedureTypeInput {
        ProcedureTypeInput {
            code: "bio-lung-ct".into(),
            name_fr: "Biopsie pulmonaire sous scanner".into(),
            name_en: "CT-guided lung biopsy".into(),
            family: "biopsy".into(),
            target_organs: vec!["lung".into()],
            guidance: vec!["ct".into()],
            anesthesia: "local".into(),
            stay: "inpatient".into(),
            nights: Some(1),
            duration_minutes: Some(60),
            room_types: vec!["ct".into()],
            equipment: vec![],
            bleeding_risk: "low".into(),
            contrast: false,
            risks_fr: "Pneumothorax, saignement.".into(),
            risks_en: "Pneumothorax, bleeding.".into(),
            preparation_fr: "À jeun 6 heures.".into(),
            preparation_en: "Nothing to eat for 6 hours.".into(),
            information_sheet_fr: "Fiche.".into(),
            information_sheet_en: "Sheet.".into(),
        }
    }

    #[test]
    fn a_valid_type_parses_and_round_trips_through_its_input() {
        let parsed = ProcedureType::parse(&lung_biopsy()).expect("valid");
        assert_eq!(parsed.code.as_str(), "BIO-LUNG-CT");
        assert_eq!(parsed.stay, Stay::nights(1));
        assert_eq!(ProcedureType::parse(&parsed.to_input()), Ok(parsed.clone()));
        let json = serde_json::to_string(&parsed).expect("serialize");
        assert_eq!(
            serde_json::from_str::<ProcedureType>(&json).ok(),
            Some(parsed)
        );
    }

    #[test]
    fn every_problem_is_named_at_once() {
        let input = ProcedureTypeInput {
            code: "x".into(),
            room_types: vec!["ct".into(), "garage".into()],
            stay: "inpatient".into(),
            duration_minutes: Some(2),
            ..lung_biopsy()
        };
        let errors = ProcedureType::parse(&input).expect_err("invalid");
        for field in ["code", "room_types.1", "duration_minutes"] {
            assert!(errors.for_field(field).is_some(), "{field} in {errors}");
        }
        let no_nights = ProcedureTypeInput {
            nights: None,
            ..lung_biopsy()
        };
        let errors = ProcedureType::parse(&no_nights).expect_err("nights missing");
        assert_eq!(
            errors.for_field("nights").map(|e| &e.problem),
            Some(&Problem::Required)
        );
    }

    #[test]
    fn sedation_and_general_anesthesia_need_an_anesthetist() {
        assert!(!Anesthesia::Local.needs_anesthetist());
        assert!(Anesthesia::Sedation.needs_anesthetist());
        assert!(Anesthesia::General.needs_anesthetist());
    }

    fn seeded() -> Vec<ProcedureType> {
        match seed() {
            Ok(types) => types,
            Err(e) => panic!("the seed catalog is invalid: {e}"),
        }
    }

    #[test]
    fn the_seed_catalog_parses_and_is_large_enough() {
        let types = seeded();
        assert!(types.len() >= 30, "only {} types", types.len());
    }

    #[test]
    fn the_seed_covers_every_family() {
        let types = seeded();
        for family in ProcedureFamily::ALL {
            assert!(
                types.iter().any(|t| t.family == *family),
                "no procedure type of family {family}"
            );
        }
    }

    #[test]
    fn every_seed_entry_round_trips_through_its_input() {
        for entry in seeded() {
            assert_eq!(
                ProcedureType::parse(&entry.to_input()),
                Ok(entry.clone()),
                "{}",
                entry.code
            );
        }
    }

    #[test]
    fn every_seed_information_sheet_is_a_real_sheet_in_both_languages() {
        for entry in seeded() {
            for lang in [Lang::Fr, Lang::En] {
                let sheet = entry.information_sheet.get(lang);
                let words = sheet.split_whitespace().count();
                assert!(words >= 100, "{} {lang:?}: {words} words", entry.code);
                assert!(
                    sheet.contains("\n\n"),
                    "{} {lang:?}: one paragraph",
                    entry.code
                );
                let second_opinion = match lang {
                    Lang::Fr => "deuxième avis",
                    Lang::En => "second opinion",
                };
                assert!(
                    sheet.contains(second_opinion),
                    "{} {lang:?}: no word of a second opinion",
                    entry.code
                );
            }
        }
    }

    #[test]
    fn the_endomicroscopy_biopsies_book_the_endomicroscopy_system() {
        let types = seeded();
        let endo: Vec<&ProcedureType> = types
            .iter()
            .filter(|t| t.name.en.to_lowercase().contains("endomicroscopy"))
            .collect();
        for organ in [Organ::Lung, Organ::Liver] {
            assert!(
                endo.iter().any(
                    |t| t.family == ProcedureFamily::Biopsy && t.target_organs.contains(&organ)
                ),
                "no {organ} biopsy with endomicroscopy"
            );
        }
        for t in endo {
            assert!(
                t.equipment.contains(&EquipmentKind::Endomicroscopy),
                "{} does not require the endomicroscopy system",
                t.code
            );
        }
    }

    #[test]
    fn every_seed_ablation_books_an_energy_source() {
        let sources = [
            EquipmentKind::RfGenerator,
            EquipmentKind::MwGenerator,
            EquipmentKind::CryoConsole,
        ];
        for t in seeded()
            .iter()
            .filter(|t| t.family == ProcedureFamily::Ablation)
        {
            assert!(
                t.equipment.iter().any(|e| sources.contains(e)),
                "{} books no generator or cryoablation console",
                t.code
            );
        }
    }

    #[test]
    fn seed_codes_are_unique() {
        let types = seeded();
        let codes: std::collections::BTreeSet<&str> =
            types.iter().map(|t| t.code.as_str()).collect();
        assert_eq!(codes.len(), types.len());
    }

    #[test]
    fn a_catalog_with_a_repeated_or_invalid_entry_is_refused_by_code() {
        let types = seeded();
        let mut doubled = vec![types[0].clone(), types[1].clone(), types[0].clone()];
        let json = serde_json::to_string(&doubled).expect("serialize");
        let error = check_catalog(&json).expect_err("repeated code");
        assert!(error.contains(types[0].code.as_str()), "{error}");

        doubled.truncate(2);
        doubled[1].information_sheet.en = "  ".into();
        let json = serde_json::to_string(&doubled).expect("serialize");
        let error = check_catalog(&json).expect_err("blank sheet");
        assert!(error.contains(types[1].code.as_str()), "{error}");
        assert!(error.contains("information_sheet_en"), "{error}");

        let mut day_case_with_nights = types[0].clone();
        day_case_with_nights.stay = Stay {
            kind: StayKind::DayCase,
            nights: 2,
        };
        let json = serde_json::to_string(&[day_case_with_nights]).expect("serialize");
        assert!(check_catalog(&json).is_err());
        assert!(check_catalog("[{\"code\": \"X\"}]").is_err());
    }
}
