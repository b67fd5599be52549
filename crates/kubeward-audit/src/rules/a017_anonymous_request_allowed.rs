//! Anonymous requests the authorizer allowed.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A017",
    name: "anonymous-request-allowed",
    since: "0.1.0",
    aliases: &[],
    title: "Anonymous request allowed",
    area: Area::Audit,
    severity: Severity::High,
    references: &[
        RefStatic::mitre("T1078.001"),
        falco("Anonymous Request Allowed"),
        RefStatic::cis_k8s("1.12.0", "1.2.1"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Requests by `system:anonymous` that were allowed (annotation `authorization.k8s.io/decision: allow`, or a 2xx status), except the health and version endpoints that are public by design (/healthz, /livez, /readyz, /version).",
        why: "Anything an anonymous user may do, anyone who can reach the API server may do: RBAC bindings to system:anonymous or system:unauthenticated are a common misconfiguration and a direct way in.",
        fix: "Find and remove the bindings that grant it (`kubectl get clusterrolebindings -o json | jq '.items[] | select(.subjects[]?.name | test(\"system:(anonymous|unauthenticated)\"))'`); limit API server access with authorized IP ranges or a private AKS cluster.",
        links: &[
            "https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests",
        ],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0021-3c1e-4b7a-9d2e-8a61c0d20021", "stage": "ResponseComplete", "requestURI": "/api/v1/pods", "verb": "list", "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "pods", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0022-3c1e-4b7a-9d2e-8a61c0d20022", "stage": "ResponseComplete", "requestURI": "/healthz", "verb": "get", "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

// Most of this activity is `get` (kubelet API reads, probing), which admin-only sources drop.
pub static CHECK: Check = Check::new(&META, Needs::PARTLY_READS, Status::Fail, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if v.username() != "system:anonymous" || !v.is_final() {
        return None;
    }
    let allowed = v.decision() == "allow" || (v.decision().is_empty() && v.succeeded());
    let path = v.uri().split('?').next().unwrap_or("");
    let public = ["/healthz", "/livez", "/readyz", "/version"]
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")));
    (allowed && !public).then(|| format!("{} {} allowed", v.verb(), path))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    fn anon(uri: &str, decision: &str) -> serde_json::Value {
        json!({"verb": "get", "requestURI": uri, "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]},
               "annotations": {"authorization.k8s.io/decision": decision}, "responseStatus": {"code": if decision == "allow" {200} else {403}}})
    }

    #[test]
    fn fires_on_allowed_api_access() {
        assert!(fires(
            &CHECK,
            anon("/api/v1/namespaces/default/pods", "allow")
        ));
    }

    #[test]
    fn silent_on_health_and_forbidden() {
        assert!(!fires(&CHECK, anon("/healthz", "allow")));
        assert!(!fires(&CHECK, anon("/readyz?verbose", "allow")));
        assert!(!fires(&CHECK, anon("/api/v1/pods", "forbid")));
        assert!(!fires(&CHECK, json!({"verb": "get"})));
    }
}
