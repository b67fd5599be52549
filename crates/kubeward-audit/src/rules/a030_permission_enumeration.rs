//! Permission discovery through self-subject reviews.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A030",
    name: "permission-enumeration",
    since: "0.1.0",
    aliases: &[],
    title: "Permissions enumerated with self-subject reviews",
    area: Area::Audit,
    severity: Severity::Low,
    references: &[
        RefStatic::mitre("T1069"),
        RefStatic::mitre("T1613"),
        ms("MS-TA9029"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Creates of selfsubjectrulesreviews (what `kubectl auth can-i --list` sends) by service accounts, anonymous users or anyone but the platform. Single selfsubjectaccessreviews are left out: dashboards and CLIs send them routinely.",
        why: "Listing one's own permissions is the first thing an attacker does with a stolen token; workloads almost never need it.",
        fix: "If a workload's service account did this, look at that pod (`kubectl -n NS get pods -o wide`) and its token's use; people running `kubectl auth can-i --list` is normal and can be waived.",
        links: &[
            "https://kubernetes.io/docs/reference/access-authn-authz/authorization/#checking-api-access",
        ],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c003b-3c1e-4b7a-9d2e-8a61c0d2003b", "stage": "ResponseComplete", "requestURI": "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "selfsubjectrulesreviews", "apiVersion": "v1", "apiGroup": "authorization.k8s.io"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c003c-3c1e-4b7a-9d2e-8a61c0d2003c", "stage": "ResponseComplete", "requestURI": "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "selfsubjectaccessreviews", "apiVersion": "v1", "apiGroup": "authorization.k8s.io"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::METADATA, Status::Warn, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if v.resource() != "selfsubjectrulesreviews"
        || v.verb() != "create"
        || !v.is_final()
        || is_platform_identity(v.username())
    {
        return None;
    }
    Some(format!(
        "rules review by {} from {}",
        v.username(),
        v.user_agent()
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn fires_on_rules_review() {
        assert!(fires(
            &CHECK,
            json!({"user": {"username": "system:serviceaccount:default:web"}, "objectRef": {"resource": "selfsubjectrulesreviews", "apiGroup": "authorization.k8s.io", "namespace": null, "name": null}})
        ));
    }

    #[test]
    fn silent_on_access_reviews() {
        assert!(!fires(
            &CHECK,
            json!({"objectRef": {"resource": "selfsubjectaccessreviews"}})
        ));
    }
}
