//! Defender security gating does not read the cluster's secrets.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{Check, Ctx, Gate, finding, gate, not_bool};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z105",
    name: "aks-defender-gating-secret-access",
    since: "0.1.0",
    aliases: &[],
    title: "Defender security gating is not granted access to cluster secrets",
    area: Area::Aks,
    severity: Severity::Low,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "`securityProfile.defender.securityGating.allowSecretAccess` when security gating is enabled (`securityGating.enabled: true`): true is a warning; false or not set (default false) passes. NOT_APPLICABLE when gating is not enabled: no gating agent runs to use the permission.",
        why: "Security gating (Defender for Containers gated deployment) is an admission controller that checks images against vulnerability findings before they run. With `allowSecretAccess` its agent may read the cluster's Secrets to use image pull secrets: one more component that can read every pull secret. Granting registry access to the gating identities (managed identity) instead keeps Secrets out of its reach. Microsoft Learn: \"Gated deployment of container images to Kubernetes\" and the ManagedClusterSecurityProfileDefenderSecurityGating API reference.",
        fix: "Give the gating admission controller registry access through managed identities (securityGating.identities) instead of pull secrets, then turn secret access off: az resource update --ids $(az aks show -g <resource-group> -n <cluster> --query id -o tsv) --set properties.securityProfile.defender.securityGating.allowSecretAccess=false --api-version <an API version that has securityGating>",
        links: &[
            "https://learn.microsoft.com/azure/defender-for-cloud/gated-deployment-introduction",
            "https://learn.microsoft.com/javascript/api/@azure/arm-containerservice/managedclustersecurityprofiledefendersecuritygating",
        ],
        bad: cluster!(
            r#""securityProfile": {"defender": {"securityGating": {"enabled": true, "allowSecretAccess": true}}}"#
        ),
        good: cluster!(
            r#""securityProfile": {"defender": {"securityGating": {"enabled": true, "allowSecretAccess": false}}}"#
        ),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let enabled = c.get("securityProfile.defender.securityGating.enabled");
    let allow = c.get("securityProfile.defender.securityGating.allowSecretAccess");
    let f = match gate(&enabled, &allow) {
        Gate::Unresolved => finding(
            &META,
            c,
            None,
            Status::Manual,
            "security gating settings are unresolved ARM expressions",
        ),
        Gate::NotBool(bad) => not_bool(&META, c, bad),
        Gate::Off { allowed } => {
            let mut msg = String::from("Defender security gating is not enabled");
            if allowed {
                msg.push_str(
                    " (allowSecretAccess is true and takes effect if gating is turned on)",
                );
            }
            finding(&META, c, None, Status::NotApplicable, msg)
        }
        Gate::Allowed => finding(
            &META,
            c,
            None,
            Status::Warn,
            "security gating may read the cluster's Secrets (allowSecretAccess: true) to use image pull secrets",
        ),
        Gate::Denied { defaulted } => finding(
            &META,
            c,
            None,
            Status::Pass,
            if defaulted {
                "security gating has no access to cluster Secrets (allowSecretAccess not set; default: false)"
            } else {
                "security gating has no access to cluster Secrets"
            },
        ),
    };
    vec![
        f.with_evidence(enabled.evidence("true"))
            .with_evidence(allow.evidence("false")),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::testing::{cl, status};
    use super::*;

    /// Item 13: `securityGating.allowSecretAccess: true`.
    #[test]
    fn item13_gating_secret_access_warns() {
        let gating = |g: &str| {
            cl(&format!(
                r#""securityProfile":{{"defender":{{"securityGating":{g}}}}}"#
            ))
        };
        let cases = [
            (r#"{"enabled":true,"allowSecretAccess":true}"#, Status::Warn),
            (
                r#"{"Enabled":true,"AllowSecretAccess":"true"}"#,
                Status::Warn,
            ),
            (
                r#"{"enabled":true,"allowSecretAccess":false}"#,
                Status::Pass,
            ),
            (r#"{"enabled":true}"#, Status::Pass),
            (
                r#"{"enabled":false,"allowSecretAccess":true}"#,
                Status::NotApplicable,
            ),
            (r#"{"allowSecretAccess":true}"#, Status::NotApplicable),
            ("null", Status::NotApplicable),
            (
                r#"{"enabled":true,"allowSecretAccess":"sometimes"}"#,
                Status::Error,
            ),
            (r#"{"enabled":1}"#, Status::Error),
        ];
        for (g, want) in cases {
            let json = gating(g);
            assert_eq!(status(evaluate, &json), want, "{json}");
        }
        assert_eq!(status(evaluate, &cl("")), Status::NotApplicable);
    }
}
