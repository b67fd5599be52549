//! Ingresses written without TLS.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A036",
    name: "ingress-created-without-tls",
    since: "0.1.0",
    aliases: &[],
    title: "Ingress created without TLS",
    area: Area::Audit,
    severity: Severity::Low,
    references: &[
        RefStatic::mitre("T1557"),
        falco("Ingress Object without TLS Certificate Created"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful create of Ingress objects (networking.k8s.io) without `spec.tls`, by anyone but the platform.",
        why: "Without TLS the application's traffic, including credentials and session cookies, crosses the network in clear text.",
        fix: "Add a `tls` section with a certificate (cert-manager, or the application routing add-on with Key Vault certificates: `az aks approuting update --attach-kv`).",
        links: &["https://kubernetes.io/docs/concepts/services-networking/ingress/#tls"],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c0047-3c1e-4b7a-9d2e-8a61c0d20047", "stage": "ResponseComplete", "requestURI": "/apis/networking.k8s.io/v1/namespaces/shop/ingresses", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "ingresses", "namespace": "shop", "apiVersion": "v1", "apiGroup": "networking.k8s.io"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "Ingress", "apiVersion": "networking.k8s.io/v1", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"ingressClassName": "webapprouting.kubernetes.azure.com", "rules": [{"host": "shop.contoso.com", "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c0048-3c1e-4b7a-9d2e-8a61c0d20048", "stage": "ResponseComplete", "requestURI": "/apis/networking.k8s.io/v1/namespaces/shop/ingresses", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "ingresses", "namespace": "shop", "apiVersion": "v1", "apiGroup": "networking.k8s.io"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "Ingress", "apiVersion": "networking.k8s.io/v1", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"ingressClassName": "webapprouting.kubernetes.azure.com", "rules": [{"host": "shop.contoso.com", "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}], "tls": [{"hosts": ["shop.contoso.com"], "secretName": "shop-tls"}]}}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::bodies(&["ingresses"]), Status::Warn, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if v.resource() != "ingresses" || v.verb() != "create" || !is_completed_by_person(v) {
        return None;
    }
    let obj = v.object()?;
    let has_tls = obj
        .pointer("/spec/tls")
        .and_then(|t| t.as_array())
        .is_some_and(|t| !t.is_empty());
    (!has_tls).then(|| {
        format!(
            "Ingress {}/{} has no spec.tls",
            v.namespace(),
            str_at(obj, "/metadata/name")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    fn ing(spec: serde_json::Value) -> serde_json::Value {
        json!({"objectRef": {"resource": "ingresses", "apiGroup": "networking.k8s.io"}, "requestObject": {"kind": "Ingress", "metadata": {"name": "web"}, "spec": spec}})
    }

    #[test]
    fn fires_without_tls() {
        assert!(fires(
            &CHECK,
            ing(json!({"rules": [{"host": "shop.contoso.com"}]}))
        ));
    }

    #[test]
    fn silent_with_tls() {
        assert!(!fires(
            &CHECK,
            ing(json!({"tls": [{"hosts": ["shop.contoso.com"], "secretName": "tls"}]}))
        ));
    }
}
