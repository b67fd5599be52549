//! S112: an allow-list profile that blocks what runc itself needs to start the container.

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Severity, Status};

use super::{Check, Profile, at, resource};
use crate::examples::{seccomp_errno_head, seccomp_minimal};
use crate::seccomp::effective::{Class, Effective};
use crate::verdict::Verdict;

pub static META: CheckMeta = CheckMeta {
    code: "S112",
    name: "seccomp-runtime-startup-blocked",
    since: "0.1.0",
    aliases: &[],
    title: "Seccomp allow list misses syscalls the runtime needs to start",
    area: Area::Profiles,
    severity: Severity::Medium,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "For deny-by-default profiles, checks that the syscalls runc makes after the filter is loaded and before the workload runs (the Security Profiles Operator's measured runc base set) are allowed.",
        why: "The filter is installed before runc execs the workload. If one of these is blocked the container never starts: `exec ...: operation not permitted`, CrashLoopBackOff or CreateContainerError.",
        fix: "Add the missing names to the allow rule. `kubeward seccomp generate` always includes them (or start from `--base runtime-default`).",
        links: &[
            "https://github.com/kubernetes-sigs/security-profiles-operator/blob/main/installation-usage.md",
        ],
        bad: seccomp_minimal!(),
        good: concat!(
            seccomp_errno_head!(),
            r#"    {"names": [
      "arch_prctl", "brk", "capget", "capset", "chdir", "close",
      "close_range", "epoll_ctl", "epoll_pwait", "execve", "exit_group", "faccessat2",
      "fcntl", "fstat", "fstatfs", "futex", "getcwd", "getdents64",
      "getpid", "getppid", "getuid", "mmap", "mprotect", "nanosleep",
      "newfstatat", "openat", "openat2", "prctl", "read", "recvfrom",
      "rt_sigreturn", "sched_yield", "set_tid_address", "setgid", "setgroups", "setuid",
      "sigaltstack", "statx", "tgkill", "write"
    ], "action": "SCMP_ACT_ALLOW"}
  ]
}"#
        ),
    },
};

/// What runc v1.4 calls between loading the filter and running the workload (x86_64, measured by
/// the Security Profiles Operator).
pub const RUNC_BASE: &[&str] = &[
    "arch_prctl",
    "brk",
    "capget",
    "capset",
    "chdir",
    "close",
    "close_range",
    "epoll_ctl",
    "epoll_pwait",
    "execve",
    "exit_group",
    "faccessat2",
    "fcntl",
    "fstat",
    "fstatfs",
    "futex",
    "getcwd",
    "getdents64",
    "getpid",
    "getppid",
    "getuid",
    "mmap",
    "mprotect",
    "nanosleep",
    "newfstatat",
    "openat",
    "openat2",
    "prctl",
    "read",
    "recvfrom",
    "rt_sigreturn",
    "sched_yield",
    "set_tid_address",
    "setgid",
    "setgroups",
    "setuid",
    "sigaltstack",
    "statx",
    "tgkill",
    "write",
];

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(p: &Profile) -> Verdict {
    if p.default_action.lets_through() {
        return Verdict::Clean;
    }
    let arch = p.effective_arches()[0];
    let e = Effective::of(p, arch);
    let missing: Vec<&str> = RUNC_BASE
        .iter()
        .copied()
        .filter(|n| arch.knows(n) == Some(true) && e.class(n) == Class::Blocked)
        .collect();
    if missing.is_empty() {
        return Verdict::Clean;
    }
    Verdict::Problems(vec![
        Finding::new(
            &META,
            Status::Fail,
            resource(p),
            format!(
                "{} syscall(s) runc needs to start the container are blocked on {}: {}",
                missing.len(),
                arch.scmp_name(),
                missing.join(", ")
            ),
        )
        .with_evidence(
            Evidence::observed(
                format!("blocked by {}", e.default),
                at(p, p.default_action_line, "/defaultAction"),
            )
            .with_expected(format!("allowed: {}", missing.join(", "))),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    #[test]
    fn base_allowed_passes() {
        let names = RUNC_BASE
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(",");
        let p = parse(&format!(
            r#"{{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{{"names":[{names}],"action":"SCMP_ACT_ALLOW"}}]}}"#
        ));
        assert!(eval(&p).is_clean());
    }

    #[test]
    fn tiny_allow_list_fails() {
        let p = parse(
            r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","write"],"action":"SCMP_ACT_ALLOW"}]}"#,
        );
        let f = eval(&p).into_findings();
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("execve"));
        assert!(!f[0].message.contains(" read,"));
    }
}
