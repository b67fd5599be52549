//! Gatekeeper's policy library (41 suites), run as `policy verify` runs it: every suite under
//! Rego, and under CEL every suite whose templates have K8sNativeValidation code.
//!
//! The library is read in place from the shared conformance folder (next to the workspace, or
//! `KUBEWARD_CONFORMANCE_DIR`); without it the tests are skipped with a note, unless `CI` is set.

use std::path::{Path, PathBuf};

use kubeward_policy::{Engine, SuiteReport, VerifyOptions, verify};

fn library() -> Option<PathBuf> {
    let root = match std::env::var_os("KUBEWARD_CONFORMANCE_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance"),
    };
    let dir = root.join("gatekeeper/library");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "conformance data missing at {} (set KUBEWARD_CONFORMANCE_DIR)",
        dir.display()
    );
    eprintln!(
        "SKIP: Gatekeeper library not found at {} (set KUBEWARD_CONFORMANCE_DIR)",
        dir.display()
    );
    None
}

fn failures(report: &SuiteReport) -> Vec<String> {
    let mut out = Vec::new();
    for s in &report.suites {
        if let Some(e) = &s.error {
            out.push(format!("{}: {e}", s.path.display()));
        }
        for t in &s.tests {
            if t.skipped.is_some() {
                continue;
            }
            if let Some(e) = &t.error {
                out.push(format!("{} / {}: {e}", s.name, t.name));
            }
            for c in t.cases.iter().filter(|c| !c.ok) {
                out.push(format!(
                    "{} / {} / {}: {}",
                    s.name,
                    t.name,
                    c.name,
                    c.reason.as_deref().unwrap_or("")
                ));
            }
        }
    }
    out
}

/// Suites with at least one test that ran (not skipped).
fn suites_run(report: &SuiteReport) -> usize {
    report
        .suites
        .iter()
        .filter(|s| s.tests.iter().any(|t| t.skipped.is_none()))
        .count()
}

#[test]
fn every_suite_passes_under_rego() {
    let Some(dir) = library() else { return };
    let report = verify(
        &[dir],
        &VerifyOptions {
            engine: Some(Engine::Rego),
            ..VerifyOptions::default()
        },
    );
    let (ok, failed, skipped) = report.counts();
    eprintln!(
        "rego: {} suites, cases ok {ok}, failed {failed}, skipped {skipped}",
        report.suites.len()
    );
    let f = failures(&report);
    assert!(f.is_empty(), "{} failures:\n{}", f.len(), f.join("\n"));
    assert_eq!(report.suites.len(), 41);
    assert_eq!(suites_run(&report), 41);
}

#[test]
fn every_suite_with_cel_code_passes_under_cel() {
    let Some(dir) = library() else { return };
    let report = verify(
        &[dir],
        &VerifyOptions {
            engine: Some(Engine::Cel),
            ..VerifyOptions::default()
        },
    );
    let (ok, failed, skipped) = report.counts();
    eprintln!(
        "cel: {} suites run, cases ok {ok}, failed {failed}, skipped {skipped}",
        suites_run(&report)
    );
    let f = failures(&report);
    assert!(f.is_empty(), "{} failures:\n{}", f.len(), f.join("\n"));
    assert_eq!(suites_run(&report), 13);
}

#[test]
fn the_default_engine_choice_passes_too() {
    let Some(dir) = library() else { return };
    let report = verify(&[dir], &VerifyOptions::default());
    let f = failures(&report);
    assert!(f.is_empty(), "{} failures:\n{}", f.len(), f.join("\n"));
}
