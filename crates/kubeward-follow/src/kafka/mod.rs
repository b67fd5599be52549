//! Event Hubs through its Kafka endpoint, as a Kafka consumer group (librdkafka, built in).
//!
//! Offsets: a unit's offset becomes committable only once its alerts are known written, which
//! is when the loop polls again or asks to commit (it writes and flushes a batch's alerts before
//! either). `commit` commits those positions; a rebalance that takes partitions away commits
//! them too, before the partitions move, and drops the messages of those partitions fetched in
//! the same poll (the next owner reads them). A member that dies leaves its partitions at its
//! last commit: what it read after that is read again by the next owner (the at-least-once
//! window, bounded by the commit interval).

pub mod config;
mod context;
pub mod entra;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::Message;

use crate::secret::SecretRef;
use crate::source::{Origin, Source, SourceError, Unit};
use context::{Ctx, State};

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
    /// SASL OAUTHBEARER over TLS with an Entra ID token from AKS workload identity (instead of
    /// a password).
    pub entra_id: bool,
    /// Largest message judged; a larger one is skipped and reported (`--max-line-bytes`).
    pub max_message_bytes: usize,
    /// How long the brokers may stay unreachable (at start, or all of them later) before the
    /// follower gives up with an error.
    pub connect_timeout: Duration,
}

impl KafkaOptions {
    /// Plaintext, from the latest offsets, with the CLI's defaults.
    pub fn new(bootstrap: &str, topic: &str, group: &str) -> Self {
        KafkaOptions {
            bootstrap: bootstrap.into(),
            topic: topic.into(),
            group: group.into(),
            password: None,
            start: StartAt::Latest,
            commit_interval: Duration::from_secs(5),
            session_timeout: Duration::from_secs(45),
            entra_id: false,
            max_message_bytes: kubeward_audit::reader::DEFAULT_MAX_UNIT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
        }
    }
}

/// The CLI's `connect_timeout`: long enough for a broker restart, short enough to be seen.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(60);

/// Most units handed to the loop at once (its alerts are written and flushed per batch).
const MAX_BATCH_UNITS: usize = 5_000;
/// Most message bytes handed to the loop at once.
const MAX_BATCH_BYTES: usize = 16 << 20;

/// Opens the consumer and joins the group.
pub fn open(opts: &KafkaOptions) -> Result<Box<dyn Source>, SourceError> {
    Ok(Box::new(KafkaSource::open(opts)?))
}

pub struct KafkaSource {
    consumer: BaseConsumer<Ctx>,
    topic: Arc<str>,
    what: String,
    max_bytes: usize,
    connect_timeout: Duration,
    problems: Vec<(Origin, String)>,
}

impl KafkaSource {
    /// Builds the consumer, checks that a broker answers and the topic exists (failing with a
    /// clear error within `connect_timeout`), and subscribes.
    pub fn open(opts: &KafkaOptions) -> Result<Self, SourceError> {
        if opts.topic.is_empty() || opts.group.is_empty() || opts.bootstrap.trim().is_empty() {
            return Err(SourceError::Config(
                "--kafka, --topic and --group must not be empty".into(),
            ));
        }
        if opts.entra_id && opts.password.is_some() {
            return Err(SourceError::Config(
                "give a connection string or --kafka-entra-id, not both".into(),
            ));
        }
        let password = match &opts.password {
            Some(s) => Some(
                s.resolve()
                    .map_err(|e| SourceError::Config(format!("the Kafka password: {e}")))?,
            ),
            None => None,
        };
        let entra = if opts.entra_id {
            Some(
                entra::WorkloadIdentity::from_env(&opts.bootstrap)
                    .map_err(|e| SourceError::Config(e.to_string()))?,
            )
        } else {
            None
        };
        let mut cc = ClientConfig::new();
        for (k, v) in config::client_config(opts, password.as_deref()) {
            cc.set(k, v);
        }
        let ctx = Ctx {
            topic: opts.topic.clone(),
            start: opts.start.clone(),
            entra,
            state: Mutex::new(State::default()),
        };
        // The error names a bad key or value, never the password's value.
        let consumer: BaseConsumer<Ctx> = cc
            .create_with_context(ctx)
            .map_err(|e| SourceError::Config(format!("Kafka client: {e}")))?;
        let me = KafkaSource {
            consumer,
            topic: Arc::from(opts.topic.as_str()),
            what: format!(
                "kafka {} topic {} group {}",
                opts.bootstrap, opts.topic, opts.group
            ),
            max_bytes: config::message_bound(opts),
            connect_timeout: opts.connect_timeout,
            problems: Vec::new(),
        };
        me.check_topic(&opts.bootstrap)?;
        me.consumer
            .subscribe(&[&opts.topic])
            .map_err(|e| SourceError::Config(format!("subscribe to {}: {e}", opts.topic)))?;
        Ok(me)
    }

    /// Waits (bounded) for the topic's metadata: a broker answers, the credentials are
    /// accepted and the topic exists.
    fn check_topic(&self, bootstrap: &str) -> Result<(), SourceError> {
        let start = Instant::now();
        let mut last: String;
        loop {
            // Serves the client's events: errors, and the first OAUTHBEARER token.
            let _ = self.consumer.poll(Duration::from_millis(100));
            if let Some(why) = self.ctx().lock().auth.clone() {
                return Err(refused(bootstrap, &why));
            }
            match self
                .consumer
                .fetch_metadata(Some(&self.topic), Duration::from_secs(2))
            {
                Ok(md) => match md.topics().iter().find(|t| t.name() == &*self.topic) {
                    None => last = "the broker did not describe the topic".into(),
                    Some(t) => match t.error() {
                        None if !t.partitions().is_empty() => return Ok(()),
                        Some(e)
                            if RDKafkaErrorCode::from(e)
                                == RDKafkaErrorCode::TopicAuthorizationFailed =>
                        {
                            return Err(refused(bootstrap, "not authorized to read the topic"));
                        }
                        _ => {
                            return Err(SourceError::Config(format!(
                                "topic (event hub) {} does not exist at {bootstrap}",
                                self.topic
                            )));
                        }
                    },
                },
                Err(e) => last = e.to_string(),
            }
            if start.elapsed() >= self.connect_timeout {
                let st = self.ctx().lock();
                if let Some(why) = &st.auth {
                    return Err(refused(bootstrap, why));
                }
                return Err(SourceError::Config(format!(
                    "no Kafka broker at {bootstrap} answered within {} s ({}{})",
                    self.connect_timeout.as_secs(),
                    last,
                    st.last_error
                        .as_ref()
                        .map(|e| format!("; {e}"))
                        .unwrap_or_default()
                )));
            }
        }
    }

    fn ctx(&self) -> &Ctx {
        self.consumer.context()
    }

    /// The partitions this member reads now.
    pub fn assigned(&self) -> Vec<i32> {
        self.ctx().lock().assigned.iter().copied().collect()
    }

    /// Offsets committed by this member (next offset to read), per partition it holds.
    pub fn committed(&self) -> BTreeMap<i32, i64> {
        self.ctx().lock().committed.clone()
    }

    /// Rebalances seen (assignments received).
    pub fn rebalances(&self) -> u64 {
        self.ctx().lock().rebalances
    }

    /// The last error librdkafka or a commit reported (diagnostics).
    pub fn last_error(&self) -> Option<String> {
        self.ctx().lock().last_error.clone()
    }

    fn check_health(&self) -> Result<(), SourceError> {
        let st = self.ctx().lock();
        if let Some(why) = &st.auth {
            return Err(refused(&self.what, why));
        }
        if let Some(t) = st.down_since
            && t.elapsed() >= self.connect_timeout
        {
            return Err(SourceError::Fatal(format!(
                "{}: every broker unreachable for {} s ({})",
                self.what,
                t.elapsed().as_secs(),
                st.last_error.as_deref().unwrap_or("no detail")
            )));
        }
        Ok(())
    }
}

fn refused(whom: &str, why: &str) -> SourceError {
    SourceError::Auth(format!(
        "{whom} refused the credentials ({why}); check the connection string (Event Hubs: \
         user $ConnectionString, password the namespace's or hub's connection string with Listen \
         rights) or the Entra ID identity's role (Azure Event Hubs Data Receiver)"
    ))
}

/// One message read in a poll, before the batch is handed out.
enum Got {
    Unit(Unit, u64),
    TooBig(Origin, usize, u64),
    Empty(Origin, u64),
}

impl Got {
    fn epoch(&self) -> u64 {
        match self {
            Got::Unit(_, e) | Got::TooBig(_, _, e) | Got::Empty(_, e) => *e,
        }
    }
    fn origin(&self) -> &Origin {
        match self {
            Got::Unit(u, _) => &u.origin,
            Got::TooBig(o, _, _) | Got::Empty(o, _) => o,
        }
    }
}

impl Source for KafkaSource {
    fn poll(&mut self, wait: Duration) -> Result<Vec<Unit>, SourceError> {
        {
            // The loop wrote the alerts of everything handed out before polling again.
            let mut st = self.ctx().lock();
            let handed = st.handed.clone();
            st.safe.extend(handed);
        }
        self.check_health()?;
        let deadline = Instant::now() + wait;
        let mut got: Vec<Got> = Vec::new();
        let mut bytes = 0usize;
        loop {
            let timeout = if got.is_empty() {
                deadline.saturating_duration_since(Instant::now())
            } else {
                Duration::ZERO
            };
            match self.consumer.poll(timeout) {
                None => {
                    if !got.is_empty() || Instant::now() >= deadline {
                        break;
                    }
                }
                Some(Err(e)) => {
                    let mut st = self.ctx().lock();
                    st.errors += 1;
                    if let KafkaError::MessageConsumption(
                        RDKafkaErrorCode::TopicAuthorizationFailed
                        | RDKafkaErrorCode::GroupAuthorizationFailed
                        | RDKafkaErrorCode::SaslAuthenticationFailed
                        | RDKafkaErrorCode::Authentication,
                    ) = e
                    {
                        st.auth = Some(e.to_string());
                    }
                    st.last_error = Some(e.to_string());
                    drop(st);
                    self.check_health()?;
                    if Instant::now() >= deadline {
                        break;
                    }
                }
                Some(Ok(m)) => {
                    let epoch = self.ctx().lock().epoch;
                    let origin = Origin::Kafka {
                        topic: self.topic.clone(),
                        partition: m.partition(),
                        offset: m.offset(),
                    };
                    match m.payload() {
                        None | Some([]) => got.push(Got::Empty(origin, epoch)),
                        Some(p) if p.len() > self.max_bytes => {
                            got.push(Got::TooBig(origin, p.len(), epoch))
                        }
                        Some(p) => {
                            bytes += p.len();
                            got.push(Got::Unit(
                                Unit {
                                    bytes: p.to_vec(),
                                    origin,
                                },
                                epoch,
                            ));
                        }
                    }
                    if got.len() >= MAX_BATCH_UNITS || bytes >= MAX_BATCH_BYTES {
                        break;
                    }
                }
            }
        }
        // Messages fetched before a rebalance of this poll: their partitions were given up
        // (and committed up to the units handed out before); the next owner reads them.
        let ctx = self.consumer.context().clone();
        let mut st = ctx.lock();
        let now = st.epoch;
        let mut units = Vec::with_capacity(got.len());
        for g in got {
            if g.epoch() != now {
                continue;
            }
            if let Origin::Kafka {
                partition, offset, ..
            } = g.origin()
            {
                st.handed.insert(*partition, offset + 1);
            }
            match g {
                Got::Unit(u, _) => units.push(u),
                Got::TooBig(o, n, _) => self.problems.push((
                    o,
                    format!(
                        "a message of {n} bytes is over the bound of {} bytes (--max-line-bytes); skipped",
                        self.max_bytes
                    ),
                )),
                Got::Empty(o, _) => self.problems.push((o, "a message without a body".into())),
            }
        }
        Ok(units)
    }

    fn commit(&mut self) -> Result<(), SourceError> {
        {
            let mut st = self.ctx().lock();
            let handed = st.handed.clone();
            st.safe.extend(handed);
        }
        if let Err(e) = self.ctx().commit_safe(&self.consumer, None) {
            // A commit refused during a rebalance is not fatal: the positions stay uncommitted
            // (read again by the next owner: at-least-once). Refused credentials are.
            let mut st = self.ctx().lock();
            st.errors += 1;
            st.last_error = Some(format!("commit: {e}"));
            drop(st);
            if let Some(RDKafkaErrorCode::GroupAuthorizationFailed) = e.rdkafka_error_code() {
                return Err(refused(&self.what, &e.to_string()));
            }
        }
        Ok(())
    }

    fn lag(&self) -> Vec<(String, u64)> {
        let st = self.ctx().lock();
        st.assigned
            .iter()
            .filter_map(|p| {
                let high = *st.high.get(p)?;
                let pos = *st
                    .handed
                    .get(p)
                    .or_else(|| st.committed.get(p))
                    .or_else(|| st.stats_pos.get(p))?;
                Some((format!("{}/{p}", self.topic), (high - pos).max(0) as u64))
            })
            .collect()
    }

    fn errors(&self) -> u64 {
        self.ctx().lock().errors
    }

    fn describe(&self) -> String {
        self.what.clone()
    }

    fn take_problems(&mut self) -> Vec<(Origin, String)> {
        std::mem::take(&mut self.problems)
    }
}
