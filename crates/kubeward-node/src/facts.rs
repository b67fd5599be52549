//! The node facts a node report carries under `facts.node`: the contract other areas read from saved
//! node reports (`--node-report FILE`, fleet merge), e.g. the effective seccomp default and which
//! Localhost seccomp and AppArmor profiles a node has.

use serde::{Deserialize, Serialize};

/// Key of [`NodeFacts`] in `Report::facts`.
pub const FACTS_KEY: &str = "node";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeFacts {
    /// Node name (hostname, or the kubelet's `--hostname-override`).
    pub name: String,
    /// Kubernetes version found locally, if any (`1.29.7`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes_version: Option<String>,
    /// Whether the node was recognised as an AKS node.
    #[serde(default)]
    pub aks: bool,
    /// Was a kubelet found at all?
    #[serde(default)]
    pub kubelet_found: bool,
    /// The kubelet's effective `seccompDefault` (true: RuntimeDefault for unset pods).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seccomp_default: Option<bool>,
    #[serde(default)]
    pub lsm: LsmFacts,
    /// The node's `NETWORK_POLICY` setting (AKS provisioning: azure, calico, cilium; empty when the
    /// cluster has no policy engine). Absent when the node did not show it.
    #[serde(
        default,
        alias = "NETWORK_POLICY",
        skip_serializing_if = "Option::is_none"
    )]
    pub network_policy: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LsmFacts {
    #[serde(default)]
    pub apparmor: AppArmorFacts,
    #[serde(default)]
    pub selinux: SelinuxFacts,
    #[serde(default)]
    pub seccomp: SeccompFacts,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AppArmorFacts {
    /// `None` when it could not be determined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Loaded profiles (from `/sys/kernel/security/apparmor/profiles`).
    #[serde(default)]
    pub profiles: Vec<AppArmorProfile>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AppArmorProfile {
    pub name: String,
    /// `enforce`, `complain`, `kill`, `unconfined`…
    pub mode: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SelinuxFacts {
    /// `enforcing`, `permissive`, `disabled`; `None` when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SeccompFacts {
    /// Kernel seccomp filter support (`Seccomp:` line of `/proc/self/status`, or config).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supported: Option<bool>,
    /// The kubelet's seccomp profile root (default `/var/lib/kubelet/seccomp`).
    #[serde(default)]
    pub profile_root: String,
    /// Localhost profiles present, as paths relative to `profile_root` (what
    /// `localhostProfile` names), sorted.
    #[serde(default)]
    pub localhost_profiles: Vec<String>,
}

impl NodeFacts {
    /// Read the facts from a saved node report (the JSON of `kubeward node -o json`).
    pub fn from_report_json(report: &serde_json::Value) -> Option<NodeFacts> {
        let v = report.get("facts")?.get(FACTS_KEY)?;
        serde_json::from_value(v.clone()).ok()
    }

    /// Every node's facts in a report: a node report (`facts.node`), or a merged fleet or scan
    /// report (`facts."node/<name>"`, one per node).
    pub fn all_from_report_json(report: &serde_json::Value) -> Vec<NodeFacts> {
        let Some(facts) = report.get("facts").and_then(serde_json::Value::as_object) else {
            return Vec::new();
        };
        facts
            .iter()
            .filter(|(k, _)| *k == FACTS_KEY || k.starts_with("node/"))
            .filter_map(|(_, v)| serde_json::from_value(v.clone()).ok())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_reports_give_every_node() {
        let merged = serde_json::json!({"facts": {
            "node/a": {"name": "a", "seccomp_default": true},
            "node/b": {"name": "b"},
            "fleet": {"nodes": ["a", "b"]}
        }});
        let names: Vec<String> = NodeFacts::all_from_report_json(&merged)
            .into_iter()
            .map(|f| f.name)
            .collect();
        assert_eq!(names, vec!["a", "b"]);
        let single = serde_json::json!({"facts": {"node": {"name": "n"}}});
        assert_eq!(NodeFacts::all_from_report_json(&single).len(), 1);
        assert!(NodeFacts::all_from_report_json(&serde_json::json!({})).is_empty());
    }

    // item 14: a saved node report carries the engine as `network_policy` (or the provisioning
    // variable's own name); empty means no engine, absent means not shown
    #[test]
    fn item14_network_policy_fact_round_trips() {
        let saved = serde_json::json!({"facts": {"node": {"name": "n", "NETWORK_POLICY": ""}}});
        let f = NodeFacts::all_from_report_json(&saved);
        assert_eq!(f[0].network_policy.as_deref(), Some(""));
        let v = serde_json::to_value(&f[0]).expect("json");
        assert_eq!(v["network_policy"], "");
        let none = serde_json::json!({"facts": {"node": {"name": "n"}}});
        assert_eq!(
            NodeFacts::all_from_report_json(&none)[0].network_policy,
            None
        );
    }
}
