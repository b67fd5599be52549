//! `hostNamespaces` (baseline, v1.0+): the pod must not share the node's network, PID or IPC
//! namespace.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity};
use kubeward_inventory::Value;

use super::{Control, PodView, Violation};
use crate::Check;

pub static META: CheckMeta = CheckMeta {
    code: "W101",
    name: "pss-host-namespaces",
    since: "0.1.0",
    aliases: &[],
    title: "Pod Security: host namespaces are not shared",
    area: Area::Workloads,
    severity: Severity::High,
    references: &[RefStatic::pss("baseline/hostNamespaces")],
    profiles: &[],
    kubeward_own: false,
    doc: CheckDoc {
        what: "spec.hostNetwork, spec.hostPID and spec.hostIPC are unset or false.",
        why: "A pod in the node's network namespace can reach node-local services (kubelet, IMDS on AKS) and sniff traffic; in the PID namespace it sees and signals every process on the node; in the IPC namespace it reads shared memory of other workloads.",
        fix: "Remove hostNetwork/hostPID/hostIPC from the pod template. Node agents that truly need them belong in a dedicated namespace labelled `pod-security.kubernetes.io/enforce=privileged`; everywhere else enforce `kubectl label ns <ns> pod-security.kubernetes.io/enforce=baseline` (or the AKS Azure Policy baseline initiative).",
        links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
        bad: pod_example!(spec: ["hostNetwork: true"]),
        good: pod_example!(),
    },
};

pub static CHECK: Check = Check::pod_security(Control::baseline("hostNamespaces", &META, check));

fn check(pod: &PodView<'_>, _minor: u32) -> Option<Violation> {
    let mut set = Vec::new();
    let mut pointers = Vec::new();
    for field in ["hostNetwork", "hostPID", "hostIPC"] {
        if pod.spec.get(field).and_then(Value::as_bool) == Some(true) {
            set.push(format!("{field}=true"));
            pointers.push(pod.ptr(&format!("/{field}")));
        }
    }
    (!set.is_empty()).then(|| {
        Violation::new(
            "hostNamespaces",
            "host namespaces",
            set.join(", "),
            pointers,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{allowed, denied};

    #[test]
    fn vectors() {
        allowed(
            "hostNamespaces",
            "containers: [{name: a}]\nhostNetwork: false",
            35,
        );
        let v = denied(
            "hostNamespaces",
            "containers: [{name: a}]\nhostPID: true\nhostIPC: true",
            0,
        );
        assert_eq!(v.detail, "hostPID=true, hostIPC=true");
        assert_eq!(v.pointers, vec!["/spec/hostPID", "/spec/hostIPC"]);
    }
}
