//! `--metrics ADDR`: Prometheus text on `/metrics`, and `/healthz` (the loop is turning) and
//! `/readyz` (the source is open and answered its first poll) for a Deployment's probes. Served
//! by axum on a thread of its own, so a slow scrape never holds the loop.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the loop may go without a turn before `/healthz` fails. A turn is at most a poll
/// (well under a second) plus the alerts of one batch.
const STALE: Duration = Duration::from_secs(120);

#[derive(Debug, Default, Clone)]
pub struct Snapshot {
    pub units: u64,
    pub events: u64,
    pub duplicates: u64,
    pub late_stages: u64,
    pub malformed: u64,
    pub non_audit: u64,
    pub alerts: BTreeMap<(&'static str, &'static str), u64>,
    pub folded: BTreeMap<&'static str, u64>,
    pub lag: Vec<(String, u64)>,
    pub source_errors: u64,
    pub commits: u64,
    pub webhook_sent: u64,
    pub webhook_failures: u64,
    pub dropped_full: u64,
    pub dropped_failed: u64,
}

pub struct Metrics {
    pub snap: Mutex<Snapshot>,
    ready: AtomicBool,
    started: Instant,
    /// Milliseconds since `started` of the loop's last turn.
    last_turn: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            snap: Mutex::new(Snapshot::default()),
            ready: AtomicBool::new(false),
            started: Instant::now(),
            last_turn: AtomicU64::new(0),
        }
    }
}

impl Metrics {
    pub fn set_ready(&self) {
        self.ready.store(true, Ordering::Relaxed);
    }
    pub fn turn(&self) {
        let ms = self.started.elapsed().as_millis() as u64;
        self.last_turn.store(ms, Ordering::Relaxed);
    }
    fn healthy(&self) -> bool {
        let now = self.started.elapsed().as_millis() as u64;
        now.saturating_sub(self.last_turn.load(Ordering::Relaxed)) < STALE.as_millis() as u64
    }
    pub fn update(&self, f: impl FnOnce(&mut Snapshot)) {
        if let Ok(mut s) = self.snap.lock() {
            f(&mut s);
        }
    }
    pub fn snapshot(&self) -> Snapshot {
        self.snap.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let s = self.snapshot();
        let mut o = String::new();
        let counter = |o: &mut String, name: &str, help: &str, v: u64| {
            let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}");
        };
        counter(
            &mut o,
            "kubeward_follow_units_total",
            "Units (lines, messages) read.",
            s.units,
        );
        counter(
            &mut o,
            "kubeward_follow_events_total",
            "Audit events judged (redeliveries not counted).",
            s.events,
        );
        counter(
            &mut o,
            "kubeward_follow_duplicates_total",
            "Redelivered events recognised by (auditID, stage) and skipped.",
            s.duplicates,
        );
        counter(
            &mut o,
            "kubeward_follow_late_stages_total",
            "Earlier stages read after their request's completion, skipped (the completion stood for them).",
            s.late_stages,
        );
        counter(
            &mut o,
            "kubeward_follow_malformed_total",
            "Units that could not be used (counted and reported with their origin).",
            s.malformed,
        );
        counter(
            &mut o,
            "kubeward_follow_non_audit_records_total",
            "Records of other logs skipped.",
            s.non_audit,
        );
        counter(
            &mut o,
            "kubeward_follow_source_errors_total",
            "Transient source errors, retried.",
            s.source_errors,
        );
        counter(
            &mut o,
            "kubeward_follow_commits_total",
            "Positions committed.",
            s.commits,
        );
        counter(
            &mut o,
            "kubeward_follow_webhook_sent_total",
            "Alerts delivered to the webhook.",
            s.webhook_sent,
        );
        counter(
            &mut o,
            "kubeward_follow_webhook_failures_total",
            "Failed webhook attempts.",
            s.webhook_failures,
        );
        let _ = writeln!(
            o,
            "# HELP kubeward_follow_alerts_dropped_total Alerts not delivered to the webhook, by reason.\n# TYPE kubeward_follow_alerts_dropped_total counter"
        );
        let _ = writeln!(
            o,
            "kubeward_follow_alerts_dropped_total{{reason=\"queue_full\"}} {}",
            s.dropped_full
        );
        let _ = writeln!(
            o,
            "kubeward_follow_alerts_dropped_total{{reason=\"failed\"}} {}",
            s.dropped_failed
        );
        let _ = writeln!(
            o,
            "# HELP kubeward_follow_alerts_total Alerts written, by rule.\n# TYPE kubeward_follow_alerts_total counter"
        );
        for ((code, name), n) in &s.alerts {
            let _ = writeln!(
                o,
                "kubeward_follow_alerts_total{{code=\"{code}\",name=\"{name}\"}} {n}"
            );
        }
        let _ = writeln!(
            o,
            "# HELP kubeward_follow_alerts_folded_total Matches of windowed rules folded into an earlier alert of the same identity.\n# TYPE kubeward_follow_alerts_folded_total counter"
        );
        for (code, n) in &s.folded {
            let _ = writeln!(
                o,
                "kubeward_follow_alerts_folded_total{{code=\"{code}\"}} {n}"
            );
        }
        let _ = writeln!(
            o,
            "# HELP kubeward_follow_lag How far behind the end the source is (Kafka: messages; blobs and files: bytes).\n# TYPE kubeward_follow_lag gauge"
        );
        for (part, n) in &s.lag {
            let _ = writeln!(o, "kubeward_follow_lag{{part=\"{}\"}} {n}", label(part));
        }
        o
    }
}

/// A label value as the exposition format quotes it.
fn label(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Binds `addr` now (so a bad address fails at start) and serves on a thread of its own.
pub fn serve(addr: &str, metrics: Arc<Metrics>) -> std::io::Result<SocketAddr> {
    let listener = std::net::TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    let bound = listener.local_addr()?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()?;
    std::thread::spawn(move || {
        rt.block_on(async move {
            use axum::http::StatusCode;
            use axum::routing::get;
            let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                return;
            };
            let (m1, m2, m3) = (metrics.clone(), metrics.clone(), metrics);
            let app = axum::Router::new()
                .route(
                    "/metrics",
                    get(move || async move {
                        ([("content-type", "text/plain; version=0.0.4")], m1.render())
                    }),
                )
                .route(
                    "/healthz",
                    get(move || async move {
                        if m2.healthy() {
                            (StatusCode::OK, "ok\n")
                        } else {
                            (StatusCode::SERVICE_UNAVAILABLE, "the loop is stuck\n")
                        }
                    }),
                )
                .route(
                    "/readyz",
                    get(move || async move {
                        if m3.ready.load(Ordering::Relaxed) {
                            (StatusCode::OK, "ready\n")
                        } else {
                            (StatusCode::SERVICE_UNAVAILABLE, "starting\n")
                        }
                    }),
                );
            let _ = axum::serve(listener, app).await;
        });
    });
    Ok(bound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_has_counters_alerts_and_quoted_lag() {
        let m = Metrics::default();
        m.update(|s| {
            s.events = 7;
            s.alerts.insert(("A001", "pod-exec"), 2);
            s.lag.push(("a\"b".into(), 5));
        });
        let t = m.render();
        assert!(t.contains("kubeward_follow_events_total 7\n"));
        assert!(t.contains("kubeward_follow_alerts_total{code=\"A001\",name=\"pod-exec\"} 2\n"));
        assert!(t.contains("kubeward_follow_lag{part=\"a\\\"b\"} 5\n"));
    }
}
