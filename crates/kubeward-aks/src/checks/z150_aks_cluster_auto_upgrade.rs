//! The cluster follows an automatic upgrade channel.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{Check, Ctx, checkov, finding, policy};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z150",
    name: "aks-cluster-auto-upgrade",
    since: "0.1.0",
    aliases: &[],
    title: "Cluster auto-upgrade channel is set",
    area: Area::Aks,
    severity: Severity::Medium,
    references: &[
        policy("5c345cdf-2049-47e0-b8fe-b0e96bc2df35"),
        checkov("CKV_AZURE_171"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "`autoUpgradeProfile.upgradeChannel` (patch, stable, rapid or node-image; not none).",
        why: "Kubernetes patch releases carry security fixes; without a channel the cluster stays on the patch it was created with until someone upgrades it, and drifts out of support.",
        fix: "az aks update -g <resource-group> -n <cluster> --auto-upgrade-channel patch   # add a maintenance window: az aks maintenanceconfiguration add -g <resource-group> --cluster-name <cluster> -n aksManagedAutoUpgradeSchedule ...",
        links: &["https://learn.microsoft.com/azure/aks/auto-upgrade-cluster"],
        bad: cluster!(r#""autoUpgradeProfile": {"upgradeChannel": "none"}"#),
        good: cluster!(r#""autoUpgradeProfile": {"upgradeChannel": "patch"}"#),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let f = c.get("autoUpgradeProfile.upgradeChannel");
    let out = match f.str().map(str::to_ascii_lowercase).as_deref() {
        Some("patch" | "stable" | "rapid") => finding(
            &META,
            c,
            None,
            Status::Pass,
            format!("auto-upgrade channel {}", f.display()),
        ),
        Some("node-image") => finding(
            &META,
            c,
            None,
            Status::Warn,
            "auto-upgrade channel node-image: node images are upgraded, Kubernetes patch versions are not",
        ),
        Some("none") => finding(
            &META,
            c,
            None,
            Status::Fail,
            "auto-upgrade channel none: the cluster is never upgraded automatically",
        ),
        Some(other) => finding(
            &META,
            c,
            None,
            Status::Warn,
            format!("unknown auto-upgrade channel {other}"),
        ),
        None if f.is_unresolved() => finding(
            &META,
            c,
            None,
            Status::Manual,
            "upgradeChannel is an unresolved ARM expression",
        ),
        None => {
            return vec![
                finding(
                    &META,
                    c,
                    None,
                    Status::Fail,
                    "no auto-upgrade channel (not set; AKS default: none)",
                )
                .with_evidence(
                    f.evidence("patch or stable")
                        .with_note("not set: AKS does not upgrade the cluster automatically"),
                ),
            ];
        }
    };
    vec![out.with_evidence(f.evidence("patch or stable"))]
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_statuses;
    use super::*;

    #[test]
    fn verdicts() {
        assert_statuses(
            evaluate,
            &[
                (
                    r#""autoUpgradeProfile":{"upgradeChannel":"patch"}"#,
                    Status::Pass,
                ),
                (
                    r#""autoUpgradeProfile":{"upgradeChannel":"none"}"#,
                    Status::Fail,
                ),
                (
                    r#""autoUpgradeProfile":{"upgradeChannel":"node-image"}"#,
                    Status::Warn,
                ),
                (r#""autoUpgradeProfile":null"#, Status::Fail),
            ],
        );
    }
}
