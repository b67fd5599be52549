//! S110: fields the runtime refuses or that make the profile unusable (not fatal to reading it).

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{Check, Profile, finding};
use crate::examples::seccomp_errno_head;
use crate::seccomp::{Action, KNOWN_FLAGS};
use crate::verdict::Verdict;

pub static META: CheckMeta = CheckMeta {
    code: "S110",
    name: "seccomp-invalid-structure",
    since: "0.1.0",
    aliases: &[],
    title: "Seccomp profile has fields the runtime refuses",
    area: Area::Profiles,
    severity: Severity::High,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Checks the OCI fields: rules without names or with empty names, `errnoRet` on actions that take none or above 4095, SCMP_ACT_TRACE (no tracer in a pod: ENOSYS), more than 6 argument conditions or an index above 5, unknown `flags`, `listenerMetadata` without `listenerPath`, SCMP_ACT_NOTIFY as default, on `write` or without a listener, a kill-everything profile.",
        why: "runc refuses such a profile when the container is created: the pod sits in CreateContainerError. A kill-by-default profile with no rules kills the process on its first syscall.",
        fix: "Correct the field named in the finding; validate with `kubeward seccomp lint` before installing the file with `kubeward profiles install`.",
        links: &[
            "https://github.com/opencontainers/runtime-spec/blob/main/config-linux.md#seccomp",
        ],
        bad: concat!(
            seccomp_errno_head!(),
            r#"    {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW", "errnoRet": 1}
  ]
}"#
        ),
        good: concat!(
            seccomp_errno_head!(),
            r#"    {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"}
  ]
}"#
        ),
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(p: &Profile) -> Verdict {
    let mut out: Vec<Finding> = p
        .problems
        .iter()
        .map(|(line, key, msg)| {
            finding(&META, Status::Fail, p, msg.clone(), key.clone(), *line, key)
        })
        .collect();
    for f in &p.flags {
        if !KNOWN_FLAGS.contains(&f.text.as_str()) {
            out.push(finding(
                &META,
                Status::Fail,
                p,
                format!(
                    "unknown seccomp filter flag {:?} (valid: {})",
                    f.text,
                    KNOWN_FLAGS.join(", ")
                ),
                &f.text,
                f.line,
                "/flags",
            ));
        }
    }
    if let Some(line) = p.listener_metadata_line
        && p.listener_path.is_none()
    {
        out.push(finding(
            &META,
            Status::Fail,
            p,
            "`listenerMetadata` is set without `listenerPath`",
            "listenerMetadata",
            line,
            "/listenerMetadata",
        ));
    }
    if p.listener_path.is_none()
        && let Some(r) = p.rules.iter().find(|r| r.action == Action::Notify)
    {
        out.push(finding(&META, Status::Fail, p, format!("rule {} uses SCMP_ACT_NOTIFY but no `listenerPath` is set: nothing receives the notifications", r.index), r.action.as_str(), r.action_line, &format!("{}/action", r.key())));
    }
    // Nothing ptrace-attaches to a container's processes, so TRACE behaves as "fail with ENOSYS".
    let traced: Vec<(u32, String)> = std::iter::once((
        p.default_action,
        p.default_action_line,
        "/defaultAction".to_string(),
    ))
    .chain(
        p.rules
            .iter()
            .map(|r| (r.action, r.action_line, format!("{}/action", r.key()))),
    )
    .filter(|(a, _, _)| *a == Action::Trace)
    .map(|(_, line, key)| (line, key))
    .collect();
    for (line, key) in traced {
        out.push(
            finding(
                &META,
                Status::Warn,
                p,
                "SCMP_ACT_TRACE: no tracer is attached to a container's processes, so the kernel fails these syscalls with ENOSYS (any errnoRet only reaches a tracer)",
                Action::Trace.as_str(),
                line,
                &key,
            )
            .with_severity(Severity::Low),
        );
    }
    let kills = matches!(
        p.default_action,
        Action::Kill | Action::KillProcess | Action::KillThread
    );
    if kills
        && !p
            .rules
            .iter()
            .any(|r| r.action.lets_through() && !r.names.is_empty())
    {
        out.push(finding(
            &META,
            Status::Fail,
            p,
            format!("defaultAction {} and no allow rule: the kernel kills the container on its first syscall", p.default_action.as_str()),
            p.default_action.as_str(),
            p.default_action_line,
            "/defaultAction",
        ));
    }
    Verdict::judged(out)
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    #[test]
    fn clean_profile_passes() {
        let p = parse(
            r#"{"defaultAction":"SCMP_ACT_ERRNO","flags":["SECCOMP_FILTER_FLAG_LOG"],"syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"},{"names":["clone3"],"action":"SCMP_ACT_ERRNO","errnoRet":38}]}"#,
        );
        assert!(eval(&p).is_clean());
    }

    #[test]
    fn each_structural_problem_is_reported() {
        let cases = [
            (
                r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":[],"action":"SCMP_ACT_ALLOW"}]}"#,
                "has no `names`",
            ),
            (
                r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":[""],"action":"SCMP_ACT_ALLOW"}]}"#,
                "empty syscall name",
            ),
            (
                r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","errnoRet":1}]}"#,
                "takes no errno",
            ),
            (
                r#"{"defaultAction":"SCMP_ACT_ALLOW","defaultErrnoRet":1}"#,
                "takes no errno",
            ),
            (
                r#"{"defaultAction":"SCMP_ACT_NOTIFY","listenerPath":"/x"}"#,
                "cannot be the default",
            ),
            (
                r#"{"defaultAction":"SCMP_ACT_ERRNO","listenerPath":"/x","syscalls":[{"names":["write"],"action":"SCMP_ACT_NOTIFY"}]}"#,
                "on `write`",
            ),
            (
                r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_NOTIFY"}]}"#,
                "no `listenerPath`",
            ),
            (
                r#"{"defaultAction":"SCMP_ACT_ERRNO","listenerMetadata":"m"}"#,
                "without `listenerPath`",
            ),
            (
                r#"{"defaultAction":"SCMP_ACT_ERRNO","flags":["SECCOMP_FILTER_FLAG_FAST"]}"#,
                "unknown seccomp filter flag",
            ),
            (
                r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["ptrace"],"action":"SCMP_ACT_TRACE"}]}"#,
                "ENOSYS",
            ),
            (
                r#"{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":70000}"#,
                "is not an errno",
            ),
            (
                r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["clone3"],"action":"SCMP_ACT_ERRNO","errnoRet":4096}]}"#,
                "`errnoRet` 4096 is not an errno",
            ),
            (
                r#"{"defaultAction":"SCMP_ACT_KILL_PROCESS","syscalls":[]}"#,
                "kills the container",
            ),
            (
                r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]}"#,
                "valid indexes are 0 to 5",
            ),
            (
                r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"name":"read","action":"SCMP_ACT_ALLOW"}]}"#,
                "both `name` and `names`",
            ),
        ];
        for (text, needle) in cases {
            let f = eval(&parse(text)).into_findings();
            assert!(
                f.iter().any(|f| f.message.contains(needle)),
                "{needle}: {:?}",
                f.iter().map(|f| &f.message).collect::<Vec<_>>()
            );
        }
    }
}
