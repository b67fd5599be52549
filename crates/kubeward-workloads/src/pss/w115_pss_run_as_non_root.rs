//! `runAsNonRoot` (restricted, v1.0+; any value in a user namespace from v1.35): the pod, or
//! every container, must set `runAsNonRoot: true`, and nothing may set it to false.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity};
use kubeward_inventory::Value;

use super::{Control, PodView, Violation, containers_phrase};
use crate::Check;

pub static META: CheckMeta = CheckMeta {
    code: "W115",
    name: "pss-run-as-non-root",
    since: "0.1.0",
    aliases: &[],
    title: "Pod Security (restricted): containers must run as non-root",
    area: Area::Workloads,
    severity: Severity::Medium,
    references: &[RefStatic::pss("restricted/runAsNonRoot")],
    profiles: &[],
    kubeward_own: false,
    doc: CheckDoc {
        what: "spec.securityContext.runAsNonRoot is true (containers may then leave it unset) or every container sets it true; no pod or container sets it false. Policy v1.35+: any value when the pod sets hostUsers: false.",
        why: "Root in a container is root on the node's kernel (without user namespaces): any escape bug starts with full privileges.",
        fix: "Set `securityContext.runAsNonRoot: true` at pod level and a non-zero `runAsUser`, and build images with a numeric non-root USER.",
        links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted"],
        bad: pod_example!(),
        good: pod_example!(spec: ["securityContext: {runAsNonRoot: true}"]),
    },
};

pub static CHECK: Check = Check::pod_security(Control::restricted("runAsNonRoot", &META, check));

fn check(pod: &PodView<'_>, minor: u32) -> Option<Violation> {
    if minor >= 35 && pod.user_namespaced() {
        return None;
    }
    let pod_value = pod.sc("/runAsNonRoot").and_then(Value::as_bool);
    let mut parts = Vec::new();
    let mut pointers = Vec::new();
    if pod_value == Some(false) {
        parts.push("pod must not set securityContext.runAsNonRoot=false".to_string());
        pointers.push(pod.ptr("/securityContext/runAsNonRoot"));
    }
    let mut explicit_false = Vec::new();
    let mut implicit = Vec::new();
    for c in &pod.containers {
        match c.sc("/runAsNonRoot").and_then(Value::as_bool) {
            Some(true) => {}
            Some(false) => {
                explicit_false.push(c.name);
                pointers.push(c.ptr("/securityContext/runAsNonRoot"));
            }
            None => {
                if pod_value != Some(true) {
                    implicit.push(c.name);
                    pointers.push(c.ptr("/securityContext/runAsNonRoot"));
                }
            }
        }
    }
    if !explicit_false.is_empty() {
        parts.push(format!(
            "{} must not set securityContext.runAsNonRoot=false",
            containers_phrase(&explicit_false)
        ));
    }
    if !implicit.is_empty() {
        parts.push(format!(
            "pod or {} must set securityContext.runAsNonRoot=true",
            containers_phrase(&implicit)
        ));
    }
    (!parts.is_empty()).then(|| {
        Violation::new(
            "runAsNonRoot",
            "runAsNonRoot != true",
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
            "runAsNonRoot",
            "securityContext: {runAsNonRoot: true}\ncontainers: [{name: a}]",
            0,
        );
        allowed(
            "runAsNonRoot",
            "containers: [{name: a, securityContext: {runAsNonRoot: true}}]",
            0,
        );
        let v = run("runAsNonRoot", "securityContext: {runAsNonRoot: true}\ncontainers: [{name: a, securityContext: {runAsNonRoot: false}}]", 0).expect("explicit false fails");
        assert_eq!(
            v.pointers,
            vec!["/spec/containers/0/securityContext/runAsNonRoot"]
        );
        assert!(
            run("runAsNonRoot", "containers: [{name: a}]", 0).is_some(),
            "unset everywhere fails"
        );
        denied(
            "runAsNonRoot",
            "hostUsers: false\ncontainers: [{name: a}]",
            34,
        );
        allowed(
            "runAsNonRoot",
            "hostUsers: false\ncontainers: [{name: a}]",
            35,
        );
    }
}
