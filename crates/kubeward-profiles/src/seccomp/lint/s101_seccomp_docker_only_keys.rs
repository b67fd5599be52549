//! S101: keys containerd does not read (Docker's dialect), so the profile on the node is not the
//! profile its author wrote.

use kubeward_core::{Area, CheckDoc, CheckMeta, Severity, Status};

use super::{Check, Profile, finding};
use crate::examples::{seccomp_basic_allow, seccomp_errno_head, seccomp_minimal};
use crate::seccomp::Action;
use crate::verdict::Verdict;

pub static META: CheckMeta = CheckMeta {
    code: "S101",
    name: "seccomp-docker-only-keys",
    since: "0.1.0",
    aliases: &[],
    title: "Seccomp profile uses keys containerd drops",
    area: Area::Profiles,
    severity: Severity::Medium,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Looks for keys outside the OCI runtime-spec seccomp format: Docker's `archMap`, per-rule `name`, `comment`, `includes` and `excludes` (with `caps`, `arches`, `minKernel`), and any other unknown key.",
        why: "containerd decodes a Localhost profile into the OCI struct and silently drops every other key. An `includes: {caps: [CAP_SYS_ADMIN]}` allow rule becomes an unconditional allow; an `archMap` without `architectures` leaves only the native ABI listed; a `name` rule names nothing.",
        fix: "Write the profile in the OCI dialect: `architectures` instead of `archMap`, `names` (a list) instead of `name`, no `includes`/`excludes` (expand them yourself for the node's capabilities, arch and kernel). `kubeward seccomp generate` writes OCI profiles; then place the file on every node with `kubeward profiles install`.",
        links: &[
            "https://github.com/opencontainers/runtime-spec/blob/main/config-linux.md#seccomp",
            "https://kubernetes.io/docs/tutorials/security/seccomp/",
        ],
        bad: concat!(
            seccomp_errno_head!(),
            seccomp_basic_allow!(),
            r#",
    {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}}
  ]
}"#
        ),
        good: seccomp_minimal!(),
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(p: &Profile) -> Verdict {
    p.dropped
        .iter()
        .map(|d| {
            let mut f = finding(
                &META,
                Status::Fail,
                p,
                format!("`{}` is not read by containerd: {}", d.key, d.meaning),
                d.key
                    .trim_start_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or(&d.key),
                d.line,
                &d.key,
            );
            // A dropped condition on an allow rule widens the profile: worse than a lost comment.
            let widened = (d.key.ends_with("/includes") || d.key.ends_with("/excludes"))
                && rule_action(p, &d.key).is_some_and(Action::lets_through);
            if widened {
                f = f.with_severity(Severity::High);
            } else if d.key.ends_with("/comment") || d.key == "/comment" {
                f = f.with_severity(Severity::Info);
                f.status = Status::Warn;
            }
            f
        })
        .collect()
}

fn rule_action(p: &Profile, key: &str) -> Option<Action> {
    let idx: usize = key
        .strip_prefix("/syscalls/")?
        .split('/')
        .next()?
        .parse()
        .ok()?;
    p.rules.get(idx).map(|r| r.action)
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    #[test]
    fn oci_profile_passes() {
        let p = parse(
            r#"{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64"],"syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}"#,
        );
        assert!(eval(&p).is_clean());
    }

    #[test]
    fn includes_on_allow_rule_is_high() {
        let p = parse(
            r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
{"names":["mount"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMIN"]}}]}"#,
        );
        let f = eval(&p).into_findings();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::High);
        assert_eq!(f[0].evidence[0].source.line, Some(2));
        assert!(f[0].message.contains("applies unconditionally"));
    }

    #[test]
    fn arch_map_and_comment() {
        let p = parse(
            r#"{"defaultAction":"SCMP_ACT_ERRNO","archMap":[{"architecture":"SCMP_ARCH_X86_64"}],"syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","comment":"hi"}]}"#,
        );
        let f = eval(&p).into_findings();
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].status, Status::Fail);
        assert_eq!(f[1].status, Status::Warn);
    }
}
