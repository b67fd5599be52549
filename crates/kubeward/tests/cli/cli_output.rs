//! Output formats, waivers and exit codes through `kubeward render REPORT.json`, which runs a saved
//! report through exactly the same pipeline as a fresh scan (`output::emit`).
#![allow(clippy::unwrap_used)]

use std::path::Path;

use assert_cmd::Command;
use kubeward_core::{
    CheckMeta, Evidence, Finding, InputError, InputInfo, Report, Resource, Severity, Source, Status,
};
use predicates::prelude::*;

/// A real check from the registry (waivers are validated against it), not one of the waiver checks.
fn some_check() -> &'static CheckMeta {
    kubeward_node::checks()[0]
}

fn report_with(findings: &[(Status, Severity)]) -> Report {
    let meta = some_check();
    let mut r = Report::new("test");
    r.inputs.push(InputInfo {
        kind: "manifests".into(),
        path: "cluster/".into(),
        detail: None,
    });
    for (i, (status, severity)) in findings.iter().enumerate() {
        r.push(
            Finding::new(
                meta,
                *status,
                Resource::namespaced("Deployment", "shop", format!("app-{i}")),
                format!("finding {i}"),
            )
            .with_severity(*severity)
            .with_evidence(Evidence::observed(
                "true",
                Source::file("cluster/app.yaml").with_line(3),
            )),
        );
    }
    r
}

fn write_report(dir: &Path, report: &Report) -> std::path::PathBuf {
    let path = dir.join("report.json");
    std::fs::write(&path, serde_json::to_string(report).unwrap()).unwrap();
    path
}

fn kubeward(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("kubeward").unwrap();
    c.current_dir(dir).env("NO_COLOR", "1");
    c
}

fn exit_for(report: &Report, args: &[&str]) -> i32 {
    let dir = tempfile::tempdir().unwrap();
    let path = write_report(dir.path(), report);
    kubeward(dir.path())
        .arg("render")
        .arg(&path)
        .args(args)
        .output()
        .unwrap()
        .status
        .code()
        .unwrap()
}

#[test]
fn fail_on_threshold_and_never() {
    let r = report_with(&[
        (Status::Fail, Severity::Medium),
        (Status::Pass, Severity::High),
    ]);
    assert_eq!(exit_for(&r, &[]), 1, "any FAIL fails by default");
    assert_eq!(exit_for(&r, &["--fail-on", "medium"]), 1);
    assert_eq!(exit_for(&r, &["--fail-on", "high"]), 0);
    assert_eq!(exit_for(&r, &["--fail-on", "critical"]), 0);
    assert_eq!(exit_for(&r, &["--fail-on", "never"]), 0);
    assert_eq!(exit_for(&r, &["--fail-on", "sometimes"]), 2, "usage error");
}

#[test]
fn warn_manual_info_never_fail_error_only_when_asked() {
    let r = report_with(&[
        (Status::Warn, Severity::Critical),
        (Status::Manual, Severity::Critical),
        (Status::Info, Severity::Critical),
        (Status::NotApplicable, Severity::Critical),
    ]);
    assert_eq!(exit_for(&r, &["--fail-on", "info"]), 0);
    let r = report_with(&[(Status::Error, Severity::Low)]);
    assert_eq!(exit_for(&r, &[]), 0);
    assert_eq!(exit_for(&r, &["--fail-on-error"]), 1);
    assert_eq!(exit_for(&r, &["--fail-on-error", "--fail-on", "never"]), 0);
}

#[test]
fn nothing_readable_exits_2() {
    let mut r = Report::new("test");
    r.input_errors.push(InputError {
        path: "cluster/broken.yaml".into(),
        line: Some(4),
        message: "not YAML".into(),
    });
    assert_eq!(exit_for(&r, &[]), 2);
}

#[test]
fn several_formats_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let report = report_with(&[
        (Status::Fail, Severity::High),
        (Status::Pass, Severity::Low),
    ]);
    let path = write_report(dir.path(), &report);
    let assert = kubeward(dir.path())
        .arg("render")
        .arg(&path)
        .args([
            "-o",
            "json=out.json",
            "-o",
            "html=report.html",
            "-o",
            "sarif=out.sarif",
        ])
        .args([
            "-o",
            "junit=junit.xml",
            "-o",
            "markdown=report.md",
            "--fail-on",
            "never",
        ])
        .assert()
        .success()
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(
            "wrote the html report to report.html",
        ));
    drop(assert);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.json")).unwrap())
            .unwrap();
    assert_eq!(json["findings"].as_array().unwrap().len(), 2);
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("data-finding-count=\"2\""));
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.sarif")).unwrap())
            .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(
        std::fs::read_to_string(dir.path().join("junit.xml"))
            .unwrap()
            .contains("<testsuites")
    );
    assert!(
        std::fs::read_to_string(dir.path().join("report.md"))
            .unwrap()
            .starts_with("# kubeward report")
    );
}

#[test]
fn output_file_and_stdout_rules() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_report(dir.path(), &report_with(&[(Status::Pass, Severity::Low)]));
    kubeward(dir.path())
        .arg("render")
        .arg(&path)
        .args(["-o", "sarif", "--output-file", "x.sarif"])
        .assert()
        .success()
        .stdout(predicate::str::is_empty());
    assert!(dir.path().join("x.sarif").is_file());
    kubeward(dir.path())
        .arg("render")
        .arg(&path)
        .args(["-o", "json", "-o", "sarif"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "only one format can go to standard output",
        ));
    kubeward(dir.path())
        .arg("render")
        .arg(&path)
        .args(["-o", "pdf"])
        .assert()
        .code(2);
    // JSON on stdout is the report itself.
    let out = kubeward(dir.path())
        .arg("render")
        .arg(&path)
        .args(["-o", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["schema_version"], "2");
}

#[test]
fn text_is_plain_when_piped() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_report(dir.path(), &report_with(&[(Status::Fail, Severity::High)]));
    kubeward(dir.path())
        .arg("render")
        .arg(&path)
        .env_remove("NO_COLOR")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FAIL"))
        .stdout(predicate::str::contains("\u{1b}[").not());
}

fn waiver_file(dir: &Path, name_pattern: &str, expires: &str) {
    let code = some_check().code;
    std::fs::write(
        dir.join(".kubeward.yaml"),
        format!(
            "waivers:\n  - check: {code}\n    kind: Deployment\n    namespace: shop\n    name: \"{name_pattern}\"\n    reason: accepted until the migration\n    expires: {expires}\n"
        ),
    )
    .unwrap();
}

fn json_of(dir: &Path, report: &Report, extra: &[&str]) -> (i32, serde_json::Value) {
    let path = write_report(dir, report);
    let out = kubeward(dir)
        .arg("render")
        .arg(&path)
        .args(["-o", "json"])
        .args(extra)
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.status.code().unwrap(), v)
}

#[test]
fn waivers_from_the_current_directory_unfail_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let report = report_with(&[
        (Status::Fail, Severity::High),
        (Status::Fail, Severity::High),
    ]);
    waiver_file(dir.path(), "app-*", "2999-01-01");
    let (code, v) = json_of(dir.path(), &report, &[]);
    assert_eq!(code, 0);
    let findings = v["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .all(|f| f["waived"]["reason"] == "accepted until the migration")
    );
    assert_eq!(v["summary"]["waived"], 2);
    // --no-waivers ignores the file.
    let (code, _) = json_of(dir.path(), &report, &["--no-waivers"]);
    assert_eq!(code, 1);
    // A pattern that covers only one of them leaves the other failing.
    waiver_file(dir.path(), "app-0", "2999-01-01");
    let (code, v) = json_of(dir.path(), &report, &[]);
    assert_eq!(code, 1);
    assert_eq!(v["summary"]["waived"], 1);
}

#[test]
fn expired_waiver_is_reported_and_does_not_apply() {
    let dir = tempfile::tempdir().unwrap();
    let report = report_with(&[(Status::Fail, Severity::High)]);
    waiver_file(dir.path(), "app-*", "2001-01-01");
    let (code, v) = json_of(dir.path(), &report, &[]);
    assert_eq!(code, 1);
    let expired: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["name"] == "waiver-expired")
        .collect();
    assert_eq!(expired.len(), 1);
    assert_eq!(
        expired[0]["evidence"][0]["source"]["file"],
        ".kubeward.yaml"
    );
    assert_eq!(expired[0]["evidence"][0]["source"]["line"], 2);
}

#[test]
fn explicit_waiver_file_and_bad_waiver_files() {
    let dir = tempfile::tempdir().unwrap();
    let report = report_with(&[(Status::Fail, Severity::High)]);
    let waivers = dir.path().join("exceptions.yaml");
    std::fs::write(
        &waivers,
        "waivers:\n  - check: K101\n    expires: 2999-01-01\n",
    )
    .unwrap();
    let path = write_report(dir.path(), &report);
    kubeward(dir.path())
        .arg("render")
        .arg(&path)
        .arg("--waivers")
        .arg(&waivers)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("exceptions.yaml:2"))
        .stderr(predicate::str::contains("no `reason`"));
    std::fs::write(
        &waivers,
        "waivers:\n  - check: no-such-check\n    reason: r\n    expires: 2999-01-01\n",
    )
    .unwrap();
    kubeward(dir.path())
        .arg("render")
        .arg(&path)
        .arg("--waivers")
        .arg(&waivers)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown check"));
    kubeward(dir.path())
        .arg("render")
        .arg(&path)
        .args(["--waivers", "missing.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing.yaml"));
}

#[test]
fn colour_can_be_forced_and_no_color_wins() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_report(dir.path(), &report_with(&[(Status::Fail, Severity::High)]));
    kubeward(dir.path())
        .arg("render")
        .arg(&path)
        .env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("\u{1b}["));
    kubeward(dir.path())
        .arg("render")
        .arg(&path)
        .env("NO_COLOR", "1")
        .env("CLICOLOR_FORCE", "1")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("\u{1b}[").not());
}
