//! CIS AKS 5.5.1: Kubernetes users are managed through Microsoft Entra ID.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{CIS_AKS, Ctx, cis, finding, policy};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z130",
    name: "aks-entra-id-integration",
    title: "Microsoft Entra ID (managed AAD) integration is enabled",
    area: Area::Aks,
    severity: Severity::High,
    references: &[cis("5.5.1"), policy("450d2877-ebea-41e8-b00c-e286317d21bf")],
    profiles: CIS_AKS,
    kubeward_own: false,
    doc: CheckDoc {
        what: "`aadProfile` is present with `managed: true`, and cluster admins are defined: admin groups (`adminGroupObjectIDs`) or Azure RBAC (`enableAzureRbac: true`, where Azure role assignments grant admin access). Managed integration with neither is a warning.",
        why: "Without Entra ID, users authenticate with shared client certificates that cannot be revoked individually, carry no MFA or conditional access, and show up in audit logs as the same local identity.",
        fix: "az aks update -g <resource-group> -n <cluster> --enable-aad --aad-admin-group-object-ids <admin-group-object-id>",
        links: &["https://learn.microsoft.com/azure/aks/enable-authentication-microsoft-entra-id"],
    },
};

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let aad = c.get("aadProfile");
    let managed = c.get("aadProfile.managed");
    let azure_rbac = c.get("aadProfile.enableAzureRbac");
    let groups = c.get("aadProfile.adminGroupObjectIDs");
    let wrong_type = [&managed, &azure_rbac]
        .into_iter()
        .find(|f| !f.is_unset() && !f.is_unresolved() && f.bool().is_none())
        .or(
            (!groups.is_unset() && !groups.is_unresolved() && groups.array().is_none())
                .then_some(&groups),
        );
    let f = if aad.is_unresolved() || managed.is_unresolved() {
        finding(
            &META,
            c,
            None,
            Status::Manual,
            "aadProfile is an unresolved ARM expression",
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
    } else if aad.object().is_none() {
        let why = if aad.is_unset() {
            " (aadProfile not set; AKS default: local certificate authentication only)"
        } else {
            ""
        };
        finding(
            &META,
            c,
            None,
            Status::Fail,
            format!("Entra ID integration is not enabled{why}"),
        )
    } else if managed.bool() != Some(true) {
        let msg = if managed.is_unset() {
            "aadProfile without managed: true is the legacy (non-managed) Azure AD integration: retired, migrate to managed Entra ID integration"
        } else {
            "legacy (non-managed) Azure AD integration: retired, migrate to managed Entra ID integration"
        };
        finding(&META, c, None, Status::Fail, msg)
    } else if groups.array().is_some_and(|g| !g.is_empty()) {
        finding(
            &META,
            c,
            None,
            Status::Pass,
            "managed Entra ID integration with admin group(s)",
        )
    } else if azure_rbac.bool() == Some(true) {
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
    } else {
        finding(
            &META,
            c,
            None,
            Status::Warn,
            "managed Entra ID integration without admin groups and without Azure RBAC: cluster admin relies on local accounts",
        )
        .with_evidence(azure_rbac.evidence("true, or at least one admin group"))
    };
    vec![
        f.with_evidence(managed.evidence("true"))
            .with_evidence(groups.evidence("at least one group object id, or Azure RBAC")),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::testing::{cl, status};
    use super::*;

    #[test]
    fn verdicts() {
        assert_eq!(
            status(
                evaluate,
                &cl(r#""aadProfile":{"managed":true,"adminGroupObjectIDs":["g"]}"#)
            ),
            Status::Pass
        );
        assert_eq!(
            status(
                evaluate,
                &cl(r#""aadProfile":{"managed":true,"adminGroupObjectIds":[]}"#)
            ),
            Status::Warn
        );
        assert_eq!(
            status(
                evaluate,
                &cl(r#""aadProfile":{"managed":false,"serverAppId":"x"}"#)
            ),
            Status::Fail
        );
        assert_eq!(status(evaluate, &cl(r#""aadProfile":null"#)), Status::Fail);
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
        // Azure RBAC does not make a legacy integration managed.
        assert_eq!(
            status(
                evaluate,
                &cl(r#""aadProfile":{"managed":false,"enableAzureRbac":true}"#)
            ),
            Status::Fail
        );
    }

    #[test]
    fn wrong_types_are_errors() {
        for aad in [
            r#"{"managed":"maybe"}"#,
            r#"{"managed":true,"enableAzureRbac":1}"#,
            r#"{"managed":true,"adminGroupObjectIDs":"g"}"#,
        ] {
            let json = cl(&format!(r#""aadProfile":{aad}"#));
            assert_eq!(status(evaluate, &json), Status::Error, "{json}");
        }
    }
}
