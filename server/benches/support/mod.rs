//! Realistic inputs for the benchmarks.

use server::xmpp::ns;
use server::xmpp::xml::Element;

pub const MAIN: &str = "bench@conference.meet.test";

/// A breakout update with `people` participants spread over `rooms` rooms, as the
/// component sends it (a `json-message` in a `<message/>`), serialised.
pub fn update_frame(rooms: usize, people: usize) -> String {
    let mut map = serde_json::Map::new();
    map.insert(
        "bench".into(),
        serde_json::json!({"id": "bench", "jid": MAIN, "isMainRoom": true, "participants": {}}),
    );
    for r in 0..rooms {
        let node = format!("{r:08x}-5508-499b-95e4-8e8d567a1621");
        let room_jid = format!("{node}@breakout.meet.test");
        let mut participants = serde_json::Map::new();
        for p in (0..people).filter(|p| p % rooms == r) {
            participants.insert(
                format!("{room_jid}/{p:08x}"),
                serde_json::json!({
                    "jid": format!("{p:08x}-04dd-4bb1-a076-b12fc480fbdb@meet.test/p-{p:06x}"),
                    "role": "participant",
                    "displayName": format!("Deltagare Åsa Öberg {p}"),
                }),
            );
        }
        map.insert(node.clone(), serde_json::json!({"id": node, "jid": room_jid, "name": format!("Grupprum {}", r + 1), "participants": participants}));
    }
    let body = serde_json::json!({"type": "breakout_rooms", "event": "features/breakout-rooms/update", "roomCounter": rooms, "rooms": map});
    Element::new("message", ns::CLIENT)
        .attr("from", "breakout.meet.test")
        .attr("to", "panel@meet.test/grupprum")
        .child(Element::new("json-message", ns::JITMEET).text(body.to_string()))
        .to_xml()
}

/// A main-room presence as Prosody sends it, for participant `n`.
#[allow(dead_code, reason = "only the speed benchmark reads presences")]
pub fn presence_frame(n: usize) -> String {
    format!(
        "<presence from='{MAIN}/{n:08x}' xmlns='jabber:client' xml:lang='en' to='panel@meet.test/grupprum'><nick xmlns='http://jabber.org/protocol/nick'>Deltagare {n}</nick><occupant-id id='O3+peHKEjyWtDxRuUbnF44RiNt7WwvFjAuUtXUrg4YA=' xmlns='urn:xmpp:occupant-id:0'/><x xmlns='http://jabber.org/protocol/muc#user'><item jid='{n:08x}-04dd-4bb1-a076-b12fc480fbdb@meet.test/p-{n:06x}' affiliation='none' role='participant'/></x></presence>"
    )
}
