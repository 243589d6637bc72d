//! Who in the meeting a plan's person is: by identity first (a token's
//! `context.user.id` or e-mail, where the deployment writes it into
//! presence), then by display name, ignoring case, accents and extra spaces.

use std::collections::HashMap;

use app::plans::PlannedPerson;
use unicode_normalization::UnicodeNormalization;

/// Someone in the meeting.
#[derive(Debug, Clone, Copy)]
pub struct Present<'a> {
    /// The participant's id on the board.
    pub id: &'a str,
    pub name: Option<&'a str>,
    pub identity: Option<&'a str>,
}

/// Whom a planned person is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    One(String),
    Nobody,
    /// Several people fit: someone must choose (the review step).
    Several(Vec<String>),
}

/// A name as names are compared: lower case, without accents, one space
/// between words.
pub fn key(name: &str) -> String {
    let plain: String = name
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    plain.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn found(ids: Vec<String>) -> Found {
    match ids.len() {
        0 => Found::Nobody,
        1 => Found::One(ids.into_iter().next().unwrap_or_default()),
        _ => Found::Several(ids),
    }
}

/// The people present, indexed by identity and by name, to find many
/// planned people among them without comparing each with everyone.
pub struct Index<'a> {
    by_identity: HashMap<String, Vec<&'a str>>,
    by_name: HashMap<String, Vec<&'a str>>,
    /// Each person's identity, where they have one.
    identities: HashMap<&'a str, String>,
}

impl<'a> Index<'a> {
    pub fn new(present: &[Present<'a>]) -> Self {
        let mut by_identity: HashMap<String, Vec<&'a str>> = HashMap::new();
        let mut by_name: HashMap<String, Vec<&'a str>> = HashMap::new();
        let mut identities = HashMap::new();
        for p in present {
            if let Some(identity) = p.identity.map(str::trim).filter(|i| !i.is_empty()) {
                by_identity
                    .entry(identity.to_lowercase())
                    .or_default()
                    .push(p.id);
                identities.insert(p.id, identity.to_lowercase());
            }
            if let Some(name) = p.name {
                by_name.entry(key(name)).or_default().push(p.id);
            }
        }
        Self {
            by_identity,
            by_name,
            identities,
        }
    }

    /// Who `person` is, by identity alone, among those `free` lets through.
    pub fn find_by_identity(&self, person: &PlannedPerson, free: impl Fn(&str) -> bool) -> Found {
        let Some(identity) = wanted_identity(person) else {
            return Found::Nobody;
        };
        found(
            self.by_identity
                .get(&identity)
                .into_iter()
                .flatten()
                .filter(|id| free(id))
                .map(|id| (*id).to_owned())
                .collect(),
        )
    }

    /// Who `person` is among those present that `free` lets through: by
    /// identity, else by name; a name never fits someone whose identity says
    /// they are someone else.
    pub fn find(&self, person: &PlannedPerson, free: impl Fn(&str) -> bool) -> Found {
        let by_identity = self.find_by_identity(person, &free);
        if by_identity != Found::Nobody {
            return by_identity;
        }
        let identity = wanted_identity(person);
        found(
            self.by_name
                .get(&key(&person.name))
                .into_iter()
                .flatten()
                .filter(|id| free(id))
                .filter(|id| match (&identity, self.identities.get(*id)) {
                    (Some(wanted), Some(theirs)) => wanted == theirs,
                    _ => true,
                })
                .map(|id| (*id).to_owned())
                .collect(),
        )
    }
}

/// A planned person's identity as identities are compared.
fn wanted_identity(person: &PlannedPerson) -> Option<String> {
    person
        .identity
        .as_deref()
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .map(str::to_lowercase)
}

/// Who `person` is among `present`.
pub fn find(person: &PlannedPerson, present: &[Present<'_>]) -> Found {
    Index::new(present).find(person, |_| true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(name: &str, identity: Option<&str>) -> PlannedPerson {
        PlannedPerson {
            name: name.into(),
            identity: identity.map(Into::into),
        }
    }

    #[test]
    fn names_match_without_case_accents_or_extra_spaces_and_identity_comes_first() {
        let present = [
            Present {
                id: "a1",
                name: Some("Åsa  Öberg"),
                identity: None,
            },
            Present {
                id: "e1",
                name: Some("Erik Johansson"),
                identity: Some("erik@fk.example"),
            },
            Present {
                id: "e2",
                name: Some("erik johansson"),
                identity: Some("erik.j@fk.example"),
            },
            Present {
                id: "n1",
                name: None,
                identity: None,
            },
        ];
        assert_eq!(key(" Åsa\tÖBERG "), "asa oberg");
        assert_eq!(
            find(&planned("asa oberg", None), &present),
            Found::One("a1".into())
        );
        assert_eq!(
            find(&planned("Erik Johansson", None), &present),
            Found::Several(vec!["e1".into(), "e2".into()])
        );
        assert_eq!(
            find(
                &planned("Erik Johansson", Some("ERIK.J@fk.example")),
                &present
            ),
            Found::One("e2".into())
        );
        // An identity nobody has falls back to the name.
        assert_eq!(
            find(
                &planned("Åsa Öberg", Some("asa@elsewhere.example")),
                &present
            ),
            Found::One("a1".into())
        );
        assert_eq!(find(&planned("Åsa Berg", None), &present), Found::Nobody);
        // A name never fits someone whose identity says they are someone else.
        assert_eq!(
            find(
                &planned("Erik Johansson", Some("erik.lund@fk.example")),
                &present
            ),
            Found::Nobody
        );
    }
}
