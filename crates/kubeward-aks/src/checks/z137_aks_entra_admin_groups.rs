//! kubeward's own advice next to CIS AKS 5.5.1 (Z130): managed Entra ID integration names the
//! groups that administer the cluster. Kept apart so Z130 gives the CIS verdict.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity, Status};

use super::{Check, Ctx, finding};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z137",
    name: "aks-entra-admin-groups",
    since: "0.1.0",
    aliases: &[],
    title: "Cluster administration is given to Microsoft Entra ID groups",
    area: Area::Aks,
    severity: Severity::Medium,
    references: &[RefStatic::mitre("T1078")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "With managed Entra ID integration, cluster admins are defined: `aadProfile.adminGroupObjectIDs` lists at least one group, or Azure RBAC (`enableAzureRbac: true`) grants admin access through Azure role assignments and needs no admin group.",
        why: "Without admin groups, cluster administration relies on Azure RBAC role assignments or on local accounts; a named Entra ID group keeps who administers the cluster in one reviewable place, with MFA and conditional access.",
        fix: "az aks update -g <resource-group> -n <cluster> --aad-admin-group-object-ids <admin-group-object-id>",
        links: &["https://learn.microsoft.com/azure/aks/enable-authentication-microsoft-entra-id"],
        bad: cluster!(
            r#""aadProfile": {"managed": true, "enableAzureRbac": false, "adminGroupObjectIDs": []}"#
        ),
        good: cluster!(
            r#""aadProfile": {"managed": true, "enableAzureRbac": false, "adminGroupObjectIDs": ["3c4d5e6f-0000-4000-8000-0000000000ad"]}"#
        ),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let managed = c.get("aadProfile.managed");
    let groups = c.get("aadProfile.adminGroupObjectIDs");
    let azure_rbac = c.get("aadProfile.enableAzureRbac");
    let wrong_type =
        (!azure_rbac.is_unset() && !azure_rbac.is_unresolved() && azure_rbac.bool().is_none())
            .then_some(&azure_rbac)
            .or(
                (!groups.is_unset() && !groups.is_unresolved() && groups.array().is_none())
                    .then_some(&groups),
            );
    let f = if managed.is_unresolved() || groups.is_unresolved() || azure_rbac.is_unresolved() {
        finding(
            &META,
            c,
            None,
            Status::Manual,
            "aadProfile is an unresolved ARM expression",
        )
    } else if managed.bool() != Some(true) {
        finding(
            &META,
            c,
            None,
            Status::NotApplicable,
            "no managed Entra ID integration: Z130 reports it",
        )
    } else if let Some(bad) = wrong_type {
        finding(
            &META,
            c,
            None,
            Status::Error,
            format!(
                "{}: unexpected value {} (wrong type)",
                bad.path,
                bad.display()
            ),
        )
    } else if groups.array().is_none_or(|g| g.is_empty()) && azure_rbac.bool() == Some(true) {
        // Azure RBAC grants cluster-admin through Azure role assignments: admin groups are a
        // Kubernetes-RBAC mechanism and are not needed.
        finding(
            &META,
            c,
            None,
            Status::Pass,
            "managed Entra ID integration with Azure RBAC: admin access is granted by Azure role assignments, no admin group is needed",
        )
        .with_evidence(azure_rbac.evidence("true"))
    } else if groups.array().is_none_or(|g| g.is_empty()) {
        finding(
            &META,
            c,
            None,
            Status::Warn,
            "managed Entra ID integration without admin groups and without Azure RBAC: cluster admin relies on local accounts",
        )
        .with_evidence(azure_rbac.evidence("true, or at least one admin group"))
    } else {
        finding(
            &META,
            c,
            None,
            Status::Pass,
            "managed Entra ID integration with admin group(s)",
        )
    };
    vec![f.with_evidence(groups.evidence("at least one group object id"))]
}

#[cfg(test)]
mod tests {
    use super::super::testing::{assert_statuses, cl, status};
    use super::*;

    #[test]
    fn verdicts() {
        assert_statuses(
            evaluate,
            &[
                (
                    r#""aadProfile":{"managed":true,"adminGroupObjectIDs":["g"]}"#,
                    Status::Pass,
                ),
                (
                    r#""aadProfile":{"managed":true,"adminGroupObjectIds":[]}"#,
                    Status::Warn,
                ),
                (r#""aadProfile":null"#, Status::NotApplicable),
            ],
        );
    }

    /// Item 11: managed Entra ID with Azure RBAC needs no admin groups.
    #[test]
    fn item11_azure_rbac_needs_no_admin_groups() {
        for aad in [
            r#"{"managed":true,"enableAzureRbac":true}"#,
            r#"{"managed":true,"enableAzureRBAC":true,"adminGroupObjectIDs":[]}"#,
            r#"{"managed":true,"enableAzureRBAC":true,"adminGroupObjectIDs":null}"#,
            r#"{"managed":true,"enableAzureRbac":true,"adminGroupObjectIDs":["g"]}"#,
        ] {
            let json = cl(&format!(r#""aadProfile":{aad}"#));
            assert_eq!(status(evaluate, &json), Status::Pass, "{json}");
        }
        for aad in [
            r#"{"managed":true,"enableAzureRbac":false}"#,
            r#"{"managed":true}"#,
        ] {
            let json = cl(&format!(r#""aadProfile":{aad}"#));
            assert_eq!(status(evaluate, &json), Status::Warn, "{json}");
        }
        // Azure RBAC does not make a legacy integration managed: Z130 fails it.
        assert_eq!(
            status(
                evaluate,
                &cl(r#""aadProfile":{"managed":false,"enableAzureRbac":true}"#)
            ),
            Status::NotApplicable
        );
    }

    #[test]
    fn wrong_types_are_errors() {
        for aad in [
            r#"{"managed":true,"enableAzureRbac":1}"#,
            r#"{"managed":true,"adminGroupObjectIDs":"g"}"#,
        ] {
            let json = cl(&format!(r#""aadProfile":{aad}"#));
            assert_eq!(status(evaluate, &json), Status::Error, "{json}");
        }
    }
}
