//! The retired HTTP application routing add-on is not enabled.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity};

use super::{At, Check, Ctx, Setting, checkov};
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

pub static CHECK: Check = Check::new(&META, evaluate);

pub static SETTING: Setting = Setting::off(
    At::Cluster("addonProfiles.httpApplicationRouting.enabled"),
    "HTTP application routing add-on enabled",
    "add-ons are off unless enabled",
);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    SETTING.judge(&META, c)
}
