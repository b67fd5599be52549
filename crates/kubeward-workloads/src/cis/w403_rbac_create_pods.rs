//! CIS AKS 1.8.0 4.1.4: Access to create pods is limited.

use kubeward_core::profile::CIS_AKS_1_8;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use crate::Check;
#[cfg(test)]
use crate::cis::test_support::Rules;
use crate::ctx::Ctx;
use crate::rbac::danger::{Permission, evaluate_binding_check};

pub static META: CheckMeta = CheckMeta {
    code: "W403",
    name: "rbac-create-pods",
    since: "0.1.0",
    aliases: &[],
    title: "Access to create pods is limited",
    area: Area::Workloads,
    severity: Severity::Medium,
    references: &[
        RefStatic::cis_aks("1.8.0", "4.1.4"),
        RefStatic::mitre("T1610"),
    ],
    profiles: &[CIS_AKS_1_8],
    kubeward_own: false,
    doc: CheckDoc {
        what: "Every binding (aggregated ClusterRoles resolved) that grants `create` on `pods`.",
        why: "Whoever can create a pod can run it as any service account of the namespace (and read its token), mount any Secret or ConfigMap of the namespace, and - where Pod Security admission does not stop it - run privileged or on the host network, which is node takeover.",
        fix: "Grant `create` on pods only to controllers and CI identities that need it, in their own namespace (RoleBinding, not ClusterRoleBinding). Enforce Pod Security admission (`kubectl label ns NS pod-security.kubernetes.io/enforce=baseline` or `restricted`) or the AKS Azure Policy add-on so a pod creator cannot escalate to the node.",
        links: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
        bad: rbac_example!(
            "ci-deployer",
            "{apiGroups: [\"\"], resources: [pods], verbs: [create, delete]}"
        ),
        good: rbac_example!(
            "ci-deployer",
            "{apiGroups: [\"\"], resources: [pods], verbs: [get, list]}"
        ),
    },
};

pub static CHECK: Check = Check::rbac(&META, PERMISSIONS, evaluate);

/// The permissions this check looks for (any verb listed, on the resource).
pub static PERMISSIONS: &[Permission] = &[Permission::new(&["create"], "", "pods")];

pub fn evaluate(ctx: &Ctx<'_>) -> Vec<Finding> {
    evaluate_binding_check(ctx, &META, PERMISSIONS, "pod creation")
}

/// The family tests' vectors (see `test_support`): a rule that grants what this check looks for,
/// and one close to it that does not.
#[cfg(test)]
pub(super) const TEST_RULES: Rules = Rules {
    granting: "{apiGroups: [\"\"], resources: [pods], verbs: [create, delete]}",
    harmless: "{apiGroups: [\"\"], resources: [pods], verbs: [get, list]}",
};
