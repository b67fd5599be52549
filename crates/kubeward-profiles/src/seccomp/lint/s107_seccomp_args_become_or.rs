//! S107: argument conditions on the same index in one rule, which runc turns into OR.

use kubeward_core::{Area, CheckDoc, CheckMeta, Severity, Status};

use super::{Check, Profile, finding};
use crate::examples::seccomp_errno_head;
use crate::seccomp::effective::{describe_args, repeats_index};
use crate::verdict::Verdict;

pub static META: CheckMeta = CheckMeta {
    code: "S107",
    name: "seccomp-args-become-or",
    since: "0.1.0",
    aliases: &[],
    title: "Seccomp argument conditions are ORed, not ANDed",
    area: Area::Profiles,
    severity: Severity::Medium,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Finds rules where the same argument index appears in more than one condition.",
        why: "Conditions in one rule are ANDed, except when an argument index repeats: runc then adds one rule per condition, so they are ORed. `arg0 != AF_VSOCK` plus `arg0 != AF_ALG` in one allow rule therefore allows every family, both of those included.",
        fix: "Express ranges as separate rules that each allow a safe range (e.g. socket allowed if `arg0 < 38`, `arg0 == 39`, `arg0 > 40` as three rules), or use one SCMP_CMP_MASKED_EQ condition.",
        links: &[
            "https://github.com/opencontainers/runc/blob/main/libcontainer/seccomp/seccomp_linux.go",
        ],
        bad: concat!(
            seccomp_errno_head!(),
            r#"    {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [
      {"index": 0, "value": 38, "op": "SCMP_CMP_NE"},
      {"index": 0, "value": 40, "op": "SCMP_CMP_NE"}
    ]}
  ]
}"#
        ),
        good: concat!(
            seccomp_errno_head!(),
            r#"    {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]},
    {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 10, "op": "SCMP_CMP_EQ"}]}
  ]
}"#
        ),
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(p: &Profile) -> Verdict {
    p.rules
        .iter()
        .filter(|r| repeats_index(r))
        .map(|r| {
            let names: Vec<&str> = r.names.iter().map(|n| n.text.as_str()).collect();
            let widened = if r.action.lets_through() {
                "the rule allows whenever ANY condition holds"
            } else {
                "the rule applies whenever ANY condition holds"
            };
            finding(
                &META,
                Status::Fail,
                p,
                format!(
                    "rule {} ({}) repeats an argument index: runc reads ({}); {widened}",
                    r.index,
                    names.join(", "),
                    describe_args(r)
                ),
                describe_args(r),
                r.args.first().map_or(r.line, |a| a.line),
                &format!("{}/args", r.key()),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    #[test]
    fn different_indexes_are_anded() {
        let p = parse(
            r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":2,"op":"SCMP_CMP_EQ"},{"index":1,"value":1,"op":"SCMP_CMP_EQ"}]}]}"#,
        );
        assert!(eval(&p).is_clean());
    }

    #[test]
    fn repeated_index_is_or() {
        let p = parse(
            r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":40,"op":"SCMP_CMP_NE"},{"index":0,"value":38,"op":"SCMP_CMP_NE"}]}]}"#,
        );
        let f = eval(&p).into_findings();
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message.contains("arg0 != 0x28 OR arg0 != 0x26"),
            "{}",
            f[0].message
        );
    }
}
