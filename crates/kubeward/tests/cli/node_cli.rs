//! `kubeward node` as a user runs it: a machine that is not a node, and proof that a whole node
//! scan (the real binary, not the library) starts no other process.

use crate::common;

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

#[test]
fn not_a_node_says_so_in_text_without_verbose() {
    let empty = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(empty.path().join("proc")).expect("mkdir proc");
    let out = Command::cargo_bin("kubeward")
        .expect("binary")
        .args(["node", "--root"])
        .arg(empty.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    // The one finding is the answer: listed, not counted away behind --verbose.
    assert!(text.contains("kubelet-not-found"), "{text}");
    assert!(text.contains("no kubelet is running here"), "{text}");
    assert!(!text.contains("not shown"), "{text}");
}

#[test]
fn node_sarif_of_the_example_passes_the_sarif_multitool() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sarif = dir.path().join("node.sarif");
    let out = Command::cargo_bin("kubeward")
        .expect("binary")
        .args(["node", "--no-waivers", "--root"])
        .arg(example_root())
        .arg("-o")
        .arg(format!("sarif={}", sarif.display()))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "the example has FAIL findings");
    common::validate_sarif(dir.path(), &sarif);
    // The file was the node report: results for the example's FAIL findings are in it.
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).expect("sarif")).expect("JSON");
    assert!(
        sarif["runs"][0]["results"]
            .as_array()
            .is_some_and(|r| r.len() >= 5)
    );
}

/// The formats a person or a CI server reads, for the example node (materialised with its MODES),
/// exactly as the binary writes them. Owners need root to set, so the snapshots need root.
#[test]
fn example_node_reports_in_every_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("node");
    let as_root = kubeward_node::example::materialize(&example_root(), &root).expect("materialise");
    if !as_root {
        assert!(!common::in_ci(), "CI runs as root");
        eprintln!("skipped: the example's owners can only be set as root");
        return;
    }
    let mut args = vec!["node".to_string(), "--no-waivers".into(), "--root".into()];
    args.push(root.display().to_string());
    for format in ["text", "junit", "sarif", "markdown"] {
        args.push("-o".into());
        args.push(format!("{format}={}", dir.path().join(format).display()));
    }
    let out = Command::cargo_bin("kubeward")
        .expect("binary")
        .args(&args)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown_root = root.display().to_string();
    let read = |format: &str| {
        std::fs::read_to_string(dir.path().join(format))
            .expect("report written")
            .replace(&shown_root, "[node root]")
    };
    insta::assert_snapshot!("aks_node_text", read("text"));
    insta::assert_snapshot!("aks_node_junit", read("junit"));
    insta::assert_snapshot!("aks_node_sarif", read("sarif"));
    insta::assert_snapshot!("aks_node_markdown", read("markdown"));
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
