//! The Kubernetes dashboard add-on is not enabled.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity};

use super::{BoolRule, Check, Ctx, checkov, judge_bool};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z165",
    name: "aks-dashboard-disabled",
    since: "0.1.0",
    aliases: &[],
    title: "The Kubernetes dashboard add-on is disabled",
    area: Area::Aks,
    severity: Severity::High,
    references: &[checkov("CKV_AZURE_8")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "`addonProfiles.kubeDashboard.enabled`. Absent is a pass: the add-on was retired and current clusters do not have it (Checkov fails on absence; kubeward does not).",
        why: "The dashboard add-on ran with broad permissions and has been a classic entry point (Tesla's cluster compromise).",
        fix: "az aks disable-addons --addons kube-dashboard -g <resource-group> -n <cluster>",
        links: &["https://learn.microsoft.com/azure/aks/kubernetes-dashboard"],
        bad: cluster!(r#""addonProfiles": {"kubeDashboard": {"enabled": true}}"#),
        good: cluster!(r#""addonProfiles": {"kubeDashboard": {"enabled": false}}"#),
    },
};

pub static CHECK: Check = Check {
    meta: &META,
    eval: evaluate,
};

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let f = c.addon(&["kubeDashboard"], "enabled");
    vec![judge_bool(
        &META,
        c,
        None,
        &f,
        &BoolRule {
            want: false,
            default: false,
            default_reason: "the dashboard add-on is retired and not installed on current clusters",
            what: "Kubernetes dashboard add-on enabled",
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
                &cl(r#""addonProfiles":{"kubeDashboard":{"enabled":true}}"#)
            ),
            Status::Fail
        );
        assert_eq!(
            status(
                evaluate,
                &cl(r#""addonProfiles":{"KubeDashboard":{"enabled":false}}"#)
            ),
            Status::Pass
        );
        assert_eq!(status(evaluate, &cl("")), Status::Pass);
    }
}
