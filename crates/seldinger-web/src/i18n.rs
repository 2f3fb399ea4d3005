//! French and English for the interface.
//!
//! Messages are tables compiled into the binary, one per area of the interface (this
//! file's for the frame, patients, users and audit; [`catalog`], [`cases`], [`mdt`],
//! [`booking`] for the pathway): each entry gives both languages, so a message cannot
//! exist in one language only. Templates look messages up by key; tests check that every
//! key a template uses exists and that no key is defined twice.

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

pub mod account;

pub mod booking;

pub mod cases;

pub mod catalog;

pub mod followup;

pub mod mdt;

pub mod reports;

pub mod timeline;

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

messages! { CORE {
    "app.name" => "Seldinger", "Seldinger";
    "app.tagline" => "Interventional radiology", "Radiologie interventionnelle";
    "nav.patients" => "Patients", "Patients";
    "nav.users" => "Users", "Utilisateurs";
    "nav.audit" => "Audit log", "Journal d'audit";
    "nav.signout" => "Sign out", "Se déconnecter";
    "nav.skip" => "Skip to content", "Aller au contenu";
    "lang.switch" => "Français", "English";
    "lang.switch.title" => "Passer en français", "Switch to English";
    "login.title" => "Sign in", "Connexion";
    "login.username" => "Username", "Identifiant";
    "login.password" => "Password", "Mot de passe";
    "login.submit" => "Sign in", "Se connecter";
    "login.failed" => "Wrong username or password.", "Identifiant ou mot de passe incorrect.";
    "login.limited" => "Too many attempts. Wait a minute and try again.", "Trop de tentatives. Patientez une minute avant de réessayer.";
    "login.expired" => "Please sign in to continue.", "Connectez-vous pour continuer.";
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
    "patients.title" => "Patients", "Patients";
    "patients.search.label" => "Name, birth date or MRN", "Nom, date de naissance ou IPP";
    "patients.search.hint" => "e.g. helene dupre, 12/03/1956 or IP-000123", "ex. helene dupre, 12/03/1956 ou IP-000123";
    "patients.new" => "New patient", "Nouveau patient";
    "patients.recent" => "Recently updated", "Modifiés récemment";
    "patients.results" => "Results", "Résultats";
    "patients.more" => "More patients match: only the first 50 are shown. Add a given name or a birth date.", "D'autres patients correspondent : seuls les 50 premiers sont affichés. Ajoutez un prénom ou une date de naissance.";
    "patients.none" => "No patient matches this search.", "Aucun patient ne correspond à cette recherche.";
    "patient.mrn" => "MRN", "IPP";
    "patient.name" => "Name", "Nom";
    "patient.family_name" => "Family name", "Nom de famille";
    "patient.given_names" => "Given names", "Prénoms";
    "patient.birth_date" => "Birth date", "Date de naissance";
    "patient.age" => "Age", "Âge";
    "patient.years" => "years", "ans";
    "patient.sex" => "Sex", "Sexe";
    "patient.allergies" => "Allergies", "Allergies";
    "patient.allergy.other" => "Other allergy", "Autre allergie";
    "patient.anticoagulants" => "Anticoagulant and antiplatelet treatment", "Traitement anticoagulant et antiagrégant";
    "patient.anticoagulant.other" => "Other treatment", "Autre traitement";
    "patient.flags" => "Alerts", "Alertes";
    "patient.new.title" => "New patient", "Nouveau patient";
    "patient.edit.title" => "Edit patient", "Modifier le patient";
    "patient.duplicates.title" => "Possible duplicate", "Doublon possible";
    "patient.duplicates.text" => "A patient with the same names and birth date already exists:", "Un patient de mêmes nom, prénoms et date de naissance existe déjà :";
    "patient.duplicates.confirm" => "This is a different person: register anyway", "Il s'agit d'une autre personne : enregistrer quand même";
    "patient.stale" => "Someone else changed this record while you were editing it. Review the current values below and save again.", "Quelqu'un d'autre a modifié ce dossier pendant votre saisie. Vérifiez les valeurs actuelles ci-dessous puis enregistrez à nouveau.";
    "patient.withdraw.title" => "Registered in error?", "Enregistré par erreur ?";
    "patient.withdraw.text" => "Withdrawing hides this record from searches; it is kept, with the reason, in the audit trail.", "Retirer ce dossier le masque des recherches ; il est conservé, avec le motif, dans la traçabilité.";
    "patient.withdraw.reason" => "Reason", "Motif";
    "patient.withdraw.submit" => "Withdraw this record", "Retirer ce dossier";
    "patient.withdraw.done" => "The record was withdrawn.", "Le dossier a été retiré.";
    "sex.female" => "Female", "Femme";
    "sex.male" => "Male", "Homme";
    "sex.other" => "Other", "Autre";
    "sex.unknown" => "Unknown", "Inconnu";
    "allergy.iodinated_contrast" => "Iodinated contrast", "Produit de contraste iodé";
    "allergy.latex" => "Latex", "Latex";
    "allergy.other" => "Other", "Autre";
    "drug.warfarin" => "Warfarin", "Warfarine";
    "drug.fluindione" => "Fluindione", "Fluindione";
    "drug.acenocoumarol" => "Acenocoumarol", "Acénocoumarol";
    "drug.apixaban" => "Apixaban", "Apixaban";
    "drug.rivaroxaban" => "Rivaroxaban", "Rivaroxaban";
    "drug.dabigatran" => "Dabigatran", "Dabigatran";
    "drug.edoxaban" => "Edoxaban", "Edoxaban";
    "drug.lmwh" => "Low-molecular-weight heparin", "Héparine de bas poids moléculaire";
    "drug.ufh" => "Unfractionated heparin", "Héparine non fractionnée";
    "drug.aspirin" => "Aspirin", "Aspirine";
    "drug.clopidogrel" => "Clopidogrel", "Clopidogrel";
    "drug.prasugrel" => "Prasugrel", "Prasugrel";
    "drug.ticagrelor" => "Ticagrelor", "Ticagrélor";
    "drug.other" => "Other", "Autre";
    "users.title" => "Users", "Utilisateurs";
    "users.add" => "Add a user", "Ajouter un utilisateur";
    "users.username" => "Username", "Identifiant";
    "users.full_name" => "Full name", "Nom complet";
    "users.role" => "Role", "Rôle";
    "users.language" => "Language", "Langue";
    "users.password" => "Initial password", "Mot de passe initial";
    "users.password.hint" => "At least 10 characters.", "10 caractères au moins.";
    "users.status" => "Status", "Statut";
    "users.active" => "Active", "Actif";
    "users.disabled" => "Disabled", "Désactivé";
    "users.disable" => "Disable", "Désactiver";
    "users.token" => "New API token", "Nouveau jeton d'API";
    "users.token.title" => "API token created", "Jeton d'API créé";
    "users.token.once" => "Copy this token now: it will not be shown again.", "Copiez ce jeton maintenant : il ne sera plus affiché.";
    "users.back" => "Back to users", "Retour aux utilisateurs";
    "users.created" => "User created.", "Utilisateur créé.";
    "users.disabled.done" => "User disabled; their sessions and tokens no longer work.", "Utilisateur désactivé ; ses sessions et jetons ne fonctionnent plus.";
    "users.enable" => "Enable", "Réactiver";
    "users.enabled.done" => "User enabled: they can sign in again with their password.", "Utilisateur réactivé : il peut de nouveau se connecter avec son mot de passe.";
    "users.you" => "you", "vous";
    "users.refused" => "Nothing was changed:", "Rien n'a été modifié :";
    "users.temporary" => "Temporary password", "Mot de passe provisoire";
    "users.tokens" => "Live tokens", "Jetons actifs";
    "users.tokens.none" => "None", "Aucun";
    "users.tokens.hint" => "Each user makes their own tokens, on their account page.", "Chacun crée ses propres jetons, sur la page de son compte.";
    "users.token.revoke" => "Revoke", "Révoquer";
    "users.token.revoked" => "Token revoked: it no longer opens the API.", "Jeton révoqué : il n'ouvre plus l'API.";
    "users.reset" => "Reset password", "Réinitialiser le mot de passe";
    "users.reset.title" => "Temporary password", "Mot de passe provisoire";
    "users.reset.for" => "Temporary password for", "Mot de passe provisoire pour";
    "users.reset.once" => "Give it to them in person or by phone; it will not be shown again. They choose their own at their next sign-in. Their sessions have ended and their API tokens are revoked.", "Transmettez-le en personne ou par téléphone ; il ne sera plus affiché. L'utilisateur choisira le sien à sa prochaine connexion. Ses sessions ont pris fin et ses jetons d'API sont révoqués.";
    "audit.title" => "Audit log", "Journal d'audit";
    "audit.at" => "When", "Quand";
    "audit.who" => "Who", "Qui";
    "audit.role" => "Role", "Rôle";
    "audit.action" => "Action", "Action";
    "audit.object" => "Object", "Objet";
    "audit.client" => "From", "Depuis";
    "audit.detail" => "Detail", "Détail";
    "audit.object.hint" => "type/id, e.g. patient/0192…", "type/id, ex. patient/0192…";
    "audit.since" => "From", "Du";
    "audit.until" => "Until", "Au";
    "audit.none" => "No entry matches.", "Aucune entrée ne correspond.";
    "audit.results" => "Records shown:", "Dossiers affichés :";
    "audit.local" => "Local times", "Heures locales";
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
