//! Image Cleaner removes unused, vulnerable images from nodes.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity};

use super::{BoolRule, Check, Ctx, judge_bool, policy};
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

pub static CHECK: Check = Check {
    meta: &META,
    eval: evaluate,
};

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let f = c.get("securityProfile.imageCleaner.enabled");
    vec![judge_bool(
        &META,
        c,
        None,
        &f,
        &BoolRule {
            want: true,
            default: false,
            default_reason: "Image Cleaner is off unless enabled with --enable-image-cleaner",
            what: "Image Cleaner enabled",
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
                &cl(r#""securityProfile":{"imageCleaner":{"enabled":true,"intervalHours":168}}"#)
            ),
            Status::Pass
        );
        assert_eq!(status(evaluate, &cl("")), Status::Fail);
    }
}
