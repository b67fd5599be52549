//! Secret reads by anonymous users.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A015",
    name: "secret-read-anonymous",
    since: "0.1.0",
    aliases: &[],
    title: "Secret read by an anonymous user",
    area: Area::Audit,
    severity: Severity::Critical,
    references: &[
        RefStatic::mitre("T1552.007"),
        RefStatic::mitre("T1078.001"),
        ms("MS-TA9025"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "get/list/watch on secrets by `system:anonymous` or a member of `system:unauthenticated`, whether allowed or refused.",
        why: "An allowed anonymous secret read means anyone who reaches the API server holds the cluster's credentials; refused attempts show someone probing for that.",
        fix: "Remove every RoleBinding/ClusterRoleBinding to system:anonymous or system:unauthenticated (`kubectl get clusterrolebindings,rolebindings -A -o wide | grep -E 'anonymous|unauthenticated'`), restrict the API server with authorized IP ranges or a private cluster (`az aks update --api-server-authorized-ip-ranges`), and rotate the secrets that were read.",
        links: &[
            "https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests",
        ],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c001d-3c1e-4b7a-9d2e-8a61c0d2001d", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/secrets/db-credentials", "verb": "get", "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "shop", "name": "db-credentials", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c009d-3c1e-4b7a-9d2e-8a61c0d2009d", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/secrets/db-credentials", "verb": "get", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "shop", "name": "db-credentials", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::READS, Status::Fail, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if v.resource() != "secrets" || !v.is_read() || !v.is_final() || !is_anonymous(v) {
        return None;
    }
    Some(format!(
        "{} {} ({})",
        v.verb(),
        object_name(v),
        if v.succeeded() { "allowed" } else { "refused" }
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn fires_on_anonymous_get() {
        let d = fires_with(&CHECK, &Config::default(), json!({"verb": "get", "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]},
            "objectRef": {"resource": "secrets", "name": "db"}, "responseStatus": {"code": 200}})).unwrap();
        assert!(d.contains("allowed"));
    }

    #[test]
    fn silent_on_authenticated_reads_and_other_resources() {
        assert!(!fires(
            &CHECK,
            json!({"verb": "get", "objectRef": {"resource": "secrets", "name": "db"}})
        ));
        assert!(!fires(
            &CHECK,
            json!({"verb": "get", "user": {"username": "system:anonymous"}, "objectRef": {"resource": "configmaps"}})
        ));
    }
}
