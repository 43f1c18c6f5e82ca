//! Prometheus metrics: events accepted, duplicate and rejected (by code),
//! and request latency by route. The recorder is process-wide, installed once.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process-wide recorder (once; later calls do nothing).
pub(crate) fn install() {
    HANDLE.get_or_init(|| PrometheusBuilder::new().install_recorder().ok());
}

/// The metrics in Prometheus text format.
pub(crate) async fn render() -> String {
    HANDLE
        .get()
        .and_then(Option::as_ref)
        .map(PrometheusHandle::render)
        .unwrap_or_default()
}

/// Counts one event outcome: `accepted`, `duplicate`, or `rejected` with its code.
pub(crate) fn event(outcome: &'static str, code: &'static str) {
    metrics::counter!("handshake_events_total", "outcome" => outcome, "code" => code).increment(1);
}

/// Times every request by route.
pub(crate) async fn track(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    // A fixed set of labels: a label per invented method would grow the
    // metrics without bound.
    let method = if crate::layers::known(req.method()) {
        req.method().as_str().to_string()
    } else {
        "OTHER".to_string()
    };
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!("handshake_http_request_duration_seconds", "route" => route, "method" => method, "status" => status)
        .record(start.elapsed().as_secs_f64());
    response
}

/// Counts a batch's outcomes.
pub(crate) fn counter_batch(
    accepted: usize,
    duplicates: usize,
    rejected: &[crate::routes::events::RejectedLine],
) {
    metrics::counter!("handshake_events_total", "outcome" => "accepted", "code" => "")
        .increment(accepted as u64);
    metrics::counter!("handshake_events_total", "outcome" => "duplicate", "code" => "")
        .increment(duplicates as u64);
    for r in rejected {
        event("rejected", r.code);
    }
}

/// Counts the CRM records a write-back batch updated and those the CRM
/// refused (sent again next round).
pub(crate) fn written_back(crm: &'static str, updated: usize, refused: usize) {
    metrics::counter!("handshake_writebacks_total", "crm" => crm, "outcome" => "updated")
        .increment(updated as u64);
    metrics::counter!("handshake_writebacks_total", "crm" => crm, "outcome" => "refused")
        .increment(refused as u64);
}
