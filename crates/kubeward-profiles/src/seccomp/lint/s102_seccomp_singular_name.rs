//! S102: a rule written with Docker's singular `name` has no names under containerd.

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Severity, Status};

use super::{Check, Profile, at, finding};
use crate::examples::seccomp_allow_head;
use crate::verdict::Verdict;

pub static META: CheckMeta = CheckMeta {
    code: "S102",
    name: "seccomp-singular-name",
    since: "0.1.0",
    aliases: &[],
    title: "Seccomp rule uses `name` instead of `names`",
    area: Area::Profiles,
    severity: Severity::High,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Finds rules that name their syscall with the deprecated singular `name` key.",
        why: "containerd reads only `names`. A `{\"name\": \"chmod\", \"action\": \"SCMP_ACT_ERRNO\"}` rule reaches runc with no syscall at all, so nothing is denied: the Microsoft Learn `prevent-chmod` sample lets `chmod` succeed on AKS and the pod completes instead of failing.",
        fix: "Replace `\"name\": \"x\"` with `\"names\": [\"x\"]` (and group rules with the same action into one `names` list). Re-run `kubeward seccomp lint`, then reinstall the file on every node (`kubeward profiles install`); running containers keep the old filter until they restart.",
        links: &[
            "https://github.com/opencontainers/runtime-spec/blob/main/config-linux.md#seccomp",
        ],
        bad: concat!(
            seccomp_allow_head!(),
            r#"    {"name": "chmod", "action": "SCMP_ACT_ERRNO"}
  ]
}"#
        ),
        good: concat!(
            seccomp_allow_head!(),
            r#"    {"names": ["chmod"], "action": "SCMP_ACT_ERRNO"}
  ]
}"#
        ),
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(p: &Profile) -> Verdict {
    p.rules
        .iter()
        .filter_map(|r| {
            let n = r.singular_name.as_ref()?;
            let lost = if r.names.is_empty() {
                format!(
                    "rule {} names `{}` with `name`: containerd drops the key, the rule has no syscall and {} is never applied to it",
                    r.index,
                    n.text,
                    r.action.as_str()
                )
            } else {
                format!(
                    "rule {} has both `name` (`{}`, dropped) and `names`: only `names` is read",
                    r.index, n.text
                )
            };
            Some(
                finding(&META, Status::Fail, p, lost, format!("\"name\": \"{}\"", n.text), n.line, &format!("{}/name", r.key()))
                    .with_evidence(
                        Evidence::observed("no `names` key", at(p, r.line, &format!("{}/names", r.key())))
                            .with_expected(format!("\"names\": [\"{}\"]", n.text)),
                    ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    #[test]
    fn names_list_passes() {
        let p = parse(
            r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["chmod"],"action":"SCMP_ACT_ERRNO"}]}"#,
        );
        assert!(eval(&p).is_clean());
    }

    #[test]
    fn singular_name_fails_with_line() {
        let p = parse(
            "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[\n{\"name\":\"chmod\",\"action\":\"SCMP_ACT_ERRNO\"}]}",
        );
        let f = eval(&p).into_findings();
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("never applied"), "{}", f[0].message);
        assert_eq!(f[0].evidence[0].source.line, Some(2));
        assert_eq!(
            f[0].evidence[0].source.key.as_deref(),
            Some("/syscalls/0/name")
        );
    }
}
