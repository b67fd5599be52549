//! CIS AKS 1.8.0 4.1.2: Access to secrets is limited (get, list, watch).

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use crate::ctx::Ctx;
use crate::rbac::danger::{Permission, evaluate_binding_check};

pub static META: CheckMeta = CheckMeta {
    code: "W401",
    name: "rbac-secret-access",
    title: "Access to secrets is limited (get, list, watch)",
    area: Area::Workloads,
    severity: Severity::High,
    references: &[
        RefStatic::cis_aks("1.8.0", "4.1.2"),
        RefStatic::mitre("T1552.007"),
    ],
    profiles: &["cis-aks-1.8"],
    kubeward_own: false,
    doc: CheckDoc {
        what: "Every RoleBinding and ClusterRoleBinding (aggregated ClusterRoles resolved) that grants get, list or watch on Secrets. A ClusterRoleBinding grants it in every namespace; a RoleBinding in its own.",
        why: "Reading Secrets yields credentials: service account tokens of other workloads, registry and database passwords, TLS keys. `list` and `watch` return every Secret's content, not just names.",
        fix: "Remove `get`/`list`/`watch` on `secrets` from the role, or narrow it with `resourceNames` to the one Secret needed, and bind it with a RoleBinding in that namespace only. On AKS prefer the Secrets Store CSI driver with Azure Key Vault (`az aks enable-addons --addons azure-keyvault-secrets-provider`) so applications need no Secret read access at all.",
        links: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
    },
};

/// The permissions this check looks for (any verb listed, on the resource).
pub static PERMISSIONS: &[Permission] =
    &[Permission::new(&["get", "list", "watch"], "", "secrets")];

pub fn evaluate(ctx: &Ctx<'_>) -> Vec<Finding> {
    evaluate_binding_check(ctx, &META, PERMISSIONS, "read access to Secrets")
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
                "{apiGroups: [\"\"], resources: [secrets], verbs: [list]}",
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
                "{apiGroups: [\"\"], resources: [configmaps], verbs: [get, list]}",
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
            "{apiGroups: [\"\"], resources: [secrets], verbs: [list]}",
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
