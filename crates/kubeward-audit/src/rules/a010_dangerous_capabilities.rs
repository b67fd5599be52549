//! Containers that add dangerous Linux capabilities.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use kubeward_inventory::capabilities::dangerous_in_pod;

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A010",
    name: "dangerous-capabilities",
    since: "0.1.0",
    aliases: &[],
    title: "Container adds a dangerous Linux capability",
    area: Area::Audit,
    severity: Severity::High,
    references: &[
        RefStatic::mitre("T1611"),
        ms("MS-TA9036"),
        RefStatic::pss("baseline:capabilities"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful pod or workload writes whose containers add a capability that reaches the host (SYS_ADMIN, SYS_MODULE, SYS_RAWIO, SYS_PTRACE, SYS_BOOT, DAC_READ_SEARCH, MAC_ADMIN, MAC_OVERRIDE, BPF, PERFMON), controls the node's network (NET_ADMIN, NET_RAW) or ALL in `securityContext.capabilities.add`.",
        why: "Each of these breaks container isolation: mounting filesystems, loading kernel modules, tracing other processes, reading any file, spoofing traffic (ARP poisoning).",
        fix: "Drop ALL capabilities and add back only what the application needs (usually NET_BIND_SERVICE). Enforce Pod Security `baseline`/`restricted` or the Azure Policy built-in 'Kubernetes cluster containers should only use allowed capabilities'.",
        links: &[
            "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container",
        ],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c0013-3c1e-4b7a-9d2e-8a61c0d20013", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/pods", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "pods", "namespace": "shop", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"containers": [{"name": "web", "image": "contosoacr.azurecr.io/shop/web:1.4.2", "securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}}}]}}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c0014-3c1e-4b7a-9d2e-8a61c0d20014", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/pods", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "pods", "namespace": "shop", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"containers": [{"name": "web", "image": "contosoacr.azurecr.io/shop/web:1.4.2", "securityContext": {"capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}}}]}}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::pod_specs(), Status::Fail, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    let spec = written_pod_spec(v)?;
    let bad = offending_containers(spec, |c| {
        c.pointer("/securityContext/capabilities/add")
            .and_then(|a| a.as_array())
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_str())
            .any(dangerous_in_pod)
    });
    containers_detail(v, "dangerous capabilities in ", &bad)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn fires_on_sys_admin() {
        assert!(fires(
            &CHECK,
            pod(
                json!({"containers": [{"name": "x", "image": "alpine", "securityContext": {"capabilities": {"add": ["CAP_SYS_ADMIN"]}}}]})
            )
        ));
    }

    /// The shared capability vocabulary adds raw I/O, reboot and MAC policy to the list, in any
    /// spelling.
    #[test]
    fn fires_on_raw_io_boot_and_mac_policy() {
        for cap in ["SYS_RAWIO", "sys_boot", "CAP_MAC_ADMIN", "MAC_OVERRIDE"] {
            assert!(
                fires(
                    &CHECK,
                    pod(
                        json!({"containers": [{"name": "x", "image": "alpine", "securityContext": {"capabilities": {"add": [cap]}}}]})
                    )
                ),
                "{cap}"
            );
        }
    }

    #[test]
    fn silent_on_benign_capabilities() {
        assert!(!fires(
            &CHECK,
            pod(
                json!({"containers": [{"name": "x", "image": "alpine", "securityContext": {"capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}}}]})
            )
        ));
    }
}
