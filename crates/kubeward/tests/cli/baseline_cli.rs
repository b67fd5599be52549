//! Fingerprints and baselines on the bundled examples: what a pipeline that adopts kubeward on a
//! dirty repository relies on (docs/ci.md).
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;
use serde_json::Value;

const AS_OF: &str = "2026-11-27";

fn kubeward(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kubeward"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

/// `kubeward scan examples` in `dir`, the JSON report written to `dir/name`.
fn scan(dir: &Path, name: &str, extra: &[&str]) -> (Output, Value) {
    let mut args = vec!["scan", "examples", "--as-of", AS_OF, "--no-waivers"];
    args.extend_from_slice(extra);
    let target = format!("json={name}");
    args.extend_from_slice(&["-o", &target]);
    let out = kubeward(dir, &args);
    let text = std::fs::read_to_string(dir.join(name))
        .unwrap_or_else(|e| panic!("no report ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    (out, serde_json::from_str(&text).unwrap())
}

fn findings(report: &Value) -> &Vec<Value> {
    report["findings"].as_array().unwrap()
}

/// fingerprint -> (code, resource) of every finding.
fn by_fingerprint(report: &Value) -> BTreeMap<String, String> {
    findings(report)
        .iter()
        .map(|f| {
            (
                f["fingerprint"].as_str().unwrap().to_string(),
                format!("{} {}", f["code"], f["resource"]),
            )
        })
        .collect()
}

fn yaml_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Split a multi-document YAML file into its documents (a `---` line separates them).
fn documents(text: &str) -> Vec<String> {
    let mut docs = vec![String::new()];
    for line in text.lines() {
        if line.trim_end() == "---" {
            docs.push(String::new());
        } else if let Some(d) = docs.last_mut() {
            d.push_str(line);
            d.push('\n');
        }
    }
    docs.into_iter()
        .filter(|d| {
            d.lines()
                .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        })
        .collect()
}

#[test]
fn fingerprints_survive_blank_lines_reordering_moves_and_renames() {
    let a = tempfile::tempdir().unwrap();
    materialized_examples(a.path());
    let (_, before) = scan(a.path(), "before.json", &[]);
    let fps = by_fingerprint(&before);
    assert_eq!(
        fps.len(),
        findings(&before).len(),
        "fingerprints are unique"
    );
    assert_eq!(before["fingerprint_version"], "1");

    let b = tempfile::tempdir().unwrap();
    let ex = materialized_examples(b.path());
    let cluster = ex.join("cluster");
    // Blank lines and comments above every manifest, documents in reverse order.
    for file in yaml_files(&cluster) {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut docs = documents(&text);
        docs.reverse();
        let moved = format!("# moved around by a test\n\n\n{}", docs.join("---\n"));
        std::fs::write(&file, moved).unwrap();
    }
    // One manifest moves to another folder; every file gets a new name.
    std::fs::create_dir_all(cluster.join("elsewhere/deeper")).unwrap();
    std::fs::rename(
        cluster.join("shop/orders-db.yaml"),
        cluster.join("elsewhere/deeper/orders-db.yaml"),
    )
    .unwrap();
    for file in yaml_files(&cluster) {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        std::fs::rename(&file, file.with_file_name(format!("renamed-{name}"))).unwrap();
    }
    let (_, after) = scan(b.path(), "after.json", &[]);
    let after_fps = by_fingerprint(&after);
    let lost: Vec<_> = fps
        .iter()
        .filter(|(fp, _)| !after_fps.contains_key(*fp))
        .collect();
    let gained: Vec<_> = after_fps
        .iter()
        .filter(|(fp, _)| !fps.contains_key(*fp))
        .collect();
    assert!(
        lost.is_empty() && gained.is_empty(),
        "fingerprints changed:\nlost {lost:#?}\ngained {gained:#?}"
    );
    // And so the moved tree compared with the old report: nothing new, nothing fixed.
    std::fs::copy(a.path().join("before.json"), b.path().join("before.json")).unwrap();
    let (out, compared) = scan(b.path(), "compared.json", &["--baseline", "before.json"]);
    let base = &compared["baseline"];
    assert_eq!(base["new"], 0, "{base}");
    assert_eq!(base["worse"], 0, "{base}");
    assert_eq!(base["absent"], 0, "{base}");
    // The renamed files' old paths were not read again: nothing of theirs is gone either.
    assert_eq!(base["gone"].as_array().unwrap().len(), 0, "{base}");
    assert_eq!(out.status.code(), Some(0), "unchanged findings never fail");
}

#[test]
fn a_new_privileged_container_is_new_and_the_fixed_finding_is_absent() {
    let dir = tempfile::tempdir().unwrap();
    let ex = materialized_examples(dir.path());
    let (_, before) = scan(dir.path(), "before.json", &[]);

    // The fix: the public LoadBalancer becomes internal.
    let web = ex.join("cluster/shop/web.yaml");
    let text = std::fs::read_to_string(&web).unwrap();
    let fixed = text.replacen(
        "  name: storefront\n  namespace: shop\n",
        "  name: storefront\n  namespace: shop\n  annotations:\n    service.beta.kubernetes.io/azure-load-balancer-internal: \"true\"\n",
        1,
    );
    assert_ne!(fixed, text);
    std::fs::write(&web, &fixed).unwrap();
    let (out, only_fixed) = scan(dir.path(), "fixed.json", &["--baseline", "before.json"]);
    let base = &only_fixed["baseline"];
    // New: at most the PASS the fixed Service now gets.
    assert!(
        findings(&only_fixed)
            .iter()
            .filter(|f| f["baseline_state"] == "new")
            .all(|f| f["status"] == "PASS"),
        "{base}"
    );
    assert!(base["absent"].as_u64().unwrap() >= 1, "{base}");
    let gone = base["gone"].as_array().unwrap();
    assert!(
        gone.iter().any(|g| g["code"] == "P101"
            && g["resource"]["name"] == "storefront"
            && g["baseline_state"] == "absent"),
        "{gone:#?}"
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "a fix alone passes: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The regression: the web container becomes privileged.
    let worse = fixed.replacen(
        "          allowPrivilegeEscalation: false\n",
        "          privileged: true\n",
        1,
    );
    assert_ne!(worse, fixed);
    std::fs::write(&web, worse).unwrap();
    let (out, compared) = scan(dir.path(), "after.json", &["--baseline", "before.json"]);
    assert_eq!(out.status.code(), Some(1), "a new FAIL fails the run");
    // New and not a PASS (the fixed Service's PASS is new too).
    let new: Vec<&Value> = findings(&compared)
        .iter()
        .filter(|f| f["baseline_state"] == "new" && f["status"] != "PASS")
        .collect();
    assert!(!new.is_empty());
    for f in &new {
        assert_eq!(
            f["resource"],
            serde_json::json!({"kind": "Deployment", "namespace": "shop", "name": "web"}),
            "only findings about the changed container are new: {f:#}"
        );
    }
    // Everything else is as before, but rolled-up PASS findings whose object lists changed and
    // the fixed exposure's neighbours.
    let before_fps = by_fingerprint(&before);
    for f in findings(&compared) {
        match f["baseline_state"].as_str().unwrap() {
            "new" | "unchanged" => {}
            "updated" => assert!(
                f["status"] == "PASS"
                    || f["resource"]["name"] == "storefront"
                    || f["resource"]["name"] == "web",
                "unexpected update: {f:#}"
            ),
            other => panic!("unexpected state {other}"),
        }
        if f["baseline_state"] != "new" {
            assert!(before_fps.contains_key(f["fingerprint"].as_str().unwrap()));
        }
    }

    // report diff on the same pair gives the same counts and the same exit code.
    let diff = kubeward(
        dir.path(),
        &[
            "report",
            "diff",
            "before.json",
            "after.json",
            "--no-waivers",
            "-o",
            "json=diff.json",
        ],
    );
    assert_eq!(diff.status.code(), Some(1));
    let diff: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("diff.json")).unwrap())
            .unwrap();
    for k in [
        "new",
        "updated",
        "worse",
        "unchanged",
        "absent",
        "not_evaluated",
    ] {
        assert_eq!(diff["baseline"][k], compared["baseline"][k], "{k}");
    }
    assert!(
        findings(&diff)
            .iter()
            .all(|f| f["baseline_state"] != "unchanged"),
        "a diff lists changes only"
    );

    // A compact fingerprint file is as good a baseline as the report.
    let fp = kubeward(dir.path(), &["report", "fingerprints", "before.json"]);
    assert_eq!(fp.status.code(), Some(0));
    std::fs::write(dir.path().join("baseline.txt"), &fp.stdout).unwrap();
    assert!(fp.stdout.len() < 60 * findings(&before).len() + 4096);
    let (out, compact) = scan(dir.path(), "compact.json", &["--baseline", "baseline.txt"]);
    assert_eq!(out.status.code(), Some(1));
    for k in ["new", "worse", "unchanged", "absent", "not_evaluated"] {
        assert_eq!(compact["baseline"][k], compared["baseline"][k], "{k}");
    }

    // A waived new finding is waived: it no longer fails the run.
    let waivers = dir.path().join("waivers.yaml");
    let codes: BTreeSet<&str> = new.iter().map(|f| f["code"].as_str().unwrap()).collect();
    let mut w = String::from("waivers:\n");
    for c in codes {
        w.push_str(&format!(
            "  - check: {c}\n    kind: Deployment\n    namespace: shop\n    name: web\n    reason: accepted for the test\n    expires: 2999-12-31\n"
        ));
    }
    std::fs::write(&waivers, w).unwrap();
    let out = kubeward(
        dir.path(),
        &[
            "scan",
            "examples",
            "--as-of",
            AS_OF,
            "--waivers",
            "waivers.yaml",
            "--baseline",
            "before.json",
            "-o",
            "json=waived.json",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_deleted_or_broken_input_is_not_evaluated_never_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let ex = materialized_examples(dir.path());
    let (_, before) = scan(dir.path(), "before.json", &[]);
    let from = |file: &str| {
        findings(&before)
            .iter()
            .filter(|f| {
                f["evidence"]
                    .as_array()
                    .and_then(|e| e.first())
                    .is_some_and(|e| e["source"]["file"] == file)
            })
            .count()
    };
    let legacy = from("examples/cluster/legacy/agents.yaml");
    assert!(legacy > 0);

    std::fs::remove_file(ex.join("cluster/legacy/agents.yaml")).unwrap();
    // A broken manifest: its findings are not fixed either.
    std::fs::write(
        ex.join("cluster/blog/wordpress.yaml"),
        "apiVersion: v1\nkind: [unclosed\n",
    )
    .unwrap();
    let (out, compared) = scan(dir.path(), "after.json", &["--baseline", "before.json"]);
    let base = &compared["baseline"];
    let gone = base["gone"].as_array().unwrap();
    for g in gone {
        if let Some(file) = g["scope"]["file"].as_str()
            && (file.ends_with("legacy/agents.yaml") || file.ends_with("blog/wordpress.yaml"))
        {
            assert_eq!(g["baseline_state"], "not_evaluated", "{g:#}");
        }
    }
    assert!(
        base["not_evaluated"].as_u64().unwrap() >= legacy as u64,
        "{base}"
    );
    assert_eq!(compared["input_errors"].as_array().unwrap().len(), 1);
    // (The run fails anyway: with the blog policies unread, namespace blog has no policy.)
    let _ = out;
    let (out, _) = scan(
        dir.path(),
        "strict.json",
        &["--baseline", "before.json", "--fail-on-error"],
    );
    assert_eq!(out.status.code(), Some(1), "--fail-on-error fails");
}

#[test]
fn another_fingerprint_version_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    materialized_examples(dir.path());
    std::fs::write(
        dir.path().join("old.txt"),
        "# kubeward fingerprints 0\n@file x\n0000 FAIL high 0 W100 workloads\n",
    )
    .unwrap();
    let out = kubeward(
        dir.path(),
        &["scan", "examples", "--no-waivers", "--baseline", "old.txt"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("version 0"), "{err}");
}

#[test]
fn rendering_the_compared_report_gives_the_direct_output_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let ex = materialized_examples(dir.path());
    scan(dir.path(), "before.json", &[]);
    let web = ex.join("cluster/shop/web.yaml");
    let text = std::fs::read_to_string(&web).unwrap();
    std::fs::write(
        &web,
        text.replacen(
            "          allowPrivilegeEscalation: false\n",
            "          privileged: true\n",
            1,
        ),
    )
    .unwrap();
    std::fs::remove_file(ex.join("cluster/legacy/agents.yaml")).unwrap();
    let formats = ["text", "markdown", "html", "sarif", "junit", "jsonl"];
    let mut args = vec![
        "scan",
        "examples",
        "--as-of",
        AS_OF,
        "--no-waivers",
        "--baseline",
        "before.json",
        "--sarif-include-absent",
        "-o",
        "json=compared.json",
    ];
    let targets: Vec<String> = formats.iter().map(|f| format!("{f}=direct.{f}")).collect();
    for t in &targets {
        args.extend_from_slice(&["-o", t]);
    }
    assert_eq!(kubeward(dir.path(), &args).status.code(), Some(1));
    let mut args = vec![
        "render",
        "compared.json",
        "--no-waivers",
        "--sarif-include-absent",
    ];
    let targets: Vec<String> = formats
        .iter()
        .map(|f| format!("{f}=rendered.{f}"))
        .collect();
    for t in &targets {
        args.extend_from_slice(&["-o", t]);
    }
    assert_eq!(kubeward(dir.path(), &args).status.code(), Some(1));
    for f in formats {
        let direct = std::fs::read(dir.path().join(format!("direct.{f}"))).unwrap();
        let rendered = std::fs::read(dir.path().join(format!("rendered.{f}"))).unwrap();
        assert!(direct == rendered, "{f} differs after the round trip");
    }
    let text = std::fs::read_to_string(dir.path().join("direct.text")).unwrap();
    assert!(text.contains(" new, "), "{text}");
    assert!(text.contains("[new]"), "{text}");
    let md = std::fs::read_to_string(dir.path().join("direct.markdown")).unwrap();
    assert!(md.contains("**Against the baseline**"), "{md}");
    assert!(md.len() <= 65_000);
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("direct.sarif")).unwrap())
            .unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().all(|r| r["baselineState"].is_string()));
    assert!(results.iter().any(|r| r["baselineState"] == "new"));
    assert!(results.iter().all(|r| {
        r["partialFingerprints"]["kubewardFinding/v1"].is_string() || r["baselineState"] == "absent"
    }));
    assert!(
        results
            .iter()
            .all(|r| r["partialFingerprints"]["kubewardFingerprint/v1"].is_string())
    );
    let junit = std::fs::read_to_string(dir.path().join("direct.junit")).unwrap();
    assert!(junit.contains("name=\"fingerprint\""));
    assert!(junit.contains("name=\"baseline_state\" value=\"new\""));
    for line in std::fs::read_to_string(dir.path().join("direct.jsonl"))
        .unwrap()
        .lines()
    {
        let v: Value = serde_json::from_str(line).unwrap();
        assert!(v["record"].is_string());
    }
    validate_sarif(dir.path(), &dir.path().join("direct.sarif"));

    // The HTML report's baseline filter, in a real browser: preset through the page's hash.
    let Some(browser) = chromium() else {
        assert!(!in_ci(), "chromium is required under CI=true");
        return;
    };
    let compared: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("compared.json")).unwrap())
            .unwrap();
    let worse = findings(&compared)
        .iter()
        .filter(|f| f["baseline_state"] == "new" || f["baseline_worse"] == true)
        .count();
    assert!(worse > 0);
    let page = dir.path().join("direct.html#f-baseline=worse-or-new");
    let (dom, log) = render_in_chromium(&browser, &page, dir.path());
    assert!(console_lines(&log).is_empty(), "{log}");
    assert_eq!(attribute(&dom, "data-shown-count"), Some(worse), "{log}");
    let page = dir.path().join("direct.html");
    let (dom, _) = render_in_chromium(&browser, &page, dir.path());
    assert_eq!(
        attribute(&dom, "data-shown-count"),
        Some(findings(&compared).len())
    );
}

#[test]
fn the_ready_made_pipelines_parse_and_do_what_docs_ci_says() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let load = |p: &str| -> Value {
        let text = std::fs::read_to_string(root.join(p)).unwrap();
        serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{p}: {e}"))
    };
    let gh = load("examples/ci/github-actions.yaml");
    let steps = gh["jobs"]["scan"]["steps"].as_array().unwrap();
    let uses = |needle: &str| {
        steps
            .iter()
            .any(|s| s["uses"].as_str().is_some_and(|u| u.contains(needle)))
    };
    assert!(uses("upload-sarif") && uses("download-artifact") && uses("upload-artifact"));
    let runs: String = steps
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(runs.contains("--baseline") && runs.contains("GITHUB_STEP_SUMMARY"));
    assert!(runs.contains("sarif=") && runs.contains("markdown="));

    let az = load("examples/ci/azure-pipelines.yaml");
    let steps = az["steps"].as_array().unwrap();
    let task = |name: &str| {
        steps
            .iter()
            .find(|s| s["task"].as_str().is_some_and(|t| t == name))
    };
    let junit = task("PublishTestResults@2").unwrap();
    assert_eq!(junit["inputs"]["testResultsFormat"], "JUnit");
    assert!(task("DownloadPipelineArtifact@2").is_some());
    assert!(task("PublishBuildArtifacts@1").is_some());
    let scripts: String = steps
        .iter()
        .filter_map(|s| s["bash"].as_str())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(scripts.contains("--baseline") && scripts.contains("junit="));

    let cron = load("deploy/scheduled-scan.yaml");
    assert_eq!(cron["kind"], "CronJob");
    let pod = &cron["spec"]["jobTemplate"]["spec"]["template"]["spec"];
    assert_eq!(pod["serviceAccountName"], "kubeward-reader");
    let args: Vec<&str> = pod["containers"][0]["args"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a.as_str())
        .collect();
    assert!(args.contains(&"--cluster") && args.contains(&"jsonl"));
    assert_eq!(pod["volumes"][0]["configMap"]["optional"], true);
    // The arguments the CronJob passes are ones kubeward takes (parsed, not run: no cluster here).
    let mut probe: Vec<&str> = args.iter().copied().filter(|a| *a != "--cluster").collect();
    probe.insert(1, "/nonexistent-input");
    let out = Command::new(env!("CARGO_BIN_EXE_kubeward"))
        .args(&probe)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("unexpected argument") && err.contains("no baseline at"),
        "{err}"
    );
}
