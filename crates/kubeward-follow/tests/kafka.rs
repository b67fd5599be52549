//! The Kafka source against librdkafka's mock cluster (the real Kafka protocol on 127.0.0.1:
//! topics, 3 partitions, consumer groups, offset commits). Members are driven by the test as the
//! follow loop drives them (poll, judge with the stream detector, write, then poll again or
//! commit), so that membership changes happen at known points. No wall-time assertion: waits
//! are bounded only to turn a hang into a failure.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use kubeward_audit::stream::{Detector, StreamOptions};
use kubeward_audit::synth::{benign_event, event_hubs_body, exec_event};
use kubeward_follow::kafka::{KafkaOptions, KafkaSource, StartAt};
use kubeward_follow::{Origin, Source, SourceError};
use rdkafka::ClientConfig;
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{BaseProducer, BaseRecord, DefaultProducerContext, Producer};

const TOPIC: &str = "kube-audit";
/// Most steps a wait may take (each at most ~200 ms when nothing arrives): a hang guard.
const MAX_STEPS: u32 = 1_500;
const CLUSTER: &str = "/SUBSCRIPTIONS/8F0C2D6E-3B1A-4C5D-9E7F-1A2B3C4D5E6F/RESOURCEGROUPS/RG-SHOP-PROD/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/AKS-SHOP-PROD";

fn cluster() -> (MockCluster<'static, DefaultProducerContext>, String) {
    let mc = MockCluster::new(1).unwrap();
    mc.create_topic(TOPIC, 3, 1).unwrap();
    let boot = mc.bootstrap_servers();
    (mc, boot)
}

/// `n` messages spread over the 3 partitions, each with one attack (`{tag}-{i}`) and two
/// benign events; returns the attacks' auditIDs.
fn produce(boot: &str, tag: &str, n: usize, timestamp: Option<i64>) -> BTreeSet<String> {
    let p = producer(boot);
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
        let mut r = BaseRecord::<(), str>::to(TOPIC)
            .partition((i % 3) as i32)
            .payload(&b);
        if let Some(t) = timestamp {
            r = r.timestamp(t);
        }
        p.send(r).map_err(|(e, _)| e).unwrap();
        p.poll(Duration::ZERO);
        ids.insert(id);
    }
    p.flush(Duration::from_secs(30)).unwrap();
    ids
}

fn producer(boot: &str) -> BaseProducer {
    ClientConfig::new()
        .set("bootstrap.servers", boot)
        .create()
        .unwrap()
}

fn options(boot: &str, group: &str) -> KafkaOptions {
    KafkaOptions {
        start: StartAt::Earliest,
        session_timeout: Duration::from_secs(6),
        connect_timeout: Duration::from_secs(30),
        ..KafkaOptions::new(boot, TOPIC, group)
    }
}

/// A member as the follow loop drives it: every alert it wrote, with the partition it came from.
struct Member {
    src: KafkaSource,
    det: Detector<'static>,
    alerts: Vec<(String, i32)>,
    units: usize,
}

impl Member {
    fn open(opts: &KafkaOptions) -> Self {
        let so: &'static StreamOptions = Box::leak(Box::default());
        Member {
            src: KafkaSource::open(opts).unwrap(),
            det: Detector::new(so),
            alerts: Vec::new(),
            units: 0,
        }
    }

    /// One turn of the loop; returns the A001 auditIDs alerted in it.
    fn turn(&mut self, commit: bool) -> Vec<String> {
        let units = self.src.poll(Duration::from_millis(100)).unwrap();
        let mut new = Vec::new();
        for u in &units {
            let Origin::Kafka { partition, .. } = u.origin else {
                panic!("not a Kafka origin")
            };
            for a in self.det.feed(&u.bytes).alerts {
                assert_eq!(a.code, "A001", "only the execs are attacks");
                assert_eq!(a.cluster.as_deref(), Some(CLUSTER));
                self.alerts.push((a.audit_id.clone(), partition));
                new.push(a.audit_id);
            }
        }
        self.units += units.len();
        if commit {
            self.src.commit().unwrap();
        }
        new
    }

    /// The auditIDs alerted, each once.
    fn alerted(&self) -> BTreeSet<String> {
        self.alerts.iter().map(|(id, _)| id.clone()).collect()
    }

    fn ids(&self) -> BTreeMap<String, usize> {
        let mut m = BTreeMap::new();
        for (id, _) in &self.alerts {
            *m.entry(id.clone()).or_default() += 1;
        }
        m
    }
}

/// Drives `step` until it holds. Each step polls the members (at most 100 ms each when idle), so
/// a budget of steps, not a clock, bounds a hang.
fn wait_for(what: &str, mut step: impl FnMut() -> bool) {
    let mut steps = 0;
    while !step() {
        steps += 1;
        assert!(steps < MAX_STEPS, "hung waiting for {what}");
    }
}

/// A few more turns of every member after the awaited state: nothing more may arrive.
fn settle(members: &mut [&mut Member]) {
    for _ in 0..5 {
        for m in members.iter_mut() {
            m.turn(true);
        }
    }
}

/// Both members hold partitions, all 3 together.
fn balanced(a: &mut Member, b: &mut Member) {
    wait_for("both members to hold partitions", || {
        a.turn(true);
        b.turn(true);
        let (x, y) = (a.src.assigned(), b.src.assigned());
        !x.is_empty() && !y.is_empty() && x.len() + y.len() == 3
    });
}

fn union(ms: &[&Member]) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for x in ms {
        for (id, n) in x.ids() {
            *m.entry(id).or_default() += n;
        }
    }
    m
}

#[test]
fn two_members_split_the_partitions_and_alert_every_attack_once() {
    let (_mc, boot) = cluster();
    let o = options(&boot, "g-split");
    let (mut a, mut b) = (Member::open(&o), Member::open(&o));
    balanced(&mut a, &mut b);
    let attacks = produce(&boot, "split", 60, None);
    wait_for("every message", || {
        a.turn(true);
        b.turn(true);
        a.units + b.units >= 60
    });
    // A few more turns: nothing is handed out twice.
    settle(&mut [&mut a, &mut b]);
    let all = union(&[&a, &b]);
    assert_eq!(all.keys().cloned().collect::<BTreeSet<_>>(), attacks);
    assert!(
        all.values().all(|n| *n == 1),
        "an attack alerted twice: {all:?}"
    );
    assert_eq!(a.units + b.units, 60);
    // Each alerted only what its partitions held.
    let (pa, pb): (BTreeSet<i32>, BTreeSet<i32>) = (
        a.src.assigned().into_iter().collect(),
        b.src.assigned().into_iter().collect(),
    );
    assert!(a.alerts.iter().all(|(_, p)| pa.contains(p)));
    assert!(b.alerts.iter().all(|(_, p)| pb.contains(p)));
    assert!(!a.alerts.is_empty() && !b.alerts.is_empty());
    // Committed: every partition at its end (20 messages each).
    let mut committed = a.src.committed();
    committed.extend(b.src.committed());
    assert_eq!(committed, BTreeMap::from([(0, 20), (1, 20), (2, 20)]));
    // The lag (high watermark from the statistics, minus the position) reaches 0.
    wait_for("the lag of every partition", || {
        a.turn(true);
        b.turn(true);
        let lag: Vec<_> = a.src.lag().into_iter().chain(b.src.lag()).collect();
        lag.len() == 3 && lag.iter().all(|(_, n)| *n == 0)
    });
}

#[test]
fn a_member_leaving_without_committing_leaves_only_its_last_batch_to_be_alerted_again() {
    let (_mc, boot) = cluster();
    let o = options(&boot, "g-leave");
    let (mut a, mut b) = (Member::open(&o), Member::open(&o));
    balanced(&mut a, &mut b);
    let first = produce(&boot, "first", 30, None);
    wait_for("the first batch", || {
        a.turn(true);
        b.turn(true);
        a.units + b.units >= 30
    });
    let second = produce(&boot, "second", 30, None);
    // `a` hands out a batch and its alerts are written, then it goes away before polling again
    // or committing: that batch is its uncommitted window.
    let mut window = Vec::new();
    wait_for("a batch of the second lot at the leaving member", || {
        b.turn(true);
        window = a.turn(false);
        !window.is_empty()
    });
    drop(a.src);
    let a_alerts = a.alerts.clone();
    // Until the other member holds every partition and has read each to its end.
    wait_for("the other member to read every partition", || {
        b.turn(true);
        let lag = b.src.lag();
        b.src.assigned().len() == 3 && lag.len() == 3 && lag.iter().all(|(_, n)| *n == 0)
    });
    let mut all: BTreeMap<String, usize> = b.ids();
    for (id, _) in &a_alerts {
        *all.entry(id.clone()).or_default() += 1;
    }
    let expected: BTreeSet<String> = first.union(&second).cloned().collect();
    assert_eq!(
        all.keys().cloned().collect::<BTreeSet<_>>(),
        expected,
        "no attack lost"
    );
    let twice: BTreeSet<String> = all
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(k, _)| k.clone())
        .collect();
    // Alerted again: exactly the leaving member's uncommitted batch, each once more.
    assert_eq!(twice, window.iter().cloned().collect::<BTreeSet<_>>());
    assert!(all.values().all(|n| *n <= 2));
}

/// A member joining mid-stream, both committing after every batch: nothing is lost, and the only
/// repeats are attacks the first member alerted but could not commit before its partitions moved
/// (the mock broker refuses commits while the group is joining — REBALANCE_IN_PROGRESS — so a
/// commit at that moment, and the commit on revoke, may fail; at-least-once).
#[test]
fn a_member_joining_mid_stream_loses_nothing() {
    let (_mc, boot) = cluster();
    let o = options(&boot, "g-join");
    let mut a = Member::open(&o);
    let first = produce(&boot, "join1", 30, None);
    wait_for("the first member to read some", || {
        a.turn(true);
        a.units > 0
    });
    let mut b = Member::open(&o);
    balanced(&mut a, &mut b);
    let second = produce(&boot, "join2", 30, None);
    let expected: BTreeSet<String> = first.union(&second).cloned().collect();
    wait_for("every attack", || {
        a.turn(true);
        b.turn(true);
        union(&[&a, &b]).len() == expected.len()
    });
    settle(&mut [&mut a, &mut b]);
    let all = union(&[&a, &b]);
    assert_eq!(all.keys().cloned().collect::<BTreeSet<_>>(), expected);
    let a_ids = a.ids();
    assert!(
        all.iter()
            .all(|(k, n)| *n == 1 || (*n == 2 && a_ids.contains_key(k))),
        "{all:?} {:?}",
        a.src.last_error()
    );
    eprintln!(
        "joining: {} of {} alerted twice",
        all.values().filter(|n| **n > 1).count(),
        all.len()
    );
    assert!(a.src.rebalances() >= 2);
}

#[test]
fn a_restarted_member_resumes_at_the_committed_offsets() {
    let (_mc, boot) = cluster();
    let o = options(&boot, "g-restart");
    let mut a = Member::open(&o);
    let first = produce(&boot, "before", 12, None);
    wait_for("the first lot", || {
        a.turn(true);
        a.units >= 12
    });
    assert_eq!(a.alerted(), first);
    drop(a);
    let second = produce(&boot, "after", 9, None);
    // Earliest applies only to a group without committed offsets: this one has them.
    let mut c = Member::open(&o);
    wait_for("the second lot", || {
        c.turn(true);
        c.units >= 9
    });
    settle(&mut [&mut c]);
    assert_eq!(c.units, 9);
    assert_eq!(c.alerted(), second);
}

/// The mock broker has no time index (it answers every time lookup with "no offset"), so this
/// checks the path a time takes for a new group when nothing is that recent: committed offsets
/// looked up (none), the time looked up, and the partition started at its end.
#[test]
fn since_a_time_with_nothing_after_it_starts_at_the_end() {
    let (_mc, boot) = cluster();
    produce(&boot, "old", 6, None);
    let o = KafkaOptions {
        start: StartAt::Time(4_102_444_800_000), // 2100-01-01
        ..options(&boot, "g-since")
    };
    let mut a = Member::open(&o);
    wait_for("an assignment", || {
        a.turn(true);
        a.src.assigned().len() == 3
    });
    let recent = produce(&boot, "new", 6, None);
    wait_for("the recent messages", || {
        a.turn(true);
        a.units >= 6
    });
    settle(&mut [&mut a]);
    assert_eq!(a.units, 6);
    assert_eq!(a.alerted(), recent);
}

#[test]
fn a_message_over_the_bound_is_reported_and_skipped() {
    let (_mc, boot) = cluster();
    let p = producer(&boot);
    let big = event_hubs_body(&[benign_event("big"), "x".repeat(100_000)], CLUSTER);
    let fine = event_hubs_body(&[exec_event("after-the-big-one")], CLUSTER);
    for b in [&big, &fine] {
        p.send(BaseRecord::<(), str>::to(TOPIC).partition(0).payload(b))
            .map_err(|(e, _)| e)
            .unwrap();
    }
    p.flush(Duration::from_secs(30)).unwrap();
    let o = KafkaOptions {
        max_message_bytes: 64 * 1024,
        ..options(&boot, "g-bound")
    };
    let mut a = Member::open(&o);
    let mut problems = Vec::new();
    wait_for("the message after the big one", || {
        a.turn(true);
        problems.extend(a.src.take_problems());
        !a.alerts.is_empty()
    });
    assert_eq!(
        a.ids().into_keys().collect::<Vec<_>>(),
        ["after-the-big-one"]
    );
    assert_eq!(problems.len(), 1);
    let (origin, what) = &problems[0];
    assert!(matches!(
        origin,
        Origin::Kafka {
            partition: 0,
            offset: 0,
            ..
        }
    ));
    assert!(what.contains("over the bound of 65536 bytes"), "{what}");
    // The big message's offset is committed with the rest: it is not read again.
    assert_eq!(a.src.committed().get(&0), Some(&2));
}

#[test]
fn an_unreachable_broker_is_a_clear_error_within_the_timeout() {
    // Port 1 on the loopback: nothing listens there.
    let o = KafkaOptions {
        connect_timeout: Duration::from_secs(3),
        ..options("127.0.0.1:1", "g-none")
    };
    let e = KafkaSource::open(&o).err().unwrap();
    assert!(
        matches!(&e, SourceError::Config(m) if m.contains("no Kafka broker at 127.0.0.1:1 answered within 3 s")),
        "{e}"
    );
}

#[test]
fn a_missing_topic_is_a_clear_error() {
    let (_mc, boot) = cluster();
    let o = KafkaOptions {
        topic: "no-such-hub".into(),
        ..options(&boot, "g-missing")
    };
    let e = KafkaSource::open(&o).err().unwrap();
    assert!(
        matches!(&e, SourceError::Config(m) if m.contains("topic (event hub) no-such-hub does not exist")),
        "{e}"
    );
}

#[test]
fn errors_never_show_the_password() {
    let (_mc, boot) = cluster();
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("cs");
    // A password against a plaintext mock broker would fail the TLS handshake: describe() is
    // checked on the options' text, and the password's file is read (resolve) before.
    std::fs::write(
        &f,
        "Endpoint=sb://x/;SharedAccessKeyName=k;SharedAccessKey=SECRETVALUE",
    )
    .unwrap();
    let o = KafkaOptions {
        password: Some(kubeward_follow::SecretRef::File(f)),
        connect_timeout: Duration::from_secs(2),
        ..options(&boot, "g-describe")
    };
    let e = KafkaSource::open(&o).err().unwrap();
    assert!(!e.to_string().contains("SECRETVALUE"), "{e}");
}
