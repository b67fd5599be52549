//! `seccompProfile_restricted` (restricted, v1.19+; Windows pods exempt from v1.25): a seccomp
//! profile must be set, at pod level or on every container, and never Unconfined. Replaces
//! `seccompProfile_baseline` at restricted.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity};

use super::view::str_of;
use super::w110_pss_seccomp_baseline::allowed_type;
use super::{Control, PodView, Violation, containers_phrase};
use crate::Check;

pub static META: CheckMeta = CheckMeta {
    code: "W117",
    name: "pss-seccomp-restricted",
    since: "0.1.0",
    aliases: &[],
    title: "Pod Security (restricted): a seccomp profile is set",
    area: Area::Workloads,
    severity: Severity::Medium,
    references: &[RefStatic::pss("restricted/seccompProfile")],
    profiles: &[],
    kubeward_own: false,
    doc: CheckDoc {
        what: "securityContext.seccompProfile.type is RuntimeDefault or Localhost at pod level, or on every container; Unconfined is set nowhere (policy v1.19+; pods with spec.os.name: windows are exempt from v1.25).",
        why: "Without a profile the container runs Unconfined unless the kubelet's seccompDefault is on; every system call then reaches the kernel.",
        fix: "Set `spec.securityContext.seccompProfile.type: RuntimeDefault` in the pod template.",
        links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted"],
        bad: pod_example!(),
        good: pod_example!(spec: ["securityContext:", "  seccompProfile: {type: RuntimeDefault}"]),
    },
};

pub static CHECK: Check = Check::pod_security(
    Control::restricted("seccompProfile_restricted", &META, check)
        .since(19)
        .replacing(&[("seccompProfile_baseline", 19)]),
);

fn check(pod: &PodView<'_>, minor: u32) -> Option<Violation> {
    if minor >= 25 && pod.is_windows() {
        return None;
    }
    let pod_type = str_of(pod.sc("/seccompProfile/type"));
    let pod_ok = pod_type.is_some_and(allowed_type);
    let mut parts = Vec::new();
    let mut pointers = Vec::new();
    if let Some(t) = pod_type
        && !allowed_type(t)
    {
        parts.push(format!(
            "pod must not set securityContext.seccompProfile.type to {t:?}"
        ));
        pointers.push(pod.ptr("/securityContext/seccompProfile/type"));
    }
    let mut bad = Vec::new();
    let mut unset = Vec::new();
    for c in &pod.containers {
        match str_of(c.sc("/seccompProfile/type")) {
            Some(t) if allowed_type(t) => {}
            Some(t) => {
                bad.push(format!(
                    "container {:?} must not set securityContext.seccompProfile.type to {t:?}",
                    c.name
                ));
                pointers.push(c.ptr("/securityContext/seccompProfile/type"));
            }
            None if !pod_ok => {
                unset.push(c.name);
                pointers.push(c.ptr("/securityContext/seccompProfile/type"));
            }
            None => {}
        }
    }
    parts.extend(bad);
    if !unset.is_empty() {
        parts.push(format!(
            "pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
            containers_phrase(&unset)
        ));
    }
    (!parts.is_empty()).then(|| {
        Violation::new(
            "seccompProfile_restricted",
            "seccompProfile",
            parts.join("; "),
            pointers,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{allowed, denied, run};

    #[test]
    fn vectors() {
        allowed(
            "seccompProfile_restricted",
            "securityContext: {seccompProfile: {type: RuntimeDefault}}\ncontainers: [{name: a}]",
            19,
        );
        allowed(
            "seccompProfile_restricted",
            "containers: [{name: a, securityContext: {seccompProfile: {type: Localhost, localhostProfile: p.json}}}]",
            19,
        );
        let v = run("seccompProfile_restricted", "initContainers: [{name: i}]\ncontainers: [{name: a, securityContext: {seccompProfile: {type: RuntimeDefault}}}]", 19).expect("the init container has none");
        assert_eq!(
            v.pointers,
            vec!["/spec/initContainers/0/securityContext/seccompProfile/type"]
        );
        denied(
            "seccompProfile_restricted",
            "securityContext: {seccompProfile: {type: RuntimeDefault}}\ncontainers: [{name: a, securityContext: {seccompProfile: {type: Unconfined}}}]",
            19,
        );
        allowed(
            "seccompProfile_restricted",
            "os: {name: windows}\ncontainers: [{name: a}]",
            25,
        );
    }
}
