//! Follow speed from Kafka: librdkafka's mock broker (3 partitions, in a child process) holding
//! realistic AKS audit events as Event Hubs bodies (`{"records": [...]}` of resource-log
//! records), read by a follower as the follow loop reads (Kafka source → stream detector → alert
//! file, flushed per batch → commit every 5 s). Prints events/s per core (the follower's CPU time
//! only) and its peak memory.
//!
//! The mock broker keeps only the last 5 MB of each partition, so the broker is filled in rounds
//! (4 MB per partition), each read to its end before the next is produced.
//!
//! `cargo bench -p kubeward-follow --bench follow_kafka` — events with `KUBEWARD_BENCH_EVENTS`
//! (default 300000), records per message with `KUBEWARD_BENCH_RECORDS` (default 20).

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kubeward_audit::stream::{Detector, StreamOptions};
use kubeward_follow::Source;
use kubeward_follow::alerts::{self, AlertWriter};
use kubeward_follow::kafka::{KafkaOptions, KafkaSource, StartAt};
use rdkafka::ClientConfig;
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};

#[path = "../../../benches/proc_stats.rs"]
mod proc_stats;
use proc_stats::{cpu_seconds, peak_kib};

const TOPIC: &str = "kube-audit";
const CLUSTER: &str = "/SUBSCRIPTIONS/8F0C2D6E-3B1A-4C5D-9E7F-1A2B3C4D5E6F/RESOURCEGROUPS/RG-SHOP-PROD/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/AKS-SHOP-PROD";

fn env_num(k: &str, d: u64) -> u64 {
    std::env::var(k)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(d)
}

/// The broker child: starts the mock cluster and prints its bootstrap; then, for each line read
/// on stdin, produces about 4 MB per partition and prints the messages and bytes produced (`0 0`
/// once all events were produced). Lives until its stdin closes.
fn broker(n: u64, per_msg: u64) -> Result<(), Box<dyn std::error::Error>> {
    let mc = MockCluster::new(1)?;
    mc.create_topic(TOPIC, 3, 1)?;
    let boot = mc.bootstrap_servers();
    let p: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", &boot)
        .set("linger.ms", "5")
        .create()?;
    println!("{boot}");
    std::io::stdout().flush()?;
    let mut rng = kubeward_audit::synth::Rng::new(11);
    let (mut i, mut msg) = (0u64, 0u64);
    let mut cmd = String::new();
    loop {
        cmd.clear();
        if std::io::stdin().read_line(&mut cmd)? == 0 {
            return Ok(());
        }
        let (mut round_msgs, mut round_bytes) = (0u64, 0u64);
        while i < n && round_bytes < 12 << 20 {
            let mut events = Vec::new();
            for _ in 0..per_msg.min(n - i) {
                let mut ev = String::new();
                kubeward_audit::synth::event(&mut rng, i, &mut ev);
                events.push(ev);
                i += 1;
            }
            let body = kubeward_audit::synth::event_hubs_body(&events, CLUSTER);
            round_bytes += body.len() as u64;
            let part = (msg % 3) as i32;
            loop {
                match p.send(
                    BaseRecord::<(), str>::to(TOPIC)
                        .partition(part)
                        .payload(&body),
                ) {
                    Ok(()) => break,
                    Err((e, _)) if e.to_string().contains("Queue full") => {
                        p.poll(Duration::from_millis(20));
                    }
                    Err((e, _)) => return Err(e.into()),
                }
            }
            p.poll(Duration::ZERO);
            msg += 1;
            round_msgs += 1;
        }
        p.flush(Duration::from_secs(60))?;
        println!("{round_msgs} {round_bytes}");
        std::io::stdout().flush()?;
    }
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
    let mut to_broker = child.stdin.take().ok_or("no stdin")?;
    let mut from_broker = BufReader::new(child.stdout.take().ok_or("no stdout")?);
    let mut line = String::new();
    from_broker.read_line(&mut line)?;
    let boot = line.trim().to_string();

    let dir = tempfile::tempdir()?;
    let so = StreamOptions::default();
    let mut det = Detector::new(&so);
    let mut writer = AlertWriter::file(&dir.path().join("alerts.jsonl"))?;
    let kopts = KafkaOptions {
        start: StartAt::Earliest,
        ..KafkaOptions::new(&boot, TOPIC, "bench")
    };
    let mut src = KafkaSource::open(&kopts)?;
    let (mut cpu, mut wall) = (0.0f64, 0.0f64);
    let (mut msgs, mut bytes, mut units, mut alerts) = (0u64, 0u64, 0u64, 0u64);
    let mut last_commit = Instant::now();
    loop {
        writeln!(to_broker, "round")?;
        line.clear();
        from_broker.read_line(&mut line)?;
        let mut it = line.split_whitespace();
        let (m, b): (u64, u64) = (
            it.next().unwrap_or("0").parse()?,
            it.next().unwrap_or("0").parse()?,
        );
        if m == 0 {
            break;
        }
        msgs += m;
        bytes += b;
        // Read this round to its end; only this part is measured.
        let (c0, t0) = (cpu_seconds().unwrap_or(0.0), Instant::now());
        let hang = Instant::now();
        while units < msgs {
            if hang.elapsed() > Duration::from_secs(300) {
                return Err(format!("stuck at {units} of {msgs} messages").into());
            }
            let batch = src.poll(Duration::from_millis(250))?;
            for u in &batch {
                for a in det.feed(&u.bytes).alerts {
                    writer.write(&alerts::to_json(&a, &u.origin))?;
                    alerts += 1;
                }
            }
            writer.flush()?;
            units += batch.len() as u64;
            if last_commit.elapsed() >= Duration::from_secs(5) {
                src.commit()?;
                last_commit = Instant::now();
            }
        }
        cpu += cpu_seconds().unwrap_or(0.0) - c0;
        wall += t0.elapsed().as_secs_f64();
    }
    src.commit()?;
    drop(to_broker);
    let _ = child.wait();
    let events = det.counters().events;
    println!(
        "follow kafka: {msgs} messages of {per_msg} records, {events} events ({:.0} bytes each as records), {alerts} alerts, {:.2} s CPU ({wall:.2} s wall reading): {:.0} events/s per core, {:.1} MB/s; peak RSS {} MiB",
        bytes as f64 / n.max(1) as f64,
        cpu,
        events as f64 / cpu.max(1e-9),
        bytes as f64 / cpu.max(1e-9) / 1e6,
        peak_kib().unwrap_or(0) / 1024
    );
    Ok(())
}
