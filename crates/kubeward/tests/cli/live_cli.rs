//! `kubeward snapshot` and `kubeward scan --cluster` against the fake API server (TLS, token,
//! pagination, one forbidden kind): what a user runs, end to end.
#![allow(clippy::unwrap_used)]

#[path = "../../../kubeward-live/tests/support/fake.rs"]
mod fake;

use std::process::Command;

fn kubeward(args: &[&str], kubeconfig: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kubeward"))
        .args(args)
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .env_remove("KUBECONFIG")
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_and_live_scan_read_the_cluster_and_name_what_rbac_forbade() {
    let server = fake::start(fake::TOKEN).await;
    let kubeconfig = server.kubeconfig.path().to_path_buf();
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap.json");

    let (out, snap_path) = {
        let kc = kubeconfig.clone();
        let snap = snap.clone();
        tokio::task::spawn_blocking(move || {
            (
                kubeward(&["snapshot", "-f", snap.to_str().unwrap()], &kc),
                snap,
            )
        })
        .await
        .unwrap()
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot list roles"), "{stderr}");
    let list: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&snap_path).unwrap()).unwrap();
    assert_eq!(list["kind"], "List");
    let pods: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["kind"] == "Pod")
        .filter_map(|o| o["metadata"]["name"].as_str())
        .collect();
    assert_eq!(pods, vec!["a", "b", "c"], "all pages of pods");

    let kc = kubeconfig.clone();
    let out = tokio::task::spawn_blocking(move || {
        kubeward(
            &[
                "scan",
                "--cluster",
                "-o",
                "json",
                "--no-waivers",
                "--fail-on",
                "never",
            ],
            &kc,
        )
    })
    .await
    .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors = report["input_errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["message"].as_str().unwrap().contains("forbidden by RBAC")),
        "{errors:?}"
    );
    // The listed pods were judged: workload findings name them.
    let about_pod_c = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["resource"]["kind"] == "Pod" && f["resource"]["name"] == "c");
    assert!(about_pod_c, "pod c (second page) was scanned");
    // The cluster's own Gatekeeper template and constraint (their kind found by discovery) were
    // evaluated over what was listed: each nginx pod violates the registry constraint.
    let mut violations: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "GK/K8sTrustedRegistry/only-our-registries")
        .filter(|f| f["status"] == "FAIL")
        .map(|f| {
            format!(
                "{}/{}: {}",
                f["resource"]["namespace"].as_str().unwrap_or(""),
                f["resource"]["name"].as_str().unwrap_or(""),
                f["message"].as_str().unwrap_or("")
            )
        })
        .collect();
    violations.sort();
    assert_eq!(
        violations,
        [
            "default/a: images from outside the allowed registries: c=nginx",
            "default/b: images from outside the allowed registries: c=nginx",
            "prod/c: images from outside the allowed registries: c=nginx",
        ],
        "{}",
        report["input_errors"]
    );
    assert_eq!(report["facts"]["policy"]["constraints"], 1);
    server.handle.shutdown();
}
