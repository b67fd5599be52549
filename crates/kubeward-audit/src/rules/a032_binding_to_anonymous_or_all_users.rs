//! Bindings that grant permissions to anonymous or to every authenticated user.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A032",
    name: "binding-to-anonymous-or-all-users",
    since: "0.1.0",
    aliases: &[],
    title: "Role bound to anonymous or to all authenticated users",
    area: Area::Audit,
    severity: Severity::Critical,
    references: &[RefStatic::mitre("T1098.006"), RefStatic::mitre("T1078.001")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful create/update/patch of RoleBindings or ClusterRoleBindings with a subject `system:anonymous`, `system:unauthenticated` or `system:authenticated` (every Entra ID user of the tenant, on AKS), by anyone but the platform.",
        why: "Such a binding hands the role to everyone who can reach the API server (or to every account in the tenant): it opens the cluster to the internet or to the whole organisation.",
        fix: "Delete the binding or replace the subject with a specific Entra ID group; limit API server reach with authorized IP ranges or a private cluster.",
        links: &[
            "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#default-roles-and-role-bindings",
        ],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c003f-3c1e-4b7a-9d2e-8a61c0d2003f", "stage": "ResponseComplete", "requestURI": "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "clusterrolebindings", "apiVersion": "v1", "apiGroup": "rbac.authorization.k8s.io"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "ClusterRoleBinding", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "ops-access"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}, "subjects": [{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "system:unauthenticated"}]}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c0040-3c1e-4b7a-9d2e-8a61c0d20040", "stage": "ResponseComplete", "requestURI": "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "clusterrolebindings", "apiVersion": "v1", "apiGroup": "rbac.authorization.k8s.io"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "ClusterRoleBinding", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "ops-access"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}, "subjects": [{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "shop-readers"}]}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::BINDING_BODIES, Status::Fail, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    let obj = written_binding(v)?;
    let broad: Vec<&str> = obj
        .get("subjects")?
        .as_array()?
        .iter()
        .map(|s| str_at(s, "/name"))
        .filter(|n| {
            matches!(
                *n,
                "system:anonymous" | "system:unauthenticated" | "system:authenticated"
            )
        })
        .collect();
    (!broad.is_empty()).then(|| {
        format!(
            "{} {} binds {} {} to [{}]",
            v.verb(),
            object_name(v),
            str_at(obj, "/roleRef/kind"),
            str_at(obj, "/roleRef/name"),
            broad.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    fn binding(subject: &str) -> serde_json::Value {
        json!({"objectRef": {"resource": "clusterrolebindings", "name": "b"},
            "requestObject": {"kind": "ClusterRoleBinding", "roleRef": {"kind": "ClusterRole", "name": "view"},
                "subjects": [{"kind": "Group", "name": subject}]}})
    }

    #[test]
    fn fires_on_anonymous_subject() {
        assert!(fires(&CHECK, binding("system:unauthenticated")));
        assert!(fires(&CHECK, binding("system:authenticated")));
    }

    #[test]
    fn silent_on_specific_groups() {
        assert!(!fires(
            &CHECK,
            binding("6c5b9f1e-0000-4000-8000-000000000001")
        ));
    }
}
