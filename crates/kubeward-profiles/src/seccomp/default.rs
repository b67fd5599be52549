//! containerd's default seccomp profile (what Kubernetes `RuntimeDefault` means on AKS), for a
//! chosen containerd version and architecture.
//!
//! containerd builds the profile in code: one long allow list plus argument-, architecture- and
//! capability-conditional rules. Rather than copy that list, kubeward derives it from facts about
//! what it blocks (for containerd main/2.3 on x86_64 with the default capability set and a kernel
//! 4.8 or later) and the kernel syscall table: allowed = table - blocked - argument-filtered. The version
//! differences that matter on AKS are modelled explicitly (see [`ContainerdVersion`]).
//!
//! Limits, said plainly: the allow list is derived from the 64-bit table only, so 32-bit-only
//! names (`socketcall`, `_llseek`…) that containerd allows for i386 processes are not in it; the
//! newest syscalls (kernel 6.5+) are treated as allowed in every version as in containerd 2.3.

use std::fmt;
use std::str::FromStr;

use super::{Action, ArgCond, Located, Op, Profile, Rule};
use crate::syscall_table::Arch;

/// Blocked on x86_64 by containerd main/2.3 with the default capabilities (kernel >= 4.8). A few
/// are newer than the allow list (blocked by lag), some are unimplemented stubs.
pub const BLOCKED: &[&str] = &[
    "_sysctl",
    "acct",
    "add_key",
    "afs_syscall",
    "bpf",
    "clock_settime",
    "clone3",
    "create_module",
    "delete_module",
    "fanotify_init",
    "file_getattr",
    "file_setattr",
    "finit_module",
    "fsconfig",
    "fsmount",
    "fsopen",
    "fspick",
    "get_kernel_syms",
    "get_mempolicy",
    "getpmsg",
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
    "listns",
    "lookup_dcookie",
    "mbind",
    "migrate_pages",
    "mount",
    "mount_setattr",
    "move_mount",
    "move_pages",
    "nfsservctl",
    "open_by_handle_at",
    "open_tree",
    "open_tree_attr",
    "perf_event_open",
    "pidfd_getfd",
    "pivot_root",
    "process_madvise",
    "putpmsg",
    "query_module",
    "quotactl",
    "quotactl_fd",
    "reboot",
    "request_key",
    "rseq_slice_yield",
    "security",
    "set_mempolicy",
    "set_mempolicy_home_node",
    "setdomainname",
    "sethostname",
    "setns",
    "settimeofday",
    "swapoff",
    "swapon",
    "sysfs",
    "syslog",
    "tuxcall",
    "umount2",
    "unshare",
    "uprobe",
    "uselib",
    "userfaultfd",
    "ustat",
    "vhangup",
    "vserver",
];

/// Allowed only with argument filters.
pub const ARG_FILTERED: &[&str] = &["clone", "socket", "personality"];

const IO_URING: [&str; 3] = ["io_uring_setup", "io_uring_enter", "io_uring_register"];

/// `CLONE_NEWNS|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET|NEWCGROUP`: clone is allowed only without these.
pub const CLONE_NAMESPACE_FLAGS: u64 = 0x7E02_0000;
const AF_ALG: u64 = 38;
const AF_NFC: u64 = 39;
const AF_VSOCK: u64 = 40;
/// `personality` values containerd allows: PER_LINUX, PER_LINUX32, UNAME26, UNAME26|PER_LINUX32,
/// and the query value.
const PERSONALITIES: [u64; 5] = [0x0, 0x8, 0x20000, 0x20008, 0xffff_ffff];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ContainerdVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

/// A containerd version kubeward cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    #[error("containerd version {0:?} is not MAJOR.MINOR[.PATCH] (e.g. 1.7.27, 2.0.5)")]
    Malformed(String),
    #[error(
        "containerd {0} is not modelled: kubeward knows the default profile of containerd 1.7.x and 2.x (AKS nodes run 1.7 on Ubuntu 22.04 and 2.x on Azure Linux 3 / Ubuntu 24.04)"
    )]
    NotModelled(ContainerdVersion),
}

impl FromStr for ContainerdVersion {
    type Err = VersionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().trim_start_matches('v');
        let core = t.split(['-', '+', '~']).next().unwrap_or(t);
        let mut parts = core.split('.').map(|p| p.parse::<u32>());
        let bad = || VersionError::Malformed(s.to_string());
        let major = parts.next().and_then(Result::ok).ok_or_else(bad)?;
        let minor = parts.next().and_then(Result::ok).ok_or_else(bad)?;
        let patch = match parts.next() {
            Some(p) => p.map_err(|_| bad())?,
            None => 0,
        };
        let v = ContainerdVersion {
            major,
            minor,
            patch,
        };
        if v < (ContainerdVersion {
            major: 1,
            minor: 7,
            patch: 0,
        }) || major > 2
        {
            return Err(VersionError::NotModelled(v));
        }
        Ok(v)
    }
}

impl fmt::Display for ContainerdVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl ContainerdVersion {
    pub const LATEST: ContainerdVersion = ContainerdVersion {
        major: 2,
        minor: 3,
        patch: 4,
    };

    /// io_uring left the allow list in containerd 2.0; 1.7.x still allows it.
    pub fn allows_io_uring(self) -> bool {
        self.major < 2
    }

    /// AF_ALG sockets are refused since the 2026-04-30 change, backported to 1.7.34 and 2.0.11;
    /// kubeward assumes every 2.1+ release carries it (2.3 main does).
    pub fn blocks_af_alg(self) -> bool {
        match (self.major, self.minor) {
            (1, 7) => self.patch >= 34,
            (2, 0) => self.patch >= 11,
            _ => true,
        }
    }

    /// What this model assumes, for reports.
    pub fn notes(self) -> Vec<String> {
        let mut n = vec![
            "derived from the kernel syscall table minus what containerd blocks (default capabilities, kernel >= 4.8)".to_string(),
            "32-bit-only syscall names allowed by containerd for i386 processes are not modelled".to_string(),
        ];
        if self.allows_io_uring() {
            n.push("containerd 1.7.x allows io_uring_setup/enter/register".into());
        } else {
            n.push("containerd 2.x blocks io_uring_setup/enter/register".into());
        }
        n.push(if self.blocks_af_alg() {
            "socket(AF_ALG) and socket(AF_VSOCK) are refused".into()
        } else {
            "socket(AF_VSOCK) is refused; AF_ALG is allowed in this release".into()
        });
        n
    }
}

fn rule(names: &[&str], action: Action, errno_ret: Option<u64>, args: Vec<ArgCond>) -> Rule {
    Rule {
        index: 0,
        line: 0,
        names: names
            .iter()
            .map(|n| Located {
                text: n.to_string(),
                line: 0,
            })
            .collect(),
        singular_name: None,
        action,
        action_line: 0,
        errno_ret,
        args,
    }
}

fn arg(index: u64, op: Op, value: u64, value_two: Option<u64>) -> ArgCond {
    ArgCond {
        index,
        value,
        value_two,
        op,
        line: 0,
    }
}

/// The default profile of containerd `version` on `arch` (X86_64 or AARCH64 native).
pub fn runtime_default(version: ContainerdVersion, arch: Arch) -> Profile {
    let mut allowed: Vec<&'static str> = arch
        .names()
        .into_iter()
        .filter(|n| !BLOCKED.contains(n) && !ARG_FILTERED.contains(n))
        .collect();
    if version.allows_io_uring() {
        allowed.extend(IO_URING);
    }
    allowed.sort_unstable();
    allowed.dedup();

    let mut rules = vec![rule(&allowed, Action::Allow, None, Vec::new())];
    // s390 passes the clone flags in the second argument.
    let clone_arg = if matches!(arch, Arch::S390x | Arch::S390) {
        1
    } else {
        0
    };
    rules.push(rule(
        &["clone"],
        Action::Allow,
        None,
        vec![arg(clone_arg, Op::MaskedEq, CLONE_NAMESPACE_FLAGS, Some(0))],
    ));
    // One rule per range: conditions on the same argument inside one rule would be ORed.
    let socket_ranges: Vec<(Op, u64)> = if version.blocks_af_alg() {
        vec![(Op::Lt, AF_ALG), (Op::Eq, AF_NFC), (Op::Gt, AF_VSOCK)]
    } else {
        vec![(Op::Lt, AF_VSOCK), (Op::Gt, AF_VSOCK)]
    };
    for (op, v) in socket_ranges {
        rules.push(rule(
            &["socket"],
            Action::Allow,
            None,
            vec![arg(0, op, v, None)],
        ));
    }
    for v in PERSONALITIES {
        rules.push(rule(
            &["personality"],
            Action::Allow,
            None,
            vec![arg(0, Op::Eq, v, None)],
        ));
    }
    // Without CAP_SYS_ADMIN clone3 returns ENOSYS so libc falls back to clone (and its filter).
    rules.push(rule(&["clone3"], Action::Errno, Some(38), Vec::new()));
    Profile::built(
        format!(
            "runtime-default (containerd {version}, {})",
            arch.scmp_name()
        ),
        Action::Errno,
        None,
        arch.with_compat(),
        rules,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seccomp::effective::{Class, Effective};

    fn v(s: &str) -> ContainerdVersion {
        s.parse().unwrap()
    }

    #[test]
    fn x86_64_counts_match_the_reference_shape() {
        let p = runtime_default(ContainerdVersion::LATEST, Arch::X86_64);
        let e = Effective::of(&p, Arch::X86_64);
        let names = Arch::X86_64.names();
        let allowed = names
            .iter()
            .filter(|n| e.class(n) == Class::Allowed)
            .count();
        let conditional = names
            .iter()
            .filter(|n| e.class(n) == Class::Conditional)
            .count();
        // containerd 2.3 on x86_64: ~309 allowed, 3 argument-filtered, the rest blocked. The table
        // kubeward ships is a kernel release behind libseccomp's, so allow a small margin.
        assert_eq!(conditional, 3);
        assert!((300..=315).contains(&allowed), "{allowed}");
        assert_eq!(e.class("mount"), Class::Blocked);
        assert_eq!(e.class("clone3").to_owned(), Class::Blocked);
        assert_eq!(e.describe("clone3"), "SCMP_ACT_ERRNO(ENOSYS)");
        assert_eq!(e.class("ptrace"), Class::Allowed);
        assert_eq!(e.class("fchmodat2"), Class::Allowed);
    }

    #[test]
    fn io_uring_differs_between_1_7_and_2_x() {
        let old = Effective::of(&runtime_default(v("1.7.27"), Arch::X86_64), Arch::X86_64);
        let new = Effective::of(&runtime_default(v("2.0.5"), Arch::X86_64), Arch::X86_64);
        assert_eq!(old.class("io_uring_setup"), Class::Allowed);
        assert_eq!(new.class("io_uring_setup"), Class::Blocked);
    }

    #[test]
    fn af_alg_filter_by_release() {
        assert!(!v("1.7.33").blocks_af_alg());
        assert!(v("1.7.34").blocks_af_alg());
        assert!(!v("2.0.10").blocks_af_alg());
        assert!(v("2.0.11").blocks_af_alg());
        assert!(v("v2.3.4").blocks_af_alg());
        let p = runtime_default(v("1.7.20"), Arch::X86_64);
        assert_eq!(
            p.rules
                .iter()
                .filter(|r| r.names[0].text == "socket")
                .count(),
            2
        );
    }

    #[test]
    fn versions_parse_or_say_why_not() {
        assert_eq!(v("2.0").patch, 0);
        assert_eq!(v("1.7.27-1").patch, 27);
        assert!(
            "1.6.9"
                .parse::<ContainerdVersion>()
                .unwrap_err()
                .to_string()
                .contains("not modelled")
        );
        assert!(
            "latest"
                .parse::<ContainerdVersion>()
                .unwrap_err()
                .to_string()
                .contains("MAJOR.MINOR")
        );
    }

    #[test]
    fn arm64_default_lists_arm_compat_and_has_no_x86_names() {
        let p = runtime_default(ContainerdVersion::LATEST, Arch::Aarch64);
        assert_eq!(p.architectures.len(), 2);
        assert!(!p.rules[0].names.iter().any(|n| n.text == "arch_prctl"));
        assert!(p.rules[0].names.iter().any(|n| n.text == "openat"));
    }
}
