//! Follow speed from Kafka: librdkafka's mock broker (3 partitions) holding realistic AKS audit
//! events as Event Hubs bodies (`{"records": [...]}` of resource-log records), read by the whole
//! loop (Kafka source → stream detector → alert file → commits) until idle. Prints events/s per
//! core (the follower's CPU time only: the broker runs in a child process) and peak memory.
//!
//! `cargo bench -p kubeward-follow --bench follow_kafka` — events with `KUBEWARD_BENCH_EVENTS`
//! (default 300000), records per message with `KUBEWARD_BENCH_RECORDS` (default 20).

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kubeward_audit::stream::StreamOptions;
use kubeward_follow::kafka::{KafkaOptions, KafkaSource, StartAt};
use kubeward_follow::{FollowOptions, run};
use rdkafka::ClientConfig;
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};

const TOPIC: &str = "kube-audit";
const CLUSTER: &str = "/SUBSCRIPTIONS/8F0C2D6E-3B1A-4C5D-9E7F-1A2B3C4D5E6F/RESOURCEGROUPS/RG-SHOP-PROD/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/AKS-SHOP-PROD";

fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let u: f64 = fields.get(11)?.parse().ok()?;
    let s: f64 = fields.get(12)?.parse().ok()?;
    Some((u + s) / 100.0)
}

fn env_num(k: &str, d: u64) -> u64 {
    std::env::var(k)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(d)
}

/// The broker child: starts the mock cluster, fills the topic, prints the bootstrap and the
/// byte count, and lives until its stdin closes.
fn broker(n: u64, per_msg: u64) -> Result<(), Box<dyn std::error::Error>> {
    let mc = MockCluster::new(1)?;
    mc.create_topic(TOPIC, 3, 1)?;
    let boot = mc.bootstrap_servers();
    let p: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", &boot)
        .set("linger.ms", "20")
        .set("queue.buffering.max.kbytes", "262144")
        .create()?;
    let mut rng = kubeward_audit::synth::Rng::new(11);
    let (mut i, mut msg, mut bytes) = (0u64, 0u64, 0u64);
    let mut ev = String::new();
    while i < n {
        let mut records = Vec::new();
        for _ in 0..per_msg.min(n - i) {
            ev.clear();
            kubeward_audit::synth::event(&mut rng, i, &mut ev);
            records.push(serde_json::json!({
                "operationName": "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read",
                "category": "kube-audit",
                "resourceId": CLUSTER,
                "properties": {"log": ev, "stream": "stdout", "pod": "kube-apiserver-5f8c9d7b6-2xkqp"},
                "time": "2026-11-20T09:00:02.0000000Z",
            }));
            i += 1;
        }
        let body = serde_json::json!({ "records": records }).to_string();
        bytes += body.len() as u64;
        let part = (msg % 3) as i32;
        loop {
            match p.send(
                BaseRecord::<(), str>::to(TOPIC)
                    .partition(part)
                    .payload(&body),
            ) {
                Ok(()) => break,
                Err((e, _)) if e.to_string().contains("Queue full") => {
                    p.poll(Duration::from_millis(50));
                }
                Err((e, _)) => return Err(e.into()),
            }
        }
        p.poll(Duration::ZERO);
        msg += 1;
    }
    p.flush(Duration::from_secs(120))?;
    println!("{boot} {bytes} {msg}");
    std::io::stdout().flush()?;
    // Serve until the follower is done.
    let mut s = String::new();
    let _ = std::io::stdin().read_line(&mut s);
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n = env_num("KUBEWARD_BENCH_EVENTS", 300_000);
    let per_msg = env_num("KUBEWARD_BENCH_RECORDS", 20).max(1);
    if std::env::var_os("KUBEWARD_BENCH_BROKER").is_some() {
        return broker(n, per_msg);
    }
    let mut child = Command::new(std::env::current_exe()?)
        .env("KUBEWARD_BENCH_BROKER", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().ok_or("no stdout")?).read_line(&mut line)?;
    let mut it = line.split_whitespace();
    let boot = it.next().ok_or("the broker did not start")?.to_string();
    let bytes: u64 = it.next().unwrap_or("0").parse()?;
    let msgs: u64 = it.next().unwrap_or("0").parse()?;

    let dir = tempfile::tempdir()?;
    let alerts = dir.path().join("alerts.jsonl");
    let opts = FollowOptions {
        detector: StreamOptions::default(),
        alerts: Some(alerts),
        webhook: None,
        metrics: None,
        until_idle: Some(Duration::from_millis(1500)),
        commit_interval: Duration::from_secs(5),
        status: false,
    };
    let kopts = KafkaOptions {
        start: StartAt::Earliest,
        ..KafkaOptions::new(&boot, TOPIC, "bench")
    };
    let (c0, t0) = (cpu_seconds().unwrap_or(0.0), Instant::now());
    let source = Box::new(KafkaSource::open(&kopts)?);
    let mut log_line = |m: &str| eprintln!("{m}");
    let s = run(source, &opts, &mut log_line)?;
    let cpu = cpu_seconds().unwrap_or(0.0) - c0;
    drop(child.stdin.take());
    let _ = child.wait();
    println!(
        "follow kafka: {} messages of {} records, {} events ({:.0} bytes each as records), {} alerts, {} malformed, {:.2} s CPU ({:.2} s wall incl. 1.5 s idle): {:.0} events/s per core, {:.1} MB/s; peak RSS {} MiB",
        msgs,
        per_msg,
        s.events,
        bytes as f64 / n.max(1) as f64,
        s.alerts,
        s.malformed,
        cpu,
        t0.elapsed().as_secs_f64(),
        s.events as f64 / cpu.max(1e-9),
        bytes as f64 / cpu.max(1e-9) / 1e6,
        vm_hwm_kib().unwrap_or(0) / 1024
    );
    Ok(())
}
