//! Activity by users outside an allowlist.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A037",
    name: "disallowed-user",
    since: "0.1.0",
    aliases: &[],
    title: "Request by a user outside the allowed list",
    area: Area::Audit,
    severity: Severity::Medium,
    references: &[
        RefStatic::mitre("T1078"),
        ms("MS-TA9001"),
        falco("Disallowed K8s User"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Completed requests by non-`system:` users that are not in the list given with `--allowed-users FILE` or `--allowed-user NAME` (exact names, `*` prefixes, `group:NAME`). Off (NOT_APPLICABLE) when no list is given. AKS's own users (aksService, masterclient is NOT allowlisted: see A018) are skipped.",
        why: "On a cluster where access goes through known Entra ID groups, any other identity is either a misconfiguration or stolen credentials.",
        fix: "Remove the identity's access (Azure RBAC role assignment or Kubernetes binding), or add it to the allowed list if it is legitimate.",
        links: &["https://learn.microsoft.com/azure/aks/manage-azure-rbac"],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0049-3c1e-4b7a-9d2e-8a61c0d20049", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/secrets/db-credentials", "verb": "get", "user": {"username": "mallory@fabrikam.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "shop", "name": "db-credentials", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c004a-3c1e-4b7a-9d2e-8a61c0d2004a", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/secrets/db-credentials", "verb": "get", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "shop", "name": "db-credentials", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub static CHECK: Check =
    Check::new(&META, Needs::METADATA, Status::Fail, eval).with_precondition(precondition);

fn precondition(cfg: &Config) -> Option<&'static str> {
    cfg.allowed_users
        .is_none()
        .then_some("no allowed-user list was given (--allowed-users FILE or --allowed-user NAME)")
}

fn eval(v: &EventView, cfg: &Config) -> Option<String> {
    let allowed = cfg.allowed_users.as_ref()?;
    let user = v.username();
    if !v.is_final()
        || user.is_empty()
        || user.starts_with("system:")
        || is_platform_identity(user)
        || allowed.iter().any(|p| user_matches(p, v))
    {
        return None;
    }
    Some(format!("{} {}", v.verb(), object_name(v)))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn fires_for_unknown_user_when_configured() {
        let cfg = Config {
            allowed_users: Some(vec!["bob@contoso.com".into()]),
            ..Default::default()
        };
        assert!(fires_with(&CHECK, &cfg, json!({})).is_some());
        assert!(precondition(&Config::default()).is_some());
    }

    #[test]
    fn silent_for_listed_system_and_unconfigured() {
        let cfg = Config {
            allowed_users: Some(vec!["*@contoso.com".into()]),
            ..Default::default()
        };
        assert!(fires_with(&CHECK, &cfg, json!({})).is_none());
        assert!(
            fires_with(
                &CHECK,
                &cfg,
                json!({"user": {"username": "system:serviceaccount:default:web"}})
            )
            .is_none()
        );
        assert!(!fires(&CHECK, json!({})));
    }
}
