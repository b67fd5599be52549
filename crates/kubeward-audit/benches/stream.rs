//! Throughput and memory of the stream detector (what `audit follow` runs per unit) on one core:
//! generated realistic events fed one line at a time, then the same lines again (redeliveries).
//!
//! `cargo bench -p kubeward-audit --bench stream` — count with `KUBEWARD_BENCH_EVENTS`
//! (default 300000).

use std::time::Instant;

use kubeward_audit::stream::{Detector, StreamOptions};
use kubeward_audit::synth::{Rng, event};

#[path = "../../../benches/proc_stats.rs"]
mod proc_stats;
use proc_stats::{cpu_seconds, peak_kib};

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
    let hwm_input = peak_kib().unwrap_or(0);
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
        peak_kib().unwrap_or(0) / 1024,
        hwm_input / 1024
    );
}
