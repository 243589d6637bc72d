//! RFC 6120 IQs: the request/response envelope.

use super::{StanzaError, attr};
use crate::xmpp::ns;
use crate::xmpp::xml::Element;

/// What an IQ carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IqKind {
    Get(Element),
    Set(Element),
    Result(Option<Element>),
    Error(Option<Element>),
}

/// An IQ stanza.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Iq {
    pub id: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub kind: IqKind,
}

const WHAT: &str = "IQ";

impl Iq {
    pub fn parse(element: &Element) -> Result<Self, StanzaError> {
        if !element.is("iq", ns::CLIENT) {
            return Err(StanzaError::Mismatch(WHAT));
        }
        let id = attr(element, WHAT, "id")?.to_owned();
        let payload = element.children().next().cloned();
        let kind = match attr(element, WHAT, "type")? {
            "get" => IqKind::Get(payload.ok_or(StanzaError::MissingChild {
                what: WHAT,
                child: "payload",
            })?),
            "set" => IqKind::Set(payload.ok_or(StanzaError::MissingChild {
                what: WHAT,
                child: "payload",
            })?),
            "result" => IqKind::Result(payload),
            "error" => IqKind::Error(element.get_child("error", ns::CLIENT).cloned()),
            other => {
                return Err(StanzaError::InvalidAttr {
                    what: WHAT,
                    attr: "type",
                    value: other.to_owned(),
                });
            }
        };
        Ok(Self {
            id,
            from: element.get_attr("from").map(str::to_owned),
            to: element.get_attr("to").map(str::to_owned),
            kind,
        })
    }

    /// A request of type `get` or `set` to `to`.
    pub fn request(kind: &str, id: &str, to: Option<&str>, payload: Element) -> Element {
        Element::new("iq", ns::CLIENT)
            .attr("type", kind)
            .attr("id", id)
            .attr_opt("to", to)
            .child(payload)
    }

    /// A result for this request, with an optional payload.
    pub fn result(&self, payload: Option<Element>) -> Element {
        let reply = Element::new("iq", ns::CLIENT)
            .attr("type", "result")
            .attr("id", self.id.clone())
            .attr_opt("to", self.from.clone());
        match payload {
            Some(p) => reply.child(p),
            None => reply,
        }
    }

    /// An error of type `cancel` with a defined condition (RFC 6120 §8.3.3).
    pub fn error(&self, condition: &str) -> Element {
        Element::new("iq", ns::CLIENT)
            .attr("type", "error")
            .attr("id", self.id.clone())
            .attr_opt("to", self.from.clone())
            .child(
                Element::new("error", ns::CLIENT)
                    .attr("type", "cancel")
                    .child(Element::new(condition, ns::STANZAS)),
            )
    }

    /// `bad-request` for a get or set that could not be read; `None` for anything
    /// that is not a request (errors are never answered).
    pub fn bad_request_for(element: &Element) -> Option<Element> {
        if !element.is("iq", ns::CLIENT) || !matches!(element.get_attr("type"), Some("get" | "set"))
        {
            return None;
        }
        let request = Self {
            id: element.get_attr("id")?.to_owned(),
            from: element.get_attr("from").map(str::to_owned),
            to: None,
            kind: IqKind::Result(None),
        };
        Some(request.error("bad-request"))
    }

    /// The first defined condition of an error reply.
    pub fn error_condition(&self) -> Option<String> {
        match &self.kind {
            IqKind::Error(Some(error)) => error
                .children()
                .find(|c| c.ns() == ns::STANZAS)
                .map(|c| c.name().to_owned()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xmpp::stanza::tests::fixture;

    #[test]
    fn reads_results_and_builds_replies() {
        let iq = Iq::parse(&fixture("in_conference_result.xml")).unwrap();
        assert_eq!(iq.id, "m4");
        assert_eq!(iq.from.as_deref(), Some("focus.meet.test"));
        assert!(matches!(&iq.kind, IqKind::Result(Some(p)) if p.is("conference", ns::FOCUS)));

        let get = Iq::parse(&Element::parse("<iq xmlns='jabber:client' type='get' id='a' from='x@y/z'><query xmlns='urn:q'/></iq>").unwrap()).unwrap();
        let err = Iq::parse(&get.error("service-unavailable")).unwrap();
        assert_eq!(err.to.as_deref(), Some("x@y/z"));
        assert_eq!(
            err.error_condition().as_deref(),
            Some("service-unavailable")
        );
    }

    #[test]
    fn malformed_iqs_fail_with_their_reason() {
        let parse = |xml: &str| Iq::parse(&Element::parse(xml).unwrap());
        assert_eq!(
            parse("<iq xmlns='jabber:client' type='get'/>"),
            Err(StanzaError::MissingAttr {
                what: "IQ",
                attr: "id"
            })
        );
        assert_eq!(
            parse("<iq xmlns='jabber:client' id='a'/>"),
            Err(StanzaError::MissingAttr {
                what: "IQ",
                attr: "type"
            })
        );
        assert_eq!(
            parse("<iq xmlns='jabber:client' id='a' type='fetch'/>"),
            Err(StanzaError::InvalidAttr {
                what: "IQ",
                attr: "type",
                value: "fetch".into()
            })
        );
        assert_eq!(
            parse("<iq xmlns='jabber:client' id='a' type='set'/>"),
            Err(StanzaError::MissingChild {
                what: "IQ",
                child: "payload"
            })
        );
        assert_eq!(
            parse("<message xmlns='jabber:client'/>"),
            Err(StanzaError::Mismatch("IQ"))
        );
    }
}
