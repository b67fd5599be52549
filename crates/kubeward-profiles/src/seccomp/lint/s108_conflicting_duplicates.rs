//! S108: one syscall named by several unconditional rules, with different actions.

use std::collections::BTreeMap;

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Severity, Status};

use super::{Profile, at, resource};
use crate::seccomp::effective::Outcome;

pub static META: CheckMeta = CheckMeta {
    code: "S108",
    name: "seccomp-conflicting-rules",
    title: "Seccomp profile gives one syscall conflicting actions",
    area: Area::Profiles,
    severity: Severity::Medium,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Finds syscalls listed in more than one rule without argument conditions, with different actions or errno values (a conflict) or with the same one (a duplicate).",
        why: "Which rule wins depends on libseccomp's handling of the second rule, not on the author's intent: a syscall meant to be denied may end up allowed. Duplicates are harmless but hide the real policy.",
        fix: "Keep each syscall in exactly one rule (per argument condition). `kubeward seccomp diff FILE --against runtime-default` shows the resulting policy.",
        links: &[],
    },
};

pub fn evaluate(p: &Profile) -> Vec<Finding> {
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
    let mut out = Vec::new();
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
        assert!(evaluate(&p).is_empty());
    }

    #[test]
    fn conflict_fails_and_duplicate_warns() {
        let p = parse(
            r#"{"defaultAction":"SCMP_ACT_LOG","syscalls":[
{"names":["chmod","read"],"action":"SCMP_ACT_ERRNO"},
{"names":["chmod"],"action":"SCMP_ACT_ALLOW"},
{"names":["read"],"action":"SCMP_ACT_ERRNO"}]}"#,
        );
        let f = evaluate(&p);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].status, Status::Fail);
        assert_eq!(f[0].evidence.len(), 2);
        assert_eq!(f[0].evidence[1].source.line, Some(3));
        assert_eq!(f[1].status, Status::Warn);
    }
}
