//! `grupprum`: serves the moderator panel.
//!
//! Settings come from the environment (see README): `LEPTOS_SITE_ADDR`,
//! `LEPTOS_SITE_ROOT`, `LEPTOS_OUTPUT_NAME`, `RUST_LOG`, and the Jitsi client's
//! `XMPP_*` settings.

use std::process::ExitCode;

use std::sync::Arc;

use app::service::MeetingService;
use leptos::prelude::get_configuration;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use server::jitsi::config::{ClientConfig, ConfigError};
use server::jitsi::service::Sessions;
use server::web_security::Policy;
use server::xmpp::transport::WebSocketConnector;
use tracing_subscriber::EnvFilter;

/// The name of the site's files in `pkg/` when `LEPTOS_OUTPUT_NAME` is not set.
const DEFAULT_OUTPUT_NAME: &str = "grupprum";

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            eprintln!("grupprum: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let conf = get_configuration(None).map_err(|e| format!("bad site configuration: {e}"))?;
    let mut options = conf.leptos_options;
    if options.output_name.is_empty() {
        options.output_name = DEFAULT_OUTPUT_NAME.into();
    }
    let addr = options.site_addr;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    let policy = match std::env::var(server::web_security::FRAME_ANCESTORS_VAR) {
        Ok(sources) => Policy::frame_ancestors(&sources).map_err(|e| e.to_string())?,
        Err(_) => Policy::default(),
    };
    let auth_settings = server::auth::AuthSettings::from_vars(|name| std::env::var(name).ok())
        .map_err(|e| format!("bad sign-in settings: {e}"))?;
    let auth = server::auth::Auth::new(&auth_settings, local)
        .map_err(|e| format!("bad sign-in settings: {e}"))?;
    tracing::info!(mode = ?auth.mode(), "sign-in");
    let sessions = jitsi_sessions()?;
    let service = sessions.clone().map(|s| s as Arc<dyn MeetingService>);
    tracing::info!("listening on http://{local}");
    println!("Grupprum is listening on http://{local}/");
    // Stop on SIGTERM or Ctrl-C; connections get a few seconds to finish (live
    // boards hold WebSockets open), then the server stops regardless.
    server::serve::serve(
        listener,
        server::http::router(options, service, policy, auth),
        server::serve::Limits::default(),
        shutdown_signal(),
    )
    .await;
    if let Some(sessions) = sessions {
        sessions.stop_all().await;
    }
    Ok(())
}

/// The Jitsi client, when `XMPP_WS_URL` is set (see README for the settings).
fn jitsi_sessions() -> Result<Option<Arc<Sessions>>, String> {
    let config = match ClientConfig::from_vars(|name| std::env::var(name).ok()) {
        Ok(config) => config,
        Err(ConfigError::Missing("XMPP_WS_URL")) => {
            tracing::warn!("XMPP_WS_URL is not set: no Jitsi deployment to moderate");
            return Ok(None);
        }
        Err(e) => return Err(format!("bad Jitsi settings: {e}")),
    };
    let mut roots = Vec::new();
    if let Ok(path) = std::env::var("XMPP_CA_FILE") {
        for cert in CertificateDer::pem_file_iter(&path)
            .map_err(|e| format!("cannot read XMPP_CA_FILE {path}: {e}"))?
        {
            roots.push(cert.map_err(|e| format!("bad certificate in XMPP_CA_FILE {path}: {e}"))?);
        }
    }
    let connector = WebSocketConnector::new(roots).map_err(|e| e.to_string())?;
    tracing::info!(service = %server::xmpp::transport::redact(&config.service_url), domain = %config.domain, "Jitsi deployment");
    Ok(Some(Sessions::new(config, Arc::new(connector))))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}
