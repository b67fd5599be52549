//! The bad and good example of every profile check, as `kubeward explain` and SARIF rule help show
//! them, run through the same lint pipeline as `kubeward seccomp lint` / `kubeward apparmor lint`:
//! the bad one must fail (or warn) on its own check, the good one must not.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use crate::apparmor::lint::LintOptions;
use crate::{apparmor, checks, seccomp};
use kubeward_core::{CheckMeta, Finding, Registry, Report, Status};

/// Lint one example as a file on disk, through the pipeline the CLI calls.
fn lint_example(dir: &std::path::Path, meta: &CheckMeta, which: &str, text: &str) -> Report {
    let seccomp_check = meta.code.starts_with("S1");
    let ext = if seccomp_check { "json" } else { "profile" };
    let path: PathBuf = dir.join(format!("{}-{which}.{ext}", meta.code));
    std::fs::write(&path, text).unwrap();
    let report = if seccomp_check {
        seccomp::lint::lint_files(&[&path])
    } else {
        apparmor::lint::lint_files(&[&path], &LintOptions::default())
    };
    assert!(
        report.input_errors.is_empty(),
        "{} {which} example is not a readable profile: {:?}",
        meta.code,
        report.input_errors
    );
    report
}

fn failing<'a>(report: &'a Report, code: &str) -> Vec<&'a Finding> {
    report
        .findings
        .iter()
        .filter(|f| f.code == code && matches!(f.status, Status::Fail | Status::Warn))
        .collect()
}

#[test]
fn every_bad_example_fails_its_check_and_every_good_one_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    for meta in checks() {
        let bad = lint_example(dir.path(), meta, "bad", meta.doc.bad);
        if failing(&bad, meta.code).is_empty() {
            problems.push(format!("{}: the bad example does not fail it", meta.code));
        }
        let good = lint_example(dir.path(), meta, "good", meta.doc.good);
        for f in failing(&good, meta.code) {
            problems.push(format!(
                "{}: the good example still gives {} {}",
                meta.code, f.status, f.message
            ));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_registry_accepts_every_profile_check() {
    if let Err(errors) = Registry::new().with(&checks()).validate() {
        panic!("{errors:#?}");
    }
}
