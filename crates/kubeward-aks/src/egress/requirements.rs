//! The requirements themselves: the hosts and ports AKS documents per cloud, per node OS and per
//! feature, and what each outbound type means for them.

use super::model::{Cloud, FqdnRule};
use crate::model::Cluster;

pub(super) fn fq(
    name: &str,
    feature: &str,
    required: bool,
    protocol: &'static str,
    port: u16,
    fqdns: &[&str],
    why: &str,
) -> FqdnRule {
    FqdnRule {
        name: name.into(),
        feature: feature.into(),
        required,
        protocol,
        port,
        fqdns: fqdns.iter().map(|s| s.to_string()).collect(),
        why: why.into(),
    }
}

/// A core rule: required by every cluster, HTTPS on 443.
pub(super) fn core_https(name: &str, fqdns: &[&str], why: &str) -> FqdnRule {
    fq(name, "core", true, "Https", 443, fqdns, why)
}

/// A core rule whose hosts do not depend on the location: name, hosts, why.
pub(super) type CoreRow = (&'static str, &'static [&'static str], &'static str);

pub(super) const PUBLIC_CORE: &[CoreRow] = &[
    (
        "mcr",
        &[
            "mcr.microsoft.com",
            "*.data.mcr.microsoft.com",
            "mcr-0001.mcr-msedge.net",
        ],
        "Microsoft Container Registry: system images for create, scale and upgrade",
    ),
    (
        "azure-management",
        &["management.azure.com"],
        "Kubernetes operations against the Azure API",
    ),
    (
        "entra-login",
        &["login.microsoftonline.com"],
        "Microsoft Entra authentication",
    ),
    (
        "packages",
        &["packages.microsoft.com"],
        "Microsoft package repository (cached apt/dnf)",
    ),
    (
        "binaries",
        &["acs-mirror.azureedge.net"],
        "Kubernetes and CNI binaries",
    ),
];

pub(super) const CHINA_CORE: &[CoreRow] = &[
    (
        "mcr",
        &["mcr.microsoft.com", "*.data.mcr.microsoft.com"],
        "Microsoft Container Registry",
    ),
    (
        "azure-management",
        &["management.chinacloudapi.cn"],
        "Azure API",
    ),
    (
        "entra-login",
        &["login.chinacloudapi.cn"],
        "Microsoft Entra authentication",
    ),
    (
        "packages",
        &["packages.microsoft.com"],
        "Microsoft package repository",
    ),
    ("binaries", &["*.azk8s.cn"], "Kubernetes and CNI binaries"),
];

pub(super) const US_GOVERNMENT_CORE: &[CoreRow] = &[
    (
        "mcr",
        &["mcr.microsoft.com", "*.data.mcr.microsoft.com"],
        "Microsoft Container Registry",
    ),
    (
        "azure-management",
        &["management.usgovcloudapi.net"],
        "Azure API",
    ),
    (
        "entra-login",
        &["login.microsoftonline.us"],
        "Microsoft Entra authentication",
    ),
    (
        "packages",
        &["packages.microsoft.com"],
        "Microsoft package repository",
    ),
    (
        "binaries",
        &["acs-mirror.azureedge.net"],
        "Kubernetes and CNI binaries",
    ),
];

pub(super) fn outbound_meaning(t: &str) -> String {
    match t.to_ascii_lowercase().as_str() {
        "loadbalancer" => "Egress leaves through the public IP(s) of the AKS-managed Standard Load Balancer. Nothing on that path filters by destination: the rules below are enforced only once egress is routed through a firewall (outbound type userDefinedRouting). Changing the outbound type changes the egress IP; update any allow-lists (authorized IP ranges, partner firewalls) that name it.",
        "managednatgateway" => "Egress leaves through an AKS-managed NAT gateway: unfiltered. To enforce the rules below, bring your own VNet with a route table to a firewall (userDefinedRouting).",
        "userassignednatgateway" => "Egress leaves through the NAT gateway you associated with the node subnet: unfiltered unless you put a firewall in the path.",
        "userdefinedrouting" => "AKS creates no egress path: the node subnet's route table must send 0.0.0.0/0 to your firewall or appliance, and it must allow at least the required rules below, or nodes fail to provision, scale and upgrade.",
        "none" => "AKS sets up no outbound path. Either the cluster is network-isolated (nodes bootstrap from a private registry cache and need none of the Internet rules below) or you provide egress yourself, in which case the rules below apply to it.",
        "block" => "All egress from the cluster is blocked (network-isolated cluster): nodes bootstrap from a private registry cache, and the rules below are unreachable by design; features that need them will not work.",
        _ => "Unknown outbound type: check `az aks show --query networkProfile.outboundType`.",
    }
    .to_string()
}

pub(super) fn has_gpu_pool(c: &Cluster) -> bool {
    c.pools.iter().any(|p| {
        let size = p
            .get("vmSize")
            .str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        // N-series sizes (NC, ND, NV) carry GPUs.
        size.starts_with("standard_n")
    })
}

/// The API server endpoint of a cloud (none through a private endpoint on the public cloud),
/// why nodes need it, and the cloud's fixed core table.
pub(super) fn api_server(
    cloud: Cloud,
    location: &str,
    private: bool,
) -> (Option<Vec<String>>, &'static str, &'static [CoreRow]) {
    match cloud {
        Cloud::AzurePublic => (
            (!private).then(|| vec![format!("*.hcp.{location}.azmk8s.io")]),
            "nodes to API server (konnectivity; ALPN must not be stripped)",
            PUBLIC_CORE,
        ),
        Cloud::AzureChina => (
            Some(vec![
                format!("*.hcp.{location}.cx.prod.service.azk8s.cn"),
                format!("*.tun.{location}.cx.prod.service.azk8s.cn"),
            ]),
            "nodes to API server",
            CHINA_CORE,
        ),
        Cloud::AzureUsGovernment => (
            Some(vec![format!(
                "*.hcp.{location}.cx.aks.containerservice.azure.us"
            )]),
            "nodes to API server",
            US_GOVERNMENT_CORE,
        ),
    }
}

/// Log Analytics ingestion (ods, oms) and Entra sign-in hosts of a cloud.
pub(super) fn insights_hosts(cloud: Cloud) -> (&'static str, &'static str, &'static str) {
    match cloud {
        Cloud::AzurePublic => (
            "*.ods.opinsights.azure.com",
            "*.oms.opinsights.azure.com",
            "login.microsoftonline.com",
        ),
        Cloud::AzureUsGovernment => (
            "*.ods.opinsights.azure.us",
            "*.oms.opinsights.azure.us",
            "login.microsoftonline.us",
        ),
        Cloud::AzureChina => (
            "*.ods.opinsights.azure.cn",
            "*.oms.opinsights.azure.cn",
            "login.microsoftonline.cn",
        ),
    }
}

/// Key Vault hosts of a cloud.
pub(super) fn keyvault_hosts(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::AzureUsGovernment => "*.vault.usgovcloudapi.net",
        Cloud::AzureChina => "*.vault.azure.cn",
        Cloud::AzurePublic => "*.vault.azure.net",
    }
}

/// Azure Monitor (Container insights, managed Prometheus) hosts of a cloud.
pub(super) fn monitor_hosts(cloud: Cloud, location: &str) -> Vec<String> {
    let (ods, oms, _) = insights_hosts(cloud);
    match cloud {
        Cloud::AzurePublic => vec![
            "dc.services.visualstudio.com".into(),
            ods.into(),
            oms.into(),
            "*.monitoring.azure.com".into(),
            "global.handler.control.monitor.azure.com".into(),
            format!("{location}.ingest.monitor.azure.com"),
            format!("{location}.handler.control.monitor.azure.com"),
        ],
        Cloud::AzureUsGovernment => vec![
            "dc.services.visualstudio.us".into(),
            ods.into(),
            oms.into(),
            "global.handler.control.monitor.azure.us".into(),
            format!("{location}.handler.control.monitor.azure.us"),
        ],
        Cloud::AzureChina => vec![
            "dc.services.visualstudio.cn".into(),
            ods.into(),
            oms.into(),
            "global.handler.control.monitor.azure.cn".into(),
            format!("{location}.handler.control.monitor.azure.cn"),
        ],
    }
}

/// Azure Policy add-on hosts of a cloud.
pub(super) fn policy_hosts(cloud: Cloud) -> &'static [&'static str] {
    match cloud {
        Cloud::AzurePublic => &[
            "data.policy.core.windows.net",
            "store.policy.core.windows.net",
            "dc.services.visualstudio.com",
        ],
        Cloud::AzureUsGovernment => &["data.policy.azure.us", "store.policy.azure.us"],
        Cloud::AzureChina => &["data.policy.azure.cn", "store.policy.azure.cn"],
    }
}
