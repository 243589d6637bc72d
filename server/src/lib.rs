//! Grupprum's server: the axum router that renders the app and serves the site.

pub mod api;
pub mod auth;
pub mod health;
pub mod http;
pub mod jitsi;
pub mod live;
pub mod logs;
pub mod plans;
pub mod rate_limit;
pub mod record;
pub mod serve;
pub mod settings;
pub mod storage;
pub mod web_security;
pub mod worded;
pub mod xmpp;
