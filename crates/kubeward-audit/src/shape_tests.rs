//! The area's shape: every code-named file of the check folder is a registered check (and the
//! reverse), the registry accepts the area's metadata, and every check's `bad` example fails
//! through the same pipeline the CLI runs while its `good` example does not.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::Path;

use crate::scan::{Input, ScanOptions};
use kubeward_core::registry::{Registry, check_files};
use kubeward_core::{CheckMeta, Report, Status};

#[test]
fn every_check_file_is_registered_and_named_after_its_check() {
    let metas: Vec<&CheckMeta> = crate::rules::CHECKS.iter().map(|c| c.meta).collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
    if let Err(errors) = check_files(&dir, &metas) {
        panic!("{errors:#?}");
    }
    let metas: Vec<&CheckMeta> = crate::policy::CHECKS.iter().map(|c| c.meta).collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/policy");
    if let Err(errors) = check_files(&dir, &metas) {
        panic!("{errors:#?}");
    }
}

#[test]
fn the_registry_accepts_every_audit_check() {
    let metas = crate::checks();
    if let Err(errors) = Registry::new().with(&metas).validate() {
        panic!("{errors:#?}");
    }
}

/// The settings the examples are judged with: every check on. The rules that need a list to
/// run (A037, A063, A069) get one that the `good` examples keep to.
fn example_options() -> ScanOptions {
    let mut opts = ScanOptions::default();
    opts.config.allowed_users = Some(vec!["alice@contoso.com".to_string()]);
    opts.config.allowed_images = Some(vec!["contosoacr.azurecr.io/*".to_string()]);
    opts.config.cluster_cidrs = ["10.224.0.0/16", "10.244.0.0/16"]
        .iter()
        .map(|c| crate::rules::parse_cluster_cidr(c).unwrap())
        .collect();
    opts
}

/// The report of an example: audit events through `crate::run`, an audit policy
/// through the policy lint.
fn judge(meta: &CheckMeta, text: &str) -> Report {
    if is_policy_check(meta) {
        return crate::policy::lint("example.yaml", text);
    }
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(text.as_bytes()).unwrap();
    file.flush().unwrap();
    let inputs = [Input::Path(file.path().to_path_buf())];
    crate::run(&inputs, &example_options())
        .unwrap_or_else(|e| panic!("{}: {e}", meta.code))
        .report
}

fn is_policy_check(meta: &CheckMeta) -> bool {
    crate::policy::CHECKS
        .iter()
        .any(|c| std::ptr::eq(c.meta, meta))
}

/// The statuses that mean "this check found its problem": the event check's status on a match
/// (FAIL, WARN, or INFO for the records of created and deleted objects), FAIL or WARN for the
/// policy lint.
fn failing_statuses(meta: &CheckMeta) -> Vec<Status> {
    match crate::rules::CHECKS
        .iter()
        .find(|c| std::ptr::eq(c.meta, meta))
    {
        Some(check) => vec![check.on_match],
        None => vec![Status::Fail, Status::Warn],
    }
}

fn failing(report: &Report, meta: &CheckMeta) -> bool {
    let statuses = failing_statuses(meta);
    report
        .findings
        .iter()
        .any(|f| f.code == meta.code && statuses.contains(&f.status))
}

#[test]
fn every_bad_example_fails_and_every_good_example_does_not() {
    let mut problems = Vec::new();
    let mut judged = 0;
    for meta in crate::checks() {
        let (bad, good) = (meta.doc.bad, meta.doc.good);
        assert!(!bad.is_empty() && !good.is_empty(), "{}", meta.code);
        judged += 1;
        let r = judge(meta, bad);
        if !failing(&r, meta) {
            let got: Vec<_> = r
                .findings
                .iter()
                .filter(|f| f.code == meta.code)
                .map(|f| (f.status, f.message.to_string()))
                .collect();
            problems.push(format!("{}: bad example does not fail: {got:?}", meta.code));
        }
        let r = judge(meta, good);
        if failing(&r, meta) {
            problems.push(format!("{}: good example fails", meta.code));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(judged > 0);
}
