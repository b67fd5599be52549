//! `kubeward policy test`, `policy verify`, and constraint checks in `workloads`, `checks` and
//! every report format: what a user runs, end to end, with the real engines.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example(name: &str) -> String {
    root()
        .join("examples/policy")
        .join(name)
        .display()
        .to_string()
}

fn example_files() -> Vec<String> {
    ["template.yaml", "constraint.yaml", "objects.yaml"]
        .iter()
        .map(|f| example(f))
        .collect()
}

fn kubeward(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kubeward"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .unwrap()
}

/// `policy test ARGS` without the waiver file of the working directory.
fn policy_test(args: &[&str]) -> Output {
    let mut all = vec!["policy", "test"];
    all.extend_from_slice(args);
    all.push("--no-waivers");
    kubeward(&all)
}

/// `policy test ARGS -o json`, without waivers.
fn policy_test_json(args: &[&str]) -> Output {
    let mut all = args.to_vec();
    all.extend(["-o", "json"]);
    policy_test(&all)
}

fn run(args: &[String]) -> Output {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    kubeward(&refs)
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn findings(report: &Value) -> Vec<Value> {
    report["findings"].as_array().unwrap().clone()
}

/// (status, resource, message) of the policy area's non-PASS findings, sorted.
fn verdicts(report: &Value) -> Vec<(String, String, String)> {
    let mut v: Vec<(String, String, String)> = findings(report)
        .iter()
        .filter(|f| f["area"] == "policy" && f["status"] != "PASS")
        .map(|f| {
            let r = &f["resource"];
            let res = match r["namespace"].as_str() {
                Some(ns) => format!(
                    "{}/{ns}/{}",
                    r["kind"].as_str().unwrap(),
                    r["name"].as_str().unwrap()
                ),
                None => format!(
                    "{}/{}",
                    r["kind"].as_str().unwrap(),
                    r["name"].as_str().unwrap()
                ),
            };
            (
                f["status"].as_str().unwrap().to_string(),
                res,
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

const CODE: &str = "GK/K8sTrustedRegistry/only-our-registries";

#[test]
fn the_worked_example_gives_exactly_its_violations_under_both_engines() {
    for engine in ["rego", "cel"] {
        let mut args = vec!["policy".to_string(), "test".into()];
        args.extend(example_files());
        args.extend(["--engine", engine, "-o", "json", "--no-waivers"].map(String::from));
        let out = run(&args);
        assert_eq!(
            code(&out),
            1,
            "{engine}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report = json(&out);
        assert_eq!(report["input_errors"], serde_json::json!([]), "{engine}");
        assert_eq!(
            verdicts(&report),
            vec![
                (
                    "FAIL".to_string(),
                    "Deployment/storefront/cache".to_string(),
                    "images from outside the allowed registries: redis=redis:7.2".to_string()
                ),
                (
                    "FAIL".to_string(),
                    "Pod/storefront/debug".to_string(),
                    "images from outside the allowed registries: fetch=ghcr.io/acme/fetch:0.3"
                        .to_string()
                ),
            ],
            "{engine}"
        );
        let all = findings(&report);
        let cache = all
            .iter()
            .find(|f| f["resource"]["name"] == "cache")
            .unwrap();
        assert_eq!(cache["code"], CODE);
        assert_eq!(cache["area"], "policy");
        assert_eq!(cache["severity"], "high", "kubeward.io/severity annotation");
        // The workload's own file and line (the Deployment starts on line 19 of objects.yaml).
        let src = &cache["evidence"][0]["source"];
        assert!(src["file"].as_str().unwrap().ends_with("objects.yaml"));
        assert_eq!(src["line"], 19, "{cache}");
        let note = cache["evidence"][0]["note"].as_str().unwrap();
        assert!(note.contains("template k8strustedregistry"), "{note}");
        assert!(
            note.contains("K8sTrustedRegistry/only-our-registries"),
            "{note}"
        );
        assert!(note.contains(&format!("engine {engine}")), "{note}");
        assert!(note.contains("pod template"), "{note}");
        assert_eq!(report["facts"]["policy"]["constraints"], 1);
    }
}

#[test]
fn exit_codes_follow_fail_on_and_usage() {
    let mut base = vec!["policy".to_string(), "test".into()];
    base.extend(example_files());
    base.push("--no-waivers".into());
    let with = |extra: &[&str]| {
        let mut a = base.clone();
        a.extend(extra.iter().map(|s| s.to_string()));
        code(&run(&a))
    };
    assert_eq!(with(&[]), 1, "a high FAIL fails at the default threshold");
    assert_eq!(with(&["--fail-on", "high"]), 1);
    assert_eq!(
        with(&["--fail-on", "critical"]),
        0,
        "high is below critical"
    );
    assert_eq!(with(&["--fail-on", "never"]), 0);
    assert_eq!(with(&["--budget", "0s"]), 2, "a usage error");
    // Objects only: nothing to test with.
    assert_eq!(
        code(&kubeward(&["policy", "test", &example("objects.yaml")])),
        2
    );
    assert_eq!(
        code(&kubeward(&["policy", "test", "/nonexistent/x.yaml"])),
        2
    );
}

#[test]
fn dryrun_fails_warn_warns_and_scoped_takes_the_audit_action() {
    let dir = tempfile::tempdir().unwrap();
    let constraint = std::fs::read_to_string(example("constraint.yaml")).unwrap();
    let mut expected = Vec::new();
    for (action, status) in [("dryrun", "FAIL"), ("warn", "WARN")] {
        let text = constraint.replace(
            "enforcementAction: deny",
            &format!("enforcementAction: {action}"),
        );
        let c = write(dir.path(), "c.yaml", &text);
        let out = policy_test_json(&[&example("template.yaml"), &c, &example("objects.yaml")]);
        let report = json(&out);
        let statuses: Vec<String> = verdicts(&report).into_iter().map(|v| v.0).collect();
        assert_eq!(statuses, vec![status, status], "{action}");
        expected.push(code(&out));
    }
    assert_eq!(expected, vec![1, 0], "dryrun fails the run, warn does not");
    let scoped = constraint.replace(
        "enforcementAction: deny",
        "enforcementAction: scoped\n  scopedEnforcementActions:\n    - action: warn\n      enforcementPoints: [{name: audit.gatekeeper.sh}]\n    - action: deny\n      enforcementPoints: [{name: validation.gatekeeper.sh}]",
    );
    let c = write(dir.path(), "c.yaml", &scoped);
    let out = policy_test_json(&[&example("template.yaml"), &c, &example("objects.yaml")]);
    let statuses: Vec<String> = verdicts(&json(&out)).into_iter().map(|v| v.0).collect();
    assert_eq!(statuses, vec!["WARN", "WARN"], "the audit point's action");
}

const LABELS_TEMPLATE: &str = r#"apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: k8steamguard
spec:
  crd:
    spec:
      names:
        kind: K8sTeamGuard
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package k8steamguard

        violation[{"msg": msg}] {
          input.review.operation == "UPDATE"
          old := input.review.oldObject.metadata.labels.team
          new := input.review.object.metadata.labels.team
          old != new
          msg := sprintf("team label changed from %v to %v", [old, new])
        }

        violation[{"msg": msg}] {
          input.review.operation == "DELETE"
          input.review.oldObject.metadata.labels.protected == "true"
          msg := sprintf("%v is protected: %v may not delete it", [input.review.oldObject.metadata.name, input.review.userInfo.username])
        }
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sTeamGuard
metadata:
  name: team-guard
spec:
  match:
    kinds:
      - apiGroups: [""]
        kinds: ["ConfigMap"]
"#;

#[test]
fn admission_reviews_are_reviewed_as_their_update_and_delete_requests() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(dir.path(), "policy.yaml", LABELS_TEMPLATE);
    let update = write(
        dir.path(),
        "update.json",
        r#"{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
            "uid": "1", "operation": "UPDATE",
            "kind": {"group": "", "version": "v1", "kind": "ConfigMap"},
            "namespace": "shop", "name": "settings",
            "userInfo": {"username": "bob"},
            "object": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "shop", "labels": {"team": "payments"}}},
            "oldObject": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "shop", "labels": {"team": "shop"}}}}}"#,
    );
    let delete = write(
        dir.path(),
        "delete.yaml",
        "apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\nrequest:\n  uid: '2'\n  operation: DELETE\n  kind: {group: '', version: v1, kind: ConfigMap}\n  namespace: shop\n  name: keys\n  userInfo: {username: alice}\n  oldObject:\n    apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: keys, namespace: shop, labels: {protected: 'true', team: shop}}\n",
    );
    // A plain object is a CREATE: neither rule applies.
    let create = write(
        dir.path(),
        "create.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fresh, namespace: shop, labels: {protected: 'true', team: x}}\n",
    );
    let out = policy_test_json(&[&policy, &update, &delete, &create]);
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    let report = json(&out);
    assert_eq!(report["input_errors"], serde_json::json!([]));
    assert_eq!(
        verdicts(&report),
        vec![
            (
                "FAIL".to_string(),
                "ConfigMap/shop/keys".to_string(),
                "keys is protected: alice may not delete it".to_string()
            ),
            (
                "FAIL".to_string(),
                "ConfigMap/shop/settings".to_string(),
                "team label changed from shop to payments".to_string()
            ),
        ]
    );
}

const NAMESPACE_TEMPLATE: &str = r#"apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: k8sknownnamespace
spec:
  crd:
    spec:
      names:
        kind: K8sKnownNamespace
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package k8sknownnamespace

        violation[{"msg": msg}] {
          ns := input.review.object.metadata.namespace
          not data.inventory.cluster["v1"]["Namespace"][ns]
          msg := sprintf("namespace %v is not in the inventory", [ns])
        }
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sKnownNamespace
metadata:
  name: known-namespace
spec:
  match:
    kinds:
      - apiGroups: [""]
        kinds: ["Pod"]
"#;

#[test]
fn inventory_files_fill_data_inventory_and_are_not_reviewed() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(dir.path(), "policy.yaml", NAMESPACE_TEMPLATE);
    let pod = write(
        dir.path(),
        "pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec: {containers: [{name: c, image: x}]}\n",
    );
    // The inventory also holds a Pod in an unknown namespace: it is not reviewed.
    let inventory = write(
        dir.path(),
        "inventory.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: stray, namespace: nowhere}\nspec: {containers: [{name: c, image: x}]}\n",
    );
    let without = json(&kubeward(&["policy", "test", &policy, &pod, "-o", "json"]));
    assert_eq!(
        verdicts(&without),
        vec![(
            "FAIL".to_string(),
            "Pod/shop/p".to_string(),
            "namespace shop is not in the inventory".to_string()
        )]
    );
    let out = policy_test_json(&[&policy, &pod, "--inventory", &inventory]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let with = json(&out);
    assert_eq!(verdicts(&with), vec![]);
    let pass: Vec<&Value> = with["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "PASS" && f["code"] == "GK/K8sKnownNamespace/known-namespace")
        .collect();
    assert_eq!(
        pass.len(),
        1,
        "one PASS for the constraint nothing violates"
    );
    assert!(
        with["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["kind"] == "inventory"),
        "{}",
        with["inputs"]
    );
}

#[test]
fn sarif_rules_junit_and_checks_know_the_constraint_check() {
    let mut args = vec!["policy".to_string(), "test".into()];
    args.extend(example_files());
    args.extend(["-o", "sarif", "--no-waivers"].map(String::from));
    let sarif = json(&run(&args));
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let rule = rules
        .iter()
        .find(|r| r["id"] == CODE)
        .expect("a rule for the constraint");
    assert_eq!(rule["name"], "gk-k8strustedregistry-only-our-registries");
    assert!(
        rule["shortDescription"]["text"]
            .as_str()
            .unwrap()
            .contains("Images only from our registries"),
        "{rule}"
    );
    assert!(
        rule["fullDescription"]["text"]
            .as_str()
            .unwrap()
            .contains("Docker Hub"),
        "the template's description: {rule}"
    );
    assert_eq!(rule["properties"]["severity"], "high");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.iter().filter(|r| r["ruleId"] == CODE).count(), 2);

    let mut args = vec!["policy".to_string(), "test".into()];
    args.extend(example_files());
    args.extend(["-o", "junit", "--no-waivers"].map(String::from));
    let out = run(&args);
    let xml = String::from_utf8(out.stdout).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let failures = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .filter(|n| n.attribute("name").unwrap_or("").contains(CODE))
        .filter(|n| n.children().any(|c| c.has_tag_name("failure")))
        .count();
    assert_eq!(failures, 2, "{xml}");

    let out = kubeward(&[
        "checks",
        "--policy",
        &root().join("examples/policy").display().to_string(),
        "--area",
        "policy",
        "-o",
        "json",
    ]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let checks = json(&out);
    let codes: Vec<&str> = checks
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec![CODE]);
    let out = kubeward(&[
        "explain",
        CODE,
        "--policy",
        &root().join("examples/policy").display().to_string(),
    ]);
    assert_eq!(code(&out), 0);
    assert!(String::from_utf8_lossy(&out.stdout).contains("k8strustedregistry"));
}

#[test]
fn workloads_with_policy_joins_the_same_report_and_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let policy = root()
        .join("examples/policy/template.yaml")
        .display()
        .to_string();
    let constraint = example("constraint.yaml");
    let objects = example("objects.yaml");
    let out = kubeward(&[
        "workloads",
        &objects,
        "--policy",
        &policy,
        "--policy",
        &constraint,
        "-o",
        "json",
        "--no-waivers",
        "--fail-on",
        "never",
    ]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let report = json(&out);
    assert_eq!(verdicts(&report).len(), 2);
    assert!(
        findings(&report).iter().any(|f| f["area"] == "workloads"),
        "the workload checks ran too"
    );
    let saved = write(
        dir.path(),
        "base.json",
        &String::from_utf8_lossy(&out.stdout),
    );
    // Against itself: nothing new, so nothing fails.
    let out = kubeward(&[
        "workloads",
        &objects,
        "--policy",
        &policy,
        "--policy",
        &constraint,
        "-o",
        "json",
        "--no-waivers",
        "--baseline",
        &saved,
    ]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let again = json(&out);
    assert!(
        findings(&again)
            .iter()
            .filter(|f| f["code"] == CODE)
            .all(|f| f["baseline_state"] == "unchanged")
    );
}

#[test]
fn a_constraint_passes_only_when_it_judged_something() {
    let dir = tempfile::tempdir().unwrap();
    // Same template; one constraint matches only a namespace no object is in, one matches the
    // kube-system Pod, whose image is allowed by its parameters.
    let constraints = write(
        dir.path(),
        "constraints.yaml",
        "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sTrustedRegistry\nmetadata:\n  name: empty-namespace\nspec:\n  match:\n    kinds: [{apiGroups: [\"\"], kinds: [\"Pod\"]}]\n    namespaces: [\"nobody-here\"]\n  parameters:\n    registries: [contoso.azurecr.io]\n---\napiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sTrustedRegistry\nmetadata:\n  name: system-allowed\nspec:\n  match:\n    kinds: [{apiGroups: [\"\"], kinds: [\"Pod\"]}]\n    namespaces: [\"kube-system\"]\n  parameters:\n    registries: [quay.io]\n",
    );
    let out = kubeward(&[
        "policy",
        "test",
        &example("template.yaml"),
        &constraints,
        &example("objects.yaml"),
        "-o",
        "json",
        "--fail-on",
        "never",
    ]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let report = json(&out);
    let status = |c: &str| {
        findings(&report)
            .iter()
            .filter(|f| f["code"] == c)
            .map(|f| f["status"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        status("GK/K8sTrustedRegistry/empty-namespace"),
        ["NOT_APPLICABLE"]
    );
    assert_eq!(status("GK/K8sTrustedRegistry/system-allowed"), ["PASS"]);
}

#[test]
fn workloads_profiles_refuses_policy_flags_it_would_not_use() {
    let out = kubeward(&[
        "workloads",
        "profiles",
        &example("objects.yaml"),
        "--policy",
        &example("constraint.yaml"),
    ]);
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("unexpected argument '--policy'"));
}

#[test]
fn hostile_violation_messages_stay_text_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let template = r#"apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: k8snote
spec:
  crd:
    spec:
      names:
        kind: K8sNote
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package k8snote

        violation[{"msg": msg}] {
          msg := input.review.object.metadata.annotations.note
        }
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sNote
metadata:
  name: note
"#;
    let policy = write(dir.path(), "policy.yaml", template);
    let object = write(
        dir.path(),
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: x\n  annotations:\n    note: \"pwn \\e]0;title\\a \\u202e <img src=x onerror=alert(1)> [click](http://evil.example) ![i](http://evil.example/i.png) | cell | \\n# heading\"\n",
    );
    for format in ["text", "markdown", "html", "json", "sarif", "junit"] {
        let out = policy_test(&[&policy, &object, "-o", format]);
        assert_eq!(
            code(&out),
            1,
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        match format {
            "text" => {
                for line in text.lines() {
                    assert!(
                        !line
                            .chars()
                            .any(|c| c != '\t' && kubeward_core::escape::is_unsafe_char(c)),
                        "raw control character in {line:?}"
                    );
                }
                assert!(text.contains("pwn"), "{text}");
            }
            "markdown" => {
                use pulldown_cmark::{Event, Options, Parser, Tag};
                for event in Parser::new_ext(&text, Options::ENABLE_TABLES) {
                    match &event {
                        Event::Html(h) | Event::InlineHtml(h) => assert!(
                            matches!(
                                h.trim(),
                                "<details><summary>Remediation</summary>" | "</details>"
                            ),
                            "HTML from input: {h:?}"
                        ),
                        Event::Start(Tag::Image { .. } | Tag::Link { .. }) => {
                            panic!("input became markup: {event:?}")
                        }
                        _ => {}
                    }
                }
                assert!(text.contains("pwn"));
            }
            "html" => {
                assert!(!text.contains("<img src=x"), "raw HTML from input");
                assert!(text.contains("pwn"));
            }
            "junit" => {
                roxmltree::Document::parse(&text).unwrap();
            }
            _ => {
                let v: Value = serde_json::from_str(&text).unwrap();
                assert!(v.to_string().contains("onerror"), "kept as data");
            }
        }
    }
}

#[test]
fn a_looping_template_is_an_error_finding_and_the_rest_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let looping = r#"apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: k8sforever
spec:
  crd:
    spec:
      names:
        kind: K8sForever
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package k8sforever

        violation[{"msg": msg}] {
          x := numbers.range(1, 2000)[_]
          y := numbers.range(1, 2000)[_]
          z := numbers.range(1, 2000)[_]
          x + y + z < 0
          msg := "never"
        }
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sForever
metadata:
  name: forever
spec:
  match:
    kinds:
      - apiGroups: [""]
        kinds: ["Pod"]
    namespaces: ["storefront"]
    name: debug
"#;
    let policy = write(dir.path(), "forever.yaml", looping);
    let mut args = vec!["policy".to_string(), "test".into(), policy];
    args.extend(example_files());
    args.extend(
        [
            "--engine",
            "rego",
            "--budget",
            "300ms",
            "-o",
            "json",
            "--no-waivers",
        ]
        .map(String::from),
    );
    let out = run(&args);
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    let report = json(&out);
    let errors: Vec<Value> = findings(&report)
        .into_iter()
        .filter(|f| f["status"] == "ERROR")
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["code"], "GK/K8sForever/forever");
    assert_eq!(errors[0]["resource"]["name"], "debug");
    assert!(
        errors[0]["message"].as_str().unwrap().contains("budget"),
        "{}",
        errors[0]["message"]
    );
    // The other constraint's violations are all still there.
    let fails = verdicts(&report)
        .into_iter()
        .filter(|v| v.0 == "FAIL")
        .count();
    assert_eq!(fails, 2);
    // With --fail-on-error the ERROR alone fails the run.
    let mut args = vec![
        "policy".to_string(),
        "test".into(),
        dir.path().join("forever.yaml").display().to_string(),
        example("objects.yaml"),
    ];
    args.extend(["--budget", "300ms", "--fail-on-error", "--no-waivers"].map(String::from));
    assert_eq!(code(&run(&args)), 1);
}

#[test]
fn a_template_that_does_not_compile_is_an_input_error_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let broken = std::fs::read_to_string(example("template.yaml"))
        .unwrap()
        .replace("count(outside) > 0", "count(outside) > > 0");
    // Two documents before it: the template starts further down the file.
    let text = format!(
        "apiVersion: v1\nkind: Namespace\nmetadata: {{name: a}}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {{name: b}}\n---\n{broken}"
    );
    let file = write(dir.path(), "broken.yaml", &text);
    let good = write(dir.path(), "good.yaml", NAMESPACE_TEMPLATE);
    let out = policy_test_json(&[&file, &good, &example("objects.yaml")]);
    let report = json(&out);
    let errors = report["input_errors"].as_array().unwrap();
    let e = errors
        .iter()
        .find(|e| e["path"].as_str().unwrap().ends_with("broken.yaml"))
        .unwrap_or_else(|| panic!("{errors:?}"));
    let line = e["line"].as_u64().expect("a line");
    assert!(line >= 9, "at or after the template's first line: {e}");
    // The rest still ran: the good constraint judged the objects.
    assert!(
        findings(&report)
            .iter()
            .any(|f| f["code"] == "GK/K8sKnownNamespace/known-namespace")
    );
    // Input errors fail the run with --fail-on-error (the good constraint finds nothing here:
    // every object's namespace is given below).
    let ns = write(
        dir.path(),
        "ns.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: storefront}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: kube-system}\n",
    );
    let out = policy_test(&[&file, &good, &example("objects.yaml"), "--inventory", &ns]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stdout));
    let out = policy_test(&[
        &file,
        &good,
        &example("objects.yaml"),
        "--inventory",
        &ns,
        "--fail-on-error",
    ]);
    assert_eq!(code(&out), 1);
    // Only the broken template: nothing could be tested.
    let out = policy_test(&[&file, &example("objects.yaml")]);
    assert_eq!(code(&out), 2);
}

#[test]
fn verify_reports_each_case_and_fails_on_a_false_assertion() {
    let dir = tempfile::tempdir().unwrap();
    let objects = std::fs::read_to_string(example("objects.yaml")).unwrap();
    let docs: Vec<&str> = objects.split("\n---\n").collect();
    write(
        dir.path(),
        "template.yaml",
        &std::fs::read_to_string(example("template.yaml")).unwrap(),
    );
    write(
        dir.path(),
        "constraint.yaml",
        &std::fs::read_to_string(example("constraint.yaml")).unwrap(),
    );
    write(dir.path(), "debug-pod.yaml", docs[2]);
    write(dir.path(), "system-pod.yaml", docs[3]);
    let suite = |second: &str| {
        format!(
            "kind: Suite\napiVersion: test.gatekeeper.sh/v1alpha1\nmetadata: {{name: registries}}\ntests:\n- name: trusted-registry\n  template: template.yaml\n  constraint: constraint.yaml\n  cases:\n  - name: init-container-from-ghcr\n    object: debug-pod.yaml\n    assertions:\n    - violations: 1\n      message: ghcr.io\n  - name: kube-system-excluded\n    object: system-pod.yaml\n    assertions:\n    - violations: {second}\n"
        )
    };
    write(dir.path(), "suite.yaml", &suite("no"));
    for engine in ["rego", "cel"] {
        let out = kubeward(&[
            "policy",
            "verify",
            &dir.path().display().to_string(),
            "--engine",
            engine,
        ]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            code(&out),
            0,
            "{engine}: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.contains("ok   case init-container-from-ghcr"),
            "{text}"
        );
        assert!(text.contains("ok   case kube-system-excluded"), "{text}");
    }
    write(dir.path(), "suite.yaml", &suite("yes"));
    let out = kubeward(&["policy", "verify", &dir.path().display().to_string()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(code(&out), 1, "{text}");
    assert!(text.contains("FAIL case kube-system-excluded"), "{text}");
    assert!(
        text.contains("ok   case init-container-from-ghcr"),
        "{text}"
    );
    // No suite at all is a usage error.
    let empty = tempfile::tempdir().unwrap();
    assert_eq!(
        code(&kubeward(&[
            "policy",
            "verify",
            &empty.path().display().to_string()
        ])),
        2
    );
}

/// Gatekeeper's policy library, read in place (never copied into the repository).
fn library() -> Option<PathBuf> {
    let base = std::env::var_os("KUBEWARD_CONFORMANCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/conformance"));
    let dir = base.join("gatekeeper/library");
    if dir.is_dir() {
        Some(dir)
    } else if common::in_ci() {
        panic!(
            "the Gatekeeper library suites are missing at {}",
            dir.display()
        );
    } else {
        eprintln!(
            "note: {} is absent: the Gatekeeper library suites were not run",
            dir.display()
        );
        None
    }
}

#[test]
fn verify_passes_the_gatekeeper_library_under_rego_and_cel() {
    let Some(dir) = library() else { return };
    let dir = dir.display().to_string();
    let out = kubeward(&["policy", "verify", &dir, "--engine", "rego", "--quiet"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        code(&out),
        0,
        "rego:\n{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("41 suites (0 failed)"), "{text}");
    let out = kubeward(&["policy", "verify", &dir, "--engine", "cel", "--quiet"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        code(&out),
        0,
        "cel:\n{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("41 suites (0 failed)"), "{text}");
    // Gatekeeper's own choice (CEL where a template has it) passes too.
    let out = kubeward(&["policy", "verify", &dir, "--quiet"]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stdout));
}

#[path = "../../../kubeward-workloads/benches/support/snapshot.rs"]
#[allow(dead_code)]
mod snapshot;

/// The 15 pod-security-policy templates of Gatekeeper's library, each with its first sample
/// constraint.
fn psp_policies(library: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(library.join("pod-security-policy"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("template.yaml").is_file())
        .collect();
    dirs.sort();
    for d in dirs {
        let mut samples: Vec<PathBuf> = std::fs::read_dir(d.join("samples"))
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path().join("constraint.yaml")))
            .filter(|p| p.is_file())
            .collect();
        samples.sort();
        out.push(d.join("template.yaml").display().to_string());
        out.push(samples[0].display().to_string());
    }
    out
}

/// `kubeward policy test` with the 15 pod-security-policy templates over `examples/` and over a
/// generated snapshot, timed with `/usr/bin/time -v`. A benchmark that prints figures, not a
/// test: `cargo test -p kubeward --test policy_cli policy_psp_bench -- --ignored --nocapture`
/// (`KUBEWARD_BIN` names another binary, e.g. a release build; `POLICY_BENCH_OBJECTS` the size).
#[test]
#[ignore]
fn policy_psp_bench() {
    let Some(library) = library() else { return };
    let bin =
        std::env::var("KUBEWARD_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_kubeward").into());
    let total: usize = std::env::var("POLICY_BENCH_OBJECTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snapshot.json");
    let mix = snapshot::Mix::for_total(total);
    snapshot::write_list(&snap, &mix).unwrap();
    let policies = psp_policies(&library);
    assert_eq!(policies.len(), 30, "15 templates and their constraints");
    for (what, input) in [
        ("examples/", root().join("examples").display().to_string()),
        ("snapshot", snap.display().to_string()),
    ] {
        for engine in ["default", "rego", "cel"] {
            let mut cmd = Command::new("/usr/bin/time");
            cmd.arg("-v")
                .arg(&bin)
                .args(["policy", "test"])
                .args(&policies)
                .arg(&input);
            if engine != "default" {
                cmd.args(["--engine", engine]);
            }
            cmd.args(["-o", "json", "--no-waivers", "--fail-on", "never"]);
            let out = cmd.output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            let field = |name: &str| {
                stderr
                    .lines()
                    .find_map(|l| l.trim().strip_prefix(name).map(|v| v.trim().to_string()))
                    .unwrap_or_default()
            };
            let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
            println!(
                "{what} ({} objects read) engine {engine}: wall {} user {} s, peak RSS {} KiB, {} violations, {} errors, {} input errors",
                report["inputs"].as_array().map_or(0, |a| a
                    .iter()
                    .map(|i| i["detail"]
                        .as_str()
                        .unwrap_or("")
                        .split(' ')
                        .next()
                        .unwrap_or("0")
                        .parse::<usize>()
                        .unwrap_or(0))
                    .sum()),
                field("Elapsed (wall clock) time (h:mm:ss or m:ss):"),
                field("User time (seconds):"),
                field("Maximum resident set size (kbytes):"),
                report["facts"]["policy"]["violations"],
                report["facts"]["policy"]["evaluation_errors"],
                report["input_errors"].as_array().map_or(0, Vec::len),
            );
        }
    }
}
