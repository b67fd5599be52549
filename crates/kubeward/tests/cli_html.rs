//! End to end: a real scan writes JSON and HTML in one run; headless Chromium opens the HTML with no
//! console errors and renders as many findings as the JSON report holds. Chromium is installed by
//! `scripts/install-test-deps.sh`; without it the test fails under `CI=true` and is skipped otherwise.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

fn chromium() -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .flat_map(|d| [d.join("chromium"), d.join("chromium-browser")])
        .find(|p| p.is_file())
}

fn example_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/aks-node")
}

/// Load `page` in headless Chromium; return the DOM after scripts ran and the browser's log.
fn render_in_chromium(browser: &Path, page: &Path, scratch: &Path) -> (String, String) {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--no-first-run",
            "--no-default-browser-check",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=2000",
        ])
        .arg(format!(
            "--user-data-dir={}",
            scratch.join("profile").display()
        ))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .env("HOME", scratch)
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "chromium failed: {}\n{log}",
        out.status
    );
    (String::from_utf8_lossy(&out.stdout).into_owned(), log)
}

fn attribute(dom: &str, name: &str) -> Option<usize> {
    let needle = format!("{name}=\"");
    let start = dom.find(&needle)? + needle.len();
    let end = start + dom[start..].find('"')?;
    dom[start..end].parse().ok()
}

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
    let console: Vec<&str> = log
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .collect();
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
    html_matches_json(&["node", "--root"], &example_root());
}

#[test]
fn scan_of_the_examples_html_matches_json_in_chromium() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    html_matches_json(&["scan"], &examples);
}
