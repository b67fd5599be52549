//! The Azure Policy add-on (Gatekeeper) is enabled.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity};

use super::{BoolRule, Check, Ctx, checkov, judge_bool, policy};
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

pub static CHECK: Check = Check {
    meta: &META,
    eval: evaluate,
};

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let f = c.addon(&["azurepolicy"], "enabled");
    vec![judge_bool(
        &META,
        c,
        None,
        &f,
        &BoolRule {
            want: true,
            default: false,
            default_reason: "add-ons are off unless enabled",
            what: "Azure Policy add-on enabled",
        },
    )]
}

#[cfg(test)]
mod tests {
    use super::super::testing::{cl, status};
    use super::*;
    use kubeward_core::Status;

    #[test]
    fn verdicts() {
        assert_eq!(
            status(
                evaluate,
                &cl(r#""addonProfiles":{"azurePolicy":{"enabled":true}}"#)
            ),
            Status::Pass
        );
        assert_eq!(
            status(
                evaluate,
                &cl(r#""addonProfiles":{"azurepolicy":{"enabled":false}}"#)
            ),
            Status::Fail
        );
        assert_eq!(
            status(evaluate, &cl(r#""addonProfiles":null"#)),
            Status::Fail
        );
    }
}
