//! Namespace Pod Security labels and the "raise to restricted" dry run.

use std::collections::BTreeMap;

use kubeward_inventory::Inventory;
use serde::Serialize;

use super::report::{subjects, verdict};
use super::{Level, Version};

const PREFIX: &str = "pod-security.kubernetes.io/";

/// One mode's level and version (`enforce`, `audit` or `warn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NamespacePolicy {
    pub level: Level,
    pub version: Version,
}

/// A namespace's Pod Security labels and what its workloads would do under them.
#[derive(Debug, Clone, Serialize)]
pub struct NamespaceLevels {
    pub namespace: String,
    /// A Namespace object was among the inputs (otherwise it is only referenced by workloads,
    /// and its labels are unknown).
    pub declared: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enforce: Option<NamespacePolicy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit: Option<NamespacePolicy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warn: Option<NamespacePolicy>,
    /// Label values that are not valid levels or versions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub label_problems: Vec<String>,
    pub workloads: usize,
    /// Workloads denied by the namespace's current enforce level (`Kind/name: checks`).
    pub violating_enforce: Vec<String>,
    /// The dry run: workloads that would be rejected if enforce were raised to restricted (at
    /// the namespace's enforce-version, or latest).
    pub rejected_if_restricted: Vec<String>,
}

/// Every namespace declared or used by a workload, sorted by name. A workload without a
/// namespace is counted in `default`.
pub fn namespaces(inv: &Inventory) -> Vec<NamespaceLevels> {
    let mut out: BTreeMap<String, NamespaceLevels> = BTreeMap::new();
    let blank = |name: &str| NamespaceLevels {
        namespace: name.to_string(),
        declared: false,
        enforce: None,
        audit: None,
        warn: None,
        label_problems: Vec::new(),
        workloads: 0,
        violating_enforce: Vec::new(),
        rejected_if_restricted: Vec::new(),
    };
    for ns in inv.of_kind("Namespace") {
        let entry = out
            .entry(ns.name.clone())
            .or_insert_with(|| blank(&ns.name));
        entry.declared = true;
        for mode in ["enforce", "audit", "warn"] {
            let level = ns.label(&format!("{PREFIX}{mode}"));
            let version = ns.label(&format!("{PREFIX}{mode}-version"));
            let parsed_level = level.map(|l| l.parse::<Level>());
            let parsed_version = version.map(|v| v.parse::<Version>());
            if let Some(Err(e)) = &parsed_level {
                entry.label_problems.push(format!("{PREFIX}{mode}: {e}"));
            }
            if let Some(Err(e)) = &parsed_version {
                entry
                    .label_problems
                    .push(format!("{PREFIX}{mode}-version: {e}"));
            }
            // An unset version label means latest.
            let policy = match parsed_level {
                Some(Ok(level)) => Some(NamespacePolicy {
                    level,
                    version: match parsed_version {
                        Some(Ok(v)) => v,
                        _ => Version::Latest,
                    },
                }),
                _ => None,
            };
            match mode {
                "enforce" => entry.enforce = policy,
                "audit" => entry.audit = policy,
                _ => entry.warn = policy,
            }
        }
    }
    for obj in subjects(inv) {
        let ns = obj
            .namespace
            .as_deref()
            .filter(|n| !n.is_empty())
            .unwrap_or("default");
        let entry = out.entry(ns.to_string()).or_insert_with(|| blank(ns));
        entry.workloads += 1;
        let label = format!("{}/{}", obj.kind, obj.name);
        if let Some(p) = entry.enforce
            && let Some(v) = verdict(obj, p.level, p.version)
            && !v.allowed
        {
            let checks: Vec<&str> = v.violations.iter().map(|x| x.check).collect();
            entry
                .violating_enforce
                .push(format!("{label}: {}", checks.join(", ")));
        }
        let dry_version = entry.enforce.map_or(Version::Latest, |p| p.version);
        if let Some(v) = verdict(obj, Level::Restricted, dry_version)
            && !v.allowed
        {
            let checks: Vec<&str> = v.violations.iter().map(|x| x.check).collect();
            entry
                .rejected_if_restricted
                .push(format!("{label}: {}", checks.join(", ")));
        }
    }
    out.into_values().collect()
}

#[cfg(test)]
mod tests {
    use kubeward_inventory::{LoadOptions, load_str};

    use super::*;

    #[test]
    fn labels_and_dry_run() {
        let text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: baseline\n    pod-security.kubernetes.io/enforce-version: v1.29\n    pod-security.kubernetes.io/warn: restricted\n    pod-security.kubernetes.io/audit: strict\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec: {containers: [{name: a}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: loose}\nspec: {hostPID: true, containers: [{name: a}]}\n";
        let inv = load_str("ns.yaml", text, &LoadOptions::default());
        let ns = namespaces(&inv);
        assert_eq!(ns.len(), 2);
        let default = &ns[0];
        assert_eq!(default.namespace, "default");
        assert!(!default.declared && default.enforce.is_none());
        assert_eq!(default.rejected_if_restricted.len(), 1);
        let shop = &ns[1];
        assert_eq!(
            shop.enforce,
            Some(NamespacePolicy {
                level: Level::Baseline,
                version: Version::Minor(29)
            })
        );
        assert_eq!(
            shop.warn,
            Some(NamespacePolicy {
                level: Level::Restricted,
                version: Version::Latest
            })
        );
        assert!(shop.audit.is_none());
        assert_eq!(shop.label_problems.len(), 1);
        assert!(shop.violating_enforce.is_empty());
        assert_eq!(shop.rejected_if_restricted.len(), 1);
        assert!(shop.rejected_if_restricted[0].starts_with("Pod/web: allowPrivilegeEscalation"));
    }
}
