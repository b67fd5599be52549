//! The example cluster's workload report, as JSON, pinned by a snapshot; plus the command-line
//! behaviour of `workloads profiles` and `rbac` on the same example.

use std::path::PathBuf;

use assert_cmd::Command;

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn kubeward() -> Command {
    let mut cmd = Command::cargo_bin("kubeward").expect("kubeward binary");
    cmd.current_dir(workspace_root());
    cmd
}

fn json_of(args: &[&str]) -> serde_json::Value {
    let out = kubeward().args(args).output().expect("kubeward runs");
    assert!(
        out.status.code().is_some_and(|c| c == 0 || c == 1),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON report")
}

#[test]
fn example_cluster_workloads_report() {
    let report = json_of(&["workloads", "examples/cluster", "-o", "json"]);
    assert_eq!(report["input_errors"].as_array().map(Vec::len), Some(0));
    let findings = report["findings"].as_array().expect("findings");
    let has = |code: &str, kind: &str, name: &str, status: &str| {
        findings.iter().any(|f| {
            f["code"] == code
                && f["resource"]["kind"] == kind
                && f["resource"]["name"] == name
                && f["status"] == status
        })
    };
    // Findings name the workload, with the exact field as evidence.
    assert!(has("W420", "DaemonSet", "log-collector", "FAIL"));
    assert!(
        has("W424", "CronJob", "backup", "FAIL"),
        "SYS_ADMIN init container"
    );
    assert!(has("W400", "ClusterRoleBinding", "ops-admins", "FAIL"));
    assert!(
        has("W401", "ClusterRoleBinding", "support", "FAIL"),
        "aggregated role"
    );
    assert!(has("W440", "Namespace", "legacy", "FAIL"));
    assert!(
        has("W440", "Namespace", "blog", "PASS"),
        "Calico policy counts"
    );
    assert!(
        has("W440", "Namespace", "monitoring", "PASS"),
        "Cilium policy counts"
    );
    // PASS findings are rolled up per check and namespace, naming the objects that passed.
    assert!(
        !findings
            .iter()
            .any(|f| f["status"] == "PASS" && f["resource"]["kind"] == "Deployment")
    );
    let shop_pass = findings
        .iter()
        .find(|f| {
            f["code"] == "W420"
                && f["status"] == "PASS"
                && f["resource"]["kind"] == "Namespace"
                && f["resource"]["name"] == "shop"
        })
        .expect("one W420 PASS for namespace shop");
    assert!(
        shop_pass["evidence"]
            .as_array()
            .is_some_and(|e| e.iter().any(|e| e["observed"] == "Deployment/shop/web"
                && e["source"]["key"] == "/spec/template/spec")),
        "{shop_pass:#}"
    );
    // Manifests: nothing is set apart, whatever its name, namespace or labels.
    assert!(
        findings
            .iter()
            .any(|f| f["resource"]["name"] == "kube-proxy" && f["status"] == "FAIL")
    );
    assert!(
        findings
            .iter()
            .any(|f| f["resource"]["name"] == "aks-service-rolebinding")
    );
    assert!(findings.iter().all(|f| f.get("platform_managed").is_none()));
    assert!(report.get("scope").is_none());
    // Pod Security: baseline violations FAIL per control; what only restricted adds is one W100
    // WARN per workload, each restricted control with its fields, never a finding per control.
    assert!(has("W100", "CronJob", "backup", "FAIL"));
    assert!(
        has("W103", "CronJob", "backup", "FAIL"),
        "SYS_ADMIN is baseline"
    );
    for code in ["W113", "W114", "W115", "W116", "W117", "W118", "W119"] {
        assert!(
            !findings.iter().any(|f| f["code"] == code),
            "restricted-only control {code} reported on its own"
        );
    }
    let backup_warn = findings
        .iter()
        .find(|f| f["code"] == "W100" && f["status"] == "WARN" && f["resource"]["name"] == "backup")
        .expect("one restricted W100 WARN for the backup CronJob");
    assert!(
        backup_warn["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("would be denied at restricted:latest")),
        "{backup_warn:#}"
    );
    assert!(
        backup_warn["evidence"].as_array().is_some_and(|e| e.iter().any(|e| {
            e["source"]["file"] == "examples/cluster/legacy/agents.yaml"
                && e["source"]["line"].is_u64()
                && e["source"]["key"]
                    == "/spec/jobTemplate/spec/template/spec/initContainers/0/securityContext/allowPrivilegeEscalation"
                && e["note"]
                    .as_str()
                    .is_some_and(|n| n.starts_with("allowPrivilegeEscalation (W114)"))
        })),
        "{backup_warn:#}"
    );
    insta::assert_json_snapshot!("example_cluster_workloads", report);
}

#[test]
fn include_system_changes_nothing_for_manifests() {
    let report = json_of(&[
        "workloads",
        "examples/cluster",
        "--include-system",
        "-o",
        "json",
    ]);
    let findings = report["findings"].as_array().expect("findings");
    assert!(
        findings
            .iter()
            .any(|f| f["resource"]["name"] == "kube-proxy"
                && f["code"] == "W420"
                && f["status"] == "FAIL")
    );
}

#[test]
fn profiles_with_node_reports_find_missing_profiles() {
    let report = json_of(&[
        "workloads",
        "profiles",
        "examples/cluster",
        "--node-report",
        "examples/cluster/node-reports/aks-nodepool1-vmss000000.jsonl",
        "examples/cluster/node-reports/aks-azlinux-vmss000000.jsonl",
        "-o",
        "json",
    ]);
    let findings = report["findings"].as_array().expect("findings");
    let prom = |code: &str| {
        findings
            .iter()
            .find(|f| f["code"] == code && f["resource"]["name"] == "prometheus")
            .map(|f| f["status"].as_str().unwrap_or("").to_string())
    };
    // The Azure Linux node lacks both custom profiles and AppArmor itself.
    assert_eq!(prom("W470").as_deref(), Some("FAIL"));
    assert_eq!(prom("W471").as_deref(), Some("FAIL"));
    assert_eq!(prom("W472").as_deref(), Some("FAIL"));
    let rows = report["facts"]["profiles"]
        .as_array()
        .expect("profile rows");
    assert!(
        rows.iter()
            .any(|r| r["workload"] == "Deployment/monitoring/prometheus"
                && r["seccomp"] == "Localhost profiles/prometheus.json")
    );
}

#[test]
fn profiles_without_node_reports_say_what_depends_on_the_node() {
    let out = kubeward()
        .args(["workloads", "profiles", "examples/cluster"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("depends on the node"), "{text}");
}

#[test]
fn who_can_get_secrets_in_shop_lists_the_chain() {
    let v = json_of(&[
        "rbac",
        "who-can",
        "get",
        "secrets",
        "-n",
        "shop",
        "examples/cluster",
        "-o",
        "json",
    ]);
    let grants = v["grants"].as_array().expect("grants");
    let subjects: Vec<String> = grants
        .iter()
        .map(|g| g["subject"]["name"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(subjects.contains(&"support@contoso.com".to_string()));
    assert!(subjects.contains(&"5f3c2a1e-0d7b-4c6e-9a8f-1b2c3d4e5f60".to_string()));
    // The blog's default SA holds edit in blog only, not in shop.
    assert!(!subjects.contains(&"default".to_string()));
    let support = grants
        .iter()
        .find(|g| g["subject"]["name"] == "support@contoso.com")
        .expect("support");
    assert!(
        support["chain"]
            .as_str()
            .unwrap_or("")
            .contains("aggregated into ClusterRole/support")
    );
}

#[test]
fn who_can_without_paths_is_a_usage_error() {
    kubeward()
        .args(["rbac", "who-can", "get", "secrets"])
        .assert()
        .code(2);
}

#[test]
fn unreadable_node_report_is_an_input_error_and_the_scan_goes_on() {
    let report = json_of(&[
        "workloads",
        "profiles",
        "examples/cluster",
        "--node-report",
        "examples/cluster/namespaces.yaml",
        "-o",
        "json",
    ]);
    let errors = report["input_errors"].as_array().expect("input errors");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["path"], "examples/cluster/namespaces.yaml");
    assert!(
        !report["facts"]["profiles"]
            .as_array()
            .expect("rows")
            .is_empty()
    );
}

#[test]
fn workloads_without_paths_is_a_usage_error() {
    kubeward().args(["workloads"]).assert().code(2);
}

#[test]
fn workloads_reads_stdin() {
    let out = kubeward()
        .args(["workloads", "-", "-o", "json"])
        .write_stdin(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: ns}\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: x, securityContext: {privileged: true}}]\n",
        )
        .output()
        .expect("runs");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let findings = report["findings"].as_array().expect("findings");
    assert!(findings.iter().any(|f| f["code"] == "W420"
        && f["status"] == "FAIL"
        && f["evidence"][0]["source"]["key"]
            == "/spec/template/spec/containers/0/securityContext/privileged"));
    assert_eq!(out.status.code(), Some(1), "a critical FAIL fails the run");
}

// item 16: two objects of the same kind, namespace and name in two files (e.g. a chart rendered
// twice): every finding about either carries its own file and line, through `workloads` and
// `scan` (whose cross-area de-duplication must not merge them).
#[test]
fn item16_same_named_objects_keep_their_own_file_and_line() {
    let d = tempfile::tempdir().expect("tempdir");
    let ds = |image: &str| {
        format!(
            "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {{name: agent, namespace: logging}}\nspec:\n  selector: {{matchLabels: {{app: agent}}}}\n  template:\n    metadata: {{labels: {{app: agent}}}}\n    spec:\n      containers:\n      - name: agent\n        image: {image}\n"
        )
    };
    let role = "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: agent, namespace: logging}\nrules: [{apiGroups: [''], resources: [secrets], verbs: [get, list]}]\n---\napiVersion: v1\nkind: Service\nmetadata: {name: agent, namespace: logging}\nspec: {type: LoadBalancer, selector: {app: agent}, ports: [{port: 24224}]}\n";
    let a = d.path().join("a.yaml");
    let b = d.path().join("b.yaml");
    std::fs::write(&a, format!("{}{role}", ds("fluentd:1"))).expect("write");
    // b.yaml starts with two comment lines: every line differs from a.yaml's
    std::fs::write(
        &b,
        format!("# second copy\n# of the chart\n{}{role}", ds("fluentd:2")),
    )
    .expect("write");
    let dir = d.path().to_str().expect("utf-8");
    for args in [
        vec!["workloads", dir, "-o", "json"],
        vec!["scan", dir, "-o", "json"],
    ] {
        let v = json_of(&args);
        let findings = v["findings"].as_array().expect("findings");
        let mut by_code: std::collections::BTreeMap<String, Vec<(String, u64)>> =
            Default::default();
        for f in findings {
            if f["resource"]["name"] != "agent" || f["status"] == "PASS" {
                continue;
            }
            let code = f["code"].as_str().unwrap_or_default().to_string();
            // the first evidence with a file names the object's own file and a line in it
            let at = f["evidence"]
                .as_array()
                .into_iter()
                .flatten()
                .find_map(|e| {
                    let file = e["source"]["file"].as_str()?;
                    Some((file.to_string(), e["source"]["line"].as_u64().unwrap_or(0)))
                });
            let Some((file, line)) = at else {
                panic!("{args:?}: {code} on agent has no file: {f:#}");
            };
            assert!(line > 0, "{args:?}: {code} has no line: {f:#}");
            by_code.entry(code).or_default().push((file, line));
        }
        // W462 (seccomp from the node default) was the finding that lost its file
        let files: std::collections::BTreeSet<&str> = by_code
            .get("W462")
            .into_iter()
            .flatten()
            .map(|(f, _)| f.rsplit('/').next().unwrap_or(f))
            .collect();
        assert_eq!(
            files,
            ["a.yaml", "b.yaml"].into_iter().collect(),
            "{args:?}: {by_code:#?}"
        );
        // every check that reported on one copy reported on the other, from its own file
        for (code, at) in &by_code {
            let files: std::collections::BTreeSet<&str> = at
                .iter()
                .map(|(f, _)| f.rsplit('/').next().unwrap_or(f))
                .collect();
            assert_eq!(files.len(), 2, "{args:?} {code}: {at:?}");
        }
    }
}
