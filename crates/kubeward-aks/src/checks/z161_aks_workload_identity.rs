//! Workload identity (with the OIDC issuer) instead of node identities or pod-managed identity.

use kubeward_core::profile::CIS_AKS_1_8;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{Check, Ctx, cis, finding, policy};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z161",
    name: "aks-workload-identity",
    since: "0.1.0",
    aliases: &[],
    title: "Workload identity and the OIDC issuer are enabled",
    area: Area::Aks,
    severity: Severity::Medium,
    references: &[cis("5.2.1"), policy("2cc2e023-0dac-4046-875b-178f683929d5")],
    profiles: &[CIS_AKS_1_8],
    kubeward_own: false,
    doc: CheckDoc {
        what: "`securityProfile.workloadIdentity.enabled`, `oidcIssuerProfile.enabled`, and the deprecated `podIdentityProfile.enabled`.",
        why: "Workload identity gives each service account its own federated Entra identity; without it pods tend to share the node's kubelet identity or stored secrets. The deprecated pod-managed identity add-on intercepts IMDS traffic with a DaemonSet that any pod on the node can abuse.",
        fix: "az aks update -g <resource-group> -n <cluster> --enable-oidc-issuer --enable-workload-identity   # and migrate off pod identity: az aks update -g <resource-group> -n <cluster> --disable-pod-identity",
        links: &["https://learn.microsoft.com/azure/aks/workload-identity-overview"],
        bad: cluster!(
            r#""podIdentityProfile": {"enabled": true}"#,
            r#""oidcIssuerProfile": {"enabled": false}"#
        ),
        good: cluster!(
            r#""securityProfile": {"workloadIdentity": {"enabled": true}}"#,
            r#""oidcIssuerProfile": {"enabled": true}"#
        ),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let wi = c.get("securityProfile.workloadIdentity.enabled");
    let oidc = c.get("oidcIssuerProfile.enabled");
    let pod_identity = c.get("podIdentityProfile.enabled");
    let f = if pod_identity.bool() == Some(true) {
        finding(
            &META,
            c,
            None,
            Status::Fail,
            "the deprecated pod-managed identity add-on is enabled",
        )
    } else if wi.is_unresolved() || oidc.is_unresolved() {
        finding(
            &META,
            c,
            None,
            Status::Manual,
            "workload identity settings are unresolved ARM expressions",
        )
    } else {
        match (wi.bool() == Some(true), oidc.bool() == Some(true)) {
            (true, true) => finding(
                &META,
                c,
                None,
                Status::Pass,
                "workload identity with the OIDC issuer",
            ),
            (true, false) => finding(
                &META,
                c,
                None,
                Status::Fail,
                "workload identity is enabled but the OIDC issuer is not",
            ),
            (false, true) => finding(
                &META,
                c,
                None,
                Status::Fail,
                "the OIDC issuer is enabled but workload identity is not",
            ),
            (false, false) => {
                let why = if wi.is_unset() {
                    " (not set; AKS default: disabled)"
                } else {
                    ""
                };
                finding(
                    &META,
                    c,
                    None,
                    Status::Fail,
                    format!("workload identity is not enabled{why}"),
                )
            }
        }
    };
    vec![
        f.with_evidence(wi.evidence("true"))
            .with_evidence(oidc.evidence("true"))
            .with_evidence(pod_identity.evidence("false or absent")),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_statuses;
    use super::*;

    #[test]
    fn verdicts() {
        assert_statuses(
            evaluate,
            &[
                (
                    r#""securityProfile":{"workloadIdentity":{"enabled":true}},"oidcIssuerProfile":{"enabled":true}"#,
                    Status::Pass,
                ),
                (r#""oidcIssuerProfile":{"enabled":true}"#, Status::Fail),
                (
                    r#""securityProfile":{"workloadIdentity":{"enabled":true}},"oidcIssuerProfile":{"enabled":true},"podIdentityProfile":{"enabled":true}"#,
                    Status::Fail,
                ),
                ("", Status::Fail),
            ],
        );
    }
}
