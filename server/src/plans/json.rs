//! Plans as JSON: `{"name": …, "rooms": [{"name": …, "people": [{"name": …,
//! "identity": …}]}]}`, the same shape the panel stores.

use app::plans::PlannedRoom;
use serde::{Deserialize, Serialize};

use super::{ImportError, MAX_FIELD_CHARS, MAX_PEOPLE};

/// A plan file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanFile {
    /// The plan's name.
    pub name: String,
    /// Its rooms and who goes there; a room named "" is the main room.
    pub rooms: Vec<PlannedRoom>,
}

/// Reads a plan file, with the same limits as CSV.
pub fn read(bytes: &[u8]) -> Result<PlanFile, ImportError> {
    // Windows' editors begin UTF-8 files with a byte-order mark.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let file: PlanFile =
        serde_json::from_slice(bytes).map_err(|e| ImportError::Json(e.to_string()))?;
    check(file)
}

/// A plan within the limits of a file: so many people, names so long, and
/// everyone named.
pub fn check(file: PlanFile) -> Result<PlanFile, ImportError> {
    let people: usize = file.rooms.iter().map(|r| r.people.len()).sum();
    if people > MAX_PEOPLE {
        return Err(ImportError::TooMany);
    }
    let too_long = |s: &str| s.chars().count() > MAX_FIELD_CHARS;
    if too_long(&file.name)
        || file.rooms.iter().any(|r| {
            too_long(&r.name)
                || r.people
                    .iter()
                    .any(|p| too_long(&p.name) || p.identity.as_deref().is_some_and(too_long))
        })
    {
        return Err(ImportError::Json("a name is too long".into()));
    }
    if file
        .rooms
        .iter()
        .flat_map(|r| &r.people)
        .any(|p| p.name.trim().is_empty())
    {
        return Err(ImportError::Json("a person without a name".into()));
    }
    Ok(file)
}

/// The plan file as JSON text.
pub fn write(file: &PlanFile) -> String {
    serde_json::to_string_pretty(file).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::plans::PlannedPerson;

    #[test]
    fn round_trips_and_refuses_what_is_not_a_plan() {
        let file = PlanFile {
            name: "Kurs".into(),
            rooms: vec![PlannedRoom {
                name: "Grupp 1".into(),
                people: vec![PlannedPerson {
                    name: "Åsa".into(),
                    identity: Some("asa@myndighet.example".into()),
                }],
            }],
        };
        assert_eq!(read(write(&file).as_bytes()).unwrap(), file);
        assert!(matches!(read(b"[1,2]"), Err(ImportError::Json(_))));
        assert!(matches!(
            read(br#"{"name":"x","rooms":[],"extra":1}"#),
            Err(ImportError::Json(_))
        ));
        assert!(matches!(
            read(br#"{"name":"x","rooms":[{"name":"r","people":[{"name":" "}]}]}"#),
            Err(ImportError::Json(_))
        ));
    }
}
