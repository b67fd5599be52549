//! A node scan starts no process: the scan runs in a child test process traced with
//! `strace -f -e trace=execve,clone,clone3,fork,vfork`; the trace must hold the one initial execve
//! and no process creation (threads, i.e. clone with CLONE_THREAD, are not processes).
//! Needs Debian's `strace`; skipped with a message when it is absent, unless CI=true.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;

const INNER_ENV: &str = "KUBEWARD_NODE_SCAN_UNDER_TRACE";

/// The traced part: run by the outer test only (ignored otherwise).
#[test]
#[ignore = "run by node_scan_starts_no_process under strace"]
fn traced_scan() {
    let Ok(root) = std::env::var(INNER_ENV) else {
        return;
    };
    let out = kubeward_node::scan(&kubeward_node::ScanOptions::new(&root));
    assert!(out.kubelet_found);
    assert_eq!(out.report.findings.len(), 21);
    println!("TRACED-SCAN-OK");
}

fn strace_available() -> bool {
    Command::new("strace")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A process-creating syscall in one strace line (threads excluded).
fn creates_process(line: &str) -> bool {
    let call = line
        .split_whitespace()
        .find(|w| w.contains('('))
        .unwrap_or("");
    let name = call.split('(').next().unwrap_or("");
    match name {
        "fork" | "vfork" => true,
        "clone" | "clone3" => !line.contains("CLONE_THREAD"),
        _ => false,
    }
}

#[test]
fn node_scan_starts_no_process() {
    if !strace_available() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "strace is required in CI (apt-get install strace)"
        );
        eprintln!("skipping: strace not installed (apt-get install strace)");
        return;
    }
    let node = common::aks_node();
    let trace = node.dir.path().join("strace.out");
    let exe = std::env::current_exe().unwrap();
    let out = Command::new("strace")
        .args([
            "-f",
            "-qq",
            "-e",
            "trace=execve,clone,clone3,fork,vfork",
            "-o",
        ])
        .arg(&trace)
        .arg(&exe)
        .args([
            "--exact",
            "traced_scan",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(INNER_ENV, node.root())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("Operation not permitted") && stderr.contains("PTRACE") {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "ptrace is not permitted: {stderr}"
        );
        eprintln!("skipping: ptrace not permitted here: {stderr}");
        return;
    }
    assert!(
        out.status.success(),
        "traced run failed: {stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("TRACED-SCAN-OK"),
        "the scan did not run under the trace: {stdout}"
    );
    let text = std::fs::read_to_string(&trace).unwrap();
    let execs: Vec<&str> = text.lines().filter(|l| l.contains("execve(")).collect();
    assert_eq!(execs.len(), 1, "only the initial execve expected:\n{text}");
    let spawns: Vec<&str> = text.lines().filter(|l| creates_process(l)).collect();
    assert!(
        spawns.is_empty(),
        "process creation during the scan:\n{}",
        spawns.join("\n")
    );
}

#[test]
fn the_trace_filter_recognises_process_creation() {
    assert!(creates_process(
        "123 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|SIGCHLD) = 124"
    ));
    assert!(creates_process("123 vfork() = 125"));
    assert!(creates_process(
        "123 clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD}, 88) = 126"
    ));
    assert!(!creates_process(
        "123 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM, ...}, 88) = 127"
    ));
    assert!(!creates_process(
        "123 execve(\"/bin/x\", [\"x\"], 0x7ff /* 3 vars */) = 0"
    ));
}
