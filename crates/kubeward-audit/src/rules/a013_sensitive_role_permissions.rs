//! Roles granting exec, secrets, escalation or impersonation.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::a012_wildcard_role::{role_rules, strings};
use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A013",
    name: "sensitive-role-permissions",
    since: "0.1.0",
    aliases: &[],
    title: "Role grants exec, secrets, escalation or impersonation",
    area: Area::Audit,
    severity: Severity::Medium,
    references: &[
        RefStatic::mitre("T1098.006"),
        falco("ClusterRole With Pod Exec Created"),
        RefStatic::cis_aks("1.8.0", "4.1.2"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful writes of Roles/ClusterRoles granting pods/exec, pods/attach, secrets get/list/watch, the escalate/bind/impersonate verbs, or serviceaccounts/token create, by anyone but the platform.",
        why: "Each of these lets the holder become someone more privileged: read tokens, run commands in other identities' pods or grant themselves more.",
        fix: "Review the role and keep these permissions for dedicated, audited groups. Use `kubeward rbac` / `kubectl auth can-i --list --as` to see who holds them.",
        links: &[
            "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#privilege-escalation-risks",
        ],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c0019-3c1e-4b7a-9d2e-8a61c0d20019", "stage": "ResponseComplete", "requestURI": "/apis/rbac.authorization.k8s.io/v1/namespaces/shop/roles", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "roles", "namespace": "shop", "apiVersion": "v1", "apiGroup": "rbac.authorization.k8s.io"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "Role", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "app-operator", "namespace": "shop"}, "rules": [{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create", "get"]}]}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c001a-3c1e-4b7a-9d2e-8a61c0d2001a", "stage": "ResponseComplete", "requestURI": "/apis/rbac.authorization.k8s.io/v1/namespaces/shop/roles", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "roles", "namespace": "shop", "apiVersion": "v1", "apiGroup": "rbac.authorization.k8s.io"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "Role", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "app-operator", "namespace": "shop"}, "rules": [{"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list"]}]}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::ROLE_BODIES, Status::Warn, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    let rules = role_rules(v)?;
    let mut found = Vec::new();
    for r in rules {
        let res = strings(r, "resources");
        let verbs = strings(r, "verbs");
        let any_verb = |vs: &[&str]| verbs.iter().any(|x| vs.contains(x));
        for sub in ["pods/exec", "pods/attach"] {
            if res.contains(&sub) {
                found.push(sub.to_string());
            }
        }
        if res.contains(&"secrets") && any_verb(&["get", "list", "watch"]) {
            found.push("read secrets".into());
        }
        if res.contains(&"serviceaccounts/token") && any_verb(&["create"]) {
            found.push("create tokens".into());
        }
        for verb in ["escalate", "bind", "impersonate"] {
            if verbs.contains(&verb) {
                found.push(verb.to_string());
            }
        }
    }
    found.dedup();
    (!found.is_empty()).then(|| {
        format!(
            "{} {}: grants {}",
            v.verb(),
            object_name(v),
            found.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn fires_on_exec_and_secrets() {
        assert!(fires(
            &CHECK,
            role(
                json!([{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create", "get"]}])
            )
        ));
        assert!(fires(
            &CHECK,
            role(json!([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]}]))
        ));
        assert!(fires(
            &CHECK,
            role(json!([{"apiGroups": [""], "resources": ["users"], "verbs": ["impersonate"]}]))
        ));
    }

    #[test]
    fn silent_on_plain_reads() {
        assert!(!fires(
            &CHECK,
            role(
                json!([{"apiGroups": [""], "resources": ["pods", "services"], "verbs": ["get", "list"]}])
            )
        ));
        assert!(!fires(
            &CHECK,
            role(json!([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["create"]}]))
        ));
    }
}
