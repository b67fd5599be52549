//! Seccomp profile lint: one rule per file (`sNNN_*.rs`), each with its metadata, evaluation and
//! pass/fail vectors. Every rule judges the profile as containerd + runc read it.

mod s101_seccomp_docker_only_keys;
mod s102_seccomp_singular_name;
mod s103_seccomp_unknown_syscall;
mod s104_seccomp_rule_repeats_default;
mod s105_seccomp_permissive_default;
mod s106_seccomp_dangerous_syscall_allowed;
mod s107_seccomp_args_become_or;
mod s108_seccomp_conflicting_rules;
mod s109_seccomp_partial_deny;
mod s110_seccomp_invalid_structure;
mod s111_seccomp_no_architectures;
mod s112_seccomp_runtime_startup_blocked;

pub use s106_seccomp_dangerous_syscall_allowed::DANGEROUS;
pub use s112_seccomp_runtime_startup_blocked::RUNC_BASE;

use std::path::Path;

use kubeward_core::{CheckMeta, Evidence, Finding, InputInfo, Report, Resource, Source, Status};

use crate::verdict::Verdict;

use super::Profile;

/// One seccomp lint check: its metadata and how it judges a profile.
#[derive(Debug)]
pub struct Check {
    pub meta: &'static CheckMeta,
    pub eval: fn(&Profile) -> Verdict,
}

/// Every seccomp check, in code order (the order they run and report in).
pub static CHECKS: &[&Check] = &[
    &s101_seccomp_docker_only_keys::CHECK,
    &s102_seccomp_singular_name::CHECK,
    &s103_seccomp_unknown_syscall::CHECK,
    &s104_seccomp_rule_repeats_default::CHECK,
    &s105_seccomp_permissive_default::CHECK,
    &s106_seccomp_dangerous_syscall_allowed::CHECK,
    &s107_seccomp_args_become_or::CHECK,
    &s108_seccomp_conflicting_rules::CHECK,
    &s109_seccomp_partial_deny::CHECK,
    &s110_seccomp_invalid_structure::CHECK,
    &s111_seccomp_no_architectures::CHECK,
    &s112_seccomp_runtime_startup_blocked::CHECK,
];

pub fn checks() -> Vec<&'static CheckMeta> {
    CHECKS.iter().map(|c| c.meta).collect()
}

/// Run every check: one that judged the profile and found nothing gives one PASS, so no check
/// passes silently; one with nothing to judge says so (NOT_APPLICABLE, with the reason).
pub fn lint(p: &Profile) -> Vec<Finding> {
    CHECKS
        .iter()
        .flat_map(|c| (c.eval)(p).report(c.meta, || resource(p)))
        .collect()
}

/// The `seccomp lint` pipeline: read each file, lint the profiles that load and record the files
/// that do not as input errors (a file that cannot be read is never a passing profile).
pub fn lint_files<P: AsRef<Path>>(files: &[P]) -> Report {
    let mut report = Report::new("seccomp lint");
    for f in files {
        let f = f.as_ref();
        match Profile::read(f) {
            Ok(p) => {
                report.inputs.push(InputInfo {
                    kind: "seccomp-profile".into(),
                    path: f.display().to_string(),
                    detail: Some(format!(
                        "defaultAction {}, {} rule(s)",
                        p.default_action.as_str(),
                        p.rules.len()
                    )),
                });
                report.extend(lint(&p));
            }
            Err(e) => report.input_errors.push(e.to_input_error()),
        }
    }
    report
}

pub(crate) fn resource(p: &Profile) -> Resource {
    Resource::new("SeccompProfile", &p.path)
}

pub(crate) fn at(p: &Profile, line: u32, key: &str) -> Source {
    let s = Source::file(&p.path).with_key(key);
    if line > 0 { s.with_line(line) } else { s }
}

/// A finding with one piece of evidence at `line`/`key`.
pub(crate) fn finding(
    meta: &'static CheckMeta,
    status: Status,
    p: &Profile,
    message: impl Into<kubeward_core::Text>,
    observed: impl Into<String>,
    line: u32,
    key: &str,
) -> Finding {
    Finding::new(meta, status, resource(p), message)
        .with_evidence(Evidence::observed(observed.into(), at(p, line, key)))
}

#[cfg(test)]
pub(crate) fn parse(text: &str) -> Profile {
    Profile::parse("test.json", text).expect("test profile parses")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seccomp::default::{ContainerdVersion, runtime_default};
    use crate::syscall_table::Arch;

    #[test]
    fn containerd_default_profiles_lint_clean() {
        for v in ["1.7.27", "1.7.34", "2.0.5", "2.3.4"] {
            for arch in [Arch::X86_64, Arch::Aarch64] {
                let p = runtime_default(v.parse::<ContainerdVersion>().unwrap(), arch);
                // Through JSON, as a file on a node would be read.
                let p = Profile::parse("default.json", &p.to_json_text()).unwrap();
                let bad: Vec<_> = lint(&p)
                    .into_iter()
                    .filter(|f| f.status != Status::Pass)
                    .map(|f| format!("{} {} {}", f.code, f.status, f.message))
                    .collect();
                if v.starts_with("1.7") {
                    // containerd 1.7 still allows io_uring: the one warning its default deserves.
                    assert_eq!(bad.len(), 1, "containerd {v} {arch:?}: {bad:#?}");
                    assert!(bad[0].starts_with("S106 WARN io_uring"), "{bad:?}");
                } else {
                    assert!(bad.is_empty(), "containerd {v} {arch:?}: {bad:#?}");
                }
            }
        }
    }

    #[test]
    fn every_rule_has_docs_and_a_profiles_code() {
        for m in checks() {
            assert!(m.code.starts_with("S1"), "{}", m.code);
            assert!(!m.doc.what.is_empty() && !m.doc.why.is_empty() && !m.doc.fix.is_empty());
        }
    }

    #[test]
    fn every_check_has_its_own_file_and_is_registered() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/seccomp/lint");
        let metas = checks();
        if let Err(e) = kubeward_core::registry::check_files(&dir, &metas) {
            panic!("{e:#?}");
        }
        let mut codes: Vec<_> = metas.iter().map(|m| m.code).collect();
        codes.sort_unstable();
        assert_eq!(
            codes,
            metas.iter().map(|m| m.code).collect::<Vec<_>>(),
            "CHECKS is in code order"
        );
    }
}
