//! Throughput and memory of the stream detector (what `audit follow` runs per unit) on one core:
//! generated realistic events fed one line at a time, then the same lines again (redeliveries).
//!
//! `cargo bench -p kubeward-audit --bench stream` — count with `KUBEWARD_BENCH_EVENTS`
//! (default 300000).

use std::time::Instant;

use kubeward_audit::stream::{Detector, StreamOptions};
use kubeward_audit::synth::{Rng, event};

fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// User + system CPU seconds of this process (one thread: the one core's time on a shared machine).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let u: f64 = fields.get(11)?.parse().ok()?;
    let s: f64 = fields.get(12)?.parse().ok()?;
    Some((u + s) / 100.0)
}

fn main() {
    let n: u64 = std::env::var("KUBEWARD_BENCH_EVENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300_000);
    let mut rng = Rng::new(7);
    let mut lines = Vec::with_capacity(n as usize);
    let mut bytes = 0;
    for i in 0..n {
        let mut s = String::new();
        event(&mut rng, i, &mut s);
        bytes += s.len();
        lines.push(s);
    }
    let hwm_input = vm_hwm_kib().unwrap_or(0);
    let opts = StreamOptions::default();
    let mut d = Detector::new(&opts);
    for pass in ["new events", "redeliveries"] {
        let (c0, t0) = (cpu_seconds().unwrap_or(0.0), Instant::now());
        let mut alerts = 0;
        for l in &lines {
            alerts += d.feed(l.as_bytes()).alerts.len();
        }
        let cpu = cpu_seconds().unwrap_or(0.0) - c0;
        let wall = t0.elapsed().as_secs_f64();
        println!(
            "{pass}: {n} events ({:.0} bytes each), {alerts} alerts, {:.2} s CPU ({:.2} s wall): {:.0} events/s per core, {:.1} MB/s",
            bytes as f64 / n as f64,
            cpu,
            wall,
            n as f64 / cpu.max(1e-9),
            bytes as f64 / cpu.max(1e-9) / 1e6
        );
    }
    let c = d.counters();
    println!(
        "duplicates skipped {}, malformed {}; peak RSS {} MiB ({} MiB of it the input held in memory)",
        c.duplicates,
        c.malformed_units,
        vm_hwm_kib().unwrap_or(0) / 1024,
        hwm_input / 1024
    );
}
