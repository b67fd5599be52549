//! Prints how long reading and judging AKS inputs takes: `cargo bench -p kubeward-aks`.
//! The inputs are generated here (a cluster with many node pools, an `az aks list` of many clusters).

use std::time::Instant;

use kubeward_aks::{Ctx, InputFile, assess, versions};

fn pool(i: usize) -> serde_json::Value {
    serde_json::json!({
        "name": format!("pool{i}"), "mode": if i == 0 { "System" } else { "User" },
        "vmSize": "Standard_D4ds_v5", "osType": "Linux", "osSku": "Ubuntu",
        "osDiskType": if i.is_multiple_of(2) { "Ephemeral" } else { "Managed" },
        "enableEncryptionAtHost": i.is_multiple_of(3), "enableNodePublicIp": i.is_multiple_of(7),
        "orchestratorVersion": "1.34", "currentOrchestratorVersion": "1.34.2",
        "securityProfile": {"sshAccess": "LocalUser"}
    })
}

fn cluster(name: &str, pools: usize) -> serde_json::Value {
    serde_json::json!({
        "name": name, "location": "westeurope", "kubernetesVersion": "1.34", "dnsPrefix": name,
        "type": "Microsoft.ContainerService/ManagedClusters",
        "sku": {"name": "Base", "tier": "Standard"}, "enableRbac": true, "disableLocalAccounts": false,
        "aadProfile": {"managed": true, "enableAzureRbac": true, "adminGroupObjectIDs": ["g"]},
        "networkProfile": {"networkPlugin": "azure", "networkPolicy": "azure", "outboundType": "loadBalancer"},
        "addonProfiles": {"azurepolicy": {"enabled": true}},
        "agentPoolProfiles": (0..pools).map(pool).collect::<Vec<_>>()
    })
}

fn time(label: &str, text: String, rounds: usize) {
    let ctx = Ctx {
        as_of: versions::parse_date("2026-09-01").expect("date"),
    };
    let bytes = text.len();
    let start = Instant::now();
    let mut findings = 0;
    for _ in 0..rounds {
        let r = assess(
            vec![InputFile {
                path: "bench.json".into(),
                text: text.clone(),
                forced_diagnostics: false,
            }],
            &ctx,
        )
        .report;
        findings = r.findings.len();
    }
    let per = start.elapsed() / rounds as u32;
    println!(
        "{label:<40} {bytes:>9} bytes  {findings:>6} findings  {:>10.3} ms/run  {:>8.1} MB/s",
        per.as_secs_f64() * 1e3,
        bytes as f64 / per.as_secs_f64() / 1e6
    );
}

fn main() {
    split("one cluster, 100 pools", &cluster("c", 100).to_string());
    time("one cluster, 3 pools", cluster("c", 3).to_string(), 200);
    time("one cluster, 100 pools", cluster("c", 100).to_string(), 50);
    let list: Vec<_> = (0..500).map(|i| cluster(&format!("c{i}"), 5)).collect();
    time(
        "az aks list: 500 clusters x 5 pools",
        serde_json::Value::Array(list).to_string(),
        5,
    );
}

/// Reading (parse, line index, model) versus judging, for one input.
fn split(label: &str, text: &str) {
    let ctx = Ctx {
        as_of: versions::parse_date("2026-09-01").expect("date"),
    };
    let t = Instant::now();
    for _ in 0..50 {
        let _ = kubeward_aks::load(vec![InputFile {
            path: "b".into(),
            text: text.to_string(),
            forced_diagnostics: false,
        }]);
    }
    println!(
        "{label:<40} read: {:>8.3} ms/run",
        (t.elapsed() / 50).as_secs_f64() * 1e3
    );
    let inv = kubeward_aks::load(vec![InputFile {
        path: "b".into(),
        text: text.to_string(),
        forced_diagnostics: false,
    }]);
    let t = Instant::now();
    for _ in 0..50 {
        let _ = kubeward_aks::checks::run(&inv.clusters, &ctx);
    }
    println!(
        "{label:<40} checks: {:>6.3} ms/run",
        (t.elapsed() / 50).as_secs_f64() * 1e3
    );
}
