//! The retired HTTP application routing add-on is not enabled.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity};

use super::{BoolRule, Check, Ctx, checkov, judge_bool};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z166",
    name: "aks-http-application-routing-disabled",
    since: "0.1.0",
    aliases: &[],
    title: "HTTP application routing add-on is disabled",
    area: Area::Aks,
    severity: Severity::Medium,
    references: &[checkov("CKV_AZURE_246")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "`addonProfiles.httpApplicationRouting.enabled`.",
        why: "The add-on was built for dev/test: it publishes services on a public DNS zone over plain HTTP, and it is retired (no more fixes).",
        fix: "az aks disable-addons --addons http_application_routing -g <resource-group> -n <cluster>   # use the application routing add-on instead: az aks approuting enable -g <resource-group> -n <cluster>",
        links: &["https://learn.microsoft.com/azure/aks/app-routing"],
        bad: cluster!(r#""addonProfiles": {"httpApplicationRouting": {"enabled": true}}"#),
        good: cluster!(r#""addonProfiles": {"httpApplicationRouting": {"enabled": false}}"#),
    },
};

pub static CHECK: Check = Check {
    meta: &META,
    eval: evaluate,
};

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let f = c.addon(&["httpApplicationRouting"], "enabled");
    vec![judge_bool(
        &META,
        c,
        None,
        &f,
        &BoolRule {
            want: false,
            default: false,
            default_reason: "add-ons are off unless enabled",
            what: "HTTP application routing add-on enabled",
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
                &cl(r#""addonProfiles":{"httpApplicationRouting":{"enabled":true}}"#)
            ),
            Status::Fail
        );
        assert_eq!(status(evaluate, &cl("")), Status::Pass);
    }
}
