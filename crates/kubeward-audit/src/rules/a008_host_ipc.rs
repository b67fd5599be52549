//! Pods and workloads that set `hostIPC: true`.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A008",
    name: "host-ipc-pod",
    since: "0.1.0",
    aliases: &[],
    title: "Pod shares the host IPC namespace",
    area: Area::Audit,
    severity: Severity::High,
    references: &[
        RefStatic::mitre("T1611"),
        ms("MS-TA9013"),
        RefStatic::pss("baseline:hostNamespaces"),
        falco("Create HostIPC Pod"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful pod or workload writes whose pod spec sets `hostIPC: true`. Pods made only of AKS images and writes by platform identities are allowlisted.",
        why: "Sharing this host namespace lets the pod read and write the shared memory of every process on the node.",
        fix: "Remove `hostIPC` from the pod template. Enforce Pod Security `baseline` on the namespace (label `pod-security.kubernetes.io/enforce=baseline`) or the matching Azure Policy built-in for AKS (host namespaces / host network and ports).",
        links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
        bad: "",
        good: "",
    },
};

pub static CHECK: Check = Check {
    meta: &META,
    needs: Needs::pod_specs(),
    on_match: Status::Fail,
    eval,
    precondition: always,
};

fn eval(v: &EventView, _: &Config) -> Option<String> {
    host_namespace_shared(v, "hostIPC")
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn fires_on_pod_and_workload() {
        assert_host_namespace_fires(&CHECK, "hostIPC");
    }

    #[test]
    fn silent_when_unset_or_aks_image() {
        assert_host_namespace_silent(&CHECK, "hostIPC");
    }
}
