//! CIS AKS 1.8.0 4.1.9: Access to the proxy sub-resource of nodes is limited.

use kubeward_core::profile::CIS_AKS_1_8;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use crate::Check;
use crate::ctx::Ctx;
use crate::rbac::danger::{Permission, evaluate_binding_check};

pub static META: CheckMeta = CheckMeta {
    code: "W408",
    name: "rbac-nodes-proxy",
    since: "0.1.0",
    aliases: &[],
    title: "Access to the proxy sub-resource of nodes is limited",
    area: Area::Workloads,
    severity: Severity::High,
    references: &[
        RefStatic::cis_aks("1.8.0", "4.1.9"),
        RefStatic::mitre("T1609"),
    ],
    profiles: &[CIS_AKS_1_8],
    kubeward_own: false,
    doc: CheckDoc {
        what: "ClusterRoleBindings that grant any verb on `nodes/proxy`.",
        why: "`nodes/proxy` reaches the kubelet API through the API server: with it a subject can run commands in any container of the node (`/exec`, `/run`) and read pod logs, and such requests bypass admission control and are poorly audited.",
        fix: "Remove `nodes/proxy` from cluster roles bound to users and workloads; monitoring agents need `nodes/metrics` or `nodes/stats`, not `nodes/proxy`. On AKS use Container Insights or managed Prometheus, which need no custom `nodes/proxy` grant.",
        links: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
        bad: r#"apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: metrics-scraper
rules:
- {apiGroups: [""], resources: [nodes/proxy], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: metrics-scraper
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: metrics-scraper}
subjects:
- {kind: ServiceAccount, name: metrics-scraper, namespace: ci}
"#,
        good: r#"apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: metrics-scraper
rules:
- {apiGroups: [""], resources: [nodes, nodes/metrics], verbs: [get, list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: metrics-scraper
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: metrics-scraper}
subjects:
- {kind: ServiceAccount, name: metrics-scraper, namespace: ci}
"#,
    },
};

pub static CHECK: Check = Check::rbac(&META, PERMISSIONS, evaluate);

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
    use crate::cis::test_support;

    /// A rule that grants what this check looks for.
    const GRANTING_RULE: &str = "{apiGroups: [\"\"], resources: [nodes/proxy], verbs: [get]}";
    /// A rule close to it that does not.
    const HARMLESS_RULE: &str = "{apiGroups: [\"\"], resources: [nodes/metrics], verbs: [get]}";

    #[test]
    fn fails_when_a_binding_grants_it() {
        test_support::fails_when_a_binding_grants_it(evaluate, GRANTING_RULE);
    }

    #[test]
    fn passes_when_only_harmless_rules_are_bound() {
        test_support::passes_when_only_harmless_rules_are_bound(evaluate, HARMLESS_RULE);
    }

    #[test]
    fn system_names_and_full_access_bindings_are_judged() {
        test_support::system_names_and_full_access_bindings_are_judged(evaluate, GRANTING_RULE);
    }
}
