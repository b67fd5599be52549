//! CIS AKS 1.8.0 4.1.7: Bind, escalate and impersonate permissions are limited.

use kubeward_core::profile::CIS_AKS_1_8;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use crate::Check;
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
        bad: r#"apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: support
rules:
- {apiGroups: [""], resources: [users, groups, serviceaccounts], verbs: [impersonate]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: support
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: support}
subjects:
- {kind: ServiceAccount, name: support, namespace: ci}
"#,
        good: r#"apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: support
rules:
- {apiGroups: [""], resources: [serviceaccounts], verbs: [get, list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: support
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: support}
subjects:
- {kind: ServiceAccount, name: support, namespace: ci}
"#,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cis::test_support;

    /// A rule that grants what this check looks for.
    const GRANTING_RULE: &str =
        "{apiGroups: [\"\"], resources: [users, groups], verbs: [impersonate]}";
    /// A rule close to it that does not.
    const HARMLESS_RULE: &str =
        "{apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [get, list]}";

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
