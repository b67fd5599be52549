//! Changes to the built-in `system:` roles.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A014",
    name: "system-role-modified",
    since: "0.1.0",
    aliases: &[],
    title: "Built-in system: role or binding modified or deleted",
    area: Area::Audit,
    severity: Severity::High,
    references: &[
        RefStatic::mitre("T1098.006"),
        falco("System ClusterRole Modified/Deleted"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful update/patch/delete of Roles, ClusterRoles, RoleBindings or ClusterRoleBindings named `system:*` by anyone but the platform (the API server reconciles them at start-up).",
        why: "Editing a built-in role (system:node, system:discovery, system:basic-user…) silently widens what every node, user or service account may do.",
        fix: "Restore the role: the API server re-creates defaults on restart only for missing objects and with `rbac.authorization.kubernetes.io/autoupdate: \"true\"`. Compare with a fresh cluster (`kubectl get clusterrole NAME -o yaml`) and revert; open a support case for AKS-managed roles.",
        links: &[
            "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#auto-reconciliation",
        ],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c001b-3c1e-4b7a-9d2e-8a61c0d2001b", "stage": "ResponseComplete", "requestURI": "/apis/rbac.authorization.k8s.io/v1/clusterroles/system:node", "verb": "patch", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "clusterroles", "name": "system:node", "apiVersion": "v1", "apiGroup": "rbac.authorization.k8s.io"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c001c-3c1e-4b7a-9d2e-8a61c0d2001c", "stage": "ResponseComplete", "requestURI": "/apis/rbac.authorization.k8s.io/v1/clusterroles/app-operator", "verb": "patch", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "clusterroles", "name": "app-operator", "apiVersion": "v1", "apiGroup": "rbac.authorization.k8s.io"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::METADATA, Status::Fail, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if !matches!(
        v.resource(),
        "roles" | "clusterroles" | "rolebindings" | "clusterrolebindings"
    ) || !matches!(v.verb(), "update" | "patch" | "delete")
        || !v.name().starts_with("system:")
    {
        return None;
    }
    succeeded_by_person(v)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn fires_on_patch_of_system_role() {
        assert!(fires(
            &CHECK,
            json!({"verb": "patch", "objectRef": {"resource": "clusterroles", "namespace": null, "name": "system:node"}, "responseStatus": {"code": 200}})
        ));
    }

    #[test]
    fn silent_on_apiserver_and_other_roles() {
        assert!(!fires(
            &CHECK,
            json!({"verb": "update", "user": {"username": "system:apiserver"}, "objectRef": {"resource": "clusterroles", "name": "system:node"}})
        ));
        assert!(!fires(
            &CHECK,
            json!({"verb": "patch", "objectRef": {"resource": "clusterroles", "name": "app-reader"}})
        ));
        assert!(!fires(
            &CHECK,
            json!({"verb": "get", "objectRef": {"resource": "clusterroles", "name": "system:node"}})
        ));
    }
}
