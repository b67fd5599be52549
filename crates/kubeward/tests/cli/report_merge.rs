//! `kubeward report merge`: saved node reports merged offline, the way `fleet nodes` merges the
//! reports it collects — nodes that differ are named, unreadable reports are findings, not crashes.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::process::Command;

use common::*;

fn node_report(examples: &std::path::Path) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_kubeward"))
        .args(["node", "--root"])
        .arg(examples.join("aks-node"))
        .args(["-o", "json", "--fail-on", "never", "--no-waivers"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn merge_names_the_nodes_that_differ_and_the_reports_it_could_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let examples = materialized_examples(dir.path());
    let a = node_report(&examples);

    // A second node whose first PASS finding fails instead (as a hand-edited node would).
    let mut b = a.clone();
    b["facts"]["node"]["name"] = "aks-nodepool1-12345678-vmss000001".into();
    let findings = b["findings"].as_array_mut().unwrap();
    let changed = findings.iter_mut().find(|f| f["status"] == "PASS").unwrap();
    changed["status"] = "FAIL".into();
    let changed_code = changed["code"].as_str().unwrap().to_string();
    for f in findings.iter_mut() {
        f["resource"]["name"] = "aks-nodepool1-12345678-vmss000001".into();
    }

    let pa = dir.path().join("a.json");
    let pb = dir.path().join("b.json");
    let broken = dir.path().join("broken.json");
    std::fs::write(&pa, serde_json::to_string(&a).unwrap()).unwrap();
    std::fs::write(&pb, serde_json::to_string(&b).unwrap()).unwrap();
    std::fs::write(&broken, "{\"schema_version\": ").unwrap();

    let out = Command::new(env!("CARGO_BIN_EXE_kubeward"))
        .args(["report", "merge"])
        .args([&pa, &pb, &broken])
        .args(["-o", "json", "--no-waivers"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let merged: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = merged["findings"].as_array().unwrap();

    let differ: Vec<_> = findings
        .iter()
        .filter(|f| f["name"] == "fleet-nodes-differ")
        .collect();
    assert_eq!(differ.len(), 1, "{differ:?}");
    assert_eq!(differ[0]["resource"]["name"], changed_code.as_str());
    assert!(
        differ[0]["message"]
            .as_str()
            .unwrap()
            .contains("FAIL on aks-nodepool1-12345678-vmss000001")
    );

    let incomplete: Vec<_> = findings
        .iter()
        .filter(|f| f["name"] == "fleet-node-incomplete")
        .collect();
    assert_eq!(incomplete.len(), 1);
    assert!(
        incomplete[0]["message"]
            .as_str()
            .unwrap()
            .contains("not readable"),
        "{}",
        incomplete[0]["message"]
    );

    // Both nodes' own findings are kept, each naming its node.
    let per_node = |n: &str| {
        findings
            .iter()
            .filter(|f| f["area"] == "node" && f["resource"]["name"] == n)
            .count()
    };
    assert!(per_node("aks-nodepool1-12345678-vmss000001") > 10);
    assert!(per_node(a["facts"]["node"]["name"].as_str().unwrap()) > 10);
}
