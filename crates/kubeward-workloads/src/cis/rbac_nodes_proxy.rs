//! CIS AKS 1.8.0 4.1.9: Access to the proxy sub-resource of nodes is limited.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use crate::ctx::Ctx;
use crate::rbac::danger::{Permission, evaluate_binding_check};

pub static META: CheckMeta = CheckMeta {
    code: "W408",
    name: "rbac-nodes-proxy",
    title: "Access to the proxy sub-resource of nodes is limited",
    area: Area::Workloads,
    severity: Severity::High,
    references: &[
        RefStatic::cis_aks("1.8.0", "4.1.9"),
        RefStatic::mitre("T1609"),
    ],
    profiles: &["cis-aks-1.8"],
    kubeward_own: false,
    doc: CheckDoc {
        what: "ClusterRoleBindings that grant any verb on `nodes/proxy`.",
        why: "`nodes/proxy` reaches the kubelet API through the API server: with it a subject can run commands in any container of the node (`/exec`, `/run`) and read pod logs, and such requests bypass admission control and are poorly audited.",
        fix: "Remove `nodes/proxy` from cluster roles bound to users and workloads; monitoring agents need `nodes/metrics` or `nodes/stats`, not `nodes/proxy`. On AKS use Container Insights or managed Prometheus, which need no custom `nodes/proxy` grant.",
        links: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
    },
};

/// The permissions this check looks for (any verb listed, on the resource).
pub static PERMISSIONS: &[Permission] = &[Permission::sub(
    &["get", "create", "update", "patch", "delete", "*"],
    "",
    "nodes",
    "proxy",
)];

pub fn evaluate(ctx: &Ctx<'_>) -> Vec<Finding> {
    evaluate_binding_check(ctx, &META, PERMISSIONS, "access to nodes/proxy")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::{ScanOptions, run_check};
    use kubeward_core::Status;

    fn cluster(rule: &str, binding_name: &str) -> String {
        format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: tested}}\nrules: [{rule}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {{name: {binding_name}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: tested}}\nsubjects: [{{kind: User, name: alice}}]\n"
        )
    }

    #[test]
    fn fails_when_a_binding_grants_it() {
        let f = run_check(
            &cluster(
                "{apiGroups: [\"\"], resources: [nodes/proxy], verbs: [get]}",
                "grant",
            ),
            &ScanOptions::default(),
            evaluate,
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].status, Status::Fail);
        assert_eq!(f[0].resource.name, "grant");
        assert!(f[0].message.contains("User alice"), "{}", f[0].message);
        assert_eq!(f[0].evidence[1].source.key.as_deref(), Some("/rules/0"));
    }

    #[test]
    fn passes_when_only_harmless_rules_are_bound() {
        let f = run_check(
            &cluster(
                "{apiGroups: [\"\"], resources: [nodes/metrics], verbs: [get]}",
                "grant",
            ),
            &ScanOptions::default(),
            evaluate,
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].status, Status::Pass);
    }

    #[test]
    fn built_in_bindings_are_hidden_unless_asked() {
        let input = cluster(
            "{apiGroups: [\"\"], resources: [nodes/proxy], verbs: [get]}",
            "system:grant",
        );
        let hidden = run_check(&input, &ScanOptions::default(), evaluate);
        assert_eq!(hidden[0].status, Status::Pass);
        let shown = run_check(
            &input,
            &ScanOptions {
                include_system: true,
                ..Default::default()
            },
            evaluate,
        );
        assert_eq!(shown[0].status, Status::Fail);
    }
}
