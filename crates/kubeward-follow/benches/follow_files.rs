//! Follow speed from a file: the whole loop (file source → detector → alert file → commit) on
//! generated realistic events, one core, until idle. Prints events/s per core and peak memory.
//!
//! `cargo bench -p kubeward-follow --bench follow_files` — count with `KUBEWARD_BENCH_EVENTS`
//! (default 300000).

use std::io::{BufWriter, Write};
use std::time::{Duration, Instant};

use kubeward_audit::stream::StreamOptions;
use kubeward_follow::file::FileSource;
use kubeward_follow::{FollowOptions, run};

#[path = "../../../benches/proc_stats.rs"]
mod proc_stats;
use proc_stats::{cpu_seconds, peak_kib};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u64 = std::env::var("KUBEWARD_BENCH_EVENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300_000);
    let dir = tempfile::tempdir()?;
    let log = dir.path().join("audit.jsonl");
    let mut w = BufWriter::new(std::fs::File::create(&log)?);
    kubeward_audit::synth::write_events(&mut w, n, 11)?;
    w.flush()?;
    drop(w);
    let bytes = std::fs::metadata(&log)?.len();
    let alerts = dir.path().join("alerts.jsonl");
    let opts = FollowOptions {
        detector: StreamOptions::default(),
        alerts: Some(alerts.clone()),
        webhook: None,
        metrics: None,
        until_idle: Some(Duration::from_millis(300)),
        commit_interval: Duration::from_secs(5),
        status: false,
    };
    let source = Box::new(FileSource::new(vec![log], 8 << 20));
    let (c0, t0) = (cpu_seconds().unwrap_or(0.0), Instant::now());
    let mut log_line = |m: &str| eprintln!("{m}");
    let s = run(source, &opts, &mut log_line)?;
    // The idle wait at the end is sleep, not CPU: CPU time is the work.
    let cpu = cpu_seconds().unwrap_or(0.0) - c0;
    println!(
        "follow a file: {} units, {} events ({:.0} bytes each), {} alerts, {} malformed, {:.2} s CPU ({:.2} s wall incl. 0.3 s idle): {:.0} events/s per core, {:.1} MB/s; peak RSS {} MiB",
        s.units,
        s.events,
        bytes as f64 / n as f64,
        s.alerts,
        s.malformed,
        cpu,
        t0.elapsed().as_secs_f64(),
        s.events as f64 / cpu.max(1e-9),
        bytes as f64 / cpu.max(1e-9) / 1e6,
        peak_kib().unwrap_or(0) / 1024
    );
    Ok(())
}
