//! Impersonation of other users or privileged groups.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A026",
    name: "impersonation",
    since: "0.1.0",
    aliases: &[],
    title: "Request made while impersonating another identity",
    area: Area::Audit,
    severity: Severity::Medium,
    references: &[RefStatic::mitre("T1134"), RefStatic::mitre("T1078")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Completed requests carrying `impersonatedUser` (Impersonate-User/Group headers) sent by anyone but the platform. The AKSAudit/AKSAuditAdmin tables have no impersonation column, so this rule only sees it in raw, blob, Event Hubs and AzureDiagnostics exports.",
        why: "Impersonation acts with another identity's permissions; impersonating system:masters or a node grants everything and hides the real actor behind the target's name.",
        fix: "Limit the `impersonate` verb to tools that need it (for example an access proxy); review the roles granting it (`kubectl get clusterroles -o json | jq '.items[] | select(.rules[]?.verbs[]? == \"impersonate\") | .metadata.name'`).",
        links: &[
            "https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation",
        ],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0033-3c1e-4b7a-9d2e-8a61c0d20033", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/secrets/cluster-autoscaler-azure", "verb": "get", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "kube-system", "name": "cluster-autoscaler-azure", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "impersonatedUser": {"username": "system:serviceaccount:kube-system:cluster-autoscaler", "groups": ["system:serviceaccounts"]}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0034-3c1e-4b7a-9d2e-8a61c0d20034", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/secrets/web-tls", "verb": "get", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "shop", "name": "web-tls", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::METADATA, Status::Warn, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    let target = v.impersonated_user.as_ref()?;
    if !v.is_final() || is_platform_identity(v.authenticated_username()) {
        return None;
    }
    let groups = target.group_list();
    Some(format!(
        "{} as {} (groups [{}]): {} {}",
        v.authenticated_username(),
        target.username.as_deref().unwrap_or(""),
        groups.join(", "),
        v.verb(),
        object_name(v)
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn fires_on_impersonation() {
        let d = fires_with(
            &CHECK,
            &Config::default(),
            json!({"impersonatedUser": {"username": "system:admin", "groups": ["system:masters"]}}),
        )
        .unwrap();
        assert!(d.contains("system:masters"), "{d}");
    }

    #[test]
    fn silent_without_impersonation() {
        assert!(!fires(&CHECK, json!({})));
        assert!(!fires(
            &CHECK,
            json!({"user": {"username": "system:kube-controller-manager"}, "impersonatedUser": {"username": "x"}})
        ));
    }
}
