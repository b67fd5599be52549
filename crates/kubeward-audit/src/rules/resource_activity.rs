//! The evaluation shared by the informational record of objects created and deleted (Falco's
//! "K8s … Created/Deleted" family, A042-A061): each check declares one `Row` (a kind and a verb)
//! in its own file and is reported at INFO, grouped by identity so routine activity stays a few
//! lines.

use super::*;

/// Which actors a row ignores, beyond AKS's own identities (ignored by every row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Actors {
    /// Everyone but the platform.
    All,
    /// Only users whose name does not start with `system:` (Falco's `non_system_user`).
    People,
    /// People, and not in kube-system (Falco's secret rows: the platform rotates secrets there).
    PeopleOutsideKubeSystem,
}

/// One Falco rule of the family.
pub(super) struct Row {
    pub(super) verb: &'static str,
    pub(super) resource: &'static str,
    /// API groups the resource may come from (keeps CRDs that reuse a name out, e.g. Knative
    /// `services`).
    pub(super) groups: &'static [&'static str],
    pub(super) actors: Actors,
}

pub(super) const CORE: &[&str] = &[""];
pub(super) const APPS: &[&str] = &["apps", "extensions"];
pub(super) const RBAC: &[&str] = &["rbac.authorization.k8s.io"];

impl Row {
    pub(super) const fn new(
        verb: &'static str,
        resource: &'static str,
        groups: &'static [&'static str],
        actors: Actors,
    ) -> Row {
        Row {
            verb,
            resource,
            groups,
            actors,
        }
    }

    /// Cheap string tests first: the verb and resource rule out almost every event without
    /// touching the body or allocating.
    pub(super) fn eval(&self, v: &EventView) -> Option<String> {
        if v.verb() != self.verb
            || v.resource() != self.resource
            || !v.subresource().is_empty()
            || !self.groups.contains(&v.api_group())
            || !v.is_final()
            || !v.succeeded()
        {
            return None;
        }
        let user = v.username();
        if is_platform_identity(user) {
            return None;
        }
        match self.actors {
            Actors::All => {}
            Actors::People if user.starts_with("system:") => return None,
            Actors::PeopleOutsideKubeSystem
                if user.starts_with("system:") || v.namespace() == "kube-system" =>
            {
                return None;
            }
            Actors::People | Actors::PeopleOutsideKubeSystem => {}
        }
        let mut detail = format!("{} {}", self.verb, object_name(v));
        if self.verb == "create"
            && matches!(self.resource, "rolebindings" | "clusterrolebindings")
            && let Some(obj) = v.object()
        {
            detail.push_str(&binding_summary(obj));
        }
        Some(detail)
    }
}

/// Subjects listed in a binding's detail; more are counted.
const SUBJECTS_LISTED: usize = 5;

/// `: role KIND/NAME to SUBJECTS` from a binding body (as Falco's output prints them).
fn binding_summary(obj: &serde_json::Value) -> String {
    let subjects: Vec<&serde_json::Value> = obj
        .get("subjects")
        .and_then(serde_json::Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let mut names: Vec<String> = subjects
        .iter()
        .take(SUBJECTS_LISTED)
        .map(|s| match str_at(s, "/namespace") {
            "" => format!("{} {}", str_at(s, "/kind"), str_at(s, "/name")),
            ns => format!("{} {ns}/{}", str_at(s, "/kind"), str_at(s, "/name")),
        })
        .collect();
    if subjects.len() > SUBJECTS_LISTED {
        names.push(format!("{} more", subjects.len() - SUBJECTS_LISTED));
    }
    format!(
        ": role {}/{} to [{}]",
        str_at(obj, "/roleRef/kind"),
        str_at(obj, "/roleRef/name"),
        names.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::*;
    use super::testing::{assert_row, positive, with};
    use super::*;
    use kubeward_core::Severity;
    use serde_json::json;

    /// Every row of the family with its check, in code order.
    fn family() -> [(&'static Check, &'static Row); 20] {
        [
            (
                &a042_deployment_created::CHECK,
                &a042_deployment_created::ROW,
            ),
            (
                &a043_deployment_deleted::CHECK,
                &a043_deployment_deleted::ROW,
            ),
            (&a044_service_created::CHECK, &a044_service_created::ROW),
            (&a045_service_deleted::CHECK, &a045_service_deleted::ROW),
            (&a046_configmap_created::CHECK, &a046_configmap_created::ROW),
            (&a047_configmap_deleted::CHECK, &a047_configmap_deleted::ROW),
            (&a048_namespace_created::CHECK, &a048_namespace_created::ROW),
            (&a049_namespace_deleted::CHECK, &a049_namespace_deleted::ROW),
            (
                &a050_serviceaccount_created::CHECK,
                &a050_serviceaccount_created::ROW,
            ),
            (
                &a051_serviceaccount_deleted::CHECK,
                &a051_serviceaccount_deleted::ROW,
            ),
            (&a052_role_created::CHECK, &a052_role_created::ROW),
            (&a053_role_deleted::CHECK, &a053_role_deleted::ROW),
            (
                &a054_clusterrole_created::CHECK,
                &a054_clusterrole_created::ROW,
            ),
            (
                &a055_clusterrole_deleted::CHECK,
                &a055_clusterrole_deleted::ROW,
            ),
            (
                &a056_rolebinding_created::CHECK,
                &a056_rolebinding_created::ROW,
            ),
            (
                &a057_rolebinding_deleted::CHECK,
                &a057_rolebinding_deleted::ROW,
            ),
            (
                &a058_clusterrolebinding_created::CHECK,
                &a058_clusterrolebinding_created::ROW,
            ),
            (
                &a059_clusterrolebinding_deleted::CHECK,
                &a059_clusterrolebinding_deleted::ROW,
            ),
            (&a060_secret_created::CHECK, &a060_secret_created::ROW),
            (&a061_secret_deleted::CHECK, &a061_secret_deleted::ROW),
        ]
    }

    #[test]
    fn table_matches_the_falco_family_one_row_each() {
        let family = family();
        let mut falco_names = std::collections::BTreeSet::new();
        let registered: Vec<&str> = CHECKS.iter().map(|c| c.meta.code).collect();
        for (check, row) in family {
            assert!(registered.contains(&check.meta.code), "{}", check.meta.code);
            assert_eq!(check.on_match, Status::Info);
            assert_eq!(check.meta.severity, Severity::Info);
            let falco = check
                .meta
                .references
                .iter()
                .find(|r| r.framework == "Falco k8saudit")
                .unwrap();
            assert!(falco_names.insert(falco.id));
            let verb = if row.verb == "create" {
                "Created"
            } else {
                "Deleted"
            };
            assert!(falco.id.ends_with(verb), "{}", falco.id);
        }
    }

    #[test]
    fn every_row_records_its_own_kind_and_verb_and_skips_the_platform() {
        for (check, row) in family() {
            assert_row(check, row);
        }
    }

    #[test]
    fn each_row_fires_on_no_other_rows_event() {
        let family = family();
        for (i, (check, _)) in family.iter().enumerate() {
            for (j, (other_check, other)) in family.iter().enumerate() {
                if i != j {
                    assert!(
                        !fires(check, positive(other)),
                        "{} fired on {}",
                        check.meta.code,
                        other_check.meta.code
                    );
                }
            }
        }
    }

    fn row_of(code: &str) -> (&'static Check, &'static Row) {
        family()
            .into_iter()
            .find(|(c, _)| c.meta.code == code)
            .unwrap()
    }

    #[test]
    fn people_only_rows_skip_other_service_accounts_and_secret_rows_skip_kube_system() {
        let argo = json!({"user": {"username": "system:serviceaccount:argocd:argocd-application-controller"}});
        // A GitOps controller creating a deployment is recorded...
        let (dep, dep_row) = row_of("A042");
        assert!(fires(dep, with(positive(dep_row), argo.clone())));
        // ...but not its secrets, nor its namespace deletes (Falco's non_system_user).
        for code in ["A049", "A060", "A061"] {
            let (check, row) = row_of(code);
            assert!(!fires(check, with(positive(row), argo.clone())), "{code}");
            assert!(fires(check, positive(row)), "{code}");
        }
        for code in ["A060", "A061"] {
            let (check, row) = row_of(code);
            let mut ks = positive(row);
            ks["objectRef"]["namespace"] = json!("kube-system");
            assert!(!fires(check, ks), "{code} in kube-system");
        }
    }

    #[test]
    fn binding_creates_name_role_and_subjects_when_logged() {
        let (check, row) = row_of("A058");
        let ev = with(
            positive(row),
            json!({"requestObject": {"kind": "ClusterRoleBinding", "metadata": {"name": "thing"},
                "roleRef": {"kind": "ClusterRole", "name": "view", "apiGroup": "rbac.authorization.k8s.io"},
                "subjects": [{"kind": "Group", "name": "ops"}, {"kind": "ServiceAccount", "namespace": "shop", "name": "cart"}]}}),
        );
        let d = fires_with(check, &Config::default(), ev).unwrap();
        assert!(
            d.contains("role ClusterRole/view to [Group ops, ServiceAccount shop/cart]"),
            "{d}"
        );
    }
}

/// Vectors every row of the family passes.
#[cfg(test)]
pub(super) mod testing {
    use super::super::testing::*;
    use super::*;
    use serde_json::{Value, json};

    /// A successful request for `row` by a person in namespace `shop`.
    pub fn positive(row: &Row) -> Value {
        let namespaced = !matches!(
            row.resource,
            "namespaces" | "clusterroles" | "clusterrolebindings"
        );
        json!({
            "verb": row.verb,
            "objectRef": {
                "resource": row.resource,
                "apiGroup": row.groups[0],
                "namespace": if namespaced { json!("shop") } else { Value::Null },
                "name": "thing",
            },
            "responseStatus": {"code": if row.verb == "create" { 201 } else { 200 }},
        })
    }

    pub fn with(mut ev: Value, over: Value) -> Value {
        if let (Some(e), Value::Object(o)) = (ev.as_object_mut(), over) {
            for (k, v) in o {
                e.insert(k, v);
            }
        }
        ev
    }

    /// The row fires on its own kind and verb by a person, and stays silent for AKS's own
    /// identities, refusals, other stages, other verbs, subresources and other API groups.
    pub fn assert_row(check: &Check, row: &Row) {
        let code = check.meta.code;
        let d = fires_with(check, &Config::default(), positive(row))
            .unwrap_or_else(|| panic!("{code} did not fire"));
        assert!(
            d.starts_with(row.verb) && d.contains(row.resource),
            "{code}: {d}"
        );
        let ev = positive(row);
        for user in [
            "aksService",
            "system:serviceaccount:kube-system:generic-garbage-collector",
            "system:node:aks-nodepool1-12345678-vmss000000",
        ] {
            let quiet = with(ev.clone(), json!({"user": {"username": user}}));
            assert!(!fires(check, quiet), "{code} fired for {user}");
        }
        let denied = with(
            ev.clone(),
            json!({"responseStatus": {"code": 403},
                   "annotations": {"authorization.k8s.io/decision": "forbid"}}),
        );
        assert!(!fires(check, denied), "{code} fired on a denied request");
        let started = with(ev.clone(), json!({"stage": "RequestReceived"}));
        assert!(!fires(check, started), "{code} fired on RequestReceived");
        let patch = with(ev.clone(), json!({"verb": "patch"}));
        assert!(!fires(check, patch), "{code} fired on a patch");
        let mut status = ev.clone();
        status["objectRef"]["subresource"] = json!("status");
        assert!(!fires(check, status), "{code} fired on a subresource");
        let mut crd = ev;
        crd["objectRef"]["apiGroup"] = json!("serving.knative.dev");
        assert!(!fires(check, crd), "{code} fired on another API group");
    }
}
