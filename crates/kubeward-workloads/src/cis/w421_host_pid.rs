//! CIS AKS 1.8.0 4.2.2: minimise the admission of containers that set `hostPID`.

use kubeward_core::profile::{CIS_AKS_1_7, CIS_AKS_1_8};
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use super::pod_checks::{per_pod, pod_flag};
use crate::Check;
use crate::ctx::Ctx;

pub static META: CheckMeta = CheckMeta {
    code: "W421",
    name: "host-pid",
    since: "0.1.0",
    aliases: &[],
    title: "Containers do not share the host process ID namespace",
    area: Area::Workloads,
    severity: Severity::High,
    references: &[
        RefStatic::cis_aks("1.8.0", "4.2.2"),
        RefStatic::cis_aks("1.7.0", "4.2.2"),
        RefStatic::pss("baseline/hostNamespaces"),
        RefStatic::mitre("T1611"),
    ],
    profiles: &[CIS_AKS_1_8, CIS_AKS_1_7],
    kubeward_own: false,
    doc: CheckDoc {
        what: "`spec.hostPID` of every workload's pod template (and of bare Pods).",
        why: "With `hostPID: true` the pod's containers share the host's processes: every process on the node is visible, and with ptrace-capable settings can be inspected or signalled, including other pods' secrets in their environment.",
        fix: "Remove `hostPID: true` from the pod template. Enforce it with `kubectl label namespace NS pod-security.kubernetes.io/enforce=baseline`, or the Azure Policy built-in \"Kubernetes cluster containers should not share host process ID or host IPC namespace\" / \"should only use approved host network and port list\" through the AKS Azure Policy add-on.",
        links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
        bad: deployment_example!(spec: ["hostPID: true"]),
        good: deployment_example!(),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(ctx: &Ctx<'_>) -> Vec<Finding> {
    per_pod(
        ctx,
        &META,
        |t| pod_flag(t, "hostPID"),
        "pod template sets hostPID: true",
        "hostPID is not set",
    )
}
