//! What an operator's monitoring asks: `/healthz` (the process answers),
//! `/readyz` (the Jitsi deployment is reachable: a probe login, at most one
//! every few seconds), and `/metrics` (Prometheus text).
//!
//! The metrics recorded elsewhere:
//!
//! | name | kind | what |
//! |---|---|---|
//! | `grupprum_sessions` | gauge | XMPP sessions running |
//! | `grupprum_meetings` | gauge | meetings those sessions are in |
//! | `grupprum_commands_total{outcome}` | counter | command items by outcome: `done`, `failed`, `not_moved`, `refused` |
//! | `grupprum_reconnects_total` | counter | lost links to the deployment |
//! | `grupprum_event_to_push_seconds` | histogram | from a stanza's arrival to the new view's publication to the boards |

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures::future::BoxFuture;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// How long a probe's answer is reused.
const PROBE_REUSE: Duration = Duration::from_secs(10);

/// A probe's answer and when it came.
type Probed = (Instant, Result<(), String>);

/// Something that can tell whether the deployment is reachable.
pub trait Readiness: Send + Sync + 'static {
    /// A probe login; `Err` says why not.
    fn probe(&self) -> BoxFuture<'static, Result<(), String>>;
}

/// Ready when every one of its parts is (the deployment, the database), asked
/// in order.
pub struct AllOf(pub Vec<Arc<dyn Readiness>>);

impl Readiness for AllOf {
    fn probe(&self) -> BoxFuture<'static, Result<(), String>> {
        let probes: Vec<_> = self.0.iter().map(|part| part.probe()).collect();
        Box::pin(async move {
            for probe in probes {
                probe.await?;
            }
            Ok(())
        })
    }
}

/// The monitoring endpoints' state.
#[derive(Clone, Default)]
pub struct Health {
    readiness: Option<Arc<dyn Readiness>>,
    metrics: Option<PrometheusHandle>,
    last: Arc<Mutex<Option<Probed>>>,
    probing: Arc<tokio::sync::Mutex<()>>,
}

impl Health {
    pub fn new(readiness: Option<Arc<dyn Readiness>>, metrics: Option<PrometheusHandle>) -> Self {
        Self {
            readiness,
            metrics,
            last: Arc::default(),
            probing: Arc::default(),
        }
    }

    /// The routes.
    pub fn routes<S: Clone + Send + Sync + 'static>(self) -> Router<S> {
        Router::new()
            .route("/healthz", get(|| async { "ok\n" }))
            .route("/readyz", get(ready))
            .route("/metrics", get(metrics))
            .with_state(self)
    }
}

/// Installs the process's Prometheus recorder (once); its handle renders `/metrics`.
pub fn install_recorder() -> Result<PrometheusHandle, String> {
    PrometheusBuilder::new()
        .set_buckets_for_metric(
            metrics_exporter_prometheus::Matcher::Full("grupprum_event_to_push_seconds".into()),
            &[
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
            ],
        )
        .and_then(PrometheusBuilder::install_recorder)
        .map_err(|e| format!("cannot install the metrics recorder: {e}"))
}

async fn ready(State(health): State<Health>) -> Response {
    let Some(readiness) = health.readiness.clone() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "no Jitsi deployment configured\n",
        )
            .into_response();
    };
    // One probe at a time: whoever waits here finds the answer it brought.
    let _probing = health.probing.lock().await;
    let cached = health
        .last
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
        .filter(|(at, _)| at.elapsed() < PROBE_REUSE)
        .map(|(_, result)| result);
    let result = match cached {
        Some(result) => result,
        None => {
            let result = readiness.probe().await;
            *health.last.lock().unwrap_or_else(PoisonError::into_inner) =
                Some((Instant::now(), result.clone()));
            result
        }
    };
    match result {
        Ok(()) => (StatusCode::OK, "ready\n").into_response(),
        Err(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: {reason}\n"),
        )
            .into_response(),
    }
}

async fn metrics(State(health): State<Health>) -> Response {
    match &health.metrics {
        Some(handle) => (
            [(CONTENT_TYPE, "text/plain; version=0.0.4")],
            handle.render(),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "metrics are off\n").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tower::ServiceExt;

    /// Answers probes as told, and counts them.
    struct Probe(Result<(), String>, AtomicUsize);

    impl Readiness for Probe {
        fn probe(&self) -> BoxFuture<'static, Result<(), String>> {
            self.1.fetch_add(1, Ordering::SeqCst);
            let answer = self.0.clone();
            Box::pin(async move { answer })
        }
    }

    async fn get(router: Router, path: &str) -> (StatusCode, String) {
        let response = router
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn ready_only_when_every_part_is() {
        let up = || Arc::new(Probe(Ok(()), AtomicUsize::new(0))) as Arc<dyn Readiness>;
        let down = Arc::new(Probe(Err("the database: gone".into()), AtomicUsize::new(0)));
        assert_eq!(AllOf(vec![up(), up()]).probe().await, Ok(()));
        assert_eq!(
            AllOf(vec![up(), down.clone()]).probe().await,
            Err("the database: gone".into())
        );
    }

    #[tokio::test]
    async fn health_readiness_and_metrics_answer() {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        metrics::with_local_recorder(&recorder, || {
            metrics::counter!("grupprum_commands_total", "outcome" => "done").increment(2);
        });
        let down = Arc::new(Probe(Err("connection refused".into()), AtomicUsize::new(0)));
        let health = Health::new(Some(down.clone()), Some(handle));
        let router: Router = health.routes();
        assert_eq!(
            get(router.clone(), "/healthz").await,
            (StatusCode::OK, "ok\n".into())
        );
        let (status, text) = get(router.clone(), "/readyz").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(text, "not ready: connection refused\n");
        get(router.clone(), "/readyz").await;
        assert_eq!(
            down.1.load(Ordering::SeqCst),
            1,
            "one probe every few seconds at most"
        );
        let (status, text) = get(router, "/metrics").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            text.contains("grupprum_commands_total{outcome=\"done\"} 2"),
            "{text}"
        );

        let up = Arc::new(Probe(Ok(()), AtomicUsize::new(0)));
        let router: Router = Health::new(Some(up), None).routes();
        assert_eq!(get(router.clone(), "/readyz").await.0, StatusCode::OK);
        assert_eq!(get(router, "/metrics").await.0, StatusCode::NOT_FOUND);
        let router: Router = Health::default().routes();
        assert_eq!(
            get(router, "/readyz").await.0,
            StatusCode::SERVICE_UNAVAILABLE
        );
    }
}
