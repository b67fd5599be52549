//! Built-in objects: what Kubernetes itself and AKS (add-ons, managed components) create. They are
//! recognised so that the report talks about what the user owns; `--include-system` shows them.

use kubeward_inventory::Object;

/// Namespaces that hold only platform components on AKS.
pub const SYSTEM_NAMESPACES: &[&str] = &[
    "kube-system",
    "kube-public",
    "kube-node-lease",
    "gatekeeper-system",
    "calico-system",
    "calico-apiserver",
    "tigera-operator",
    "app-routing-system",
    "aks-command",
    "aks-istio-system",
];

/// Names (exact) of Kubernetes default roles and bindings that carry no `system:` prefix.
const K8S_DEFAULT_NAMES: &[&str] = &["cluster-admin", "admin", "edit", "view"];

/// Name prefixes of RBAC objects that AKS and its add-ons install (AKS service account and
/// cluster-admin bindings, Azure Policy/Gatekeeper, Container Insights and managed Prometheus,
/// CSI drivers, cloud-node-manager, CoreDNS, konnectivity, metrics-server, ip-masq-agent, Azure CNI
/// and NPM, kube-proxy, KEDA, Defender, workload identity webhook, Retina, Cilium and Calico).
const AKS_ADDON_PREFIXES: &[&str] = &[
    "aks-service",
    "aks-cluster-admin-binding",
    "azure-policy",
    "policy-pod-agent",
    "gatekeeper-",
    "ama-logs",
    "ama-metrics",
    "omsagent",
    "csi-azuredisk",
    "csi-azurefile",
    "csi-blob",
    "csi-snapshot",
    "cloud-node-manager",
    "coredns",
    "system:coredns",
    "konnectivity-agent",
    "metrics-server",
    "azure-ip-masq-agent",
    "azure-cns",
    "azure-npm",
    "kube-proxy",
    "keda-operator",
    "microsoft-defender",
    "azure-wi-webhook",
    "retina",
    "cilium",
    "calico-",
    "tigera-",
];

/// Is this a namespace only the platform uses?
pub fn is_system_namespace(ns: &str) -> bool {
    SYSTEM_NAMESPACES.contains(&ns)
}

/// Labels that mark an object as installed and reconciled by Kubernetes or AKS.
fn has_system_label(obj: &Object) -> bool {
    obj.label("kubernetes.io/bootstrapping") == Some("rbac-defaults")
        || obj.label("addonmanager.kubernetes.io/mode").is_some()
        || obj.label("kubernetes.azure.com/managedby") == Some("aks")
}

/// Is this Role, ClusterRole, RoleBinding or ClusterRoleBinding a built-in one?
pub fn is_system_rbac_object(obj: &Object) -> bool {
    if has_system_label(obj) || obj.name.starts_with("system:") {
        return true;
    }
    if let Some(ns) = obj.namespace.as_deref()
        && is_system_namespace(ns)
    {
        return true;
    }
    if K8S_DEFAULT_NAMES.contains(&obj.name.as_str()) {
        // `cluster-admin` etc. are defaults only as ClusterRoles, or as the binding of the
        // `cluster-admin` role to `system:masters`; a user binding may reuse the name.
        return match obj.kind.as_str() {
            "ClusterRole" => true,
            "ClusterRoleBinding" => binds_only_system_masters(obj),
            _ => false,
        };
    }
    AKS_ADDON_PREFIXES.iter().any(|p| obj.name.starts_with(p))
}

fn binds_only_system_masters(obj: &Object) -> bool {
    let Some(subjects) = obj.value.get("subjects").and_then(|s| s.as_array()) else {
        return false;
    };
    !subjects.is_empty()
        && subjects.iter().all(|s| {
            s.get("kind").and_then(|k| k.as_str()) == Some("Group")
                && s.get("name").and_then(|k| k.as_str()) == Some("system:masters")
        })
}

/// Is this subject a platform identity (`system:*` users and groups, service accounts in system
/// namespaces, AKS's own `aksService`/`masterclient` identities)?
pub fn is_system_subject(kind: &str, name: &str, namespace: Option<&str>) -> bool {
    match kind {
        "ServiceAccount" => namespace.is_some_and(is_system_namespace),
        _ => {
            name.starts_with("system:")
                || name == "aksService"
                || name == "masterclient"
                || name == "clusterAdmin"
        }
    }
}

/// Is this workload or namespaced object a platform one (by namespace or add-on label)?
pub fn is_system_workload(obj: &Object) -> bool {
    obj.namespace.as_deref().is_some_and(is_system_namespace)
        || obj.label("addonmanager.kubernetes.io/mode").is_some()
        || obj.label("kubernetes.azure.com/managedby") == Some("aks")
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeward_inventory::{LoadOptions, load_str};

    fn obj(yaml: &str) -> Object {
        load_str("t.yaml", yaml, &LoadOptions::default())
            .objects
            .remove(0)
    }

    #[test]
    fn default_cluster_admin_binding_is_system_but_a_user_one_is_not() {
        let builtin = obj(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: cluster-admin}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects: [{kind: Group, name: 'system:masters'}]\n",
        );
        assert!(is_system_rbac_object(&builtin));
        let user = obj(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: cluster-admin}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects: [{kind: User, name: alice}]\n",
        );
        assert!(!is_system_rbac_object(&user));
        let named = obj(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: ops-admins}\n",
        );
        assert!(!is_system_rbac_object(&named));
    }

    #[test]
    fn aks_addons_and_system_subjects() {
        let addon = obj(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: ama-logs-reader}\n",
        );
        assert!(is_system_rbac_object(&addon));
        assert!(is_system_subject("Group", "system:masters", None));
        assert!(is_system_subject(
            "ServiceAccount",
            "coredns",
            Some("kube-system")
        ));
        assert!(!is_system_subject("ServiceAccount", "web", Some("shop")));
        assert!(!is_system_subject("User", "alice@contoso.com", None));
    }
}
