//! Replays every saved fuzz corpus input, and every input that once crashed a harness, through the
//! same harness functions the fuzzer runs (`fuzz/corpus/<target>`, `fuzz/regressions/<target>`).

use std::path::{Path, PathBuf};

use kubeward_fuzz::TARGETS;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

/// Runs every input, catching panics so one failure names every failing file.
fn replay(kind: &str) -> usize {
    let mut failures = Vec::new();
    let mut count = 0;
    for t in TARGETS {
        for path in files(&fuzz_dir().join(kind).join(t.name)) {
            let data = std::fs::read(&path).expect("read a corpus file");
            count += 1;
            if std::panic::catch_unwind(|| (t.run)(&data)).is_err() {
                failures.push(path.display().to_string());
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} {kind} inputs fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
    count
}

#[test]
fn every_target_has_a_saved_corpus() {
    for t in TARGETS {
        let n = files(&fuzz_dir().join("corpus").join(t.name)).len();
        assert!(n > 0, "no saved corpus for {}", t.name);
    }
}

#[test]
fn saved_corpora_replay_without_failure() {
    let n = replay("corpus");
    println!("replayed {n} corpus inputs");
}

#[test]
fn inputs_that_once_crashed_replay_without_failure() {
    let n = replay("regressions");
    println!("replayed {n} regression inputs");
}
