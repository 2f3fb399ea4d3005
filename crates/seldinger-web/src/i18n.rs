//! French and English for the interface: the lookup ([`lookup`], [`Tr::t`], [`coded`],
//! [`message`]), dates, numbers and wall-clock times in the department's zone, and the
//! frame's own messages.
//!
//! Messages are tables compiled into the binary (`messages!`), each entry in both
//! languages, so a message cannot exist in one language only: this module's `FRAME`
//! (the application's name, navigation, the language switch, the common words of forms
//! and lists) and `SHARED` (the words several areas show, kept once), the pathway's
//! words beside the code that shows them (`case_view::WORDS`, `case_page::MESSAGES`), and
//! one table per area (`<area>/messages.rs`). The crate root lists them all
//! ([`crate::MESSAGES`]). A key keeps the prefix it was first written with (the
//! checklist's are `mdt.checklist.*`): keys are names, not paths. Templates look messages
//! up by key; tests check that every key a template uses exists and that no key is
//! defined twice.

use std::collections::HashMap;
use std::sync::LazyLock;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use seldinger_domain::Lang;
use time::{Date, OffsetDateTime};

/// One table of messages: each entry is a key, its English, its French.
pub(crate) type Messages = [(&'static str, &'static str, &'static str)];

/// `messages! { NAME { "key" => "English", "Français"; … } }`: a table of messages.
macro_rules! messages {
    ($name:ident { $($key:literal => $en:literal, $fr:literal;)+ }) => {
        pub(crate) const $name: &$crate::i18n::Messages = &[$(($key, $en, $fr)),+];
    };
}
pub(crate) use messages;

static INDEX: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> = LazyLock::new(|| {
    crate::MESSAGES
        .iter()
        .flat_map(|table| table.iter())
        .map(|(key, en, fr)| (*key, (*en, *fr)))
        .collect()
});

pub fn lookup(key: &str, lang: Lang) -> Option<&'static str> {
    INDEX.get(key).map(|(en, fr)| match lang {
        Lang::En => *en,
        Lang::Fr => *fr,
    })
}

/// Whether `key` is defined.
#[cfg(test)]
pub(crate) fn exists(key: &str) -> bool {
    INDEX.contains_key(key)
}

// The frame's messages: the application, navigation, the language switch, and the
// common words of forms and lists.
messages! { FRAME {
    "app.name" => "Seldinger", "Seldinger";
    "app.tagline" => "Interventional radiology", "Radiologie interventionnelle";
    "nav.patients" => "Patients", "Patients";
    "nav.users" => "Users", "Utilisateurs";
    "nav.audit" => "Audit log", "Journal d'audit";
    "nav.signout" => "Sign out", "Se déconnecter";
    "nav.skip" => "Skip to content", "Aller au contenu";
    "lang.switch" => "Français", "English";
    "lang.switch.title" => "Passer en français", "Switch to English";

    "common.save" => "Save", "Enregistrer";
    "common.cancel" => "Cancel", "Annuler";
    "common.edit" => "Edit", "Modifier";
    "common.search" => "Search", "Rechercher";
    "common.none" => "None", "Aucun";
    "common.yes" => "Yes", "Oui";
    "common.no" => "No", "Non";
    "common.note" => "Note", "Précision";
    "common.errors" => "Please correct the fields marked below.", "Veuillez corriger les champs signalés ci-dessous.";
    "common.saved" => "Saved.", "Enregistré.";
    "common.version" => "Version", "Version";
    "common.created" => "Created", "Créé le";
    "common.updated" => "Updated", "Modifié le";
    "common.filter" => "Filter", "Filtrer";
    "common.older" => "Older entries", "Entrées plus anciennes";
    "common.all" => "All", "Tous";

    "nav.schedule" => "Schedule", "Planning";

    "nav.worklists" => "Worklists", "Listes de travail";

    "nav.catalog" => "Catalog", "Catalogue";
    "nav.resources" => "Resources", "Ressources";

    "nav.mdt" => "MDT", "RCP";
} }

// The words several areas show (a patient's birth date, a case's urgency, the catalog's
// guidance and anesthesia, the documents' titles…), kept once.
messages! { SHARED {
    "patient.birth_date" => "Birth date", "Date de naissance";

    "patient.sex" => "Sex", "Sexe";

    "patient.flags" => "Alerts", "Alertes";

    "audit.local" => "Local times", "Heures locales";

    "case.patient" => "Patient", "Patient";

    "case.urgency" => "Urgency", "Urgence";

    "catalog.anesthesia.local" => "Local anesthesia", "Anesthésie locale";
    "catalog.anesthesia.sedation" => "Sedation", "Sédation";
    "catalog.anesthesia.general" => "General anesthesia", "Anesthésie générale";

    "catalog.guidance.ct" => "CT", "Scanner";
    "catalog.guidance.ultrasound" => "Ultrasound", "Échographie";
    "catalog.guidance.fluoroscopy" => "Fluoroscopy", "Radioscopie";
    "catalog.guidance.mri" => "MRI", "IRM";
    "catalog.guidance.cbct" => "Cone-beam CT", "Scanner de faisceau conique (CBCT)";

    "ae.choose" => "— choose —", "— choisir —";

    "mdt.refused" => "Not done:", "Action refusée :";

    "mdt.case.open" => "Open the case", "Ouvrir le dossier";
    "mdt.case.procedure" => "Procedure", "Geste";

    "mdt.case.status" => "Case status", "Statut du dossier";

    "mdt.record.date" => "Date", "Date";

    "mdt.doc.convocation" => "Convocation", "Convocation";
    "mdt.doc.preparation" => "Preparing for your procedure", "Préparation à votre geste";
    "mdt.doc.information" => "Information sheet", "Fiche d'information";
    "mdt.doc.print" => "Print this page with your browser (A4).", "Imprimez cette page avec votre navigateur (A4).";

    "mdt.doc.other_language" => "Version française", "English version";
    "mdt.doc.department" => "Interventional radiology department", "Service de radiologie interventionnelle";

    "mdt.doc.version" => "catalog version", "version du catalogue";

    "report.refused" => "Refused:", "Refusé :";

    "report.choose" => "— choose —", "— choisir —";

    "report.specimen.pending" => "awaiting result", "résultat en attente";

    "pathology.link" => "Pathology", "Anatomopathologie";

    "timeline.case" => "Case", "Dossier";
} }

/// The message for `key`, empty if it is missing (a notice after an action).
pub(crate) fn message(key: &str, lang: Lang) -> String {
    lookup(key, lang).unwrap_or_default().to_string()
}

/// The message for a code (`mdt.kind.thoracic_oncology`); the code itself if the key is
/// missing (the areas' unit tests keep that from happening).
pub(crate) fn coded(prefix: &str, code: &'static str, lang: Lang) -> &'static str {
    lookup(&format!("{prefix}.{code}"), lang).unwrap_or(code)
}

/// Language-aware helpers for templates.
#[derive(Clone, Copy, Debug)]
pub struct Tr(pub Lang);

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

impl Tr {
    /// The message for `key`; the key itself if it is missing (a test keeps that from
    /// happening).
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        lookup(key, self.0).unwrap_or(key)
    }

    /// 12/03/1956 in French, 12 Mar 1956 in English.
    pub fn date(&self, date: &Date) -> String {
        match self.0 {
            Lang::Fr => format!(
                "{:02}/{:02}/{}",
                date.day(),
                u8::from(date.month()),
                date.year()
            ),
            Lang::En => format!(
                "{} {} {}",
                date.day(),
                MONTHS_EN[usize::from(u8::from(date.month())) - 1],
                date.year()
            ),
        }
    }

    /// The wall-clock time of `at` in `zone`: 22/11/2026 10:30 (French), 22 Nov 2026 10:30.
    pub fn datetime(&self, at: &OffsetDateTime, zone: &TimeZone) -> String {
        let local = local_time(at, zone);
        let date = Date::from_calendar_date(
            i32::from(local.year()),
            month(local.month()),
            local.day().unsigned_abs(),
        );
        match date {
            Ok(date) => format!(
                "{} {:02}:{:02}",
                self.date(&date),
                local.hour(),
                local.minute()
            ),
            // Out of jiff's range (years beyond ±9999): show the instant in UTC.
            Err(_) => format!(
                "{} {:02}:{:02} UTC",
                self.date(&at.date()),
                at.hour(),
                at.minute()
            ),
        }
    }

    /// 12 345 in French (narrow no-break space), 12,345 in English.
    pub fn number(&self, n: i64) -> String {
        let digits = n.unsigned_abs().to_string();
        let sep = match self.0 {
            Lang::Fr => "\u{202f}",
            Lang::En => ",",
        };
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(sep);
            }
            out.push(c);
        }
        if n < 0 { format!("-{out}") } else { out }
    }
}

fn local_time(at: &OffsetDateTime, zone: &TimeZone) -> jiff::civil::DateTime {
    // Both libraries cover years −9999..=9999, so this conversion fails only on corruption.
    let instant = Timestamp::new(at.unix_timestamp(), at.nanosecond().try_into().unwrap_or(0))
        .unwrap_or(Timestamp::UNIX_EPOCH);
    zone.to_datetime(instant)
}

fn month(m: i8) -> time::Month {
    time::Month::try_from(u8::try_from(m).unwrap_or(1)).unwrap_or(time::Month::January)
}

/// Full years between `birth` and `today`.
pub fn age(birth: Date, today: Date) -> i32 {
    let mut years = today.year() - birth.year();
    if (today.month() as u8, today.day()) < (birth.month() as u8, birth.day()) {
        years -= 1;
    }
    years
}

/// Checks that every `prefix.code` has a message: the labels pages build from codes.
#[cfg(test)]
#[track_caller]
pub(crate) fn assert_labelled<'a>(prefix: &str, codes: impl IntoIterator<Item = &'a str>) {
    for code in codes {
        let key = format!("{prefix}.{code}");
        assert!(exists(&key), "no message for {key}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn dates_and_numbers_follow_the_language() {
        assert_eq!(Tr(Lang::Fr).date(&date!(1956 - 03 - 12)), "12/03/1956");
        assert_eq!(Tr(Lang::En).date(&date!(1956 - 03 - 12)), "12 Mar 1956");
        assert_eq!(Tr(Lang::Fr).number(1234567), "1\u{202f}234\u{202f}567");
        assert_eq!(Tr(Lang::En).number(-1234), "-1,234");
        assert_eq!(Tr(Lang::En).number(12), "12");
    }

    #[test]
    fn times_are_shown_on_the_department_clock() {
        let paris = TimeZone::get("Europe/Paris").expect("bundled zone");
        let winter = time::macros::datetime!(2026-11-22 09:30 UTC);
        let summer = time::macros::datetime!(2026-07-01 23:15 UTC);
        assert_eq!(Tr(Lang::Fr).datetime(&winter, &paris), "22/11/2026 10:30");
        assert_eq!(Tr(Lang::En).datetime(&summer, &paris), "2 Jul 2026 01:15");
        assert_eq!(
            Tr(Lang::Fr).datetime(&winter, &TimeZone::UTC),
            "22/11/2026 09:30"
        );
    }

    #[test]
    fn age_counts_full_years() {
        assert_eq!(age(date!(1956 - 03 - 12), date!(2026 - 03 - 11)), 69);
        assert_eq!(age(date!(1956 - 03 - 12), date!(2026 - 03 - 12)), 70);
    }

    #[test]
    fn no_key_is_defined_twice() {
        let mut seen = std::collections::HashSet::new();
        for (key, en, fr) in crate::MESSAGES.iter().flat_map(|t| t.iter()) {
            assert!(seen.insert(*key), "{key} is defined twice");
            assert!(
                !en.is_empty() && !fr.is_empty(),
                "{key} is empty in a language"
            );
        }
    }

    #[test]
    fn every_key_used_by_a_template_exists() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let mut checked = 0;
        let mut paths: Vec<std::path::PathBuf> = Vec::new();
        for entry in std::fs::read_dir(dir).expect("templates directory") {
            let path = entry.expect("template entry").path();
            if path.is_dir() {
                for inner in std::fs::read_dir(&path).expect("template subdirectory") {
                    paths.push(inner.expect("template entry").path());
                }
            } else {
                paths.push(path);
            }
        }
        for path in paths {
            let text = std::fs::read_to_string(&path).expect("template text");
            for piece in text.split(".t(\"").skip(1) {
                let key = piece.split('"').next().unwrap_or_default();
                assert!(
                    exists(key),
                    "{} uses unknown message key {key:?}",
                    path.display()
                );
                checked += 1;
            }
        }
        assert!(
            checked > 50,
            "only {checked} keys found: is the template syntax still .t(\"key\")?"
        );
    }
}
