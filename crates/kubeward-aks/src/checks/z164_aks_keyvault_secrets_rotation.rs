//! The Key Vault secrets provider rotates mounted secrets.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{Check, Ctx, checkov, finding};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z164",
    name: "aks-keyvault-secrets-rotation",
    since: "0.1.0",
    aliases: &[],
    title: "Key Vault secrets provider rotates secrets",
    area: Area::Aks,
    severity: Severity::Low,
    references: &[checkov("CKV_AZURE_172")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "When the `azureKeyvaultSecretsProvider` add-on is enabled: its `config.enableSecretRotation` (a string \"true\").",
        why: "Without rotation, a secret revoked or rotated in Key Vault stays mounted in pods (and synced Kubernetes secrets) until the pod restarts, so a leaked credential keeps working.",
        fix: "az aks addon update -g <resource-group> -n <cluster> --addon azure-keyvault-secrets-provider --enable-secret-rotation --rotation-poll-interval 2m",
        links: &["https://learn.microsoft.com/azure/aks/csi-secrets-store-configuration-options"],
        bad: cluster!(
            r#""addonProfiles": {
    "azureKeyvaultSecretsProvider": {"enabled": true, "config": {"enableSecretRotation": "false"}}
  }"#
        ),
        good: cluster!(
            r#""addonProfiles": {
    "azureKeyvaultSecretsProvider": {"enabled": true, "config": {"enableSecretRotation": "true", "rotationPollInterval": "2m"}}
  }"#
        ),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let enabled = c.addon(&["azureKeyvaultSecretsProvider"], "enabled");
    let rotation = c.addon(
        &["azureKeyvaultSecretsProvider"],
        "config.enableSecretRotation",
    );
    if enabled.bool() != Some(true) && !enabled.is_unresolved() {
        return vec![
            finding(
                &META,
                c,
                None,
                Status::NotApplicable,
                "the Key Vault secrets provider add-on is not enabled",
            )
            .with_evidence(enabled.evidence("")),
        ];
    }
    let f = match rotation.bool() {
        Some(true) => finding(&META, c, None, Status::Pass, "secret rotation is enabled"),
        _ if rotation.is_unresolved() || enabled.is_unresolved() => finding(
            &META,
            c,
            None,
            Status::Manual,
            "Key Vault add-on settings are unresolved ARM expressions",
        ),
        Some(false) => finding(
            &META,
            c,
            None,
            Status::Fail,
            "secret rotation is disabled: rotated Key Vault secrets stay mounted until pods restart",
        ),
        None => finding(
            &META,
            c,
            None,
            Status::Fail,
            "secret rotation not set (AKS default: disabled)",
        ),
    };
    vec![
        f.with_evidence(enabled.evidence("true"))
            .with_evidence(rotation.evidence("true")),
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
                    r#""addonProfiles":{"azureKeyvaultSecretsProvider":{"enabled":true,"config":{"enableSecretRotation":"true"}}}"#,
                    Status::Pass,
                ),
                (
                    r#""addonProfiles":{"azureKeyvaultSecretsProvider":{"enabled":true,"config":{"enableSecretRotation":"false"}}}"#,
                    Status::Fail,
                ),
                (
                    r#""addonProfiles":{"azureKeyvaultSecretsProvider":{"enabled":true,"config":null}}"#,
                    Status::Fail,
                ),
                ("", Status::NotApplicable),
            ],
        );
    }
}
