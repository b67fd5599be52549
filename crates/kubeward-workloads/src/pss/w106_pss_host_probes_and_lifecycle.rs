//! `hostProbesAndHostLifecycle` (baseline, v1.34+): probes and lifecycle hooks must not name a
//! host, so they cannot be aimed at other endpoints from the kubelet.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity};
use kubeward_inventory::Value;

use super::{Control, PodView, Violation};
use crate::Check;

pub static META: CheckMeta = CheckMeta {
    code: "W106",
    name: "pss-host-probes-and-lifecycle",
    since: "0.1.0",
    aliases: &[],
    title: "Pod Security: probes and lifecycle hooks do not set a host",
    area: Area::Workloads,
    severity: Severity::Medium,
    references: &[RefStatic::pss("baseline/hostProbesAndHostLifecycle")],
    profiles: &[],
    kubeward_own: false,
    doc: CheckDoc {
        what: "httpGet.host and tcpSocket.host are unset or empty in liveness, readiness and startup probes and in postStart/preStop lifecycle handlers (policy v1.34 and later).",
        why: "The kubelet runs probes and HTTP/TCP hooks from the node. A host field lets a pod make the kubelet connect to arbitrary addresses (node-local services, the Azure IMDS endpoint), a server-side request forgery path.",
        fix: "Remove `host:` from probes and lifecycle handlers (they then target the pod IP), or use an exec/grpc probe. Enforce with `pod-security.kubernetes.io/enforce=baseline` and `enforce-version=v1.34` or later.",
        links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
        bad: pod_example!(
            container: [
                "livenessProbe:",
                "  httpGet: {host: 169.254.169.254, path: /metadata/instance, port: 80}",
            ],
        ),
        good: pod_example!(
            container: ["livenessProbe:", "  httpGet: {path: /healthz, port: 8080}"],
        ),
    },
};

pub static CHECK: Check =
    Check::pod_security(Control::baseline("hostProbesAndHostLifecycle", &META, check).since(34));

fn check(pod: &PodView<'_>, _minor: u32) -> Option<Violation> {
    let mut parts = Vec::new();
    let mut pointers = Vec::new();
    let handlers = [
        "/livenessProbe",
        "/readinessProbe",
        "/startupProbe",
        "/lifecycle/postStart",
        "/lifecycle/preStop",
    ];
    for c in &pod.containers {
        let mut hosts = Vec::new();
        for h in handlers {
            for action in ["httpGet", "tcpSocket"] {
                let path = format!("{h}/{action}/host");
                if let Some(host) = super::view::at(c.value, &path).and_then(Value::as_str)
                    && !host.is_empty()
                {
                    hosts.push(format!("{host:?}"));
                    pointers.push(c.ptr(&path));
                }
            }
        }
        if !hosts.is_empty() {
            parts.push(format!(
                "container {:?} uses probe or lifecycle host {}",
                c.name,
                hosts.join(", ")
            ));
        }
    }
    (!parts.is_empty()).then(|| {
        Violation::new(
            "hostProbesAndHostLifecycle",
            "probe or lifecycle host",
            parts.join("; "),
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
            "hostProbesAndHostLifecycle",
            "containers: [{name: a, livenessProbe: {httpGet: {port: 80, host: \"\"}}}]",
            34,
        );
        let v = denied(
            "hostProbesAndHostLifecycle",
            "containers: [{name: a, lifecycle: {preStop: {tcpSocket: {port: 1, host: 169.254.169.254}}}}]",
            34,
        );
        assert_eq!(
            v.pointers,
            vec!["/spec/containers/0/lifecycle/preStop/tcpSocket/host"]
        );
    }
}
