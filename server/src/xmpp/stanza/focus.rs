//! Jitsi's conference request: asking the focus (jicofo) to start or join a room.

use super::StanzaError;
use crate::xmpp::ns;
use crate::xmpp::xml::Element;

/// The `<conference/>` payload asking the focus for `room`.
pub fn conference_request(room: &str, machine_uid: &str) -> Element {
    Element::new("conference", ns::FOCUS)
        .attr("room", room)
        .attr("machine-uid", machine_uid)
        .child(
            Element::new("property", ns::FOCUS)
                .attr("name", "visitors-version")
                .attr("value", "1"),
        )
}

/// The focus's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConferenceReply {
    pub ready: bool,
    pub focus_jid: Option<String>,
    /// A redirect to a visitor node, which a moderator does not follow.
    pub vnode: Option<String>,
}

impl ConferenceReply {
    pub fn parse(payload: &Element) -> Result<Self, StanzaError> {
        if !payload.is("conference", ns::FOCUS) {
            return Err(StanzaError::Mismatch("conference reply"));
        }
        Ok(Self {
            ready: payload.get_attr("ready") == Some("true"),
            focus_jid: payload.get_attr("focusjid").map(str::to_owned),
            vnode: payload.get_attr("vnode").map(str::to_owned),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xmpp::stanza::iq::{Iq, IqKind};
    use crate::xmpp::stanza::tests::fixture;

    #[test]
    fn reads_the_recorded_reply() {
        let IqKind::Result(Some(payload)) = Iq::parse(&fixture("in_conference_result.xml"))
            .unwrap()
            .kind
        else {
            panic!("a result")
        };
        let reply = ConferenceReply::parse(&payload).unwrap();
        assert!(reply.ready);
        assert_eq!(reply.focus_jid.as_deref(), Some("focus@auth.meet.test"));
        assert_eq!(reply.vnode, None);
    }

    #[test]
    fn request_matches_the_recorded_one() {
        let recorded = fixture("in_conference_request_proxied.xml");
        let payload = recorded.get_child("conference", ns::FOCUS).unwrap();
        assert_eq!(
            &conference_request(
                "smoke1df115@conference.meet.test",
                "f9c3ae799ee62be7ae93b315116b96e0"
            ),
            payload
        );
    }
}
