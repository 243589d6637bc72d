//! Speed of the Jitsi client's hot paths: a breakout update of 500 participants in
//! 50 rooms (parse and apply), MUC presences, and building the view.

use std::hint::black_box;
use std::time::Instant;

use app::meeting::MeetingRef;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use server::jitsi::model::Model;
use server::xmpp::stanza::jitsi::{BreakoutEvent, JsonMessage};
use server::xmpp::stanza::muc::MucPresence;
use server::xmpp::xml::Element;

mod support;

fn model() -> Model {
    Model::new(
        MeetingRef {
            room: "bench".into(),
            tenant: None,
        },
        support::MAIN,
    )
}

fn apply_update(model: &mut Model, frame: &str) {
    let element = Element::parse(frame).expect("xml");
    let message = JsonMessage::parse(&element).expect("json-message");
    let Some(BreakoutEvent::Update(update)) = message.breakout_event().expect("event") else {
        panic!("an update")
    };
    model.apply_update(update);
    model.settle(Instant::now());
}

fn benches(c: &mut Criterion) {
    let frame = support::update_frame(50, 500);
    eprintln!(
        "update frame: {} bytes ({:.1} KiB)",
        frame.len(),
        frame.len() as f64 / 1024.0
    );
    let mut group = c.benchmark_group("breakout update 500 in 50");
    group.throughput(Throughput::Bytes(frame.len() as u64));
    group.bench_function("parse and apply", |b| {
        let mut m = model();
        b.iter(|| apply_update(&mut m, black_box(&frame)));
    });
    group.bench_function("build the view", |b| {
        let mut m = model();
        apply_update(&mut m, &frame);
        b.iter(|| black_box(m.view()));
    });
    group.finish();

    let presences: Vec<String> = (0..1000).map(support::presence_frame).collect();
    let mut group = c.benchmark_group("presence");
    group.throughput(Throughput::Elements(presences.len() as u64));
    group.bench_function("parse 1000", |b| {
        b.iter(|| {
            for frame in &presences {
                let element = Element::parse(black_box(frame)).expect("xml");
                black_box(MucPresence::parse(&element).expect("presence"));
            }
        });
    });
    group.bench_function("parse and apply 1000", |b| {
        let mut m = model();
        b.iter(|| {
            for frame in &presences {
                let element = Element::parse(black_box(frame)).expect("xml");
                m.apply_presence(&MucPresence::parse(&element).expect("presence"));
            }
        });
    });
    group.finish();
}

criterion_group!(client, benches);
criterion_main!(client);
