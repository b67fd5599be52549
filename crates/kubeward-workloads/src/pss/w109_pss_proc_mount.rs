//! `procMount` (baseline, v1.0+; from v1.35 any value is allowed in a user namespace,
//! `hostUsers: false`): containers keep the default masked /proc.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity};

use super::view::str_of;
use super::{Control, PodView, Violation};
use crate::Check;

pub static META: CheckMeta = CheckMeta {
    code: "W109",
    name: "pss-proc-mount",
    since: "0.1.0",
    aliases: &[],
    title: "Pod Security: /proc stays masked",
    area: Area::Workloads,
    severity: Severity::Medium,
    references: &[RefStatic::pss("baseline/procMount")],
    profiles: &[],
    kubeward_own: false,
    doc: CheckDoc {
        what: "securityContext.procMount is unset or Default on every container (policy v1.35+: any value when the pod sets hostUsers: false).",
        why: "An Unmasked /proc exposes kernel interfaces the runtime normally hides; outside a user namespace they reach the host kernel.",
        fix: "Remove `procMount: Unmasked`. Workloads that build containers (nested runtimes) should run with `hostUsers: false` (user namespaces), which AKS supports on Kubernetes 1.33+ Linux node pools.",
        links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
        bad: pod_example!(container: ["securityContext: {procMount: Unmasked}"]),
        good: pod_example!(container: ["securityContext: {procMount: Default}"]),
    },
};

pub static CHECK: Check = Check::pod_security(Control::baseline("procMount", &META, check));

fn check(pod: &PodView<'_>, minor: u32) -> Option<Violation> {
    if minor >= 35 && pod.user_namespaced() {
        return None;
    }
    unmasked_violation(pod, "procMount")
}

/// The violation (reported under `id`) naming containers whose /proc is not masked, if any.
pub(super) fn unmasked_violation(pod: &PodView<'_>, id: &'static str) -> Option<Violation> {
    Violation::per_container_field(
        pod,
        id,
        "procMount",
        "procMount",
        |v| str_of(v).is_some_and(|m| m != "Default"),
        "must not set securityContext.procMount to a non-default value",
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::{allowed, denied, run};

    #[test]
    fn vectors() {
        allowed(
            "procMount",
            "containers: [{name: a, securityContext: {procMount: Default}}]",
            0,
        );
        let unmasked =
            "hostUsers: false\ncontainers: [{name: a, securityContext: {procMount: Unmasked}}]";
        denied("procMount", unmasked, 34);
        assert!(
            run("procMount", unmasked, 35).is_none(),
            "user namespaces relax it from v1.35"
        );
        denied(
            "procMount",
            "hostUsers: true\ncontainers: [{name: a, securityContext: {procMount: Unmasked}}]",
            35,
        );
    }
}
