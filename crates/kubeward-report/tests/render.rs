//! Snapshots of every format for the shared synthetic report, plus structural checks that a
//! snapshot alone would not make (JUnit as CI servers read it, SARIF invariants, HTML escaping).
#![allow(clippy::unwrap_used)]

mod common;

use kubeward_core::Status;
use kubeward_report::{Format, RenderOptions, render};

fn rendered(format: Format, verbose: bool) -> String {
    let options = RenderOptions {
        color: false,
        verbose,
        ..Default::default()
    };
    render(&common::report(), format, &common::registry(), &options).unwrap()
}

#[test]
fn text_snapshot() {
    insta::assert_snapshot!("text", rendered(Format::Text, false));
}

#[test]
fn text_verbose_snapshot() {
    insta::assert_snapshot!("text_verbose", rendered(Format::Text, true));
}

#[test]
fn json_snapshot() {
    insta::assert_snapshot!("json", rendered(Format::Json, false));
}

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!("junit", rendered(Format::Junit, false));
}

#[test]
fn sarif_snapshot() {
    insta::assert_snapshot!("sarif", rendered(Format::Sarif, false));
}

#[test]
fn markdown_snapshot() {
    insta::assert_snapshot!("markdown", rendered(Format::Markdown, false));
}

#[test]
fn text_hides_pass_and_na_unless_verbose_but_counts_them() {
    let quiet = rendered(Format::Text, false);
    let loud = rendered(Format::Text, true);
    assert!(!quiet.contains("kubelet-read-only-port"));
    assert!(loud.contains("kubelet-read-only-port"));
    assert!(quiet.contains("2 passing or not applicable finding(s) not shown"));
    // Totals are the same either way.
    assert!(quiet.contains(
        "10 findings; failing (not waived): 1 critical, 1 high; waived: 1; input errors: 1"
    ));
    assert!(loud.contains(
        "10 findings; failing (not waived): 1 critical, 1 high; waived: 1; input errors: 1"
    ));
}

#[test]
fn text_colours_only_when_asked() {
    let options = RenderOptions {
        color: true,
        verbose: false,
        ..Default::default()
    };
    let coloured = render(
        &common::report(),
        Format::Text,
        &common::registry(),
        &options,
    )
    .unwrap();
    assert!(coloured.contains("\u{1b}["));
    assert!(!rendered(Format::Text, false).contains('\u{1b}'));
}

#[test]
fn json_round_trips_into_the_report() {
    let report = common::report();
    let back: kubeward_core::Report = serde_json::from_str(&rendered(Format::Json, false)).unwrap();
    assert_eq!(back, report);
}

/// The JUnit structure Azure Pipelines' and GitLab's parsers read: `testsuites` > `testsuite` (name,
/// tests, failures, errors, skipped) > `testcase` (name, classname) with at most one of
/// `failure`/`error`/`skipped` carrying a `message`.
#[test]
fn junit_has_the_structure_ci_servers_read() {
    let xml = rendered(Format::Junit, false);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let report = common::report();
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    let suite_names: Vec<_> = suites
        .iter()
        .map(|s| s.attribute("name").unwrap())
        .collect();
    assert_eq!(
        suite_names,
        [
            "node",
            "workloads",
            "netpol",
            "audit",
            "aks",
            "profiles",
            "input-errors"
        ]
    );
    let mut cases = 0;
    let (mut failures, mut errors, mut skipped) = (0, 0, 0);
    for suite in &suites {
        let tests: usize = suite.attribute("tests").unwrap().parse().unwrap();
        let children: Vec<_> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        assert_eq!(
            tests,
            children.len(),
            "tests= of {:?}",
            suite.attribute("name")
        );
        let count = |tag: &str| {
            children
                .iter()
                .filter(|c| c.children().any(|n| n.has_tag_name(tag)))
                .count()
        };
        assert_eq!(
            suite
                .attribute("failures")
                .unwrap()
                .parse::<usize>()
                .unwrap(),
            count("failure")
        );
        assert_eq!(
            suite.attribute("errors").unwrap().parse::<usize>().unwrap(),
            count("error")
        );
        assert_eq!(
            suite
                .attribute("skipped")
                .unwrap()
                .parse::<usize>()
                .unwrap(),
            count("skipped")
        );
        for c in &children {
            assert!(c.attribute("name").is_some_and(|n| !n.is_empty()));
            assert!(
                c.attribute("classname")
                    .is_some_and(|n| n.starts_with("kubeward."))
            );
            let verdicts: Vec<_> = c
                .children()
                .filter(|n| {
                    n.has_tag_name("failure")
                        || n.has_tag_name("error")
                        || n.has_tag_name("skipped")
                })
                .collect();
            assert!(verdicts.len() <= 1);
            if let Some(v) = verdicts.first() {
                assert!(v.attribute("message").is_some_and(|m| !m.is_empty()));
            }
        }
        cases += children.len();
        failures += count("failure");
        errors += count("error");
        skipped += count("skipped");
    }
    assert_eq!(cases, report.findings.len() + report.input_errors.len());
    // Three FAILs, one of them waived (skipped); one ERROR finding plus one input error.
    assert_eq!(failures, 2);
    assert_eq!(errors, 2);
    // Waived FAIL, MANUAL, NOT_APPLICABLE.
    assert_eq!(skipped, 3);
    let failure = root
        .descendants()
        .find(|n| n.has_tag_name("failure") && n.attribute("type") == Some("critical"))
        .unwrap();
    assert_eq!(
        failure.attribute("message"),
        Some("container `app` runs privileged")
    );
    assert_eq!(failure.attribute("type"), Some("critical"));
    let text = failure.text().unwrap();
    assert!(text.contains("examples/cluster/payments.yaml:31"), "{text}");
    assert!(text.contains("remediation:"), "{text}");
}

#[test]
fn sarif_results_rules_and_locations() {
    let v: serde_json::Value = serde_json::from_str(&rendered(Format::Sarif, false)).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    let results = run["results"].as_array().unwrap();
    let report = common::report();
    let expected = report
        .findings
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Warn | Status::Manual))
        .count();
    assert_eq!(results.len(), expected);
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in results {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        for loc in r["locations"].as_array().unwrap() {
            if let Some(line) = loc["physicalLocation"]["region"]["startLine"].as_u64() {
                assert!(line >= 1);
            }
            assert!(!loc["logicalLocations"].as_array().unwrap().is_empty());
        }
    }
    let anon = results.iter().find(|r| r["ruleId"] == "N105").unwrap();
    assert_eq!(anon["level"], "error");
    // The first evidence has no file (a flag); the config file line is the physical location.
    let phys = &anon["locations"][0]["physicalLocation"];
    assert_eq!(
        phys["artifactLocation"]["uri"],
        "file:///etc/default/kubeletconfig.json"
    );
    assert_eq!(phys["region"]["startLine"], 12);
    assert_eq!(phys["region"]["startColumn"], 7);
    let privileged: Vec<_> = results.iter().filter(|r| r["ruleId"] == "W201").collect();
    assert_eq!(privileged.len(), 2);
    let waived = privileged
        .iter()
        .find(|r| r["suppressions"].as_array().is_some_and(|s| !s.is_empty()))
        .unwrap();
    assert_eq!(
        waived["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "examples/cluster/csi%20%26%20driver.yaml"
    );
    let rule = rules.iter().find(|r| r["id"] == "N105").unwrap();
    assert_eq!(rule["name"], "kubelet-anonymous-auth");
    assert_eq!(rule["properties"]["security-severity"], "8.0");
    assert!(
        rule["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("az aks nodepool add")
    );
    // The ERROR finding and the input error are tool notifications, not results.
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notes.len(), 2);
}

#[test]
fn html_is_self_contained_escaped_and_counts_findings() {
    let html = rendered(Format::Html, false);
    let report = common::report();
    assert!(html.contains(&format!("data-finding-count=\"{}\"", report.findings.len())));
    assert_eq!(
        html.matches("<article class=\"finding").count(),
        report.findings.len()
    );
    // No external resources of any kind.
    for needle in ["src=\"http", "href=\"http", "@import", "url(http", "<link "] {
        assert!(!html.contains(needle), "found {needle}");
    }
    // Resource names from input are escaped.
    assert!(html.contains("csi-driver &lt;node&gt;"));
    assert!(!html.contains("csi-driver <node>"));
    // Every filter is there, with the values found in the report.
    for id in ["f-area", "f-severity", "f-namespace", "f-status"] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(html.contains("<option value=\"shop\">shop</option>"));
    assert!(html.contains("class=\"bar\""));
}

#[test]
fn a_lone_finding_is_the_answer_and_is_listed_without_verbose() {
    // "No kubelet is running here" is one NOT_APPLICABLE finding: hiding it would print nothing.
    let mut report = common::report();
    report
        .findings
        .retain(|f| f.status == Status::NotApplicable);
    assert_eq!(report.findings.len(), 1);
    report.finish();
    let code = report.findings[0].code.clone();
    let message = report.findings[0].message.clone();
    for format in [Format::Text, Format::Markdown] {
        let out = render(
            &report,
            format,
            &common::registry(),
            &RenderOptions::default(),
        )
        .unwrap();
        assert!(
            out.contains(code.as_str()) && out.contains(message.as_str()),
            "{format}: {out}"
        );
        assert!(
            !out.contains("not shown") && !out.contains("not listed"),
            "{out}"
        );
    }
    let text = render(
        &report,
        Format::Text,
        &common::registry(),
        &RenderOptions::default(),
    )
    .unwrap();
    assert!(text.contains("  1 finding; failing"), "{text}");
    // With two findings the usual rule holds again: PASS and NOT_APPLICABLE wait for --verbose.
    let quiet = rendered(Format::Text, false);
    assert!(!quiet.contains("kubelet-read-only-port"));
}

#[test]
fn text_facts_are_readable_records_without_blanks() {
    let mut report = common::report();
    report.facts.insert(
        "node".into(),
        serde_json::json!({
            "configDir": null,
            "lsm": {
                "apparmor": {"profiles": [
                    {"name": "cri-containerd.apparmor.d", "mode": "enforce"},
                    {"name": "rsyslogd", "mode": "complain"}
                ]},
                "selinux": {},
                "seccomp": {"profile_root": ""}
            },
            "deep": {"a": {"b": {"d": [[1], [2]]}}}
        }),
    );
    report.finish();
    let text = render(
        &report,
        Format::Text,
        &common::registry(),
        &RenderOptions::default(),
    )
    .unwrap();
    assert!(
        text.contains("- mode: enforce, name: cri-containerd.apparmor.d")
            || text.contains("- name: cri-containerd.apparmor.d, mode: enforce"),
        "{text}"
    );
    assert!(!text.contains("configDir"), "null facts are left out");
    assert!(!text.contains("selinux:\n"), "empty objects are left out");
    assert!(!text.contains("profile_root"), "empty strings are left out");
    assert!(
        text.contains("d: 2 entries (see the JSON report)"),
        "{text}"
    );
}
