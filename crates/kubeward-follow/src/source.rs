//! The contract between a source and the follower's loop.

use std::sync::Arc;
use std::time::Duration;

/// Where one unit came from: enough to find it again (alerts and malformed-record reports
/// carry it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A Kafka message (an Event Hubs event): its body is `{"records": [...]}`.
    Kafka {
        topic: Arc<str>,
        partition: i32,
        offset: i64,
    },
    /// A line of a storage append blob; `offset` is the byte offset of the line's start.
    Blob {
        container: Arc<str>,
        blob: Arc<str>,
        offset: u64,
        line: u64,
    },
    /// A line of a followed file (1-based).
    File { path: Arc<str>, line: u64 },
    /// A line read from stdin (1-based).
    Stdin { line: u64 },
}

/// One JSON document to judge: a line, or a whole message body.
#[derive(Debug, Clone)]
pub struct Unit {
    pub bytes: Vec<u8>,
    pub origin: Origin,
}

/// Why a source cannot go on.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// Credentials were refused (a wrong key, SAS or password): the command exits 2.
    #[error("authentication failed: {0}")]
    Auth(String),
    /// The source is misconfigured or unreachable for good (exit 2).
    #[error("{0}")]
    Config(String),
    /// Anything else that stops the source (exit 2 after what was read is committed).
    #[error("{0}")]
    Fatal(String),
}

/// A stream of units. The loop calls `poll` until stopped, and `commit` after the alerts of every
/// unit returned so far were written; a source never makes a position durable before that.
pub trait Source: Send {
    /// The units that arrived, waiting at most `wait` for the first; empty when none came.
    /// Transient trouble (a broker that moved, a 503) is retried inside and counted in `errors`.
    fn poll(&mut self, wait: Duration) -> Result<Vec<Unit>, SourceError>;
    /// Makes the position after every unit returned so far durable (Kafka offsets, checkpoint).
    fn commit(&mut self) -> Result<(), SourceError>;
    /// How far behind the end the source is, per partition or blob (label, units or bytes).
    fn lag(&self) -> Vec<(String, u64)> {
        Vec::new()
    }
    /// Transient errors seen and retried so far.
    fn errors(&self) -> u64 {
        0
    }
    /// A short description for the status line and logs (never a secret).
    fn describe(&self) -> String;
    /// Input the source itself had to skip since the last call (a line over the length bound),
    /// with where it was and why: reported and counted as malformed by the loop.
    fn take_problems(&mut self) -> Vec<(Origin, String)> {
        Vec::new()
    }
    /// The source has ended for good (stdin at its end): the loop commits and exits.
    fn finished(&self) -> bool {
        false
    }
}
