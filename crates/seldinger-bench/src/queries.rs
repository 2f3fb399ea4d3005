//! The query mix, drawn from the data itself: what a scheduler types in the search box.

use anyhow::{Context, bail};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use seldinger_domain::text::fold;

/// A patient as the listing shows it, reduced to what queries are made of.
pub struct Sample {
    pub mrn: String,
    pub family_name: String,
    pub given_names: String,
    /// `YYYY-MM-DD`
    pub birth_date: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    FamilyPrefix,
    GivenPrefix,
    FamilyGiven,
    BirthDate,
    Mrn,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::FamilyPrefix,
        Kind::GivenPrefix,
        Kind::FamilyGiven,
        Kind::BirthDate,
        Kind::Mrn,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Kind::FamilyPrefix => "family prefix",
            Kind::GivenPrefix => "given prefix",
            Kind::FamilyGiven => "family given",
            Kind::BirthDate => "birth date",
            Kind::Mrn => "MRN",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

pub struct Query {
    pub kind: Kind,
    pub text: String,
}

pub struct Mix {
    pub queries: Vec<Query>,
}

impl Mix {
    pub fn count(&self, kind: Kind) -> usize {
        self.queries.iter().filter(|q| q.kind == kind).count()
    }

    /// "family prefix 200, given prefix 200, …" and a few examples.
    pub fn describe(&self) -> String {
        let counts: Vec<String> = Kind::ALL
            .iter()
            .map(|k| format!("{} {}", k.label(), self.count(*k)))
            .collect();
        let examples: Vec<String> = self
            .queries
            .iter()
            .take(6)
            .map(|q| format!("{:?}", q.text))
            .collect();
        format!("{}; e.g. {}", counts.join(", "), examples.join(" "))
    }
}

/// `GET /api/v1/patients?q=&limit=200`: the most recently updated patients.
pub async fn recent_patients(client: &reqwest::Client, base: &str) -> anyhow::Result<Vec<Sample>> {
    let url = format!("{base}/api/v1/patients?q=&limit=200");
    let response = client
        .get(&url)
        .send()
        .await
        .context("cannot list recent patients")?;
    let status = response.status();
    let body: serde_json::Value = response
        .json()
        .await
        .context("the patient listing is not JSON")?;
    if !status.is_success() {
        bail!("GET {url} answered {status}: {body}");
    }
    let items = body["items"]
        .as_array()
        .context("the patient listing has no items")?;
    let text = |item: &serde_json::Value, field: &str| -> anyhow::Result<String> {
        item[field]
            .as_str()
            .map(str::to_string)
            .with_context(|| format!("a listed patient has no {field}"))
    };
    let samples = items
        .iter()
        .map(|item| {
            Ok(Sample {
                mrn: text(item, "mrn")?,
                family_name: text(item, "family_name")?,
                given_names: text(item, "given_names")?,
                birth_date: text(item, "birth_date")?,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    if samples.is_empty() {
        bail!("the database lists no patient to build queries from");
    }
    Ok(samples)
}

/// The folded words of a name, longest first: "Dupré-Lefèvre" → ["lefevre", "dupre"].
fn words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = fold(name)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    words
}

/// The first 3 to 6 letters of `word` (all of it when shorter).
fn prefix(word: &str, rng: &mut StdRng) -> String {
    let len = rng.random_range(3..=6);
    word.chars().take(len).collect()
}

/// `YYYY-MM-DD` → `DD/MM/YYYY`, as typed in France.
fn french_date(iso: &str) -> Option<String> {
    let mut parts = iso.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    Some(format!("{d}/{m}/{y}"))
}

/// Five queries per sample (family prefix, given prefix, "family given", birth date,
/// MRN), shuffled with a fixed seed: the same data gives the same mix.
pub fn build(samples: &[Sample], seed: u64) -> Mix {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut queries = Vec::with_capacity(samples.len() * 5);
    for s in samples {
        let family = words(&s.family_name);
        let given = words(&s.given_names);
        if let Some(f) = family.first() {
            queries.push(Query {
                kind: Kind::FamilyPrefix,
                text: prefix(f, &mut rng),
            });
        }
        if let Some(g) = given.first() {
            queries.push(Query {
                kind: Kind::GivenPrefix,
                text: prefix(g, &mut rng),
            });
        }
        if let (Some(f), Some(g)) = (family.first(), given.first()) {
            queries.push(Query {
                kind: Kind::FamilyGiven,
                text: format!("{f} {g}"),
            });
        }
        if let Some(date) = french_date(&s.birth_date) {
            queries.push(Query {
                kind: Kind::BirthDate,
                text: date,
            });
        }
        queries.push(Query {
            kind: Kind::Mrn,
            text: s.mrn.clone(),
        });
    }
    queries.shuffle(&mut rng);
    Mix { queries }
}

/// The search URL of every query, the query URL-encoded.
pub fn urls(base: &str, queries: &[Query]) -> anyhow::Result<Vec<crate::load::Target>> {
    queries
        .iter()
        .map(|q| {
            let encoded: String = form_urlencoded::byte_serialize(q.text.as_bytes()).collect();
            let url = format!("{base}/api/v1/patients?q={encoded}");
            Ok((
                Some(q.kind),
                reqwest::Url::parse(&url).with_context(|| format!("bad URL {url}"))?,
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_folded_prefixes_dates_and_mrns() {
        let samples = [Sample {
            mrn: "IP-0100042".into(),
            family_name: "Dupré-Lefèvre".into(),
            given_names: "Hélène".into(),
            birth_date: "1950-03-07".into(),
        }];
        let mix = build(&samples, 1);
        assert_eq!(mix.queries.len(), 5);
        let text = |kind| {
            mix.queries
                .iter()
                .find(|q| q.kind == kind)
                .map(|q| q.text.clone())
                .unwrap_or_default()
        };
        assert!("lefevre".starts_with(&text(Kind::FamilyPrefix)));
        assert!(text(Kind::FamilyPrefix).len() >= 3);
        assert!("helene".starts_with(&text(Kind::GivenPrefix)));
        assert_eq!(text(Kind::FamilyGiven), "lefevre helene");
        assert_eq!(text(Kind::BirthDate), "07/03/1950");
        assert_eq!(text(Kind::Mrn), "IP-0100042");
    }

    #[test]
    fn queries_are_url_encoded() -> anyhow::Result<()> {
        let queries = [Query {
            kind: Kind::BirthDate,
            text: "martin jean 07/03/1950".into(),
        }];
        let urls = urls("http://127.0.0.1:1", &queries)?;
        assert_eq!(
            urls.first().map(|(_, u)| u.as_str()),
            Some("http://127.0.0.1:1/api/v1/patients?q=martin+jean+07%2F03%2F1950")
        );
        Ok(())
    }
}
