//! The interface in a real browser: headless Chromium driven by chromedriver, against
//! the real binary on a fresh database. Every wait is for something the next page shows
//! (an element, an attribute), never for a length of time.
//!
//! Needs Debian's `chromium` and `chromium-driver`. Screenshots of each step go to
//! `target/screenshots/`.

use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use serde_json::json;

use crate::support::{Browser, Instance, click, find, path, screenshot, text, wait};

/// A patient as typed into the form.
struct NewPatient {
    mrn: &'static str,
    family_name: &'static str,
    given_names: &'static str,
    /// ISO 8601, as a date input holds it.
    birth_date: &'static str,
    sex: &'static str,
    contrast_allergy: bool,
}

const HELENE: NewPatient = NewPatient {
    mrn: "IP-2026-0001",
    family_name: "Dupré-Lefèvre",
    given_names: "Hélène",
    birth_date: "1956-03-12",
    sex: "female",
    contrast_allergy: true,
};

/// Other patients of the department, so the list and the search have something to show
/// and something to leave out.
const OTHERS: [NewPatient; 3] = [
    NewPatient {
        mrn: "IP-2026-0002",
        family_name: "Lefèvre-Noël",
        given_names: "Zoé",
        birth_date: "1988-07-21",
        sex: "female",
        contrast_allergy: false,
    },
    NewPatient {
        mrn: "IP-2026-0003",
        family_name: "Çelik",
        given_names: "Ömer",
        birth_date: "1949-11-02",
        sex: "male",
        contrast_allergy: true,
    },
    NewPatient {
        mrn: "IP-2026-0004",
        family_name: "N'Diaye",
        given_names: "François-Xavier",
        birth_date: "1971-01-30",
        sex: "male",
        contrast_allergy: false,
    },
];

const USERNAME: &str = "sfournier";
const PASSWORD: &str = "ponction-fémorale-7F";

#[tokio::test]
async fn a_scheduler_registers_helene_finds_her_by_typing_helene_and_switches_language() {
    let instance = Instance::new().await;
    instance.add_user(USERNAME, "scheduler", "Sophie Fournier", PASSWORD);
    let server = instance.serve(&[]);
    let base = server.base_url().to_string();
    Browser::start()
        .await
        .run(|client| story(client, base))
        .await;
}

async fn story(client: Client, base: String) {
    let url = |path: &str| format!("{base}{path}");

    // 2. The front door sends an anonymous visitor to the sign-in page.
    client.goto(&url("/")).await.expect("open /");
    wait(&client, "#username").await;
    assert_eq!(path(&client).await, "/login");
    screenshot(&client, "01-sign-in.png").await;
    find(&client, "#username")
        .await
        .send_keys(USERNAME)
        .await
        .expect("type the username");
    find(&client, "#password")
        .await
        .send_keys(PASSWORD)
        .await
        .expect("type the password");
    click(&client, "form.login button[type=submit]").await;
    wait(&client, "#sign-out").await;
    assert_eq!(
        path(&client).await,
        "/worklists",
        "a scheduler lands on the worklists"
    );

    // 3. She registers Hélène Dupré-Lefèvre, allergic to iodinated contrast.
    click(&client, "nav a[href='/patients']").await;
    wait(&client, "#new-patient").await;
    click(&client, "#new-patient").await;
    wait(&client, "#mrn").await;
    fill_patient_form(&client, &HELENE).await;
    screenshot(&client, "02-new-patient.png").await;
    click(&client, "#save-patient").await;
    let name = wait(&client, "#patient-name").await;
    assert_patient_name(&name, &HELENE).await;
    let badges = text(&client, "ul.flags").await;
    assert!(
        badges.contains("Produit de contraste iodé"),
        "the contrast allergy is shown, got {badges:?}"
    );
    screenshot(&client, "03-patient.png").await;

    // A few more patients, so that the search has something to leave out.
    for patient in &OTHERS {
        client
            .goto(&url("/patients/new"))
            .await
            .expect("open the new patient form");
        wait(&client, "#mrn").await;
        fill_patient_form(&client, patient).await;
        click(&client, "#save-patient").await;
        let name = wait(&client, "#patient-name").await;
        assert_patient_name(&name, patient).await;
    }

    // 4. Typing "helene", without accents, finds her and only her.
    client
        .goto(&url("/patients"))
        .await
        .expect("open /patients");
    let list = wait(&client, "#patient-results").await;
    let listed = list.text().await.expect("the patient list's text");
    for patient in OTHERS.iter().chain([&HELENE]) {
        assert!(
            contains_ignoring_case(&listed, patient.family_name),
            "{} is among the recent patients: {listed:?}",
            patient.family_name
        );
    }
    screenshot(&client, "04-patients.png").await;
    find(&client, "form.search #q")
        .await
        .send_keys("helene")
        .await
        .expect("type in the search box");
    // No button pressed: the list follows the typing (search.js fetches the same page and
    // swaps in its list, which carries the query it answers). The plain form submission is
    // covered by the HTTP tests.
    wait(&client, "#patient-list[data-q='helene']").await;
    let results = text(&client, "#patient-results").await;
    assert!(
        contains_ignoring_case(&results, "Dupré-Lefèvre"),
        "Hélène is found by typing helene: {results:?}"
    );
    for other in &OTHERS {
        assert!(
            !contains_ignoring_case(&results, other.family_name),
            "{} does not match helene: {results:?}",
            other.family_name
        );
    }
    let links = client
        .find_all(Locator::Css("#patient-results tbody a"))
        .await
        .expect("the result links");
    assert_eq!(links.len(), 1, "one patient matches helene");
    screenshot(&client, "05-search.png").await;
    links[0].click().await.expect("open Hélène's record");
    let name = wait(&client, "#patient-name").await;
    assert_patient_name(&name, &HELENE).await;

    // 5. Her account is in French; one click switches to English and back, on the same page.
    assert_eq!(html_lang(&client).await, "fr");
    assert_eq!(text(&client, "#sign-out").await, "Se déconnecter");
    click(&client, "#switch-language").await;
    wait(&client, "html[lang='en']").await;
    assert_eq!(text(&client, "#sign-out").await, "Sign out");
    assert_eq!(text(&client, "#switch-language").await, "Français");
    let name = find(&client, "#patient-name").await;
    assert_patient_name(&name, &HELENE).await;
    screenshot(&client, "06-english.png").await;
    click(&client, "#switch-language").await;
    wait(&client, "html[lang='fr']").await;
    assert_eq!(text(&client, "#sign-out").await, "Se déconnecter");
    assert_eq!(text(&client, "#switch-language").await, "English");

    // 6. Signing out ends the session: the patient list is behind the sign-in page again.
    click(&client, "#sign-out").await;
    wait(&client, "#username").await;
    assert_eq!(path(&client).await, "/login");
    screenshot(&client, "07-signed-out.png").await;
    client
        .goto(&url("/patients"))
        .await
        .expect("open /patients");
    wait(&client, "#username").await;
    let current = client.current_url().await.expect("the current URL");
    assert_eq!(
        current.path(),
        "/login",
        "/patients asks for a sign-in after sign-out"
    );
    assert_eq!(current.query(), Some("next=%2Fpatients"));
    assert!(
        client
            .find_all(Locator::Css("#sign-out"))
            .await
            .expect("look for the sign-out button")
            .is_empty(),
        "nobody is signed in"
    );
}

/// Fills the open patient form (not submitted).
async fn fill_patient_form(client: &Client, patient: &NewPatient) {
    for (id, value) in [
        ("#mrn", patient.mrn),
        ("#family_name", patient.family_name),
        ("#given_names", patient.given_names),
    ] {
        find(client, id)
            .await
            .send_keys(value)
            .await
            .unwrap_or_else(|e| panic!("type {value:?} into {id}: {e}"));
    }
    // What keys a date input takes depends on the browser's locale; its value does not.
    client
        .execute(
            "document.getElementById('birth_date').value = arguments[0];",
            vec![json!(patient.birth_date)],
        )
        .await
        .expect("set the birth date");
    find(client, "#sex")
        .await
        .select_by_value(patient.sex)
        .await
        .expect("choose the sex");
    if patient.contrast_allergy {
        click(client, "#allergy_contrast").await;
        assert!(
            find(client, "#allergy_contrast")
                .await
                .is_selected()
                .await
                .expect("read the allergy checkbox"),
            "the contrast allergy is ticked"
        );
    }
}

/// The patient page's heading names the patient (the family name is upper-cased by CSS).
async fn assert_patient_name(heading: &Element, patient: &NewPatient) {
    let shown = heading.text().await.expect("the patient's name");
    assert!(
        contains_ignoring_case(&shown, patient.family_name),
        "the heading names {}: {shown:?}",
        patient.family_name
    );
    assert!(
        shown.contains(patient.given_names),
        "the heading names {}: {shown:?}",
        patient.given_names
    );
}

fn contains_ignoring_case(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

async fn html_lang(client: &Client) -> String {
    find(client, "html")
        .await
        .attr("lang")
        .await
        .expect("the page's language")
        .unwrap_or_default()
}
