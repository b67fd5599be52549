//! Bad input gives the affected checks ERROR with the reason, and the scan goes on.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use kubeward_core::{Report, Status};
use kubeward_node::{ScanOptions, scan};

const CONFIG: &str = "/etc/default/kubeletconfig.json";

/// The checks that depend on the config file say ERROR with `reason`; the others still judge.
fn assert_config_error(r: &Report, reason: &str) {
    for code in [
        "N120", "N121", "N122", "N123", "N124", "N126", "N128", "N131",
    ] {
        let f = finding(r, code);
        assert_eq!(f.status, Status::Error, "{code}: {}", f.message);
        assert!(
            f.message.contains(reason),
            "{code}: {:?} lacks {reason:?}",
            f.message
        );
    }
    // Flags still win over an unreadable file, so a flag-set value is still judged.
    assert_eq!(
        status(r, "N130"),
        Status::Pass,
        "--rotate-certificates=true is on the command line"
    );
    // File checks are unaffected; the scan went on with every check.
    assert_eq!(status(r, "N101"), Status::Pass);
    assert_eq!(r.findings.len(), 21);
    assert!(
        r.input_errors
            .iter()
            .any(|e| e.path.contains(CONFIG) && e.message.contains(reason)),
        "{:?}",
        r.input_errors
    );
}

#[test]
fn config_is_a_directory() {
    let node = aks_node();
    std::fs::remove_file(node.path(CONFIG)).unwrap();
    std::fs::create_dir(node.path(CONFIG)).unwrap();
    assert_config_error(&node.scan(), "is a directory, not a regular file");
}

#[test]
fn config_is_a_fifo_and_the_scan_does_not_block() {
    let node = aks_node();
    std::fs::remove_file(node.path(CONFIG)).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(node.path(CONFIG))
        .status();
    if !made.is_ok_and(|s| s.success()) {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "mkfifo is needed in CI"
        );
        eprintln!("skipping: mkfifo not available");
        return;
    }
    assert_config_error(&node.scan(), "is a FIFO, not a regular file");
}

#[test]
fn config_is_neither_json_nor_yaml() {
    let node = aks_node();
    node.write(
        CONFIG,
        b"kind: KubeletConfiguration\nreadOnlyPort: [0\n\t- broken: {\n",
    );
    let r = node.scan();
    assert_config_error(&r, "neither JSON nor valid YAML");
    // One line with the line number, the path once, and no echo of the file's content.
    let e = r.input_errors.iter().find(|e| e.path == CONFIG).unwrap();
    assert_eq!(e.line, Some(2), "{e:?}");
    assert!(
        e.message.starts_with("neither JSON nor valid YAML"),
        "{e:?}"
    );
    assert!(
        !e.message.contains('\n') && !e.message.contains("broken"),
        "{e:?}"
    );
    node.write(
        CONFIG,
        b"{\n  \"readOnlyPort\": 0,\n  \"authentication\": {\n}\n",
    );
    let r = node.scan();
    assert_config_error(&r, "not valid JSON");
    let e = r.input_errors.iter().find(|e| e.path == CONFIG).unwrap();
    assert!(e.line.is_some(), "JSON errors carry a line: {e:?}");
    node.write(CONFIG, b"just some words\n");
    assert_config_error(&node.scan(), "not a KubeletConfiguration mapping");
}

#[test]
fn config_is_a_symlink_loop() {
    let node = aks_node();
    std::fs::remove_file(node.path(CONFIG)).unwrap();
    std::os::unix::fs::symlink("/etc/default/loop-b", node.path(CONFIG)).unwrap();
    std::os::unix::fs::symlink(CONFIG, node.path("/etc/default/loop-b")).unwrap();
    assert_config_error(&node.scan(), "too many levels of symbolic links");
}

#[test]
fn kubeconfig_symlink_loop_is_an_error_for_its_checks_only() {
    let node = aks_node();
    let kc = "/var/lib/kubelet/kubeconfig";
    std::fs::remove_file(node.path(kc)).unwrap();
    std::os::unix::fs::symlink(kc, node.path(kc)).unwrap();
    let r = node.scan();
    for code in ["N101", "N102"] {
        let f = finding(&r, code);
        assert_eq!(f.status, Status::Error, "{code}");
        assert!(f.message.contains("symbolic links"), "{}", f.message);
    }
    assert_eq!(status(&r, "N120"), Status::Pass);
}

#[test]
fn a_one_gigabyte_config_is_refused_without_reading_it() {
    let node = aks_node();
    std::fs::remove_file(node.path(CONFIG)).unwrap();
    let f = std::fs::File::create(node.path(CONFIG)).unwrap();
    f.set_len(1 << 30).unwrap(); // sparse: no disk used
    drop(f);
    assert_config_error(
        &node.scan(),
        "1073741824 bytes, more than the 4194304-byte limit",
    );
}

#[test]
fn an_unreadable_kubelet_defaults_file_is_reported_and_detection_goes_on() {
    // /etc/default/kubelet is where the version comes from: a 1 GB one is refused, said so, and the
    // node is still identified as AKS (azure.json, the --node-labels flag).
    let node = aks_node();
    let path = "/etc/default/kubelet";
    std::fs::remove_file(node.path(path)).unwrap();
    let f = std::fs::File::create(node.path(path)).unwrap();
    f.set_len(1 << 30).unwrap();
    drop(f);
    let r = node.scan();
    let e = r.input_errors.iter().find(|e| e.path == path);
    assert!(
        e.is_some_and(|e| e.message.contains("1073741824 bytes")),
        "{:?}",
        r.input_errors
    );
    let p = r.profile.as_ref().unwrap();
    assert_eq!(p.id, "cis-aks-1.8");
    assert!(
        p.reason.contains("version not found locally"),
        "{}",
        p.reason
    );
    assert_eq!(r.findings.len(), 21, "every check still ran");
}

#[test]
fn permission_denied_when_not_root() {
    let node = aks_node();
    if node.as_root {
        eprintln!(
            "skipping: root reads mode-000 files; the directory-as-file case covers unreadable input as root"
        );
        return;
    }
    node.chmod(CONFIG, 0o000);
    assert_config_error(&node.scan(), "permission denied");
}

#[test]
fn bootstrap_kubeconfig_directory_is_an_error() {
    let node = aks_node();
    let p = "/var/lib/kubelet/bootstrap-kubeconfig";
    std::fs::remove_file(node.path(p)).unwrap();
    std::fs::create_dir(node.path(p)).unwrap();
    let r = node.scan();
    let f = finding(&r, "N150");
    assert_eq!(f.status, Status::Error);
    assert!(f.message.contains("is a directory"), "{}", f.message);
    assert_eq!(r.findings.len(), 21);
}

#[test]
fn no_kubelet_gives_one_not_applicable_finding() {
    let node = aks_node();
    std::fs::remove_dir_all(node.path("/proc/2371")).unwrap();
    let out = scan(&ScanOptions::new(node.root()));
    assert!(!out.kubelet_found);
    assert_eq!(out.report.findings.len(), 1);
    let f = &out.report.findings[0];
    assert_eq!(
        (f.code.as_str(), f.name.as_str(), f.status),
        ("K100", "kubelet-not-found", Status::NotApplicable)
    );
    assert!(
        f.message.contains("no kubelet is running here"),
        "{}",
        f.message
    );
    let facts =
        kubeward_node::NodeFacts::from_report_json(&serde_json::to_value(&out.report).unwrap())
            .unwrap();
    assert!(!facts.kubelet_found);
}

#[test]
fn unreadable_proc_is_an_error() {
    let node = aks_node();
    let mut o = ScanOptions::new(node.root());
    o.proc = node.path("/does/not/exist");
    let out = scan(&o);
    assert!(!out.kubelet_found);
    assert_eq!(out.report.findings.len(), 1);
    assert_eq!(out.report.findings[0].status, Status::Error);
    assert_eq!(out.report.input_errors.len(), 1);
}

#[test]
fn unknown_kind_and_bad_feature_gate_are_reported() {
    let node = aks_node();
    node.write(CONFIG, b"apiVersion: v1\nkind: Pod\n");
    let r = node.scan();
    assert_eq!(status(&r, "N120"), Status::Error);
    assert!(
        finding(&r, "N120")
            .message
            .contains("not KubeletConfiguration")
    );

    let node = aks_node();
    node.set_kubelet_argv(
        AKS_KUBELET_PID,
        &[
            "/opt/bin/kubelet",
            "--config",
            CONFIG,
            "--feature-gates=Junk,SeccompDefault=true",
        ],
    );
    let r = node.scan();
    assert!(
        r.input_errors
            .iter()
            .any(|e| e.path == "/proc/2371/cmdline" && e.message.contains("\"Junk\"")),
        "{:?}",
        r.input_errors
    );
    assert_eq!(
        status(&r, "N120"),
        Status::Pass,
        "the rest of the command line is still used"
    );
}

#[test]
fn a_similarly_named_process_is_not_the_kubelet() {
    let node = aks_node();
    std::fs::remove_dir_all(node.path("/proc/2371")).unwrap();
    node.write("/proc/50/comm", b"kubelet-csr-app\n");
    node.write(
        "/proc/50/cmdline",
        b"/usr/local/bin/kubelet-csr-approver\0--v=2\0",
    );
    let out = scan(&ScanOptions::new(node.root()));
    assert!(!out.kubelet_found);
    // hyperkube runs the kubelet as a sub-command.
    node.write("/proc/60/comm", b"hyperkube\n");
    node.write(
        "/proc/60/cmdline",
        b"/hyperkube\0kubelet\0--config\0/etc/default/kubeletconfig.json\0",
    );
    let out = scan(&ScanOptions::new(node.root()));
    assert!(out.kubelet_found);
    let mut r = out.report;
    r.finish();
    assert_eq!(status(&r, "N120"), Status::Pass);
}
