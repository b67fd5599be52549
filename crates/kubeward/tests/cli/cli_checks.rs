//! `kubeward checks`, `kubeward explain` and `--version`, against the real registry.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use assert_cmd::Command;
use predicates::prelude::*;

fn kubeward() -> Command {
    let mut c = Command::cargo_bin("kubeward").unwrap();
    c.env("NO_COLOR", "1");
    c
}

fn checks_json(args: &[&str]) -> Vec<serde_json::Value> {
    let out = kubeward()
        .arg("checks")
        .args(args)
        .args(["-o", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice::<Vec<serde_json::Value>>(&out).unwrap()
}

#[test]
fn version_lists_the_benchmark_profiles() {
    kubeward()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")))
        .stdout(predicate::str::contains("cis-aks-1.8"))
        .stdout(predicate::str::contains("cis-1.12"));
}

#[test]
fn checks_lists_every_registered_check() {
    let all = checks_json(&[]);
    assert!(all.len() >= 2);
    let codes: Vec<&str> = all.iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"K101") && codes.contains(&"K102"));
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(codes, sorted, "listed in code order");
    for c in &all {
        for field in [
            "code",
            "name",
            "title",
            "area",
            "severity",
            "references",
            "profiles",
            "doc",
        ] {
            assert!(!c[field].is_null(), "{field} missing in {c}");
        }
    }
    kubeward()
        .arg("checks")
        .assert()
        .success()
        .stdout(predicate::str::contains("waiver-expired"))
        .stdout(predicate::str::contains(format!("{} check(s)", all.len())));
}

#[test]
fn checks_filter_by_area_and_benchmark() {
    let general = checks_json(&["--area", "general"]);
    assert!(!general.is_empty());
    assert!(general.iter().all(|c| c["area"] == "general"));
    let cis = checks_json(&["--benchmark", "cis-aks-1.8"]);
    assert!(cis.iter().all(|c| {
        c["profiles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "cis-aks-1.8")
    }));
    kubeward()
        .args(["checks", "--area", "kitchen"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown area"));
    kubeward()
        .args(["checks", "--benchmark", "cis-aks-9.9"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cis-aks-1.8"));
}

#[test]
fn explain_by_code_or_name() {
    for id in ["K101", "k101", "waiver-expired", "WAIVER-EXPIRED"] {
        kubeward()
            .args(["explain", id])
            .assert()
            .success()
            .stdout(predicate::str::starts_with("K101 waiver-expired"))
            .stdout(predicate::str::contains("What it checks"))
            .stdout(predicate::str::contains("Why it matters"))
            .stdout(predicate::str::contains("How to fix it on AKS"));
    }
    let out = kubeward()
        .args(["explain", "K102", "-o", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["name"], "waiver-unused");
    assert!(!v["doc"]["fix"].as_str().unwrap().is_empty());
}

#[test]
fn explain_every_check_has_its_documentation() {
    for c in checks_json(&[]) {
        let doc = &c["doc"];
        for field in ["what", "why", "fix"] {
            assert!(
                doc[field].as_str().is_some_and(|s| !s.trim().is_empty()),
                "{} {} has no `{field}` documentation",
                c["code"],
                c["name"]
            );
        }
    }
}

#[test]
fn explain_unknown_check_suggests_and_exits_2() {
    kubeward()
        .args(["explain", "waiver"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean"))
        .stderr(predicate::str::contains("K101 waiver-expired"));
    kubeward()
        .args(["explain", "zzz-no-such-check"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("kubeward checks"));
}

/// Every built-in check code with its name, earlier names and release: a code is a versioned
/// identifier (waivers, baselines and SARIF rules name it), so it may never disappear or be reused
/// for another check. A new check adds a line; a renamed one keeps its code and lists its old name.
#[test]
fn check_codes() {
    let checks = checks_json(&[]);
    let mut codes = BTreeSet::new();
    let mut names = BTreeSet::new();
    let mut lines = Vec::new();
    for c in &checks {
        let code = c["code"].as_str().unwrap();
        let name = c["name"].as_str().unwrap();
        let since = c["since"].as_str().unwrap();
        let aliases: Vec<&str> = c["aliases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert!(codes.insert(code), "code {code} is used twice");
        for n in std::iter::once(name).chain(aliases.iter().copied()) {
            assert!(names.insert(n), "name {n} is used twice");
        }
        let mut line = format!("{code} {name} since {since}");
        if !aliases.is_empty() {
            line.push_str(&format!(" (was {})", aliases.join(", ")));
        }
        lines.push(line);
    }
    lines.sort();
    insta::assert_snapshot!(lines.join("\n"));
}
