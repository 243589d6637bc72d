//! Who in the meeting a plan's person is: by identity first (a token's
//! `context.user.id` or e-mail, where the deployment writes it into
//! presence), then by display name, ignoring case, accents and extra spaces.

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

/// Who `person` is among `present`.
pub fn find(person: &PlannedPerson, present: &[Present<'_>]) -> Found {
    if let Some(identity) = person
        .identity
        .as_deref()
        .map(str::trim)
        .filter(|i| !i.is_empty())
    {
        let by_identity: Vec<String> = present
            .iter()
            .filter(|p| {
                p.identity
                    .is_some_and(|i| i.trim().eq_ignore_ascii_case(identity))
            })
            .map(|p| p.id.to_owned())
            .collect();
        if !by_identity.is_empty() {
            return found(by_identity);
        }
    }
    let wanted = key(&person.name);
    found(
        present
            .iter()
            .filter(|p| p.name.is_some_and(|n| key(n) == wanted))
            .map(|p| p.id.to_owned())
            .collect(),
    )
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
    }
}
