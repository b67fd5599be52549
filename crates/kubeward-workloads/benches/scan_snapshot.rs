//! Benchmark (not a timed test): a 100,000-object `kubectl get -o json` snapshot loaded and
//! evaluated with every check `kubeward workloads` runs (exposure by the network-policy engine,
//! Pod Security, CIS section 4, RBAC, profiles), and a 60-file manifest folder. Prints wall and
//! CPU times and peak resident memory (VmHWM). Rendering the report is not included; for the
//! whole binary, time `kubeward workloads SNAPSHOT -o json --output-file FILE` (e.g. with
//! `/usr/bin/time -v`) on a snapshot written by this generator.
//!
//! `cargo bench -p kubeward-workloads --bench scan_snapshot` (objects: `KUBEWARD_BENCH_OBJECTS`).

mod support;

// The binary's allocator, so these figures are the ones `kubeward workloads` gives.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use kubeward_inventory::{LoadOptions, load_paths};
use kubeward_workloads::pipeline;
use kubeward_workloads::pss::{self, Level, Version};
use support::snapshot::{Mix, write_folder, write_list};

#[path = "../../../benches/proc_stats.rs"]
mod proc_stats;
use proc_stats::{cpu_ms, peak_mib, rss_mib};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let objects: usize = std::env::var("KUBEWARD_BENCH_OBJECTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let dir = std::env::temp_dir().join(format!("kubeward-bench-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("cannot create {}: {e}", dir.display());
        return;
    }
    let snapshot = dir.join("snapshot.json");
    let mix = Mix::for_total(objects);
    let bytes = match write_list(&snapshot, &mix) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot write the snapshot: {e}");
            return;
        }
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let load_avg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "machine load average before the run: {}",
        load_avg
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "snapshot: {} objects ({} Deployments), {:.1} MB, {threads} threads",
        mix.total(),
        mix.deployments,
        bytes as f64 / 1e6
    );
    let rss_before = peak_mib().unwrap_or(0.0);

    let c0 = cpu_ms();
    let start = Instant::now();
    let inv = load_paths(std::slice::from_ref(&snapshot), &LoadOptions::default());
    let load = start.elapsed();
    let c1 = cpu_ms();
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    assert_eq!(inv.objects.len(), mix.total());

    let after_load = rss_mib().unwrap_or(0.0);

    // Exactly what `kubeward workloads SNAPSHOT` runs (the same library function): exposure
    // under the network-policy engine, every workload check, platform-managed objects marked.
    let t = Instant::now();
    let mut report = kubeward_core::Report::new("workloads");
    pipeline::run(&inv, &pipeline::Options::default(), &mut report, Vec::new());
    let scan_time = t.elapsed();
    let c2 = cpu_ms();
    let findings = report.findings;
    let total = load + scan_time;
    let peak = peak_mib().unwrap_or(0.0);
    println!(
        "  load:                  {:8.0} ms  cpu {:6.0} ms  (RSS after load {after_load:.0} MiB)",
        ms(load),
        c1 - c0
    );
    println!(
        "  exposure and checks:   {:8.0} ms  cpu {:6.0} ms  ({} findings in all)",
        ms(scan_time),
        c2 - c1,
        findings.len()
    );
    println!(
        "  total (all checks):    {:8.0} ms  cpu {:6.0} ms  peak RSS {:.0} MiB (before loading {:.0} MiB)   target ≤ 3000 ms, ≤ 1024 MiB",
        ms(total),
        c2 - c0,
        peak,
        rss_before
    );
    drop(findings);

    // `kubeward pss` (verdicts only, no findings).
    let t = Instant::now();
    let verdicts = pss::verdicts(&inv, Level::Restricted, Version::Latest);
    let denied = verdicts.iter().filter(|v| !v.allowed).count();
    println!(
        "  `kubeward pss` verdicts: {:6.0} ms  ({denied} of {} denied at restricted)",
        ms(t.elapsed()),
        verdicts.len()
    );
    drop(verdicts);
    drop(inv);

    let folder: PathBuf = dir.join("folder");
    if let Err(e) = write_folder(&folder, 60) {
        eprintln!("cannot write the folder: {e}");
        return;
    }
    let mut times = Vec::new();
    let mut count = 0;
    for _ in 0..30 {
        let t = Instant::now();
        let inv = load_paths(std::slice::from_ref(&folder), &LoadOptions::default());
        let mut o = kubeward_core::Report::new("workloads");
        pipeline::run(&inv, &pipeline::Options::default(), &mut o, Vec::new());
        times.push(t.elapsed());
        count = inv.objects.len();
        assert!(inv.errors.is_empty(), "{:?}", inv.errors);
        std::hint::black_box(o);
    }
    times.sort();
    println!(
        "folder: {count} files, load + exposure + workload checks: median {:.1} ms, min {:.1} ms (target ≤ 20 ms)",
        ms(times[times.len() / 2]),
        ms(times[0])
    );
    let _ = std::fs::remove_dir_all(&dir);
}
