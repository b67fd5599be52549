//! Service-account tokens requested through the TokenRequest API.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A019",
    name: "serviceaccount-token-request",
    since: "0.1.0",
    aliases: &[],
    title: "Service-account token requested by a person or workload",
    area: Area::Audit,
    severity: Severity::Medium,
    references: &[
        RefStatic::mitre("T1528"),
        RefStatic::mitre("T1550.001"),
        ms("MS-TA9016"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful create on serviceaccounts/token (TokenRequest, what `kubectl create token` does) by anyone but the platform (the kubelet requests pod tokens as system:node:*).",
        why: "A token minted on demand lets its holder act as the service account from anywhere until it expires, possibly for a long time with `--duration`: a way to steal or persist a workload's permissions.",
        fix: "Confirm who needed the token and why; remove `create` on `serviceaccounts/token` from their roles; prefer Microsoft Entra Workload ID for workloads that reach Azure, and keep service-account permissions narrow.",
        links: &[
            "https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/",
        ],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0025-3c1e-4b7a-9d2e-8a61c0d20025", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/serviceaccounts/cart/token", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "serviceaccounts", "namespace": "shop", "name": "cart", "apiVersion": "v1", "subresource": "token"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0026-3c1e-4b7a-9d2e-8a61c0d20026", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/serviceaccounts/cart/token", "verb": "create", "user": {"username": "system:node:aks-nodepool1-12345678-vmss000000", "groups": ["system:nodes", "system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "serviceaccounts", "namespace": "shop", "name": "cart", "apiVersion": "v1", "subresource": "token"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::METADATA, Status::Warn, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if v.resource() != "serviceaccounts"
        || v.subresource() != "token"
        || v.verb() != "create"
        || !is_completed_by_person(v)
    {
        return None;
    }
    Some(format!(
        "token for serviceaccount {}/{}",
        v.namespace(),
        v.name()
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    fn token(user: &str) -> serde_json::Value {
        json!({"user": {"username": user}, "objectRef": {"resource": "serviceaccounts", "subresource": "token", "namespace": "payments", "name": "api"}})
    }

    #[test]
    fn fires_on_user_token_request() {
        assert!(fires(&CHECK, token("mallory@contoso.com")));
    }

    #[test]
    fn silent_on_kubelet() {
        assert!(!fires(
            &CHECK,
            token("system:node:aks-nodepool1-12345678-vmss000000")
        ));
        assert!(!fires(
            &CHECK,
            json!({"objectRef": {"resource": "serviceaccounts"}})
        ));
    }
}
