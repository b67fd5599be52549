//! Building a cluster's plan: the core rules of its cloud, the tunnel to the control plane, its
//! node operating systems, then its features, each step adding rules and notes in the order
//! they are shown.

use super::model::{Cloud, EgressPlan, FqdnRule, NetworkRule};
use super::requirements::{
    api_server, core_https, fq, has_gpu_pool, insights_hosts, keyvault_hosts, monitor_hosts,
    outbound_meaning, policy_hosts,
};
use crate::model::Cluster;

/// What the steps have gathered so far.
struct Gathered {
    features: Vec<String>,
    app: Vec<FqdnRule>,
    net: Vec<NetworkRule>,
    notes: Vec<String>,
}

impl Gathered {
    /// A feature the cluster uses, and the HTTPS rule it needs.
    fn https_feature(&mut self, feature: &str, name: &str, fqdns: &[&str], why: &str) {
        self.features.push(feature.into());
        self.app
            .push(fq(name, feature, true, "Https", 443, fqdns, why));
    }
}

/// What the cluster needs to reach, given its configuration (and node pools, when given).
pub fn plan(c: &Cluster) -> EgressPlan {
    let location = c.location().unwrap_or_else(|| "<location>".into());
    let cloud = Cloud::from_location(&location);
    let ot = c.get("networkProfile.outboundType");
    let (outbound_type, defaulted) = match ot.str() {
        Some(s) if !ot.is_unresolved() => (s.to_string(), false),
        _ => ("loadBalancer".to_string(), true),
    };
    let private = c.is_private();
    let mut g = Gathered {
        features: vec!["core".to_string()],
        app: Vec::new(),
        net: Vec::new(),
        notes: Vec::new(),
    };
    core(&mut g, cloud, &location, private);
    control_plane_tunnel(&mut g, cloud, &location, private);
    connectivity_notes(&mut g, c, &outbound_type, private);
    node_os(&mut g, c);
    features(&mut g, c, cloud, &location);
    g.notes.push("Cluster extensions (Flux/GitOps, Dapr, marketplace) are not in `az aks show`; if used, also allow <region>.dp.kubernetesconfiguration.azure.com and the extension's registries.".into());
    g.notes.push("Azure Firewall offers the FQDN tag AzureKubernetesService, which covers the core FQDNs in one application rule.".into());

    dedupe(&mut g.app);

    EgressPlan {
        cluster: c.name.clone(),
        location,
        cloud,
        outbound_meaning: outbound_meaning(&outbound_type),
        outbound_type,
        outbound_type_defaulted: defaulted,
        private_cluster: private,
        features: g.features,
        application_rules: g.app,
        network_rules: g.net,
        notes: g.notes,
    }
}

/// Core requirements, per cloud: the API server endpoint (its name carries the location), then
/// the cloud's fixed table.
fn core(g: &mut Gathered, cloud: Cloud, location: &str, private: bool) {
    let (api_server, api_server_why, core_rows) = api_server(cloud, location, private);
    if let Some(hosts) = api_server {
        let hosts: Vec<&str> = hosts.iter().map(String::as_str).collect();
        g.app
            .push(core_https("aks-api-server", &hosts, api_server_why));
    }
    for (name, fqdns, why) in core_rows {
        g.app.push(core_https(name, fqdns, why));
    }
    if cloud != Cloud::AzurePublic {
        g.notes.push(format!("{} detected from the location: its endpoints differ from the public cloud; the lists below use its names where Microsoft documents them.", cloud.as_str()));
    }
}

/// The node to control plane tunnel (not through a private endpoint), and NTP.
fn control_plane_tunnel(g: &mut Gathered, cloud: Cloud, location: &str, private: bool) {
    let region_tag = format!("AzureCloud.{location}");
    let tunnel_needed = !private || cloud == Cloud::AzureChina;
    if tunnel_needed {
        g.net.push(NetworkRule { name: "aks-tunnel-udp".into(), feature: "core".into(), required: true, protocol: "UDP",
            destinations: vec![region_tag.clone()], destination_fqdns: vec![], ports: vec![1194],
            why: "tunnelled node to control plane traffic (not needed on clusters using konnectivity-agent)".into() });
        g.net.push(NetworkRule { name: "aks-tunnel-tcp".into(), feature: "core".into(), required: true, protocol: "TCP",
            destinations: vec![region_tag.clone()], destination_fqdns: vec![], ports: vec![9000],
            why: "tunnelled node to control plane traffic (not needed on clusters using konnectivity-agent)".into() });
        g.net.push(NetworkRule { name: "aks-api-server-pods".into(), feature: "core".into(), required: true, protocol: "TCP",
            destinations: vec![region_tag.clone()], destination_fqdns: vec![], ports: vec![443],
            why: "pods that call the API server by its IP (narrow to the API server's public IP once known, or annotate pods with kubernetes.azure.com/set-kube-service-host-fqdn behind an L7 firewall)".into() });
    } else {
        g.notes.push("Private cluster: nodes reach the API server through its private endpoint, so the *.hcp FQDN and the 1194/9000 tunnel rules are not needed; an NSG on the node subnet must still allow the API server subnet (TCP 443 and 4443, UDP 9988) when API server VNet integration is used.".into());
    }
    if cloud == Cloud::AzureChina {
        g.net.push(NetworkRule {
            name: "aks-tunnel-ssh".into(),
            feature: "core".into(),
            required: true,
            protocol: "TCP",
            destinations: vec![region_tag.clone()],
            destination_fqdns: vec![],
            ports: vec![22],
            why: "tunnelled node to control plane traffic (21Vianet)".into(),
        });
    }
    g.net.push(NetworkRule {
        name: "ntp".into(),
        feature: "core".into(),
        required: false,
        protocol: "UDP",
        destinations: vec![],
        destination_fqdns: vec!["ntp.ubuntu.com".into()],
        ports: vec![123],
        why: "NTP for Linux nodes provisioned before March 2021 only".into(),
    });
}

/// What the rules depend on outside the firewall: authorized IP ranges, DNS.
fn connectivity_notes(g: &mut Gathered, c: &Cluster, outbound_type: &str, private: bool) {
    let ranges = c
        .get("apiServerAccessProfile.authorizedIpRanges")
        .array()
        .is_some_and(|a| !a.is_empty());
    if ranges && !private {
        g.notes.push(if outbound_type.eq_ignore_ascii_case("userDefinedRouting") {
            "API server authorized IP ranges are set: add the firewall's public IP to them, or nodes and pods egressing through it cannot reach the API server.".to_string()
        } else if outbound_type.eq_ignore_ascii_case("loadBalancer") {
            "API server authorized IP ranges are set: AKS allows the load balancer's outbound IP itself; if you move egress to a firewall (userDefinedRouting), add the firewall's public IP to the ranges first.".to_string()
        } else {
            "API server authorized IP ranges are set: the cluster's egress IP (the NAT gateway's public IP) must be in them; if you move egress to a firewall, add the firewall's public IP first.".to_string()
        });
    }
    g.notes.push("Custom DNS servers on the VNet must be reachable on UDP 53 from the nodes (not visible in the cluster configuration).".into());
    if g.net.iter().any(|r| !r.destination_fqdns.is_empty()) {
        g.notes.push("Network rules that name a host (ntp.ubuntu.com) need DNS proxy enabled on the Azure Firewall, and the VNet's DNS servers pointed at the firewall.".into());
    }
}

/// Node operating systems: Ubuntu updates, Windows binaries, GPU drivers.
fn node_os(g: &mut Gathered, c: &Cluster) {
    let linux_ubuntu = c.pools.iter().any(|p| {
        !p.is_windows()
            && p.get("osSku")
                .str()
                .is_none_or(|s| s.to_ascii_lowercase().starts_with("ubuntu"))
    });
    if linux_ubuntu {
        g.features.push("ubuntu-nodes".into());
        g.app.push(fq("ubuntu-updates", "ubuntu-nodes", false, "Http", 80, &["security.ubuntu.com", "azure.archive.ubuntu.com", "changelogs.ubuntu.com"],
            "Ubuntu security updates between node image upgrades (without them, nodes are patched only by node image upgrades)"));
        g.app.push(fq(
            "ubuntu-snapshot",
            "ubuntu-nodes",
            false,
            "Https",
            443,
            &["snapshot.ubuntu.com"],
            "Ubuntu snapshot service updates",
        ));
    }
    if c.pools.iter().any(|p| p.is_windows()) {
        g.features.push("windows-nodes".into());
        g.app.push(fq(
            "windows-https",
            "windows-nodes",
            true,
            "Https",
            443,
            &["onegetcdn.azureedge.net", "go.microsoft.com"],
            "Windows node binaries",
        ));
        g.app.push(fq(
            "windows-http",
            "windows-nodes",
            true,
            "Http",
            80,
            &[
                "*.mp.microsoft.com",
                "www.msftconnecttest.com",
                "ctldl.windowsupdate.com",
            ],
            "Windows node binaries and updates",
        ));
    }
    if has_gpu_pool(c) {
        g.https_feature(
            "gpu-nodes",
            "gpu",
            &[
                "nvidia.github.io",
                "us.download.nvidia.com",
                "download.docker.com",
            ],
            "GPU driver installation",
        );
    }
}

/// Enabled features that call out: Defender, the Key Vault secrets provider, Azure Monitor,
/// Azure Policy.
fn features(g: &mut Gathered, c: &Cluster, cloud: Cloud, location: &str) {
    let (ods, oms, login) = insights_hosts(cloud);
    if c.get("securityProfile.defender.securityMonitoring.enabled")
        .bool()
        == Some(true)
    {
        g.https_feature(
            "defender",
            "defender",
            &[login, ods, oms],
            "Defender for Containers: authentication and security event upload",
        );
    }
    if c.addon(&["azureKeyvaultSecretsProvider"], "enabled").bool() == Some(true) {
        let kv = keyvault_hosts(cloud);
        g.https_feature(
            "keyvault-secrets-provider",
            "keyvault",
            &[kv],
            "Secrets Store CSI driver to Key Vault (narrow to your vaults' names)",
        );
    }
    let monitoring = c.addon(&["omsagent"], "enabled").bool() == Some(true)
        || c.get("azureMonitorProfile.metrics.enabled").bool() == Some(true);
    if monitoring {
        g.features.push("azure-monitor".into());
        let list = monitor_hosts(cloud, location);
        g.app.push(FqdnRule { name: "azure-monitor".into(), feature: "azure-monitor".into(), required: true, protocol: "Https", port: 443,
            fqdns: list, why: "Container insights and managed Prometheus: telemetry, log ingestion, metrics, data collection rules".into() });
        g.notes.push("Azure Monitor also accepts a network rule to the AzureMonitor service tag on TCP 443 instead of the FQDNs.".into());
    }
    if c.addon(&["azurepolicy"], "enabled").bool() == Some(true) {
        let list = policy_hosts(cloud);
        g.https_feature(
            "azure-policy",
            "azure-policy",
            list,
            "Azure Policy add-on: policy download, compliance reporting, telemetry",
        );
    }
}

/// A host already allowed by an earlier rule (same protocol and port) is listed once; the later
/// rule says it relies on it, and disappears if nothing of its own is left.
fn dedupe(rules: &mut Vec<FqdnRule>) {
    let mut seen: Vec<(String, &'static str, u16)> = Vec::new();
    for r in rules.iter_mut() {
        let mut shared = Vec::new();
        r.fqdns.retain(|f| {
            let key = (f.clone(), r.protocol, r.port);
            if seen.contains(&key) {
                shared.push(f.clone());
                false
            } else {
                seen.push(key);
                true
            }
        });
        if !shared.is_empty() {
            r.why.push_str(&format!(
                " (also needs {}, allowed above)",
                shared.join(", ")
            ));
        }
    }
    rules.retain(|r| !r.fqdns.is_empty());
}
