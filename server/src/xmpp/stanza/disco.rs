//! XEP-0030 service discovery: finding Jitsi's components and answering about ourselves.

use super::StanzaError;
use crate::xmpp::ns;
use crate::xmpp::xml::Element;

/// A disco#info request payload, optionally for a node.
pub fn info_query(node: Option<&str>) -> Element {
    Element::new("query", ns::DISCO_INFO).attr_opt("node", node)
}

/// An identity in a disco#info result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub category: String,
    pub kind: String,
    pub name: Option<String>,
}

/// A disco#info result.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DiscoInfo {
    pub identities: Vec<Identity>,
    pub features: Vec<String>,
}

impl DiscoInfo {
    /// Reads the `<query/>` payload of a result.
    pub fn parse(query: &Element) -> Result<Self, StanzaError> {
        if !query.is("query", ns::DISCO_INFO) {
            return Err(StanzaError::Mismatch("disco#info result"));
        }
        let mut info = Self::default();
        for child in query.children() {
            if child.is("identity", ns::DISCO_INFO) {
                let (Some(category), Some(kind)) =
                    (child.get_attr("category"), child.get_attr("type"))
                else {
                    continue; // An incomplete identity is no component.
                };
                info.identities.push(Identity {
                    category: category.to_owned(),
                    kind: kind.to_owned(),
                    name: child.get_attr("name").map(str::to_owned),
                });
            } else if child.is("feature", ns::DISCO_INFO)
                && let Some(var) = child.get_attr("var")
            {
                info.features.push(var.to_owned());
            }
        }
        Ok(info)
    }

    /// The address of the component of Jitsi type `kind` (`breakout_rooms`, …).
    pub fn component(&self, kind: &str) -> Option<&str> {
        self.identities
            .iter()
            .find(|i| i.category == "component" && i.kind == kind)
            .and_then(|i| i.name.as_deref())
    }

    /// Every advertised component address.
    pub fn components(&self) -> Vec<String> {
        self.identities
            .iter()
            .filter(|i| i.category == "component")
            .filter_map(|i| i.name.clone())
            .collect()
    }

    /// True when a feature ending in `suffix` is listed (lib-jitsi-meet's check for `#rename`).
    pub fn has_feature_ending(&self, suffix: &str) -> bool {
        self.features.iter().any(|f| f.ends_with(suffix))
    }
}

/// What the panel says about itself: a web client that answers pings, nothing more.
pub fn self_info(node: Option<&str>) -> Element {
    Element::new("query", ns::DISCO_INFO)
        .attr_opt("node", node)
        .child(
            Element::new("identity", ns::DISCO_INFO)
                .attr("category", "client")
                .attr("type", "web")
                .attr("name", "Grupprum"),
        )
        .child(Element::new("feature", ns::DISCO_INFO).attr("var", ns::DISCO_INFO))
        .child(Element::new("feature", ns::DISCO_INFO).attr("var", ns::PING))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xmpp::stanza::iq::{Iq, IqKind};
    use crate::xmpp::stanza::tests::fixture;

    fn payload(name: &str) -> Element {
        match Iq::parse(&fixture(name)).unwrap().kind {
            IqKind::Result(Some(p)) => p,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn finds_the_recorded_components() {
        let info = DiscoInfo::parse(&payload("in_disco_info_domain.xml")).unwrap();
        assert_eq!(info.component("breakout_rooms"), Some("breakout.meet.test"));
        assert_eq!(info.component("lobbyrooms"), Some("lobby.meet.test"));
        assert_eq!(info.components().len(), 7);
        assert!(info.features.contains(&"urn:xmpp:ping".to_owned()));

        let node = DiscoInfo::parse(&payload("in_disco_info_breakout_node.xml")).unwrap();
        assert!(node.has_feature_ending("#rename"));
        assert!(node.identities.is_empty());
    }

    #[test]
    fn a_wrong_payload_is_a_mismatch() {
        assert_eq!(
            DiscoInfo::parse(&Element::new("query", "urn:x")),
            Err(StanzaError::Mismatch("disco#info result"))
        );
    }
}
