//! XEP-0166 Jingle, as far as the panel needs it: the focus offers every occupant a
//! media session, and the panel, which has no media, declines it.

use super::{StanzaError, attr};
use crate::xmpp::ns;
use crate::xmpp::xml::Element;

/// A Jingle request's action and session id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jingle {
    pub action: String,
    pub sid: String,
}

const WHAT: &str = "Jingle request";

impl Jingle {
    pub fn parse(payload: &Element) -> Result<Self, StanzaError> {
        if !payload.is("jingle", ns::JINGLE) {
            return Err(StanzaError::Mismatch(WHAT));
        }
        Ok(Self {
            action: attr(payload, WHAT, "action")?.to_owned(),
            sid: attr(payload, WHAT, "sid")?.to_owned(),
        })
    }
}

/// `session-terminate` with reason `decline` for session `sid`.
pub fn decline(sid: &str) -> Element {
    Element::new("jingle", ns::JINGLE)
        .attr("action", "session-terminate")
        .attr("sid", sid)
        .child(Element::new("reason", ns::JINGLE).child(Element::new("decline", ns::JINGLE)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_offer_and_declines_it() {
        let offer = Element::parse("<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='s1' initiator='focus@auth.meet.test'/>").unwrap();
        let jingle = Jingle::parse(&offer).unwrap();
        assert_eq!(
            jingle,
            Jingle {
                action: "session-initiate".into(),
                sid: "s1".into()
            }
        );
        let answer = decline(&jingle.sid);
        assert_eq!(answer.get_attr("action"), Some("session-terminate"));
        assert!(
            answer
                .get_child("reason", ns::JINGLE)
                .unwrap()
                .get_child("decline", ns::JINGLE)
                .is_some()
        );
        assert_eq!(
            Jingle::parse(&Element::parse("<jingle xmlns='urn:xmpp:jingle:1' sid='s'/>").unwrap()),
            Err(StanzaError::MissingAttr {
                what: "Jingle request",
                attr: "action"
            })
        );
    }
}
