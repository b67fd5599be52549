//! `kubeward netpol …` end to end on small manifests written to a temporary directory.

use assert_cmd::Command;
use predicates::prelude::*;

const APPS: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: x, ports: [{containerPort: 8080, name: http}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 5432}]}]
"#;

fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        std::fs::write(d.path().join(name), text).expect("write");
    }
    d
}

fn kubeward() -> Command {
    Command::cargo_bin("kubeward").expect("binary")
}

#[test]
fn list_txt_and_json() {
    let d = dir_with(&[("apps.yaml", APPS)]);
    kubeward()
        .args(["netpol", "list"])
        .arg(d.path())
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "shop/web[Deployment] => shop/db[Deployment] : TCP 5432",
        ))
        .stdout(predicate::str::contains(
            "shop/db[Deployment] => shop/web[Deployment] : All Connections",
        ));
    let out = kubeward()
        .args(["netpol", "list", "-o", "json"])
        .arg(d.path())
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        v.as_array()
            .is_some_and(|a| a.iter().any(|r| r["conn"] == "TCP 5432"))
    );
}

#[test]
fn explain_names_the_rule() {
    let d = dir_with(&[("apps.yaml", APPS)]);
    kubeward()
        .args([
            "netpol", "explain", "--from", "shop/web", "--to", "shop/db", "--port", "5432/TCP",
        ])
        .arg(d.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("TCP 5432: ALLOWED"))
        .stdout(predicate::str::contains(
            "NetworkPolicy shop/db Ingress rule #1 allows TCP 5432",
        ));
}

#[test]
fn explain_names_the_side_that_denies_the_port() {
    let d = dir_with(&[("apps.yaml", APPS)]);
    kubeward()
        .args([
            "netpol", "explain", "--from", "shop/web", "--to", "shop/db", "--port", "80",
        ])
        .arg(d.path())
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "TCP 80: DENIED by Ingress of shop/db[Deployment]\n",
        ))
        .stdout(predicate::str::contains("TCP 80: denied on this side"));
}

#[test]
fn generate_warns_when_workloads_share_labels() {
    let twin = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: db-twin, namespace: shop}\nspec: {template: {metadata: {labels: {app: db}}, spec: {containers: [{name: c, image: x}]}}}\n";
    let d = dir_with(&[("apps.yaml", APPS), ("twin.yaml", twin)]);
    let flows = d.path().join("flows.csv");
    std::fs::write(&flows, "src,dst,port\nshop/web,shop/db,5432\n").expect("write flows");
    kubeward()
        .args(["netpol", "generate", "--flows"])
        .arg(&flows)
        .arg(d.path().join("apps.yaml"))
        .arg(d.path().join("twin.yaml"))
        .assert()
        .success()
        .stdout(predicate::str::contains("name: allow-db"))
        .stderr(predicate::str::contains(
            "shop/db[Deployment] and shop/db-twin[Deployment] have the same pod labels",
        ));
}

#[test]
fn ipv6_ip_blocks_are_not_dropped_silently() {
    let v6 = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: out6, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n  egress: [{to: [{ipBlock: {cidr: '2001:db8::/32'}}]}]\n";
    let d = dir_with(&[("apps.yaml", APPS), ("v6.yaml", v6)]);
    kubeward()
        .args(["netpol", "list"])
        .arg(d.path())
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "IPv6 ipBlocks of shop/out6 are not shown",
        ));
}

#[test]
fn empty_input_is_not_silent() {
    let d = dir_with(&[]);
    kubeward()
        .args(["netpol", "list"])
        .arg(d.path())
        .assert()
        .success()
        .stderr(predicate::str::contains("no Kubernetes objects found"));
}

#[test]
fn diff_reports_changes() {
    let old = dir_with(&[("apps.yaml", APPS)]);
    let new = dir_with(&[("apps.yaml", &APPS.replace("5432", "6432"))]);
    kubeward()
        .args(["netpol", "diff"])
        .arg(old.path())
        .arg(new.path())
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "diff-type: changed, source: shop/web[Deployment], destination: shop/db[Deployment], ref1: TCP 5432, ref2: TCP 6432",
        ));
}

#[test]
fn invalid_policy_is_reported_and_others_still_listed() {
    let bad = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: broken, namespace: shop}\nspec:\n  podSelector: {}\n  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/40}}]}]\n";
    let d = dir_with(&[("apps.yaml", APPS), ("bad.yaml", bad)]);
    kubeward()
        .args(["netpol", "list"])
        .arg(d.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("NetworkPolicy shop/broken"))
        .stderr(predicate::str::contains("not a valid CIDR"))
        .stdout(predicate::str::contains(
            "shop/web[Deployment] => shop/db[Deployment] : TCP 5432",
        ));
}

#[test]
fn coverage_json_has_isolation_and_exposure_findings() {
    let d = dir_with(&[("apps.yaml", APPS)]);
    let out = kubeward()
        .args(["netpol", "coverage", "-o", "json"])
        .arg(d.path())
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    let codes: Vec<(String, String, String)> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or("").to_string(),
                f["status"].as_str().unwrap_or("").to_string(),
                f["resource"]["name"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert!(
        codes.contains(&("P201".into(), "FAIL".into(), "web".into())),
        "{codes:?}"
    );
    assert!(
        codes.contains(&("P201".into(), "PASS".into(), "db".into())),
        "{codes:?}"
    );
    // web and db have no egress policy: one P108 for their namespace, naming both.
    assert!(
        codes.contains(&("P108".into(), "FAIL".into(), "shop".into())),
        "{codes:?}"
    );
    let imds = v["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["code"] == "P108"))
        .expect("a P108 finding");
    let named: Vec<&str> = imds["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .filter_map(|e| e["observed"].as_str())
        .collect();
    assert!(
        named.iter().any(|n| n.ends_with(" web")) && named.iter().any(|n| n.ends_with(" db")),
        "{named:?}"
    );
    assert_eq!(out.status.code(), Some(1), "failing findings give exit 1");
}

#[test]
fn generate_prints_default_deny_with_dns() {
    let d = dir_with(&[("apps.yaml", APPS)]);
    kubeward()
        .args(["netpol", "generate"])
        .arg(d.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("name: default-deny"))
        .stdout(predicate::str::contains("k8s-app: kube-dns"))
        .stdout(predicate::str::contains("port: 53"));
}

#[test]
fn unknown_engine_is_a_usage_error() {
    let d = dir_with(&[("apps.yaml", APPS)]);
    kubeward()
        .args(["netpol", "list", "--engine", "weave"])
        .arg(d.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown engine"));
}

/// The e2e shape "allow egress to a server in a CIDR block": the client may reach only the
/// server's pod IP, by ipBlock. Whether it can depends on the engine.
const CIDR_EGRESS: &str = r#"apiVersion: v1
kind: Pod
metadata: {name: server, namespace: shop, labels: {app: server}}
spec: {containers: [{name: c, image: x, ports: [{containerPort: 80}]}]}
status: {podIP: 10.244.1.7, podIPs: [{ip: 10.244.1.7}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: shop}
spec:
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: to-server-cidr, namespace: shop}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 10.244.1.7/32}}]}]
"#;

fn aks_body(network_policy: &str) -> String {
    format!(
        r#"{{"id": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c", "name": "c", "type": "Microsoft.ContainerService/managedClusters", "properties": {{"networkProfile": {{"networkPlugin": "azure"{network_policy}}}}}}}"#
    )
}

const CLIENT_TO_SERVER: &str = "shop/client[Deployment] => shop/server[Pod]";

// item 14: the engine is a fact of the cluster; without one the fallback says why
#[test]
fn item14_engine_auto_reads_the_cluster_and_says_when_it_cannot() {
    let d = dir_with(&[("app.yaml", CIDR_EGRESS)]);
    let aks = tempfile::tempdir().expect("tempdir");
    let body = aks.path().join("cluster.json");
    std::fs::write(&body, aks_body(r#", "networkPolicy": "azure""#)).expect("write");
    // Azure NPM (from the body): the ipBlock matches the server's pod IP
    kubeward()
        .args(["netpol", "list"])
        .arg(d.path())
        .arg("--aks")
        .arg(&body)
        .assert()
        .success()
        .stdout(predicate::str::contains(CLIENT_TO_SERVER))
        .stderr(predicate::str::contains("policy engine azure-npm"));
    // nothing tells: the default engine, and every ipBlock over a pod IP is named
    kubeward()
        .args(["netpol", "list"])
        .arg(d.path())
        .assert()
        .success()
        .stdout(predicate::str::contains(CLIENT_TO_SERVER).not())
        .stderr(predicate::str::contains("policy engine is not known"))
        .stderr(predicate::str::contains(
            "ipBlock 10.244.1.7/32 at /spec/egress/0 covers the pod IP of shop/server[Pod]",
        ));
    // a calico-node DaemonSet in the snapshot is enough
    let calico = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: calico-node, namespace: calico-system}\nspec: {template: {spec: {containers: [{name: c, image: x}]}}}\n";
    let d2 = dir_with(&[("app.yaml", CIDR_EGRESS), ("calico.yaml", calico)]);
    kubeward()
        .args(["netpol", "list"])
        .arg(d2.path())
        .assert()
        .success()
        .stdout(predicate::str::contains(CLIENT_TO_SERVER));
    // the report formats carry it too: P210 names the ipBlock, facts say why
    let out = kubeward()
        .args(["netpol", "coverage", "-o", "json"])
        .arg(d.path())
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        v["facts"]["netpol"]["engine_basis"]
            .as_str()
            .is_some_and(|s| s.starts_with("not known")),
        "{}",
        v["facts"]
    );
    let p210: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "P210")
        .collect();
    assert!(
        p210.iter().any(|f| f["message"]
            .as_str()
            .is_some_and(|m| m.contains("ipBlock 10.244.1.7/32"))),
        "{p210:#?}"
    );
    assert!(p210.iter().any(|f| f["status"] == "INFO"), "{p210:#?}");
}

// item 14: networkPolicy none means nothing enforces the policies: a finding, all allowed
#[test]
fn item14_no_engine_is_a_finding_and_analysed_as_all_allowed() {
    let d = dir_with(&[("app.yaml", CIDR_EGRESS)]);
    let aks = tempfile::tempdir().expect("tempdir");
    let body = aks.path().join("cluster.json");
    std::fs::write(&body, aks_body(r#", "networkPolicy": "none""#)).expect("write");
    let out = kubeward()
        .args(["netpol", "coverage", "-o", "json", "--aks"])
        .arg(&body)
        .arg(d.path())
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let p211: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "P211")
        .collect();
    assert_eq!(p211.len(), 1, "{p211:#?}");
    assert_eq!(p211[0]["status"], "FAIL");
    assert!(
        p211[0]["evidence"]
            .as_array()
            .expect("evidence")
            .iter()
            .any(|e| e["source"]["file"]
                .as_str()
                .is_some_and(|f| f.ends_with("cluster.json"))),
        "{:#}",
        p211[0]
    );
    // absent networkPolicy is no engine too; the client reaches everything
    std::fs::write(&body, aks_body("")).expect("write");
    kubeward()
        .args(["netpol", "list", "--aks"])
        .arg(&body)
        .arg(d.path())
        .assert()
        .success()
        .stdout(predicate::str::contains(CLIENT_TO_SERVER))
        .stdout(predicate::str::contains(
            "shop/client[Deployment] => 0.0.0.0-",
        ))
        .stderr(predicate::str::contains("no policy engine enforces"));
}
