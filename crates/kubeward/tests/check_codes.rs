//! Every built-in check code with its name, earlier names and release: a code is a versioned
//! identifier (waivers, baselines and SARIF rules name it), so it may never disappear or be reused
//! for another check. A new check adds a line; a renamed one keeps its code and lists its old name.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use assert_cmd::Command;

fn checks() -> Vec<serde_json::Value> {
    let out = Command::cargo_bin("kubeward")
        .unwrap()
        .env("NO_COLOR", "1")
        .args(["checks", "-o", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn check_codes() {
    let checks = checks();
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
