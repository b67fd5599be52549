//! CIS AKS 1.8.0 4.1.4: Access to create pods is limited.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use crate::ctx::Ctx;
use crate::rbac::danger::{Permission, evaluate_binding_check};

pub static META: CheckMeta = CheckMeta {
    code: "W403",
    name: "rbac-create-pods",
    title: "Access to create pods is limited",
    area: Area::Workloads,
    severity: Severity::Medium,
    references: &[
        RefStatic::cis_aks("1.8.0", "4.1.4"),
        RefStatic::mitre("T1610"),
    ],
    profiles: &["cis-aks-1.8"],
    kubeward_own: false,
    doc: CheckDoc {
        what: "Every binding (aggregated ClusterRoles resolved) that grants `create` on `pods`.",
        why: "Whoever can create a pod can run it as any service account of the namespace (and read its token), mount any Secret or ConfigMap of the namespace, and - where Pod Security admission does not stop it - run privileged or on the host network, which is node takeover.",
        fix: "Grant `create` on pods only to controllers and CI identities that need it, in their own namespace (RoleBinding, not ClusterRoleBinding). Enforce Pod Security admission (`kubectl label ns NS pod-security.kubernetes.io/enforce=baseline` or `restricted`) or the AKS Azure Policy add-on so a pod creator cannot escalate to the node.",
        links: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
    },
};

/// The permissions this check looks for (any verb listed, on the resource).
pub static PERMISSIONS: &[Permission] = &[Permission::new(&["create"], "", "pods")];

pub fn evaluate(ctx: &Ctx<'_>) -> Vec<Finding> {
    evaluate_binding_check(ctx, &META, PERMISSIONS, "pod creation")
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
                "{apiGroups: [\"\"], resources: [pods], verbs: [create, delete]}",
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
                "{apiGroups: [\"\"], resources: [pods], verbs: [get, list]}",
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
            "{apiGroups: [\"\"], resources: [pods], verbs: [create, delete]}",
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
