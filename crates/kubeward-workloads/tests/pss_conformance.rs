//! Conformance with the Pod Security Admission reference fixtures: every pod under
//! `pod-security/testdata/<level>/v1.<minor>/{pass,fail}/` is evaluated at its folder's level and
//! version, bare and wrapped in a Deployment, a CronJob and a StatefulSet, plus the corpus
//! invariants (privileged allows all; restricted-pass passes baseline; baseline-fail fails
//! restricted; latest is the newest version).

use std::path::{Path, PathBuf};

use kubeward_inventory::{LoadOptions, Object, Origin, PodTemplate, load_str};
use kubeward_workloads::pss::{self, Level, Version, Violation};
use serde_json::{Value, json};

fn conformance_dir() -> Option<PathBuf> {
    let root = match std::env::var_os("KUBEWARD_CONFORMANCE_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance"),
    };
    let dir = root.join("pod-security/testdata");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "conformance data missing at {} (set KUBEWARD_CONFORMANCE_DIR)",
            dir.display()
        );
    }
    eprintln!(
        "skipping PSS conformance: no data at {} (set KUBEWARD_CONFORMANCE_DIR)",
        dir.display()
    );
    None
}

struct Fixture {
    path: PathBuf,
    level: Level,
    minor: u32,
    expect_pass: bool,
    /// Check named by the file (`capabilities_restricted1.yaml` → `capabilities_restricted`).
    hint: String,
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn fixtures(root: &Path) -> Vec<Fixture> {
    let mut out = Vec::new();
    for (level_name, level) in [
        ("baseline", Level::Baseline),
        ("restricted", Level::Restricted),
    ] {
        for vdir in sorted_entries(&root.join(level_name)) {
            let Some(minor) = vdir
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_prefix("v1."))
                .and_then(|m| m.parse::<u32>().ok())
            else {
                continue;
            };
            for (sub, expect_pass) in [("pass", true), ("fail", false)] {
                for path in sorted_entries(&vdir.join(sub)) {
                    if path.extension().is_none_or(|e| e != "yaml") {
                        continue;
                    }
                    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
                    let hint = stem
                        .trim_end_matches(|c: char| c.is_ascii_digit())
                        .to_string();
                    out.push(Fixture {
                        path,
                        level,
                        minor,
                        expect_pass,
                        hint,
                    });
                }
            }
        }
    }
    out
}

/// The checks that satisfy a fail fixture's hint at this level and version (the named check,
/// or the restricted check that replaces it there).
fn accepted_checks(hint: &str, level: Level, minor: u32) -> Vec<String> {
    let mut v = vec![hint.to_ascii_lowercase()];
    if level == Level::Restricted {
        let sup = match hint {
            "hostpathvolumes" => Some("restrictedvolumes"),
            "seccompprofile_baseline" if minor >= 19 => Some("seccompprofile_restricted"),
            "capabilities_baseline" if minor >= 22 => Some("capabilities_restricted"),
            "procmount" if minor >= 35 => Some("procmount_restricted"),
            _ => None,
        };
        v.extend(sup.map(str::to_string));
    }
    v
}

/// The reason text the admission controller's own tests look for, per check.
fn reason_substring(check: &str) -> &'static str {
    match check {
        "allowPrivilegeEscalation" => "allowPrivilegeEscalation",
        "appArmorProfile" => "forbidden AppArmor profile",
        "capabilities_baseline" => "capabilities",
        "capabilities_restricted" => "unrestricted capabilities",
        "hostNamespaces" => "host namespaces",
        "hostPathVolumes" => "hostPath",
        "hostPorts" => "hostPort",
        "hostProbesAndHostLifecycle" => "probe or lifecycle host",
        "privileged" => "privileged",
        "procMount" | "procMount_restricted" => "procMount",
        "restrictedVolumes" => "restricted volume types",
        "runAsNonRoot" => "runAsNonRoot",
        "runAsUser" => "runAsUser",
        "seccompProfile_baseline" | "seccompProfile_restricted" => "seccompProfile",
        "seLinuxOptions" => "seLinuxOptions",
        "sysctls" => "forbidden sysctl",
        "windowsHostProcess" => "hostProcess",
        _ => "",
    }
}

/// The pod wrapped in a workload kind: its metadata becomes the template's metadata.
fn wrap(pod: &Value, kind: &str) -> Object {
    let template = json!({
        "metadata": pod.get("metadata").cloned().unwrap_or(Value::Null),
        "spec": pod.get("spec").cloned().unwrap_or(Value::Null),
    });
    let value = match kind {
        "Deployment" => json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "wrapped", "namespace": "ns"},
            "spec": {"selector": {}, "template": template}}),
        "StatefulSet" => json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "wrapped", "namespace": "ns"},
            "spec": {"serviceName": "s", "selector": {}, "template": template}}),
        _ => json!({"apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": {"name": "wrapped", "namespace": "ns"},
            "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": template}}}}),
    };
    Object::from_value(value, Origin::default())
}

/// Every fixture of the conformance corpus (`None`: not present here and not required), checked
/// to be the whole corpus rather than a stray subset.
fn full_corpus() -> Option<Vec<Fixture>> {
    let root = conformance_dir()?;
    let all = fixtures(&root);
    assert!(
        all.len() > 4000,
        "expected the full corpus, found {} files",
        all.len()
    );
    Some(all)
}

fn checks_of(v: &[Violation]) -> Vec<&'static str> {
    v.iter().map(|x| x.check).collect()
}

fn eval(obj: &Object, level: Level, version: Version) -> Vec<Violation> {
    match PodTemplate::of(obj) {
        Some(t) => pss::evaluate(&t, level, version),
        None => panic!("{} has no pod template", obj.kind),
    }
}

#[test]
fn pod_security_admission_fixtures() {
    let Some(all) = full_corpus() else {
        return;
    };
    let max_minor = all.iter().map(|f| f.minor).max().unwrap_or(0);
    let mut failures: Vec<String> = Vec::new();
    let mut passed = 0usize;
    let mut wrapped_checked = 0usize;
    for f in &all {
        let text = match std::fs::read_to_string(&f.path) {
            Ok(t) => t,
            Err(e) => {
                failures.push(format!("{}: {e}", f.path.display()));
                continue;
            }
        };
        let name = f.path.display().to_string();
        let inv = load_str(&name, &text, &LoadOptions::default());
        if !inv.errors.is_empty() || inv.objects.len() != 1 {
            failures.push(format!(
                "{name}: did not load as one object: {:?}",
                inv.errors
            ));
            continue;
        }
        let pod = &inv.objects[0];
        let version = Version::Minor(f.minor);
        let violations = eval(pod, f.level, version);
        let mut problems = Vec::new();
        if f.expect_pass {
            if !violations.is_empty() {
                problems.push(format!(
                    "should be allowed, denied by {:?}",
                    checks_of(&violations)
                ));
            }
        } else {
            let accepted = accepted_checks(&f.hint, f.level, f.minor);
            let named = violations
                .iter()
                .find(|v| accepted.contains(&v.check.to_ascii_lowercase()));
            match named {
                None => problems.push(format!(
                    "should be denied by one of {accepted:?}, got {:?}",
                    checks_of(&violations)
                )),
                Some(v) if !v.reason.contains(reason_substring(v.check)) => problems.push(format!(
                    "reason {:?} lacks {:?}",
                    v.reason,
                    reason_substring(v.check)
                )),
                Some(_) => {}
            }
        }
        // Invariants.
        if !eval(pod, Level::Privileged, version).is_empty() {
            problems.push("denied at privileged".into());
        }
        if f.level == Level::Restricted
            && f.expect_pass
            && !eval(pod, Level::Baseline, version).is_empty()
        {
            problems.push("restricted pass fixture fails baseline".into());
        }
        if f.level == Level::Baseline
            && !f.expect_pass
            && eval(pod, Level::Restricted, version).is_empty()
        {
            problems.push("baseline fail fixture passes restricted".into());
        }
        if f.minor == max_minor
            && checks_of(&eval(pod, f.level, Version::Latest)) != checks_of(&violations)
        {
            problems.push("latest differs from the newest version".into());
        }
        // The same pod as a workload template: same verdict, same checks.
        for kind in ["Deployment", "CronJob", "StatefulSet"] {
            let w = wrap(&pod.value.to_json(), kind);
            let got = eval(&w, f.level, version);
            if checks_of(&got) != checks_of(&violations) {
                problems.push(format!(
                    "wrapped in a {kind}: {:?} instead of {:?}",
                    checks_of(&got),
                    checks_of(&violations)
                ));
            }
            wrapped_checked += 1;
        }
        if problems.is_empty() {
            passed += 1;
        } else {
            failures.push(format!("{name}: {}", problems.join("; ")));
        }
    }
    println!(
        "PSS conformance: {passed}/{} fixtures pass (bare, and {wrapped_checked} wrapped evaluations)",
        all.len()
    );
    if !failures.is_empty() {
        let shown: Vec<&String> = failures.iter().take(30).collect();
        panic!(
            "{} of {} fixtures fail:\n{}",
            failures.len(),
            all.len(),
            shown
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// The one-pass evaluation of both levels gives exactly what evaluating each level separately
/// gives, for every fixture, at its folder's version and at `latest` (so the replaced baseline
/// controls decide baseline, their replacements restricted, at each version).
#[test]
fn evaluate_levels_equals_separate_evaluation_on_every_fixture() {
    let Some(all) = full_corpus() else {
        return;
    };
    let mut compared = 0usize;
    let mut failures: Vec<String> = Vec::new();
    for f in &all {
        let name = f.path.display().to_string();
        let Ok(text) = std::fs::read_to_string(&f.path) else {
            failures.push(format!("{name}: unreadable"));
            continue;
        };
        let inv = load_str(&name, &text, &LoadOptions::default());
        let Some(t) = inv.objects.first().and_then(PodTemplate::of) else {
            failures.push(format!("{name}: no pod template"));
            continue;
        };
        let view = pss::PodView::of(&t);
        for version in [Version::Minor(f.minor), Version::Latest] {
            let (baseline, restricted) = pss::evaluate_levels(&view, version);
            if baseline != pss::evaluate(&t, Level::Baseline, version) {
                failures.push(format!(
                    "{name} at baseline:{version}: {:?}",
                    checks_of(&baseline)
                ));
            }
            if restricted != pss::evaluate(&t, Level::Restricted, version) {
                failures.push(format!(
                    "{name} at restricted:{version}: {:?}",
                    checks_of(&restricted)
                ));
            }
            compared += 1;
        }
    }
    println!("evaluate_levels: {compared} fixture/version pairs compared at both levels");
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
