//! Feeds the panel's readers hostile input for a while and counts panics:
//! the recorded stanzas (`server/tests/fixtures/in_*.xml`) mutated by
//! operations that `arbitrary` draws from random bytes (bytes flipped,
//! inserted and cut, spans repeated, tags and attributes spliced in, nesting
//! deepened, JSON keys duplicated), and plain random text. Each input goes
//! through every reader that takes what the server sends (XML, IQ, MUC
//! presence, breakout JSON into the meeting model, disco, focus, Jingle) and
//! through what the browser sends (meeting names, room names, the live
//! connection's first message).
//!
//! `cargo run --release -p server --example fuzz_parsers -- [SECONDS]` (600 by
//! default) prints inputs tried, inputs a second, and panics; it exits 1 on
//! any panic and prints the input that caused it.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use arbitrary::{Arbitrary, Unstructured};
use server::jitsi::model::Model;
use server::jitsi::plan;
use server::xmpp::stanza::disco::DiscoInfo;
use server::xmpp::stanza::focus::ConferenceReply;
use server::xmpp::stanza::iq::{Iq, IqKind};
use server::xmpp::stanza::jingle::Jingle;
use server::xmpp::stanza::jitsi::{BreakoutEvent, JsonMessage};
use server::xmpp::stanza::muc::MucPresence;
use server::xmpp::xml::Element;

/// One change to an input.
#[derive(Debug, Arbitrary)]
enum Mutation {
    Flip { at: u16, byte: u8 },
    Insert { at: u16, text: Snippet },
    Cut { at: u16, len: u8 },
    Repeat { at: u16, len: u8, times: u8 },
    Deepen { at: u16, depth: u8 },
}

/// Text that parsers find interesting.
#[derive(Debug, Arbitrary)]
enum Snippet {
    Bytes(Vec<u8>),
    Open,
    Close,
    Attr,
    Entity,
    Doctype,
    Cdata,
    Comment,
    DuplicateKey,
    Quote,
    Nonchar,
    Bidi,
    Huge,
}

impl Snippet {
    fn text(&self) -> String {
        match self {
            Self::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
            Self::Open => "<x xmlns='urn:x'>".into(),
            Self::Close => "</x>".into(),
            Self::Attr => " a='&amp;&lt;&#0;&#xD800;'".into(),
            Self::Entity => "&lol;&#1114112;&amp".into(),
            Self::Doctype => "<!DOCTYPE x [<!ENTITY lol 'lol'>]>".into(),
            Self::Cdata => "<![CDATA[<presence/>]]>".into(),
            Self::Comment => "<!-- --><?pi x?>".into(),
            Self::DuplicateKey => r#""type":"breakout_rooms","type":"x","#.into(),
            Self::Quote => "\"'\\".into(),
            Self::Nonchar => "\u{FFFE}\u{FDD0}".into(),
            Self::Bidi => "\u{202E}\u{2066}".into(),
            Self::Huge => "å".repeat(70_000),
        }
    }
}

fn apply(input: &mut String, m: &Mutation) {
    let clamp = |at: u16, s: &String| {
        let mut at = usize::from(at) % (s.len() + 1);
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    match m {
        Mutation::Flip { at, byte } => {
            let at = clamp(*at, input);
            let mut bytes = std::mem::take(input).into_bytes();
            if at < bytes.len() {
                bytes[at] ^= byte;
            }
            *input = String::from_utf8_lossy(&bytes).into_owned();
        }
        Mutation::Insert { at, text } => {
            let at = clamp(*at, input);
            input.insert_str(at, &text.text());
        }
        Mutation::Cut { at, len } => {
            let at = clamp(*at, input);
            let end = clamp(
                (at + usize::from(*len)).min(u16::MAX as usize) as u16,
                input,
            )
            .max(at);
            input.replace_range(at..end, "");
        }
        Mutation::Repeat { at, len, times } => {
            let at = clamp(*at, input);
            let end = clamp(
                (at + usize::from(*len)).min(u16::MAX as usize) as u16,
                input,
            )
            .max(at);
            let span = input[at..end].to_owned();
            input.insert_str(at, &span.repeat(usize::from(*times % 32)));
        }
        Mutation::Deepen { at, depth } => {
            let at = clamp(*at, input);
            let n = usize::from(*depth) * 4;
            input.insert_str(at, &format!("{}{}", "<d>".repeat(n), "</d>".repeat(n)));
        }
    }
}

/// Every reader, on one input.
fn read_everything(text: &str) {
    if let Ok(element) = Element::parse(text) {
        let _ = element.to_xml();
        if let Ok(iq) = Iq::parse(&element)
            && let IqKind::Result(Some(payload)) | IqKind::Get(payload) | IqKind::Set(payload) =
                &iq.kind
        {
            let _ = DiscoInfo::parse(payload);
            let _ = ConferenceReply::parse(payload);
            let _ = Jingle::parse(payload);
        }
        let _ = Iq::bad_request_for(&element);
        let mut model = Model::new(
            app::meeting::MeetingRef {
                room: "demo".into(),
                tenant: None,
            },
            "demo@conference.meet.test",
        );
        if let Ok(presence) = MucPresence::parse(&element) {
            model.apply_presence(&presence);
        }
        if let Ok(message) = JsonMessage::parse(&element)
            && let Ok(Some(BreakoutEvent::Update(update))) = message.breakout_event()
        {
            model.apply_update(update);
        }
        let _ = model.view();
    }
    // What a browser sends.
    let _ = app::meeting::MeetingRef::from_input(text);
    let _ = plan::room_name(text);
    let _ = serde_json::from_str::<app::meeting::MeetingRef>(text);
    let _ = serde_json::from_str::<app::meeting::Command>(text);
}

fn main() {
    let seconds: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut seeds: Vec<String> = std::fs::read_dir(&fixtures)
        .expect("the recorded stanzas")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .map(|t| t.trim().to_owned())
        .collect();
    seeds.push(String::new());
    // Panics are counted here, not printed by the default hook.
    std::panic::set_hook(Box::new(|_| {}));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tried: u64 = 0;
    let mut panics: u64 = 0;
    let mut entropy = vec![0u8; 4096];
    while Instant::now() < deadline {
        for _ in 0..256 {
            rand::fill(&mut entropy[..]);
            let mut u = Unstructured::new(&entropy);
            let seed = usize::arbitrary(&mut u).unwrap_or(0) % seeds.len();
            let mut input = seeds[seed].clone();
            let mutations = Vec::<Mutation>::arbitrary(&mut u).unwrap_or_default();
            for m in mutations.iter().take(16) {
                apply(&mut input, m);
            }
            tried += 1;
            if catch_unwind(AssertUnwindSafe(|| read_everything(&input))).is_err() {
                panics += 1;
                eprintln!(
                    "panic on input ({} bytes): {:?}",
                    input.len(),
                    input.chars().take(2000).collect::<String>()
                );
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "fuzz: {tried} inputs in {elapsed:.0} s ({:.0} a second), {panics} panics",
        tried as f64 / elapsed
    );
    if panics > 0 {
        std::process::exit(1);
    }
}
