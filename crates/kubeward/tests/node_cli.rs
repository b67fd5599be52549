//! `kubeward node` as a user runs it: a machine that is not a node, and proof that a whole node
//! scan (the real binary, not the library) starts no other process.

use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

fn example_root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/aks-node")
}

#[test]
fn not_a_node_gives_one_finding_and_exit_2() {
    let empty = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(empty.path().join("proc")).expect("mkdir proc");
    let out = Command::cargo_bin("kubeward")
        .expect("binary")
        .args(["node", "--root"])
        .arg(empty.path())
        .args(["-o", "json"])
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(2),
        "documented exit code for 'no kubelet found'"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(
        findings.len(),
        1,
        "one finding, not a wall of FAILs: {findings:?}"
    );
    assert_eq!(findings[0]["name"], "kubelet-not-found");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no kubelet found"));
}

fn strace_available() -> bool {
    Command::new("strace")
        .arg("-V")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

#[test]
fn a_whole_node_scan_starts_no_child_process() {
    if !strace_available() {
        assert!(
            std::env::var("CI").is_err(),
            "strace is required in CI (scripts/install-test-deps.sh installs it)"
        );
        eprintln!("skipped: strace is not installed");
        return;
    }
    let bin = assert_cmd::cargo::cargo_bin("kubeward");
    let dir = tempfile::tempdir().expect("tempdir");
    let trace = dir.path().join("trace");
    let out = Command::new("strace")
        .args([
            "-f",
            "-qq",
            "-e",
            "trace=execve,execveat,fork,vfork,clone,clone3",
            "-o",
        ])
        .arg(&trace)
        .arg(&bin)
        .args(["node", "--root"])
        .arg(example_root())
        .args(["-o", "json", "--fail-on", "never"])
        .output()
        .expect("strace runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&trace).expect("trace written");
    let execs = text
        .lines()
        .filter(|l| l.contains("execve(") || l.contains("execveat("))
        .count();
    assert_eq!(execs, 1, "only kubeward itself is executed:\n{text}");
    let forks: Vec<&str> = text
        .lines()
        .filter(|l| {
            l.contains("fork(")
                || ((l.contains("clone(") || l.contains("clone3(")) && !l.contains("CLONE_THREAD"))
        })
        .collect();
    assert!(forks.is_empty(), "a process was created: {forks:?}");
    // The report really is a node report (the scan ran, it did not exit early).
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert!(report["findings"].as_array().is_some_and(|f| f.len() > 10));
}
