//! S104: rules whose action equals the default action (runc skips them).

use kubeward_core::{Area, CheckDoc, CheckMeta, Severity, Status};

use super::{Check, Profile, finding};
use crate::examples::{seccomp_basic_allow, seccomp_errno_head, seccomp_minimal};
use crate::seccomp::effective::Outcome;
use crate::verdict::Verdict;

pub static META: CheckMeta = CheckMeta {
    code: "S104",
    name: "seccomp-rule-repeats-default",
    since: "0.1.0",
    aliases: &[],
    title: "Seccomp rule repeats the default action",
    area: Area::Profiles,
    severity: Severity::Low,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Finds rules whose action (and errno) equal `defaultAction` (and `defaultErrnoRet`).",
        why: "runc skips such rules as redundant. They are dead text, and often a sign that the author meant the opposite action (e.g. ALLOW rules in an allow-by-default profile that was meant to deny).",
        fix: "Delete the rule, or give it the action you meant. Check the profile with `kubeward seccomp diff FILE --against runtime-default` to see what it really changes.",
        links: &[],
        bad: concat!(
            seccomp_errno_head!(),
            seccomp_basic_allow!(),
            r#",
    {"names": ["ptrace"], "action": "SCMP_ACT_ERRNO"}
  ]
}"#
        ),
        good: seccomp_minimal!(),
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(p: &Profile) -> Verdict {
    let default = Outcome::default_of(p);
    p.rules
        .iter()
        .filter(|r| Outcome::of_rule(r) == default && !r.names.is_empty())
        .map(|r| {
            let names: Vec<&str> = r.names.iter().map(|n| n.text.as_str()).collect();
            finding(
                &META,
                Status::Warn,
                p,
                format!(
                    "rule {} ({} for {}) repeats the default action: runc skips it",
                    r.index,
                    default,
                    preview(&names)
                ),
                r.action.as_str(),
                r.action_line,
                &format!("{}/action", r.key()),
            )
        })
        .collect()
}

pub(crate) fn preview(names: &[&str]) -> String {
    if names.len() <= 5 {
        names.join(", ")
    } else {
        format!("{} and {} more", names[..5].join(", "), names.len() - 5)
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    #[test]
    fn different_errno_is_not_redundant() {
        let p = parse(
            r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["clone3"],"action":"SCMP_ACT_ERRNO","errnoRet":38}]}"#,
        );
        assert!(eval(&p).is_clean());
    }

    #[test]
    fn kill_thread_under_a_kill_default_is_redundant() {
        let p = parse(
            r#"{"defaultAction":"SCMP_ACT_KILL","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"},{"names":["mount"],"action":"SCMP_ACT_KILL_THREAD"}]}"#,
        );
        let f = eval(&p).into_findings();
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("rule 1"), "{}", f[0].message);
    }

    #[test]
    fn same_action_warns() {
        let p = parse(
            r#"{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"syscalls":[{"names":["mount"],"action":"SCMP_ACT_ERRNO"}]}"#,
        );
        let f = eval(&p).into_findings();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].status, Status::Warn);
        assert!(f[0].message.contains("runc skips it"));
    }
}
