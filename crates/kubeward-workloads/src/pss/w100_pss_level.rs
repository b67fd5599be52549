//! The overall verdict of a workload at the chosen level and version (W100): one finding per
//! workload, PASS when admission would allow it, FAIL naming every violated control.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use crate::Check;
use crate::ctx::Ctx;

pub static META: CheckMeta = CheckMeta {
    code: "W100",
    name: "pss-level",
    since: "0.1.0",
    aliases: &[],
    title: "Pod Security Standards: the workload is allowed at the chosen level",
    area: Area::Workloads,
    severity: Severity::High,
    references: &[RefStatic::pss("baseline"), RefStatic::pss("restricted")],
    profiles: &[],
    kubeward_own: false,
    doc: CheckDoc {
        what: "Evaluates every pod template (Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, ReplicationController, Argo Rollout) against the Pod Security Standards level and version given (`kubeward pss --level restricted --version v1.30`), exactly as the Pod Security Admission controller does: init, regular and ephemeral containers, version-specific controls, and restricted controls replacing their baseline counterparts.",
        why: "A workload that violates its namespace's enforced level is rejected at admission (Pods) or silently never gets pods (controllers: only a warning is shown when the controller itself is applied). Knowing before raising a namespace's level avoids an outage.",
        fix: "Fix each violated control (see its own finding), then enforce the level on the namespace: `kubectl label ns <ns> pod-security.kubernetes.io/enforce=restricted pod-security.kubernetes.io/enforce-version=latest`. On AKS the Azure Policy add-on's pod security initiatives can enforce the same cluster-wide.",
        links: &[
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
            "https://kubernetes.io/docs/concepts/security/pod-security-admission/",
            "https://learn.microsoft.com/azure/aks/use-psa",
        ],
        bad: pod_example!(spec: ["hostNetwork: true"]),
        good: pod_example!(
            spec: [
                "securityContext:",
                "  runAsNonRoot: true",
                "  seccompProfile: {type: RuntimeDefault}",
            ],
            container: [
                "securityContext:",
                "  allowPrivilegeEscalation: false",
                "  capabilities: {drop: [ALL]}",
            ],
        ),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

/// Pod Security over every workload at the report's fixed levels: this verdict per workload and
/// a finding per violated baseline control (see [`crate::pss_findings`]).
pub fn evaluate(ctx: &Ctx<'_>) -> Vec<Finding> {
    crate::pss_findings(ctx.inv, ctx.opts)
}
