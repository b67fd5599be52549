//! CIS AKS 1.8.0 4.1.7: Bind, escalate and impersonate permissions are limited.

use kubeward_core::profile::CIS_AKS_1_8;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use crate::Check;
#[cfg(test)]
use crate::cis::test_support::Rules;
use crate::ctx::Ctx;
use crate::rbac::danger::{Permission, evaluate_binding_check};

pub static META: CheckMeta = CheckMeta {
    code: "W406",
    name: "rbac-bind-escalate-impersonate",
    since: "0.1.0",
    aliases: &[],
    title: "Bind, escalate and impersonate permissions are limited",
    area: Area::Workloads,
    severity: Severity::High,
    references: &[
        RefStatic::cis_aks("1.8.0", "4.1.7"),
        RefStatic::mitre("T1078"),
    ],
    profiles: &[CIS_AKS_1_8],
    kubeward_own: false,
    doc: CheckDoc {
        what: "Bindings that grant `bind` or `escalate` on roles/clusterroles, or `impersonate` on users, groups, service accounts, uids or user extras.",
        why: "`escalate` lets a subject write roles with permissions it does not hold, `bind` lets it bind roles it does not hold, and `impersonate` lets it act as another user or group (for example `system:masters`): each is a direct path to cluster-admin.",
        fix: "Remove these verbs from every role bound to people or workloads that do not administer RBAC. Where a controller truly needs `bind`, restrict it with `resourceNames` to the roles it may hand out. On AKS manage administrators through Microsoft Entra ID groups (`az aks update --enable-aad --aad-admin-group-object-ids ...`) instead of impersonation.",
        links: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
        bad: rbac_example!(
            "support",
            "{apiGroups: [\"\"], resources: [users, groups, serviceaccounts], verbs: [impersonate]}"
        ),
        good: rbac_example!(
            "support",
            "{apiGroups: [\"\"], resources: [serviceaccounts], verbs: [get, list]}"
        ),
    },
};

pub static CHECK: Check = Check::rbac(&META, PERMISSIONS, evaluate);

/// The permissions this check looks for (any verb listed, on the resource).
pub static PERMISSIONS: &[Permission] = &[
    Permission::new(&["bind", "escalate"], "rbac.authorization.k8s.io", "roles"),
    Permission::new(
        &["bind", "escalate"],
        "rbac.authorization.k8s.io",
        "clusterroles",
    ),
    Permission::new(&["impersonate"], "", "users"),
    Permission::new(&["impersonate"], "", "groups"),
    Permission::new(&["impersonate"], "", "serviceaccounts"),
    Permission::new(&["impersonate"], "authentication.k8s.io", "uids"),
    Permission::new(&["impersonate"], "authentication.k8s.io", "userextras"),
];

pub fn evaluate(ctx: &Ctx<'_>) -> Vec<Finding> {
    evaluate_binding_check(ctx, &META, PERMISSIONS, "bind, escalate or impersonate")
}

/// The family tests' vectors (see `test_support`): a rule that grants what this check looks for,
/// and one close to it that does not.
#[cfg(test)]
pub(super) const TEST_RULES: Rules = Rules {
    granting: "{apiGroups: [\"\"], resources: [users, groups], verbs: [impersonate]}",
    harmless: "{apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [get, list]}",
};
