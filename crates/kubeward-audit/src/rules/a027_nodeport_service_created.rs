//! Services exposed through NodePort.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A027",
    name: "nodeport-service-created",
    since: "0.1.0",
    aliases: &[],
    title: "NodePort service created",
    area: Area::Audit,
    severity: Severity::Low,
    references: &[
        RefStatic::mitre("T1133"),
        ms("MS-TA9005"),
        falco("Create NodePort Service"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful create/update/patch of Services with `type: NodePort` by anyone but the platform (needs the request body; AKS logs Service writes with bodies).",
        why: "A NodePort opens the service on every node's address, outside ingress controllers and often outside what the team reviews; with public node IPs it is on the internet.",
        fix: "Use ClusterIP behind an ingress, or a LoadBalancer with `service.beta.kubernetes.io/azure-load-balancer-internal: \"true\"`; keep node public IPs disabled (`--enable-node-public-ip` off) and restrict NSG rules.",
        links: &["https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport"],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c0035-3c1e-4b7a-9d2e-8a61c0d20035", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/services", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "services", "namespace": "shop", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "Service", "apiVersion": "v1", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"type": "NodePort", "selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c0036-3c1e-4b7a-9d2e-8a61c0d20036", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/services", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "services", "namespace": "shop", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "Service", "apiVersion": "v1", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"type": "ClusterIP", "selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::bodies(&["services"]), Status::Warn, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if v.resource() != "services"
        || !v.subresource().is_empty()
        || !v.is_modify()
        || !is_completed_by_person(v)
    {
        return None;
    }
    let obj = v.object()?;
    (str_at(obj, "/spec/type") == "NodePort").then(|| {
        let name = str_at(obj, "/metadata/name");
        format!(
            "{} Service {}/{} type NodePort",
            v.verb(),
            v.namespace(),
            if name.is_empty() { v.name() } else { name }
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    fn svc(t: &str) -> serde_json::Value {
        json!({"objectRef": {"resource": "services", "name": "db"}, "requestObject": {"kind": "Service", "metadata": {"name": "db"}, "spec": {"type": t, "ports": [{"port": 5432}]}}})
    }

    #[test]
    fn fires_on_nodeport() {
        assert!(fires(&CHECK, svc("NodePort")));
    }

    #[test]
    fn silent_on_clusterip() {
        assert!(!fires(&CHECK, svc("ClusterIP")));
        assert!(!fires(
            &CHECK,
            json!({"objectRef": {"resource": "services"}})
        ));
    }
}
