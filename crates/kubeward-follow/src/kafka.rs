//! Event Hubs through its Kafka endpoint, as a Kafka consumer group.

use std::time::Duration;

use crate::secret::SecretRef;
use crate::source::{Source, SourceError};

/// Where the consumer starts when its group has no committed offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartAt {
    Latest,
    Earliest,
    /// Milliseconds since the Unix epoch (`--since`).
    Time(i64),
}

#[derive(Debug, Clone)]
pub struct KafkaOptions {
    /// `host:port[,host:port…]`; Event Hubs: `<namespace>.servicebus.windows.net:9093`.
    pub bootstrap: String,
    pub topic: String,
    pub group: String,
    /// `None`: plaintext (a local broker). `Some`: SASL PLAIN over TLS, user `$ConnectionString`.
    pub password: Option<SecretRef>,
    pub start: StartAt,
    /// How often positions are committed (the at-least-once window after a crash).
    pub commit_interval: Duration,
    /// Kafka `session.timeout.ms`: how soon a dead member's partitions move.
    pub session_timeout: Duration,
}

/// Opens the consumer and joins the group.
pub fn open(_opts: &KafkaOptions) -> Result<Box<dyn Source>, SourceError> {
    Err(SourceError::Config(
        "this build of kubeward has no Kafka support".into(),
    ))
}
