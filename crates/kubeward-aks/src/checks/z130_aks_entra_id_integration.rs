//! CIS AKS 5.5.1: Kubernetes users are managed through Microsoft Entra ID. This check gives the
//! CIS verdict only; whether admin groups are set is Z136, a check of its own.

use kubeward_core::profile::CIS_AKS_1_8;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{Check, Ctx, cis, finding, policy};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z130",
    name: "aks-entra-id-integration",
    since: "0.1.0",
    aliases: &[],
    title: "Microsoft Entra ID (managed AAD) integration is enabled",
    area: Area::Aks,
    severity: Severity::High,
    references: &[cis("5.5.1"), policy("450d2877-ebea-41e8-b00c-e286317d21bf")],
    profiles: &[CIS_AKS_1_8],
    kubeward_own: false,
    doc: CheckDoc {
        what: "`aadProfile` is present with `managed: true`. Its admin groups are judged by Z136 (aks-entra-admin-groups).",
        why: "Without Entra ID, users authenticate with shared client certificates that cannot be revoked individually, carry no MFA or conditional access, and show up in audit logs as the same local identity.",
        fix: "az aks update -g <resource-group> -n <cluster> --enable-aad --aad-admin-group-object-ids <admin-group-object-id>",
        links: &["https://learn.microsoft.com/azure/aks/enable-authentication-microsoft-entra-id"],
        bad: cluster!(r#""aadProfile": null"#),
        good: cluster!(
            r#""aadProfile": {"managed": true, "enableAzureRbac": true, "tenantId": "72f988bf-0000-4000-8000-000000000000"}"#
        ),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let aad = c.get("aadProfile");
    let managed = c.get("aadProfile.managed");
    let wrong_type = (!managed.is_unset() && !managed.is_unresolved() && managed.bool().is_none())
        .then_some(&managed);
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
    } else {
        finding(
            &META,
            c,
            None,
            Status::Pass,
            "managed Entra ID integration is enabled",
        )
    };
    vec![f.with_evidence(managed.evidence("true"))]
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
                // CIS 5.5.1 is met; admin groups are Z137's
                (
                    r#""aadProfile":{"managed":true,"adminGroupObjectIds":[]}"#,
                    Status::Pass,
                ),
                (
                    r#""aadProfile":{"managed":false,"serverAppId":"x"}"#,
                    Status::Fail,
                ),
                (r#""aadProfile":null"#, Status::Fail),
            ],
        );
    }

    #[test]
    fn wrong_types_are_errors() {
        let json = cl(r#""aadProfile":{"managed":"maybe"}"#);
        assert_eq!(status(evaluate, &json), Status::Error, "{json}");
    }
}
