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
        bad: "",
        good: "",
    },
};

pub static CHECK: Check = Check {
    meta: &META,
    needs: Needs::bodies(&["clusterrolebindings", "rolebindings"]),
    on_match: Status::Fail,
    eval,
    precondition: always,
};

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
