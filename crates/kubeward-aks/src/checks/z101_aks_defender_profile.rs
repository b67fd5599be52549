//! CIS AKS 5.1.1: Microsoft Defender for Containers runs on the cluster.

use kubeward_core::profile::CIS_AKS_1_8;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity};

use super::{At, Check, Ctx, Setting, cis, policy};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z101",
    name: "aks-defender-profile",
    since: "0.1.0",
    aliases: &[],
    title: "Microsoft Defender for Containers profile is enabled",
    area: Area::Aks,
    severity: Severity::Medium,
    references: &[cis("5.1.1"), policy("a1840de2-8088-4ea8-b153-b4c723e9cb01")],
    profiles: &[CIS_AKS_1_8],
    kubeward_own: false,
    doc: CheckDoc {
        what: "`securityProfile.defender.securityMonitoring.enabled` in the cluster configuration.",
        why: "The Defender sensor gives runtime threat detection and, with the Containers plan, vulnerability assessment of the images the cluster runs (CIS 5.1.1). The subscription's Defender plan (`az security pricing show -n Containers`) must be Standard as well; that is not in the cluster JSON.",
        fix: "az aks update -g <resource-group> -n <cluster> --enable-defender --defender-config <defender-config.json>   # and: az security pricing create -n Containers --tier standard",
        links: &[
            "https://learn.microsoft.com/azure/defender-for-cloud/defender-for-containers-enable",
        ],
        bad: cluster!(
            r#""securityProfile": {"defender": {"securityMonitoring": {"enabled": false}}}"#
        ),
        good: cluster!(
            r#""securityProfile": {
    "defender": {
      "logAnalyticsWorkspaceResourceId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ops/providers/Microsoft.OperationalInsights/workspaces/law-prod",
      "securityMonitoring": {"enabled": true}
    }
  }"#
        ),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub static SETTING: Setting = Setting::on(
    At::Cluster("securityProfile.defender.securityMonitoring.enabled"),
    "Defender security monitoring enabled",
    "AKS deploys the Defender profile only when it is enabled on the cluster (or by the Defender for Cloud auto-provisioning policy, which then sets this field)",
);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    SETTING.judge(&META, c)
}
