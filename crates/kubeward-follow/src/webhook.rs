//! `--webhook URL`: alerts POSTed in batches (a JSON array of alert objects) by a thread of its
//! own, through a bounded queue. The loop never waits for the webhook: when the queue is full
//! the alert is dropped and counted. A batch that fails (an error, a timeout, a status other
//! than 2xx) is retried with exponential backoff; after the last attempt it is dropped and
//! counted. Alerts still queued when the follower stops get a short grace period.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct WebhookOptions {
    pub url: String,
    /// Alerts waiting to be sent at most; further ones are dropped and counted.
    pub queue: usize,
    /// Alerts per POST at most.
    pub batch: usize,
    /// Time limit of one POST.
    pub timeout: Duration,
    /// Attempts per batch.
    pub attempts: u32,
    /// The first retry's delay; doubled each time, up to 30 s.
    pub backoff: Duration,
}

impl WebhookOptions {
    pub fn new(url: String) -> Self {
        WebhookOptions {
            url,
            queue: 10_000,
            batch: 500,
            timeout: Duration::from_secs(10),
            attempts: 6,
            backoff: Duration::from_millis(500),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("--webhook: {0}")]
    Url(String),
    #[error("--webhook: cannot build the HTTP client: {0}")]
    Client(String),
}

/// Counters, shared with the metrics.
#[derive(Debug, Default)]
pub struct WebhookStats {
    pub sent: AtomicU64,
    /// Dropped because the queue was full.
    pub dropped_full: AtomicU64,
    /// Dropped after every attempt failed (or still queued when the grace period ended).
    pub dropped_failed: AtomicU64,
    /// Failed attempts (each retried or, the last one, dropped).
    pub failures: AtomicU64,
    /// Queued or being sent.
    pub pending: AtomicU64,
}

pub struct Webhook {
    tx: Option<SyncSender<String>>,
    done: Receiver<()>,
    pub stats: Arc<WebhookStats>,
}

const MAX_BACKOFF: Duration = Duration::from_secs(30);

impl Webhook {
    pub fn start(opts: WebhookOptions) -> Result<Self, WebhookError> {
        let url = reqwest::Url::parse(&opts.url).map_err(|e| WebhookError::Url(e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(WebhookError::Url(
                "the URL must be http:// or https://".into(),
            ));
        }
        let client = reqwest::blocking::Client::builder()
            .timeout(opts.timeout)
            .connect_timeout(opts.timeout)
            .build()
            .map_err(|e| WebhookError::Client(e.to_string()))?;
        let (tx, rx) = sync_channel::<String>(opts.queue.max(1));
        let (done_tx, done) = sync_channel(1);
        let stats = Arc::new(WebhookStats::default());
        let st = stats.clone();
        std::thread::spawn(move || {
            send_loop(&client, url, &opts, &rx, &st);
            let _ = done_tx.send(());
        });
        Ok(Webhook {
            tx: Some(tx),
            done,
            stats,
        })
    }

    /// Queues one alert line; never waits.
    pub fn push(&self, line: String) {
        let Some(tx) = &self.tx else { return };
        self.stats.pending.fetch_add(1, Ordering::Relaxed);
        match tx.try_send(line) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                self.stats.pending.fetch_sub(1, Ordering::Relaxed);
                self.stats.dropped_full.fetch_add(1, Ordering::Relaxed);
            }
            Err(TrySendError::Disconnected(_)) => {
                self.stats.pending.fetch_sub(1, Ordering::Relaxed);
                self.stats.dropped_failed.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Lets the queue drain for at most `grace`; what is left is counted as dropped.
    pub fn finish(mut self, grace: Duration) -> Arc<WebhookStats> {
        self.tx = None;
        if self.done.recv_timeout(grace).is_err() {
            let left = self.stats.pending.swap(0, Ordering::Relaxed);
            self.stats.dropped_failed.fetch_add(left, Ordering::Relaxed);
        }
        self.stats
    }
}

fn send_loop(
    client: &reqwest::blocking::Client,
    url: reqwest::Url,
    opts: &WebhookOptions,
    rx: &Receiver<String>,
    st: &WebhookStats,
) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < opts.batch.max(1) {
            match rx.try_recv() {
                Ok(l) => batch.push(l),
                Err(_) => break,
            }
        }
        let n = batch.len() as u64;
        let body = format!("[{}]", batch.join(","));
        let mut delay = opts.backoff;
        let mut delivered = false;
        for attempt in 1..=opts.attempts.max(1) {
            let ok = client
                .post(url.clone())
                .header("content-type", "application/json")
                .body(body.clone())
                .send()
                .is_ok_and(|r| r.status().is_success());
            if ok {
                delivered = true;
                break;
            }
            st.failures.fetch_add(1, Ordering::Relaxed);
            if attempt < opts.attempts {
                std::thread::sleep(delay);
                delay = (delay * 2).min(MAX_BACKOFF);
            }
        }
        // The grace period may have ended and counted these already.
        let claimed = st
            .pending
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |p| p.checked_sub(n))
            .is_ok();
        if claimed {
            if delivered {
                st.sent.fetch_add(n, Ordering::Relaxed);
            } else {
                st.dropped_failed.fetch_add(n, Ordering::Relaxed);
            }
        }
    }
}
