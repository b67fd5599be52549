//! CIS AKS 1.8.0 4.1.9: Access to the proxy sub-resource of nodes is limited.

use kubeward_core::profile::CIS_AKS_1_8;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use crate::Check;
#[cfg(test)]
use crate::cis::test_support::Rules;
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
        bad: rbac_example!(
            "metrics-scraper",
            "{apiGroups: [\"\"], resources: [nodes/proxy], verbs: [get]}"
        ),
        good: rbac_example!(
            "metrics-scraper",
            "{apiGroups: [\"\"], resources: [nodes, nodes/metrics], verbs: [get, list]}"
        ),
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

/// The family tests' vectors (see `test_support`): a rule that grants what this check looks for,
/// and one close to it that does not.
#[cfg(test)]
pub(super) const TEST_RULES: Rules = Rules {
    granting: "{apiGroups: [\"\"], resources: [nodes/proxy], verbs: [get]}",
    harmless: "{apiGroups: [\"\"], resources: [nodes/metrics], verbs: [get]}",
};
