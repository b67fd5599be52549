//! CIS AKS 1.8.0 4.1.10: Access to approve certificate signing requests is limited.

use kubeward_core::profile::CIS_AKS_1_8;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use crate::Check;
#[cfg(test)]
use crate::cis::test_support::Rules;
use crate::ctx::Ctx;
use crate::rbac::danger::{Permission, evaluate_binding_check};

pub static META: CheckMeta = CheckMeta {
    code: "W409",
    name: "rbac-csr-approval",
    since: "0.1.0",
    aliases: &[],
    title: "Access to approve certificate signing requests is limited",
    area: Area::Workloads,
    severity: Severity::High,
    references: &[
        RefStatic::cis_aks("1.8.0", "4.1.10"),
        RefStatic::mitre("T1649"),
    ],
    profiles: &[CIS_AKS_1_8],
    kubeward_own: false,
    doc: CheckDoc {
        what: "ClusterRoleBindings that grant update/patch on `certificatesigningrequests/approval` or `approve` on `signers` (both are needed to approve; either alone is reported).",
        why: "Approving a CSR for the `kubernetes.io/kube-apiserver-client` signer issues a client certificate for any user or group, including `system:masters`; such certificates cannot be revoked before they expire.",
        fix: "Keep CSR approval with the control plane's own approvers. Remove `certificatesigningrequests/approval` and `signers` `approve` from other roles, or restrict `signers` with `resourceNames` to a signer that cannot issue API client certificates.",
        links: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
        bad: rbac_example!(
            "csr-approver",
            "{apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}",
            "{apiGroups: [certificates.k8s.io], resources: [signers], verbs: [approve]}"
        ),
        good: rbac_example!(
            "csr-approver",
            "{apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests], verbs: [get, list]}"
        ),
    },
};

pub static CHECK: Check = Check::rbac(&META, PERMISSIONS, evaluate);

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

/// The family tests' vectors (see `test_support`): a rule that grants what this check looks for,
/// and one close to it that does not.
#[cfg(test)]
pub(super) const TEST_RULES: Rules = Rules {
    granting: "{apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}",
    harmless: "{apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests], verbs: [create, get]}",
};
