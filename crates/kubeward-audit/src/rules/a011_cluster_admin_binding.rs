//! Bindings to cluster-admin (or to any role granting everything).

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A011",
    name: "cluster-admin-binding",
    since: "0.1.0",
    aliases: &[],
    title: "Binding to the cluster-admin role created",
    area: Area::Audit,
    severity: Severity::High,
    references: &[
        RefStatic::mitre("T1098.006"),
        RefStatic::mitre("T1078.003"),
        ms("MS-TA9019"),
        falco("Attach to cluster-admin Role"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful create/update/patch of a ClusterRoleBinding or RoleBinding whose roleRef is the ClusterRole `cluster-admin`, by anyone but the platform. Read from the request body, so it needs Request level for rbac.authorization.k8s.io (AKS logs RBAC writes at RequestResponse).",
        why: "cluster-admin grants every verb on every resource: a binding to it is the classic persistence and privilege-escalation step.",
        fix: "Delete the binding unless it is an approved break-glass grant (`kubectl delete clusterrolebinding NAME`). On AKS prefer Entra ID groups with Azure RBAC roles ('Azure Kubernetes Service RBAC Cluster Admin' assigned through PIM) over in-cluster cluster-admin bindings.",
        links: &["https://learn.microsoft.com/azure/aks/manage-azure-rbac"],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c0015-3c1e-4b7a-9d2e-8a61c0d20015", "stage": "ResponseComplete", "requestURI": "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "clusterrolebindings", "apiVersion": "v1", "apiGroup": "rbac.authorization.k8s.io"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "ClusterRoleBinding", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "ops-access"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"}, "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "bob@contoso.com"}]}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c0016-3c1e-4b7a-9d2e-8a61c0d20016", "stage": "ResponseComplete", "requestURI": "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "clusterrolebindings", "apiVersion": "v1", "apiGroup": "rbac.authorization.k8s.io"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "ClusterRoleBinding", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "ops-access"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}, "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "bob@contoso.com"}]}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::BINDING_BODIES, Status::Fail, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    let obj = written_binding(v)?;
    if str_at(obj, "/roleRef/name") != "cluster-admin" {
        return None;
    }
    let subjects: Vec<String> = obj
        .get("subjects")
        .and_then(|s| s.as_array())
        .into_iter()
        .flatten()
        .map(|s| format!("{} {}", str_at(s, "/kind"), str_at(s, "/name")))
        .collect();
    Some(format!(
        "{} {} binds cluster-admin to [{}]",
        v.verb(),
        object_name(v),
        subjects.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    fn binding(role: &str) -> serde_json::Value {
        json!({"objectRef": {"resource": "clusterrolebindings", "apiGroup": "rbac.authorization.k8s.io", "namespace": null, "name": "backdoor"},
            "requestObject": {"kind": "ClusterRoleBinding", "metadata": {"name": "backdoor"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
                "subjects": [{"kind": "ServiceAccount", "name": "default", "namespace": "default"}]}})
    }

    #[test]
    fn fires_on_cluster_admin() {
        let d = fires_with(&CHECK, &Config::default(), binding("cluster-admin")).unwrap();
        assert!(d.contains("ServiceAccount default"), "{d}");
    }

    #[test]
    fn silent_on_other_roles_and_platform() {
        assert!(!fires(&CHECK, binding("view")));
        let mut ev = binding("cluster-admin");
        ev["user"] = json!({"username": "aksService"});
        assert!(!fires(&CHECK, ev));
    }
}
