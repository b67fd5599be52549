//! `az aks command invoke` (run command) is disabled.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity};

use super::{BoolRule, Check, Ctx, judge_bool, policy};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z135",
    name: "aks-run-command-disabled",
    since: "0.1.0",
    aliases: &[],
    title: "Run command (az aks command invoke) is disabled",
    area: Area::Aks,
    severity: Severity::Low,
    references: &[policy("89f2d532-c53c-4f8f-9afa-4927b1114a0d")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "`apiServerAccessProfile.disableRunCommand`.",
        why: "Run command lets anyone with the Azure permission run kubectl inside the cluster through the Azure API, around private-cluster network controls.",
        fix: "az aks update -g <resource-group> -n <cluster> --disable-run-command",
        links: &["https://learn.microsoft.com/azure/aks/access-private-cluster"],
        bad: cluster!(r#""apiServerAccessProfile": {"disableRunCommand": false}"#),
        good: cluster!(r#""apiServerAccessProfile": {"disableRunCommand": true}"#),
    },
};

pub static CHECK: Check = Check {
    meta: &META,
    eval: evaluate,
};

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let f = c.get("apiServerAccessProfile.disableRunCommand");
    vec![judge_bool(
        &META,
        c,
        None,
        &f,
        &BoolRule {
            want: true,
            default: false,
            default_reason: "run command is available unless disabled with --disable-run-command",
            what: "run command disabled",
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
                &cl(r#""apiServerAccessProfile":{"disableRunCommand":true}"#)
            ),
            Status::Pass
        );
        assert_eq!(status(evaluate, &cl("")), Status::Fail);
    }
}
