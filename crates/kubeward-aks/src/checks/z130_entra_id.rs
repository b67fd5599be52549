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
        what: "`aadProfile` is present with `managed: true` (and lists admin groups).",
        why: "Without Entra ID, users authenticate with shared client certificates that cannot be revoked individually, carry no MFA or conditional access, and show up in audit logs as the same local identity.",
        fix: "az aks update -g <resource-group> -n <cluster> --enable-aad --aad-admin-group-object-ids <admin-group-object-id>",
        links: &["https://learn.microsoft.com/azure/aks/enable-authentication-microsoft-entra-id"],
    },
};

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let aad = c.get("aadProfile");
    let managed = c.get("aadProfile.managed");
    let groups = c.get("aadProfile.adminGroupObjectIDs");
    let f = if aad.is_unresolved() || managed.is_unresolved() {
        finding(
            &META,
            c,
            None,
            Status::Manual,
            "aadProfile is an unresolved ARM expression",
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
    } else if groups.array().is_none_or(|g| g.is_empty()) {
        finding(
            &META,
            c,
            None,
            Status::Warn,
            "managed Entra ID integration without admin groups: cluster admin relies on Azure RBAC or local accounts",
        )
    } else {
        finding(
            &META,
            c,
            None,
            Status::Pass,
            "managed Entra ID integration with admin group(s)",
        )
    };
    vec![
        f.with_evidence(managed.evidence("true"))
            .with_evidence(groups.evidence("at least one group object id")),
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
}
