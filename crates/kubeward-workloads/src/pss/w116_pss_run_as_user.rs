//! `runAsUser` (restricted, v1.23+; any value in a user namespace from v1.35): no UID 0.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity};
use kubeward_inventory::Value;

use super::{Control, PodView, Violation, containers_phrase};
use crate::Check;

pub static META: CheckMeta = CheckMeta {
    code: "W116",
    name: "pss-run-as-user",
    since: "0.1.0",
    aliases: &[],
    title: "Pod Security (restricted): runAsUser is not 0",
    area: Area::Workloads,
    severity: Severity::Medium,
    references: &[RefStatic::pss("restricted/runAsUser")],
    profiles: &[],
    kubeward_own: false,
    doc: CheckDoc {
        what: "securityContext.runAsUser is unset or non-zero on the pod and on every container (policy v1.23+; any value when hostUsers: false from v1.35).",
        why: "runAsUser: 0 runs the container as root even when the image declares another user.",
        fix: "Set `runAsUser` to a non-zero UID (e.g. 10001) or remove it and rely on the image's non-root USER with `runAsNonRoot: true`.",
        links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted"],
        bad: pod_example!(
            spec: ["securityContext: {runAsNonRoot: true}"],
            container: ["securityContext: {runAsUser: 0}"],
        ),
        good: pod_example!(
            spec: ["securityContext: {runAsNonRoot: true}"],
            container: ["securityContext: {runAsUser: 10001}"],
        ),
    },
};

pub static CHECK: Check =
    Check::pod_security(Control::restricted("runAsUser", &META, check).since(23));

fn check(pod: &PodView<'_>, minor: u32) -> Option<Violation> {
    if minor >= 35 && pod.user_namespaced() {
        return None;
    }
    let is_root = |v: Option<&Value>| v.and_then(Value::as_i64) == Some(0);
    let mut parts = Vec::new();
    let mut pointers = Vec::new();
    if is_root(pod.sc("/runAsUser")) {
        parts.push("pod must not set runAsUser=0".to_string());
        pointers.push(pod.ptr("/securityContext/runAsUser"));
    }
    let mut names = Vec::new();
    for c in &pod.containers {
        if is_root(c.sc("/runAsUser")) {
            names.push(c.name);
            pointers.push(c.ptr("/securityContext/runAsUser"));
        }
    }
    if !names.is_empty() {
        parts.push(format!(
            "{} must not set runAsUser=0",
            containers_phrase(&names)
        ));
    }
    (!parts.is_empty())
        .then(|| Violation::new("runAsUser", "runAsUser=0", parts.join("; "), pointers))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{allowed, denied};

    #[test]
    fn vectors() {
        allowed(
            "runAsUser",
            "securityContext: {runAsUser: 1000}\ncontainers: [{name: a}]",
            23,
        );
        let v = denied(
            "runAsUser",
            "containers: [{name: a, securityContext: {runAsUser: 0}}]",
            23,
        );
        assert_eq!(
            v.pointers,
            vec!["/spec/containers/0/securityContext/runAsUser"]
        );
        allowed(
            "runAsUser",
            "hostUsers: false\nsecurityContext: {runAsUser: 0}\ncontainers: [{name: a}]",
            35,
        );
    }
}
