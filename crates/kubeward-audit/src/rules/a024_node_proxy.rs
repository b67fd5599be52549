//! Requests proxied to the kubelet through the API server.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A024",
    name: "node-proxy",
    since: "0.1.0",
    aliases: &[],
    title: "Kubelet API reached through nodes/proxy",
    area: Area::Audit,
    severity: Severity::High,
    references: &[
        RefStatic::mitre("T1613"),
        RefStatic::mitre("T1609"),
        ms("MS-TA9030"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Requests on the nodes/proxy subresource by anyone but the platform (metrics collectors in kube-system are allowlisted).",
        why: "nodes/proxy reaches the kubelet API: it lists every pod on the node and, with create, runs commands in any of them (/exec, /run) without a pods/exec audit event.",
        fix: "Remove `nodes/proxy` from every role that does not strictly need it (monitoring agents usually need only nodes/metrics); look for the commands sent to /run or /exec on the node.",
        links: &["https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/"],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c002f-3c1e-4b7a-9d2e-8a61c0d2002f", "stage": "ResponseComplete", "requestURI": "/api/v1/nodes/aks-nodepool1-12345678-vmss000000/proxy/pods", "verb": "get", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "nodes", "name": "aks-nodepool1-12345678-vmss000000", "apiVersion": "v1", "subresource": "proxy"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0030-3c1e-4b7a-9d2e-8a61c0d20030", "stage": "ResponseComplete", "requestURI": "/api/v1/nodes/aks-nodepool1-12345678-vmss000000", "verb": "get", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "nodes", "name": "aks-nodepool1-12345678-vmss000000", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

// Most of this activity is `get` (kubelet API reads, probing), which admin-only sources drop.
pub static CHECK: Check = Check::new(&META, Needs::PARTLY_READS, Status::Fail, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if v.resource() != "nodes"
        || v.subresource() != "proxy"
        || !v.is_final()
        || is_platform_identity(v.username())
    {
        return None;
    }
    let path = v.uri().split('?').next().unwrap_or("");
    Some(format!(
        "{} {path}{}",
        v.verb(),
        if v.succeeded() { "" } else { " (refused)" }
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn fires_on_node_proxy() {
        assert!(fires(
            &CHECK,
            json!({"verb": "create", "requestURI": "/api/v1/nodes/aks-np-1/proxy/run/default/web/app?cmd=id",
            "objectRef": {"resource": "nodes", "subresource": "proxy", "namespace": null, "name": "aks-np-1"}})
        ));
    }

    #[test]
    fn silent_on_node_reads_and_metrics_agents() {
        assert!(!fires(
            &CHECK,
            json!({"verb": "get", "objectRef": {"resource": "nodes", "name": "aks-np-1"}})
        ));
        assert!(!fires(
            &CHECK,
            json!({"user": {"username": "system:serviceaccount:kube-system:ama-metrics"}, "objectRef": {"resource": "nodes", "subresource": "proxy"}})
        ));
    }
}
