//! Throughput and memory of `audit scan` on a generated JSON-lines log of realistic ~1 KB events,
//! with every rule on one core, next to Debian's jq filtering the same file.
//!
//! `cargo bench -p kubeward-audit` — size with `KUBEWARD_BENCH_MB` (default 1024); the file is
//! generated once under the target directory and kept for later runs; `KUBEWARD_BENCH_JQ=0`
//! skips jq.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use kubeward_audit::scan::{Input, ScanOptions, scan};

fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// User + system CPU time of this process in seconds (from /proc/self/stat, 100 Hz ticks).
/// The scan runs on one thread, so this is the one core's time even when the machine is shared.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_comm = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after_comm.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mb: u64 = std::env::var("KUBEWARD_BENCH_MB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1024);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("audit-bench-{mb}MB.jsonl"));
    let target = mb << 20;
    if std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) < target {
        eprintln!("generating {} ...", path.display());
        let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
        let mut written = 0;
        let mut seed = 1;
        while written < target {
            written += kubeward_audit::synth::write_events(&mut w, 10_000, seed)?;
            seed += 1;
        }
        w.flush()?;
    }
    let size = std::fs::metadata(&path)?.len();
    let hwm_before = vm_hwm_kib().unwrap_or(0);

    let opts = ScanOptions {
        threads: Some(1),
        ..ScanOptions::default()
    };
    let inputs = [Input::Path(path.clone())];
    let mut best = f64::MAX;
    let mut best_cpu = f64::MAX;
    let mut events = 0;
    let mut matches = 0;
    for _ in 0..3 {
        let cpu0 = cpu_seconds().unwrap_or(0.0);
        let t = Instant::now();
        let out = scan(&inputs, &opts);
        let secs = t.elapsed().as_secs_f64();
        best = best.min(secs);
        let cpu = cpu_seconds().unwrap_or(0.0) - cpu0;
        best_cpu = best_cpu.min(cpu);
        events = out.stats.events;
        matches = out.hits.iter().map(|h| h.total()).sum::<u64>();
    }
    let hwm = vm_hwm_kib().unwrap_or(0);
    let mbps = size as f64 / (1 << 20) as f64 / best;
    println!(
        "input: {} ({:.1} MiB, {events} events, {:.0} bytes/event)",
        path.display(),
        size as f64 / (1 << 20) as f64,
        size as f64 / events.max(1) as f64
    );
    println!(
        "kubeward audit scan, {} rules, 1 thread: {best:.2} s = {mbps:.0} MiB/s ({:.0} events/s), {matches} rule matches",
        kubeward_audit::rules::RULES.len(),
        events as f64 / best
    );
    if best_cpu > 0.0 {
        println!(
            "CPU time of the scan: {best_cpu:.2} s = {:.0} MiB/s per CPU-second (wall time is longer when other processes share the cores)",
            size as f64 / (1 << 20) as f64 / best_cpu
        );
    }
    println!(
        "peak memory (VmHWM): {:.1} MiB (before the scan: {:.1} MiB)",
        hwm as f64 / 1024.0,
        hwm_before as f64 / 1024.0
    );

    if std::env::var("KUBEWARD_BENCH_JQ").as_deref() == Ok("0") {
        return Ok(());
    }
    let t = Instant::now();
    let jq = Command::new("jq")
        .args([
            "-c",
            r#"select(.verb=="create" and .objectRef.subresource=="exec")"#,
        ])
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .output();
    match jq {
        Ok(o) if o.status.success() => {
            let secs = t.elapsed().as_secs_f64();
            let lines = o.stdout.iter().filter(|&&b| b == b'\n').count();
            println!(
                "jq -c 'select(.verb==\"create\" and .objectRef.subresource==\"exec\")': {secs:.2} s = {:.0} MiB/s, {lines} lines",
                size as f64 / (1 << 20) as f64 / secs
            );
            println!(
                "ratio: kubeward (all rules) is {:.1}x faster than jq (one filter)",
                secs / best
            );
        }
        Ok(o) => println!("jq failed: {}", o.status),
        Err(e) => println!("jq not run ({e}); install it with `apt-get install -y jq`"),
    }
    Ok(())
}
