//! CIS AKS 1.8.0 4.1.10: Access to approve certificate signing requests is limited.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use crate::ctx::Ctx;
use crate::rbac::danger::{Permission, evaluate_binding_check};

pub static META: CheckMeta = CheckMeta {
    code: "W409",
    name: "rbac-csr-approval",
    title: "Access to approve certificate signing requests is limited",
    area: Area::Workloads,
    severity: Severity::High,
    references: &[
        RefStatic::cis_aks("1.8.0", "4.1.10"),
        RefStatic::mitre("T1649"),
    ],
    profiles: &["cis-aks-1.8"],
    kubeward_own: false,
    doc: CheckDoc {
        what: "ClusterRoleBindings that grant update/patch on `certificatesigningrequests/approval` or `approve` on `signers` (both are needed to approve; either alone is reported).",
        why: "Approving a CSR for the `kubernetes.io/kube-apiserver-client` signer issues a client certificate for any user or group, including `system:masters`; such certificates cannot be revoked before they expire.",
        fix: "Keep CSR approval with the control plane's own approvers. Remove `certificatesigningrequests/approval` and `signers` `approve` from other roles, or restrict `signers` with `resourceNames` to a signer that cannot issue API client certificates.",
        links: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
    },
};

/// The permissions this check looks for (any verb listed, on the resource).
pub static PERMISSIONS: &[Permission] = &[
    Permission::sub(
        &["update", "patch"],
        "certificates.k8s.io",
        "certificatesigningrequests",
        "approval",
    ),
    Permission::new(&["approve"], "certificates.k8s.io", "signers"),
];

pub fn evaluate(ctx: &Ctx<'_>) -> Vec<Finding> {
    evaluate_binding_check(ctx, &META, PERMISSIONS, "CSR approval")
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
                "{apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}",
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
                "{apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests], verbs: [create, get]}",
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
            "{apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}",
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
