//! Shared test scaffolding for checks whose vectors differ only in one input: the RBAC binding
//! checks (each supplies one rule that grants what it looks for and one that does not) and the
//! host-namespace checks (each supplies its pod-spec flag).

use kubeward_core::{Finding, Status};

use crate::ctx::{Ctx, ScanOptions, deployment, run_check};

type Evaluate = fn(&Ctx<'_>) -> Vec<Finding>;

/// A ClusterRole holding `rule`, bound to User alice by a ClusterRoleBinding named `binding_name`.
pub fn cluster(rule: &str, binding_name: &str) -> String {
    format!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: tested}}\nrules: [{rule}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {{name: {binding_name}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: tested}}\nsubjects: [{{kind: User, name: alice}}]\n"
    )
}

/// A binding of `granting_rule` fails, naming the binding, the subject and the rule's position.
pub fn fails_when_a_binding_grants_it(evaluate: Evaluate, granting_rule: &str) {
    let f = run_check(
        &cluster(granting_rule, "grant"),
        &ScanOptions::default(),
        evaluate,
    );
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].status, Status::Fail);
    assert_eq!(f[0].resource.name, "grant");
    assert!(f[0].message.contains("User alice"), "{}", f[0].message);
    assert_eq!(f[0].evidence[1].source.key.as_deref(), Some("/rules/0"));
}

/// A binding of only `harmless_rule` passes.
pub fn passes_when_only_harmless_rules_are_bound(evaluate: Evaluate, harmless_rule: &str) {
    let f = run_check(
        &cluster(harmless_rule, "grant"),
        &ScanOptions::default(),
        evaluate,
    );
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].status, Status::Pass);
}

/// Nothing is skipped by name or by overlap with W400: an offline `system:` binding of
/// `granting_rule` fails like any other, and so does a binding of an argo-cd–like controller role
/// holding `*` on `*/*` (its finding points to W400), so no PASS ever covers either.
pub fn system_names_and_full_access_bindings_are_judged(evaluate: Evaluate, granting_rule: &str) {
    let named = run_check(
        &cluster(granting_rule, "system:grant"),
        &ScanOptions::default(),
        evaluate,
    );
    assert_eq!(named.len(), 1);
    assert_eq!(named[0].status, Status::Fail);
    assert_eq!(named[0].resource.name, "system:grant");

    let argo = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: argocd-application-controller}\nrules:\n- {apiGroups: ['*'], resources: ['*'], verbs: ['*']}\n- {nonResourceURLs: ['*'], verbs: ['*']}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: argocd-application-controller}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: argocd-application-controller}\nsubjects: [{kind: ServiceAccount, name: argocd-application-controller, namespace: argocd}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader}\nrules: [{apiGroups: [''], resources: [configmaps], verbs: [get]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: readers}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}\nsubjects: [{kind: Group, name: readers}]\n";
    let f = run_check(argo, &ScanOptions::default(), evaluate);
    assert!(
        f.iter().all(|f| f.status != Status::Pass),
        "a PASS while argo-cd's controller holds everything: {f:#?}"
    );
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].status, Status::Fail);
    assert!(
        f[0].message
            .contains("ServiceAccount argocd/argocd-application-controller"),
        "{}",
        f[0].message
    );
    assert!(
        f[0].evidence
            .iter()
            .any(|e| e.note.as_deref().is_some_and(|n| n.contains("W400"))),
        "{f:#?}"
    );
}

/// A Deployment setting the pod-spec `flag` to true fails, pointing at the field.
pub fn host_flag_set_fails_with_field_path(evaluate: Evaluate, flag: &str) {
    let input = deployment(
        "d",
        "shop",
        &format!("      {flag}: true\n      containers: [{{name: app, image: nginx}}]"),
    );
    let f = run_check(&input, &ScanOptions::default(), evaluate);
    assert_eq!(f[0].status, Status::Fail);
    assert_eq!(
        f[0].evidence[0].source.key.as_deref(),
        Some(format!("/spec/template/spec/{flag}").as_str())
    );
}

/// A Deployment without the pod-spec `flag`, or with it false, passes.
pub fn host_flag_unset_or_false_passes(evaluate: Evaluate, flag: &str) {
    for spec in [
        "      containers: [{name: app, image: nginx}]".to_string(),
        format!("      {flag}: false\n      containers: [{{name: app, image: nginx}}]"),
    ] {
        let f = run_check(
            &deployment("d", "shop", &spec),
            &ScanOptions::default(),
            evaluate,
        );
        assert_eq!(f[0].status, Status::Pass);
    }
}
