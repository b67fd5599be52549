//! The librdkafka configuration a follower runs with, built as plain key/value pairs so that the
//! Event Hubs settings (which the local test broker cannot check: it has no SASL or TLS) are
//! tested by what they build.

use std::collections::BTreeMap;

use super::{KafkaOptions, StartAt};

/// The user Event Hubs expects with a connection string as the SASL PLAIN password.
pub const EVENT_HUBS_USER: &str = "$ConnectionString";

/// Smallest message bound accepted: a message smaller than this is never refused.
const MIN_MESSAGE_BYTES: usize = 64 * 1024;

/// Pre-fetched messages librdkafka may hold for this consumer (all partitions together).
pub const QUEUED_KBYTES: usize = 32 * 1024;

/// The consumer's configuration. `password` is the resolved connection string when
/// `opts.password` is set (it goes into `sasl.password` only, and this map is never printed).
pub fn client_config(
    opts: &KafkaOptions,
    password: Option<&str>,
) -> BTreeMap<&'static str, String> {
    let mut c = BTreeMap::new();
    let mut set = |k: &'static str, v: String| {
        c.insert(k, v);
    };
    set("bootstrap.servers", opts.bootstrap.clone());
    set("group.id", opts.group.clone());
    set("client.id", "kubeward".into());
    // Offsets are committed by the follower, after the alerts of what they cover were written.
    set("enable.auto.commit", "false".into());
    set("enable.auto.offset.store", "false".into());
    // A group without a committed offset: --since. A time is resolved at assignment; if no
    // message is that recent, the partition starts at its end.
    set(
        "auto.offset.reset",
        match opts.start {
            StartAt::Earliest => "earliest",
            StartAt::Latest | StartAt::Time(_) => "latest",
        }
        .into(),
    );
    // Eager rebalancing: on any change every member gives up its partitions (committing what it
    // alerted) before the new assignment, so two members never read one partition at once.
    set("partition.assignment.strategy", "roundrobin".into());
    let session = opts.session_timeout.as_millis().clamp(1_000, 3_600_000) as u64;
    set("session.timeout.ms", session.to_string());
    set("heartbeat.interval.ms", (session / 3).max(100).to_string());
    // Bounded reading: the fetch sizes, the pre-fetch queue, and the largest response accepted
    // (a message over the follower's bound, but under this one, is skipped and reported).
    let max_msg = opts.max_message_bytes.max(MIN_MESSAGE_BYTES);
    // librdkafka wants fetch.max.bytes >= message.max.bytes (1,000,000 by default). At least
    // 24 MiB: a message larger than a whole response would be fetched again and again, and Event
    // Hubs' largest (premium, dedicated) is 20 MB, so any message a hub can hold arrives and is
    // judged against the bound. Memory stays bounded by queued.max.messages.kbytes.
    let fetch_max = max_msg.saturating_mul(2).clamp(24 << 20, 256 << 20);
    set("fetch.message.max.bytes", (1usize << 20).to_string());
    set("fetch.max.bytes", fetch_max.to_string());
    set(
        "receive.message.max.bytes",
        (fetch_max + (1 << 20)).to_string(),
    );
    set("queued.max.messages.kbytes", QUEUED_KBYTES.to_string());
    set("queued.min.messages", "10000".into());
    // Per-partition high watermarks for the lag metric.
    set("statistics.interval.ms", "2000".into());
    // Event Hubs closes idle connections after 240 s: keep them alive and refresh metadata
    // before that (Microsoft's recommended client settings).
    set("socket.keepalive.enable", "true".into());
    set("metadata.max.age.ms", "180000".into());
    set("connections.max.idle.ms", "180000".into());
    let secured = opts.entra_id || opts.password.is_some();
    if opts.entra_id {
        // The token comes from the context's refresh callback (Entra ID workload identity).
        set("security.protocol", "sasl_ssl".into());
        set("sasl.mechanism", "OAUTHBEARER".into());
    } else if opts.password.is_some() {
        set("security.protocol", "sasl_ssl".into());
        set("sasl.mechanism", "PLAIN".into());
        set("sasl.username", EVENT_HUBS_USER.into());
        set("sasl.password", password.unwrap_or_default().to_string());
    } else {
        set("security.protocol", "plaintext".into());
    }
    if secured {
        // The OpenSSL built in has no system trust store of its own: librdkafka looks for the
        // CA bundle in the usual places (/etc/ssl/certs/ca-certificates.crt, …).
        set("ssl.ca.location", "probe".into());
        set("ssl.endpoint.identification.algorithm", "https".into());
    }
    c
}

/// The message bound actually applied (the option, raised to the minimum).
pub fn message_bound(opts: &KafkaOptions) -> usize {
    opts.max_message_bytes.max(MIN_MESSAGE_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SecretRef;
    use std::time::Duration;

    fn opts(password: Option<SecretRef>, entra_id: bool) -> KafkaOptions {
        KafkaOptions {
            password,
            entra_id,
            session_timeout: Duration::from_secs(30),
            ..KafkaOptions::new("ns.servicebus.windows.net:9093", "kube-audit", "kubeward")
        }
    }

    #[test]
    fn event_hubs_with_a_connection_string() {
        let secret = "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=listen;SharedAccessKey=abc=";
        let c = client_config(
            &opts(Some(SecretRef::Env("EH".into())), false),
            Some(secret),
        );
        assert_eq!(c["bootstrap.servers"], "ns.servicebus.windows.net:9093");
        assert_eq!(c["security.protocol"], "sasl_ssl");
        assert_eq!(c["sasl.mechanism"], "PLAIN");
        assert_eq!(c["sasl.username"], "$ConnectionString");
        assert_eq!(c["sasl.password"], secret);
        assert_eq!(c["ssl.ca.location"], "probe");
        assert_eq!(c["group.id"], "kubeward");
        assert_eq!(c["enable.auto.commit"], "false");
        assert_eq!(c["enable.auto.offset.store"], "false");
        assert_eq!(c["auto.offset.reset"], "latest");
        assert_eq!(c["session.timeout.ms"], "30000");
        assert_eq!(c["heartbeat.interval.ms"], "10000");
        // The password appears under its own key and nowhere else.
        assert_eq!(
            c.values().filter(|v| v.contains("SharedAccessKey")).count(),
            1
        );
        // librdkafka accepts every key and value.
        let mut cc = rdkafka::ClientConfig::new();
        for (k, v) in &c {
            cc.set(*k, v);
        }
        let built: Result<rdkafka::consumer::BaseConsumer, _> = cc.create();
        assert!(built.is_ok(), "{:?}", built.err());
    }

    #[test]
    fn entra_id_is_oauthbearer_without_a_password() {
        let c = client_config(&opts(None, true), None);
        assert_eq!(c["security.protocol"], "sasl_ssl");
        assert_eq!(c["sasl.mechanism"], "OAUTHBEARER");
        assert!(!c.contains_key("sasl.password"));
        assert!(!c.contains_key("sasl.username"));
    }

    #[test]
    fn a_local_broker_is_plaintext_and_bounds_hold() {
        let mut o = opts(None, false);
        o.start = StartAt::Earliest;
        o.max_message_bytes = 10; // raised to the minimum
        let c = client_config(&o, None);
        assert_eq!(c["security.protocol"], "plaintext");
        assert!(!c.contains_key("sasl.mechanism") && !c.contains_key("ssl.ca.location"));
        assert_eq!(c["auto.offset.reset"], "earliest");
        let fetch: usize = c["fetch.max.bytes"].parse().unwrap();
        let receive: usize = c["receive.message.max.bytes"].parse().unwrap();
        assert!(receive >= fetch + 512, "librdkafka requires the margin");
        assert!(
            fetch > 20_000_000,
            "Event Hubs' largest message must fit one response"
        );
        assert_eq!(message_bound(&o), MIN_MESSAGE_BYTES);
    }
}
