//! Shared test scaffolding for checks whose vectors differ only in one input: the RBAC binding
//! checks (each declares one rule that grants what it looks for and one that does not, its
//! `TEST_RULES`; the family tests below run every one) and the host-namespace checks (each
//! supplies its pod-spec flag).

use kubeward_core::{Finding, Status};

use super::*;
use crate::ctx::{Ctx, ScanOptions, deployment, run_check};
use crate::{Check, Eval};

type Evaluate = fn(&Ctx<'_>) -> Vec<Finding>;

/// An RBAC binding check's vectors.
pub struct Rules {
    /// A rule that grants what the check looks for.
    pub granting: &'static str,
    /// A rule close to it that does not.
    pub harmless: &'static str,
}

/// Every RBAC binding check (those defined by a permission list) with its vectors.
fn binding_checks() -> [(&'static Check, Rules); 8] {
    [
        (
            &w401_rbac_secret_access::CHECK,
            w401_rbac_secret_access::TEST_RULES,
        ),
        (
            &w403_rbac_create_pods::CHECK,
            w403_rbac_create_pods::TEST_RULES,
        ),
        (
            &w406_rbac_bind_escalate_impersonate::CHECK,
            w406_rbac_bind_escalate_impersonate::TEST_RULES,
        ),
        (
            &w407_rbac_create_persistent_volumes::CHECK,
            w407_rbac_create_persistent_volumes::TEST_RULES,
        ),
        (
            &w408_rbac_nodes_proxy::CHECK,
            w408_rbac_nodes_proxy::TEST_RULES,
        ),
        (
            &w409_rbac_csr_approval::CHECK,
            w409_rbac_csr_approval::TEST_RULES,
        ),
        (
            &w410_rbac_webhook_configuration::CHECK,
            w410_rbac_webhook_configuration::TEST_RULES,
        ),
        (
            &w411_rbac_service_account_token_create::CHECK,
            w411_rbac_service_account_token_create::TEST_RULES,
        ),
    ]
}

/// Each binding check's evaluation, its code (for failure messages) and its vectors.
fn each_binding_check(test: impl Fn(Evaluate, &str, &Rules)) {
    for (check, rules) in binding_checks() {
        let Eval::Inventory(evaluate) = check.eval else {
            panic!(
                "{}: a binding check is evaluated over the inputs",
                check.meta.code
            );
        };
        test(evaluate, check.meta.code, &rules);
    }
}

#[test]
fn every_binding_check_has_vectors() {
    let tested: Vec<&str> = binding_checks().iter().map(|(c, _)| c.meta.code).collect();
    let declared: Vec<&str> = rbac_permission_checks()
        .iter()
        .map(|(m, _)| m.code)
        .collect();
    assert_eq!(tested, declared);
}

/// A binding of the granting rule fails, naming the binding, the subject and the rule's
/// position.
#[test]
fn fails_when_a_binding_grants_it() {
    each_binding_check(|evaluate, code, rules| {
        let f = run_check(
            &cluster(rules.granting, "grant"),
            &ScanOptions::default(),
            evaluate,
        );
        assert_eq!(f.len(), 1, "{code}");
        assert_eq!(f[0].status, Status::Fail, "{code}");
        assert_eq!(f[0].resource.name, "grant", "{code}");
        assert!(
            f[0].message.contains("User alice"),
            "{code}: {}",
            f[0].message
        );
        assert_eq!(
            f[0].evidence[1].source.key.as_deref(),
            Some("/rules/0"),
            "{code}"
        );
    });
}

/// A binding of only the harmless rule passes.
#[test]
fn passes_when_only_harmless_rules_are_bound() {
    each_binding_check(|evaluate, code, rules| {
        let f = run_check(
            &cluster(rules.harmless, "grant"),
            &ScanOptions::default(),
            evaluate,
        );
        assert_eq!(f.len(), 1, "{code}");
        assert_eq!(f[0].status, Status::Pass, "{code}");
    });
}

/// Nothing is skipped by name or by overlap with W400: an offline `system:` binding of the
/// granting rule fails like any other, and so does a binding of an argo-cd–like controller role
/// holding `*` on `*/*` (its finding points to W400), so no PASS ever covers either.
#[test]
fn system_names_and_full_access_bindings_are_judged() {
    each_binding_check(|evaluate, code, rules| {
        let named = run_check(
            &cluster(rules.granting, "system:grant"),
            &ScanOptions::default(),
            evaluate,
        );
        assert_eq!(named.len(), 1, "{code}");
        assert_eq!(named[0].status, Status::Fail, "{code}");
        assert_eq!(named[0].resource.name, "system:grant", "{code}");

        let f = run_check(ARGO, &ScanOptions::default(), evaluate);
        assert!(
            f.iter().all(|f| f.status != Status::Pass),
            "{code}: a PASS while argo-cd's controller holds everything: {f:#?}"
        );
        assert_eq!(f.len(), 1, "{code}: {f:#?}");
        assert_eq!(f[0].status, Status::Fail, "{code}");
        assert!(
            f[0].message
                .contains("ServiceAccount argocd/argocd-application-controller"),
            "{code}: {}",
            f[0].message
        );
        assert!(
            f[0].evidence
                .iter()
                .any(|e| e.note.as_deref().is_some_and(|n| n.contains("W400"))),
            "{code}: {f:#?}"
        );
    });
}

/// What `rbac_example!` writes, in full (`explain` and SARIF show the examples).
#[test]
fn rbac_example_expands_to_a_role_and_its_binding() {
    assert_eq!(
        rbac_example!("r", "{verbs: [get]}", "{verbs: [list]}"),
        r#"apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: r
rules:
- {verbs: [get]}
- {verbs: [list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: r
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}
subjects:
- {kind: ServiceAccount, name: r, namespace: ci}
"#
    );
}

/// An argo-cd–like controller role holding `*` on `*/*` (and on every non-resource URL), bound
/// to its service account, next to a harmless role bound to a group.
const ARGO: &str = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: argocd-application-controller}\nrules:\n- {apiGroups: ['*'], resources: ['*'], verbs: ['*']}\n- {nonResourceURLs: ['*'], verbs: ['*']}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: argocd-application-controller}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: argocd-application-controller}\nsubjects: [{kind: ServiceAccount, name: argocd-application-controller, namespace: argocd}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader}\nrules: [{apiGroups: [''], resources: [configmaps], verbs: [get]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: readers}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}\nsubjects: [{kind: Group, name: readers}]\n";

/// A ClusterRole holding `rule`, bound to User alice by a ClusterRoleBinding named `binding_name`.
pub fn cluster(rule: &str, binding_name: &str) -> String {
    format!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: tested}}\nrules: [{rule}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {{name: {binding_name}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: tested}}\nsubjects: [{{kind: User, name: alice}}]\n"
    )
}

/// The host-namespace checks, each with the pod-spec flag it judges.
fn host_flag_checks() -> [(&'static Check, &'static str); 3] {
    [
        (&w421_host_pid::CHECK, "hostPID"),
        (&w422_host_ipc::CHECK, "hostIPC"),
        (&w423_host_network::CHECK, "hostNetwork"),
    ]
}

fn inventory_eval(check: &Check) -> Evaluate {
    let Eval::Inventory(evaluate) = check.eval else {
        panic!("{}: evaluated over the inputs", check.meta.code);
    };
    evaluate
}

/// A Deployment setting the pod-spec flag to true fails, pointing at the field.
#[test]
fn host_flag_set_fails_with_field_path() {
    for (check, flag) in host_flag_checks() {
        let input = deployment(
            "d",
            "shop",
            &format!("      {flag}: true\n      containers: [{{name: app, image: nginx}}]"),
        );
        let f = run_check(&input, &ScanOptions::default(), inventory_eval(check));
        assert_eq!(f[0].status, Status::Fail, "{flag}");
        assert_eq!(
            f[0].evidence[0].source.key.as_deref(),
            Some(format!("/spec/template/spec/{flag}").as_str())
        );
    }
}

/// A Deployment without the pod-spec flag, or with it false, passes.
#[test]
fn host_flag_unset_or_false_passes() {
    for (check, flag) in host_flag_checks() {
        for spec in [
            "      containers: [{name: app, image: nginx}]".to_string(),
            format!("      {flag}: false\n      containers: [{{name: app, image: nginx}}]"),
        ] {
            let f = run_check(
                &deployment("d", "shop", &spec),
                &ScanOptions::default(),
                inventory_eval(check),
            );
            assert_eq!(f[0].status, Status::Pass, "{flag}");
        }
    }
}
