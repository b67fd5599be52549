//! The one scope rule end to end: nothing in a manifest is set apart; objects of a kubeward
//! snapshot are platform-managed only on AKS/Kubernetes labels or a platform-managed owner, are
//! still judged and listed (JSON, SARIF, HTML) or counted (text, Markdown), never fail the run, and
//! `--include-system` counts them. Also the RBAC overlap, resourceNames and the Z100 verdict.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn kubeward() -> Command {
    let mut cmd = Command::cargo_bin("kubeward").expect("kubeward binary");
    cmd.current_dir(workspace_root());
    cmd
}

/// Exit code, stdout.
fn run(args: &[&str]) -> (i32, String) {
    let out = kubeward().args(args).output().expect("kubeward runs");
    let code = out.status.code().expect("exit code");
    assert!(
        code == 0 || code == 1,
        "exit {code}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code, String::from_utf8_lossy(&out.stdout).into_owned())
}

fn json(args: &[&str]) -> (i32, serde_json::Value) {
    let (code, out) = run(args);
    (code, serde_json::from_str(&out).expect("JSON report"))
}

/// A privileged hostNetwork DaemonSet in kube-system, as an add-on would ship it.
fn daemonset(name: &str, labels: serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": name, "namespace": "kube-system", "uid": format!("uid-{name}"), "labels": labels},
        "spec": {
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "hostNetwork": true,
                    "containers": [{"name": "main", "image": "mcr.microsoft.com/x:1", "securityContext": {"privileged": true}}]
                }
            }
        }
    })
}

/// A file written by `kubeward snapshot` (its mark included).
fn snapshot(dir: &Path, items: Vec<serde_json::Value>) -> String {
    let v = serde_json::json!({
        "apiVersion": "v1", "kind": "List", "metadata": {},
        "kubewardSnapshot": {"source": "aks-test", "version": 1},
        "items": items,
    });
    let path = dir.join("snapshot.json");
    std::fs::write(&path, serde_json::to_string(&v).expect("json")).expect("write");
    path.display().to_string()
}

fn findings_about<'a>(report: &'a serde_json::Value, name: &str) -> Vec<&'a serde_json::Value> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["resource"]["name"] == name)
        .collect()
}

const ADDON: &str = "kube-proxy";

#[test]
fn a_privileged_daemonset_in_kube_system_in_a_manifest_is_reported_and_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("addon.yaml");
    // Even with the add-on label: a manifest's author writes every label.
    let ds = daemonset(
        ADDON,
        serde_json::json!({"addonmanager.kubernetes.io/mode": "Reconcile"}),
    );
    std::fs::write(&path, serde_json::to_string(&ds).expect("json")).expect("write");
    let path = path.display().to_string();
    let (code, report) = json(&["workloads", &path, "-o", "json"]);
    assert_eq!(code, 1, "a privileged DaemonSet fails the run");
    let about = findings_about(&report, ADDON);
    assert!(about.iter().any(|f| f["status"] == "FAIL"), "{about:#?}");
    assert!(about.iter().all(|f| f.get("platform_managed").is_none()));
    assert!(report.get("scope").is_none(), "nothing set apart offline");
    for cmd in [
        &["pss", "--level", "baseline"][..],
        &["scan"][..],
        &["netpol", "coverage"][..],
    ] {
        let mut args = cmd.to_vec();
        args.push(&path);
        let (code, out) = run(&args);
        if cmd[0] != "netpol" {
            assert_eq!(code, 1, "{cmd:?}: {out}");
        }
        assert!(!out.contains("set apart"), "{cmd:?}: {out}");
    }
}

#[test]
fn the_same_daemonset_in_a_snapshot_is_platform_managed_counted_and_not_failing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pod = serde_json::json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "kube-proxy-abcde", "namespace": "kube-system", "uid": "uid-pod",
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": ADDON, "uid": format!("uid-{ADDON}"), "controller": true}]},
        "spec": {"hostNetwork": true, "containers": [{"name": "main", "image": "x", "securityContext": {"privileged": true}}]}
    });
    // AKS labels its kube-system namespace as its own (namespace findings are about this object).
    let namespace = serde_json::json!({
        "apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": "kube-system", "uid": "uid-ns", "labels": {
            "kubernetes.azure.com/managedby": "aks",
            "addonmanager.kubernetes.io/mode": "Reconcile",
            "kubernetes.io/metadata.name": "kube-system"}}
    });
    let snap = snapshot(
        dir.path(),
        vec![
            namespace,
            daemonset(
                ADDON,
                serde_json::json!({"addonmanager.kubernetes.io/mode": "Reconcile"}),
            ),
            pod,
        ],
    );
    let (code, report) = json(&["workloads", &snap, "-o", "json"]);
    assert_eq!(code, 0, "platform-managed findings never fail the run");
    let about = findings_about(&report, ADDON);
    assert!(about.iter().any(|f| f["status"] == "FAIL"), "still judged");
    assert!(
        about.iter().all(|f| f["platform_managed"] == true),
        "{about:#?}"
    );
    let scope = report["scope"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["area"] == "workloads"))
        .expect("workloads scope");
    assert_eq!(scope["reasons"]["label addonmanager.kubernetes.io/mode"], 1);
    assert!(
        scope["failing"].as_u64().is_some_and(|n| n > 0),
        "{scope:#}"
    );
    assert_eq!(scope["shown_by"], "--include-system");
    assert_eq!(report["inputs"][0]["kind"], "snapshot");
    assert!(
        report["summary"]["platform_managed"]
            .as_u64()
            .is_some_and(|n| n > 0)
    );

    // Text and Markdown: the count at the top of the area, not the findings.
    let (code, text) = run(&["workloads", &snap]);
    assert_eq!(code, 0);
    assert!(text.contains("platform-managed object"), "{text}");
    assert!(text.contains("--include-system shows them"), "{text}");
    assert!(!text.contains("DaemonSet kube-system/kube-proxy"), "{text}");
    let (_, md) = run(&["workloads", &snap, "-o", "markdown"]);
    assert!(md.contains("platform-managed object"), "{md}");
    assert!(!md.contains("kube-system/kube-proxy"), "{md}");
    // HTML and SARIF list them, marked; JUnit does not turn them into failures.
    let (_, html) = run(&["workloads", &snap, "-o", "html"]);
    assert!(html.contains("finding platform-managed"), "marked article");
    assert!(
        html.contains("platform-managed objects set apart")
            || html.contains("platform-managed object set apart")
    );
    let (_, sarif) = json(&["workloads", &snap, "-o", "sarif"]);
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(
        results
            .iter()
            .any(|r| r["properties"]["platformManaged"] == true)
    );
    assert!(sarif["runs"][0]["properties"]["scope"][0]["text"].is_string());
    let (_, junit) = run(&["workloads", &snap, "-o", "junit"]);
    assert!(junit.contains("type=\"platform-managed\""), "{junit}");
    assert!(!junit.contains("<failure"), "{junit}");

    // --include-system: shown and counted like any other finding.
    let (code, report) = json(&["workloads", &snap, "--include-system", "-o", "json"]);
    assert_eq!(code, 1);
    assert!(
        findings_about(&report, ADDON)
            .iter()
            .all(|f| f.get("platform_managed").is_none())
    );
    assert_eq!(report["scope"][0]["included"], true);

    // The other commands share the rule.
    let (code, text) = run(&["pss", "--level", "baseline", &snap]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("platform-managed object"), "{text}");
    let (code, _) = run(&["pss", "--level", "baseline", &snap, "--include-system"]);
    assert_eq!(code, 1);
    let (code, report) = json(&["scan", &snap, "-o", "json"]);
    assert_eq!(code, 0);
    assert!(report["scope"].as_array().is_some_and(|s| !s.is_empty()));
}

#[test]
fn a_name_prefixed_object_without_labels_is_never_set_apart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let snap = snapshot(
        dir.path(),
        vec![daemonset(
            "calico-node",
            serde_json::json!({"k8s-app": "calico-node"}),
        )],
    );
    let (code, report) = json(&["workloads", &snap, "-o", "json"]);
    assert_eq!(code, 1, "calico-node in kube-system is the user's own");
    let about = findings_about(&report, "calico-node");
    assert!(about.iter().any(|f| f["status"] == "FAIL"));
    assert!(about.iter().all(|f| f.get("platform_managed").is_none()));
    assert!(report.get("scope").is_none());
}

const RBAC_CODES: [&str; 8] = [
    "W401", "W403", "W406", "W407", "W408", "W409", "W410", "W411",
];

#[test]
fn no_rbac_check_passes_a_binding_it_did_not_judge() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("argocd.yaml");
    std::fs::write(
        &path,
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: argocd-application-controller}\nrules:\n- {apiGroups: ['*'], resources: ['*'], verbs: ['*']}\n- {nonResourceURLs: ['*'], verbs: ['*']}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: argocd-application-controller}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: argocd-application-controller}\nsubjects: [{kind: ServiceAccount, name: argocd-application-controller, namespace: argocd}]\n",
    )
    .expect("write");
    let (code, report) = json(&["workloads", &path.display().to_string(), "-o", "json"]);
    assert_eq!(code, 1);
    let findings = report["findings"].as_array().expect("findings");
    for code in RBAC_CODES {
        let of: Vec<_> = findings.iter().filter(|f| f["code"] == code).collect();
        assert!(
            of.iter().all(|f| f["status"] != "PASS"),
            "{code} passes what argo-cd's controller holds: {of:#?}"
        );
        assert!(
            of.iter().any(|f| f["status"] == "FAIL"
                && f["resource"]["name"] == "argocd-application-controller"),
            "{code}: {of:#?}"
        );
    }
}

#[test]
fn a_token_grant_narrowed_by_resource_names_is_reported_as_such_at_lower_severity() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("calico.yaml");
    std::fs::write(
        &path,
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: calico-node}\nrules:\n- {apiGroups: [''], resources: [serviceaccounts/token], resourceNames: [calico-cni-plugin], verbs: [create]}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: calico-node}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: calico-node}\nsubjects: [{kind: ServiceAccount, name: calico-node, namespace: kube-system}]\n",
    )
    .expect("write");
    let (_, report) = json(&["workloads", &path.display().to_string(), "-o", "json"]);
    let w411: Vec<_> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "W411")
        .collect();
    assert_eq!(w411.len(), 1, "{w411:#?}");
    assert_eq!(w411[0]["status"], "FAIL");
    assert_eq!(w411[0]["severity"], "medium", "one step below W411's high");
    let message = w411[0]["message"].as_str().unwrap_or("");
    assert!(message.contains("only on [calico-cni-plugin]"), "{message}");
    assert!(message.contains("narrowed by resourceNames"), "{message}");
}

#[test]
fn z100_gives_the_cis_verdict_and_z106_the_extra_advice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let diag = dir.path().join("diag.json");
    std::fs::write(
        &diag,
        r#"[{"id":"/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/rg-secure/providers/Microsoft.ContainerService/managedClusters/aks-hardened/providers/microsoft.insights/diagnosticSettings/audit","name":"audit","workspaceId":"/subscriptions/0/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/w","logs":[{"category":"kube-audit","enabled":true}]}]"#,
    )
    .expect("write");
    let (_, report) = json(&[
        "aks",
        "check",
        "crates/kubeward-aks/tests/fixtures/hardened.json",
        "--diagnostic-settings",
        &diag.display().to_string(),
        "--as-of",
        "2026-09-01",
        "-o",
        "json",
    ]);
    let status = |code: &str| {
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["code"] == code && f["resource"]["kind"] == "ManagedCluster")
            .map(|f| f["status"].as_str().unwrap_or("").to_string())
    };
    // kube-audit reaches Log Analytics: CIS AKS 2.1.1 is met, guard or not.
    assert_eq!(status("Z100").as_deref(), Some("PASS"));
    assert_eq!(status("Z106").as_deref(), Some("WARN"));
}

#[test]
fn a_saved_version_1_report_still_renders_and_every_finding_counts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("v1.json");
    let (_, mut report) = json(&["workloads", "examples/cluster", "-o", "json"]);
    report["schema_version"] = "1".into();
    std::fs::write(&path, report.to_string()).expect("write");
    let out = kubeward()
        .args(["render", &path.display().to_string(), "-o", "json"])
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "its FAIL findings still fail the run"
    );
    let again: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(again["schema_version"], "2");
}

#[test]
fn rbac_summary_and_who_can_follow_the_same_rule() {
    let dir = tempfile::tempdir().expect("tempdir");
    let binding = |name: &str, labels: serde_json::Value, subject: &str| {
        serde_json::json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": {"name": name, "uid": format!("uid-{name}"), "labels": labels},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
            "subjects": [{"kind": "Group", "name": subject}]
        })
    };
    let snap = snapshot(
        dir.path(),
        vec![
            binding(
                "cluster-admin",
                serde_json::json!({"kubernetes.io/bootstrapping": "rbac-defaults"}),
                "system:masters",
            ),
            // Named like a built-in, but unlabelled: the user's own.
            binding("system:ops", serde_json::json!({}), "ops"),
        ],
    );
    let out = kubeward()
        .args(["rbac", "summary", &snap])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("1 dangerous grant(s) of platform-managed bindings"),
        "{text}"
    );
    assert!(!text.contains("system:masters"), "{text}");
    assert!(text.contains("Group ops"), "{text}");
    let out = kubeward()
        .args(["rbac", "summary", &snap, "-o", "json"])
        .output()
        .expect("runs");
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let masters = rows
        .as_array()
        .and_then(|r| r.iter().find(|r| r["subject"]["name"] == "system:masters"))
        .expect("listed in JSON");
    assert_eq!(masters["dangerous"][0]["platform_managed"], true);
    let out = kubeward()
        .args(["rbac", "who-can", "get", "secrets", &snap, "-o", "json"])
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let managed: Vec<bool> = v["grants"]
        .as_array()
        .expect("grants")
        .iter()
        .map(|g| g["platform_managed"] == true)
        .collect();
    assert_eq!(managed.iter().filter(|m| **m).count(), 1, "{v:#}");
    assert_eq!(managed.len(), 2, "{v:#}");
}
