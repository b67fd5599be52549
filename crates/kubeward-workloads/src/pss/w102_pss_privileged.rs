//! `privileged` (baseline, v1.0+): no container runs privileged.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity};
use kubeward_inventory::Value;

use super::{Control, PodView, Violation};
use crate::Check;

pub static META: CheckMeta = CheckMeta {
    code: "W102",
    name: "pss-privileged",
    since: "0.1.0",
    aliases: &[],
    title: "Pod Security: no privileged containers",
    area: Area::Workloads,
    severity: Severity::Critical,
    references: &[RefStatic::pss("baseline/privileged")],
    profiles: &[],
    kubeward_own: false,
    doc: CheckDoc {
        what: "securityContext.privileged is unset or false on every init, regular and ephemeral container.",
        why: "A privileged container has every capability and all host devices, with no seccomp or AppArmor confinement: it is root on the node and can take over the AKS node and the kubelet's credentials.",
        fix: "Set `securityContext.privileged: false` (or remove it) and grant only the specific capability needed. Enforce with `kubectl label ns <ns> pod-security.kubernetes.io/enforce=baseline`.",
        links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
        bad: pod_example!(container: ["securityContext: {privileged: true}"]),
        good: pod_example!(container: ["securityContext: {privileged: false}"]),
    },
};

pub static CHECK: Check = Check::pod_security(Control::baseline("privileged", &META, check));

fn check(pod: &PodView<'_>, _minor: u32) -> Option<Violation> {
    Violation::per_container_field(
        pod,
        "privileged",
        "privileged",
        "privileged",
        |v| v.and_then(Value::as_bool) == Some(true),
        "must not set securityContext.privileged=true",
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::{allowed, denied, run};

    #[test]
    fn vectors() {
        allowed(
            "privileged",
            "containers: [{name: a, securityContext: {privileged: false}}]",
            35,
        );
        let v = run("privileged", "initContainers: [{name: i, securityContext: {privileged: true}}]\ncontainers: [{name: a}]", 0).expect("init containers count");
        assert_eq!(
            v.pointers,
            vec!["/spec/initContainers/0/securityContext/privileged"]
        );
        assert!(v.detail.contains("container \"i\""));
        denied(
            "privileged",
            "containers: [{name: a}]\nephemeralContainers: [{name: e, securityContext: {privileged: true}}]",
            35,
        );
    }
}
