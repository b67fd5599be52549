//! The Azure Policy add-on (Gatekeeper) is enabled.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity};

use super::{At, Check, Ctx, Setting, checkov, policy};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z163",
    name: "aks-azure-policy-addon",
    since: "0.1.0",
    aliases: &[],
    title: "The Azure Policy add-on is enabled",
    area: Area::Aks,
    severity: Severity::Medium,
    references: &[
        policy("0a15ec92-a229-4763-bb14-0ea34a568f8d"),
        checkov("CKV_AZURE_116"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "`addonProfiles.azurepolicy.enabled` (the key may be spelled `azurePolicy`).",
        why: "The add-on runs Gatekeeper with Azure's built-in pod security and image policies, reported centrally; without it (or another admission controller) nothing stops privileged or host-namespace pods.",
        fix: "az aks enable-addons --addons azure-policy -g <resource-group> -n <cluster>",
        links: &["https://learn.microsoft.com/azure/aks/use-azure-policy"],
        bad: cluster!(r#""addonProfiles": {"azurepolicy": {"enabled": false}}"#),
        good: cluster!(r#""addonProfiles": {"azurepolicy": {"enabled": true}}"#),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub static SETTING: Setting = Setting::on(
    At::Cluster("addonProfiles.azurepolicy.enabled"),
    "Azure Policy add-on enabled",
    "add-ons are off unless enabled",
);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    SETTING.judge(&META, c)
}
