//! The consumer's callbacks: rebalances (commit on revoke, start positions on assign), client
//! errors (refused credentials, brokers down), statistics (high watermarks for the lag) and
//! Entra ID tokens. librdkafka calls them on the thread that polls, inside `poll`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rdkafka::client::{ClientContext, OAuthToken};
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext};
use rdkafka::error::{KafkaError, KafkaResult, RDKafkaErrorCode};
use rdkafka::statistics::Statistics;
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};
use rdkafka::types::RDKafkaRespErr;

use super::StartAt;
use super::entra::{TokenError, WorkloadIdentity};

/// Longest wait for the broker's answer to a lookup made during a rebalance.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) struct Ctx {
    pub topic: String,
    pub start: StartAt,
    pub entra: Option<WorkloadIdentity>,
    pub state: Mutex<State>,
}

/// Positions are "next offset to read" per partition of the topic.
#[derive(Debug, Default)]
pub(crate) struct State {
    /// After the last unit handed to the loop.
    pub handed: BTreeMap<i32, i64>,
    /// After the last unit whose alerts are known written (the loop polled again, or asked to
    /// commit): what a revoke may commit.
    pub safe: BTreeMap<i32, i64>,
    /// Last committed by this member.
    pub committed: BTreeMap<i32, i64>,
    pub assigned: BTreeSet<i32>,
    /// Bumped at every rebalance: messages fetched before it belong to an old assignment.
    pub epoch: u64,
    /// High watermarks from the statistics.
    pub high: BTreeMap<i32, i64>,
    /// Positions from the statistics (next offset for the application, else the committed one):
    /// the lag of a partition this member has not read from yet.
    pub stats_pos: BTreeMap<i32, i64>,
    pub errors: u64,
    /// Credentials refused (the broker's or Entra ID's reason).
    pub auth: Option<String>,
    pub last_error: Option<String>,
    /// Since when every broker is down (cleared once one is up).
    pub down_since: Option<Instant>,
    pub rebalances: u64,
}

impl Ctx {
    pub fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere never leaves the positions half-written (plain inserts).
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Commits the safe positions of `only` (all assigned partitions when `None`) that moved
    /// since the last commit.
    pub fn commit_safe(
        &self,
        c: &BaseConsumer<Ctx>,
        only: Option<&BTreeSet<i32>>,
    ) -> KafkaResult<()> {
        let todo: Vec<(i32, i64)> = {
            let st = self.lock();
            st.safe
                .iter()
                .filter(|(p, _)| only.map_or(st.assigned.contains(p), |o| o.contains(p)))
                .filter(|(p, o)| st.committed.get(p) != Some(o))
                .map(|(p, o)| (*p, *o))
                .collect()
        };
        if todo.is_empty() {
            return Ok(());
        }
        let mut tpl = TopicPartitionList::new();
        for (p, o) in &todo {
            tpl.add_partition_offset(&self.topic, *p, Offset::Offset(*o))?;
        }
        c.commit(&tpl, CommitMode::Sync)?;
        let mut st = self.lock();
        st.committed.extend(todo);
        Ok(())
    }

    fn note(&self, what: String) {
        let mut st = self.lock();
        st.errors += 1;
        st.last_error = Some(what);
    }

    /// Where each newly assigned partition starts: its committed offset, else `--since`
    /// (earliest/latest through `auto.offset.reset`; a time through the broker's time index).
    fn start_positions(
        &self,
        c: &BaseConsumer<Ctx>,
        tpl: &TopicPartitionList,
    ) -> TopicPartitionList {
        let StartAt::Time(ms) = self.start else {
            return tpl.clone();
        };
        let mut committed = match c.committed_offsets(tpl.clone(), LOOKUP_TIMEOUT) {
            Ok(t) => t,
            Err(e) => {
                self.note(format!("committed offsets: {e}"));
                return tpl.clone();
            }
        };
        let mut by_time = TopicPartitionList::new();
        for e in committed.elements() {
            if !matches!(e.offset(), Offset::Offset(_)) {
                let _ = by_time.add_partition_offset(e.topic(), e.partition(), Offset::Offset(ms));
            }
        }
        if by_time.count() == 0 {
            return committed;
        }
        match c.offsets_for_times(by_time, LOOKUP_TIMEOUT) {
            Ok(found) => {
                for e in found.elements() {
                    // No message that recent: start at the end.
                    let at = match e.offset() {
                        Offset::Offset(n) if e.error().is_ok() => Offset::Offset(n),
                        _ => Offset::End,
                    };
                    let _ = committed.set_partition_offset(e.topic(), e.partition(), at);
                }
            }
            Err(e) => self.note(format!("offsets for --since: {e}")),
        }
        committed
    }
}

impl ClientContext for Ctx {
    const ENABLE_REFRESH_OAUTH_TOKEN: bool = true;

    // librdkafka's own log lines are not shown: errors come through `error` and are counted
    // (their text is the last error of a fatal message).
    fn log(&self, _level: rdkafka::config::RDKafkaLogLevel, _fac: &str, _message: &str) {}

    fn stats(&self, s: Statistics) {
        let mut st = self.lock();
        if let Some(t) = s.topics.get(&self.topic) {
            for p in t.partitions.values() {
                if p.partition >= 0 && p.hi_offset >= 0 {
                    st.high.insert(p.partition, p.hi_offset);
                }
                let pos = if p.app_offset >= 0 {
                    p.app_offset
                } else {
                    p.committed_offset
                };
                if p.partition >= 0 && pos >= 0 {
                    st.stats_pos.insert(p.partition, pos);
                }
            }
        }
        if s.brokers.values().any(|b| b.state == "UP") {
            st.down_since = None;
        }
    }

    fn error(&self, error: KafkaError, reason: &str) {
        let mut st = self.lock();
        st.errors += 1;
        st.last_error = Some(reason.to_string());
        match error.rdkafka_error_code() {
            Some(
                RDKafkaErrorCode::Authentication
                | RDKafkaErrorCode::SaslAuthenticationFailed
                | RDKafkaErrorCode::TopicAuthorizationFailed
                | RDKafkaErrorCode::GroupAuthorizationFailed
                | RDKafkaErrorCode::ClusterAuthorizationFailed,
            ) => st.auth = Some(reason.to_string()),
            Some(RDKafkaErrorCode::AllBrokersDown) => {
                st.down_since.get_or_insert_with(Instant::now);
            }
            _ => {}
        }
    }

    fn generate_oauth_token(
        &self,
        _config: Option<&str>,
    ) -> Result<OAuthToken, Box<dyn std::error::Error>> {
        let Some(w) = &self.entra else {
            return Err("no Entra ID identity configured".into());
        };
        match w.token() {
            Ok(t) => Ok(OAuthToken {
                token: t.access_token,
                principal_name: w.client_id().to_string(),
                lifetime_ms: t.expires_at_ms,
            }),
            Err(e) => {
                if matches!(e, TokenError::Refused(_) | TokenError::Setup(_)) {
                    self.lock().auth = Some(e.to_string());
                } else {
                    self.note(e.to_string());
                }
                Err(e.to_string().into())
            }
        }
    }
}

impl ConsumerContext for Ctx {
    fn rebalance(&self, c: &BaseConsumer<Self>, err: RDKafkaRespErr, tpl: &mut TopicPartitionList) {
        let parts: BTreeSet<i32> = tpl.elements().iter().map(|e| e.partition()).collect();
        match err {
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS => {
                let at = self.start_positions(c, tpl);
                if let Err(e) = c.assign(&at) {
                    self.note(format!("assign: {e}"));
                }
                let mut st = self.lock();
                st.assigned = parts;
                st.epoch += 1;
                st.rebalances += 1;
            }
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS => {
                // Every unit handed out before this poll had its alerts written (the loop
                // writes a batch before polling again): commit them, so the next owner starts
                // after them. Units of this poll not yet handed out are dropped by the source.
                if let Err(e) = self.commit_safe(c, Some(&parts)) {
                    self.note(format!("commit on revoke: {e}"));
                }
                {
                    let mut st = self.lock();
                    for p in &parts {
                        st.assigned.remove(p);
                        st.handed.remove(p);
                        st.safe.remove(p);
                        st.committed.remove(p);
                        st.high.remove(p);
                        st.stats_pos.remove(p);
                    }
                    st.epoch += 1;
                }
                if let Err(e) = c.unassign() {
                    self.note(format!("unassign: {e}"));
                }
            }
            other => {
                self.note(format!("rebalance failed: {other:?}"));
                let _ = c.unassign();
                let mut st = self.lock();
                st.assigned.clear();
                st.handed.clear();
                st.safe.clear();
                st.epoch += 1;
            }
        }
    }
}
