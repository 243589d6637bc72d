//! A local meeting that behaves like a Jitsi deployment for anything a moderator
//! panel can see: Debian's Prosody with Grupprum's breakout-rooms component
//! (`prosody/`), a focus stand-in and simulated participants.
//!
//! # Layout
//! * [`xml`], [`ns`], [`jid`]: XML elements, namespaces and addresses (Grupprum's own).
//! * [`stream`]: XMPP over WebSocket (RFC 7395) with SASL and resource binding.
//! * [`stanza`]: the stanzas the meeting's clients send and read.
//! * [`prosody`]: the generated configuration and the Prosody process.
//! * [`focus`], [`participant`]: the clients that make up a meeting.
//! * [`meeting`]: all of it together; [`names`]: display names.
//! * [`harness`]: support for tests that run against a meeting.
//! * [`control`]: an HTTP API to make people join, leave, and to restart Prosody.

pub mod child;
pub mod control;
pub mod domains;
pub mod focus;
pub mod harness;
pub mod meeting;
pub mod names;
pub mod participant;
pub mod postgres;
pub mod prosody;
pub mod stanza;
pub mod stream;

pub use server::xmpp::{jid, ns, xml};
