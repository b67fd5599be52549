//! CIS AKS 1.8.0 4.2.2: minimise the admission of containers that set `hostPID`.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use super::pod_checks::{per_pod, pod_flag};
use crate::ctx::Ctx;

pub static META: CheckMeta = CheckMeta {
    code: "W421",
    name: "host-pid",
    title: "Containers do not share the host process ID namespace",
    area: Area::Workloads,
    severity: Severity::High,
    references: &[
        RefStatic::cis_aks("1.8.0", "4.2.2"),
        RefStatic::cis_aks("1.7.0", "4.2.2"),
        RefStatic::pss("baseline/hostNamespaces"),
        RefStatic::mitre("T1611"),
    ],
    profiles: &["cis-aks-1.8", "cis-aks-1.7"],
    kubeward_own: false,
    doc: CheckDoc {
        what: "`spec.hostPID` of every workload's pod template (and of bare Pods).",
        why: "With `hostPID: true` the pod's containers share the host's processes: every process on the node is visible, and with ptrace-capable settings can be inspected or signalled, including other pods' secrets in their environment.",
        fix: "Remove `hostPID: true` from the pod template. Enforce it with `kubectl label namespace NS pod-security.kubernetes.io/enforce=baseline`, or the Azure Policy built-in \"Kubernetes cluster containers should not share host process ID or host IPC namespace\" / \"should only use approved host network and port list\" through the AKS Azure Policy add-on.",
        links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
    },
};

pub fn evaluate(ctx: &Ctx<'_>) -> Vec<Finding> {
    per_pod(
        ctx,
        &META,
        |t| pod_flag(t, "hostPID"),
        "pod template sets hostPID: true",
        "hostPID is not set",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::{ScanOptions, deployment, run_check};
    use kubeward_core::Status;

    #[test]
    fn set_fails_with_field_path() {
        let input = deployment(
            "d",
            "shop",
            "      hostPID: true\n      containers: [{name: app, image: nginx}]",
        );
        let f = run_check(&input, &ScanOptions::default(), evaluate);
        assert_eq!(f[0].status, Status::Fail);
        assert_eq!(
            f[0].evidence[0].source.key.as_deref(),
            Some("/spec/template/spec/hostPID")
        );
    }

    #[test]
    fn unset_or_false_passes() {
        for spec in [
            "      containers: [{name: app, image: nginx}]",
            "      hostPID: false\n      containers: [{name: app, image: nginx}]",
        ] {
            let f = run_check(
                &deployment("d", "shop", spec),
                &ScanOptions::default(),
                evaluate,
            );
            assert_eq!(f[0].status, Status::Pass);
        }
    }
}
