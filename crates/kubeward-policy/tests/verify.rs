//! `verify` on a small suite written for the test: passing and failing assertions, skipped
//! tests, the engine filter, and the reasons given.

use std::path::Path;

use kubeward_policy::{Engine, VerifyOptions, verify};

const TEMPLATE: &str = r#"apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: k8snolatest
spec:
  crd:
    spec:
      names:
        kind: K8sNoLatest
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package k8snolatest
        violation[{"msg": msg}] {
          c := input.review.object.spec.containers[_]
          endswith(c.image, ":latest")
          msg := sprintf("container %v uses a latest tag", [c.name])
        }
"#;

const CONSTRAINT: &str = "apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sNoLatest
metadata:
  name: no-latest
spec:
  match:
    kinds: [{apiGroups: [\"\"], kinds: [Pod]}]
";

fn pod(images: &[&str]) -> String {
    let containers: String = images
        .iter()
        .enumerate()
        .map(|(i, img)| format!("  - name: c{i}\n    image: {img}\n"))
        .collect();
    format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n{containers}")
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write a fixture");
}

#[test]
fn cases_pass_or_fail_with_a_reason() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let d = dir.path();
    write(d, "template.yaml", TEMPLATE);
    write(d, "constraint.yaml", CONSTRAINT);
    write(d, "ok.yaml", &pod(&["nginx:1.27"]));
    write(d, "two.yaml", &pod(&["nginx:latest", "redis:latest"]));
    write(
        d,
        "suite.yaml",
        "kind: Suite
apiVersion: test.gatekeeper.sh/v1alpha1
metadata:
  name: nolatest
tests:
- name: no-latest
  template: template.yaml
  constraint: constraint.yaml
  cases:
  - name: allowed
    object: ok.yaml
    assertions:
    - violations: no
  - name: two-latest
    object: two.yaml
    assertions:
    - violations: 2
    - message: c1
      violations: 1
  - name: wrong-count
    object: two.yaml
    assertions:
    - violations: 1
  - name: missing-file
    object: nowhere.yaml
    assertions:
    - violations: yes
- name: skipped
  skip: true
  template: template.yaml
  constraint: constraint.yaml
  cases:
  - name: never-run
    object: ok.yaml
",
    );
    let report = verify(&[d.to_path_buf()], &VerifyOptions::default());
    assert_eq!(report.suites.len(), 1);
    assert!(!report.passed());
    assert_eq!(report.counts(), (2, 2, 1));
    let cases = &report.suites[0].tests[0].cases;
    let reason = |i: usize| cases[i].reason.clone().unwrap_or_default();
    assert!(cases[0].ok && cases[1].ok);
    assert!(
        reason(2).contains("expected 1 violations, got 2"),
        "{}",
        reason(2)
    );
    assert!(reason(3).starts_with("object: "), "{}", reason(3));
    assert_eq!(
        report.suites[0].tests[1].skipped.as_deref(),
        Some("skip: true")
    );

    // Under CEL the template has no code: the test is skipped, not failed.
    let cel = verify(
        &[d.to_path_buf()],
        &VerifyOptions {
            engine: Some(Engine::Cel),
            ..VerifyOptions::default()
        },
    );
    assert!(cel.passed());
    assert_eq!(cel.counts(), (0, 0, 5));
}

#[test]
fn what_cannot_be_walked_is_a_failed_suite_not_a_silent_skip() {
    let outside = tempfile::tempdir().expect("a temporary folder");
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::os::unix::fs::symlink(outside.path(), dir.path().join("elsewhere")).expect("a link");
    let report = verify(&[dir.path().to_path_buf()], &VerifyOptions::default());
    assert_eq!(report.suites.len(), 1);
    let s = &report.suites[0];
    assert!(s.path.ends_with("elsewhere"));
    assert!(
        s.error
            .as_deref()
            .is_some_and(|e| e.contains("not followed"))
    );
    assert!(!report.passed());
}
