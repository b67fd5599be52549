//! Whole in-process node scan of `examples/aks-node` (materialised with its MODES into a temp dir):
//! kubelet discovery, effective config, LSM facts, every check, report finish and JSON rendering.
//! Prints min / median / p90 over many runs. `cargo bench -p kubeward-node`.
//!
//! Then the whole process, as a user runs it: `kubeward node --root <example> -o json`, started 50
//! times, when a release binary is there (`cargo build --release -p kubeward` first, or point
//! `KUBEWARD_BIN` at one).
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use kubeward_node::{ScanOptions, example, scan};

fn stats(mut v: Vec<Duration>) -> (Duration, Duration, Duration) {
    v.sort();
    (v[0], v[v.len() / 2], v[v.len() * 9 / 10])
}

fn main() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/aks-node");
    let dir = tempfile::tempdir().unwrap();
    example::materialize(&src, dir.path()).unwrap();
    let opts = ScanOptions::new(dir.path());
    for _ in 0..20 {
        let _ = scan(&opts);
    }
    let runs = 500;
    let mut scan_only = Vec::with_capacity(runs);
    let mut with_json = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let out = scan(&opts);
        scan_only.push(t.elapsed());
        let mut report = out.report;
        report.finish();
        let json = serde_json::to_string(&report).unwrap();
        with_json.push(t.elapsed());
        assert!(json.len() > 1000);
    }
    let (min, med, p90) = stats(scan_only);
    println!(
        "node_scan (examples/aks-node, {runs} runs): min {min:?}  median {med:?}  p90 {p90:?}"
    );
    let (min, med, p90) = stats(with_json);
    println!(
        "node_scan + finish + JSON:                  min {min:?}  median {med:?}  p90 {p90:?}"
    );

    let bin = std::env::var_os("KUBEWARD_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/release/kubeward")
        });
    if !bin.is_file() {
        println!(
            "whole process: skipped, no binary at {} (cargo build --release -p kubeward)",
            bin.display()
        );
        return;
    }
    let runs = 50;
    let mut whole = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let out = std::process::Command::new(&bin)
            .args(["node", "--no-waivers", "-o", "json", "--root"])
            .arg(dir.path())
            .output()
            .unwrap();
        whole.push(t.elapsed());
        assert_eq!(out.status.code(), Some(1), "the example has FAIL findings");
    }
    let (min, med, p90) = stats(whole);
    println!(
        "whole process ({}, {runs} runs):   min {min:?}  median {med:?}  p90 {p90:?}",
        bin.display()
    );
}
