//! Benchmark (not a timed test): the 15 pod-security-policy templates of Gatekeeper's library,
//! each with its first sample constraint, applied to a generated 10,000-object snapshot (the
//! workloads bench's generator: Deployments, StatefulSets, Services, Roles…; every workload is
//! also reviewed as its Pod) and to the repository's `examples/` folder. Prints wall and CPU
//! times, outcome counts and peak resident memory, for the default engine choice (CEL where a
//! template has it) and for Rego alone.
//!
//! `cargo bench -p kubeward-policy --bench policy_psp` (objects: `KUBEWARD_BENCH_OBJECTS`;
//! library: `KUBEWARD_CONFORMANCE_DIR`, as for the conformance tests).

// The binary's allocator, so these figures are the ones the binary gives.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

// The snapshot generator the workloads benchmark uses, so both measure the same objects.
#[allow(dead_code)]
#[path = "../../kubeward-workloads/benches/support/snapshot.rs"]
mod snapshot;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kubeward_inventory::{LoadOptions, Object, load_paths};
use kubeward_policy::{Engine, EvalOptions, Outcome, PolicySet, Review, evaluate};

#[path = "../../../benches/proc_stats.rs"]
mod proc_stats;
use proc_stats::{cpu_ms, peak_mib};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn library() -> Option<PathBuf> {
    let root = match std::env::var_os("KUBEWARD_CONFORMANCE_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance"),
    };
    let dir = root.join("gatekeeper/library/pod-security-policy");
    dir.is_dir().then_some(dir)
}

/// Each template and its first sample's constraint.
fn policy_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("template.yaml").is_file())
        .collect();
    dirs.sort();
    for d in dirs {
        out.push(d.join("template.yaml"));
        let Ok(samples) = std::fs::read_dir(d.join("samples")) else {
            continue;
        };
        let mut samples: Vec<PathBuf> = samples.filter_map(|e| e.ok().map(|e| e.path())).collect();
        samples.sort();
        if let Some(first) = samples.iter().find(|s| s.join("constraint.yaml").is_file()) {
            out.push(first.join("constraint.yaml"));
        }
    }
    out
}

fn measure(label: &str, set: &PolicySet, objects: &[Object], engine: Option<Engine>) {
    let reviews: Vec<Review> = objects.iter().map(Review::of_object).collect();
    let opts = EvalOptions {
        engine,
        ..EvalOptions::default()
    };
    let (cpu0, t0) = (cpu_ms(), Instant::now());
    let outcomes = evaluate(set, &reviews, objects, &opts);
    let (wall, cpu) = (ms(t0.elapsed()), cpu_ms() - cpu0);
    let violations = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Violation(_)))
        .count();
    let errors = outcomes.len() - violations;
    println!(
        "{label:<44} engine {:<8} {:>9.1} ms wall {:>9.1} ms cpu  violations {violations:>7}  errors {errors}",
        engine.map_or("default", Engine::as_str),
        wall,
        cpu
    );
}

fn main() {
    let Some(lib) = library() else {
        eprintln!("SKIP: Gatekeeper library not found (set KUBEWARD_CONFORMANCE_DIR)");
        return;
    };
    let total: usize = std::env::var("KUBEWARD_BENCH_OBJECTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("threads: {threads}");

    let t0 = Instant::now();
    let policy = load_paths(&policy_files(&lib), &LoadOptions::default());
    let (set, _, errors) = PolicySet::load(&policy.objects);
    println!(
        "policies: {} templates, {} constraints, {} errors, compiled in {:.1} ms",
        set.templates().count(),
        set.constraints().count(),
        errors.len(),
        ms(t0.elapsed())
    );
    for e in &errors {
        println!("  {e}");
    }

    let dir = std::env::temp_dir().join(format!("kubeward-policy-bench-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("cannot create {}: {e}", dir.display());
        return;
    }
    let path = dir.join("snapshot.json");
    let mix = snapshot::Mix::for_total(total);
    if let Err(e) = snapshot::write_list(&path, &mix) {
        eprintln!("cannot write the snapshot: {e}");
        return;
    }
    let t1 = Instant::now();
    let snap = load_paths(&[path], &LoadOptions::default());
    let workloads = snap
        .objects
        .iter()
        .filter(|o| kubeward_inventory::is_workload(o))
        .count();
    println!(
        "snapshot: {} objects ({workloads} workloads), loaded in {:.1} ms",
        snap.objects.len(),
        ms(t1.elapsed())
    );
    let _ = std::fs::remove_dir_all(&dir);

    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let ex = load_paths(&[examples], &LoadOptions::default());
    println!("examples/: {} objects", ex.objects.len());

    for engine in [None, Some(Engine::Rego)] {
        measure("examples/", &set, &ex.objects, engine);
        measure(
            &format!("snapshot ({} objects)", snap.objects.len()),
            &set,
            &snap.objects,
            engine,
        );
    }
    if let Some(peak) = peak_mib() {
        println!("peak RSS: {peak:.0} MiB");
    }
}
