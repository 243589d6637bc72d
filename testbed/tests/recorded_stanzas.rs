//! The stanza readers and builders on frames recorded from a real Jitsi deployment,
//! and on malformed twins of them.

use testbed::stanza::{self, BreakoutCommand, MucPresence};
use testbed::xml::{Element, XmlError};
use testbed::{jid, ns};

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../server/tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn parse(name: &str) -> Element {
    Element::parse(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn every_recorded_frame_parses_and_round_trips() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../server/tests/fixtures");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("xml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let element = Element::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(
            Element::parse(&element.to_xml()).unwrap(),
            element,
            "{}",
            path.display()
        );
        count += 1;
    }
    assert!(count >= 15, "{count} fixtures");
}

#[test]
fn domain_disco_lists_the_jitsi_components() {
    let reply = parse("in_disco_info_domain.xml");
    let identities = stanza::component_identities(&reply);
    assert!(identities.contains(&("breakout_rooms".into(), "breakout.meet.test".into())));
    assert!(identities.contains(&("av_moderation".into(), "avmoderation.meet.test".into())));
    assert_eq!(
        identities.len(),
        7,
        "the server identity is not a component: {identities:?}"
    );

    let node = parse("in_disco_info_breakout_node.xml");
    let query = node.get_child("query", ns::DISCO_INFO).unwrap();
    assert_eq!(query.get_attr("node"), Some("breakout_rooms"));
    let feature = query.get_child("feature", ns::DISCO_INFO).unwrap();
    assert!(feature.get_attr("var").unwrap().ends_with("#rename"));
}

#[test]
fn conference_request_and_reply() {
    let proxied = parse("in_conference_request_proxied.xml");
    assert_eq!(
        jid::domain(proxied.get_attr("from").unwrap()),
        "focus.meet.test"
    );
    assert_eq!(
        jid::resource(proxied.get_attr("from").unwrap()),
        Some("da597bd6-04dd-4bb1-a076-b12fc480fbdb@meet.test/m-850fb5"),
        "the proxy puts the sender's full JID in the resource"
    );
    let conference = proxied.get_child("conference", ns::FOCUS).unwrap();
    assert_eq!(
        conference.get_attr("room"),
        Some("smoke1df115@conference.meet.test")
    );

    let result = parse("in_conference_result.xml");
    let conference = result.get_child("conference", ns::FOCUS).unwrap();
    assert_eq!(conference.get_attr("ready"), Some("true"));
    assert_eq!(
        conference.get_attr("focusjid"),
        Some("focus@auth.meet.test")
    );

    // What the meeting's clients send has the recorded shape.
    let ours = stanza::conference_request(
        "m4",
        "focus.meet.test",
        "smoke1df115@conference.meet.test",
        "f9c3ae799ee62be7ae93b315116b96e0",
    );
    let ours_conference = ours.get_child("conference", ns::FOCUS).unwrap();
    assert_eq!(
        ours_conference.get_attr("room"),
        conference.get_attr("room")
    );
}

#[test]
fn presences_give_role_affiliation_status_and_destroy() {
    let me = MucPresence::parse(&parse("in_presence_self_moderator.xml")).expect("a MUC presence");
    assert!(me.is_self() && me.available);
    assert_eq!(me.role.as_deref(), Some("moderator"));
    assert_eq!(me.affiliation.as_deref(), Some("owner"));
    assert_eq!(me.display_name.as_deref(), Some("Moderator Panel"));
    assert_eq!(
        me.real_jid.as_deref(),
        Some("da597bd6-04dd-4bb1-a076-b12fc480fbdb@meet.test/m-850fb5")
    );

    let switch = MucPresence::parse(&parse("in_presence_switch_room.xml")).unwrap();
    assert!(!switch.available && !switch.is_self());
    assert_eq!(switch.status.as_deref(), Some("switch_room"));
    assert_eq!(switch.role.as_deref(), Some("none"));

    let removed = MucPresence::parse(&parse("in_presence_breakout_destroyed.xml")).unwrap();
    assert_eq!(
        removed.destroy,
        Some((
            Some("smoke1df115@conference.meet.test".into()),
            Some("Breakout room removed.".into())
        ))
    );
    assert!(removed.is_self());

    let ended = MucPresence::parse(&parse("in_presence_meeting_destroyed.xml")).unwrap();
    assert_eq!(
        ended.destroy,
        Some((None, Some("All occupants left.".into())))
    );
}

#[test]
fn json_messages_give_sender_and_body() {
    let (from, update) =
        stanza::json_message(&parse("in_breakout_update_two_rooms.xml")).expect("json");
    assert_eq!(from, "breakout.meet.test");
    assert_eq!(update["event"], "features/breakout-rooms/update");
    assert_eq!(update["roomCounter"], 2);
    let rooms = update["rooms"].as_object().unwrap();
    assert_eq!(rooms.len(), 3);
    let main = &rooms["smoke1df115"];
    assert_eq!(main["isMainRoom"], true);
    assert!(main.get("name").is_none());
    assert_eq!(main["participants"].as_object().unwrap().len(), 3);

    let (from, mv) = stanza::json_message(&parse("in_move_to_room.xml")).unwrap();
    assert_eq!(from, "breakout.meet.test");
    assert_eq!(mv["event"], "features/breakout-rooms/move-to-room");
    assert!(
        mv["roomJid"]
            .as_str()
            .unwrap()
            .ends_with("@breakout.meet.test")
    );

    assert!(
        stanza::json_message(&parse("in_error_service_unavailable.xml")).is_none(),
        "errors are not json"
    );
}

#[test]
fn breakout_commands_match_the_recorded_ones() {
    let recorded = [
        (
            "out_breakout_add.xml",
            BreakoutCommand::Add {
                subject: Some("Room A".into()),
            },
        ),
        (
            "out_breakout_rename.xml",
            BreakoutCommand::Rename {
                room: "b6a7ada5-5508-499b-95e4-8e8d567a1621@breakout.meet.test".into(),
                subject: Some("Renamed B".into()),
            },
        ),
        (
            "out_breakout_move.xml",
            BreakoutCommand::MoveToRoom {
                participant: "94877a45-5768-40ce-9b31-f8c3179793aa@meet.test/p1-529fe0".into(),
                room: "b6a7ada5-5508-499b-95e4-8e8d567a1621@breakout.meet.test".into(),
            },
        ),
        (
            "out_breakout_remove.xml",
            BreakoutCommand::Remove {
                room: "a4e42ba2-71f1-4e5e-819a-0b75f58916d7@breakout.meet.test".into(),
            },
        ),
    ];
    for (name, command) in recorded {
        assert_eq!(
            command.to_message("breakout.meet.test"),
            parse(name),
            "{name}"
        );
    }
    let join = parse("out_muc_join.xml");
    let to = join.get_attr("to").unwrap();
    assert_eq!(stanza::muc_join(to, Some("Moderator Panel")), join);
}

#[test]
fn malformed_twins_are_refused_with_their_reason() {
    let update = fixture("in_breakout_update_two_rooms.xml");
    let cut = &update[..update.len() / 2];
    assert!(matches!(Element::parse(cut), Err(XmlError::Malformed(_))));

    let undeclared = update
        .replace("xmlns='http://jitsi.org/jitmeet'", "")
        .replace("<json-message", "<j:json-message")
        .replace("</json-message", "</j:json-message");
    assert_eq!(
        Element::parse(&undeclared),
        Err(XmlError::UnknownPrefix("json-message".into()))
    );

    let bad_json = update.replace("{&quot;rooms&quot;", "{&quot;rooms&quot;&quot;");
    let element = Element::parse(&bad_json).expect("still XML");
    assert!(
        stanza::json_message(&element).is_none(),
        "bad JSON is not a json-message"
    );

    let wrong_ns = update.replace("http://jitsi.org/jitmeet", "urn:example:other");
    assert!(stanza::json_message(&Element::parse(&wrong_ns).unwrap()).is_none());

    let presence = fixture("in_presence_self_moderator.xml");
    let no_muc = presence.replace("http://jabber.org/protocol/muc#user", "urn:example:other");
    assert!(MucPresence::parse(&Element::parse(&no_muc).unwrap()).is_none());
    let no_from = presence.replace("from='smoke1df115@conference.meet.test/31b355df' ", "");
    assert!(MucPresence::parse(&Element::parse(&no_from).unwrap()).is_none());

    let with_comment = presence.replace("<nick", "<!-- hi --><nick");
    assert_eq!(
        Element::parse(&with_comment),
        Err(XmlError::Forbidden("comments"))
    );
}
