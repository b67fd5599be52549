//! Changes to the built-in `system:` roles.

use kubeward_core::{CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = meta(
    "A014",
    "system-role-modified",
    "Built-in system: role or binding modified or deleted",
    Severity::High,
    &[
        RefStatic::mitre("T1098.006"),
        falco("System ClusterRole Modified/Deleted"),
    ],
    CheckDoc {
        bad: "",
        good: "",
        what: "Successful update/patch/delete of Roles, ClusterRoles, RoleBindings or ClusterRoleBindings named `system:*` by anyone but the platform (the API server reconciles them at start-up).",
        why: "Editing a built-in role (system:node, system:discovery, system:basic-user…) silently widens what every node, user or service account may do.",
        fix: "Restore the role: the API server re-creates defaults on restart only for missing objects and with `rbac.authorization.kubernetes.io/autoupdate: \"true\"`. Compare with a fresh cluster (`kubectl get clusterrole NAME -o yaml`) and revert; open a support case for AKS-managed roles.",
        links: &[
            "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#auto-reconciliation",
        ],
    },
);

pub static RULE: Rule = Rule {
    meta: &META,
    needs: Needs::METADATA,
    on_match: Status::Fail,
    eval,
    precondition: always,
};

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
            &RULE,
            json!({"verb": "patch", "objectRef": {"resource": "clusterroles", "namespace": null, "name": "system:node"}, "responseStatus": {"code": 200}})
        ));
    }

    #[test]
    fn silent_on_apiserver_and_other_roles() {
        assert!(!fires(
            &RULE,
            json!({"verb": "update", "user": {"username": "system:apiserver"}, "objectRef": {"resource": "clusterroles", "name": "system:node"}})
        ));
        assert!(!fires(
            &RULE,
            json!({"verb": "patch", "objectRef": {"resource": "clusterroles", "name": "app-reader"}})
        ));
        assert!(!fires(
            &RULE,
            json!({"verb": "get", "objectRef": {"resource": "clusterroles", "name": "system:node"}})
        ));
    }
}
