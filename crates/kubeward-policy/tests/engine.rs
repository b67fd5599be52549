//! The engine through its public API, on small YAML inputs: matching, parameter defaults,
//! inventory and sync, expansion, the budget, compile errors, AdmissionReviews, enforcement
//! actions and the engine choice.

use std::time::Duration;

use kubeward_inventory::{LoadOptions, load_str};
use kubeward_policy::*;

/// A template of kind `kind` whose Rego body is `rego` (the package line is added).
fn template(kind: &str, rego: &str) -> String {
    let body = rego
        .lines()
        .map(|l| format!("        {l}"))
        .collect::<Vec<_>>()
        .join("\n");
    format!(
        "apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: {lower}
spec:
  crd:
    spec:
      names:
        kind: {kind}
      validation:
        openAPIV3Schema:
          type: object
          properties:
            label: {{type: string, default: owner}}
            limit: {{type: integer}}
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package {lower}
{body}
",
        lower = kind.to_lowercase()
    )
}

fn constraint(kind: &str, name: &str, spec: &str) -> String {
    format!(
        "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: {kind}\nmetadata:\n  name: {name}\nspec:\n{spec}\n"
    )
}

/// A template that flags any object without the label named by `parameters.label`.
const NEEDS_LABEL: &str = r#"violation[{"msg": msg, "details": {"missing": p}}] {
  p := input.parameters.label
  not input.review.object.metadata.labels[p]
  msg := sprintf("%v %v has no label %v", [input.review.kind.kind, input.review.object.metadata.name, p])
}"#;

struct Run {
    outcomes: Vec<Outcome>,
    errors: Vec<PolicyError>,
}

fn run_with(docs: &[String], inventory: &str, opts: &EvalOptions) -> Run {
    let text = docs.join("\n---\n");
    let inv = load_str("input.yaml", &text, &LoadOptions::default());
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    let (set, reviews, errors) = PolicySet::load(&inv.objects);
    let extra = load_str("inventory.yaml", inventory, &LoadOptions::default());
    let outcomes = evaluate(&set, &reviews, &extra.objects, opts);
    Run { outcomes, errors }
}

fn run(docs: &[String]) -> Run {
    run_with(docs, "", &EvalOptions::default())
}

fn violations(r: &Run) -> Vec<&Violation> {
    r.outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Violation(v) => Some(v),
            Outcome::Error(_) => None,
        })
        .collect()
}

fn names(r: &Run) -> Vec<String> {
    let mut n: Vec<String> = violations(r)
        .iter()
        .map(|v| format!("{}/{}", v.object.kind, v.object.name))
        .collect();
    n.sort();
    n
}

fn pod(name: &str, ns: Option<&str>, labels: &str) -> String {
    let ns = ns
        .map(|n| format!("\n  namespace: {n}"))
        .unwrap_or_default();
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}{ns}\n  labels: {labels}\nspec:\n  containers:\n  - name: c\n    image: nginx\n"
    )
}

#[test]
fn parameter_defaults_fill_absent_parameters() {
    let r = run(&[
        template("K8sNeedsLabel", NEEDS_LABEL),
        constraint(
            "K8sNeedsLabel",
            "need-owner",
            "  match:\n    kinds: [{apiGroups: [\"\"], kinds: [Pod]}]",
        ),
        pod("a", Some("x"), "{owner: me}"),
        pod("b", Some("x"), "{}"),
    ]);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let v = violations(&r);
    assert_eq!(names(&r), ["Pod/b"]);
    assert_eq!(v[0].message, "Pod b has no label owner");
    assert_eq!(v[0].details, serde_json::json!({"missing": "owner"}));
    assert_eq!(v[0].constraint.code(), "GK/K8sNeedsLabel/need-owner");
    assert_eq!(v[0].template, "k8sneedslabel");
    assert_eq!(v[0].action, Action::Deny);
    assert_eq!(v[0].severity, None);
    assert_eq!(v[0].engine, Engine::Rego);
    // The violation points at the Pod's own document.
    assert_eq!(&*v[0].origin.file, "input.yaml");
    assert!(
        v[0].origin.line.is_some_and(|l| l > 30),
        "{:?}",
        v[0].origin
    );
}

#[test]
fn matching_honours_every_criterion() {
    let docs = |m: &str| {
        vec![
            template("K8sNeedsLabel", NEEDS_LABEL),
            constraint("K8sNeedsLabel", "c", &format!("  match:\n{m}")),
            pod("web-1", Some("prod-a"), "{tier: web}"),
            pod("db-1", Some("prod-b"), "{tier: db}"),
            pod("tool", Some("kube-system"), "{}"),
            pod("loose", None, "{}"),
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod-a\n  labels: {env: prod}"
                .to_string(),
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod-b\n  labels: {env: test}"
                .to_string(),
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: role"
                .to_string(),
        ]
    };
    let pods = "    kinds: [{apiGroups: [\"\"], kinds: [Pod]}]\n";
    let cases: &[(&str, &[&str])] = &[
        (
            "    kinds: [{apiGroups: [\"*\"], kinds: [\"*\"]}]\n",
            &[
                "ClusterRole/role",
                "Namespace/prod-a",
                "Namespace/prod-b",
                "Pod/db-1",
                "Pod/loose",
                "Pod/tool",
                "Pod/web-1",
            ],
        ),
        (pods, &["Pod/db-1", "Pod/loose", "Pod/tool", "Pod/web-1"]),
        // A namespace-less Pod may land anywhere: the namespace criteria do not drop it.
        (
            &format!("{pods}    namespaces: [\"prod-*\"]"),
            &["Pod/db-1", "Pod/loose", "Pod/web-1"],
        ),
        (
            &format!("{pods}    excludedNamespaces: [\"*-system\", prod-b]"),
            &["Pod/loose", "Pod/web-1"],
        ),
        (
            &format!(
                "{pods}    labelSelector: {{matchExpressions: [{{key: tier, operator: In, values: [web]}}]}}"
            ),
            &["Pod/web-1"],
        ),
        (
            &format!("{pods}    labelSelector: {{matchLabels: {{tier: db}}}}"),
            &["Pod/db-1"],
        ),
        // Namespaces not given have no labels; a Namespace is judged by its own labels.
        (
            "    namespaceSelector: {matchLabels: {env: prod}}\n",
            &["ClusterRole/role", "Namespace/prod-a", "Pod/web-1"],
        ),
        (
            "    scope: Cluster\n",
            &["ClusterRole/role", "Namespace/prod-a", "Namespace/prod-b"],
        ),
        (
            "    scope: Namespaced\n",
            &["Pod/db-1", "Pod/loose", "Pod/tool", "Pod/web-1"],
        ),
        ("    name: \"*-1\"\n", &["Pod/db-1", "Pod/web-1"]),
    ];
    for (m, want) in cases {
        let opts = EvalOptions {
            expand_workloads: false,
            ..EvalOptions::default()
        };
        let r = run_with(&docs(m), "", &opts);
        assert!(r.errors.is_empty(), "{m}: {:?}", r.errors);
        assert_eq!(names(&r), *want, "match:\n{m}");
    }
}

#[test]
fn inventory_fills_data_inventory_and_a_config_limits_it() {
    let unique_host = r#"violation[{"msg": msg}] {
  host := input.review.object.spec.rules[_].host
  other := data.inventory.namespace[ns][_]["Ingress"][name]
  other.spec.rules[_].host == host
  not (ns == input.review.object.metadata.namespace; name == input.review.object.metadata.name)
  msg := sprintf("host %v is also used by %v/%v", [host, ns, name])
}"#;
    let unique_host = unique_host.replace(
        "  not (ns == input.review.object.metadata.namespace; name == input.review.object.metadata.name)\n",
        "  name != input.review.object.metadata.name\n",
    );
    let ingress = |name: &str, ns: &str| {
        format!(
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  rules:\n  - host: shop.example.com\n"
        )
    };
    let docs = vec![
        template("K8sUniqueHost", &unique_host),
        constraint(
            "K8sUniqueHost",
            "unique",
            "  match:\n    kinds: [{apiGroups: [networking.k8s.io], kinds: [Ingress]}]",
        ),
        ingress("new", "web"),
    ];
    let inventory = ingress("old", "shop");
    let r = run_with(&docs, &inventory, &EvalOptions::default());
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let v = violations(&r);
    assert_eq!(v.len(), 1);
    assert_eq!(
        v[0].message,
        "host shop.example.com is also used by shop/old"
    );
    // Without the inventory, nothing to compare with.
    assert!(violations(&run_with(&docs, "", &EvalOptions::default())).is_empty());
    // A Config that syncs only Services leaves Ingresses out of data.inventory.
    let mut with_config = docs.clone();
    with_config.push("apiVersion: config.gatekeeper.sh/v1alpha1\nkind: Config\nmetadata:\n  name: config\n  namespace: gatekeeper-system\nspec:\n  sync:\n    syncOnly:\n    - {group: \"\", version: v1, kind: Service}".into());
    assert!(violations(&run_with(&with_config, &inventory, &EvalOptions::default())).is_empty());
    let mut syncs_ingress = docs.clone();
    syncs_ingress.push("apiVersion: config.gatekeeper.sh/v1alpha1\nkind: Config\nmetadata:\n  name: config\nspec:\n  sync:\n    syncOnly:\n    - {group: networking.k8s.io, version: v1, kind: Ingress}".into());
    assert_eq!(
        violations(&run_with(
            &syncs_ingress,
            &inventory,
            &EvalOptions::default()
        ))
        .len(),
        1
    );
}

const NO_PRIVILEGED: &str = r#"violation[{"msg": msg}] {
  c := input.review.object.spec.containers[_]
  c.securityContext.privileged
  msg := sprintf("privileged container %v in %v/%v", [c.name, input.review.object.metadata.namespace, input.review.object.metadata.name])
}"#;

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: nginx
        securityContext: {privileged: true}
";

#[test]
fn workloads_are_reviewed_as_their_pods_and_attributed_to_the_workload() {
    let docs = vec![
        template("K8sNoPrivileged", NO_PRIVILEGED),
        constraint(
            "K8sNoPrivileged",
            "no-priv",
            "  match:\n    kinds: [{apiGroups: [\"\"], kinds: [Pod]}]\n    labelSelector: {matchLabels: {app: web}}\n    namespaces: [shop]",
        ),
        DEPLOYMENT.to_string(),
    ];
    let r = run(&docs);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let v = violations(&r);
    assert_eq!(v.len(), 1);
    // The generated Pod: the template's labels, the Deployment's namespace and name.
    assert_eq!(v[0].message, "privileged container app in shop/web");
    assert_eq!(v[0].object.kind, "Pod");
    let from = v[0].expanded_from.as_ref().expect("came through expansion");
    assert_eq!(from.workload.kind, "Deployment");
    assert_eq!(from.workload.name, "web");
    assert_eq!(from.expansion, None);
    // The finding points at the Deployment's document.
    assert_eq!(v[0].origin, from.origin);
    assert!(v[0].origin.line.is_some());

    // Off: only the Deployment itself is reviewed, and the constraint matches Pods.
    let off = EvalOptions {
        expand_workloads: false,
        ..EvalOptions::default()
    };
    assert!(violations(&run_with(&docs, "", &off)).is_empty());
}

#[test]
fn expansion_templates_replace_the_default_and_may_override_the_action() {
    let et = "apiVersion: expansion.gatekeeper.sh/v1beta1
kind: ExpansionTemplate
metadata:
  name: expand-deployments
spec:
  applyTo:
  - groups: [apps]
    kinds: [Deployment]
    versions: [v1]
  templateSource: spec.template
  generatedGVK: {kind: Pod, group: \"\", version: v1}
  enforcementAction: warn
";
    let docs = vec![
        template("K8sNoPrivileged", NO_PRIVILEGED),
        constraint(
            "K8sNoPrivileged",
            "no-priv",
            "  match:\n    kinds: [{apiGroups: [\"\"], kinds: [Pod]}]",
        ),
        DEPLOYMENT.to_string(),
        DEPLOYMENT
            .replace("kind: Deployment", "kind: StatefulSet")
            .replace("name: web\n", "name: db\n"),
        et.to_string(),
    ];
    let r = run(&docs);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let v = violations(&r);
    // Only Deployments expand (the StatefulSet is not in applyTo).
    assert_eq!(v.len(), 1);
    let from = v[0].expanded_from.as_ref().expect("expanded");
    assert_eq!(from.workload.name, "web");
    assert_eq!(from.expansion.as_deref(), Some("expand-deployments"));
    assert_eq!(v[0].action, Action::Warn);
    assert_eq!(v[0].enforcement.action, Some(Action::Deny));
}

#[test]
fn a_looping_template_is_stopped_by_the_budget_and_the_rest_goes_on() {
    let explode = r#"violation[{"msg": msg}] {
  input.review.object.kind == "Pod"
  n := count([x | x := numbers.range(1, 2000000)[_]; y := numbers.range(1, 1000)[_]; x > y])
  n < 0
  msg := "never"
}"#;
    let docs = vec![
        template("K8sExplode", explode),
        constraint(
            "K8sExplode",
            "boom",
            "  match:\n    kinds: [{apiGroups: [\"\"], kinds: [Pod]}]",
        ),
        template("K8sNeedsLabel", NEEDS_LABEL),
        constraint(
            "K8sNeedsLabel",
            "need-owner",
            "  match:\n    kinds: [{apiGroups: [\"\"], kinds: [Pod]}]",
        ),
        pod("a", Some("x"), "{}"),
    ];
    let opts = EvalOptions {
        budget: Duration::from_millis(200),
        ..EvalOptions::default()
    };
    let r = run_with(&docs, "", &opts);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let errors: Vec<&EvalError> = r
        .outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Error(e) => Some(e),
            Outcome::Violation(_) => None,
        })
        .collect();
    assert_eq!(errors.len(), 1, "{:?}", r.outcomes);
    assert_eq!(errors[0].constraint.name, "boom");
    assert_eq!(
        errors[0].reason,
        EvalFailure::Budget(Duration::from_millis(200))
    );
    assert_eq!(names(&r), ["Pod/a"]);
}

#[test]
fn a_template_that_does_not_compile_is_an_error_with_its_file_and_line() {
    let broken = "violation[{\"msg\": msg}] {\n  msg := \"x\"\n  x := \n}";
    let docs = vec![
        template("K8sBroken", broken),
        constraint("K8sBroken", "b", ""),
        pod("a", None, "{}"),
    ];
    let r = run(&docs);
    // The template's error, and its constraint has no template.
    assert_eq!(r.errors.len(), 2, "{:?}", r.errors);
    assert_eq!(r.errors[0].file, "input.yaml");
    // `rego: |` is on line 18; the package line is 19, the broken line 22 (or the brace on 23).
    let line = r.errors[0].line.expect("a line");
    assert!((22..=23).contains(&line), "line {line}: {}", r.errors[0]);
    assert!(r.errors[0].message.contains("k8sbroken"), "{}", r.errors[0]);
    assert!(
        r.errors[1]
            .message
            .contains("no ConstraintTemplate defines the kind K8sBroken")
    );
    assert!(r.outcomes.is_empty());
}

#[test]
fn admission_reviews_are_reviewed_as_their_request() {
    let no_sa_change = r#"violation[{"msg": msg}] {
  input.review.operation == "UPDATE"
  input.review.oldObject.spec.serviceAccountName != input.review.object.spec.serviceAccountName
  msg := sprintf("%v may not change the service account", [input.review.userInfo.username])
}
violation[{"msg": msg}] {
  input.review.operation == "DELETE"
  input.review.oldObject.metadata.labels.protected == "true"
  msg := sprintf("%v/%v is protected", [input.review.namespace, input.review.name])
}"#;
    let review = |op: &str, object: &str, old: &str| {
        format!(
            "apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\nrequest:\n  operation: {op}\n  kind: {{group: \"\", version: v1, kind: Pod}}\n  namespace: shop\n  name: p\n  userInfo: {{username: mallory}}\n{object}{old}"
        )
    };
    let obj = |sa: &str| {
        format!(
            "  object:\n    apiVersion: v1\n    kind: Pod\n    metadata: {{name: p, namespace: shop}}\n    spec: {{serviceAccountName: {sa}}}\n"
        )
    };
    let old = |sa: &str, protected: &str| {
        format!(
            "  oldObject:\n    apiVersion: v1\n    kind: Pod\n    metadata: {{name: p, namespace: shop, labels: {{protected: \"{protected}\"}}}}\n    spec: {{serviceAccountName: {sa}}}\n"
        )
    };
    let docs = vec![
        template("K8sGuard", no_sa_change),
        constraint(
            "K8sGuard",
            "guard",
            "  match:\n    kinds: [{apiGroups: [\"\"], kinds: [Pod]}]\n    labelSelector: {matchLabels: {protected: \"true\"}}",
        ),
        review("UPDATE", &obj("admin"), &old("default", "true")),
        review("UPDATE", &obj("default"), &old("default", "true")),
        review("DELETE", "", &old("default", "true")),
        review("DELETE", "", &old("default", "false")),
    ];
    let r = run(&docs);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let msgs: Vec<&str> = violations(&r).iter().map(|v| v.message.as_str()).collect();
    // The label selector matches the old object too (DELETE has no object).
    assert_eq!(
        msgs,
        [
            "mallory may not change the service account",
            "shop/p is protected"
        ]
    );
    let v = violations(&r);
    assert_eq!(v[1].object.namespace.as_deref(), Some("shop"));
    assert_eq!(v[1].object.name, "p");
}

#[test]
fn enforcement_actions_and_severity_are_resolved() {
    let mk = |name: &str, extra: &str| {
        constraint(
            "K8sNeedsLabel",
            name,
            &format!("  match:\n    kinds: [{{apiGroups: [\"\"], kinds: [Pod]}}]\n{extra}"),
        )
    };
    let docs = vec![
        template("K8sNeedsLabel", NEEDS_LABEL),
        mk("a-deny", ""),
        mk("b-dryrun", "  enforcementAction: dryrun"),
        mk("c-warn", "  enforcementAction: warn"),
        mk(
            "d-scoped",
            "  enforcementAction: scoped\n  scopedEnforcementActions:\n  - action: warn\n    enforcementPoints: [{name: validation.gatekeeper.sh}]\n  - action: dryrun\n    enforcementPoints: [{name: audit.gatekeeper.sh}]",
        ),
        mk(
            "e-gator-only",
            "  enforcementAction: scoped\n  scopedEnforcementActions:\n  - action: deny\n    enforcementPoints: [{name: gator.gatekeeper.sh}]",
        ),
        constraint(
            "K8sNeedsLabel",
            "f-high",
            "  match:\n    kinds: [{apiGroups: [\"\"], kinds: [Pod]}]",
        )
        .replace(
            "metadata:\n",
            "metadata:\n  annotations: {kubeward.io/severity: high}\n",
        ),
        pod("p", Some("x"), "{}"),
    ];
    let r = run(&docs);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let got: Vec<(String, Action, Option<kubeward_core::Severity>)> = violations(&r)
        .iter()
        .map(|v| (v.constraint.name.clone(), v.action, v.severity))
        .collect();
    use kubeward_core::Severity;
    assert_eq!(
        got,
        [
            ("a-deny".to_string(), Action::Deny, None),
            ("b-dryrun".to_string(), Action::Dryrun, None),
            ("c-warn".to_string(), Action::Warn, None),
            ("d-scoped".to_string(), Action::Dryrun, None),
            ("f-high".to_string(), Action::Deny, Some(Severity::High)),
        ]
    );
    // An unknown action is an input error naming the constraint.
    let bad = run(&[
        template("K8sNeedsLabel", NEEDS_LABEL),
        mk("z", "  enforcementAction: block"),
    ]);
    assert_eq!(bad.errors.len(), 1);
    assert!(
        bad.errors[0]
            .message
            .contains("unknown enforcementAction \"block\"")
    );
}

#[test]
fn a_template_with_both_engines_runs_cel_unless_told_otherwise() {
    let both = template("K8sNeedsLabel", NEEDS_LABEL).replace(
        "  targets:\n    - target: admission.k8s.gatekeeper.sh\n",
        "  targets:\n    - target: admission.k8s.gatekeeper.sh\n      code:\n      - engine: K8sNativeValidation\n        source:\n          validations:\n          - expression: \"has(object.metadata.labels) && variables.params.label in object.metadata.labels\"\n            messageExpression: \"'cel: no label ' + variables.params.label\"\n",
    );
    let docs = vec![
        both,
        constraint(
            "K8sNeedsLabel",
            "c",
            "  match:\n    kinds: [{apiGroups: [\"\"], kinds: [Pod]}]",
        ),
        pod("p", Some("x"), "{}"),
    ];
    let r = run(&docs);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let v = violations(&r);
    assert_eq!(
        (v[0].engine, v[0].message.as_str()),
        (Engine::Cel, "cel: no label owner")
    );
    let rego = run_with(
        &docs,
        "",
        &EvalOptions {
            engine: Some(Engine::Rego),
            ..EvalOptions::default()
        },
    );
    let v = violations(&rego);
    assert_eq!(
        (v[0].engine, v[0].message.as_str()),
        (Engine::Rego, "Pod p has no label owner")
    );
}

#[test]
fn sets_loaded_apart_merge_and_describe_their_checks() {
    let load = |docs: &[String]| {
        let inv = load_str("p.yaml", &docs.join("\n---\n"), &LoadOptions::default());
        PolicySet::load(&inv.objects)
    };
    let (mut a, _, ea) = load(&[template("K8sNoPrivileged", NO_PRIVILEGED)]);
    let (b, _, eb) = load(&[
        template("K8sNeedsLabel", NEEDS_LABEL),
        constraint(
            "K8sNeedsLabel",
            "owner",
            "  match:\n    kinds: [{apiGroups: [\"\"], kinds: [Pod]}]",
        ),
    ]);
    assert!(ea.is_empty() && eb.is_empty());
    a.merge(b);
    let t: Vec<(String, String, Vec<Engine>)> = a
        .templates()
        .map(|t| (t.name.clone(), t.kind.clone(), t.engines.clone()))
        .collect();
    assert_eq!(
        t,
        [
            (
                "k8snoprivileged".into(),
                "K8sNoPrivileged".into(),
                vec![Engine::Rego]
            ),
            (
                "k8sneedslabel".into(),
                "K8sNeedsLabel".into(),
                vec![Engine::Rego]
            ),
        ]
    );
    let c: Vec<(String, String)> = a
        .constraints()
        .map(|c| (c.constraint.code(), c.template.clone()))
        .collect();
    assert_eq!(
        c,
        [("GK/K8sNeedsLabel/owner".into(), "k8sneedslabel".into())]
    );
    // The merged constraint still evaluates with its own template.
    let inv = load_str(
        "o.yaml",
        &pod("p", Some("x"), "{}"),
        &LoadOptions::default(),
    );
    let (_, reviews, _) = PolicySet::load(&inv.objects);
    let out = evaluate(&a, &reviews, &[], &EvalOptions::default());
    assert!(matches!(&out[..], [Outcome::Violation(v)] if v.message == "Pod p has no label owner"));
}
