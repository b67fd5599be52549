//! kubeward's own advice next to CIS AKS 5.5.1 (Z130): managed Entra ID integration names the
//! groups that administer the cluster. Kept apart so Z130 gives the CIS verdict.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity, Status};

use super::{Ctx, NO_PROFILE, finding};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z136",
    name: "aks-entra-admin-groups",
    title: "Cluster administration is given to Microsoft Entra ID groups",
    area: Area::Aks,
    severity: Severity::Medium,
    references: &[RefStatic::mitre("T1078")],
    profiles: NO_PROFILE,
    kubeward_own: true,
    doc: CheckDoc {
        what: "With managed Entra ID integration, `aadProfile.adminGroupObjectIDs` lists at least one group.",
        why: "Without admin groups, cluster administration relies on Azure RBAC role assignments or on local accounts; a named Entra ID group keeps who administers the cluster in one reviewable place, with MFA and conditional access.",
        fix: "az aks update -g <resource-group> -n <cluster> --aad-admin-group-object-ids <admin-group-object-id>",
        links: &["https://learn.microsoft.com/azure/aks/enable-authentication-microsoft-entra-id"],
    },
};

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let managed = c.get("aadProfile.managed");
    let groups = c.get("aadProfile.adminGroupObjectIDs");
    let f = if managed.is_unresolved() || groups.is_unresolved() {
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
    vec![f.with_evidence(groups.evidence("at least one group object id"))]
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
            status(evaluate, &cl(r#""aadProfile":null"#)),
            Status::NotApplicable
        );
    }
}
