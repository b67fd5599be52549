//! Port-forward to a pod.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A003",
    name: "pod-portforward",
    since: "0.1.0",
    aliases: &[],
    title: "Port-forward into a pod",
    area: Area::Audit,
    severity: Severity::Low,
    references: &[RefStatic::mitre("T1090"), falco("port-forward")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Requests on the pods/portforward subresource (`create` over SPDY, `get` over WebSocket).",
        why: "Port-forward reaches a pod's ports from outside the cluster, bypassing Services, ingress and network policies: a way in for data theft or lateral movement.",
        fix: "Confirm the session was expected; grant `pods/portforward` only to a small group; on AKS use Entra ID with Azure RBAC and Conditional Access for cluster users.",
        links: &[
            "https://kubernetes.io/docs/tasks/access-application-cluster/port-forward-access-application-cluster/",
        ],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0005-3c1e-4b7a-9d2e-8a61c0d20005", "stage": "ResponseStarted", "requestURI": "/api/v1/namespaces/shop/pods/db-0/portforward", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "pods", "namespace": "shop", "name": "db-0", "apiVersion": "v1", "subresource": "portforward"}, "responseStatus": {"metadata": {}, "code": 101}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0006-3c1e-4b7a-9d2e-8a61c0d20006", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/pods/db-0", "verb": "get", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "pods", "namespace": "shop", "name": "db-0", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::PARTLY_READS, Status::Warn, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if v.resource() != "pods" || v.subresource() != "portforward" || !v.is_stream_start() {
        return None;
    }
    let ports = v.uri_params("ports").join(",");
    Some(format!(
        "port-forward to {} ports [{ports}]",
        object_name(v)
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn fires_on_portforward() {
        assert!(fires(
            &CHECK,
            json!({"verb": "get", "stage": "ResponseStarted", "objectRef": {"subresource": "portforward"},
            "requestURI": "/api/v1/namespaces/default/pods/web/portforward?ports=5432", "responseStatus": {"code": 101}})
        ));
    }

    #[test]
    fn silent_on_other_subresources() {
        assert!(!fires(
            &CHECK,
            json!({"verb": "get", "objectRef": {"subresource": "log"}})
        ));
        assert!(!fires(
            &CHECK,
            json!({"verb": "create", "objectRef": {"resource": "services", "subresource": "proxy"}})
        ));
    }
}
