//! End to end: a real scan writes JSON and HTML in one run; headless Chromium opens the HTML with no
//! console errors and renders as many findings as the JSON report holds. Chromium is installed by
//! `scripts/install-test-deps.sh`; without it the test fails under `CI=true` and is skipped otherwise.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::path::Path;
use std::process::Command;

use common::*;

/// Run kubeward with `args` writing JSON and HTML, then check the HTML in Chromium against the JSON.
fn html_matches_json(args: &[&str], input: &Path) {
    let Some(browser) = chromium() else {
        assert!(
            !in_ci(),
            "chromium is required under CI=true: run scripts/install-test-deps.sh"
        );
        eprintln!("skipping: chromium not found (scripts/install-test-deps.sh installs it)");
        return;
    };
    if !input.exists() {
        assert!(!in_ci(), "{} is missing", input.display());
        eprintln!("skipping: {} not present yet", input.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let json_path = dir.path().join("report.json");
    let html_path = dir.path().join("report.html");
    let status = Command::new(env!("CARGO_BIN_EXE_kubeward"))
        .args(args)
        .arg(input)
        .arg("-o")
        .arg(format!("json={}", json_path.display()))
        .arg("-o")
        .arg(format!("html={}", html_path.display()))
        .args(["--fail-on", "never", "--no-waivers"])
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    let expected = json["findings"].as_array().unwrap().len();
    assert!(expected > 0);

    let (dom, log) = render_in_chromium(&browser, &html_path, dir.path());
    let console = console_lines(&log);
    assert!(
        console.is_empty(),
        "console output:\n{}",
        console.join("\n")
    );
    assert_eq!(
        attribute(&dom, "data-rendered-finding-count"),
        Some(expected)
    );
    assert_eq!(attribute(&dom, "data-finding-count"), Some(expected));
}

#[test]
fn node_report_html_matches_json_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let examples = materialized_examples(dir.path());
    html_matches_json(&["node", "--root"], &examples.join("aks-node"));
}

#[test]
fn scan_of_the_examples_html_matches_json_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let examples = materialized_examples(dir.path());
    html_matches_json(&["scan", "--as-of", "2026-11-27"], &examples);
}
