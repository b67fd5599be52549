//! S205: a path that may be both written and executed (W^X).

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Severity, Status};

use super::{
    Access, AppArmorFile, Check, LintOptions, RuleKind, allowed, at, glob, per_profile,
    profile_resource, sample,
};
use crate::examples::apparmor_web_start;
use crate::verdict::Verdict;

pub static META: CheckMeta = CheckMeta {
    code: "S205",
    name: "apparmor-write-and-exec",
    since: "0.1.0",
    aliases: &[],
    title: "AppArmor profile lets a path be written and executed",
    area: Area::Profiles,
    severity: Severity::Medium,
    references: &[RefStatic::mitre("T1105")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "For every allow rule with an exec permission, checks whether the same paths are also writable (in the same rule or through another allow rule not cancelled by a deny).",
        why: "Write plus execute on one path lets an attacker drop a binary or script and run it inside the confinement: the classic download-and-execute step. Keeping paths either writable or executable (W^X) forces them to bring code some other way.",
        fix: "Split the rules so executable paths (e.g. `/usr/bin/** ix`) are read-only and writable paths (`/tmp/** rw`) are not executable; add `deny /tmp/** x,`-style rules where a broad write grant exists.",
        links: &[],
        bad: concat!(
            apparmor_web_start!(),
            r#"  /usr/bin/nginx rix,
  /tmp/** rwix,
}
"#
        ),
        good: concat!(
            apparmor_web_start!(),
            r#"  /usr/bin/nginx rix,
  /tmp/** rw,
}
"#
        ),
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(f: &AppArmorFile, _: &LintOptions) -> Verdict {
    let mut out = Vec::new();
    for p in f.all_profiles() {
        for r in p.rules.iter().filter(|r| !r.q.deny) {
            let RuleKind::File { path, perms, .. } = &r.kind else {
                continue;
            };
            if perms.exec.is_none() {
                continue;
            }
            let probe = sample(path);
            if allowed(p, &probe, Access::Exec).is_none() {
                continue;
            }
            // Writes granted only by a bare `file,` are S211's concern; here, explicit grants.
            let writer = if perms.writes() {
                Some(r)
            } else if allowed(p, &probe, Access::Write).is_some() {
                p.rules.iter().find(|w| {
                    !w.q.deny
                        && matches!(&w.kind, RuleKind::File { path: wp, perms: wperms, .. }
                            if wperms.writes() && glob::matches(wp, &probe))
                })
            } else {
                None
            };
            if let Some(w) = writer {
                let same = w.line == r.line;
                let mut finding = Finding::new(
                    &META,
                    Status::Fail,
                    profile_resource(f, p),
                    if same {
                        format!("`{}` grants both write and exec on {path}", r.text)
                    } else {
                        format!(
                            "{path} is executable (line {}) and writable (line {}: `{}`)",
                            r.line, w.line, w.text
                        )
                    },
                )
                .with_item(path.to_string())
                .with_evidence(
                    Evidence::observed(r.text.clone(), at(f, r.line))
                        .with_note(format!("sample path {probe}")),
                );
                if !same {
                    finding =
                        finding.with_evidence(Evidence::observed(w.text.clone(), at(f, w.line)));
                }
                out.push(finding);
            }
        }
    }
    per_profile(f, out)
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    #[test]
    fn separate_paths_pass() {
        let f = parse("profile a {\n  /usr/bin/** rix,\n  /tmp/** rw,\n}\n");
        assert!(eval(&f, &LintOptions::default()).is_clean());
    }

    #[test]
    fn same_rule_and_cross_rule_fail() {
        let f = parse("profile a {\n  /opt/app/** rwix,\n}\n");
        assert_eq!(eval(&f, &LintOptions::default()).into_findings().len(), 1);
        let f = parse("profile a {\n  /tmp/** rw,\n  /tmp/tool ix,\n}\n");
        let r = eval(&f, &LintOptions::default()).into_findings();
        assert_eq!(r.len(), 1);
        assert!(
            r[0].message.contains("writable (line 2"),
            "{}",
            r[0].message
        );
        // A deny on write closes it.
        let f = parse("profile a {\n  /tmp/** rw,\n  /tmp/tool ix,\n  deny /tmp/tool w,\n}\n");
        assert!(eval(&f, &LintOptions::default()).is_clean());
        // A bare `file,` is judged by S211, not here.
        let f = parse("profile a {\n  file,\n  /usr/bin/tool ix,\n}\n");
        assert!(eval(&f, &LintOptions::default()).is_clean());
    }
}
