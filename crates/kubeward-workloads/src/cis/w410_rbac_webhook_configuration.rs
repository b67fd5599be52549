//! CIS AKS 1.8.0 4.1.11: Access to webhook configuration objects is limited.

use kubeward_core::profile::CIS_AKS_1_8;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use crate::Check;
#[cfg(test)]
use crate::cis::test_support::Rules;
use crate::ctx::Ctx;
use crate::rbac::danger::{Permission, evaluate_binding_check};

pub static META: CheckMeta = CheckMeta {
    code: "W410",
    name: "rbac-webhook-configuration",
    since: "0.1.0",
    aliases: &[],
    title: "Access to webhook configuration objects is limited",
    area: Area::Workloads,
    severity: Severity::High,
    references: &[
        RefStatic::cis_aks("1.8.0", "4.1.11"),
        RefStatic::mitre("T1562.001"),
    ],
    profiles: &[CIS_AKS_1_8],
    kubeward_own: false,
    doc: CheckDoc {
        what: "ClusterRoleBindings that grant create, update, patch or delete on validating or mutating webhook configurations.",
        why: "A mutating webhook sees and can rewrite every object admitted (inject containers, read Secrets as they are written); deleting a validating webhook turns off policy enforcement such as Gatekeeper/Azure Policy.",
        fix: "Restrict these verbs to the operators that own their webhooks, with `resourceNames` for their own configuration objects. On AKS the Azure Policy add-on manages its own webhooks; no user role needs them.",
        links: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
        bad: rbac_example!(
            "webhook-installer",
            "{apiGroups: [admissionregistration.k8s.io], resources: [validatingwebhookconfigurations, mutatingwebhookconfigurations], verbs: [create, update, patch, delete]}"
        ),
        good: rbac_example!(
            "webhook-installer",
            "{apiGroups: [admissionregistration.k8s.io], resources: [validatingwebhookconfigurations, mutatingwebhookconfigurations], verbs: [get, list]}"
        ),
    },
};

pub static CHECK: Check = Check::rbac(&META, PERMISSIONS, evaluate);

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

/// The family tests' vectors (see `test_support`): a rule that grants what this check looks for,
/// and one close to it that does not.
#[cfg(test)]
pub(super) const TEST_RULES: Rules = Rules {
    granting: "{apiGroups: [admissionregistration.k8s.io], resources: [mutatingwebhookconfigurations], verbs: [create, update]}",
    harmless: "{apiGroups: [admissionregistration.k8s.io], resources: [mutatingwebhookconfigurations], verbs: [get, list]}",
};
