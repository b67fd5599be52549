//! The Kubernetes dashboard add-on is not enabled.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity};

use super::{At, Check, Ctx, Setting, checkov};
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

pub static CHECK: Check = Check::new(&META, evaluate);

pub static SETTING: Setting = Setting::off(
    At::Cluster("addonProfiles.kubeDashboard.enabled"),
    "Kubernetes dashboard add-on enabled",
    "the dashboard add-on is retired and not installed on current clusters",
);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    SETTING.judge(&META, c)
}
