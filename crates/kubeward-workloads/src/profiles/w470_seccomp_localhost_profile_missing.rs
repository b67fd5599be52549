//! Localhost seccomp profiles referenced by pods but missing from the nodes given to the scan.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use super::localhost_missing::{self, LocalhostKind, localhost_name};
use super::{effective_seccomp, seccomp_missing_on};
use crate::Check;
use crate::ctx::Ctx;

pub static META: CheckMeta = CheckMeta {
    code: "W470",
    name: "seccomp-localhost-profile-missing",
    since: "0.1.0",
    aliases: &[],
    title: "Localhost seccomp profiles referenced by pods exist on the nodes",
    area: Area::Workloads,
    severity: Severity::High,
    references: &[RefStatic::pss("baseline/seccompProfile")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Every container whose effective seccomp profile is `Localhost`, against the Localhost profiles each node given with `--node-report` has under the kubelet's seccomp root. Without node reports the check is MANUAL: the file must be verified on every node the pod can land on.",
        why: "The kubelet does not check that the file exists: the runtime fails container creation (`CreateContainerError`, `cannot load seccomp profile`) on any node without it — typically new nodes from scale-out, upgrades or reimages.",
        fix: "Install the profile on every node before the pods that use it: a DaemonSet that writes it under `/var/lib/kubelet/seccomp/` or the Security Profiles Operator (`kubeward profiles install` prints both). Re-run `kubeward node -o json` on the nodes and pass the reports with `--node-report`.",
        links: &["https://kubernetes.io/docs/tutorials/security/seccomp/"],
        bad: deployment_example!(
            spec: [
                "securityContext:",
                "  seccompProfile: {type: Localhost, localhostProfile: profiles/strict.json}",
            ],
        ),
        good: deployment_example!(
            spec: ["securityContext:", "  seccompProfile: {type: RuntimeDefault}"],
        ),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

static KIND: LocalhostKind = LocalhostKind {
    field: "seccompProfile",
    annotation_prefix: None,
    localhost: |t, c, nodes| {
        let s = effective_seccomp(t, c, nodes);
        localhost_name(s.profile, s.pointer)
    },
    missing_on: seccomp_missing_on,
    expected_on: "present on",
    missing_note: "missing on",
    fail_message: "references a Localhost seccomp profile missing on nodes: its containers fail to start there",
    pass_message: "every Localhost seccomp profile it uses is on every node given",
    manual_message: "uses a Localhost seccomp profile: verify it exists on every node (give --node-report)",
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

    fn input(profile: &str) -> String {
        deployment(
            "d",
            "shop",
            &format!(
                "      containers: [{{name: app, image: x, securityContext: {{seccompProfile: {{type: Localhost, localhostProfile: {profile}}}}}}}]"
            ),
        )
    }

    #[test]
    fn missing_on_a_node_fails_naming_it() {
        let opts = ScanOptions {
            nodes: vec![test_node("aks-np-0", None, None)],
            ..Default::default()
        };
        let f = run_check(&input("profiles/other.json"), &opts, evaluate);
        assert_eq!(f[0].status, Status::Fail);
        assert!(
            f[0].evidence[0]
                .note
                .as_deref()
                .unwrap_or("")
                .contains("aks-np-0")
        );
    }

    #[test]
    fn present_passes_and_no_nodes_is_manual() {
        let opts = ScanOptions {
            nodes: vec![test_node("aks-np-0", None, None)],
            ..Default::default()
        };
        assert_eq!(
            run_check(&input("profiles/audit.json"), &opts, evaluate)[0].status,
            Status::Pass
        );
        assert_eq!(
            run_check(
                &input("profiles/audit.json"),
                &ScanOptions::default(),
                evaluate
            )[0]
            .status,
            Status::Manual
        );
        assert!(
            run_check(
                &deployment("d", "shop", "      containers: [{name: app, image: x}]"),
                &opts,
                evaluate
            )
            .is_empty()
        );
    }
}
