//! Informational record of objects created and deleted (Falco's "K8s … Created/Deleted"
//! family): one table row per kind and verb, each its own check, reported at INFO and grouped by
//! identity so routine activity stays a few lines.

use kubeward_core::{CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

/// Which actors a row ignores, beyond AKS's own identities (ignored by every row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Actors {
    /// Everyone but the platform.
    All,
    /// Only users whose name does not start with `system:` (Falco's `non_system_user`).
    People,
    /// People, and not in kube-system (Falco's secret rows: the platform rotates secrets there).
    PeopleOutsideKubeSystem,
}

/// One Falco rule of the family.
struct Row {
    verb: &'static str,
    resource: &'static str,
    /// API groups the resource may come from (keeps CRDs that reuse a name out, e.g. Knative
    /// `services`).
    groups: &'static [&'static str],
    actors: Actors,
}

const CORE: &[&str] = &[""];
const APPS: &[&str] = &["apps", "extensions"];
const RBAC: &[&str] = &["rbac.authorization.k8s.io"];

impl Row {
    /// Cheap string tests first: the verb and resource rule out almost every event without
    /// touching the body or allocating.
    fn eval(&self, v: &EventView) -> Option<String> {
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

const DOCS: &str = "https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/";
const RBAC_DOCS: &str = "https://kubernetes.io/docs/reference/access-authn-authz/rbac/";

/// Builds the rows, their metadata and their rules from one list, so the three stay aligned.
macro_rules! activity_rows {
    ($(
        $i:literal $code:literal $name:literal $title:literal $falco:literal
        [$verb:literal $resource:literal $groups:ident $actors:ident]
        refs [$($r:expr),+]
        why $why:literal
        fix $fix:literal
        link $link:expr;
    )+) => {
        static ROWS: [Row; ROW_COUNT] = [$(Row { verb: $verb, resource: $resource, groups: $groups, actors: Actors::$actors }),+];

        /// Metadata of every row, in code order.
        pub static METAS: [CheckMeta; ROW_COUNT] = [$(
            meta(
                $code,
                $name,
                $title,
                Severity::Info,
                &[$($r,)+ falco($falco)],
                CheckDoc {
                    bad: "",
                    good: "",
                    what: concat!(
                        "Successful `", $verb, "` of ", $resource,
                        activity_rows!(@actors $actors),
                        ". Reported as INFO, one finding per identity with the first events and a count: a record for review, not an alert."
                    ),
                    why: $why,
                    fix: $fix,
                    links: &[$link],
                },
            )
        ),+];

        /// Rules of every row, in code order.
        pub static RULES: [Rule; ROW_COUNT] = [$(
            Rule {
                meta: &METAS[$i],
                needs: Needs::METADATA,
                on_match: Status::Info,
                eval: eval_row::<$i>,
                precondition: always,
            }
        ),+];
    };
    (@actors All) => { " by anyone but AKS's own identities (aksService, control-plane components, nodes, service accounts of kube-system and of the AKS add-on namespaces)" };
    (@actors People) => { " by users outside `system:` (people and external identities; AKS's own identities and service accounts are skipped)" };
    (@actors PeopleOutsideKubeSystem) => { " outside kube-system by users outside `system:` (people and external identities; AKS's own identities and service accounts are skipped)" };
}

/// One row per Falco rule of the family (a wrong count does not compile).
pub const ROW_COUNT: usize = 20;

fn eval_row<const I: usize>(v: &EventView, _: &Config) -> Option<String> {
    ROWS.get(I)?.eval(v)
}

activity_rows! {
    0 "A042" "deployment-created" "Deployment created" "K8s Deployment Created"
        ["create" "deployments" APPS All]
        refs [RefStatic::mitre("T1610"), ms("MS-TA9008")]
        why "New deployments are new code running in the cluster; the list lets a reviewer match them against releases."
        fix "Nothing to fix by itself. If a deployment is unexpected, find who created it (the identity and source IP in the evidence) and delete it with `kubectl delete deployment -n NS NAME`."
        link DOCS;
    1 "A043" "deployment-deleted" "Deployment deleted" "K8s Deployment Deleted"
        ["delete" "deployments" APPS All]
        refs [RefStatic::mitre("T1485"), ms("MS-TA9038")]
        why "Deleting deployments stops applications and can remove security tooling; unplanned deletes are impact or defense evasion."
        fix "Nothing to fix by itself. Restore an unplanned delete from source control or GitOps, and narrow `delete` on apps/deployments."
        link DOCS;
    2 "A044" "service-created" "Service created" "K8s Service Created"
        ["create" "services" CORE All]
        refs [RefStatic::mitre("T1133"), ms("MS-TA9005")]
        why "A new service may expose a workload inside or (LoadBalancer, NodePort) outside the cluster."
        fix "Nothing to fix by itself. Check the service type with `kubectl get svc -n NS NAME -o wide`; on AKS use the `service.beta.kubernetes.io/azure-load-balancer-internal` annotation for internal-only services."
        link DOCS;
    3 "A045" "service-deleted" "Service deleted" "K8s Service Deleted"
        ["delete" "services" CORE All]
        refs [RefStatic::mitre("T1499"), ms("MS-TA9040")]
        why "Deleting a service cuts traffic to its pods: an outage, deliberate or not."
        fix "Nothing to fix by itself. Restore an unplanned delete from source control and narrow `delete` on services."
        link DOCS;
    4 "A046" "configmap-created" "ConfigMap created" "K8s ConfigMap Created"
        ["create" "configmaps" CORE All]
        refs [RefStatic::mitre("T1552"), ms("MS-TA9027")]
        why "ConfigMaps steer applications (and CoreDNS, see A028); on AKS their contents are never logged, so who created them is the only trace."
        fix "Nothing to fix by itself. Keep credentials out of ConfigMaps (use Key Vault through the Secrets Store CSI driver)."
        link DOCS;
    5 "A047" "configmap-deleted" "ConfigMap deleted" "K8s ConfigMap Deleted"
        ["delete" "configmaps" CORE All]
        refs [RefStatic::mitre("T1485")]
        why "Deleting a ConfigMap breaks the applications that read it and can reset add-on customisations."
        fix "Nothing to fix by itself. Restore an unplanned delete from source control."
        link DOCS;
    6 "A048" "namespace-created" "Namespace created" "K8s Namespace Created"
        ["create" "namespaces" CORE All]
        refs [RefStatic::mitre("T1610")]
        why "Every namespace is a new space for workloads with its own RBAC and policies; A040 warns about names outside the allowed list, this row records all of them."
        fix "Nothing to fix by itself. Give new namespaces network policies, quotas and bindings through the same pipeline that creates them."
        link DOCS;
    7 "A049" "namespace-deleted" "Namespace deleted" "K8s Namespace Deleted"
        ["delete" "namespaces" CORE People]
        refs [RefStatic::mitre("T1485"), ms("MS-TA9038")]
        why "Deleting a namespace deletes everything in it: the most destructive single request a person can send."
        fix "Nothing to fix by itself. Restrict `delete` on namespaces to the deployment identity; AKS Backup can restore namespaces."
        link DOCS;
    8 "A050" "serviceaccount-created" "Service account created" "K8s Serviceaccount Created"
        ["create" "serviceaccounts" CORE All]
        refs [RefStatic::mitre("T1136"), ms("MS-TA9016")]
        why "A service account is an identity; its tokens outlive the person who created it."
        fix "Nothing to fix by itself. Check what the account is bound to (`kubectl get rolebindings,clusterrolebindings -A -o wide | grep NAME`)."
        link DOCS;
    9 "A051" "serviceaccount-deleted" "Service account deleted" "K8s Serviceaccount Deleted"
        ["delete" "serviceaccounts" CORE All]
        refs [RefStatic::mitre("T1531")]
        why "Deleting a service account breaks the workloads that run as it and invalidates its tokens."
        fix "Nothing to fix by itself. Restore an unplanned delete from source control."
        link DOCS;
    10 "A052" "role-created" "Role created" "K8s Role Created"
        ["create" "roles" RBAC All]
        refs [RefStatic::mitre("T1098.006")]
        why "Roles define permissions; A012, A013 and A041 judge what they grant, this row records each one."
        fix "Nothing to fix by itself. Review the rules with `kubectl get role -n NS NAME -o yaml`."
        link RBAC_DOCS;
    11 "A053" "role-deleted" "Role deleted" "K8s Role Deleted"
        ["delete" "roles" RBAC All]
        refs [RefStatic::mitre("T1531")]
        why "Deleting a role removes access for everyone bound to it."
        fix "Nothing to fix by itself. Restore an unplanned delete from source control."
        link RBAC_DOCS;
    12 "A054" "clusterrole-created" "ClusterRole created" "K8s ClusterRole Created"
        ["create" "clusterroles" RBAC All]
        refs [RefStatic::mitre("T1098.006")]
        why "ClusterRoles define cluster-wide permissions; A012, A013 and A041 judge what they grant, this row records each one."
        fix "Nothing to fix by itself. Review the rules with `kubectl get clusterrole NAME -o yaml`."
        link RBAC_DOCS;
    13 "A055" "clusterrole-deleted" "ClusterRole deleted" "K8s ClusterRole Deleted"
        ["delete" "clusterroles" RBAC All]
        refs [RefStatic::mitre("T1531")]
        why "Deleting a ClusterRole removes access cluster-wide and can break controllers and add-ons."
        fix "Nothing to fix by itself. Restore an unplanned delete from source control; AKS re-creates its own ClusterRoles."
        link RBAC_DOCS;
    14 "A056" "rolebinding-created" "RoleBinding created" "K8s RoleBinding Created"
        ["create" "rolebindings" RBAC All]
        refs [RefStatic::mitre("T1098.006")]
        why "A binding hands a role to users, groups or service accounts; the detail names the role and subjects when the body is logged."
        fix "Nothing to fix by itself. Check the subjects; on AKS prefer Entra ID groups to individual users."
        link RBAC_DOCS;
    15 "A057" "rolebinding-deleted" "RoleBinding deleted" "K8s RoleBinding Deleted"
        ["delete" "rolebindings" RBAC All]
        refs [RefStatic::mitre("T1531")]
        why "Deleting a binding removes access from its subjects."
        fix "Nothing to fix by itself. Restore an unplanned delete from source control."
        link RBAC_DOCS;
    16 "A058" "clusterrolebinding-created" "ClusterRoleBinding created" "K8s ClusterRoleBinding Created"
        ["create" "clusterrolebindings" RBAC All]
        refs [RefStatic::mitre("T1098.006"), ms("MS-TA9019")]
        why "A ClusterRoleBinding grants its role in every namespace; A011 and A032 judge the dangerous ones, this row records each one with its role and subjects."
        fix "Nothing to fix by itself. Check the subjects; on AKS prefer Azure RBAC role assignments for people."
        link RBAC_DOCS;
    17 "A059" "clusterrolebinding-deleted" "ClusterRoleBinding deleted" "K8s ClusterRoleBinding Deleted"
        ["delete" "clusterrolebindings" RBAC All]
        refs [RefStatic::mitre("T1531")]
        why "Deleting a ClusterRoleBinding removes cluster-wide access and can break controllers and add-ons."
        fix "Nothing to fix by itself. Restore an unplanned delete from source control."
        link RBAC_DOCS;
    18 "A060" "secret-created" "Secret created" "K8s Secret Created"
        ["create" "secrets" CORE PeopleOutsideKubeSystem]
        refs [RefStatic::mitre("T1552.007")]
        why "Secrets created by hand bypass the secret store; on AKS their contents are never logged, so who created them is the only trace."
        fix "Nothing to fix by itself. Prefer Key Vault through the Secrets Store CSI driver to hand-made secrets."
        link DOCS;
    19 "A061" "secret-deleted" "Secret deleted" "K8s Secret Deleted"
        ["delete" "secrets" CORE PeopleOutsideKubeSystem]
        refs [RefStatic::mitre("T1485")]
        why "Deleting a secret breaks the workloads that use it (TLS, registry pulls, database credentials)."
        fix "Nothing to fix by itself. Restore an unplanned delete from its source (Key Vault, pipeline)."
        link DOCS;
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::{Value, json};

    fn group_of(row: &Row) -> &'static str {
        row.groups[0]
    }

    /// A successful request for `row` by a person in namespace `shop`.
    fn positive(row: &Row) -> Value {
        let namespaced = !matches!(
            row.resource,
            "namespaces" | "clusterroles" | "clusterrolebindings"
        );
        json!({
            "verb": row.verb,
            "objectRef": {
                "resource": row.resource,
                "apiGroup": group_of(row),
                "namespace": if namespaced { json!("shop") } else { Value::Null },
                "name": "thing",
            },
            "responseStatus": {"code": if row.verb == "create" { 201 } else { 200 }},
        })
    }

    fn with(mut ev: Value, over: Value) -> Value {
        if let (Some(e), Value::Object(o)) = (ev.as_object_mut(), over) {
            for (k, v) in o {
                e.insert(k, v);
            }
        }
        ev
    }

    #[test]
    fn table_matches_the_falco_family_one_row_each() {
        assert_eq!(ROWS.len(), 20);
        assert_eq!(METAS.len(), ROWS.len());
        assert_eq!(RULES.len(), ROWS.len());
        let mut falco_names = std::collections::BTreeSet::new();
        for (i, (rule, row)) in RULES.iter().zip(ROWS.iter()).enumerate() {
            assert!(std::ptr::eq(rule.meta, &METAS[i]));
            assert_eq!(rule.on_match, Status::Info);
            assert_eq!(rule.meta.severity, Severity::Info);
            let falco = rule
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
    fn each_row_fires_on_its_own_kind_and_verb() {
        for (i, rule) in RULES.iter().enumerate() {
            let row = &ROWS[i];
            let d = fires_with(rule, &Config::default(), positive(row))
                .unwrap_or_else(|| panic!("{} did not fire", rule.meta.code));
            assert!(
                d.starts_with(row.verb) && d.contains(row.resource),
                "{}: {d}",
                rule.meta.code
            );
            // And on no other row's positive event.
            for (j, other) in ROWS.iter().enumerate() {
                if i != j {
                    assert!(
                        !fires(rule, positive(other)),
                        "{} fired on {}",
                        rule.meta.code,
                        RULES[j].meta.code
                    );
                }
            }
        }
    }

    #[test]
    fn each_row_is_silent_for_aks_failures_and_other_verbs() {
        for (rule, row) in RULES.iter().zip(ROWS.iter()) {
            let code = rule.meta.code;
            let ev = positive(row);
            for user in [
                "aksService",
                "system:serviceaccount:kube-system:generic-garbage-collector",
                "system:node:aks-nodepool1-12345678-vmss000000",
            ] {
                let quiet = with(ev.clone(), json!({"user": {"username": user}}));
                assert!(!fires(rule, quiet), "{code} fired for {user}");
            }
            let denied = with(
                ev.clone(),
                json!({"responseStatus": {"code": 403},
                       "annotations": {"authorization.k8s.io/decision": "forbid"}}),
            );
            assert!(!fires(rule, denied), "{code} fired on a denied request");
            let started = with(ev.clone(), json!({"stage": "RequestReceived"}));
            assert!(!fires(rule, started), "{code} fired on RequestReceived");
            let patch = with(ev.clone(), json!({"verb": "patch"}));
            assert!(!fires(rule, patch), "{code} fired on a patch");
            let mut status = ev.clone();
            status["objectRef"]["subresource"] = json!("status");
            assert!(!fires(rule, status), "{code} fired on a subresource");
            let mut crd = ev;
            crd["objectRef"]["apiGroup"] = json!("serving.knative.dev");
            assert!(!fires(rule, crd), "{code} fired on another API group");
        }
    }

    #[test]
    fn people_only_rows_skip_other_service_accounts_and_secret_rows_skip_kube_system() {
        let by_code = |c: &str| RULES.iter().position(|r| r.meta.code == c).unwrap();
        let argo = json!({"user": {"username": "system:serviceaccount:argocd:argocd-application-controller"}});
        // A GitOps controller creating a deployment is recorded...
        let dep = by_code("A042");
        assert!(fires(&RULES[dep], with(positive(&ROWS[dep]), argo.clone())));
        // ...but not its secrets, nor its namespace deletes (Falco's non_system_user).
        for code in ["A049", "A060", "A061"] {
            let i = by_code(code);
            assert!(
                !fires(&RULES[i], with(positive(&ROWS[i]), argo.clone())),
                "{code}"
            );
            assert!(fires(&RULES[i], positive(&ROWS[i])), "{code}");
        }
        for code in ["A060", "A061"] {
            let i = by_code(code);
            let mut ks = positive(&ROWS[i]);
            ks["objectRef"]["namespace"] = json!("kube-system");
            assert!(!fires(&RULES[i], ks), "{code} in kube-system");
        }
    }

    #[test]
    fn binding_creates_name_role_and_subjects_when_logged() {
        let i = RULES.iter().position(|r| r.meta.code == "A058").unwrap();
        let ev = with(
            positive(&ROWS[i]),
            json!({"requestObject": {"kind": "ClusterRoleBinding", "metadata": {"name": "thing"},
                "roleRef": {"kind": "ClusterRole", "name": "view", "apiGroup": "rbac.authorization.k8s.io"},
                "subjects": [{"kind": "Group", "name": "ops"}, {"kind": "ServiceAccount", "namespace": "shop", "name": "cart"}]}}),
        );
        let d = fires_with(&RULES[i], &Config::default(), ev).unwrap();
        assert!(
            d.contains("role ClusterRole/view to [Group ops, ServiceAccount shop/cart]"),
            "{d}"
        );
    }
}
