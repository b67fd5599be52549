//! Image Cleaner removes unused, vulnerable images from nodes.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity};

use super::{At, Check, Ctx, Setting, policy};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z162",
    name: "aks-image-cleaner",
    since: "0.1.0",
    aliases: &[],
    title: "Image Cleaner is enabled",
    area: Area::Aks,
    severity: Severity::Low,
    references: &[policy("af3c26b2-6fad-493e-9236-9c68928516ab")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "`securityProfile.imageCleaner.enabled`.",
        why: "Unused images with known vulnerabilities stay cached on nodes and can be started again by anyone who can create a pod (imagePullPolicy IfNotPresent); Image Cleaner (Eraser) removes them.",
        fix: "az aks update -g <resource-group> -n <cluster> --enable-image-cleaner --image-cleaner-interval-hours 168",
        links: &["https://learn.microsoft.com/azure/aks/image-cleaner"],
        bad: cluster!(r#""securityProfile": {"imageCleaner": {"enabled": false}}"#),
        good: cluster!(
            r#""securityProfile": {"imageCleaner": {"enabled": true, "intervalHours": 168}}"#
        ),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub static SETTING: Setting = Setting::on(
    At::Cluster("securityProfile.imageCleaner.enabled"),
    "Image Cleaner enabled",
    "Image Cleaner is off unless enabled with --enable-image-cleaner",
);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    SETTING.judge(&META, c)
}
