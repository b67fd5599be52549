//! Seccomp profile lint: one rule per file (`sNNN_*.rs`), each with its metadata, evaluation and
//! pass/fail vectors. Every rule judges the profile as containerd + runc read it.

mod s101_dropped_keys;
mod s102_singular_name;
mod s103_unknown_syscall;
mod s104_redundant_rule;
mod s105_permissive_default;
mod s106_dangerous_allowed;
mod s107_args_or;
mod s108_conflicting_duplicates;
mod s109_partial_alias;
mod s110_structure;
mod s111_architectures;
mod s112_runtime_startup;

pub use s106_dangerous_allowed::DANGEROUS;
pub use s112_runtime_startup::RUNC_BASE;

use kubeward_core::{CheckMeta, Evidence, Finding, Resource, Source, Status};

use super::Profile;

type Rule = fn(&Profile) -> Vec<Finding>;

const RULES: &[(&CheckMeta, Rule)] = &[
    (&s101_dropped_keys::META, s101_dropped_keys::evaluate),
    (&s102_singular_name::META, s102_singular_name::evaluate),
    (&s103_unknown_syscall::META, s103_unknown_syscall::evaluate),
    (&s104_redundant_rule::META, s104_redundant_rule::evaluate),
    (
        &s105_permissive_default::META,
        s105_permissive_default::evaluate,
    ),
    (
        &s106_dangerous_allowed::META,
        s106_dangerous_allowed::evaluate,
    ),
    (&s107_args_or::META, s107_args_or::evaluate),
    (
        &s108_conflicting_duplicates::META,
        s108_conflicting_duplicates::evaluate,
    ),
    (&s109_partial_alias::META, s109_partial_alias::evaluate),
    (&s110_structure::META, s110_structure::evaluate),
    (&s111_architectures::META, s111_architectures::evaluate),
    (&s112_runtime_startup::META, s112_runtime_startup::evaluate),
];

pub fn checks() -> Vec<&'static CheckMeta> {
    RULES.iter().map(|(m, _)| *m).collect()
}

/// Run every rule; a rule with nothing to say gives one PASS, so no rule passes silently.
pub fn lint(p: &Profile) -> Vec<Finding> {
    let mut out = Vec::new();
    for (meta, rule) in RULES {
        let found = rule(p);
        if found.is_empty() {
            out.push(Finding::new(
                meta,
                Status::Pass,
                resource(p),
                "no problem found",
            ));
        } else {
            out.extend(found);
        }
    }
    out
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
}
