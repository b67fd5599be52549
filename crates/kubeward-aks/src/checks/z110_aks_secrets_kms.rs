//! CIS AKS 5.3.1: Kubernetes secrets are encrypted in etcd with a customer key (KMS).

use kubeward_core::profile::CIS_AKS_1_8;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{At, Check, Ctx, Setting, cis, policy};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z110",
    name: "aks-secrets-kms",
    since: "0.1.0",
    aliases: &[],
    title: "Secrets in etcd are encrypted with Azure Key Vault KMS",
    area: Area::Aks,
    severity: Severity::Medium,
    references: &[cis("5.3.1"), policy("dbbdc317-9734-4dd8-9074-993b29c69008")],
    profiles: &[CIS_AKS_1_8],
    kubeward_own: false,
    doc: CheckDoc {
        what: "`securityProfile.azureKeyVaultKms.enabled` (and `keyVaultNetworkAccess`).",
        why: "AKS encrypts etcd at rest with platform keys; KMS adds envelope encryption of Secret objects with a key you control, so a copy of etcd alone does not reveal them and you can revoke the key.",
        fix: "az aks update -g <resource-group> -n <cluster> --enable-azure-keyvault-kms --azure-keyvault-kms-key-id <key-id> --azure-keyvault-kms-key-vault-network-access Private --azure-keyvault-kms-key-vault-resource-id <key-vault-id>",
        links: &["https://learn.microsoft.com/azure/aks/use-kms-etcd-encryption"],
        bad: cluster!(r#""securityProfile": {"azureKeyVaultKms": {"enabled": false}}"#),
        good: cluster!(
            r#""securityProfile": {
    "azureKeyVaultKms": {
      "enabled": true,
      "keyId": "https://kv-prod.vault.azure.net/keys/etcd/0123456789abcdef",
      "keyVaultNetworkAccess": "Private",
      "keyVaultResourceId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-prod/providers/Microsoft.KeyVault/vaults/kv-prod"
    }
  }"#
        ),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub static SETTING: Setting = Setting::on(
    At::Cluster("securityProfile.azureKeyVaultKms.enabled"),
    "KMS etcd encryption enabled",
    "KMS etcd encryption is off unless enabled; etcd is then encrypted with platform-managed keys only",
);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let mut out = SETTING.judge(&META, c).remove(0);
    if out.status == Status::Pass {
        let access = c.get("securityProfile.azureKeyVaultKms.keyVaultNetworkAccess");
        if access
            .str()
            .is_some_and(|a| a.eq_ignore_ascii_case("public"))
            || access.is_unset()
        {
            out = out.with_evidence(access.evidence("Private").with_note(
                "the key vault is reachable from public networks (Public is the default)",
            ));
        } else {
            out = out.with_evidence(access.evidence("Private"));
        }
    }
    vec![out]
}
