//! Requests refused by the authorizer.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A031",
    name: "forbidden-requests",
    since: "0.1.0",
    aliases: &[],
    title: "Requests refused by authorization",
    area: Area::Audit,
    severity: Severity::Low,
    references: &[
        RefStatic::mitre("T1613"),
        RefStatic::mitre("T1110"),
        ms("MS-TA9029"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Completed requests the authorizer refused (annotation `authorization.k8s.io/decision: forbid`, or code 403), grouped by identity. Platform identities are left out.",
        why: "A stream of refusals is what probing with a stolen or low-privilege credential looks like; a few can also reveal a misconfigured workload.",
        fix: "For each identity: is it a workload missing a permission (grant exactly that), or someone trying things they should not (revoke the credential)?",
        links: &["https://kubernetes.io/docs/reference/access-authn-authz/authorization/"],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c003d-3c1e-4b7a-9d2e-8a61c0d2003d", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/secrets", "verb": "list", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 403, "status": "Failure", "reason": "Forbidden"}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": ""}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c003e-3c1e-4b7a-9d2e-8a61c0d2003e", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/secrets", "verb": "list", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "shop", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::METADATA, Status::Warn, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if !v.is_final() || !v.denied() || is_platform_identity(v.username()) {
        return None;
    }
    Some(format!("{} {} refused", v.verb(), object_name(v)))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn fires_on_forbid() {
        assert!(fires(
            &CHECK,
            json!({"verb": "list", "objectRef": {"resource": "secrets"}, "annotations": {"authorization.k8s.io/decision": "forbid"}, "responseStatus": {"code": 403}})
        ));
    }

    #[test]
    fn silent_on_allowed_and_admission_rejections() {
        assert!(!fires(&CHECK, json!({})));
        // A 422 from admission is not an authorization refusal.
        assert!(!fires(&CHECK, json!({"responseStatus": {"code": 422}})));
    }
}
