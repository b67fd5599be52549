//! Connectivity-list benchmark: synthetic clusters (100 namespaces, 2,000 workloads, 10,000
//! pods, 1,000 policies at full scale) written to disk, loaded, analysed and listed as txt to a
//! file. Prints wall time per stage and peak resident memory; then how time grows from 1,000 to
//! 10,000 pods. Run with `cargo bench -p kubeward-netpol --bench connlist`.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use kubeward_netpol::EngineFact;
use kubeward_netpol::connlist::Format;
use kubeward_netpol::engine::Engine;
use kubeward_netpol::model::Model;
use kubeward_netpol::output;
use kubeward_netpol::synth::{Scale, generate};

#[path = "../../../benches/proc_stats.rs"]
mod proc_stats;
use proc_stats::peak_mib;

struct Run {
    exposure: f64,
    findings: f64,
    finding_count: usize,
    load: f64,
    analyse: f64,
    list: f64,
    write: f64,
    lines: usize,
    classes: usize,
    bytes: u64,
}

fn run(scale: Scale, dir: &Path) -> Run {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("bench dir");
    for (name, text) in generate(scale) {
        std::fs::write(dir.join(name), text).expect("write manifest");
    }
    let t = Instant::now();
    let inv = output::load(&[dir.to_path_buf()]);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors.first());
    let load = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let model = Model::build(&inv);
    assert!(model.problems.is_empty(), "{:?}", model.problems.first());
    assert_eq!(model.workloads.len(), scale.workloads);
    let analysis = output::analyse(&model, &EngineFact::given(Engine::Default));
    let analyse = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let list = output::connections(&analysis);
    let list_t = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let out_path = dir.join("connlist.txt");
    let file = std::fs::File::create(&out_path).expect("create output");
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    output::render_list(&analysis, &list, Format::Txt, false, &mut w).expect("write list");
    w.flush().expect("flush");
    let write = t.elapsed().as_secs_f64();
    let bytes = std::fs::metadata(&out_path).map(|m| m.len()).unwrap_or(0);
    let t = Instant::now();
    let findings = output::findings(&inv, &analysis);
    let findings_t = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut exposure_out = Vec::new();
    output::render_list(&analysis, &list, Format::Txt, true, &mut exposure_out).expect("exposure");
    let exposure_t = t.elapsed().as_secs_f64();
    Run {
        exposure: exposure_t,
        findings: findings_t,
        finding_count: findings.len(),
        load,
        analyse,
        list: list_t,
        write,
        lines: list.len(),
        classes: analysis.classes.len(),
        bytes,
    }
}

fn main() {
    let base = std::env::temp_dir().join(format!("kubeward-netpol-bench-{}", std::process::id()));
    println!("netpol connlist benchmark (wall time, one run each)");
    let full = run(Scale::TARGET, &base.join("full"));
    let total = full.load + full.analyse + full.list + full.write;
    println!(
        "target scale: 100 namespaces, 2000 workloads, 10000 pods, 1000 policies\n  load {:.2}s  model+classes {:.2}s  connlist {:.2}s  write txt {:.2}s  total {:.2}s\n  {} lines ({:.1} MiB), {} pod classes, peak RSS {:.0} MiB",
        full.load,
        full.analyse,
        full.list,
        full.write,
        total,
        full.lines,
        full.bytes as f64 / 1048576.0,
        full.classes,
        peak_mib().unwrap_or(f64::NAN)
    );
    println!(
        "  coverage + exposure findings: {} in {:.2}s; list --exposure analysis {:.2}s",
        full.finding_count, full.findings, full.exposure
    );
    println!("growth (pods -> total seconds, connlist lines):");
    for pods in [1000, 2500, 5000, 10_000] {
        let r = run(Scale::with_pods(pods), &base.join(format!("p{pods}")));
        println!(
            "  {pods:>6} pods: {:.2}s ({} lines, {} classes)",
            r.load + r.analyse + r.list + r.write,
            r.lines,
            r.classes
        );
    }
    let _ = std::fs::remove_dir_all(&base);
}
