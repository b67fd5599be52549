//! `procMount_restricted` (restricted, v1.35+): /proc stays masked even in a user namespace.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity};

use super::{Control, PodView, Violation};
use crate::Check;

pub static META: CheckMeta = CheckMeta {
    code: "W119",
    name: "pss-proc-mount-restricted",
    since: "0.1.0",
    aliases: &[],
    title: "Pod Security (restricted): /proc stays masked, user namespace or not",
    area: Area::Workloads,
    severity: Severity::Medium,
    references: &[RefStatic::pss("restricted/procMount")],
    profiles: &[],
    kubeward_own: false,
    doc: CheckDoc {
        what: "securityContext.procMount is unset or Default on every container, whatever hostUsers says (policy v1.35+, replacing the baseline procMount control at restricted).",
        why: "Restricted keeps the masked /proc unconditionally: the user-namespace relaxation of baseline is not extended to hardened workloads.",
        fix: "Remove `procMount: Unmasked`, or run the workload in a namespace at baseline.",
        links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted"],
        bad: pod_example!(
            spec: ["hostUsers: false"],
            container: ["securityContext: {procMount: Unmasked}"],
        ),
        good: pod_example!(
            spec: ["hostUsers: false"],
            container: ["securityContext: {procMount: Default}"],
        ),
    },
};

pub static CHECK: Check = Check::pod_security(
    Control::restricted("procMount_restricted", &META, check)
        .since(35)
        .replacing(&[("procMount", 35)]),
);

fn check(pod: &PodView<'_>, _minor: u32) -> Option<Violation> {
    super::w109_pss_proc_mount::unmasked_violation(pod, "procMount_restricted")
}

#[cfg(test)]
mod tests {
    use super::super::testing::{allowed, denied};

    #[test]
    fn vectors() {
        allowed(
            "procMount_restricted",
            "hostUsers: false\ncontainers: [{name: a}]",
            35,
        );
        denied(
            "procMount_restricted",
            "hostUsers: false\ncontainers: [{name: a, securityContext: {procMount: Unmasked}}]",
            35,
        );
    }
}
