//! `grupprum`: serves the moderator panel.
//!
//! Settings come from the environment and from the TOML file `GRUPPRUM_CONFIG`
//! names (see README and `server/grupprum.example.toml`).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use app::service::MeetingService;
use leptos::prelude::get_configuration;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use server::api::tokens::ApiTokens;
use server::health::{AllOf, Health, Readiness};
use server::http::Site;
use server::jitsi::config::{ClientConfig, ConfigError};
use server::jitsi::service::{Limits, Sessions};
use server::record::Retention;
use server::settings::Settings;
use server::storage::sql::{Database, SqlStore};
use server::web_security::Policy;
use server::xmpp::transport::WebSocketConnector;
use tracing_subscriber::EnvFilter;

/// The name of the site's files in `pkg/` when `LEPTOS_OUTPUT_NAME` is not set.
const DEFAULT_OUTPUT_NAME: &str = "grupprum";
/// The SQLite file that keeps the plans when neither `GRUPPRUM_DATABASE` nor
/// `DATABASE_URL` says otherwise (in the working directory).
const DEFAULT_DATABASE: &str = "grupprum.db";

/// How long leaving every meeting may take at a stop.
const LEAVE_DEADLINE: Duration = Duration::from_secs(5);

#[tokio::main]
async fn main() -> ExitCode {
    let settings = match Settings::load(|name| std::env::var(name).ok()) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("grupprum: bad configuration: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = init_logging(&settings) {
        eprintln!("grupprum: {e}");
        return ExitCode::FAILURE;
    }
    match run(&settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            eprintln!("grupprum: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Text or JSON lines (`GRUPPRUM_LOG_FORMAT`), filtered by `RUST_LOG`.
fn init_logging(settings: &Settings) -> Result<(), String> {
    let filter = settings
        .var("RUST_LOG")
        .and_then(|f| EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    let format = server::logs::LogFormat::parse(settings.var("GRUPPRUM_LOG_FORMAT").as_deref())?;
    server::logs::init(format, filter);
    Ok(())
}

async fn run(settings: &Settings) -> Result<(), String> {
    let conf = get_configuration(None).map_err(|e| format!("bad site configuration: {e}"))?;
    let mut options = conf.leptos_options;
    if let Some(addr) = settings.var("LEPTOS_SITE_ADDR") {
        options.site_addr = addr
            .parse()
            .map_err(|e| format!("bad configuration: LEPTOS_SITE_ADDR {addr:?}: {e}"))?;
    }
    if let Some(root) = settings.var("LEPTOS_SITE_ROOT") {
        options.site_root = root.into();
    }
    if let Some(name) = settings.var("LEPTOS_OUTPUT_NAME") {
        options.output_name = name.into();
    }
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
    let policy = match settings.var(server::web_security::FRAME_ANCESTORS_VAR) {
        Some(sources) => Policy::frame_ancestors(&sources).map_err(|e| e.to_string())?,
        None => Policy::default(),
    };
    let auth_settings = server::auth::AuthSettings::from_vars(|name| settings.var(name))
        .map_err(|e| format!("bad sign-in settings: {e}"))?;
    let auth = server::auth::Auth::new(&auth_settings, local)
        .map_err(|e| format!("bad sign-in settings: {e}"))?;
    tracing::info!(mode = ?auth.mode(), "sign-in");
    let api_tokens = ApiTokens::from_setting(settings.var("GRUPPRUM_API_TOKENS").as_deref())
        .map_err(|e| format!("bad configuration: GRUPPRUM_API_TOKENS: {e}"))?;
    if !api_tokens.is_empty() {
        tracing::info!(integrations = ?api_tokens, "API tokens");
    }
    // Every setting is read before the database is opened: bad settings
    // leave no file behind.
    let limits = Limits::from_setting(settings.var("GRUPPRUM_MAX_SESSIONS").as_deref())?;
    let retention = Retention::from_setting(settings.var("GRUPPRUM_RECORD_DAYS").as_deref())
        .map_err(|e| format!("bad record settings: {e}"))?;
    let jitsi = jitsi_client(settings)?;
    let database = Database::from_settings(
        settings.var("DATABASE_URL"),
        settings
            .var("GRUPPRUM_DATABASE")
            .map_or_else(|| DEFAULT_DATABASE.into(), std::path::PathBuf::from),
    )
    .map_err(|e| format!("bad database settings: {e}"))?;
    let store = Arc::new(SqlStore::open(&database).await.map_err(|e| e.to_string())?);
    tracing::info!(%database, "room plans and records kept");
    let sessions = jitsi.map(|(config, connector)| {
        Sessions::keeping(
            config,
            Arc::new(connector),
            limits,
            store.clone(),
            retention,
        )
    });
    if let Some(sessions) = &sessions {
        let resumed = sessions.resume().await?;
        if resumed > 0 {
            tracing::info!(meetings = resumed, "back in the meetings with timers");
        }
    }
    let metrics = server::health::install_recorder()?;
    let site = Site {
        meetings: sessions.clone().map(|s| s as Arc<dyn MeetingService>),
        policy,
        auth,
        health: Health::new(
            sessions.clone().map(|s| {
                Arc::new(AllOf(vec![s as Arc<dyn Readiness>, store.clone()])) as Arc<dyn Readiness>
            }),
            Some(metrics),
        ),
        store: Some(store.clone() as Arc<dyn app::plans::Store>),
        journal: Some(store.clone() as Arc<dyn server::record::Journal>),
        api_tokens: Arc::new(api_tokens),
        ..Site::new(options)
    };
    tracing::info!("listening on http://{local}");
    println!("Grupprum is listening on http://{local}/");
    // Stop on SIGTERM or Ctrl-C; connections get a few seconds to finish (live
    // boards hold WebSockets open), then the server stops regardless.
    server::serve::serve(
        listener,
        server::http::router(site),
        server::serve::Limits::default(),
        shutdown_signal(),
    )
    .await;
    if let Some(sessions) = sessions {
        if tokio::time::timeout(LEAVE_DEADLINE, sessions.stop_all())
            .await
            .is_err()
        {
            tracing::warn!(
                "some meetings were not left within {} s",
                LEAVE_DEADLINE.as_secs()
            );
        }
        sessions.close_journal(LEAVE_DEADLINE).await;
    }
    Ok(())
}

/// The Jitsi client, when `XMPP_WS_URL` is set (see README for the settings).
fn jitsi_client(settings: &Settings) -> Result<Option<(ClientConfig, WebSocketConnector)>, String> {
    let config = match ClientConfig::from_vars(|name| settings.var(name)) {
        Ok(config) => config,
        Err(ConfigError::Missing("XMPP_WS_URL")) => {
            tracing::warn!("XMPP_WS_URL is not set: no Jitsi deployment to moderate");
            return Ok(None);
        }
        Err(e) => return Err(format!("bad Jitsi settings: {e}")),
    };
    let mut roots = Vec::new();
    if let Some(path) = settings.var("XMPP_CA_FILE") {
        for cert in CertificateDer::pem_file_iter(&path)
            .map_err(|e| format!("cannot read XMPP_CA_FILE {path}: {e}"))?
        {
            roots.push(cert.map_err(|e| format!("bad certificate in XMPP_CA_FILE {path}: {e}"))?);
        }
    }
    let connector = WebSocketConnector::new(roots).map_err(|e| e.to_string())?;
    tracing::info!(service = %server::xmpp::transport::redact(&config.service_url), domain = %config.domain, "Jitsi deployment");
    Ok(Some((config, connector)))
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
