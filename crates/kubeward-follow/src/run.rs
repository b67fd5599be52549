//! The follow loop: poll the source, judge every unit, write and flush the alerts, and only then
//! let the source commit (every commit interval and on exit). Stops on SIGTERM/SIGINT (after the
//! batch in hand), after `--until-idle` without data, or when the source ends (stdin).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use kubeward_audit::stream::{Detector, StreamOptions};

use crate::alerts::{self, AlertWriter};
use crate::metrics::Metrics;
use crate::source::{Source, SourceError};
use crate::webhook::{Webhook, WebhookOptions, WebhookStats};

/// Longest a single poll waits, so that a signal is noticed soon.
const MAX_WAIT: Duration = Duration::from_millis(250);
/// Malformed units reported one by one; the rest are counted (metrics and the summary).
const MAX_REPORTED: u64 = 100;
/// How long queued webhook alerts may take to go out at exit.
const WEBHOOK_GRACE: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub struct FollowOptions {
    pub detector: StreamOptions,
    /// Append alerts to this file instead of stdout.
    pub alerts: Option<PathBuf>,
    pub webhook: Option<WebhookOptions>,
    /// Address for /metrics, /healthz and /readyz.
    pub metrics: Option<String>,
    pub until_idle: Option<Duration>,
    pub commit_interval: Duration,
    /// Status line on stderr (only ever when stderr is a terminal).
    pub status: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("cannot write alerts to {0}: {1}")]
    Alerts(String, std::io::Error),
    #[error("--metrics {0}: {1}")]
    Metrics(String, std::io::Error),
    #[error(transparent)]
    Webhook(#[from] crate::webhook::WebhookError),
    #[error("cannot watch for SIGTERM/SIGINT: {0}")]
    Signal(std::io::Error),
}

/// Why the loop stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    Signal,
    Idle,
    End,
}

#[derive(Debug, Clone)]
pub struct Summary {
    pub stop: Stop,
    pub units: u64,
    pub events: u64,
    pub alerts: u64,
    pub duplicates: u64,
    pub malformed: u64,
    pub malformed_not_listed: u64,
    pub webhook_sent: u64,
    pub webhook_dropped_full: u64,
    pub webhook_dropped_failed: u64,
}

/// Messages for the operator (malformed input, the metrics address, the summary); the CLI
/// escapes them for the terminal.
pub type Log<'a> = &'a mut dyn FnMut(&str);

/// Follows `source` until stopped. Every alert is written and flushed before any commit.
pub fn run(
    mut source: Box<dyn Source>,
    opts: &FollowOptions,
    log: Log,
) -> Result<Summary, FollowError> {
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(sig, stop.clone()).map_err(FollowError::Signal)?;
    }
    let mut writer = match &opts.alerts {
        Some(p) => {
            AlertWriter::file(p).map_err(|e| FollowError::Alerts(p.display().to_string(), e))?
        }
        None => AlertWriter::stdout(),
    };
    let metrics = Arc::new(Metrics::default());
    if let Some(addr) = &opts.metrics {
        let bound = crate::metrics::serve(addr, metrics.clone())
            .map_err(|e| FollowError::Metrics(addr.clone(), e))?;
        log(&format!("metrics on http://{bound}/metrics"));
    }
    let webhook = opts.webhook.clone().map(Webhook::start).transpose()?;
    let mut det = Detector::new(&opts.detector);
    let status = opts.status && std::io::stderr().is_terminal();
    let mut st = Status::new();
    // Malformed units (and lines a source skipped), each reported until MAX_REPORTED.
    let mut malformed_reported = 0u64;
    let mut alerts_total = 0u64;
    let mut last_commit = Instant::now();
    let mut last_data = Instant::now();
    let mut dirty = false;
    let why = loop {
        metrics.turn();
        if stop.load(Ordering::Relaxed) {
            break Stop::Signal;
        }
        if source.finished() {
            break Stop::End;
        }
        let mut wait = MAX_WAIT;
        if let Some(idle) = opts.until_idle {
            let since = last_data.elapsed();
            if since >= idle {
                break Stop::Idle;
            }
            wait = wait.min(idle - since);
        }
        let units = match source.poll(wait) {
            Ok(u) => u,
            Err(e) => {
                // What was read before is alerted: make it durable before giving up.
                if writer.flush().is_ok() {
                    let _ = source.commit();
                }
                return Err(e.into());
            }
        };
        metrics.set_ready();
        let problems = source.take_problems();
        let mut report = |origin: &crate::Origin, what: &str, log: Log| {
            malformed_reported += 1;
            if malformed_reported <= MAX_REPORTED {
                log(&format!(
                    "malformed input at {}: {what}",
                    alerts::origin_text(origin)
                ));
            }
        };
        for (origin, what) in &problems {
            report(origin, what, log);
        }
        let mut new_alerts: Vec<(&'static str, &'static str)> = Vec::new();
        for u in &units {
            let fed = det.feed(&u.bytes);
            if let Some(first) = fed.problems.first() {
                let more = fed.problems.len() - 1;
                let what = if more > 0 {
                    format!("{first} (and {more} more problems in this unit)")
                } else {
                    first.clone()
                };
                report(&u.origin, &what, log);
            }
            for a in &fed.alerts {
                let line = alerts::to_json(a, &u.origin);
                writer
                    .write(&line)
                    .map_err(|e| FollowError::Alerts(writer.name.clone(), e))?;
                if let Some(w) = &webhook {
                    w.push(line);
                }
                new_alerts.push((a.code, a.name));
            }
        }
        writer
            .flush()
            .map_err(|e| FollowError::Alerts(writer.name.clone(), e))?;
        alerts_total += new_alerts.len() as u64;
        // Idle time counts from the end of the last batch's work, not from its arrival: a slow
        // batch is not idleness.
        if !units.is_empty() || !problems.is_empty() {
            last_data = Instant::now();
        }
        dirty |= !units.is_empty();
        if dirty && last_commit.elapsed() >= opts.commit_interval {
            source.commit()?;
            last_commit = Instant::now();
            dirty = false;
            metrics.update(|s| s.commits += 1);
        }
        let c = det.counters();
        let lag = source.lag();
        let errors = source.errors();
        let wh = webhook.as_ref().map(|w| w.stats.clone());
        metrics.update(|s| {
            s.units = c.units;
            s.events = c.events;
            s.duplicates = c.duplicates;
            s.late_stages = c.late_stages;
            s.malformed = malformed_reported;
            s.non_audit = c.non_audit;
            for k in &new_alerts {
                *s.alerts.entry(*k).or_default() += 1;
            }
            s.folded = c.folded.iter().map(|(k, v)| (*k, *v)).collect();
            s.lag = lag;
            s.source_errors = errors;
            if let Some(w) = &wh {
                copy_webhook(s, w);
            }
        });
        if status {
            st.show(&metrics, alerts_total);
        }
    };
    writer
        .flush()
        .map_err(|e| FollowError::Alerts(writer.name.clone(), e))?;
    source.commit()?;
    if status {
        eprintln!();
    }
    let wh = webhook.map(|w| w.finish(WEBHOOK_GRACE));
    if let Some(w) = &wh {
        metrics.update(|s| copy_webhook(s, w));
    }
    let c = det.counters().clone();
    let snap = metrics.snapshot();
    let load = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
    Ok(Summary {
        stop: why,
        units: c.units,
        events: c.events,
        alerts: alerts_total,
        duplicates: c.duplicates,
        malformed: snap.malformed,
        malformed_not_listed: malformed_reported.saturating_sub(MAX_REPORTED),
        webhook_sent: wh.as_ref().map_or(0, |w| load(&w.sent)),
        webhook_dropped_full: wh.as_ref().map_or(0, |w| load(&w.dropped_full)),
        webhook_dropped_failed: wh.as_ref().map_or(0, |w| load(&w.dropped_failed)),
    })
}

fn copy_webhook(s: &mut crate::metrics::Snapshot, w: &WebhookStats) {
    s.webhook_sent = w.sent.load(Ordering::Relaxed);
    s.webhook_failures = w.failures.load(Ordering::Relaxed);
    s.dropped_full = w.dropped_full.load(Ordering::Relaxed);
    s.dropped_failed = w.dropped_failed.load(Ordering::Relaxed);
}

/// The status line: events/s over the last second, total lag, alerts.
struct Status {
    last: Instant,
    events: u64,
}

impl Status {
    fn new() -> Self {
        Status {
            last: Instant::now(),
            events: 0,
        }
    }
    fn show(&mut self, m: &Metrics, alerts: u64) {
        let dt = self.last.elapsed();
        if dt < Duration::from_secs(1) {
            return;
        }
        let s = m.snapshot();
        let rate = (s.events - self.events) as f64 / dt.as_secs_f64();
        let lag: u64 = s.lag.iter().map(|(_, n)| n).sum();
        eprint!(
            "\r\x1b[K{rate:.0} events/s, lag {lag}, {alerts} alerts, {} malformed",
            s.malformed
        );
        self.last = Instant::now();
        self.events = s.events;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Origin, Unit};
    use std::collections::VecDeque;
    use std::sync::Mutex;

    /// Hands out batches, then ends (or fails); records how many alert lines the alert file
    /// held at each commit.
    struct Fake {
        batches: VecDeque<Vec<Unit>>,
        alerts: PathBuf,
        commits: Arc<Mutex<Vec<usize>>>,
        fail_at_end: bool,
        ended: bool,
    }

    impl Source for Fake {
        fn poll(&mut self, _: Duration) -> Result<Vec<Unit>, SourceError> {
            match self.batches.pop_front() {
                Some(b) => Ok(b),
                None if self.fail_at_end => Err(SourceError::Fatal("broker gone".into())),
                None => {
                    self.ended = true;
                    Ok(Vec::new())
                }
            }
        }
        fn commit(&mut self) -> Result<(), SourceError> {
            let n = std::fs::read_to_string(&self.alerts)
                .map(|t| t.lines().count())
                .unwrap_or(0);
            self.commits.lock().unwrap().push(n);
            Ok(())
        }
        fn finished(&self) -> bool {
            self.ended
        }
        fn describe(&self) -> String {
            "fake".into()
        }
    }

    fn exec(id: &str, offset: i64) -> Unit {
        let line = format!(
            r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{id}","stage":"ResponseStarted","requestURI":"/api/v1/namespaces/prod/pods/web-1/exec?command=sh","verb":"create","user":{{"username":"alice"}},"sourceIPs":["203.0.113.7"],"objectRef":{{"resource":"pods","namespace":"prod","name":"web-1","apiVersion":"v1","subresource":"exec"}},"responseStatus":{{"metadata":{{}},"code":101}},"stageTimestamp":"2026-12-07T02:10:00.100000Z"}}"#
        );
        Unit {
            bytes: line.into_bytes(),
            origin: Origin::Kafka {
                topic: Arc::from("t"),
                partition: 0,
                offset,
            },
        }
    }

    fn follow(fail_at_end: bool) -> (Result<Summary, FollowError>, Vec<usize>) {
        let dir = tempfile::tempdir().unwrap();
        let alerts = dir.path().join("alerts.jsonl");
        let commits = Arc::new(Mutex::new(Vec::new()));
        let src = Fake {
            batches: VecDeque::from([
                vec![exec("k1", 0), exec("k2", 1)],
                vec![exec("k3", 2)],
                vec![exec("k1", 0)],
            ]),
            alerts: alerts.clone(),
            commits: commits.clone(),
            fail_at_end,
            ended: false,
        };
        let opts = FollowOptions {
            detector: StreamOptions::default(),
            alerts: Some(alerts),
            webhook: None,
            metrics: None,
            until_idle: None,
            commit_interval: Duration::ZERO,
            status: false,
        };
        let r = run(Box::new(src), &opts, &mut |_| {});
        let c = commits.lock().unwrap().clone();
        (r, c)
    }

    #[test]
    fn every_commit_follows_the_alerts_of_what_was_handed_out() {
        let (r, commits) = follow(false);
        let s = r.unwrap();
        assert_eq!(s.stop, Stop::End);
        assert_eq!((s.alerts, s.duplicates), (3, 1));
        // After each batch (interval 0), then at exit: the file already held its alerts.
        assert_eq!(commits, vec![2, 3, 3, 3]);
    }

    #[test]
    fn a_fatal_source_error_commits_what_was_alerted_and_fails() {
        let (r, commits) = follow(true);
        assert!(matches!(r, Err(FollowError::Source(SourceError::Fatal(_)))));
        assert_eq!(commits.last(), Some(&3));
    }
}
