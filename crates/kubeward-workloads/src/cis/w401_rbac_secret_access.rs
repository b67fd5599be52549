//! CIS AKS 1.8.0 4.1.2: Access to secrets is limited (get, list, watch).

use kubeward_core::profile::CIS_AKS_1_8;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use crate::Check;
#[cfg(test)]
use crate::cis::test_support::Rules;
use crate::ctx::Ctx;
use crate::rbac::danger::{Permission, evaluate_binding_check};

pub static META: CheckMeta = CheckMeta {
    code: "W401",
    name: "rbac-secret-access",
    since: "0.1.0",
    aliases: &[],
    title: "Access to secrets is limited (get, list, watch)",
    area: Area::Workloads,
    severity: Severity::High,
    references: &[
        RefStatic::cis_aks("1.8.0", "4.1.2"),
        RefStatic::mitre("T1552.007"),
    ],
    profiles: &[CIS_AKS_1_8],
    kubeward_own: false,
    doc: CheckDoc {
        what: "Every RoleBinding and ClusterRoleBinding (aggregated ClusterRoles resolved) that grants get, list or watch on Secrets. A ClusterRoleBinding grants it in every namespace; a RoleBinding in its own.",
        why: "Reading Secrets yields credentials: service account tokens of other workloads, registry and database passwords, TLS keys. `list` and `watch` return every Secret's content, not just names.",
        fix: "Remove `get`/`list`/`watch` on `secrets` from the role, or narrow it with `resourceNames` to the one Secret needed, and bind it with a RoleBinding in that namespace only. On AKS prefer the Secrets Store CSI driver with Azure Key Vault (`az aks enable-addons --addons azure-keyvault-secrets-provider`) so applications need no Secret read access at all.",
        links: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
        bad: rbac_example!(
            "secret-reader",
            "{apiGroups: [\"\"], resources: [secrets], verbs: [get, list]}"
        ),
        good: rbac_example!(
            "secret-reader",
            "{apiGroups: [\"\"], resources: [configmaps], verbs: [get, list]}"
        ),
    },
};

pub static CHECK: Check = Check::rbac(&META, PERMISSIONS, evaluate);

/// The permissions this check looks for (any verb listed, on the resource).
pub static PERMISSIONS: &[Permission] =
    &[Permission::new(&["get", "list", "watch"], "", "secrets")];

pub fn evaluate(ctx: &Ctx<'_>) -> Vec<Finding> {
    evaluate_binding_check(ctx, &META, PERMISSIONS, "read access to Secrets")
}

/// The family tests' vectors (see `test_support`): a rule that grants what this check looks for,
/// and one close to it that does not.
#[cfg(test)]
pub(super) const TEST_RULES: Rules = Rules {
    granting: "{apiGroups: [\"\"], resources: [secrets], verbs: [list]}",
    harmless: "{apiGroups: [\"\"], resources: [configmaps], verbs: [get, list]}",
};
