//! Bindings to Kubernetes' privileged built-in roles other than cluster-admin, and to the
//! system:masters group.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A067",
    name: "privileged-builtin-binding",
    since: "0.1.0",
    aliases: &[],
    title: "Binding to a privileged built-in role or to system:masters",
    area: Area::Audit,
    severity: Severity::High,
    references: &[
        RefStatic::mitre("T1098.006"),
        RefStatic::mitre("T1078.003"),
        ms("MS-TA9019"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful create, update or patch of a RoleBinding or ClusterRoleBinding, by anyone but the platform, that binds one of Kubernetes' privileged built-in ClusterRoles (`admin`, `edit`, their aggregation roles `system:aggregate-to-admin` and `system:aggregate-to-edit`, the control-plane roles `system:kube-controller-manager`, `system:node` and `system:controller:*`), or that names the group `system:masters` as a subject. Bindings to `cluster-admin` are reported by A011 (cluster-admin-binding) and bindings to the anonymous or all-authenticated groups by A032 (binding-to-anonymous): a binding those rules report is not reported again here.",
        why: "`admin` and `edit` read every secret of the namespace (cluster-wide in a ClusterRoleBinding), run commands in its pods and create workloads under any service account there; the control-plane roles carry the powers of the components they are made for. A binding naming `system:masters`, whose members RBAC cannot restrict, marks an attempt to reach or imitate the local admin identity.",
        fix: "Delete the binding unless it is an approved grant (`kubectl delete rolebinding -n NS NAME`). Grant `view` or a narrow custom Role instead, and on AKS prefer Microsoft Entra ID groups with Azure RBAC roles assigned through PIM.",
        links: &[
            "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles",
            "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#core-component-roles",
        ],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c0097-3c1e-4b7a-9d2e-8a61c0d20097", "stage": "ResponseComplete", "requestURI": "/apis/rbac.authorization.k8s.io/v1/namespaces/shop/rolebindings", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "rolebindings", "namespace": "shop", "apiVersion": "v1", "apiGroup": "rbac.authorization.k8s.io"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "RoleBinding", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "ops-access", "namespace": "shop"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"}, "subjects": [{"kind": "ServiceAccount", "namespace": "shop", "name": "cart"}]}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c0098-3c1e-4b7a-9d2e-8a61c0d20098", "stage": "ResponseComplete", "requestURI": "/apis/rbac.authorization.k8s.io/v1/namespaces/shop/rolebindings", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "rolebindings", "namespace": "shop", "apiVersion": "v1", "apiGroup": "rbac.authorization.k8s.io"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "RoleBinding", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "ops-access", "namespace": "shop"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}, "subjects": [{"kind": "ServiceAccount", "namespace": "shop", "name": "cart"}]}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::BINDING_BODIES, Status::Fail, eval);

/// Privileged built-in ClusterRoles (cluster-admin is A011's).
const PRIVILEGED_ROLES: &[&str] = &[
    "admin",
    "edit",
    "system:aggregate-to-admin",
    "system:aggregate-to-edit",
    "system:kube-controller-manager",
    "system:node",
];

/// Subjects A032 reports (whatever the role).
const BROAD: &[&str] = &[
    "system:anonymous",
    "system:unauthenticated",
    "system:authenticated",
];

fn eval(v: &EventView, _: &Config) -> Option<String> {
    let obj = written_binding(v)?;
    let role = str_at(obj, "/roleRef/name");
    if role == "cluster-admin" {
        return None;
    }
    let subjects: Vec<(&str, &str)> = obj
        .get("subjects")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|s| (str_at(s, "/kind"), str_at(s, "/name")))
        .filter(|(_, name)| !BROAD.contains(name))
        .collect();
    let masters = subjects
        .iter()
        .any(|(kind, name)| *kind == "Group" && *name == "system:masters");
    let privileged = str_at(obj, "/roleRef/kind") == "ClusterRole"
        && (PRIVILEGED_ROLES.contains(&role) || role.starts_with("system:controller:"));
    if subjects.is_empty() || !(masters || privileged) {
        return None;
    }
    let list: Vec<String> = subjects
        .iter()
        .map(|(kind, name)| format!("{kind} {name}"))
        .collect();
    Some(format!(
        "{} {} binds {} {role} to [{}]",
        v.verb(),
        object_name(v),
        str_at(obj, "/roleRef/kind"),
        list.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    fn binding(kind: &str, role: &str, subjects: serde_json::Value) -> serde_json::Value {
        json!({"objectRef": {"resource": "rolebindings", "apiGroup": "rbac.authorization.k8s.io", "namespace": "shop", "name": "grant"},
            "requestObject": {"kind": "RoleBinding", "metadata": {"name": "grant", "namespace": "shop"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": kind, "name": role},
                "subjects": subjects}})
    }

    fn sa() -> serde_json::Value {
        json!([{"kind": "ServiceAccount", "name": "web", "namespace": "shop"}])
    }

    #[test]
    fn item8_fires_on_admin_edit_control_plane_roles_and_masters() {
        for role in [
            "admin",
            "edit",
            "system:aggregate-to-edit",
            "system:node",
            "system:controller:clusterrole-aggregation-controller",
        ] {
            assert!(fires(&CHECK, binding("ClusterRole", role, sa())), "{role}");
        }
        let d = fires_with(
            &CHECK,
            &Config::default(),
            binding("ClusterRole", "view", json!([{"kind": "Group", "name": "system:masters", "apiGroup": "rbac.authorization.k8s.io"}])),
        )
        .unwrap();
        assert!(d.contains("Group system:masters"), "{d}");
    }

    #[test]
    fn item8_silent_where_other_rules_report_and_on_ordinary_roles() {
        // cluster-admin: A011.
        assert!(!fires(
            &CHECK,
            binding("ClusterRole", "cluster-admin", sa())
        ));
        // Only broad groups as subjects: A032.
        assert!(!fires(
            &CHECK,
            binding(
                "ClusterRole",
                "edit",
                json!([{"kind": "Group", "name": "system:authenticated"}])
            )
        ));
        assert!(!fires(&CHECK, binding("ClusterRole", "view", sa())));
        // A namespaced Role that happens to be called admin is the namespace's own.
        assert!(!fires(&CHECK, binding("Role", "admin", sa())));
        let mut platform = binding("ClusterRole", "admin", sa());
        platform["user"] = json!({"username": "aksService"});
        assert!(!fires(&CHECK, platform));
    }
}
