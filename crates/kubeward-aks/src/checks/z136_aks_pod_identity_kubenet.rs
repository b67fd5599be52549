//! The pod identity add-on is not allowed on kubenet.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{Check, Ctx, Gate, finding, gate, not_bool};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z136",
    name: "aks-pod-identity-kubenet",
    since: "0.1.0",
    aliases: &[],
    title: "Pod-managed identity is not allowed on kubenet",
    area: Area::Aks,
    severity: Severity::High,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "`podIdentityProfile.allowNetworkPluginKubenet` when the pod identity add-on is enabled (`podIdentityProfile.enabled: true`): true fails; false or not set (default false) passes. NOT_APPLICABLE when the add-on is not enabled.",
        why: "On kubenet a pod with NET_RAW can spoof ARP and intercept the node's traffic to the instance metadata endpoint, then obtain the Azure tokens of other pods' identities; AKS therefore refuses pod identity on kubenet unless this flag overrides the refusal. The add-on itself is deprecated in favour of Microsoft Entra Workload ID. Microsoft Learn: \"Use Microsoft Entra pod-managed identities in Azure Kubernetes Service (AKS)\" (kubenet section) and \"Migrate from pod managed-identity to workload identity\".",
        fix: "Move the workloads to workload identity (az aks update -g <resource-group> -n <cluster> --enable-oidc-issuer --enable-workload-identity, then federated credentials per identity), then: az aks update -g <resource-group> -n <cluster> --disable-pod-identity   # the pod identity flags come with the aks-preview extension (az extension add --name aks-preview)",
        links: &[
            "https://learn.microsoft.com/azure/aks/use-azure-ad-pod-identity",
            "https://learn.microsoft.com/azure/aks/workload-identity-migrate-from-pod-identity",
        ],
        bad: cluster!(
            r#""networkProfile": {"networkPlugin": "kubenet"}"#,
            r#""podIdentityProfile": {"enabled": true, "allowNetworkPluginKubenet": true}"#
        ),
        good: cluster!(
            r#""networkProfile": {"networkPlugin": "kubenet"}"#,
            r#""podIdentityProfile": {"enabled": true, "allowNetworkPluginKubenet": false}"#
        ),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let enabled = c.get("podIdentityProfile.enabled");
    let allow = c.get("podIdentityProfile.allowNetworkPluginKubenet");
    let plugin = c.get("networkProfile.networkPlugin");
    let f = match gate(&enabled, &allow) {
        Gate::Unresolved => finding(
            &META,
            c,
            None,
            Status::Manual,
            "pod identity settings are unresolved ARM expressions",
        ),
        Gate::NotBool(bad) => not_bool(&META, c, bad),
        Gate::Off { allowed } => {
            let mut msg = String::from("the pod identity add-on is not enabled");
            if allowed {
                msg.push_str(" (allowNetworkPluginKubenet is true and takes effect if it is enabled)");
            }
            finding(&META, c, None, Status::NotApplicable, msg)
        }
        Gate::Allowed => finding(
            &META,
            c,
            None,
            Status::Fail,
            format!(
                "pod identity is explicitly allowed on kubenet (network plugin {}): pods can spoof ARP to take other pods' Azure tokens",
                plugin.display()
            ),
        )
        .with_evidence(plugin.evidence("")),
        Gate::Denied { defaulted } => {
            let default = if defaulted {
                " (allowNetworkPluginKubenet not set; default: false)"
            } else {
                ""
            };
            finding(
                &META,
                c,
                None,
                Status::Pass,
                format!("pod identity is not allowed on kubenet{default}"),
            )
        }
    };
    vec![
        f.with_evidence(enabled.evidence(""))
            .with_evidence(allow.evidence("false")),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::testing::{cl, status};
    use super::*;

    /// Item 13: `podIdentityProfile.allowNetworkPluginKubenet: true`.
    #[test]
    fn item13_pod_identity_on_kubenet_fails() {
        let pi = |p: &str| {
            cl(&format!(
                r#""networkProfile":{{"networkPlugin":"kubenet"}},"podIdentityProfile":{p}"#
            ))
        };
        let cases = [
            (
                r#"{"enabled":true,"allowNetworkPluginKubenet":true}"#,
                Status::Fail,
            ),
            (
                r#"{"Enabled":true,"AllowNetworkPluginKubenet":true}"#,
                Status::Fail,
            ),
            (
                r#"{"enabled":true,"allowNetworkPluginKubenet":false}"#,
                Status::Pass,
            ),
            (r#"{"enabled":true}"#, Status::Pass),
            (
                r#"{"enabled":false,"allowNetworkPluginKubenet":true}"#,
                Status::NotApplicable,
            ),
            ("null", Status::NotApplicable),
            (
                r#"{"enabled":true,"allowNetworkPluginKubenet":"yes"}"#,
                Status::Error,
            ),
            (r#"{"enabled":[true]}"#, Status::Error),
        ];
        for (p, want) in cases {
            let json = pi(p);
            assert_eq!(status(evaluate, &json), want, "{json}");
        }
        assert_eq!(status(evaluate, &cl("")), Status::NotApplicable);
    }
}
