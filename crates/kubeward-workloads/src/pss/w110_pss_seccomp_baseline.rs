//! `seccompProfile_baseline` (baseline): seccomp is not explicitly disabled. Up to policy v1.18
//! the alpha annotations are read; from v1.19 the `seccompProfile` fields.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity};

use super::view::str_of;
use super::{Control, PodView, Violation};
use crate::Check;

const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

pub static META: CheckMeta = CheckMeta {
    code: "W110",
    name: "pss-seccomp-baseline",
    since: "0.1.0",
    aliases: &[],
    title: "Pod Security: seccomp is not set to Unconfined",
    area: Area::Workloads,
    severity: Severity::Medium,
    references: &[RefStatic::pss("baseline/seccompProfile")],
    profiles: &[],
    kubeward_own: false,
    doc: CheckDoc {
        what: "Policy v1.19+: securityContext.seccompProfile.type (pod and containers) is unset, RuntimeDefault or Localhost. Up to v1.18: the seccomp alpha annotations are unset, runtime/default, docker/default or localhost/<profile>.",
        why: "An Unconfined seccomp profile gives the container every system call, including the ones behind most container-escape kernel bugs.",
        fix: "Set `securityContext.seccompProfile.type: RuntimeDefault` at pod level (or enable the kubelet's seccompDefault through an AKS custom node configuration). The alpha annotations stopped working in Kubernetes 1.27: use the field.",
        links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
        bad: pod_example!(spec: ["securityContext:", "  seccompProfile: {type: Unconfined}"]),
        good: pod_example!(spec: ["securityContext:", "  seccompProfile: {type: RuntimeDefault}"]),
    },
};

pub static CHECK: Check =
    Check::pod_security(Control::baseline("seccompProfile_baseline", &META, check));

fn allowed_annotation(v: &str) -> bool {
    v == "runtime/default" || v == "docker/default" || v.starts_with("localhost/")
}

pub(super) fn allowed_type(t: &str) -> bool {
    t == "RuntimeDefault" || t == "Localhost"
}

fn check(pod: &PodView<'_>, minor: u32) -> Option<Violation> {
    let mut parts = Vec::new();
    let mut pointers = Vec::new();
    if minor < 19 {
        if let Some(v) = pod.annotation(POD_ANNOTATION)
            && !allowed_annotation(v)
        {
            parts.push(format!("pod must not set {POD_ANNOTATION}={v:?}"));
            pointers.push(pod.annotation_ptr(POD_ANNOTATION));
        }
        for c in &pod.containers {
            let key = format!("{CONTAINER_ANNOTATION_PREFIX}{}", c.name);
            if let Some(v) = pod.annotation(&key)
                && !allowed_annotation(v)
            {
                parts.push(format!("container {:?} must not set {key}={v:?}", c.name));
                pointers.push(pod.annotation_ptr(&key));
            }
        }
    } else {
        if let Some(t) = str_of(pod.sc("/seccompProfile/type"))
            && !allowed_type(t)
        {
            parts.push(format!(
                "pod must not set securityContext.seccompProfile.type to {t:?}"
            ));
            pointers.push(pod.ptr("/securityContext/seccompProfile/type"));
        }
        for c in &pod.containers {
            if let Some(t) = str_of(c.sc("/seccompProfile/type"))
                && !allowed_type(t)
            {
                parts.push(format!(
                    "container {:?} must not set securityContext.seccompProfile.type to {t:?}",
                    c.name
                ));
                pointers.push(c.ptr("/securityContext/seccompProfile/type"));
            }
        }
    }
    (!parts.is_empty()).then(|| {
        Violation::new(
            "seccompProfile_baseline",
            "seccompProfile",
            parts.join(", "),
            pointers,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{
        allowed, allowed_with_annotations, denied, denied_with_annotations, run_with_annotations,
    };

    #[test]
    fn vectors() {
        let spec = "containers: [{name: a}]";
        let unconfined = "{seccomp.security.alpha.kubernetes.io/pod: unconfined}";
        denied_with_annotations("seccompProfile_baseline", spec, unconfined, 18);
        assert!(
            run_with_annotations("seccompProfile_baseline", spec, unconfined, 19).is_none(),
            "annotations are not read from v1.19"
        );
        allowed_with_annotations(
            "seccompProfile_baseline",
            spec,
            "{container.seccomp.security.alpha.kubernetes.io/a: docker/default}",
            0,
        );
        let v = denied(
            "seccompProfile_baseline",
            "containers: [{name: a, securityContext: {seccompProfile: {type: Unconfined}}}]",
            19,
        );
        assert_eq!(
            v.pointers,
            vec!["/spec/containers/0/securityContext/seccompProfile/type"]
        );
        allowed(
            "seccompProfile_baseline",
            "containers: [{name: a, securityContext: {seccompProfile: {type: Unconfined}}}]",
            18,
        );
    }
}
