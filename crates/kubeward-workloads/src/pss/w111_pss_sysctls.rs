//! `sysctls` (baseline; the allowed set grows at v1.27, v1.29 and v1.32): only namespaced,
//! isolated sysctls.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity};
use kubeward_inventory::Value;

use super::{Control, PodView, Violation};
use crate::Check;

/// (sysctl, first policy minor version that allows it).
const ALLOWED: &[(&str, u32)] = &[
    ("kernel.shm_rmid_forced", 0),
    ("net.ipv4.ip_local_port_range", 0),
    ("net.ipv4.tcp_syncookies", 0),
    ("net.ipv4.ping_group_range", 0),
    ("net.ipv4.ip_unprivileged_port_start", 0),
    ("net.ipv4.ip_local_reserved_ports", 27),
    ("net.ipv4.tcp_keepalive_time", 29),
    ("net.ipv4.tcp_fin_timeout", 29),
    ("net.ipv4.tcp_keepalive_intvl", 29),
    ("net.ipv4.tcp_keepalive_probes", 29),
    ("net.ipv4.tcp_rmem", 32),
    ("net.ipv4.tcp_wmem", 32),
];

pub static META: CheckMeta = CheckMeta {
    code: "W111",
    name: "pss-sysctls",
    since: "0.1.0",
    aliases: &[],
    title: "Pod Security: only safe sysctls",
    area: Area::Workloads,
    severity: Severity::Medium,
    references: &[RefStatic::pss("baseline/sysctls")],
    profiles: &[],
    kubeward_own: false,
    doc: CheckDoc {
        what: "spec.securityContext.sysctls names only the safe set: kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_unprivileged_port_start; from v1.27 net.ipv4.ip_local_reserved_ports; from v1.29 net.ipv4.tcp_keepalive_time, tcp_fin_timeout, tcp_keepalive_intvl, tcp_keepalive_probes; from v1.32 net.ipv4.tcp_rmem and tcp_wmem.",
        why: "Other sysctls are not isolated per pod or can exhaust node resources; setting them affects every workload on the node.",
        fix: "Remove the unsafe sysctl from the pod. If a node-wide kernel setting is needed on AKS, set it in the node pool's custom node configuration (`az aks nodepool add --linux-os-config`), not in the pod.",
        links: &[
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
            "https://learn.microsoft.com/azure/aks/custom-node-configuration",
        ],
        bad: pod_example!(
            spec: ["securityContext:", "  sysctls: [{name: net.core.somaxconn, value: \"4096\"}]"],
        ),
        good: pod_example!(
            spec: [
                "securityContext:",
                "  sysctls: [{name: net.ipv4.ip_local_port_range, value: \"1024 65000\"}]",
            ],
        ),
    },
};

pub static CHECK: Check = Check::pod_security(Control::baseline("sysctls", &META, check));

fn check(pod: &PodView<'_>, minor: u32) -> Option<Violation> {
    let mut bad = Vec::new();
    let mut pointers = Vec::new();
    let list = pod.sc("/sysctls").and_then(Value::as_array);
    for (i, s) in list.into_iter().flatten().enumerate() {
        let name = s.get("name").and_then(Value::as_str).unwrap_or("");
        if !ALLOWED
            .iter()
            .any(|(n, since)| *n == name && *since <= minor)
        {
            bad.push(name);
            pointers.push(pod.ptr(&format!("/securityContext/sysctls/{i}/name")));
        }
    }
    (!bad.is_empty())
        .then(|| Violation::new("sysctls", "forbidden sysctls", bad.join(", "), pointers))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{allowed, denied};

    #[test]
    fn vectors() {
        let rmem = "securityContext: {sysctls: [{name: net.ipv4.tcp_rmem, value: \"4096 87380 16777216\"}]}\ncontainers: [{name: a}]";
        denied("sysctls", rmem, 31);
        allowed("sysctls", rmem, 32);
        let v = denied(
            "sysctls",
            "securityContext: {sysctls: [{name: kernel.shm_rmid_forced, value: \"1\"}, {name: kernel.msgmax, value: \"1\"}]}\ncontainers: [{name: a}]",
            35,
        );
        assert_eq!(v.detail, "kernel.msgmax");
        assert_eq!(v.pointers, vec!["/spec/securityContext/sysctls/1/name"]);
    }
}
