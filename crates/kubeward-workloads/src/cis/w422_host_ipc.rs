//! CIS AKS 1.8.0 4.2.3: minimise the admission of containers that set `hostIPC`.

use kubeward_core::profile::{CIS_AKS_1_7, CIS_AKS_1_8};
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use super::pod_checks::{per_pod, pod_flag};
use crate::Check;
use crate::ctx::Ctx;

pub static META: CheckMeta = CheckMeta {
    code: "W422",
    name: "host-ipc",
    since: "0.1.0",
    aliases: &[],
    title: "Containers do not share the host IPC namespace",
    area: Area::Workloads,
    severity: Severity::High,
    references: &[
        RefStatic::cis_aks("1.8.0", "4.2.3"),
        RefStatic::cis_aks("1.7.0", "4.2.3"),
        RefStatic::pss("baseline/hostNamespaces"),
        RefStatic::mitre("T1611"),
    ],
    profiles: &[CIS_AKS_1_8, CIS_AKS_1_7],
    kubeward_own: false,
    doc: CheckDoc {
        what: "`spec.hostIPC` of every workload's pod template (and of bare Pods).",
        why: "With `hostIPC: true` the pod's containers share the host's IPC namespace: shared memory and message queues of host processes and of other host-IPC pods can be read and written.",
        fix: "Remove `hostIPC: true` from the pod template. Enforce it with `kubectl label namespace NS pod-security.kubernetes.io/enforce=baseline`, or the Azure Policy built-in \"Kubernetes cluster containers should not share host process ID or host IPC namespace\" / \"should only use approved host network and port list\" through the AKS Azure Policy add-on.",
        links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
        bad: deployment_example!(spec: ["hostIPC: true"]),
        good: deployment_example!(),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(ctx: &Ctx<'_>) -> Vec<Finding> {
    per_pod(
        ctx,
        &META,
        |t| pod_flag(t, "hostIPC"),
        "pod template sets hostIPC: true",
        "hostIPC is not set",
    )
}
