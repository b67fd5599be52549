//! S108: one syscall named by several unconditional rules, with different actions.

use std::collections::BTreeMap;

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Severity, Status};

use super::{Check, Profile, at, resource};
use crate::examples::seccomp_errno_head;
use crate::seccomp::effective::{Outcome, describe_args};
use crate::verdict::Verdict;

pub static META: CheckMeta = CheckMeta {
    code: "S108",
    name: "seccomp-conflicting-rules",
    since: "0.1.0",
    aliases: &[],
    title: "Seccomp profile gives one syscall conflicting actions",
    area: Area::Profiles,
    severity: Severity::Medium,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Finds syscalls listed in more than one rule without argument conditions, with different actions or errno values (a conflict) or with the same one (a duplicate), and argument rules that an unconditional rule for the same syscall overrides.",
        why: "Which rule wins depends on libseccomp's handling of the second rule, not on the author's intent: a syscall meant to be denied may end up allowed. An argument rule never applies when the same syscall also has an unconditional rule with another action (libseccomp keeps the unconditional one), so a deny meant for one argument value is silently lost. Duplicates are harmless but hide the real policy.",
        fix: "Keep each syscall in exactly one rule (per argument condition). `kubeward seccomp diff FILE --against runtime-default` shows the resulting policy.",
        links: &[],
        bad: concat!(
            seccomp_errno_head!(),
            r#"    {"names": ["read", "write", "chmod"], "action": "SCMP_ACT_ALLOW"},
    {"names": ["chmod"], "action": "SCMP_ACT_KILL_PROCESS"}
  ]
}"#
        ),
        good: concat!(
            seccomp_errno_head!(),
            r#"    {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
    {"names": ["chmod"], "action": "SCMP_ACT_KILL_PROCESS"}
  ]
}"#
        ),
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(p: &Profile) -> Verdict {
    let mut seen: BTreeMap<&str, Vec<(Outcome, u32, String)>> = BTreeMap::new();
    for r in p.rules.iter().filter(|r| r.args.is_empty()) {
        for n in &r.names {
            seen.entry(n.text.as_str()).or_default().push((
                Outcome::of_rule(r),
                n.line,
                format!("{}/names", r.key()),
            ));
        }
    }
    let mut out = shadowed_conditions(p);
    for (name, uses) in seen.into_iter().filter(|(_, u)| u.len() > 1) {
        let conflict = uses.iter().any(|(o, _, _)| *o != uses[0].0);
        let (status, severity, msg) = if conflict {
            let actions: Vec<String> = uses.iter().map(|(o, _, _)| o.to_string()).collect();
            (
                Status::Fail,
                Severity::Medium,
                format!("`{name}` has conflicting actions: {}", actions.join(" vs ")),
            )
        } else {
            (
                Status::Warn,
                Severity::Low,
                format!(
                    "`{name}` is listed {} times with the same action",
                    uses.len()
                ),
            )
        };
        let mut f = Finding::new(&META, status, resource(p), msg).with_severity(severity);
        f.evidence = uses
            .iter()
            .map(|(o, line, key)| Evidence::observed(format!("{name}: {o}"), at(p, *line, key)))
            .collect();
        out.push(f);
    }
    Verdict::judged(out)
}

/// libseccomp keeps one unconditional rule per syscall over any argument rule: an argument rule
/// added after it is dropped, one added before it is replaced. An argument rule with another
/// action therefore never applies (typically a conditional deny under a plain allow). Rules equal
/// to the default action are left out: runc skips them before libseccomp sees them.
fn shadowed_conditions(p: &Profile) -> Vec<Finding> {
    let default = Outcome::default_of(p);
    let live = |r: &&crate::seccomp::Rule| Outcome::of_rule(r) != default;
    let mut out = Vec::new();
    let mut reported = std::collections::BTreeSet::new();
    for plain in p.rules.iter().filter(live).filter(|r| r.args.is_empty()) {
        for n in &plain.names {
            let winner = Outcome::of_rule(plain);
            let shadowed: Vec<&crate::seccomp::Rule> = p
                .rules
                .iter()
                .filter(live)
                .filter(|r| !r.args.is_empty() && Outcome::of_rule(r) != winner)
                .filter(|r| r.names.iter().any(|x| x.text == n.text))
                .collect();
            if shadowed.is_empty() || !reported.insert(n.text.as_str()) {
                continue;
            }
            let mut f = Finding::new(
                &META,
                Status::Fail,
                resource(p),
                format!(
                    "`{}` has an unconditional {winner} rule, so its argument rule(s) ({}) never apply: libseccomp keeps only the unconditional rule",
                    n.text,
                    shadowed
                        .iter()
                        .map(|r| format!("{} if {}", Outcome::of_rule(r), describe_args(r)))
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            );
            f.evidence.push(
                Evidence::observed(
                    format!("{}: {winner}", n.text),
                    at(p, n.line, &format!("{}/names", plain.key())),
                )
                .with_note("unconditional: this is what the filter does"),
            );
            for r in &shadowed {
                f.evidence.push(
                    Evidence::observed(
                        format!(
                            "{}: {} if {}",
                            n.text,
                            Outcome::of_rule(r),
                            describe_args(r)
                        ),
                        at(p, r.line, &format!("{}/args", r.key())),
                    )
                    .with_note("never applied"),
                );
            }
            out.push(f);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    #[test]
    fn distinct_names_pass() {
        let p = parse(
            r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"},{"names":["clone3"],"action":"SCMP_ACT_ERRNO","errnoRet":38}]}"#,
        );
        assert!(eval(&p).is_clean());
    }

    #[test]
    fn conditional_kill_under_a_plain_allow_never_applies() {
        let p = parse(
            r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
{"names":["read","socket"],"action":"SCMP_ACT_ALLOW"},
{"names":["socket"],"action":"SCMP_ACT_KILL_PROCESS","args":[{"index":0,"value":17,"op":"SCMP_CMP_EQ"}]}]}"#,
        );
        let f = eval(&p).into_findings();
        assert_eq!(
            f.len(),
            1,
            "{:?}",
            f.iter().map(|x| &x.message).collect::<Vec<_>>()
        );
        assert_eq!(f[0].status, Status::Fail);
        assert!(
            f[0].message
                .contains("`socket` has an unconditional SCMP_ACT_ALLOW rule")
                && f[0]
                    .message
                    .contains("SCMP_ACT_KILL_PROCESS if arg0 == 0x11"),
            "{}",
            f[0].message
        );
        assert_eq!(f[0].evidence[1].source.line, Some(3));
        // The containerd default's shape (argument allows, no plain rule) is fine.
        let p = parse(
            r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":38,"op":"SCMP_CMP_LT"}]},{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}"#,
        );
        assert!(eval(&p).is_clean());
    }

    #[test]
    fn conflict_fails_and_duplicate_warns() {
        let p = parse(
            r#"{"defaultAction":"SCMP_ACT_LOG","syscalls":[
{"names":["chmod","read"],"action":"SCMP_ACT_ERRNO"},
{"names":["chmod"],"action":"SCMP_ACT_ALLOW"},
{"names":["read"],"action":"SCMP_ACT_ERRNO"}]}"#,
        );
        let f = eval(&p).into_findings();
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].status, Status::Fail);
        assert_eq!(f[0].evidence.len(), 2);
        assert_eq!(f[0].evidence[1].source.line, Some(3));
        assert_eq!(f[1].status, Status::Warn);
    }
}
