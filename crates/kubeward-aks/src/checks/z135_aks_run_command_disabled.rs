//! `az aks command invoke` (run command) is disabled.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity};

use super::{At, Check, Ctx, Setting, policy};
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

pub static CHECK: Check = Check::new(&META, evaluate);

pub static SETTING: Setting = Setting::on(
    At::Cluster("apiServerAccessProfile.disableRunCommand"),
    "run command disabled",
    "run command is available unless disabled with --disable-run-command",
);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    SETTING.judge(&META, c)
}
