//! The check contract of the AKS area: every check has its own file and is registered once, and
//! every check's documented examples give the documented verdict through the same pipeline as
//! `kubeward aks check`.

use crate::{Ctx, InputFile, assess, versions};
use kubeward_core::{CheckMeta, Status};

#[test]
fn every_check_file_is_registered_and_named_for_its_check() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/checks");
    let metas = crate::checks();
    assert_eq!(kubeward_core::registry::check_files(&dir, &metas), Ok(()));
}

#[test]
fn checks_are_listed_in_code_order() {
    let codes: Vec<&str> = crate::checks().iter().map(|c| c.code).collect();
    let mut sorted = codes.clone();
    sorted.sort_unstable();
    assert_eq!(codes, sorted);
}

/// An example as the files a user would give: one document, or several, each after a
/// `# <command>` line naming the command whose output it is.
fn example_files(code: &str, which: &str, text: &str) -> Vec<InputFile> {
    let mut docs: Vec<String> = Vec::new();
    for line in text.lines() {
        if line.starts_with("# ") {
            docs.push(String::new());
            continue;
        }
        if docs.is_empty() {
            docs.push(String::new());
        }
        if let Some(doc) = docs.last_mut() {
            doc.push_str(line);
            doc.push('\n');
        }
    }
    docs.into_iter()
        .enumerate()
        .map(|(i, text)| InputFile {
            path: format!("{code}-{which}-{i}.json"),
            text,
            forced_diagnostics: false,
        })
        .collect()
}

/// Checks that never fail by design, and the verdict their bad example gives instead: what they
/// judge is not in the cluster's Azure JSON (Z104, Z124), needs a person (Z102), or is a
/// requirement of some regimes only (Z111, Z142).
const NEVER_FAILS: &[(&str, Status)] = &[
    ("Z102", Status::Manual),
    ("Z104", Status::Manual),
    ("Z111", Status::Info),
    ("Z124", Status::Manual),
    ("Z142", Status::Info),
];

fn statuses(meta: &CheckMeta, which: &str, text: &str) -> Vec<Status> {
    let ctx = Ctx {
        as_of: versions::parse_date("2026-09-01").expect("date"),
    };
    let mut report = assess(example_files(meta.code, which, text), &ctx).report;
    report.finish();
    assert!(
        report.input_errors.is_empty(),
        "{} {which}: {:?}",
        meta.code,
        report.input_errors
    );
    report
        .findings
        .iter()
        .filter(|f| &*f.code == meta.code)
        .map(|f| f.status)
        .collect()
}

#[test]
fn bad_examples_fail_and_good_examples_do_not() {
    let failing = |s: &Status| matches!(s, Status::Fail | Status::Warn | Status::Error);
    let mut wrong = Vec::new();
    for meta in crate::checks() {
        let bad = statuses(meta, "bad", meta.doc.bad);
        let good = statuses(meta, "good", meta.doc.good);
        let bad_ok = match NEVER_FAILS.iter().find(|(c, _)| *c == meta.code) {
            Some((_, want)) => bad.contains(want),
            None => bad.iter().any(|s| matches!(s, Status::Fail | Status::Warn)),
        };
        let good_ok = !good.is_empty() && !good.iter().any(failing);
        if !bad_ok || !good_ok {
            wrong.push(format!("{}: bad {bad:?}, good {good:?}", meta.code));
        }
    }
    assert!(wrong.is_empty(), "examples:\n{}", wrong.join("\n"));
}
