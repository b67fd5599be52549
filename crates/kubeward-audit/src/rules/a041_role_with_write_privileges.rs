//! Roles and ClusterRoles that grant write verbs.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::a012_wildcard_role::{role_rules, strings};
use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A041",
    name: "role-with-write-privileges",
    since: "0.1.0",
    aliases: &[],
    title: "Role or ClusterRole with write permissions written",
    area: Area::Audit,
    severity: Severity::Low,
    references: &[
        RefStatic::mitre("T1098.006"),
        falco("ClusterRole With Write Privileges Created"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful create/update/patch of a Role or ClusterRole granting create, update, patch, delete, deletecollection (or `*`) on any resource, by anyone but the platform. The detail lists the resources that become writable.",
        why: "Write permissions are what an intruder needs to deploy, persist and tamper; a new role granting them is the first half of an escalation (the binding is the second, see A011/A032).",
        fix: "Check that the role belongs to a known application or chart and grants only the resources and verbs it needs (`kubectl get clusterrole NAME -o yaml`). Deploy roles through GitOps so unexpected ones stand out; on AKS give people Azure RBAC built-in roles instead of hand-written ClusterRoles.",
        links: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c0051-3c1e-4b7a-9d2e-8a61c0d20051", "stage": "ResponseComplete", "requestURI": "/apis/rbac.authorization.k8s.io/v1/clusterroles", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "clusterroles", "apiVersion": "v1", "apiGroup": "rbac.authorization.k8s.io"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "ClusterRole", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "app-operator"}, "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["create", "update", "patch", "delete"]}]}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c0052-3c1e-4b7a-9d2e-8a61c0d20052", "stage": "ResponseComplete", "requestURI": "/apis/rbac.authorization.k8s.io/v1/clusterroles", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "clusterroles", "apiVersion": "v1", "apiGroup": "rbac.authorization.k8s.io"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "ClusterRole", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "app-operator"}, "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]}]}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::ROLE_BODIES, Status::Warn, eval);

const WRITE_VERBS: &[&str] = &[
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "*",
];

/// Resources named in the detail; more are counted.
const LISTED: usize = 8;

fn eval(v: &EventView, _: &Config) -> Option<String> {
    let rules = role_rules(v)?;
    let mut writable: Vec<&str> = Vec::new();
    let mut more = 0usize;
    for r in rules {
        if !strings(r, "verbs").iter().any(|x| WRITE_VERBS.contains(x)) {
            continue;
        }
        for res in strings(r, "resources") {
            if writable.contains(&res) {
                continue;
            }
            if writable.len() < LISTED {
                writable.push(res);
            } else {
                more += 1;
            }
        }
    }
    if writable.is_empty() {
        return None;
    }
    let extra = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    Some(format!(
        "{} {}: write verbs on {}{extra}",
        v.verb(),
        object_name(v),
        writable.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn fires_on_write_verbs_and_lists_resources() {
        let d = fires_with(
            &CHECK,
            &Config::default(),
            cluster_role(json!([
                {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]},
                {"apiGroups": ["apps"], "resources": ["deployments", "daemonsets"], "verbs": ["get", "patch"]},
            ])),
        )
        .unwrap();
        assert!(
            d.contains("deployments, daemonsets") && !d.contains("pods"),
            "{d}"
        );
        assert!(fires(
            &CHECK,
            cluster_role(
                json!([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["delete"]}])
            )
        ));
    }

    #[test]
    fn silent_for_read_only_roles_platform_and_other_kinds() {
        assert!(!fires(
            &CHECK,
            cluster_role(
                json!([{"apiGroups": [""], "resources": ["pods", "secrets"], "verbs": ["get", "list", "watch"]}])
            )
        ));
        let mut by_aks = cluster_role(json!([{"resources": ["pods"], "verbs": ["create"]}]));
        by_aks["user"] = json!({"username": "aksService"});
        assert!(!fires(&CHECK, by_aks));
        let mut binding = cluster_role(json!([{"resources": ["pods"], "verbs": ["create"]}]));
        binding["objectRef"]["resource"] = json!("clusterrolebindings");
        assert!(!fires(&CHECK, binding));
    }
}
