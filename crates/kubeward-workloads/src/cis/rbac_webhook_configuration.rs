//! CIS AKS 1.8.0 4.1.11: Access to webhook configuration objects is limited.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use crate::ctx::Ctx;
use crate::rbac::danger::{Permission, evaluate_binding_check};

pub static META: CheckMeta = CheckMeta {
    code: "W410",
    name: "rbac-webhook-configuration",
    title: "Access to webhook configuration objects is limited",
    area: Area::Workloads,
    severity: Severity::High,
    references: &[
        RefStatic::cis_aks("1.8.0", "4.1.11"),
        RefStatic::mitre("T1562.001"),
    ],
    profiles: &["cis-aks-1.8"],
    kubeward_own: false,
    doc: CheckDoc {
        what: "ClusterRoleBindings that grant create, update, patch or delete on validating or mutating webhook configurations.",
        why: "A mutating webhook sees and can rewrite every object admitted (inject containers, read Secrets as they are written); deleting a validating webhook turns off policy enforcement such as Gatekeeper/Azure Policy.",
        fix: "Restrict these verbs to the operators that own their webhooks, with `resourceNames` for their own configuration objects. On AKS the Azure Policy add-on manages its own webhooks; no user role needs them.",
        links: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
    },
};

/// The permissions this check looks for (any verb listed, on the resource).
pub static PERMISSIONS: &[Permission] = &[
    Permission::new(
        &["create", "update", "patch", "delete"],
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
    ),
    Permission::new(
        &["create", "update", "patch", "delete"],
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
    ),
];

pub fn evaluate(ctx: &Ctx<'_>) -> Vec<Finding> {
    evaluate_binding_check(
        ctx,
        &META,
        PERMISSIONS,
        "changes to admission webhook configurations",
    )
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
                "{apiGroups: [admissionregistration.k8s.io], resources: [mutatingwebhookconfigurations], verbs: [create, update]}",
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
                "{apiGroups: [admissionregistration.k8s.io], resources: [mutatingwebhookconfigurations], verbs: [get, list]}",
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
            "{apiGroups: [admissionregistration.k8s.io], resources: [mutatingwebhookconfigurations], verbs: [create, update]}",
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
