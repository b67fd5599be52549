//! `kubeward audit scan|policy|rbac` from the command line, on the bundled examples.

use std::path::PathBuf;

use assert_cmd::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn kubeward() -> Command {
    let mut cmd = Command::cargo_bin("kubeward").expect("kubeward binary");
    cmd.current_dir(root());
    cmd
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("JSON report")
}

#[test]
fn scan_example_fails_with_attack_findings() {
    let out = kubeward()
        .args(["audit", "scan", "-o", "json", "examples/audit/PT1H.json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "FAIL findings give exit 1");
    let r = json(&out);
    let findings = r["findings"].as_array().expect("findings");
    let fail = |code: &str| {
        findings
            .iter()
            .any(|f| f["code"] == code && f["status"] == "FAIL")
    };
    assert!(fail("A011") && fail("A018") && fail("A002"));
    let binding = findings.iter().find(|f| f["code"] == "A011").expect("A011");
    let ev = &binding["evidence"][0];
    assert_eq!(ev["source"]["file"], "examples/audit/PT1H.json");
    assert!(
        ev["observed"]
            .as_str()
            .is_some_and(|o| o.contains("auditID") && o.contains("185.220.101.45"))
    );
    assert_eq!(r["facts"]["audit"]["events"], 359);
}

#[test]
fn scan_reads_stdin_and_takes_a_secret_reader_baseline() {
    let blob = std::fs::read(root().join("examples/audit/PT1H.json")).expect("example");
    let out = kubeward()
        .args([
            "audit",
            "scan",
            "-o",
            "json",
            "--secret-reader",
            "system:serviceaccount:shop:*",
            "-",
        ])
        .write_stdin(blob)
        .output()
        .expect("runs");
    let r = json(&out);
    let a016 = r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["code"] == "A016")
        .expect("A016");
    assert_eq!(
        a016["status"], "PASS",
        "the cart account is in the baseline now"
    );
    assert_eq!(r["inputs"][0]["path"], "(stdin)");
}

#[test]
fn scan_without_readable_input_is_a_usage_error() {
    let out = kubeward()
        .args(["audit", "scan", "no/such/file.json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no audit log could be read"));
}

#[test]
fn policy_lint_of_the_example() {
    let out = kubeward()
        .args([
            "audit",
            "policy",
            "-o",
            "json",
            "examples/audit/policy.yaml",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let r = json(&out);
    let status = |code: &str| {
        r["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["code"] == code)
            .map(|f| f["status"].as_str().unwrap_or("").to_string())
            .expect("finding")
    };
    assert_eq!(status("A101"), "FAIL");
    assert_eq!(status("A104"), "FAIL");
    assert_eq!(status("A105"), "WARN");
}

#[test]
fn rbac_for_a_user_prints_roles() {
    let out = kubeward()
        .args([
            "audit",
            "rbac",
            "--user",
            "alice@contoso.com",
            "examples/audit/PT1H.json",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let yaml = String::from_utf8_lossy(&out.stdout);
    assert!(yaml.contains("kind: Role\n"), "{yaml}");
    assert!(yaml.contains("resources: [\"pods/exec\"]"), "{yaml}");
    assert!(!yaml.contains("secrets"), "{yaml}");
    let out = kubeward()
        .args([
            "audit",
            "rbac",
            "--serviceaccount",
            "shop:cart",
            "examples/audit/PT1H.json",
        ])
        .output()
        .expect("runs");
    let yaml = String::from_utf8_lossy(&out.stdout);
    assert!(yaml.contains("kind: ServiceAccount"), "{yaml}");
    assert!(
        !yaml.contains("selfsubjectrulesreviews"),
        "discovery requests are not granted"
    );
}

#[test]
fn scan_reads_a_storage_download_directory_recursively() {
    let dir = tempfile::tempdir().expect("temp dir");
    let blob = std::fs::read(root().join("examples/audit/PT1H.json")).expect("example");
    for hour in ["h=09", "h=10"] {
        let leaf = dir
            .path()
            .join("resourceId=/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/AKS/y=2026/m=11/d=20")
            .join(hour)
            .join("m=00");
        std::fs::create_dir_all(&leaf).expect("mkdir");
        std::fs::write(leaf.join("PT1H.json"), &blob).expect("write");
    }
    std::fs::write(dir.path().join("README.txt"), "not a log").expect("write");
    let out = kubeward()
        .args(["audit", "scan", "-o", "json"])
        .arg(dir.path())
        .output()
        .expect("runs");
    let r = json(&out);
    assert_eq!(r["facts"]["audit"]["events"], 718, "both hourly blobs");
    assert_eq!(
        r["inputs"].as_array().map(Vec::len),
        Some(2),
        "README skipped"
    );
    let empty = tempfile::tempdir().expect("temp dir");
    let out = kubeward()
        .args(["audit", "scan"])
        .arg(empty.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no audit log in this directory"));
}

#[test]
fn image_allowlist_turns_the_disallowed_image_rule_on() {
    let status_of = |extra: &[&str]| -> Vec<String> {
        let out = kubeward()
            .args([
                "audit",
                "scan",
                "-o",
                "json",
                "--fail-on",
                "never",
                "examples/audit/PT1H.json",
            ])
            .args(extra)
            .output()
            .expect("runs");
        json(&out)["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["code"] == "A063")
            .map(|f| f["status"].as_str().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(
        status_of(&[]),
        vec!["NOT_APPLICABLE"],
        "off without a list, as in Falco"
    );
    let judged = status_of(&["--allowed-image", "mcr.microsoft.com/*"]);
    assert!(
        judged.iter().any(|s| s == "WARN"),
        "images outside MCR are named: {judged:?}"
    );
}

/// Issue 13 item 8: the cluster's ranges turn on the rule about system identities calling from
/// elsewhere; without them it is not applicable, and a malformed range is a usage error.
#[test]
fn cluster_cidr_turns_the_outside_identity_rule_on() {
    let a069 = |extra: &[&str]| -> Vec<String> {
        let out = kubeward()
            .args([
                "audit",
                "scan",
                "-o",
                "json",
                "--fail-on",
                "never",
                "examples/audit/PT1H.json",
            ])
            .args(extra)
            .output()
            .expect("runs");
        json(&out)["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["code"] == "A069")
            .map(|f| f["status"].as_str().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(a069(&[]), vec!["NOT_APPLICABLE"]);
    // The example's nodes are in 10.224.0.0/16 and its pods in 10.244.0.0/16.
    assert_eq!(
        a069(&[
            "--cluster-cidr",
            "10.224.0.0/16",
            "--cluster-cidr",
            "10.244.0.0/16"
        ]),
        vec!["PASS"]
    );
    let outside = a069(&["--cluster-cidr", "192.0.2.0/24"]);
    assert!(
        !outside.is_empty() && outside.iter().all(|s| s == "FAIL"),
        "{outside:?}"
    );
    let out = kubeward()
        .args([
            "audit",
            "scan",
            "--cluster-cidr",
            "10.0.0.0/99",
            "examples/audit/PT1H.json",
        ])
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(2),
        "a malformed range is a usage error"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("10.0.0.0/99"));
}
