//! `kubeward scan examples/`: the newcomer's first minute, as a snapshot of the whole JSON report
//! (its HTML is checked in Chromium by `cli_html.rs`).
#![allow(clippy::unwrap_used)]

mod common;

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
    for area in ["node", "workloads", "netpol", "aks", "audit", "profiles"] {
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
