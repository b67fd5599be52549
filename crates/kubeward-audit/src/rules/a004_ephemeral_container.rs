//! Ephemeral (debug) containers added to running pods.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A004",
    name: "ephemeral-container",
    since: "0.1.0",
    aliases: &[],
    title: "Ephemeral container added to a running pod",
    area: Area::Audit,
    severity: Severity::Medium,
    references: &[
        RefStatic::mitre("T1609"),
        RefStatic::mitre("T1610"),
        falco("EphemeralContainers Created"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful update or patch of the pods/ephemeralcontainers subresource (what `kubectl debug` does), with the image added when the body is logged.",
        why: "An ephemeral container runs any image inside a running pod's namespaces, sharing its process space and volumes: exec with a tool kit of the user's choice.",
        fix: "Restrict `pods/ephemeralcontainers` in RBAC to a break-glass group; enforce Pod Security `restricted` or an Azure Policy for AKS so debug containers cannot be privileged.",
        links: &["https://kubernetes.io/docs/concepts/workloads/pods/ephemeral-containers/"],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c0007-3c1e-4b7a-9d2e-8a61c0d20007", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/pods/web/ephemeralcontainers", "verb": "patch", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "pods", "namespace": "shop", "name": "web", "apiVersion": "v1", "subresource": "ephemeralcontainers"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"spec": {"ephemeralContainers": [{"name": "debugger-x7k2p", "image": "busybox:1.36", "targetContainerName": "web"}]}}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0008-3c1e-4b7a-9d2e-8a61c0d20008", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/pods/web/ephemeralcontainers", "verb": "patch", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "pods", "namespace": "shop", "name": "web", "apiVersion": "v1", "subresource": "ephemeralcontainers"}, "responseStatus": {"metadata": {}, "code": 403, "status": "Failure", "reason": "Forbidden"}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::METADATA, Status::Warn, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if v.resource() != "pods"
        || v.subresource() != "ephemeralcontainers"
        || !v.is_modify()
        || !v.is_final()
        || !v.succeeded()
    {
        return None;
    }
    let images: Vec<&str> = v
        .object()
        .and_then(|o| o.pointer("/spec/ephemeralContainers"))
        .and_then(|c| c.as_array())
        .into_iter()
        .flatten()
        .map(|c| str_at(c, "/image"))
        .filter(|i| !i.is_empty())
        .collect();
    let mut d = format!("ephemeral container added to {}", object_name(v));
    if !images.is_empty() {
        d.push_str(&format!(" (images {})", images.join(", ")));
    }
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn fires_on_debug_patch() {
        let d = fires_with(&CHECK, &Config::default(), json!({"verb": "patch", "objectRef": {"subresource": "ephemeralcontainers"},
            "responseStatus": {"code": 200},
            "responseObject": {"kind": "Pod", "spec": {"containers": [{"name": "app", "image": "nginx"}],
                "ephemeralContainers": [{"name": "debugger-x", "image": "busybox:1.36"}]}}})).unwrap();
        assert!(d.contains("busybox:1.36"), "{d}");
    }

    #[test]
    fn silent_on_refused_or_plain_pods() {
        assert!(!fires(
            &CHECK,
            json!({"verb": "patch", "objectRef": {"subresource": "ephemeralcontainers"}, "responseStatus": {"code": 403}})
        ));
        assert!(!fires(&CHECK, json!({"verb": "patch"})));
    }
}
