//! Every kind a scan lists, what it needs and which checks go blind without it. The read-only
//! ClusterRole in `deploy/` is this table written as RBAC; a test keeps the two in step.

/// One listed kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindSpec {
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub plural: &'static str,
    pub namespaced: bool,
    /// List metadata only (no data ever leaves the API server): Secrets, ConfigMaps.
    pub metadata_only: bool,
    /// Optional API (a CRD or a newer group): a 404 means "not installed", not an error.
    pub optional: bool,
    /// What cannot be judged when this kind cannot be listed (shown with a 403).
    pub needed_for: &'static str,
}

impl KindSpec {
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

const fn k(
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    plural: &'static str,
    namespaced: bool,
    needed_for: &'static str,
) -> KindSpec {
    KindSpec {
        group,
        version,
        kind,
        plural,
        namespaced,
        metadata_only: false,
        optional: false,
        needed_for,
    }
}

const fn optional(mut spec: KindSpec) -> KindSpec {
    spec.optional = true;
    spec
}

const fn metadata_only(mut spec: KindSpec) -> KindSpec {
    spec.metadata_only = true;
    spec
}

const WORKLOAD: &str = "Pod Security Standards, CIS AKS 4.2/4.5/4.6, seccomp/AppArmor per container, network reachability";

pub const KINDS: &[KindSpec] = &[
    k(
        "",
        "v1",
        "Namespace",
        "namespaces",
        false,
        "PSS namespace levels, CIS AKS 4.4.2 and 4.6.1, namespace selectors",
    ),
    k("", "v1", "Pod", "pods", true, WORKLOAD),
    k(
        "",
        "v1",
        "Service",
        "services",
        true,
        "exposure (LoadBalancer, NodePort, externalIPs), Ingress resolution",
    ),
    k(
        "",
        "v1",
        "ServiceAccount",
        "serviceaccounts",
        true,
        "CIS AKS 4.1.5/4.1.6 (default service accounts, token automount)",
    ),
    k(
        "",
        "v1",
        "ReplicationController",
        "replicationcontrollers",
        true,
        WORKLOAD,
    ),
    k(
        "",
        "v1",
        "Node",
        "nodes",
        false,
        "fleet node scan, node addresses",
    ),
    metadata_only(k(
        "",
        "v1",
        "Secret",
        "secrets",
        true,
        "secret inventory (metadata only)",
    )),
    metadata_only(k(
        "",
        "v1",
        "ConfigMap",
        "configmaps",
        true,
        "config inventory (metadata only)",
    )),
    k("apps", "v1", "Deployment", "deployments", true, WORKLOAD),
    k("apps", "v1", "ReplicaSet", "replicasets", true, WORKLOAD),
    k("apps", "v1", "StatefulSet", "statefulsets", true, WORKLOAD),
    k("apps", "v1", "DaemonSet", "daemonsets", true, WORKLOAD),
    k("batch", "v1", "Job", "jobs", true, WORKLOAD),
    k("batch", "v1", "CronJob", "cronjobs", true, WORKLOAD),
    k(
        "networking.k8s.io",
        "v1",
        "NetworkPolicy",
        "networkpolicies",
        true,
        "network reachability, CIS AKS 4.4.2",
    ),
    k(
        "networking.k8s.io",
        "v1",
        "Ingress",
        "ingresses",
        true,
        "exposure, CIS AKS 5.4.5 (TLS)",
    ),
    k(
        "rbac.authorization.k8s.io",
        "v1",
        "Role",
        "roles",
        true,
        "RBAC analysis, CIS AKS 4.1.x",
    ),
    k(
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRole",
        "clusterroles",
        false,
        "RBAC analysis, CIS AKS 4.1.x",
    ),
    k(
        "rbac.authorization.k8s.io",
        "v1",
        "RoleBinding",
        "rolebindings",
        true,
        "RBAC analysis, CIS AKS 4.1.x",
    ),
    k(
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRoleBinding",
        "clusterrolebindings",
        false,
        "RBAC analysis, CIS AKS 4.1.x",
    ),
    k(
        "admissionregistration.k8s.io",
        "v1",
        "ValidatingWebhookConfiguration",
        "validatingwebhookconfigurations",
        false,
        "admission control inventory",
    ),
    k(
        "admissionregistration.k8s.io",
        "v1",
        "MutatingWebhookConfiguration",
        "mutatingwebhookconfigurations",
        false,
        "admission control inventory",
    ),
    optional(k(
        "policy.networking.k8s.io",
        "v1alpha1",
        "AdminNetworkPolicy",
        "adminnetworkpolicies",
        false,
        "AdminNetworkPolicy precedence in reachability",
    )),
    optional(k(
        "policy.networking.k8s.io",
        "v1alpha1",
        "BaselineAdminNetworkPolicy",
        "baselineadminnetworkpolicies",
        false,
        "BaselineAdminNetworkPolicy in reachability",
    )),
    optional(k(
        "crd.projectcalico.org",
        "v1",
        "NetworkPolicy",
        "networkpolicies",
        true,
        "CIS AKS 4.4.2 (Calico policies count)",
    )),
    optional(k(
        "crd.projectcalico.org",
        "v1",
        "GlobalNetworkPolicy",
        "globalnetworkpolicies",
        false,
        "CIS AKS 4.4.2 (Calico policies count)",
    )),
    optional(k(
        "cilium.io",
        "v2",
        "CiliumNetworkPolicy",
        "ciliumnetworkpolicies",
        true,
        "CIS AKS 4.4.2 (Cilium policies count)",
    )),
    optional(k(
        "cilium.io",
        "v2",
        "CiliumClusterwideNetworkPolicy",
        "ciliumclusterwidenetworkpolicies",
        false,
        "CIS AKS 4.4.2 (Cilium policies count)",
    )),
    optional(k(
        "argoproj.io",
        "v1alpha1",
        "Rollout",
        "rollouts",
        true,
        WORKLOAD,
    )),
    optional(k(
        "route.openshift.io",
        "v1",
        "Route",
        "routes",
        true,
        "exposure through OpenShift Routes",
    )),
    // Gatekeeper, as installed by itself or by the Azure Policy add-on: the templates the
    // cluster's constraints are instances of, the ExpansionTemplates that make workloads
    // reviewable as Pods, and the Config whose syncOnly fills `data.inventory`.
    optional(k(
        "templates.gatekeeper.sh",
        "v1",
        "ConstraintTemplate",
        "constrainttemplates",
        false,
        POLICY,
    )),
    optional(k(
        "expansion.gatekeeper.sh",
        "v1beta1",
        "ExpansionTemplate",
        "expansiontemplate",
        false,
        "policy as code: Gatekeeper's expansion of workloads into Pods",
    )),
    optional(k(
        "config.gatekeeper.sh",
        "v1alpha1",
        "Config",
        "configs",
        true,
        "policy as code: which kinds referential constraints see (syncOnly)",
    )),
];

const POLICY: &str = "policy as code: the cluster's Gatekeeper and Azure Policy constraints (what their audit reports)";

/// A group whose kinds exist only at run time, found by API discovery at one version: each
/// ConstraintTemplate creates a constraint kind in `constraints.gatekeeper.sh`. The reader
/// ClusterRole grants `list` on every resource of the group (`*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiscoveredGroup {
    pub group: &'static str,
    pub version: &'static str,
    pub needed_for: &'static str,
}

impl DiscoveredGroup {
    pub fn api_version(&self) -> String {
        format!("{}/{}", self.group, self.version)
    }

    /// The spec of one discovered kind (its strings leaked once per kind: a cluster has a few
    /// dozen constraint kinds, bounded by [`MAX_DISCOVERED_KINDS`]).
    pub fn spec(&self, kind: &str, plural: &str, namespaced: bool) -> KindSpec {
        KindSpec {
            group: self.group,
            version: self.version,
            kind: leak_once(kind),
            plural: leak_once(plural),
            namespaced,
            metadata_only: false,
            // A constraint kind can disappear between discovery and list (its template deleted).
            optional: true,
            needed_for: self.needed_for,
        }
    }
}

/// At most this many kinds are listed from discovered groups (Gatekeeper's library has about 60
/// templates; a cluster answering thousands is not a cluster to trust with more work).
pub const MAX_DISCOVERED_KINDS: usize = 512;

/// Gatekeeper's constraints: served at v1beta1 by every Gatekeeper release since 3.1 (and by the
/// Azure Policy add-on), whatever the template's own version.
pub const DISCOVERED: &[DiscoveredGroup] = &[DiscoveredGroup {
    group: "constraints.gatekeeper.sh",
    version: "v1beta1",
    needed_for: POLICY,
}];

/// A `'static` copy of `s`, made once per distinct string (bounded by the caller's kind limit).
fn leak_once(s: &str) -> &'static str {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static SEEN: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut seen = match SEEN.get_or_init(Default::default).lock() {
        Ok(t) => t,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some(found) = seen.get(s) {
        return found;
    }
    // Leaked on purpose: a kind name lives as long as the objects and errors that name it.
    let kept: &'static str = Box::leak(s.to_string().into_boxed_str());
    seen.insert(kept);
    kept
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    use super::{DISCOVERED, KINDS};

    /// The shipped ClusterRole grants `list` on exactly the kinds the scan lists, nothing more:
    /// the table's kinds, and every resource (`*`) of the groups found by discovery.
    #[test]
    fn reader_cluster_role_matches_the_kinds_table() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../deploy/kubeward-reader-rbac.yaml"
        );
        let text = std::fs::read_to_string(path).expect("deploy/kubeward-reader-rbac.yaml");
        let docs: Vec<Value> = serde_saphyr::from_multiple(&text).expect("valid YAML");
        let role = docs
            .iter()
            .find(|d| d["kind"] == "ClusterRole")
            .expect("a ClusterRole");
        let mut granted = BTreeSet::new();
        for rule in role["rules"].as_array().expect("rules") {
            assert_eq!(
                rule["verbs"],
                serde_json::json!(["list"]),
                "only list is granted: {rule}"
            );
            for g in rule["apiGroups"].as_array().expect("groups") {
                for r in rule["resources"].as_array().expect("resources") {
                    granted.insert(format!(
                        "{}/{}",
                        g.as_str().unwrap_or(""),
                        r.as_str().unwrap_or("")
                    ));
                }
            }
        }
        let needed: BTreeSet<String> = KINDS
            .iter()
            .map(|k| format!("{}/{}", k.group, k.plural))
            .chain(DISCOVERED.iter().map(|g| format!("{}/*", g.group)))
            .collect();
        assert_eq!(granted, needed);
    }
}
