//! The Jitsi client: one XMPP session per meeting that joins as a moderator, keeps
//! the meeting's state, and runs the moderator's commands.
//!
//! * [`config`]: where the deployment is and how to log in;
//! * [`link_reason`]: why a link was lost, and whether trying again can help;
//! * [`model`]: the pure state of a meeting and the outcome of every command;
//! * [`plan`]: commands checked and turned into messages before anything is sent;
//! * [`assign`]: auto-assign's arithmetic: sizes, groups kept together or apart;
//! * [`draft`]: the plan being prepared, changed by the board's commands;
//! * [`arrivals`]: where people who join late go;
//! * [`undo`]: what undoing the last move, assign or close restores;
//! * [`session`]: the connection's life: join, keepalive, reconnect, pacing;
//! * [`service`]: the sessions behind the app's `MeetingService`.

pub mod arrivals;
pub mod assign;
pub mod config;
pub mod draft;
pub mod link_reason;
pub mod model;
pub mod plan;
pub mod recorder;
pub mod service;
pub mod session;
pub mod timer;
pub mod undo;
pub mod visit;
