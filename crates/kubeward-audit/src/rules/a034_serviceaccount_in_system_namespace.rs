//! Service accounts created in kube-system or kube-public by people.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A034",
    name: "serviceaccount-in-system-namespace",
    since: "0.1.0",
    aliases: &[],
    title: "Service account created in a system namespace",
    area: Area::Audit,
    severity: Severity::Medium,
    references: &[
        RefStatic::mitre("T1136"),
        RefStatic::mitre("T1078.001"),
        falco("Service Account Created in Kube Namespace"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful create of serviceaccounts in kube-system or kube-public by anyone but the platform.",
        why: "A new identity in kube-system looks like an add-on's and is a quiet place to bind powerful roles to.",
        fix: "Delete it unless an approved component needs it; create application identities in their own namespaces.",
        links: &["https://kubernetes.io/docs/concepts/security/service-accounts/"],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c0043-3c1e-4b7a-9d2e-8a61c0d20043", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/serviceaccounts", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "serviceaccounts", "namespace": "kube-system", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "ServiceAccount", "apiVersion": "v1", "metadata": {"name": "helper", "namespace": "kube-system"}}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c0044-3c1e-4b7a-9d2e-8a61c0d20044", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/serviceaccounts", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "serviceaccounts", "namespace": "shop", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "ServiceAccount", "apiVersion": "v1", "metadata": {"name": "helper", "namespace": "shop"}}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::METADATA, Status::Fail, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if v.resource() != "serviceaccounts"
        || !v.subresource().is_empty()
        || v.verb() != "create"
        || !matches!(v.namespace(), "kube-system" | "kube-public")
        || !is_completed_by_person(v)
    {
        return None;
    }
    let name = request_name(v);
    Some(format!("serviceaccount {}/{name} created", v.namespace()))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn fires_on_user_created_sa() {
        assert!(fires(
            &CHECK,
            json!({"objectRef": {"resource": "serviceaccounts", "namespace": "kube-system", "name": "metrics-helper"}})
        ));
    }

    #[test]
    fn silent_elsewhere_and_for_token_requests() {
        assert!(!fires(
            &CHECK,
            json!({"objectRef": {"resource": "serviceaccounts", "namespace": "apps"}})
        ));
        assert!(!fires(
            &CHECK,
            json!({"objectRef": {"resource": "serviceaccounts", "namespace": "kube-system", "subresource": "token"}})
        ));
    }
}
