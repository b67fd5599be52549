//! `hostPorts` (baseline, v1.0+): no container port is bound on the node.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity};
use kubeward_inventory::Value;

use super::{Control, PodView, Violation};
use crate::Check;

pub static META: CheckMeta = CheckMeta {
    code: "W105",
    name: "pss-host-ports",
    since: "0.1.0",
    aliases: &[],
    title: "Pod Security: no host ports",
    area: Area::Workloads,
    severity: Severity::Medium,
    references: &[RefStatic::pss("baseline/hostPorts")],
    profiles: &[],
    kubeward_own: false,
    doc: CheckDoc {
        what: "ports[*].hostPort is unset or 0 on every container.",
        why: "A hostPort opens the port on the node's address, bypassing Services and most NetworkPolicy setups, and exposes the pod wherever the node is reachable.",
        fix: "Remove hostPort and expose the pod through a Service (ClusterIP, or an internal LoadBalancer on AKS). Enforce `pod-security.kubernetes.io/enforce=baseline` on the namespace.",
        links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
        bad: pod_example!(container: ["ports: [{containerPort: 8080, hostPort: 8080}]"]),
        good: pod_example!(container: ["ports: [{containerPort: 8080}]"]),
    },
};

pub static CHECK: Check = Check::pod_security(Control::baseline("hostPorts", &META, check));

fn check(pod: &PodView<'_>, _minor: u32) -> Option<Violation> {
    let mut parts = Vec::new();
    let mut pointers = Vec::new();
    for c in &pod.containers {
        let mut ports = Vec::new();
        for (i, p) in c
            .value
            .get("ports")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            match p.get("hostPort") {
                None | Some(Value::Null) => {}
                Some(v) if v.as_i64() == Some(0) => {}
                Some(v) => {
                    ports.push(v.to_string());
                    pointers.push(c.ptr(&format!("/ports/{i}/hostPort")));
                }
            }
        }
        if !ports.is_empty() {
            parts.push(format!(
                "container {:?} uses hostPort {}",
                c.name,
                ports.join(", ")
            ));
        }
    }
    (!parts.is_empty()).then(|| Violation::new("hostPorts", "hostPort", parts.join("; "), pointers))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{allowed, denied};

    #[test]
    fn vectors() {
        allowed(
            "hostPorts",
            "containers: [{name: a, ports: [{containerPort: 80, hostPort: 0}]}]",
            35,
        );
        let v = denied(
            "hostPorts",
            "containers: [{name: a, ports: [{containerPort: 80}, {containerPort: 81, hostPort: 8081}]}]",
            0,
        );
        assert_eq!(v.pointers, vec!["/spec/containers/0/ports/1/hostPort"]);
        assert_eq!(v.detail, "container \"a\" uses hostPort 8081");
    }
}
