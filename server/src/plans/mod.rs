//! Room plans as files and as people: CSV and JSON import and export
//! ([`csv`], [`json`]), and matching a plan's people to who is in the meeting
//! ([`matching`]).

pub mod csv;
pub mod json;
pub mod matching;
pub mod routes;

/// Most people one imported plan may place.
pub const MAX_PEOPLE: usize = 5000;
/// Longest name or room name read from a file, in characters.
pub const MAX_FIELD_CHARS: usize = 256;

/// Why a plan file cannot be read; each names the line where it can.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the file is not UTF-8 text")]
    NotText,
    #[error("the first line must be the header name,room (or name;room)")]
    NoHeader,
    #[error("line {0}: a quoted field is not closed")]
    Unclosed(usize),
    #[error("line {0}: expected two fields, a name and a room")]
    Fields(usize),
    #[error("line {0}: the name is empty")]
    EmptyName(usize),
    #[error("line {0}: a field is longer than {MAX_FIELD_CHARS} characters")]
    TooLong(usize),
    #[error("more than {MAX_PEOPLE} people")]
    TooMany,
    #[error("not a plan: {0}")]
    Json(String),
}
