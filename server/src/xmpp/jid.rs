//! Splitting JIDs (`node@domain/resource`) into their parts.

/// The JID without its resource.
pub fn bare(jid: &str) -> &str {
    match jid.find('/') {
        Some(i) => &jid[..i],
        None => jid,
    }
}

/// The resource, if any (everything after the first `/`).
pub fn resource(jid: &str) -> Option<&str> {
    jid.find('/').map(|i| &jid[i + 1..])
}

/// The node (before `@`), if any.
pub fn node(jid: &str) -> Option<&str> {
    let bare = bare(jid);
    bare.find('@').map(|i| &bare[..i])
}

/// The domain part.
pub fn domain(jid: &str) -> &str {
    let bare = bare(jid);
    match bare.find('@') {
        Some(i) => &bare[i + 1..],
        None => bare,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_parts() {
        let full = "room@conference.meet.test/ab12cd34";
        assert_eq!(bare(full), "room@conference.meet.test");
        assert_eq!(resource(full), Some("ab12cd34"));
        assert_eq!(node(full), Some("room"));
        assert_eq!(domain(full), "conference.meet.test");
        let proxied = "focus.meet.test/u@meet.test/r";
        assert_eq!(node(proxied), None);
        assert_eq!(domain(proxied), "focus.meet.test");
        assert_eq!(resource(proxied), Some("u@meet.test/r"));
    }
}
