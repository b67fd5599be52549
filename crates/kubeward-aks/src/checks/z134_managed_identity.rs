//! The cluster uses a managed identity, not a service principal secret.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{CIS_AKS, Ctx, cis, finding, policy};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z134",
    name: "aks-managed-identity",
    title: "The cluster uses a managed identity",
    area: Area::Aks,
    severity: Severity::Medium,
    references: &[cis("5.2.1"), policy("da6e2401-19da-4532-9141-fb8fbde08431")],
    profiles: CIS_AKS,
    kubeward_own: false,
    doc: CheckDoc {
        what: "`identity.type` and `servicePrincipalProfile.clientId` (\"msi\" when a managed identity is used).",
        why: "A service principal's secret is stored on every node (/etc/kubernetes/azure.json), expires, and must be rotated by hand; a managed identity has no secret to steal or leak.",
        fix: "az aks update -g <resource-group> -n <cluster> --enable-managed-identity   # then: az aks nodepool upgrade --node-image-only for each pool",
        links: &["https://learn.microsoft.com/azure/aks/use-managed-identity"],
    },
};

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let ty = c.get("identity.type");
    let sp = c.get("servicePrincipalProfile.clientId");
    let managed_type = ty.str().is_some_and(|t| {
        t.eq_ignore_ascii_case("SystemAssigned") || t.eq_ignore_ascii_case("UserAssigned")
    });
    let sp_in_use = sp.str().is_some_and(|id| !id.eq_ignore_ascii_case("msi"));
    let f = if sp_in_use {
        finding(
            &META,
            c,
            None,
            Status::Fail,
            "the cluster authenticates to Azure with a service principal secret",
        )
    } else if managed_type {
        finding(
            &META,
            c,
            None,
            Status::Pass,
            format!("{} managed identity", ty.display()),
        )
    } else if ty.is_unresolved() || sp.is_unresolved() {
        finding(
            &META,
            c,
            None,
            Status::Manual,
            "identity settings are unresolved ARM expressions",
        )
    } else {
        // `az aks show` always carries `identity`; a template or trimmed export may not, and the
        // API has no default to assume (creation needs one or the other).
        finding(
            &META,
            c,
            None,
            Status::Manual,
            "neither identity nor servicePrincipalProfile is in the input: look at `az aks show -g <resource-group> -n <cluster> --query \"{identity: identity.type, clientId: servicePrincipalProfile.clientId}\"`",
        )
    };
    vec![
        f.with_evidence(ty.evidence("SystemAssigned or UserAssigned"))
            .with_evidence(sp.evidence("msi or absent")),
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
                &cl(
                    r#""identity":{"type":"SystemAssigned"},"servicePrincipalProfile":{"clientId":"msi"}"#
                )
            ),
            Status::Pass
        );
        assert_eq!(
            status(
                evaluate,
                &cl(r#""servicePrincipalProfile":{"clientId":"0000-1111"}"#)
            ),
            Status::Fail
        );
        // Nothing about the identity in the input: not a guess, a pointer to where to look.
        assert_eq!(status(evaluate, &cl("")), Status::Manual);
        assert_eq!(
            status(evaluate, &cl(r#""identity":{"type":"None"}"#)),
            Status::Manual
        );
        assert_eq!(
            status(evaluate, &cl(r#""identity":{"type":"UserAssigned"}"#)),
            Status::Pass
        );
    }
}
