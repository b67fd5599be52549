//! Localhost AppArmor profiles referenced by pods but not loaded on the nodes given to the scan.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use super::localhost_missing::{self, LocalhostKind, localhost_name};
use super::{apparmor_missing_on, effective_apparmor};
use crate::Check;
use crate::ctx::Ctx;

pub static META: CheckMeta = CheckMeta {
    code: "W471",
    name: "apparmor-localhost-profile-missing",
    since: "0.1.0",
    aliases: &[],
    title: "Localhost AppArmor profiles referenced by pods are loaded on the nodes",
    area: Area::Workloads,
    severity: Severity::High,
    references: &[RefStatic::pss("baseline/appArmorProfile")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Every container whose AppArmor profile (container field, container annotation or pod field) is `Localhost`, against the profiles loaded on each node given with `--node-report`. Without node reports the check is MANUAL.",
        why: "Since Kubernetes 1.24 the kubelet no longer checks that the profile is loaded: containerd fails container creation (`apparmor profile not found`) on nodes without it. AppArmor profiles live in the kernel, so a rebooted, reimaged or new node has none of the custom ones.",
        fix: "Load the profile on every node with a DaemonSet (`apparmor_parser -r`) or the Security Profiles Operator (`kubeward profiles install` prints both), then re-run `kubeward node -o json` and pass the reports with `--node-report`.",
        links: &["https://kubernetes.io/docs/tutorials/security/apparmor/"],
        bad: deployment_example!(
            container: [
                "securityContext:",
                "  appArmorProfile: {type: Localhost, localhostProfile: k8s-custom}",
            ],
        ),
        good: deployment_example!(
            container: ["securityContext:", "  appArmorProfile: {type: RuntimeDefault}"],
        ),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

static KIND: LocalhostKind = LocalhostKind {
    field: "appArmorProfile",
    annotation_prefix: Some(super::APPARMOR_ANNOTATION_PREFIX),
    localhost: |t, c, nodes| {
        let a = effective_apparmor(t, c, nodes);
        localhost_name(a.requested, a.pointer)
    },
    missing_on: apparmor_missing_on,
    expected_on: "loaded on",
    missing_note: "not loaded on",
    fail_message: "references an AppArmor profile not loaded on nodes: its containers fail to start there",
    pass_message: "every Localhost AppArmor profile it uses is loaded on every node given",
    manual_message: "uses a Localhost AppArmor profile: verify it is loaded on every node (give --node-report)",
};

pub fn evaluate(ctx: &Ctx<'_>) -> Vec<Finding> {
    localhost_missing::evaluate(ctx, &META, &KIND)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::{ScanOptions, deployment, run_check};
    use crate::profiles::test_node;
    use kubeward_core::Status;

    #[test]
    fn annotation_profile_missing_on_node_fails() {
        let yaml = deployment("d", "shop", "      containers: [{name: app, image: x}]").replace(
            "metadata: {labels: {app: d}}",
            "metadata: {labels: {app: d}, annotations: {container.apparmor.security.beta.kubernetes.io/app: localhost/custom-nginx}}",
        );
        let opts = ScanOptions {
            nodes: vec![test_node("n1", None, Some(true))],
            ..Default::default()
        };
        let f = run_check(&yaml, &opts, evaluate);
        assert_eq!(f[0].status, Status::Fail);
        assert!(f[0].message.contains("not loaded"));
    }

    #[test]
    fn loaded_profile_passes_and_without_nodes_is_manual() {
        let yaml = deployment(
            "d",
            "shop",
            "      containers: [{name: app, image: x, securityContext: {appArmorProfile: {type: Localhost, localhostProfile: k8s-deny-write}}}]",
        );
        let opts = ScanOptions {
            nodes: vec![test_node("n1", None, Some(true))],
            ..Default::default()
        };
        assert_eq!(run_check(&yaml, &opts, evaluate)[0].status, Status::Pass);
        assert_eq!(
            run_check(&yaml, &ScanOptions::default(), evaluate)[0].status,
            Status::Manual
        );
    }
}
