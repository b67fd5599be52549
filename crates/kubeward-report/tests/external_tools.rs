//! Checks by the tools that consume kubeward's output: Microsoft's SARIF Multitool validates the
//! SARIF, and headless Chromium loads the HTML report (no console errors; the rendered finding count
//! matches the JSON report). Both tools are installed by `scripts/install-test-deps.sh`; when one is
//! missing the test fails under `CI=true` and is skipped (with a message) otherwise.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use kubeward_report::{Format, RenderOptions, render};

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// `None` means "skip": the tool is absent and this is not CI.
fn require(tool: &str, found: Option<PathBuf>) -> Option<PathBuf> {
    match found {
        Some(p) => Some(p),
        None if in_ci() => {
            panic!("{tool} is required under CI=true: run scripts/install-test-deps.sh")
        }
        None => {
            eprintln!("skipping: {tool} not found (scripts/install-test-deps.sh installs it)");
            None
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn multitool() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SARIF_MULTITOOL") {
        return Some(PathBuf::from(p));
    }
    // The native binary, not the npm shim (the shim runs its arguments through a shell).
    let native =
        workspace_root().join(".ci/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");
    native.is_file().then_some(native)
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// Run `sarif-multitool validate` and return its error- and warning-level results.
fn validate(tool: &Path, sarif: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("report.sarif");
    let output = dir.path().join("validation.sarif");
    std::fs::write(&input, sarif).unwrap();
    // Argument order matters to its parser: the input first, then the options.
    let run = Command::new(tool)
        .arg("validate")
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .args(["--log", "ForceOverwrite"])
        // The Multitool is a .NET program: no telemetry, and no dependency on the system's ICU.
        .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .output()
        .unwrap();
    let status = run.status;
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&output).unwrap_or_else(|e| {
            panic!("the Multitool wrote no validation log ({e}); exit status {status}")
        }))
        .unwrap();
    log["runs"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|run| run["results"].as_array().cloned().unwrap_or_default())
        .filter(|r| matches!(r["level"].as_str(), Some("error") | Some("warning") | None))
        .map(|r| format!("{} {}: {}", r["ruleId"], r["level"], r["message"]))
        .collect()
}

#[test]
fn sarif_passes_the_sarif_multitool() {
    let Some(tool) = require("sarif-multitool", multitool()) else {
        return;
    };
    let sarif = render(
        &common::report(),
        Format::Sarif,
        &common::registry(),
        &RenderOptions::default(),
    )
    .unwrap();
    let problems = validate(&tool, &sarif);
    assert!(
        problems.is_empty(),
        "SARIF Multitool found problems:\n{}",
        problems.join("\n")
    );

    // Evidence about a whole file (a node file's mode: no line) must validate too.
    let mut whole_files = common::report();
    for f in &mut whole_files.findings {
        for e in &mut f.evidence {
            e.source.line = None;
            e.source.column = None;
        }
    }
    whole_files
        .input_errors
        .iter_mut()
        .for_each(|e| e.line = None);
    let sarif_whole = render(
        &whole_files,
        Format::Sarif,
        &common::registry(),
        &RenderOptions::default(),
    )
    .unwrap();
    let problems = validate(&tool, &sarif_whole);
    assert!(
        problems.is_empty(),
        "SARIF Multitool found problems with whole-file locations:\n{}",
        problems.join("\n")
    );

    // The validator must be able to say no: a region starting at line 0 is invalid SARIF.
    let broken = sarif.replacen("\"startLine\": 12", "\"startLine\": 0", 1);
    assert_ne!(broken, sarif);
    assert!(
        !validate(&tool, &broken).is_empty(),
        "the Multitool accepted a startLine of 0"
    );
}

#[test]
fn html_report_renders_in_headless_chromium() {
    let Some(chromium) = require(
        "chromium",
        which("chromium").or_else(|| which("chromium-browser")),
    ) else {
        return;
    };
    let report = common::report();
    let registry = common::registry();
    let html = render(&report, Format::Html, &registry, &RenderOptions::default()).unwrap();
    let json: serde_json::Value = serde_json::from_str(
        &render(&report, Format::Json, &registry, &RenderOptions::default()).unwrap(),
    )
    .unwrap();
    let expected = json["findings"].as_array().unwrap().len();

    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    std::fs::write(&page, html).unwrap();
    let profile = dir.path().join("profile");
    let out = Command::new(chromium)
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
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .env("HOME", dir.path())
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "chromium failed: {}\n{log}",
        out.status
    );

    // Every console message (our page logs none), uncaught exceptions and CSP violations are
    // logged as `...:CONSOLE:...` lines.
    let console_errors: Vec<&str> = log
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .collect();
    assert!(
        console_errors.is_empty(),
        "console errors:\n{}",
        console_errors.join("\n")
    );

    // The script ran (it sets this attribute from the DOM) and saw every finding of the JSON report.
    let attr = |name: &str| -> Option<usize> {
        let needle = format!("{name}=\"");
        let start = dom.find(&needle)? + needle.len();
        let end = start + dom[start..].find('"')?;
        dom[start..end].parse().ok()
    };
    assert_eq!(
        attr("data-rendered-finding-count"),
        Some(expected),
        "rendered count"
    );
    assert_eq!(attr("data-finding-count"), Some(expected), "declared count");
    // With no filter chosen, every finding is shown.
    let shown_marker = "id=\"shown-count\">";
    let start = dom.find(shown_marker).unwrap() + shown_marker.len();
    let shown: usize = dom[start..start + dom[start..].find('<').unwrap()]
        .parse()
        .unwrap();
    assert_eq!(shown, expected);
}

/// Writes the sample HTML report to `KUBEWARD_HTML_SAMPLE` when set (for a look in a browser).
#[test]
fn write_html_sample_when_asked() {
    if let Some(path) = std::env::var_os("KUBEWARD_HTML_SAMPLE") {
        let html = render(
            &common::report(),
            Format::Html,
            &common::registry(),
            &RenderOptions::default(),
        )
        .unwrap();
        std::fs::write(path, html).unwrap();
    }
}
