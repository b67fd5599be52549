//! S106: syscalls the runtime default blocks (container escape and kernel attack surface) that
//! this profile lets through unconditionally.

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Severity, Status};

use super::{Check, Profile, at, resource};
use crate::examples::{seccomp_basic_allow, seccomp_errno_head, seccomp_minimal};
use crate::seccomp::effective::{Class, Effective};
use crate::verdict::Verdict;

pub static META: CheckMeta = CheckMeta {
    code: "S106",
    name: "seccomp-dangerous-syscall-allowed",
    since: "0.1.0",
    aliases: &[],
    title: "Seccomp profile allows dangerous syscalls",
    area: Area::Profiles,
    severity: Severity::High,
    references: &[RefStatic::mitre("T1611"), RefStatic::mitre("T1068")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Lists syscalls that containerd's default profile blocks or filters (mount family, namespaces, kernel modules, kexec, bpf, perf_event_open, keyrings, open_by_handle_at, userfaultfd, io_uring, time setting, reboot, swap, raw I/O ports, clone/socket/personality without argument filters…) which this profile allows without a condition, on any listed architecture.",
        why: "These syscalls are the usual path from a compromised container to the node: mounting host filesystems, entering other namespaces, loading kernel code, or reaching rarely used and often vulnerable kernel interfaces. The runtime default blocks them for a reason; a custom profile should not reopen them without one.",
        fix: "Remove the syscall from the allow rules (or add an explicit SCMP_ACT_ERRNO rule in an allow-by-default profile). For clone, socket and personality keep the runtime default's argument filters (`kubeward seccomp generate` writes them). If a workload truly needs one, grant it in a dedicated profile for that workload only.",
        links: &["https://docs.docker.com/engine/security/seccomp/"],
        bad: concat!(
            seccomp_errno_head!(),
            seccomp_basic_allow!(),
            r#",
    {"names": ["mount", "umount2", "unshare"], "action": "SCMP_ACT_ALLOW"}
  ]
}"#
        ),
        good: seccomp_minimal!(),
    },
};

/// Syscalls the runtime default blocks or filters. ptrace and process_vm_* are absent: containerd
/// allows them on kernels >= 4.8 (every AKS kernel), where they stay bound by ptrace access rules.
pub const DANGEROUS: &[&str] = &[
    "_sysctl",
    "acct",
    "add_key",
    "bpf",
    "clock_settime",
    "clone",
    "clone3",
    "create_module",
    "delete_module",
    "fanotify_init",
    "finit_module",
    "fsconfig",
    "fsmount",
    "fsopen",
    "fspick",
    "get_mempolicy",
    "init_module",
    "io_uring_enter",
    "io_uring_register",
    "io_uring_setup",
    "ioperm",
    "iopl",
    "kcmp",
    "kexec_file_load",
    "kexec_load",
    "keyctl",
    "lookup_dcookie",
    "mbind",
    "migrate_pages",
    "mount",
    "mount_setattr",
    "move_mount",
    "move_pages",
    "open_by_handle_at",
    "open_tree",
    "perf_event_open",
    "personality",
    "pidfd_getfd",
    "pivot_root",
    "process_madvise",
    "quotactl",
    "quotactl_fd",
    "reboot",
    "request_key",
    "set_mempolicy",
    "setdomainname",
    "sethostname",
    "setns",
    "settimeofday",
    "socket",
    "stime",
    "swapoff",
    "swapon",
    "syslog",
    "umount",
    "umount2",
    "unshare",
    "uselib",
    "userfaultfd",
    "vhangup",
    "vm86",
    "vm86old",
];

/// Allowed by containerd 1.7's default but blocked since 2.0: a warning, not a failure.
const IO_URING: [&str; 3] = ["io_uring_setup", "io_uring_enter", "io_uring_register"];

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(p: &Profile) -> Verdict {
    let mut hard = Vec::new();
    let mut soft = Vec::new();
    let per_arch: Vec<Effective> = p
        .effective_arches()
        .into_iter()
        .map(|a| Effective::of(p, a))
        .collect();
    for &name in DANGEROUS {
        let open_on = per_arch
            .iter()
            .filter(|e| e.arch.knows(name) == Some(true))
            .find(|e| e.class(name) == Class::Allowed)
            .map(|e| e.arch);
        let Some(arch) = open_on else { continue };
        let ev = match p.rules.iter().find(|r| {
            r.args.is_empty() && r.action.lets_through() && r.names.iter().any(|n| n.text == name)
        }) {
            Some(r) => {
                let line = r
                    .names
                    .iter()
                    .find(|n| n.text == name)
                    .map_or(r.line, |n| n.line);
                Evidence::observed(
                    format!("{name}: {}", r.action.as_str()),
                    at(p, line, &format!("{}/names", r.key())),
                )
            }
            // Allowed by the default action: grouped into one piece of evidence below.
            None => {
                if IO_URING.contains(&name) {
                    soft.push((name, None));
                } else {
                    hard.push((name, None));
                }
                continue;
            }
        }
        .with_expected(if matches!(name, "clone" | "socket" | "personality") {
            "allowed only with the runtime default's argument filter"
        } else {
            "SCMP_ACT_ERRNO"
        })
        .with_note(format!("on {}", arch.scmp_name()));
        let ev = Some(ev);
        if IO_URING.contains(&name) {
            soft.push((name, ev));
        } else {
            hard.push((name, ev));
        }
    }
    let mut out = Vec::new();
    if !hard.is_empty() {
        let names: Vec<&str> = hard.iter().map(|(n, _)| *n).collect();
        let mut f = Finding::new(
            &META,
            Status::Fail,
            resource(p),
            format!(
                "{} dangerous syscall(s) allowed without condition: {}",
                names.len(),
                names.join(", ")
            ),
        );
        f.evidence = evidence(p, hard);
        f = f.with_item("dangerous syscalls");
        if names.iter().any(|n| {
            matches!(
                *n,
                "init_module"
                    | "finit_module"
                    | "kexec_load"
                    | "open_by_handle_at"
                    | "mount"
                    | "bpf"
            )
        }) {
            f = f.with_severity(Severity::Critical);
        }
        out.push(f);
    }
    if !soft.is_empty() {
        let names: Vec<&str> = soft.iter().map(|(n, _)| *n).collect();
        let mut f = Finding::new(
            &META,
            Status::Warn,
            resource(p),
            format!(
                "io_uring allowed ({}): containerd 1.7's default still allows it, 2.0 and Docker block it because io_uring operations bypass seccomp filtering",
                names.join(", ")
            ),
        )
        .with_severity(Severity::Medium)
        .with_item("io_uring");
        f.evidence = evidence(p, soft);
        out.push(f);
    }
    Verdict::judged(out)
}

/// Explicit allow rules keep one piece of evidence each; syscalls opened by the default action
/// share one at `defaultAction`.
fn evidence(p: &Profile, items: Vec<(&str, Option<Evidence>)>) -> Vec<Evidence> {
    let by_default: Vec<&str> = items
        .iter()
        .filter(|(_, e)| e.is_none())
        .map(|(n, _)| *n)
        .collect();
    let mut out: Vec<Evidence> = items.into_iter().filter_map(|(_, e)| e).collect();
    if !by_default.is_empty() {
        out.push(
            Evidence::observed(
                format!("{} by default", p.default_action.as_str()),
                at(p, p.default_action_line, "/defaultAction"),
            )
            .with_expected("SCMP_ACT_ERRNO by default, or explicit deny rules")
            .with_note(format!("no rule denies: {}", by_default.join(", "))),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    #[test]
    fn filtered_clone_and_plain_allow_list_pass() {
        let p = parse(
            r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","write"],"action":"SCMP_ACT_ALLOW"},
{"names":["clone"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":2114060288,"valueTwo":0,"op":"SCMP_CMP_MASKED_EQ"}]}]}"#,
        );
        assert!(eval(&p).is_clean());
    }

    #[test]
    fn explicit_allow_of_mount_is_critical() {
        let p = parse(
            "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\",\n\"mount\",\"unshare\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
        );
        let f = eval(&p).into_findings();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Critical);
        assert!(f[0].message.contains("mount, unshare"), "{}", f[0].message);
        assert_eq!(f[0].evidence[0].source.line, Some(2));
    }

    #[test]
    fn allow_default_opens_everything_not_denied() {
        let p = parse(
            r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mount"],"action":"SCMP_ACT_ERRNO"}]}"#,
        );
        let f = eval(&p).into_findings();
        assert!(!f[0].message.contains(" mount,"));
        assert!(f[0].message.contains("bpf"));
        assert!(
            f[0].evidence
                .iter()
                .all(|e| e.source.key.as_deref() == Some("/defaultAction"))
        );
    }

    #[test]
    fn io_uring_is_a_warning() {
        let p = parse(
            r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["io_uring_setup"],"action":"SCMP_ACT_ALLOW"}]}"#,
        );
        let f = eval(&p).into_findings();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].status, Status::Warn);
    }
}
