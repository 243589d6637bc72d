//! Typed stanzas. Each type reads itself from an [`Element`](super::xml::Element)
//! and, where the panel sends it, writes itself back to one.
//!
//! Reading is strict about what the panel acts on and lenient about the rest:
//! unknown children and attributes are ignored, a missing `from` or a bad role is
//! an error. [`StanzaError::Mismatch`] means "this is some other stanza", so a
//! dispatcher can try the next reader.

pub mod disco;
pub mod focus;
pub mod iq;
pub mod jingle;
pub mod jitsi;
pub mod muc;
pub mod strict_json;

/// The defined condition of an error stanza (`<error><not-allowed/>…`), or
/// "an error" when it names none.
pub fn error_condition(stanza: &crate::xmpp::xml::Element) -> String {
    stanza
        .get_child("error", crate::xmpp::ns::CLIENT)
        .and_then(|e| e.children().find(|x| x.ns() == crate::xmpp::ns::STANZAS))
        .map_or_else(|| "an error".to_owned(), |x| x.name().to_owned())
}

/// Why an element could not be read as a given stanza.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StanzaError {
    #[error("not a {0}")]
    Mismatch(&'static str),
    #[error("{what} has no '{attr}' attribute")]
    MissingAttr {
        what: &'static str,
        attr: &'static str,
    },
    #[error("{what} has an invalid '{attr}': {value:?}")]
    InvalidAttr {
        what: &'static str,
        attr: &'static str,
        value: String,
    },
    #[error("{what} has no <{child}/>")]
    MissingChild {
        what: &'static str,
        child: &'static str,
    },
    #[error("the json-message is not valid JSON: {0}")]
    Json(String),
}

/// A required attribute.
fn attr<'a>(
    element: &'a super::xml::Element,
    what: &'static str,
    name: &'static str,
) -> Result<&'a str, StanzaError> {
    element
        .get_attr(name)
        .ok_or(StanzaError::MissingAttr { what, attr: name })
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::xmpp::xml::Element;

    /// A recorded frame from `server/tests/fixtures`, as text.
    pub fn fixture_text(name: &str) -> String {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// A recorded frame, parsed.
    pub fn fixture(name: &str) -> Element {
        Element::parse(&fixture_text(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }
}
