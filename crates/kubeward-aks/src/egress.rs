//! What a cluster needs to reach: the FQDNs and ports of its configuration (required core plus
//! one block per enabled feature and node OS), what its outbound type means for them, and the
//! same as Azure Firewall application and network rules (az CLI commands or JSON).

use serde::Serialize;

use crate::model::Cluster;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Cloud {
    AzurePublic,
    AzureChina,
    AzureUsGovernment,
}

impl Cloud {
    fn from_location(location: &str) -> Cloud {
        let l = location.to_ascii_lowercase();
        if l.starts_with("china") {
            Cloud::AzureChina
        } else if l.starts_with("usgov") || l.starts_with("usdod") {
            Cloud::AzureUsGovernment
        } else {
            Cloud::AzurePublic
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Cloud::AzurePublic => "Azure public cloud",
            Cloud::AzureChina => "Microsoft Azure operated by 21Vianet",
            Cloud::AzureUsGovernment => "Azure US Government",
        }
    }
}

/// An application (FQDN) rule: HTTP or HTTPS to host names.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FqdnRule {
    pub name: String,
    pub feature: String,
    pub required: bool,
    pub protocol: &'static str,
    pub port: u16,
    pub fqdns: Vec<String>,
    pub why: String,
}

/// A network rule: TCP/UDP to service tags, addresses or FQDNs.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkRule {
    pub name: String,
    pub feature: String,
    pub required: bool,
    pub protocol: &'static str,
    pub destinations: Vec<String>,
    /// Destinations that are host names (need DNS proxy on Azure Firewall).
    pub destination_fqdns: Vec<String>,
    pub ports: Vec<u16>,
    pub why: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EgressPlan {
    pub cluster: String,
    pub location: String,
    pub cloud: Cloud,
    pub outbound_type: String,
    /// `true` when the outbound type was not in the input and AKS's default was assumed.
    pub outbound_type_defaulted: bool,
    pub outbound_meaning: String,
    pub private_cluster: bool,
    pub features: Vec<String>,
    pub application_rules: Vec<FqdnRule>,
    pub network_rules: Vec<NetworkRule>,
    pub notes: Vec<String>,
}

fn fq(
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
fn core_https(name: &str, fqdns: &[&str], why: &str) -> FqdnRule {
    fq(name, "core", true, "Https", 443, fqdns, why)
}

/// A core rule whose hosts do not depend on the location: name, hosts, why.
type CoreRow = (&'static str, &'static [&'static str], &'static str);

const PUBLIC_CORE: &[CoreRow] = &[
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

const CHINA_CORE: &[CoreRow] = &[
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

const US_GOVERNMENT_CORE: &[CoreRow] = &[
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

fn outbound_meaning(t: &str) -> String {
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

fn has_gpu_pool(c: &Cluster) -> bool {
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

pub fn plan(c: &Cluster) -> EgressPlan {
    let location = c.location().unwrap_or_else(|| "<location>".into());
    let cloud = Cloud::from_location(&location);
    let ot = c.get("networkProfile.outboundType");
    let (outbound_type, defaulted) = match ot.str() {
        Some(s) if !ot.is_unresolved() => (s.to_string(), false),
        _ => ("loadBalancer".to_string(), true),
    };
    let private = c.is_private();
    let mut app = Vec::new();
    let mut net = Vec::new();
    let mut features = vec!["core".to_string()];
    let mut notes = Vec::new();

    // Core requirements, per cloud: the API server endpoint (its name carries the location), then
    // the cloud's fixed table.
    let (api_server, api_server_why, core_rows): (Option<Vec<String>>, &str, &[CoreRow]) =
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
        };
    if let Some(hosts) = api_server {
        let hosts: Vec<&str> = hosts.iter().map(String::as_str).collect();
        app.push(core_https("aks-api-server", &hosts, api_server_why));
    }
    for (name, fqdns, why) in core_rows {
        app.push(core_https(name, fqdns, why));
    }
    if cloud != Cloud::AzurePublic {
        notes.push(format!("{} detected from the location: its endpoints differ from the public cloud; the lists below use its names where Microsoft documents them.", cloud.as_str()));
    }

    let region_tag = format!("AzureCloud.{location}");
    let tunnel_needed = !private || cloud == Cloud::AzureChina;
    if tunnel_needed {
        net.push(NetworkRule { name: "aks-tunnel-udp".into(), feature: "core".into(), required: true, protocol: "UDP",
            destinations: vec![region_tag.clone()], destination_fqdns: vec![], ports: vec![1194],
            why: "tunnelled node to control plane traffic (not needed on clusters using konnectivity-agent)".into() });
        net.push(NetworkRule { name: "aks-tunnel-tcp".into(), feature: "core".into(), required: true, protocol: "TCP",
            destinations: vec![region_tag.clone()], destination_fqdns: vec![], ports: vec![9000],
            why: "tunnelled node to control plane traffic (not needed on clusters using konnectivity-agent)".into() });
        net.push(NetworkRule { name: "aks-api-server-pods".into(), feature: "core".into(), required: true, protocol: "TCP",
            destinations: vec![region_tag.clone()], destination_fqdns: vec![], ports: vec![443],
            why: "pods that call the API server by its IP (narrow to the API server's public IP once known, or annotate pods with kubernetes.azure.com/set-kube-service-host-fqdn behind an L7 firewall)".into() });
    } else {
        notes.push("Private cluster: nodes reach the API server through its private endpoint, so the *.hcp FQDN and the 1194/9000 tunnel rules are not needed; an NSG on the node subnet must still allow the API server subnet (TCP 443 and 4443, UDP 9988) when API server VNet integration is used.".into());
    }
    if cloud == Cloud::AzureChina {
        net.push(NetworkRule {
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
    net.push(NetworkRule {
        name: "ntp".into(),
        feature: "core".into(),
        required: false,
        protocol: "UDP",
        destinations: vec![],
        destination_fqdns: vec!["ntp.ubuntu.com".into()],
        ports: vec![123],
        why: "NTP for Linux nodes provisioned before March 2021 only".into(),
    });
    let ranges = c
        .get("apiServerAccessProfile.authorizedIpRanges")
        .array()
        .is_some_and(|a| !a.is_empty());
    if ranges && !private {
        notes.push(if outbound_type.eq_ignore_ascii_case("userDefinedRouting") {
            "API server authorized IP ranges are set: add the firewall's public IP to them, or nodes and pods egressing through it cannot reach the API server.".to_string()
        } else if outbound_type.eq_ignore_ascii_case("loadBalancer") {
            "API server authorized IP ranges are set: AKS allows the load balancer's outbound IP itself; if you move egress to a firewall (userDefinedRouting), add the firewall's public IP to the ranges first.".to_string()
        } else {
            "API server authorized IP ranges are set: the cluster's egress IP (the NAT gateway's public IP) must be in them; if you move egress to a firewall, add the firewall's public IP first.".to_string()
        });
    }
    notes.push("Custom DNS servers on the VNet must be reachable on UDP 53 from the nodes (not visible in the cluster configuration).".into());
    if net.iter().any(|r| !r.destination_fqdns.is_empty()) {
        notes.push("Network rules that name a host (ntp.ubuntu.com) need DNS proxy enabled on the Azure Firewall, and the VNet's DNS servers pointed at the firewall.".into());
    }

    // Node operating systems.
    let linux_ubuntu = c.pools.iter().any(|p| {
        !p.is_windows()
            && p.get("osSku")
                .str()
                .is_none_or(|s| s.to_ascii_lowercase().starts_with("ubuntu"))
    });
    if linux_ubuntu {
        features.push("ubuntu-nodes".into());
        app.push(fq("ubuntu-updates", "ubuntu-nodes", false, "Http", 80, &["security.ubuntu.com", "azure.archive.ubuntu.com", "changelogs.ubuntu.com"],
            "Ubuntu security updates between node image upgrades (without them, nodes are patched only by node image upgrades)"));
        app.push(fq(
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
        features.push("windows-nodes".into());
        app.push(fq(
            "windows-https",
            "windows-nodes",
            true,
            "Https",
            443,
            &["onegetcdn.azureedge.net", "go.microsoft.com"],
            "Windows node binaries",
        ));
        app.push(fq(
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
        features.push("gpu-nodes".into());
        app.push(fq(
            "gpu",
            "gpu-nodes",
            true,
            "Https",
            443,
            &[
                "nvidia.github.io",
                "us.download.nvidia.com",
                "download.docker.com",
            ],
            "GPU driver installation",
        ));
    }

    // Features.
    let (ods, oms, login) = match cloud {
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
    };
    if c.get("securityProfile.defender.securityMonitoring.enabled")
        .bool()
        == Some(true)
    {
        features.push("defender".into());
        app.push(fq(
            "defender",
            "defender",
            true,
            "Https",
            443,
            &[login, ods, oms],
            "Defender for Containers: authentication and security event upload",
        ));
    }
    if c.addon(&["azureKeyvaultSecretsProvider"], "enabled").bool() == Some(true) {
        features.push("keyvault-secrets-provider".into());
        let kv = match cloud {
            Cloud::AzureUsGovernment => "*.vault.usgovcloudapi.net",
            Cloud::AzureChina => "*.vault.azure.cn",
            Cloud::AzurePublic => "*.vault.azure.net",
        };
        app.push(fq(
            "keyvault",
            "keyvault-secrets-provider",
            true,
            "Https",
            443,
            &[kv],
            "Secrets Store CSI driver to Key Vault (narrow to your vaults' names)",
        ));
    }
    let monitoring = c.addon(&["omsagent"], "enabled").bool() == Some(true)
        || c.get("azureMonitorProfile.metrics.enabled").bool() == Some(true);
    if monitoring {
        features.push("azure-monitor".into());
        let list: Vec<String> = match cloud {
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
        };
        app.push(FqdnRule { name: "azure-monitor".into(), feature: "azure-monitor".into(), required: true, protocol: "Https", port: 443,
            fqdns: list, why: "Container insights and managed Prometheus: telemetry, log ingestion, metrics, data collection rules".into() });
        notes.push("Azure Monitor also accepts a network rule to the AzureMonitor service tag on TCP 443 instead of the FQDNs.".into());
    }
    if c.addon(&["azurepolicy"], "enabled").bool() == Some(true) {
        features.push("azure-policy".into());
        let list: &[&str] = match cloud {
            Cloud::AzurePublic => &[
                "data.policy.core.windows.net",
                "store.policy.core.windows.net",
                "dc.services.visualstudio.com",
            ],
            Cloud::AzureUsGovernment => &["data.policy.azure.us", "store.policy.azure.us"],
            Cloud::AzureChina => &["data.policy.azure.cn", "store.policy.azure.cn"],
        };
        app.push(fq(
            "azure-policy",
            "azure-policy",
            true,
            "Https",
            443,
            list,
            "Azure Policy add-on: policy download, compliance reporting, telemetry",
        ));
    }
    notes.push("Cluster extensions (Flux/GitOps, Dapr, marketplace) are not in `az aks show`; if used, also allow <region>.dp.kubernetesconfiguration.azure.com and the extension's registries.".into());
    notes.push("Azure Firewall offers the FQDN tag AzureKubernetesService, which covers the core FQDNs in one application rule.".into());

    dedupe(&mut app);

    EgressPlan {
        cluster: c.name.clone(),
        location,
        cloud,
        outbound_meaning: outbound_meaning(&outbound_type),
        outbound_type,
        outbound_type_defaulted: defaulted,
        private_cluster: private,
        features,
        application_rules: app,
        network_rules: net,
        notes,
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

pub fn render_text(p: &EgressPlan) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "Egress for cluster {} ({}, {})\n",
        p.cluster,
        p.location,
        p.cloud.as_str()
    ));
    s.push_str(&format!(
        "Outbound type: {}{}\n  {}\n",
        p.outbound_type,
        if p.outbound_type_defaulted {
            " (not set in the input: AKS default)"
        } else {
            ""
        },
        p.outbound_meaning
    ));
    s.push_str(&format!(
        "Features needing egress: {}\n\n",
        p.features.join(", ")
    ));
    s.push_str("Application (FQDN) rules:\n");
    for r in &p.application_rules {
        s.push_str(&format!(
            "  [{}] {:<22} {}:{:<4} {}\n      {}\n",
            if r.required { "required" } else { "optional" },
            r.name,
            r.protocol.to_ascii_uppercase(),
            r.port,
            r.fqdns.join(", "),
            r.why
        ));
    }
    s.push_str("\nNetwork rules:\n");
    for r in &p.network_rules {
        let mut dest = r.destinations.clone();
        dest.extend(r.destination_fqdns.iter().cloned());
        let ports: Vec<String> = r.ports.iter().map(u16::to_string).collect();
        s.push_str(&format!(
            "  [{}] {:<22} {} {} -> {}\n      {}\n",
            if r.required { "required" } else { "optional" },
            r.name,
            r.protocol,
            ports.join(","),
            dest.join(", "),
            r.why
        ));
    }
    if !p.notes.is_empty() {
        s.push_str("\nNotes:\n");
        for n in &p.notes {
            s.push_str(&format!("  - {n}\n"));
        }
    }
    s
}

/// Where the firewall rules go.
#[derive(Debug, Clone)]
pub struct FirewallTarget {
    pub resource_group: String,
    pub firewall: String,
    /// Source addresses of the rules (the node subnet).
    pub source: String,
}

impl Default for FirewallTarget {
    fn default() -> Self {
        FirewallTarget {
            resource_group: "<firewall-resource-group>".into(),
            firewall: "<firewall-name>".into(),
            source: "<node-subnet-cidr>".into(),
        }
    }
}

fn shell_quote(s: &str) -> String {
    kubeward_core::escape::shell(s).into_owned()
}

/// `--source-addresses` takes a list: accept CIDRs separated by commas or spaces.
fn source_addresses(s: &str) -> Vec<String> {
    let list: Vec<String> = s
        .split([',', ' ', '\t'])
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect();
    if list.is_empty() {
        vec![s.to_string()]
    } else {
        list
    }
}

/// Each argument shell-quoted, joined by spaces.
fn quoted_list<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|a| shell_quote(a.as_ref()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Collection priorities, required rules first: application (FQDN) rules, then network rules.
const APP_PRIORITIES: [(bool, u16); 2] = [(true, 200), (false, 300)];
const NET_PRIORITIES: [(bool, u16); 2] = [(true, 100), (false, 150)];

/// The CLI's collection settings, given only by the first rule of a collection.
fn first_rule_priority(first: bool, priority: u16) -> String {
    if first {
        format!(" --priority {priority} --action Allow")
    } else {
        String::new()
    }
}

/// ARM rule collections of one kind: the required rules, then the optional ones, each at its
/// priority; an empty collection is left out.
fn rule_collections<R>(
    p: &EgressPlan,
    kind: &str,
    priorities: [(bool, u16); 2],
    rules: &[R],
    is_required: impl Fn(&R) -> bool,
    to_json: impl Fn(&R) -> serde_json::Value,
) -> Vec<serde_json::Value> {
    let mut collections = Vec::new();
    for (required, priority) in priorities {
        let rules: Vec<serde_json::Value> = rules
            .iter()
            .filter(|r| is_required(r) == required)
            .map(&to_json)
            .collect();
        if !rules.is_empty() {
            collections.push(serde_json::json!({
                "name": collection(p, kind, required),
                "properties": {"priority": priority, "action": {"type": "Allow"}, "rules": rules}
            }));
        }
    }
    collections
}

fn collection(p: &EgressPlan, kind: &str, required: bool) -> String {
    format!(
        "aks-{}-{kind}{}",
        p.cluster,
        if required { "" } else { "-optional" }
    )
}

use kubeward_core::escape::shell_comment;

pub fn render_firewall_cli(p: &EgressPlan, t: &FirewallTarget) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "# Azure Firewall rules for AKS cluster {} ({}); outbound type {}.\n",
        // A comment ends at a newline: the input's names are kept on this line.
        shell_comment(&p.cluster),
        shell_comment(&p.location),
        shell_comment(&p.outbound_type)
    ));
    s.push_str("# The az network firewall commands come from the azure-firewall CLI extension: az extension add --name azure-firewall\n");
    let rg = shell_quote(&t.resource_group);
    let fw = shell_quote(&t.firewall);
    let src = quoted_list(&source_addresses(&t.source));
    for (required, priority) in APP_PRIORITIES {
        let mut first = true;
        for r in p
            .application_rules
            .iter()
            .filter(|r| r.required == required)
        {
            s.push_str(&format!(
                "az network firewall application-rule create -g {rg} -f {fw} --collection-name {} -n {}{} --source-addresses {src} --protocols {}={} --target-fqdns {}\n",
                shell_quote(&collection(p, "fqdn", required)),
                shell_quote(&r.name),
                first_rule_priority(first, priority),
                shell_quote(r.protocol),
                r.port,
                quoted_list(&r.fqdns)
            ));
            first = false;
        }
    }
    for (required, priority) in NET_PRIORITIES {
        let mut first = true;
        for r in p.network_rules.iter().filter(|r| r.required == required) {
            let ports: Vec<String> = r.ports.iter().map(u16::to_string).collect();
            let dest = if r.destination_fqdns.is_empty() {
                format!("--destination-addresses {}", quoted_list(&r.destinations))
            } else {
                format!("--destination-fqdns {}", quoted_list(&r.destination_fqdns))
            };
            s.push_str(&format!(
                "az network firewall network-rule create -g {rg} -f {fw} --collection-name {} -n {}{} --protocols {} --source-addresses {src} {dest} --destination-ports {}\n",
                shell_quote(&collection(p, "net", required)),
                shell_quote(&r.name),
                first_rule_priority(first, priority),
                shell_quote(r.protocol),
                ports.join(" ")
            ));
            first = false;
        }
    }
    s
}

/// The `applicationRuleCollections` and `networkRuleCollections` of an ARM
/// `Microsoft.Network/azureFirewalls` resource (classic rules).
pub fn firewall_json(p: &EgressPlan, t: &FirewallTarget) -> serde_json::Value {
    let app_cols = rule_collections(
        p,
        "fqdn",
        APP_PRIORITIES,
        &p.application_rules,
        |r| r.required,
        |r| {
            serde_json::json!({
                "name": r.name,
                "description": r.why,
                "sourceAddresses": source_addresses(&t.source),
                "protocols": [{"protocolType": r.protocol, "port": r.port}],
                "targetFqdns": r.fqdns,
            })
        },
    );
    let net_cols = rule_collections(
        p,
        "net",
        NET_PRIORITIES,
        &p.network_rules,
        |r| r.required,
        |r| {
            serde_json::json!({
                "name": r.name,
                "description": r.why,
                "protocols": [r.protocol],
                "sourceAddresses": source_addresses(&t.source),
                "destinationAddresses": r.destinations,
                "destinationFqdns": r.destination_fqdns,
                "destinationPorts": r.ports.iter().map(u16::to_string).collect::<Vec<_>>(),
            })
        },
    );
    serde_json::json!({
        "cluster": p.cluster,
        "applicationRuleCollections": app_cols,
        "networkRuleCollections": net_cols,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{cl, cluster};

    fn all_fqdns(p: &EgressPlan) -> Vec<String> {
        p.application_rules
            .iter()
            .flat_map(|r| r.fqdns.clone())
            .collect()
    }

    #[test]
    fn features_add_their_endpoints() {
        let c = cluster(&cl(
            r#""location":"westeurope","addonProfiles":{"azurepolicy":{"enabled":true},"omsagent":{"enabled":true}},"securityProfile":{"defender":{"securityMonitoring":{"enabled":true}}},"agentPoolProfiles":[{"name":"gpu","vmSize":"Standard_NC6s_v3","osType":"Linux"},{"name":"win","vmSize":"Standard_D4s_v5","osType":"Windows"}]"#,
        ));
        let p = plan(&c);
        let f = all_fqdns(&p);
        for want in [
            "*.hcp.westeurope.azmk8s.io",
            "mcr.microsoft.com",
            "data.policy.core.windows.net",
            "westeurope.ingest.monitor.azure.com",
            "*.ods.opinsights.azure.com",
            "nvidia.github.io",
            "go.microsoft.com",
            "security.ubuntu.com",
        ] {
            assert!(f.iter().any(|x| x == want), "missing {want}");
        }
        assert!(p.outbound_type_defaulted);
        assert!(p.network_rules.iter().any(|r| r.ports == vec![1194]
            && r.destinations == vec!["AzureCloud.westeurope".to_string()]));
    }

    #[test]
    fn private_cluster_needs_no_tunnel_and_plain_cluster_no_feature_rules() {
        let c = cluster(&cl(
            r#""location":"eastus","apiServerAccessProfile":{"enablePrivateCluster":true},"networkProfile":{"outboundType":"userDefinedRouting"},"agentPoolProfiles":[{"name":"a","vmSize":"Standard_D4s_v5","osSku":"AzureLinux"}]"#,
        ));
        let p = plan(&c);
        let f = all_fqdns(&p);
        assert!(!f.iter().any(|x| x.contains("azmk8s.io")));
        assert!(
            !f.iter()
                .any(|x| x.contains("policy") || x.contains("ubuntu"))
        );
        assert!(!p.network_rules.iter().any(|r| r.ports == vec![1194]));
        assert_eq!(p.outbound_type, "userDefinedRouting");
        assert!(p.outbound_meaning.contains("route table"));
    }

    #[test]
    fn sovereign_clouds_use_their_names() {
        let p = plan(&cluster(&cl(r#""location":"chinaeast2""#)));
        assert_eq!(p.cloud, Cloud::AzureChina);
        assert!(
            all_fqdns(&p)
                .iter()
                .any(|x| x == "management.chinacloudapi.cn")
        );
        assert!(p.network_rules.iter().any(|r| r.ports == vec![22]));
    }

    #[test]
    fn firewall_renderings() {
        let p = plan(&cluster(&cl(r#""location":"westeurope","name":"c""#)));
        let cli = render_firewall_cli(&p, &FirewallTarget::default());
        assert!(cli.contains("az network firewall application-rule create -g '<firewall-resource-group>' -f '<firewall-name>' --collection-name aks-c-fqdn -n aks-api-server --priority 200 --action Allow"));
        assert!(cli.contains("--target-fqdns '*.hcp.westeurope.azmk8s.io'"));
        assert!(cli.contains("az network firewall network-rule create"));
        assert!(cli.contains("--destination-fqdns ntp.ubuntu.com --destination-ports 123"));
        let json = firewall_json(&p, &FirewallTarget::default());
        assert_eq!(
            json["applicationRuleCollections"][0]["properties"]["priority"],
            200
        );
        assert_eq!(
            json["networkRuleCollections"][0]["properties"]["rules"][0]["destinationPorts"][0],
            "1194"
        );
    }

    #[test]
    fn every_outbound_type_is_explained() {
        for (t, words) in [
            ("loadBalancer", "Load Balancer"),
            ("managedNATGateway", "AKS-managed NAT gateway"),
            ("userAssignedNATGateway", "NAT gateway you associated"),
            ("userDefinedRouting", "route table"),
            ("none", "no outbound path"),
            ("block", "blocked"),
        ] {
            let p = plan(&cluster(&cl(&format!(
                r#""networkProfile":{{"outboundType":"{t}"}}"#
            ))));
            assert_eq!(p.outbound_type, t);
            assert!(!p.outbound_type_defaulted);
            assert!(
                p.outbound_meaning.contains(words),
                "{t}: {}",
                p.outbound_meaning
            );
        }
        let p = plan(&cluster(&cl(r#""location":"usgovvirginia""#)));
        assert_eq!(p.cloud, Cloud::AzureUsGovernment);
        assert!(
            all_fqdns(&p)
                .iter()
                .any(|x| x == "*.hcp.usgovvirginia.cx.aks.containerservice.azure.us")
        );
    }
    #[test]
    fn firewall_commands_quote_input_and_take_several_sources() {
        let p = plan(&cluster(&cl(
            r#""location":"westeurope","name":"c;touch x""#,
        )));
        let t = FirewallTarget {
            source: "10.0.0.0/16, 10.1.0.0/24".into(),
            ..FirewallTarget::default()
        };
        let cli = render_firewall_cli(&p, &t);
        // A cluster name from the input never reaches the shell unquoted.
        assert!(
            cli.contains("--collection-name 'aks-c;touch x-fqdn'"),
            "{cli}"
        );
        assert!(!cli.contains("--collection-name aks-c;"));
        assert!(
            cli.contains("--source-addresses 10.0.0.0/16 10.1.0.0/24 "),
            "{cli}"
        );
        assert!(cli.starts_with("# Azure Firewall rules"));
        assert!(cli.contains(
            "# The az network firewall commands come from the azure-firewall CLI extension"
        ));
        let json = firewall_json(&p, &t);
        assert_eq!(
            json["networkRuleCollections"][0]["properties"]["rules"][0]["sourceAddresses"],
            serde_json::json!(["10.0.0.0/16", "10.1.0.0/24"])
        );
    }

    #[test]
    fn a_newline_in_a_name_cannot_end_the_header_comment() {
        // The loader refuses such names; the script must not depend on it.
        let mut p = plan(&cluster(&cl(r#""location":"westeurope""#)));
        p.cluster = "c\ntouch MARK1\n$(touch MARK2)".into();
        p.location = "westeurope\ntouch MARK3".into();
        p.outbound_type = "loadBalancer\ntouch MARK4".into();
        let cli = render_firewall_cli(&p, &FirewallTarget::default());
        let header: Vec<&str> = cli.lines().take_while(|l| !l.starts_with("az ")).collect();
        assert_eq!(header.len(), 2, "{cli}");
        assert!(header.iter().all(|l| l.starts_with('#')), "{cli}");
        assert!(
            header[0].contains("cluster c\\u{a}touch MARK1\\u{a}$(touch MARK2) ("),
            "{cli}"
        );
        // Run it, with a stub `az` that counts its calls: nothing else runs.
        let dir = tempfile::tempdir().expect("temp dir");
        let bin = dir.path().join("az");
        std::fs::write(&bin, "#!/bin/sh\necho call >> calls\n").expect("stub");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(&cli)
            .current_dir(dir.path())
            .env("PATH", format!("{}:/usr/bin:/bin", dir.path().display()))
            .status()
            .expect("sh runs");
        assert!(status.success());
        for m in ["MARK1", "MARK2", "MARK3", "MARK4"] {
            assert!(!dir.path().join(m).exists(), "{m} was created");
        }
        let calls = std::fs::read_to_string(dir.path().join("calls")).expect("az ran");
        let commands = cli.matches("\naz network firewall ").count();
        assert_eq!(calls.lines().count(), commands);
    }

    #[test]
    fn fqdn_network_rules_mention_dns_proxy_and_monitor_needs_its_global_handler() {
        let p = plan(&cluster(&cl(
            r#""location":"westeurope","addonProfiles":{"omsagent":{"enabled":true}}"#,
        )));
        assert!(
            p.network_rules
                .iter()
                .any(|r| !r.destination_fqdns.is_empty())
        );
        assert!(
            p.notes.iter().any(|n| n.contains("DNS proxy")),
            "{:?}",
            p.notes
        );
        assert!(
            all_fqdns(&p)
                .iter()
                .any(|x| x == "global.handler.control.monitor.azure.com")
        );
    }

    #[test]
    fn authorized_ranges_behind_a_firewall_need_its_ip() {
        let p = plan(&cluster(&cl(
            r#""location":"westeurope","networkProfile":{"outboundType":"userDefinedRouting"},"apiServerAccessProfile":{"authorizedIPRanges":["203.0.113.0/24"]}"#,
        )));
        assert!(
            p.notes
                .iter()
                .any(|n| n.contains("add the firewall's public IP to them")),
            "{:?}",
            p.notes
        );
        let p = plan(&cluster(&cl(r#""location":"westeurope""#)));
        assert!(!p.notes.iter().any(|n| n.contains("authorized IP ranges")));
    }
}
