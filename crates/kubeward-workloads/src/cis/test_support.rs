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

/// A `system:` binding of `granting_rule` is hidden by default and fails with `include_system`.
pub fn built_in_bindings_are_hidden_unless_asked(evaluate: Evaluate, granting_rule: &str) {
    let input = cluster(granting_rule, "system:grant");
    let hidden = run_check(&input, &ScanOptions::default(), evaluate);
    assert_eq!(hidden[0].status, Status::Pass);
    let shown = run_check(
        &input,
        &ScanOptions {
            include_system: true,
            ..Default::default()
        },
        evaluate,
    );
    assert_eq!(shown[0].status, Status::Fail);
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
