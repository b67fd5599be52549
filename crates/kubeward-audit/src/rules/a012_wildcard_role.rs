//! Roles and ClusterRoles that grant wildcards.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A012",
    name: "wildcard-role",
    since: "0.1.0",
    aliases: &[],
    title: "Role or ClusterRole with wildcard permissions written",
    area: Area::Audit,
    severity: Severity::Medium,
    references: &[
        RefStatic::mitre("T1098.006"),
        RefStatic::cis_aks("1.8.0", "4.1.3"),
        falco("ClusterRole With Wildcard Created"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful create/update/patch of a Role or ClusterRole with `*` in verbs, resources or apiGroups, by anyone but the platform.",
        why: "Wildcards grant today's and tomorrow's resources and verbs (including escalate, bind, impersonate and every CRD): they defeat least privilege.",
        fix: "List the resources and verbs explicitly. Review with `kubectl get clusterrole NAME -o yaml`; on AKS prefer Azure RBAC built-in roles for people and narrow Roles for workloads.",
        links: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c0017-3c1e-4b7a-9d2e-8a61c0d20017", "stage": "ResponseComplete", "requestURI": "/apis/rbac.authorization.k8s.io/v1/clusterroles", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "clusterroles", "apiVersion": "v1", "apiGroup": "rbac.authorization.k8s.io"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "ClusterRole", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "app-operator"}, "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c0018-3c1e-4b7a-9d2e-8a61c0d20018", "stage": "ResponseComplete", "requestURI": "/apis/rbac.authorization.k8s.io/v1/clusterroles", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "clusterroles", "apiVersion": "v1", "apiGroup": "rbac.authorization.k8s.io"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "ClusterRole", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "app-operator"}, "rules": [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list", "watch"]}]}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::ROLE_BODIES, Status::Fail, eval);

/// A role write by a non-platform identity, with its rules.
pub fn role_rules<'v>(v: &'v EventView) -> Option<&'v Vec<serde_json::Value>> {
    if !matches!(v.resource(), "roles" | "clusterroles")
        || !v.is_modify()
        || !is_completed_by_person(v)
    {
        return None;
    }
    v.object()?.get("rules")?.as_array()
}

pub fn strings<'v>(rule: &'v serde_json::Value, key: &str) -> Vec<&'v str> {
    rule.get(key)
        .and_then(|x| x.as_array())
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str())
        .collect()
}

fn eval(v: &EventView, _: &Config) -> Option<String> {
    let rules = role_rules(v)?;
    let wild: Vec<&str> = ["verbs", "resources", "apiGroups"]
        .into_iter()
        .filter(|k| rules.iter().any(|r| strings(r, k).contains(&"*")))
        .collect();
    (!wild.is_empty()).then(|| {
        format!(
            "{} {}: `*` in {}",
            v.verb(),
            object_name(v),
            wild.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn fires_on_wildcards() {
        assert!(fires(
            &CHECK,
            cluster_role(json!([{"apiGroups": [""], "resources": ["*"], "verbs": ["get"]}]))
        ));
        assert!(fires(
            &CHECK,
            cluster_role(json!([{"apiGroups": ["*"], "resources": ["pods"], "verbs": ["*"]}]))
        ));
    }

    #[test]
    fn silent_on_explicit_rules() {
        assert!(!fires(
            &CHECK,
            cluster_role(
                json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}])
            )
        ));
    }
}
