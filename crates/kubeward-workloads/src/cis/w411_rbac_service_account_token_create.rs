//! CIS AKS 1.8.0 4.1.12: Access to create service account tokens is limited.

use kubeward_core::profile::CIS_AKS_1_8;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use crate::Check;
#[cfg(test)]
use crate::cis::test_support::Rules;
use crate::ctx::Ctx;
use crate::rbac::danger::{Permission, evaluate_binding_check};

pub static META: CheckMeta = CheckMeta {
    code: "W411",
    name: "rbac-service-account-token-create",
    since: "0.1.0",
    aliases: &[],
    title: "Access to create service account tokens is limited",
    area: Area::Workloads,
    severity: Severity::High,
    references: &[
        RefStatic::cis_aks("1.8.0", "4.1.12"),
        RefStatic::mitre("T1528"),
    ],
    profiles: &[CIS_AKS_1_8],
    kubeward_own: false,
    doc: CheckDoc {
        what: "Bindings that grant `create` on `serviceaccounts/token`.",
        why: "Creating a token for a service account lets a subject act as that service account for as long as the token lives (up to the maximum expiry), inheriting all of its permissions.",
        fix: "Remove `create` on `serviceaccounts/token` from roles bound to users and workloads; pods get their own projected tokens without it. Restrict any remaining grant with `resourceNames` and a RoleBinding in one namespace.",
        links: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
        bad: rbac_example!(
            "token-minter",
            "{apiGroups: [\"\"], resources: [serviceaccounts/token], verbs: [create]}"
        ),
        good: rbac_example!(
            "token-minter",
            "{apiGroups: [\"\"], resources: [serviceaccounts], verbs: [get]}"
        ),
    },
};

pub static CHECK: Check = Check::rbac(&META, PERMISSIONS, evaluate);

/// The permissions this check looks for (any verb listed, on the resource).
pub static PERMISSIONS: &[Permission] =
    &[Permission::sub(&["create"], "", "serviceaccounts", "token")];

pub fn evaluate(ctx: &Ctx<'_>) -> Vec<Finding> {
    evaluate_binding_check(ctx, &META, PERMISSIONS, "service account token creation")
}

/// The family tests' vectors (see `test_support`): a rule that grants what this check looks for,
/// and one close to it that does not.
#[cfg(test)]
pub(super) const TEST_RULES: Rules = Rules {
    granting: "{apiGroups: [\"\"], resources: [serviceaccounts/token], verbs: [create]}",
    harmless: "{apiGroups: [\"\"], resources: [serviceaccounts], verbs: [get]}",
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cis::test_support;

    /// calico-node's grant: token creation for its CNI plugin's service account only.
    #[test]
    fn a_grant_narrowed_by_resource_names_fails_one_severity_lower() {
        let input = test_support::cluster(
            "{apiGroups: [\"\"], resources: [serviceaccounts/token], resourceNames: [calico-cni-plugin], verbs: [create]}",
            "calico-node",
        );
        let f = crate::ctx::run_check(&input, &crate::ctx::ScanOptions::default(), evaluate);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].status, kubeward_core::Status::Fail);
        assert_eq!(f[0].severity, Severity::Medium, "one step below High");
        assert!(
            f[0].message.contains("only on [calico-cni-plugin]")
                && f[0].message.contains("narrowed by resourceNames"),
            "{}",
            f[0].message
        );
        // The same grant without resourceNames keeps the check's severity.
        let wide = crate::ctx::run_check(
            &test_support::cluster(TEST_RULES.granting, "wide"),
            &crate::ctx::ScanOptions::default(),
            evaluate,
        );
        assert_eq!(wide[0].severity, Severity::High);
    }
}
