//! Why a session lost or gave up its link, read from what the server said:
//! login failures (Jitsi's token checks speak through SASL's `<text/>`), join
//! refusals, and transport errors. Each becomes a [`LinkReason`] the board puts
//! in words, and says whether trying again could help.

use app::meeting::LinkReason;

use crate::xmpp::ns;
use crate::xmpp::transport::TransportError;
use crate::xmpp::xml::Element;

/// What a failed step means for the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Trying again (after a backoff) may work.
    Retry(LinkReason),
    /// Trying again cannot work without a change: the session gives up.
    Final(LinkReason),
}

impl Verdict {
    pub fn reason(&self) -> &LinkReason {
        match self {
            Self::Retry(r) | Self::Final(r) => r,
        }
    }
}

/// A transport or login error.
pub fn from_transport(error: &TransportError) -> Verdict {
    match error {
        TransportError::AuthFailed { condition, text } => {
            Verdict::Final(login_refused(condition, text.as_deref()))
        }
        TransportError::TooLarge(bytes) => Verdict::Final(LinkReason::TooLarge(*bytes)),
        TransportError::Unsupported(_) | TransportError::Sasl(_) | TransportError::BadUrl(_) => {
            Verdict::Final(LinkReason::Unsupported(error.to_string()))
        }
        _ => Verdict::Retry(LinkReason::Network(error.to_string())),
    }
}

/// A SASL `<failure/>`, by Jitsi's token texts (§12 of the protocol notes).
fn login_refused(condition: &str, text: Option<&str>) -> LinkReason {
    let text = text.unwrap_or_default();
    let lower = text.to_ascii_lowercase();
    if lower.contains("token required") {
        LinkReason::TokenRequired
    } else if lower.contains("by exp") {
        LinkReason::TokenExpired
    } else if lower.contains("by nbf") {
        LinkReason::TokenNotYetValid
    } else if lower.contains("invalid signature") {
        LinkReason::TokenSignature
    } else if lower.contains("'iss'") {
        LinkReason::TokenIssuer
    } else {
        LinkReason::LoginRefused(if text.is_empty() {
            condition.to_owned()
        } else {
            format!("{condition}: {text}")
        })
    }
}

/// A `<presence type='error'/>` answering the panel's join.
pub fn from_join_error(presence: &Element) -> Verdict {
    let error = presence.get_child("error", ns::CLIENT);
    let condition = error
        .and_then(|e| {
            e.children()
                .find(|x| x.ns() == ns::STANZAS && x.name() != "text")
        })
        .map(|x| x.name().to_owned())
        .unwrap_or_else(|| "no reason given".into());
    let text = error
        .and_then(|e| e.get_child("text", ns::STANZAS))
        .map(Element::text_content)
        .unwrap_or_default();
    let mismatch = error.is_some_and(|e| e.children().any(|x| x.is("room-mismatch", ns::JITMEET)))
        || text.contains("Room and token mismatched")
        || text.contains("Room does not match");
    match condition.as_str() {
        _ if mismatch => Verdict::Final(LinkReason::TokenRoom),
        "not-authorized" => Verdict::Final(LinkReason::Password),
        "registration-required" => Verdict::Final(LinkReason::MembersOnly),
        "forbidden" => Verdict::Final(LinkReason::Banned),
        "not-allowed" => Verdict::Final(LinkReason::JoinRefused(condition)),
        _ => Verdict::Retry(LinkReason::JoinRefused(condition)),
    }
}

/// An IQ error from the meeting's room when the panel asks whether it exists,
/// before its first join: a room that is not there has not been started, and
/// the panel does not start meetings.
pub fn from_room_check(condition: &str) -> Verdict {
    if condition == "item-not-found" {
        Verdict::Final(LinkReason::NoMeeting)
    } else {
        Verdict::Retry(LinkReason::JoinRefused(condition.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(text: Option<&str>) -> TransportError {
        TransportError::AuthFailed {
            condition: "not-allowed".into(),
            text: text.map(Into::into),
        }
    }

    #[test]
    fn jitsi_token_refusals_are_final_and_named() {
        let cases = [
            (Some("token required"), LinkReason::TokenRequired),
            (
                Some("Not acceptable by exp (1700000000)"),
                LinkReason::TokenExpired,
            ),
            (Some("Not acceptable by exp"), LinkReason::TokenExpired),
            (Some("Not acceptable by nbf"), LinkReason::TokenNotYetValid),
            (Some("Invalid signature"), LinkReason::TokenSignature),
            (Some("invalid 'iss' claim"), LinkReason::TokenIssuer),
            (
                Some("something else"),
                LinkReason::LoginRefused("not-allowed: something else".into()),
            ),
            (None, LinkReason::LoginRefused("not-allowed".into())),
        ];
        for (text, reason) in cases {
            assert_eq!(
                from_transport(&failure(text)),
                Verdict::Final(reason),
                "{text:?}"
            );
        }
        assert!(matches!(
            from_transport(&TransportError::Closed),
            Verdict::Retry(LinkReason::Network(_))
        ));
        assert_eq!(
            from_transport(&TransportError::TooLarge(5_000_000)),
            Verdict::Final(LinkReason::TooLarge(5_000_000))
        );
    }

    fn parse(xml: &str) -> Element {
        Element::parse(xml).unwrap()
    }

    #[test]
    fn a_room_mismatch_is_final_as_jitsi_words_it() {
        // As §12 records it, with and without domain verification.
        let mismatch = parse(
            "<presence xmlns='jabber:client' type='error' from='demo@conference.meet.test/abcd1234'>\
             <error type='cancel'><not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
             <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>Room and token mismatched</text></error></presence>",
        );
        assert_eq!(
            from_join_error(&mismatch),
            Verdict::Final(LinkReason::TokenRoom)
        );
        let unverified = parse(
            "<presence xmlns='jabber:client' type='error' from='demo@conference.meet.test/abcd1234'>\
             <error type='cancel'><not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
             <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>Room does not match the room from token</text>\
             <room-mismatch xmlns='http://jitsi.org/jitmeet'/></error></presence>",
        );
        assert_eq!(
            from_join_error(&unverified),
            Verdict::Final(LinkReason::TokenRoom)
        );
        let password = parse(
            "<presence xmlns='jabber:client' type='error'><error type='auth'>\
             <not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>",
        );
        assert_eq!(
            from_join_error(&password),
            Verdict::Final(LinkReason::Password)
        );
        let busy = parse(
            "<presence xmlns='jabber:client' type='error'><error type='wait'>\
             <resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>",
        );
        assert_eq!(
            from_join_error(&busy),
            Verdict::Retry(LinkReason::JoinRefused("resource-constraint".into()))
        );
    }

    #[test]
    fn a_missing_room_is_final() {
        assert_eq!(
            from_room_check("item-not-found"),
            Verdict::Final(LinkReason::NoMeeting)
        );
        assert!(matches!(
            from_room_check("remote-server-timeout"),
            Verdict::Retry(_)
        ));
    }
}
