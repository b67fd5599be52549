//! `kubeward aks check` on real-world shapes: `az rest` lists of clusters (item 12 of the
//! real-input review) and the checks added for fields real bodies carry (item 13).
#![allow(clippy::unwrap_used)]

use std::process::Command;

fn kubeward() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kubeward"));
    c.env("NO_COLOR", "1");
    c
}

/// A REST managedCluster resource, written for this test.
fn cluster(name: &str, lb: &str, image: &str) -> String {
    format!(
        r#"{{"id":"/subscriptions/0000/resourceGroups/rg-test/providers/Microsoft.ContainerService/managedClusters/{name}",
  "name":"{name}","type":"Microsoft.ContainerService/managedClusters","location":"northeurope",
  "identity":{{"type":"SystemAssigned"}},
  "properties":{{"kubernetesVersion":"1.34.1","provisioningState":"Succeeded",
    "privateFQDN":"{name}-77aa.privatelink.northeurope.azmk8s.io",
    "servicePrincipalProfile":{{"clientId":"msi"}},
    "apiServerAccessProfile":{{"enablePrivateCluster":true,"privateDNSZone":"none"}},
    "networkProfile":{{"networkPlugin":"azure","loadBalancerSku":"{lb}"}},
    "agentPoolProfiles":[{{"name":"sys","mode":"System","vmSize":"Standard_D4ds_v5","osType":"Linux",
      "nodeImageVersion":"{image}","securityProfile":{{"enableSecureBoot":true,"enableVTPM":true}}}}]}}}}"#
    )
}

#[test]
fn item12_and_13_an_az_rest_list_of_clusters_is_judged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clusters.json");
    let body = format!(
        r#"{{"value":[{},{}]}}"#,
        cluster("east", "basic", "AKSUbuntu-2204gen2containerd-202601.05.0"),
        cluster(
            "west",
            "standard",
            "AKSUbuntu-2204gen2containerd-202602.20.0"
        )
    );
    std::fs::write(&path, body).unwrap();
    let out = kubeward()
        .args(["aks", "check", "--as-of", "2026-03-01", "-o", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["input_errors"].as_array().map_or(0, Vec::len),
        0,
        "{report}"
    );
    let status = |code: &str, resource: &str| -> String {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == code && f["resource"]["name"] == resource)
            .map(|f| f["status"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("no {code} for {resource}"))
    };
    // Item 12: both clusters of the list are read and judged.
    assert_eq!(status("Z125", "east"), "FAIL");
    assert_eq!(status("Z125", "west"), "PASS");
    // Item 9: a deployed private cluster with only privateFQDN has no public FQDN.
    assert_eq!(status("Z121", "east"), "PASS");
    // Item 10: managed identity.
    assert_eq!(status("Z134", "west"), "PASS");
    // Item 13: node image age honours --as-of; private DNS zone none; Trusted Launch on.
    assert_eq!(status("Z153", "east/sys"), "PASS");
    assert_eq!(status("Z126", "west"), "WARN");
    assert_eq!(status("Z144", "west/sys"), "PASS");
    let later = kubeward()
        .args(["aks", "check", "--as-of", "2026-06-01", "-o", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let later: serde_json::Value = serde_json::from_slice(&later.stdout).unwrap();
    let east_image = later["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "Z153" && f["resource"]["name"] == "east/sys")
        .unwrap();
    assert_eq!(east_image["status"], "FAIL");
}

#[test]
fn item13_new_checks_are_listed_and_explained() {
    let out = kubeward()
        .args(["checks", "--area", "aks", "-o", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let checks: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    for code in ["Z105", "Z111", "Z125", "Z126", "Z136", "Z144", "Z153"] {
        let c = checks
            .iter()
            .find(|c| c["code"] == code)
            .unwrap_or_else(|| panic!("{code} not listed"));
        assert!(
            c["doc"]["fix"].as_str().unwrap().contains("az "),
            "{code}: a remediation with az commands"
        );
    }
    let explain = kubeward().args(["explain", "Z153"]).output().unwrap();
    assert!(explain.status.success());
    let text = String::from_utf8_lossy(&explain.stdout);
    assert!(text.contains("90 days"), "{text}");
    assert!(text.contains("--node-image-only"), "{text}");
}
