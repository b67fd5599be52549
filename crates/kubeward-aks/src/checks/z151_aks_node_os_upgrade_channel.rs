//! Node OS security updates are applied automatically.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{Check, Ctx, finding, policy};
use crate::model::{Cluster, Format, lookup};

pub static META: CheckMeta = CheckMeta {
    code: "Z151",
    name: "aks-node-os-upgrade-channel",
    since: "0.1.0",
    aliases: &[],
    title: "Node OS upgrade channel applies security updates",
    area: Area::Aks,
    severity: Severity::Medium,
    references: &[policy("04408ca5-aa10-42ce-8536-98955cdddd4c")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "`autoUpgradeProfile.nodeOsUpgradeChannel` (SecurityPatch or NodeImage), or the cluster channel node-image. Not set in an ARM template of API version 2023-06-01 or later: AKS's default for a new cluster, NodeImage; otherwise the default depends on the API version, so kubeward warns.",
        why: "Node OS CVEs (kernel, containerd, runc) are fixed by new node images or security patches; with None nothing is applied, with Unmanaged packages update but the kernel is not rebooted into and nodes drift from the image AKS tests.",
        fix: "az aks update -g <resource-group> -n <cluster> --node-os-upgrade-channel SecurityPatch",
        links: &["https://learn.microsoft.com/azure/aks/auto-upgrade-node-os-image"],
        bad: cluster!(
            r#""autoUpgradeProfile": {"upgradeChannel": "patch", "nodeOsUpgradeChannel": "None"}"#
        ),
        good: cluster!(
            r#""autoUpgradeProfile": {"upgradeChannel": "patch", "nodeOsUpgradeChannel": "NodeImage"}"#
        ),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let f = c.get("autoUpgradeProfile.nodeOsUpgradeChannel");
    let cluster_channel = c.get("autoUpgradeProfile.upgradeChannel");
    let out = match f.str().map(str::to_ascii_lowercase).as_deref() {
        Some("securitypatch" | "nodeimage") => finding(
            &META,
            c,
            None,
            Status::Pass,
            format!("node OS upgrade channel {}", f.display()),
        ),
        Some("unmanaged") => finding(
            &META,
            c,
            None,
            Status::Warn,
            "node OS upgrade channel Unmanaged: OS packages update in place, without reboots or node image refreshes",
        ),
        Some("none") => finding(
            &META,
            c,
            None,
            Status::Fail,
            "node OS upgrade channel None: node OS security updates are not applied",
        ),
        Some(other) => finding(
            &META,
            c,
            None,
            Status::Warn,
            format!("unknown node OS upgrade channel {other}"),
        ),
        None if f.is_unresolved() => finding(
            &META,
            c,
            None,
            Status::Manual,
            "nodeOsUpgradeChannel is an unresolved ARM expression",
        ),
        None if cluster_channel
            .str()
            .is_some_and(|s| s.eq_ignore_ascii_case("node-image")) =>
        {
            finding(
                &META,
                c,
                None,
                Status::Pass,
                "cluster auto-upgrade channel node-image upgrades the node images",
            )
        }
        None if template_defaults_to_node_image(c) => {
            let api = template_api_version(c).unwrap_or_default();
            return vec![
                finding(
                    &META,
                    c,
                    None,
                    Status::Pass,
                    format!("node OS upgrade channel not set: a cluster this template creates (API {api}) gets AKS's default NodeImage"),
                )
                .with_evidence(f.evidence("SecurityPatch or NodeImage").with_note(
                    "not set: since API version 2023-06-01 new clusters default to NodeImage; an existing cluster keeps its channel",
                )),
            ];
        }
        None => {
            return vec![finding(&META, c, None, Status::Warn,
                "node OS upgrade channel not set: the AKS default depends on the API version that created the cluster (NodeImage on current versions, Unmanaged on older ones); check `az aks show`")
                .with_evidence(f.evidence("SecurityPatch or NodeImage").with_note("not set in this file"))];
        }
    };
    vec![out.with_evidence(f.evidence("SecurityPatch or NodeImage"))]
}

/// The `apiVersion` of the template resource the cluster came from.
fn template_api_version(c: &Cluster) -> Option<&str> {
    if c.file.format != Format::ArmTemplate {
        return None;
    }
    lookup(&c.root, &c.root_path, "apiVersion", &c.file).str()
}

/// New clusters default to NodeImage from API version 2023-06-01 (ISO dates compare as text).
fn template_defaults_to_node_image(c: &Cluster) -> bool {
    template_api_version(c).is_some_and(|v| v.get(..10).is_some_and(|d| d >= "2023-06-01"))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{assert_statuses, status};
    use super::*;

    #[test]
    fn verdicts() {
        assert_statuses(
            evaluate,
            &[
                (
                    r#""autoUpgradeProfile":{"nodeOSUpgradeChannel":"SecurityPatch"}"#,
                    Status::Pass,
                ),
                (
                    r#""autoUpgradeProfile":{"nodeOsUpgradeChannel":"Unmanaged"}"#,
                    Status::Warn,
                ),
                (
                    r#""autoUpgradeProfile":{"nodeOsUpgradeChannel":"None"}"#,
                    Status::Fail,
                ),
                (
                    r#""autoUpgradeProfile":{"upgradeChannel":"node-image"}"#,
                    Status::Pass,
                ),
                ("", Status::Warn),
            ],
        );
    }

    fn template(api: &str) -> String {
        format!(
            r#"{{"resources":[{{"type":"Microsoft.ContainerService/managedClusters","apiVersion":"{api}","name":"t","properties":{{"kubernetesVersion":"1.34","agentPoolProfiles":[]}}}}]}}"#
        )
    }

    #[test]
    fn a_template_without_the_channel_gets_the_api_versions_default() {
        // Since API 2023-06-01 a new cluster's node OS channel defaults to NodeImage; before, Unmanaged.
        assert_eq!(status(evaluate, &template("2024-05-01")), Status::Pass);
        assert_eq!(status(evaluate, &template("2023-06-01")), Status::Pass);
        assert_eq!(status(evaluate, &template("2023-05-01")), Status::Warn);
        assert_eq!(
            status(evaluate, &template("[variables('api')]")),
            Status::Warn
        );
    }
}
