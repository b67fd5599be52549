//! AppArmor profile lint: one rule per file (`sNNN_*.rs`) with metadata, evaluation and vectors.

mod s201_apparmor_syntax_error;
mod s202_apparmor_missing_includes;
mod s203_apparmor_not_enforcing;
mod s204_apparmor_no_attach_disconnected;
mod s205_apparmor_write_and_exec;
mod s206_apparmor_broad_write;
mod s207_apparmor_dangerous_permission;
mod s208_apparmor_audit_is_not_deny;
mod s209_apparmor_profile_not_attachable;
mod s210_apparmor_unconfined_exec;
mod s211_apparmor_missing_container_denies;

pub use s207_apparmor_dangerous_permission::dangerous_caps;

use std::path::Path;

use kubeward_core::{CheckMeta, Evidence, Finding, InputInfo, Report, Resource, Source, Status};

use crate::verdict::Verdict;

use super::{AppArmorFile, ProfileBlock, Rule, RuleKind, glob};

/// What the person told us about how the profile will be used.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// The `localhostProfile` name pods will reference (`--expect-name`).
    pub expected_name: Option<String>,
}

/// One AppArmor lint check: its metadata and how it judges a profile file.
#[derive(Debug)]
pub struct Check {
    pub meta: &'static CheckMeta,
    pub eval: fn(&AppArmorFile, &LintOptions) -> Verdict,
}

/// Every AppArmor check, in code order (the order they run and report in).
pub static CHECKS: &[&Check] = &[
    &s201_apparmor_syntax_error::CHECK,
    &s202_apparmor_missing_includes::CHECK,
    &s203_apparmor_not_enforcing::CHECK,
    &s204_apparmor_no_attach_disconnected::CHECK,
    &s205_apparmor_write_and_exec::CHECK,
    &s206_apparmor_broad_write::CHECK,
    &s207_apparmor_dangerous_permission::CHECK,
    &s208_apparmor_audit_is_not_deny::CHECK,
    &s209_apparmor_profile_not_attachable::CHECK,
    &s210_apparmor_unconfined_exec::CHECK,
    &s211_apparmor_missing_container_denies::CHECK,
];

pub fn checks() -> Vec<&'static CheckMeta> {
    CHECKS.iter().map(|c| c.meta).collect()
}

/// Run every check: one that judged the file and found nothing gives one PASS, so no check
/// passes silently; one with nothing to judge says so (NOT_APPLICABLE, with the reason).
pub fn lint(f: &AppArmorFile, opts: &LintOptions) -> Vec<Finding> {
    CHECKS
        .iter()
        .flat_map(|c| (c.eval)(f, opts).report(c.meta, || file_resource(f)))
        .collect()
}

/// The `apparmor lint` pipeline: read each file, lint what it defines and record the files that
/// cannot be read as input errors (a file that cannot be read is never a passing profile).
pub fn lint_files<P: AsRef<Path>>(files: &[P], opts: &LintOptions) -> Report {
    let mut report = Report::new("apparmor lint");
    for f in files {
        let f = f.as_ref();
        match AppArmorFile::read(f) {
            Ok(parsed) => {
                let names: Vec<&str> = parsed.profiles.iter().map(|p| p.name.as_str()).collect();
                report.inputs.push(InputInfo {
                    kind: "apparmor-profile".into(),
                    path: f.display().to_string(),
                    detail: Some(format!("profiles: {}", names.join(", "))),
                });
                report.extend(lint(&parsed, opts));
            }
            Err(e) => report.input_errors.push(e.to_input_error()),
        }
    }
    report
}

/// Why a check that judges profile blocks judged nothing in a file.
pub(crate) const NO_PROFILE_BLOCK: &str =
    "the file defines no profile block to judge (S209 reports it)";

/// The verdict of a check that judges each profile block: a file without one gives it nothing
/// to judge (S209 reports such a file).
pub(crate) fn per_profile(f: &AppArmorFile, problems: Vec<Finding>) -> Verdict {
    if f.profiles.is_empty() {
        Verdict::NotApplicable(NO_PROFILE_BLOCK)
    } else {
        Verdict::judged(problems)
    }
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

    #[test]
    fn every_check_has_its_own_file_and_is_registered() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/apparmor/lint");
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

    #[test]
    fn a_file_without_profiles_passes_only_what_was_judged() {
        let f = parse("# only a comment\n");
        let found = lint(&f, &LintOptions::default());
        let codes: Vec<_> = found.iter().map(|x| (x.code.as_str(), x.status)).collect();
        // Syntax was judged (clean); S209 fails the file; per-profile checks had nothing to judge
        // and say so, with the reason.
        let mut want = vec![("S201", Status::Pass)];
        for code in ["S202", "S203", "S204", "S205", "S206", "S207", "S208"] {
            want.push((code, Status::NotApplicable));
        }
        want.push(("S209", Status::Fail));
        want.push(("S210", Status::NotApplicable));
        want.push(("S211", Status::NotApplicable));
        assert_eq!(codes, want);
        assert!(
            found
                .iter()
                .filter(|x| x.status == Status::NotApplicable)
                .all(|x| x.message.as_str() == NO_PROFILE_BLOCK)
        );
    }
}
