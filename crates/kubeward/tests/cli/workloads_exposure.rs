//! `kubeward workloads` reports ingress and egress exposure too (issue: exposure is part of the
//! workload scan, judged by the network-policy engine).
#![allow(clippy::unwrap_used)]

use std::process::Command;

#[test]
fn workloads_scan_includes_exposure_findings() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("svc.yaml");
    std::fs::write(
        &manifest,
        "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  type: LoadBalancer\n  selector: {app: web}\n  ports: [{port: 80}]\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: internal\n  namespace: shop\n  annotations: {service.beta.kubernetes.io/azure-load-balancer-internal: \"true\"}\nspec:\n  type: LoadBalancer\n  selector: {app: api}\n  ports: [{port: 80}]\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kubeward"))
        .args(["workloads"])
        .arg(&manifest)
        .args(["-o", "json", "--no-waivers", "--fail-on", "never"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let public_lb: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["area"] == "netpol" && f["resource"]["kind"] == "Service" && f["status"] == "FAIL"
        })
        .map(|f| f["resource"]["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(public_lb, vec!["web"], "only the public LoadBalancer fails");
}
