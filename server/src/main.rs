//! `grupprum`: serves the moderator panel.
//!
//! Settings come from the environment (see README): `LEPTOS_SITE_ADDR`,
//! `LEPTOS_SITE_ROOT`, `LEPTOS_OUTPUT_NAME`, `RUST_LOG`.

use std::process::ExitCode;

use leptos::prelude::get_configuration;
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
    tracing::info!("listening on http://{local}");
    println!("Grupprum is listening on http://{local}/");
    axum::serve(listener, server::http::router(options))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| format!("server stopped: {e}"))
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
