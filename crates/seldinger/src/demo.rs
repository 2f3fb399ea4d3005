//! The demo department: staff of every role, about 200 patients with French and
//! English names, and a living pathway (see [`pathway`]): rooms, equipment, beds, staff
//! hours, MDT meetings and about eighty cases at every step, from referral to closure
//! (reports, pathology, adverse events, follow-up). Made deterministically (same seed,
//! same department), dated around the day it is made.

mod pathway;

use anyhow::Context;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use seldinger_domain::audit::Actor;
use seldinger_domain::patient::{NewPatient, PatientInput, RawEntry};
use seldinger_domain::user::Username;
use seldinger_domain::{Lang, Role};
use seldinger_store::{NewUser, Store};
use time::OffsetDateTime;

pub const DEMO_PASSWORD: &str = "demo-seldinger";

const STAFF: &[(&str, &str, Role, Lang)] = &[
    (
        "clemaire",
        "Dr Claire Lemaire",
        Role::InterventionalRadiologist,
        Lang::Fr,
    ),
    (
        "jokafor",
        "Dr James Okafor",
        Role::InterventionalRadiologist,
        Lang::En,
    ),
    (
        "tgirard",
        "Dr Thomas Girard",
        Role::ReferringPhysician,
        Lang::Fr,
    ),
    ("nbenali", "Dr Nadia Benali", Role::Anesthetist, Lang::Fr),
    ("lmercier", "Dr Luc Mercier", Role::Anesthetist, Lang::Fr),
    ("jmorel", "Julien Morel", Role::Radiographer, Lang::Fr),
    ("croussel", "Camille Roussel", Role::Nurse, Lang::Fr),
    ("sfournier", "Sophie Fournier", Role::Scheduler, Lang::Fr),
    ("mvidal", "Dr Marc Vidal", Role::Pathologist, Lang::Fr),
    ("ewilson", "Emma Wilson", Role::StudyCoordinator, Lang::En),
    ("phenry", "Paul Henry", Role::QualityOfficer, Lang::Fr),
    ("admin", "Administrateur Seldinger", Role::Admin, Lang::Fr),
];

const FAMILY_FR: &[&str] = &[
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèbvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefèvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Masson",
    "Sanchez",
    "Gérard",
    "Nguyen",
    "Boyer",
    "Denis",
    "Lemaire",
    "Duval",
    "Joly",
    "Gautier",
    "Roger",
    "Roche",
    "Roy",
    "Noël",
    "Meyer",
    "Lucas",
    "Meunier",
    "Jean",
    "Pérez",
    "Marchand",
    "Dufour",
    "Blanchard",
    "Barbier",
    "Brun",
    "Dumas",
    "Brunet",
    "Schmitt",
    "Leroux",
    "Colin",
    "Fernandez",
    "Pierre",
    "Renard",
    "Arnaud",
    "Rolland",
    "Caron",
    "Aubert",
    "Giraud",
    "Leclerc",
    "Vidal",
    "Bourgeois",
    "Renaud",
    "Lemoine",
    "Picard",
    "Gaillard",
    "Philippe",
    "Lacroix",
    "Dupuis",
    "Olivier",
    "Chauvin",
    "Aubry",
    "Benoît",
    "Le Gall",
    "N'Diaye",
    "Da Silva",
    "Dupré-Lefèvre",
    "Saint-Éloi",
];
const FAMILY_EN: &[&str] = &[
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes",
    "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin",
    "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King", "Baker", "Harrison",
    "Morgan", "Allen", "James", "Scott", "Phillips", "Watson", "Davis", "Parker", "O'Brien",
    "O'Connor", "McDonald", "Murphy", "Kelly", "Campbell", "Stewart", "Anderson", "Mitchell",
    "Young",
];
const GIVEN_FR_F: &[&str] = &[
    "Marie",
    "Jeanne",
    "Françoise",
    "Monique",
    "Catherine",
    "Nathalie",
    "Isabelle",
    "Sylvie",
    "Anne",
    "Martine",
    "Christine",
    "Hélène",
    "Élodie",
    "Chloé",
    "Léa",
    "Manon",
    "Camille",
    "Inès",
    "Zoé",
    "Céline",
    "Aurélie",
    "Geneviève",
    "Thérèse",
    "Noémie",
    "Maëlle",
    "Anaïs",
    "Émilie",
    "Josiane",
    "Danièle",
    "Aïssatou",
    "Marie-Claire",
];
const GIVEN_FR_M: &[&str] = &[
    "Jean",
    "Pierre",
    "Michel",
    "André",
    "Philippe",
    "Alain",
    "Bernard",
    "Jacques",
    "François",
    "Daniel",
    "Patrick",
    "Nicolas",
    "Christophe",
    "Stéphane",
    "Éric",
    "Frédéric",
    "Laurent",
    "Sébastien",
    "Julien",
    "Thomas",
    "Hugo",
    "Raphaël",
    "Léo",
    "Gaël",
    "Jérôme",
    "Benoît",
    "Noël",
    "Joël",
    "Mamadou",
    "Jean-Pierre",
    "Jean-Baptiste",
];
const GIVEN_EN_F: &[&str] = &[
    "Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophia", "Grace", "Mia", "Poppy", "Ella",
    "Margaret", "Susan", "Helen",
];
const GIVEN_EN_M: &[&str] = &[
    "Oliver", "George", "Harry", "Noah", "Jack", "Leo", "Arthur", "Muhammad", "Oscar", "Charlie",
    "David", "John", "Peter",
];

fn pick<'a>(rng: &mut StdRng, list: &[&'a str]) -> &'a str {
    list[rng.random_range(0..list.len())]
}

/// `count` synthetic patients, about one in five with an English name.
pub fn patients(count: usize, seed: u64, now: OffsetDateTime) -> Vec<NewPatient> {
    let mut rng = StdRng::seed_from_u64(seed);
    let today = now.date();
    let mut out = Vec::with_capacity(count);
    let drugs = [
        "apixaban",
        "rivaroxaban",
        "warfarin",
        "fluindione",
        "aspirin",
        "clopidogrel",
        "lmwh",
    ];
    for i in 0..count {
        let english = rng.random_bool(0.2);
        let female = rng.random_bool(0.5);
        let family = if english {
            pick(&mut rng, FAMILY_EN)
        } else {
            pick(&mut rng, FAMILY_FR)
        };
        let given = match (english, female) {
            (false, true) => pick(&mut rng, GIVEN_FR_F),
            (false, false) => pick(&mut rng, GIVEN_FR_M),
            (true, true) => pick(&mut rng, GIVEN_EN_F),
            (true, false) => pick(&mut rng, GIVEN_EN_M),
        };
        let age_days = rng.random_range(18 * 365..95 * 365);
        let birth = today - time::Duration::days(age_days);
        let mut allergies = Vec::new();
        if rng.random_bool(0.08) {
            allergies.push(RawEntry {
                kind: "iodinated_contrast".into(),
                note: "urticaire / hives".into(),
            });
        }
        if rng.random_bool(0.03) {
            allergies.push(RawEntry {
                kind: "latex".into(),
                note: String::new(),
            });
        }
        let mut anticoagulants = Vec::new();
        if rng.random_bool(0.15) {
            anticoagulants.push(RawEntry {
                kind: pick(&mut rng, &drugs).into(),
                note: String::new(),
            });
        }
        let input = PatientInput {
            mrn: format!("IP-{:07}", 100_000 + i),
            family_name: family.into(),
            given_names: given.into(),
            birth_date: birth.to_string(),
            sex: if female { "female" } else { "male" }.into(),
            allergies,
            anticoagulants,
        };
        // Every generated value is within the rules; skip rather than fail if one is not.
        if let Ok(patient) = NewPatient::parse(&input, now) {
            out.push(patient);
        }
    }
    out
}

/// Fills an empty database with the demo department and prints the sign-ins. A database
/// that already holds users is left as it is.
pub async fn fill(store: &Store) -> anyhow::Result<()> {
    if !store.is_empty().await? {
        println!("demo: the database already has users; left as it is");
        return Ok(());
    }
    let now = OffsetDateTime::now_utc();
    let actor = Actor::system("demo");
    let hash =
        seldinger_web::auth::hash_password(DEMO_PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut staff = std::collections::HashMap::new();
    for (username, name, role, language) in STAFF {
        let parsed = Username::parse(username).map_err(|e| anyhow::anyhow!("{e}"))?;
        let user = NewUser {
            username: parsed,
            full_name: (*name).into(),
            role: *role,
            language: *language,
            password_hash: hash.clone(),
        };
        staff.insert(
            (*username).to_string(),
            store.create_user(&actor, user, now).await?,
        );
    }
    let patients = patients(200, 2026, now);
    // The referring physician registered three patients in five (the ones they refer:
    // a referrer reads only their own); the department's secretariat imported the rest.
    let referrer = staff.get("tgirard").context("the demo referrer")?;
    let referrer = referrer.actor(None);
    let (theirs, ours): (Vec<usize>, Vec<usize>) = (0..patients.len()).partition(|i| i % 5 < 3);
    let pick = |indices: &[usize]| -> Vec<NewPatient> {
        indices.iter().map(|&i| patients[i].clone()).collect()
    };
    let their_ids = store
        .import_patients(&referrer, &pick(&theirs), now)
        .await?;
    let our_ids = store.import_patients(&actor, &pick(&ours), now).await?;
    let mut ids = vec![None; patients.len()];
    for (index, id) in theirs
        .iter()
        .zip(&their_ids)
        .chain(ours.iter().zip(&our_ids))
    {
        ids[*index] = Some(*id);
    }
    let ids: Vec<_> = ids.into_iter().flatten().collect();
    let referred_by_them = their_ids.into_iter().collect();
    let cases = pathway::fill(store, &pathway::Staff(staff), &ids, &referred_by_them, now).await?;
    println!(
        "demo department ready: {} staff, {} patients, {cases} cases",
        STAFF.len(),
        patients.len()
    );
    println!("demo sign-ins (password for all: {DEMO_PASSWORD}):");
    for (username, name, role, _) in STAFF {
        println!("  {username:<10} {name} ({})", role.code());
    }
    Ok(())
}
