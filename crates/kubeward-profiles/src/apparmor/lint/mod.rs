//! AppArmor profile lint: one rule per file (`sNNN_*.rs`) with metadata, evaluation and vectors.

mod s201_syntax;
mod s202_includes;
mod s203_not_enforcing;
mod s204_attach_disconnected;
mod s205_write_exec;
mod s206_broad_write;
mod s207_dangerous_permission;
mod s208_audit_without_deny;
mod s209_profile_name;
mod s210_unconfined_exec;
mod s211_container_denies;

pub use s207_dangerous_permission::DANGEROUS_CAPS;

use kubeward_core::{CheckMeta, Evidence, Finding, Resource, Source, Status};

use super::{AppArmorFile, ProfileBlock, Rule, RuleKind, glob};

/// What the person told us about how the profile will be used.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// The `localhostProfile` name pods will reference (`--expect-name`).
    pub expected_name: Option<String>,
}

type Check = fn(&AppArmorFile, &LintOptions) -> Vec<Finding>;

const RULES: &[(&CheckMeta, Check)] = &[
    (&s201_syntax::META, s201_syntax::evaluate),
    (&s202_includes::META, s202_includes::evaluate),
    (&s203_not_enforcing::META, s203_not_enforcing::evaluate),
    (
        &s204_attach_disconnected::META,
        s204_attach_disconnected::evaluate,
    ),
    (&s205_write_exec::META, s205_write_exec::evaluate),
    (&s206_broad_write::META, s206_broad_write::evaluate),
    (
        &s207_dangerous_permission::META,
        s207_dangerous_permission::evaluate,
    ),
    (
        &s208_audit_without_deny::META,
        s208_audit_without_deny::evaluate,
    ),
    (&s209_profile_name::META, s209_profile_name::evaluate),
    (&s210_unconfined_exec::META, s210_unconfined_exec::evaluate),
    (
        &s211_container_denies::META,
        s211_container_denies::evaluate,
    ),
];

pub fn checks() -> Vec<&'static CheckMeta> {
    RULES.iter().map(|(m, _)| *m).collect()
}

pub fn lint(f: &AppArmorFile, opts: &LintOptions) -> Vec<Finding> {
    let mut out = Vec::new();
    for (meta, rule) in RULES {
        let found = rule(f, opts);
        if found.is_empty() {
            out.push(Finding::new(
                meta,
                Status::Pass,
                file_resource(f),
                "no problem found",
            ));
        } else {
            out.extend(found);
        }
    }
    out
}

pub(crate) fn file_resource(f: &AppArmorFile) -> Resource {
    Resource::new("AppArmorFile", &f.path)
}

pub(crate) fn profile_resource(f: &AppArmorFile, p: &ProfileBlock) -> Resource {
    Resource::new("AppArmorProfile", format!("{} ({})", p.name, f.path))
}

pub(crate) fn at(f: &AppArmorFile, line: u32) -> Source {
    Source::file(&f.path).with_line(line)
}

/// A finding about one rule line.
pub(crate) fn on_rule(
    meta: &'static CheckMeta,
    status: Status,
    f: &AppArmorFile,
    p: &ProfileBlock,
    r: &Rule,
    message: impl Into<kubeward_core::Text>,
) -> Finding {
    Finding::new(meta, status, profile_resource(f, p), message)
        .with_item(r.text.clone())
        .with_evidence(Evidence::observed(r.text.clone(), at(f, r.line)))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    Read,
    Write,
    Exec,
}

fn grants(r: &Rule, path: &str, access: Access) -> bool {
    match &r.kind {
        RuleKind::AllFiles => true,
        RuleKind::File {
            path: pat, perms, ..
        } => {
            let has = match access {
                Access::Read => perms.read,
                Access::Write => perms.writes(),
                Access::Exec => perms.exec.is_some(),
            };
            has && glob::matches(pat, path)
        }
        _ => false,
    }
}

/// The allow rule that grants `access` to `path`, unless a deny rule takes it away.
pub(crate) fn allowed<'a>(p: &'a ProfileBlock, path: &str, access: Access) -> Option<&'a Rule> {
    if denied(p, path, access) {
        return None;
    }
    p.rules
        .iter()
        .find(|r| !r.q.deny && grants(r, path, access))
}

pub(crate) fn denied(p: &ProfileBlock, path: &str, access: Access) -> bool {
    p.rules.iter().any(|r| r.q.deny && grants(r, path, access))
}

/// A concrete path a glob stands for (first alternative, one element per wildcard).
pub(crate) fn sample(pattern: &str) -> String {
    let mut out = String::new();
    let mut skip_alt = 0;
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if skip_alt > 0 {
            match c {
                '{' => skip_alt += 1,
                '}' => skip_alt -= 1,
                _ => {}
            }
            continue;
        }
        match c {
            '@' if chars.peek() == Some(&'{') => {
                let name: String = chars.by_ref().skip(1).take_while(|&c| c != '}').collect();
                out.push_str(match name.as_str() {
                    "PROC" | "proc" => "/proc",
                    "sys" => "/sys",
                    "HOME" => "/root",
                    "pid" | "pids" => "1",
                    _ => "x",
                });
            }
            '*' => {
                while chars.peek() == Some(&'*') {
                    chars.next();
                }
                out.push('x');
            }
            '?' => out.push('x'),
            '{' => {
                // Take the first alternative, skip the rest.
                for n in chars.by_ref() {
                    if n == ',' {
                        skip_alt = 1;
                        break;
                    }
                    if n == '}' {
                        break;
                    }
                    out.push(n);
                }
            }
            '[' => {
                for n in chars.by_ref() {
                    if n == ']' {
                        break;
                    }
                }
                out.push('x');
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
pub(crate) fn parse(text: &str) -> AppArmorFile {
    super::parse("test.profile", text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_paths() {
        assert_eq!(sample("/etc/{passwd,shadow}"), "/etc/passwd");
        assert_eq!(sample("@{PROC}/*/attr/**"), "/proc/x/attr/x");
        assert_eq!(sample("/usr/bin/[a-z]*"), "/usr/bin/xx");
    }

    #[test]
    fn allowed_respects_deny() {
        let f = parse("profile a {\n file,\n deny /etc/** w,\n}\n");
        let p = &f.profiles[0];
        assert!(allowed(p, "/tmp/x", Access::Write).is_some());
        assert!(allowed(p, "/etc/passwd", Access::Write).is_none());
        assert!(allowed(p, "/etc/passwd", Access::Read).is_some());
    }

    #[test]
    fn every_rule_documented() {
        for m in checks() {
            assert!(m.code.starts_with("S2"));
            assert!(!m.doc.fix.is_empty());
        }
    }
}
