//! What a cluster needs to reach: the FQDNs and ports of its configuration (required core plus
//! one block per enabled feature and node OS), what its outbound type means for them, and the
//! same as Azure Firewall application and network rules (az CLI commands or JSON).
//!
//! [`plan`] builds an [`EgressPlan`] from the requirements AKS documents; the renderers
//! ([`render_text`], [`render_firewall_cli`], [`firewall_json`]) only present it.

mod firewall;
mod model;
mod plan;
mod requirements;
mod text;

pub use firewall::{FirewallTarget, firewall_json, render_firewall_cli};
pub use model::{Cloud, EgressPlan, FqdnRule, NetworkRule};
pub use plan::plan;
pub use text::render_text;

use crate::model::Cluster;
use crate::{Inputs, load};

/// Why no cluster could be chosen to plan for.
#[derive(Debug, thiserror::Error)]
pub enum ChooseError {
    #[error("the inputs hold {count} clusters; choose one with --cluster ({names})")]
    Several { count: usize, names: String },
    #[error("no AKS cluster found in the inputs (give `az aks show -o json` output)")]
    NoCluster,
}

/// The cluster to plan for: the one named (case-insensitively), or the only one given.
pub fn choose<'c>(clusters: &'c [Cluster], name: Option<&str>) -> Result<&'c Cluster, ChooseError> {
    let found = match name {
        Some(name) => clusters.iter().find(|c| c.name.eq_ignore_ascii_case(name)),
        None if clusters.len() > 1 => {
            // A long `az aks list` would flood the terminal: name the first few.
            let mut names: Vec<&str> = clusters.iter().take(10).map(|c| c.name.as_str()).collect();
            if clusters.len() > names.len() {
                names.push("…");
            }
            return Err(ChooseError::Several {
                count: clusters.len(),
                names: names.join(", "),
            });
        }
        None => clusters.first(),
    };
    found.ok_or(ChooseError::NoCluster)
}

/// What `kubeward aks egress` shows: the inputs that could not be used (warnings), and the plan
/// of the chosen cluster.
pub struct Egress {
    pub errors: Vec<kubeward_core::InputError>,
    pub plan: Result<EgressPlan, ChooseError>,
}

/// The egress pipeline: loads the inputs, chooses the cluster and plans its egress.
pub fn for_inputs(inputs: impl Into<Inputs>, cluster: Option<&str>) -> Egress {
    let Inputs { files, mut errors } = inputs.into();
    let inv = load(files);
    errors.extend(inv.errors.iter().cloned());
    Egress {
        errors,
        plan: choose(&inv.clusters, cluster).map(plan),
    }
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

    #[test]
    fn the_cluster_is_the_one_named_or_the_only_one() {
        let list: String = format!(
            "[{}]",
            (0..12)
                .map(|i| cl("").replace(r#""name":"c""#, &format!(r#""name":"c{i}""#)))
                .collect::<Vec<_>>()
                .join(",")
        );
        let out = for_inputs(
            vec![crate::InputFile {
                path: "list.json".into(),
                text: list,
                forced_diagnostics: false,
            }],
            None,
        );
        let err = out.plan.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.starts_with("the inputs hold 12 clusters"), "{err}");
        assert!(err.ends_with("c8, c9, …)"), "{err}");
        let c = cluster(&cl(""));
        let one = std::slice::from_ref(&c);
        assert!(choose(one, Some("C")).is_ok());
        assert!(choose(one, None).is_ok());
        assert!(matches!(
            choose(one, Some("d")),
            Err(ChooseError::NoCluster)
        ));
        assert!(matches!(choose(&[], None), Err(ChooseError::NoCluster)));
    }
}
