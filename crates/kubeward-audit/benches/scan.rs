//! Throughput of `audit scan` on generated realistic AKS audit logs (every rule), next to
//! Debian's jq filtering the same file, in one run.
//!
//! `cargo bench -p kubeward-audit --bench scan`. Two files are generated once under the target
//! directory and kept: JSON lines of `audit.k8s.io/v1` Events (about 780 bytes each) and the
//! same traffic as AKS resource-log records (a storage account's `PT1H.json` lines), each
//! `KUBEWARD_BENCH_MB` (default 200) MiB. For each: the scan in parts on every core, the scan
//! from start to end on one thread, and `jq -c 'select(.verb=="create" and
//! .objectRef.subresource=="exec")'`. When `KUBEWARD_BIN` names a built `kubeward` (e.g.
//! `target/release/kubeward`), the command line `kubeward audit scan FILE -o json` is also timed
//! against jq with hyperfine (when installed). `KUBEWARD_BENCH_JQ=0` skips jq.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use kubeward_audit::scan::{Input, ScanOptions};
use kubeward_audit::synth::{Form, Traffic};

#[path = "../../../benches/proc_stats.rs"]
mod proc_stats;
use proc_stats::{cpu_seconds, peak_kib};

fn generate(path: &Path, form: Form, bytes: u64) -> std::io::Result<()> {
    if std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) >= bytes {
        return Ok(());
    }
    eprintln!("generating {} ...", path.display());
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    Traffic::new(2026, form).write(&mut w, bytes)?;
    w.flush()
}

/// Best of three: (wall seconds, CPU seconds, events, matches, parts).
fn time_scan(path: &Path, threads: usize) -> (f64, f64, u64, u64, usize) {
    let opts = ScanOptions {
        threads: Some(threads),
        ..ScanOptions::default()
    };
    let inputs = [Input::Path(path.to_path_buf())];
    let mut best = (f64::MAX, f64::MAX, 0, 0, 0);
    for _ in 0..3 {
        let cpu0 = cpu_seconds().unwrap_or(0.0);
        let t = Instant::now();
        let Ok(run) = kubeward_audit::run(&inputs, &opts) else {
            return best;
        };
        let out = run.outcome;
        let secs = t.elapsed().as_secs_f64();
        let cpu = cpu_seconds().unwrap_or(0.0) - cpu0;
        if secs < best.0 {
            best = (
                secs,
                cpu,
                out.stats.events,
                out.hits.iter().map(|h| h.total()).sum(),
                out.files[0].parts,
            );
        }
    }
    best
}

fn jq(path: &Path) -> Option<f64> {
    let t = Instant::now();
    let o = Command::new("jq")
        .args([
            "-c",
            r#"select(.verb=="create" and .objectRef.subresource=="exec")"#,
        ])
        .arg(path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    o.success().then(|| t.elapsed().as_secs_f64())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mb: u64 = std::env::var("KUBEWARD_BENCH_MB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(&dir)?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let run_jq = std::env::var("KUBEWARD_BENCH_JQ").as_deref() != Ok("0");
    for (form, tag) in [(Form::Event, "events"), (Form::AksRecord, "aks-records")] {
        let path = dir.join(format!("audit-{tag}-{mb}MB.jsonl"));
        generate(&path, form, mb << 20)?;
        let size = std::fs::metadata(&path)?.len() as f64 / (1 << 20) as f64;
        println!("== {} ({size:.1} MiB)", path.display());
        let (par, par_cpu, events, matches, parts) = time_scan(&path, cores);
        println!(
            "events: {events} ({:.0} bytes/event), rule matches: {matches}, parts: {parts}",
            size * (1 << 20) as f64 / events.max(1) as f64
        );
        println!(
            "kubeward scan, {cores} threads: {par:.3} s = {:.0} MiB/s (CPU {par_cpu:.2} s)",
            size / par
        );
        let (one, one_cpu, ..) = time_scan(&path, 1);
        println!(
            "kubeward scan, 1 thread:  {one:.3} s = {:.0} MiB/s (CPU {one_cpu:.2} s = {:.0} MiB/s per CPU-second)",
            size / one,
            size / one_cpu.max(0.001)
        );
        if run_jq {
            match jq(&path) {
                Some(j) => println!(
                    "jq -c 'select(.verb==\"create\" and .objectRef.subresource==\"exec\")': {j:.3} s = {:.0} MiB/s; kubeward is {:.1}x faster ({:.1}x on 1 thread)",
                    size / j,
                    j / par,
                    j / one
                ),
                None => println!("jq not run (install it with `apt-get install -y jq`)"),
            }
        }
        if let Ok(bin) = std::env::var("KUBEWARD_BIN") {
            // The command line, side by side with jq, as a user runs them.
            let status = Command::new("hyperfine")
                .args(["--warmup", "1", "--runs", "5", "-N", "-i"])
                .arg(format!("{bin} audit scan {} -o json", path.display()))
                .arg(format!(
                    "jq -c 'select(.verb==\"create\" and .objectRef.subresource==\"exec\")' {}",
                    path.display()
                ))
                .stdout(Stdio::inherit())
                .status();
            if status.is_err() {
                println!("hyperfine not run (install it with `apt-get install -y hyperfine`)");
            }
        }
    }
    println!(
        "peak memory (VmHWM): {:.1} MiB",
        peak_kib().unwrap_or(0) as f64 / 1024.0
    );
    Ok(())
}
