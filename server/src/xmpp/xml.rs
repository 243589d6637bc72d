//! A small namespace-aware XML element tree on quick-xml: enough XML for XMPP
//! stanzas (RFC 6120 §11: no comments, processing instructions or DTDs).

use std::borrow::Cow;

use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::ResolveResult;
use quick_xml::{NsReader, Writer, XmlVersion};

/// Deepest nesting accepted in one stanza.
const MAX_DEPTH: usize = 32;

/// What can go wrong when reading XML.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum XmlError {
    #[error("malformed XML: {0}")]
    Malformed(String),
    #[error("XML with {0} is not allowed in XMPP")]
    Forbidden(&'static str),
    #[error("unknown namespace prefix in <{0}>")]
    UnknownPrefix(String),
    #[error("no element in the input")]
    Empty,
    #[error("text after the end of the element")]
    TrailingContent,
    #[error("elements nested deeper than {MAX_DEPTH}")]
    TooDeep,
    #[error("unknown entity &{0};")]
    UnknownEntity(String),
}

/// A child of an element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Element(Element),
    Text(String),
}

/// An XML element with its namespace resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    ns: String,
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
}

impl Element {
    /// An empty element `name` in namespace `ns`.
    pub fn new(name: &str, ns: &str) -> Self {
        Self {
            ns: ns.to_owned(),
            name: name.to_owned(),
            attrs: Vec::new(),
            children: Vec::new(),
        }
    }

    /// Sets attribute `key` (replacing an earlier value).
    #[must_use]
    pub fn attr(mut self, key: &str, value: impl Into<String>) -> Self {
        self.set_attr(key, value);
        self
    }

    /// Sets attribute `key` on an element in place.
    pub fn set_attr(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        match self.attrs.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.attrs.push((key.to_owned(), value)),
        }
    }

    /// Sets attribute `key` when `value` is present.
    #[must_use]
    pub fn attr_opt(self, key: &str, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(v) => self.attr(key, v),
            None => self,
        }
    }

    /// Appends a child element.
    #[must_use]
    pub fn child(mut self, child: Element) -> Self {
        self.children.push(Node::Element(child));
        self
    }

    /// Appends text.
    #[must_use]
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.children.push(Node::Text(text.into()));
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn ns(&self) -> &str {
        &self.ns
    }

    /// True when this is element `name` in namespace `ns`.
    pub fn is(&self, name: &str, ns: &str) -> bool {
        self.name == name && self.ns == ns
    }

    pub fn get_attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The child elements.
    pub fn children(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The first child `name` in namespace `ns`.
    pub fn get_child(&self, name: &str, ns: &str) -> Option<&Element> {
        self.children().find(|c| c.is(name, ns))
    }

    /// The text directly inside this element.
    pub fn text_content(&self) -> String {
        self.children
            .iter()
            .filter_map(|n| match n {
                Node::Text(t) => Some(t.as_str()),
                Node::Element(_) => None,
            })
            .collect()
    }

    /// Reads one element from `input`; surrounding whitespace is allowed.
    pub fn parse(input: &str) -> Result<Self, XmlError> {
        let mut reader = NsReader::from_str(input);
        let mut stack: Vec<Element> = Vec::new();
        let mut done: Option<Element> = None;
        loop {
            let (ns, event) = reader
                .read_resolved_event()
                .map_err(|e| XmlError::Malformed(e.to_string()))?;
            match event {
                Event::Start(start) | Event::Empty(start) if done.is_some() => {
                    let _ = start;
                    return Err(XmlError::TrailingContent);
                }
                Event::Start(start) => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(XmlError::TooDeep);
                    }
                    stack.push(open(&ns, &start)?);
                }
                Event::Empty(start) => {
                    let element = open(&ns, &start)?;
                    close(&mut stack, &mut done, element);
                }
                Event::End(_) => {
                    let element = stack
                        .pop()
                        .ok_or_else(|| XmlError::Malformed("unexpected end tag".into()))?;
                    close(&mut stack, &mut done, element);
                }
                Event::Text(text) => {
                    let text = text.xml10_content();
                    push_text(&mut stack, done.is_some(), &text)?;
                }
                Event::CData(data) => {
                    let text = data.xml10_content();
                    push_text(&mut stack, done.is_some(), &text)?;
                }
                Event::GeneralRef(reference) => {
                    let text = resolve_reference(&reference)?;
                    push_text(&mut stack, done.is_some(), &text)?;
                }
                Event::Comment(_) => return Err(XmlError::Forbidden("comments")),
                Event::PI(_) => return Err(XmlError::Forbidden("processing instructions")),
                Event::DocType(_) => return Err(XmlError::Forbidden("a document type")),
                Event::Decl(_) => {}
                Event::Eof => {
                    if !stack.is_empty() {
                        return Err(XmlError::Malformed("unclosed element".into()));
                    }
                    return done.ok_or(XmlError::Empty);
                }
            }
        }
    }

    /// Serialises the element; the namespace is declared where it changes.
    pub fn to_xml(&self) -> String {
        let mut writer = Writer::new(Vec::new());
        self.write(&mut writer, None);
        String::from_utf8(writer.into_inner()).unwrap_or_default()
    }

    fn write(&self, writer: &mut Writer<Vec<u8>>, parent_ns: Option<&str>) {
        let mut start = BytesStart::new(self.name.as_str());
        if parent_ns != Some(self.ns.as_str()) && !self.ns.is_empty() {
            start.push_attribute(("xmlns", self.ns.as_str()));
        }
        for (k, v) in &self.attrs {
            start.push_attribute((k.as_str(), v.as_str()));
        }
        // Writing into a Vec cannot fail.
        if self.children.is_empty() {
            let _ = writer.write_event(Event::Empty(start));
            return;
        }
        let _ = writer.write_event(Event::Start(start));
        for child in &self.children {
            match child {
                Node::Element(e) => e.write(writer, Some(self.ns.as_str())),
                Node::Text(t) => {
                    let _ = writer.write_event(Event::Text(BytesText::new(t)));
                }
            }
        }
        let _ = writer.write_event(Event::End(BytesEnd::new(self.name.as_str())));
    }
}

impl std::fmt::Display for Element {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_xml())
    }
}

fn open(ns: &ResolveResult<'_>, start: &BytesStart<'_>) -> Result<Element, XmlError> {
    let local = start.local_name().as_ref().to_owned();
    let ns = match ns {
        ResolveResult::Bound(n) => n.as_ref().to_owned(),
        ResolveResult::Unbound => String::new(),
        ResolveResult::Unknown(_) => return Err(XmlError::UnknownPrefix(local)),
    };
    let mut element = Element::new(&local, &ns);
    for attr in start.attributes() {
        let attr = attr.map_err(|e| XmlError::Malformed(e.to_string()))?;
        let key: &str = attr.key.as_ref();
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| XmlError::Malformed(e.to_string()))?;
        element.attrs.push((key.to_owned(), value.into_owned()));
    }
    Ok(element)
}

fn close(stack: &mut [Element], done: &mut Option<Element>, element: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(Node::Element(element)),
        None => *done = Some(element),
    }
}

fn push_text(stack: &mut [Element], after_root: bool, text: &str) -> Result<(), XmlError> {
    match stack.last_mut() {
        Some(parent) => {
            match parent.children.last_mut() {
                Some(Node::Text(t)) => t.push_str(text),
                _ => parent.children.push(Node::Text(text.to_owned())),
            }
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None if after_root => Err(XmlError::TrailingContent),
        None => Err(XmlError::Malformed("text outside an element".into())),
    }
}

fn resolve_reference(
    reference: &quick_xml::events::BytesRef<'_>,
) -> Result<Cow<'static, str>, XmlError> {
    if let Some(c) = reference
        .resolve_char_ref()
        .map_err(|e| XmlError::Malformed(e.to_string()))?
    {
        return Ok(Cow::Owned(c.to_string()));
    }
    let name = reference.xml10_content();
    quick_xml::escape::resolve_predefined_entity(&name)
        .map(Cow::Borrowed)
        .ok_or_else(|| XmlError::UnknownEntity(name.into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_namespaces_attributes_and_entities() {
        let e = Element::parse(
            "<message xmlns='jabber:client' to='a@b/c'><json-message xmlns='http://jitsi.org/jitmeet'>{&quot;a&quot;:&#x31;}</json-message><body>x &amp; y</body></message>",
        )
        .unwrap();
        assert!(e.is("message", "jabber:client"));
        assert_eq!(e.get_attr("to"), Some("a@b/c"));
        let json = e
            .get_child("json-message", "http://jitsi.org/jitmeet")
            .unwrap();
        assert_eq!(json.text_content(), "{\"a\":1}");
        assert_eq!(
            e.get_child("body", "jabber:client").unwrap().text_content(),
            "x & y"
        );
        assert!(e.get_child("json-message", "jabber:client").is_none());
    }

    #[test]
    fn round_trips_with_escaping() {
        let e = Element::new("presence", "jabber:client")
            .attr("to", "r@c/n'\"<")
            .child(
                Element::new("nick", "http://jabber.org/protocol/nick")
                    .text("<b>Åsa & \u{202e}</b>"),
            );
        let xml = e.to_xml();
        assert!(!xml.contains("<b>"), "{xml}");
        assert_eq!(Element::parse(&xml).unwrap(), e);
    }

    #[test]
    fn prefixed_names_resolve() {
        let e = Element::parse(
            "<s:features xmlns:s='http://etherx.jabber.org/streams'><b xmlns='x'/></s:features>",
        )
        .unwrap();
        assert!(e.is("features", "http://etherx.jabber.org/streams"));
        assert!(e.get_child("b", "x").is_some());
    }

    #[test]
    fn rejects_what_xmpp_forbids() {
        assert_eq!(
            Element::parse("<a><!-- c --></a>"),
            Err(XmlError::Forbidden("comments"))
        );
        assert_eq!(
            Element::parse("<a><?pi x?></a>"),
            Err(XmlError::Forbidden("processing instructions"))
        );
        assert_eq!(
            Element::parse("<!DOCTYPE a><a/>"),
            Err(XmlError::Forbidden("a document type"))
        );
        assert_eq!(
            Element::parse("<a>&bogus;</a>"),
            Err(XmlError::UnknownEntity("bogus".into()))
        );
        assert_eq!(
            Element::parse("<p:a/>"),
            Err(XmlError::UnknownPrefix("a".into()))
        );
        assert_eq!(Element::parse("  "), Err(XmlError::Empty));
        assert_eq!(Element::parse("<a/><b/>"), Err(XmlError::TrailingContent));
        assert!(matches!(
            Element::parse("<a><b></a>"),
            Err(XmlError::Malformed(_))
        ));
        assert!(matches!(Element::parse("<a>"), Err(XmlError::Malformed(_))));
        let deep = "<a>".repeat(40) + &"</a>".repeat(40);
        assert_eq!(Element::parse(&deep), Err(XmlError::TooDeep));
    }
}
