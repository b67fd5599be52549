//! `kubeward audit follow --kafka` against librdkafka's mock cluster started by the test (the
//! real Kafka protocol on 127.0.0.1, 3 partitions): two followers in one consumer group, one
//! killed with SIGKILL mid-stream (no commit, no goodbye: its partitions move after the session
//! timeout), then a restart that resumes at the committed offsets. No wall-time assertion: waits
//! are bounded only to turn a hang into a failure.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::follow::{wait_exit, wait_for};
use kubeward_audit::synth::{benign_event, event_hubs_body, exec_event};
use rdkafka::ClientConfig;
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};

const TOPIC: &str = "kube-audit";
const CLUSTER: &str = "/SUBSCRIPTIONS/8F0C2D6E-3B1A-4C5D-9E7F-1A2B3C4D5E6F/RESOURCEGROUPS/RG-SHOP-PROD/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/AKS-SHOP-PROD";

/// `n` messages over the 3 partitions, one exec and two benign events each; the execs' IDs.
fn produce(p: &BaseProducer, tag: &str, n: usize) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for i in 0..n {
        let id = format!("{tag}-{i}");
        let b = event_hubs_body(
            &[
                benign_event(&format!("{id}-b1")),
                exec_event(&id),
                benign_event(&format!("{id}-b2")),
            ],
            CLUSTER,
        );
        p.send(
            BaseRecord::<(), str>::to(TOPIC)
                .partition((i % 3) as i32)
                .payload(&b),
        )
        .map_err(|(e, _)| e)
        .unwrap();
        p.poll(Duration::ZERO);
        ids.insert(id);
    }
    p.flush(Duration::from_secs(30)).unwrap();
    ids
}

fn follower(boot: &str, alerts: &Path, extra: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_kubeward"))
        .args(["audit", "follow", "--kafka", boot, "--topic", TOPIC])
        .args(["--group", "kubeward", "--since", "earliest"])
        .args(["--session-timeout", "3s"])
        .arg("--alerts")
        .arg(alerts)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// A001 auditIDs in an alert file, with their counts; checks each line's Kafka origin.
fn alerted(path: &Path) -> BTreeMap<String, usize> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut m = BTreeMap::new();
    // A line still being written has no newline yet.
    for l in text.split_inclusive('\n').filter(|l| l.ends_with('\n')) {
        let v: serde_json::Value = serde_json::from_str(l).expect("an alert line is JSON");
        assert_eq!(v["code"], "A001");
        assert_eq!(v["cluster"], CLUSTER);
        assert_eq!(v["origin"]["kind"], "kafka");
        assert_eq!(v["origin"]["topic"], TOPIC);
        *m.entry(v["audit_id"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    m
}

/// Waits for the exit; returns the status and stderr.
fn finish(mut child: Child) -> (std::process::ExitStatus, String) {
    let status = wait_exit(&mut child);
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    (status, err)
}

fn sum(maps: &[&BTreeMap<String, usize>]) -> BTreeMap<String, usize> {
    let mut all = BTreeMap::new();
    for m in maps {
        for (k, n) in *m {
            *all.entry(k.clone()).or_default() += n;
        }
    }
    all
}

#[test]
fn two_followers_share_a_group_survive_a_kill_and_resume_at_the_committed_offsets() {
    let mc = MockCluster::new(1).unwrap();
    mc.create_topic(TOPIC, 3, 1).unwrap();
    let boot = mc.bootstrap_servers();
    let p: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", &boot)
        .create()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (fa, fb, fc) = (
        dir.path().join("a.jsonl"),
        dir.path().join("b.jsonl"),
        dir.path().join("c.jsonl"),
    );

    // Two followers in one group, the first batch split between them.
    // `a` never commits on its own (an hour's interval): all it reads stays in its uncommitted
    // window. `b` commits every second.
    let mut a = follower(&boot, &fa, &["--commit-interval", "1h"]);
    let b = follower(
        &boot,
        &fb,
        &["--commit-interval", "1s", "--until-idle", "12"],
    );
    let first = produce(&p, "first", 30);
    wait_for("the first batch", || {
        sum(&[&alerted(&fa), &alerted(&fb)]).len() == first.len()
    });
    let split = (alerted(&fa).len(), alerted(&fb).len());
    // Past two of b's commit intervals.
    std::thread::sleep(Duration::from_millis(2_500));

    // The second batch; `a` is killed (no commit, no leaving the group) as soon as it alerted
    // some of it.
    let second = produce(&p, "second", 30);
    wait_for(
        "the first follower to alert some of the second batch",
        || alerted(&fa).keys().any(|k| k.starts_with("second-")),
    );
    a.kill().unwrap();
    a.wait().unwrap();
    let a_alerts = alerted(&fa);
    // `b` takes a's partitions after the session timeout and reads from a's last commit.
    wait_for("every attack of the second batch", || {
        let all = sum(&[&a_alerts, &alerted(&fb)]);
        second.iter().all(|s| all.contains_key(s))
    });
    let (status, err) = finish(b);
    assert!(status.success(), "{status:?}: {err}");
    let all = sum(&[&a_alerts, &alerted(&fb)]);
    let expected: BTreeSet<String> = first.union(&second).cloned().collect();
    assert_eq!(
        all.keys().cloned().collect::<BTreeSet<_>>(),
        expected,
        "every attack alerted"
    );
    // Alerted twice: exactly what `a` alerted since its last commit (here: all it alerted), each
    // once more; nothing of b's (committed), nothing three times.
    let twice: BTreeSet<String> = all
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(k, _)| k.clone())
        .collect();
    assert_eq!(twice, a_alerts.keys().cloned().collect::<BTreeSet<_>>());
    assert!(all.values().all(|n| *n <= 2), "{all:?}");
    eprintln!(
        "first batch split {}+{}; {} alerted again after the kill",
        split.0,
        split.1,
        twice.len()
    );
    assert!(
        split.0 > 0 && split.1 > 0,
        "both followers read partitions: {split:?}"
    );

    // A restart of the group: `--since earliest` does not apply to a group with committed
    // offsets, so only the new batch is read.
    let third = produce(&p, "third", 9);
    let c = follower(
        &boot,
        &fc,
        &["--commit-interval", "1s", "--until-idle", "8"],
    );
    let (status, err) = finish(c);
    assert!(status.success(), "{status:?}: {err}");
    let c_alerts = alerted(&fc);
    assert_eq!(
        c_alerts.keys().cloned().collect::<BTreeSet<_>>(),
        third,
        "{err}"
    );
    assert!(c_alerts.values().all(|n| *n == 1));
    assert!(err.contains("9 alerts"), "{err}");
}

#[test]
fn an_unreachable_broker_exits_2_with_a_clear_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_kubeward"))
        .args([
            "audit",
            "follow",
            "--kafka",
            "127.0.0.1:1",
            "--topic",
            TOPIC,
        ])
        .args(["--group", "kubeward", "--until-idle", "1"])
        .args(["--kafka-connect-timeout", "2s"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no Kafka broker at 127.0.0.1:1 answered"),
        "{err}"
    );
}

#[test]
fn entra_id_without_workload_identity_exits_2_naming_what_is_missing() {
    let out = Command::new(env!("CARGO_BIN_EXE_kubeward"))
        .args([
            "audit",
            "follow",
            "--kafka",
            "ns.servicebus.windows.net:9093",
        ])
        .args(["--topic", TOPIC, "--group", "kubeward", "--kafka-entra-id"])
        .env_remove("AZURE_TENANT_ID")
        .env_remove("AZURE_CLIENT_ID")
        .env_remove("AZURE_FEDERATED_TOKEN_FILE")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--kafka-entra-id needs AZURE_"), "{err}");
    // A password and Entra ID together are refused by the flags.
    let out = Command::new(env!("CARGO_BIN_EXE_kubeward"))
        .args([
            "audit",
            "follow",
            "--kafka",
            "ns.servicebus.windows.net:9093",
        ])
        .args(["--topic", TOPIC, "--group", "kubeward", "--kafka-entra-id"])
        .args(["--kafka-password-env", "EVENTHUB_CONNECTION_STRING"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
