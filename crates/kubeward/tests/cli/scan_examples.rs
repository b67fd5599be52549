//! `kubeward scan examples/`: the newcomer's first minute, as a snapshot of the whole JSON report
//! (its HTML is checked in Chromium by `cli_html.rs`).
#![allow(clippy::unwrap_used)]

use crate::common;

use std::process::Command;

use common::*;

#[test]
fn scan_of_the_examples_is_stable() {
    let dir = tempfile::tempdir().unwrap();
    materialized_examples(dir.path());
    let json_path = dir.path().join("report.json");
    let out = Command::new(env!("CARGO_BIN_EXE_kubeward"))
        .current_dir(dir.path())
        .args(["scan", "examples", "--as-of", "2026-11-27", "--no-waivers"])
        .arg("-o")
        .arg(format!("json={}", json_path.display()))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "the examples hold failures: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let text = std::fs::read_to_string(&json_path).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    for area in [
        "node",
        "workloads",
        "netpol",
        "aks",
        "audit",
        "profiles",
        "policy",
    ] {
        assert!(
            json["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["area"] == area),
            "the example scan covers the {area} area"
        );
    }
    assert!(
        json["input_errors"].as_array().unwrap().is_empty(),
        "{}",
        json["input_errors"]
    );
    let mut settings = insta::Settings::clone_current();
    settings.add_redaction(".tool.version", "[version]");
    settings.bind(|| insta::assert_json_snapshot!("scan_examples", json));
}

/// In a scanned folder, a YAML file that does not parse is an input error (a broken manifest is
/// not "something else"), and files recognised as nothing are counted and named, never dropped
/// silently.
#[test]
fn a_broken_manifest_in_a_folder_is_an_input_error_and_unknown_files_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("repo");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("broken.yaml"), "kind: [unclosed\n").unwrap();
    std::fs::write(d.join("values.yaml"), "replicas: 3\n").unwrap();
    std::fs::write(d.join("README.txt"), "hello\n").unwrap();
    std::fs::write(
        d.join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec:\n  containers: [{name: c, image: nginx}]\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kubeward"))
        .current_dir(dir.path())
        .args([
            "scan",
            "repo",
            "--no-waivers",
            "-o",
            "json",
            "--fail-on-error",
        ])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors = json["input_errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["path"], "repo/broken.yaml");
    assert_eq!(json["facts"]["skipped_files"]["count"], 2);
    assert_eq!(
        json["facts"]["skipped_files"]["files"],
        serde_json::json!(["repo/README.txt", "repo/values.yaml"])
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "--fail-on-error fails on the broken file"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("2 file(s)"));
}
