//! Helpers shared by the CLI integration tests.
#![allow(dead_code, clippy::unwrap_used)]

pub mod follow;

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

pub fn chromium() -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .flat_map(|d| [d.join("chromium"), d.join("chromium-browser")])
        .find(|p| p.is_file())
}

/// Load `page` in headless Chromium; return the DOM after scripts ran and the browser's log.
pub fn render_in_chromium(browser: &Path, page: &Path, scratch: &Path) -> (String, String) {
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

/// Console messages and uncaught errors in a Chromium log.
pub fn console_lines(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .collect()
}

/// The numeric value of `name="…"` in a DOM dump.
pub fn attribute(dom: &str, name: &str) -> Option<usize> {
    let needle = format!("{name}=\"");
    let start = dom.find(&needle)? + needle.len();
    let end = start + dom[start..].find('"')?;
    dom[start..end].parse().ok()
}

/// Copy a folder tree (regular files and folders only).
pub fn copy_tree(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let ty = entry.file_type().unwrap();
        let to = dst.join(entry.file_name());
        if ty.is_dir() {
            copy_tree(&entry.path(), &to);
        } else if ty.is_file() {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
}

/// The bundled examples in a temporary folder, with the example node's modes and owners applied
/// (git keeps neither), so verdicts do not depend on how the repository was checked out.
pub fn materialized_examples(dir: &Path) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let dst = dir.join("examples");
    copy_tree(&src, &dst);
    let node = dst.join("aks-node");
    std::fs::remove_dir_all(&node).unwrap();
    kubeward_node::example::materialize(&src.join("aks-node"), &node).unwrap();
    dst
}

/// Microsoft's SARIF Multitool (installed by scripts/install-test-deps.sh) must accept the SARIF.
pub fn validate_sarif(dir: &Path, sarif: &Path) {
    let tool = std::env::var_os("SARIF_MULTITOOL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../.ci/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool")
        });
    if !tool.is_file() {
        assert!(!in_ci(), "the SARIF Multitool is required under CI=true");
        eprintln!("skipped: SARIF Multitool not installed");
        return;
    }
    let log = dir.join("validation.sarif");
    let run = Command::new(&tool)
        .arg("validate")
        .arg(sarif)
        .arg("--output")
        .arg(&log)
        .args(["--log", "ForceOverwrite"])
        .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .output()
        .unwrap();
    let text = std::fs::read_to_string(&log).unwrap_or_else(|e| {
        panic!(
            "no validation log ({e}): {}",
            String::from_utf8_lossy(&run.stdout)
        )
    });
    let log: serde_json::Value = serde_json::from_str(&text).unwrap();
    let problems: Vec<String> = log["runs"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["results"].as_array().cloned().unwrap_or_default())
        .filter(|r| matches!(r["level"].as_str(), Some("error") | Some("warning") | None))
        .map(|r| format!("{} {}", r["ruleId"], r["message"]))
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
}
