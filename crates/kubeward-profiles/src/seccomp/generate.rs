//! Build a minimal allow-list profile from evidence of what a workload calls: strace output (plain
//! `strace -f` lines or the `strace -c` summary), kernel audit SECCOMP records (`type=1326` /
//! `type=SECCOMP`, syscall numbers mapped per `arch=`), or a plain list of names.
//!
//! The result denies by default (SCMP_ACT_ERRNO, EPERM), allows what was observed plus what runc
//! needs to start the container, and keeps the runtime default's argument filters for clone,
//! socket and personality instead of opening them.

use std::collections::BTreeSet;

use super::default::{ARG_FILTERED, ContainerdVersion, runtime_default};
use super::effective::{Class, Effective};
use super::lint::RUNC_BASE;
use super::{Action, Profile, Rule};
use crate::syscall_table::Arch;

/// Most lines read from one evidence file (audit logs can be long; the names are few).
pub const MAX_LINES: usize = 2_000_000;

#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// Native architecture of the node pool; compat ABIs are listed too.
    pub arch: Arch,
    /// Start from the containerd default profile of this version.
    pub base: Option<ContainerdVersion>,
    /// Add the syscalls runc needs to start a container (on by default).
    pub runtime_startup: bool,
    /// Names to leave out even if observed or in the base (denied by the default action).
    pub deny: BTreeSet<String>,
}

/// Syscall names found in evidence, and what could not be used (with file and line).
#[derive(Debug, Clone, Default)]
pub struct Observed {
    pub names: BTreeSet<String>,
    pub warnings: Vec<String>,
}

impl Observed {
    /// Read one evidence file's text; the format is recognised line by line.
    pub fn read(&mut self, source: &str, text: &str, arch: Arch) {
        let known = |n: &str| arch.with_compat().iter().any(|a| a.knows(n) == Some(true));
        for (i, line) in text.lines().enumerate().take(MAX_LINES) {
            let lineno = i + 1;
            let found = if line.contains("syscall=")
                && (line.contains("type=SECCOMP") || line.contains("type=1326"))
            {
                match audit_record(line, arch) {
                    Ok(n) => vec![n.to_string()],
                    Err(why) => {
                        self.warnings.push(format!("{source}:{lineno}: {why}"));
                        continue;
                    }
                }
            } else {
                names_in_line(line)
            };
            for n in found {
                if known(&n) {
                    self.names.insert(n);
                } else {
                    self.warnings.push(format!(
                        "{source}:{lineno}: `{n}` is not a syscall on {}; ignored",
                        arch.scmp_name()
                    ));
                }
            }
        }
    }
}

/// Why an audit SECCOMP record names no syscall kubeward can place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum AuditRecordError {
    #[error("audit record without a numeric syscall=")]
    NoSyscall,
    #[error("audit arch={0} is not one kubeward maps")]
    UnknownArch(String),
    #[error("syscall {nr} is not in the {arch} table")]
    NotInTable { nr: u32, arch: &'static str },
}

/// `type=1326 ... arch=c000003e syscall=51 ...` -> the syscall's name on that arch.
fn audit_record(line: &str, fallback: Arch) -> Result<&'static str, AuditRecordError> {
    let field = |k: &str| {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(k).map(|v| v.trim_matches('"')))
    };
    let nr: u32 = field("syscall=")
        .and_then(|v| v.parse().ok())
        .ok_or(AuditRecordError::NoSyscall)?;
    let arch = match field("arch=") {
        Some(hex) => {
            Arch::from_audit(hex).ok_or_else(|| AuditRecordError::UnknownArch(hex.to_string()))?
        }
        None => fallback,
    };
    arch.name_of(nr).ok_or(AuditRecordError::NotInTable {
        nr,
        arch: arch.scmp_name(),
    })
}

fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !s.as_bytes()[0].is_ascii_digit()
}

/// strace lines (`[pid 7] openat(...) = 3`, `123 read(...)`, `<... read resumed>`), `strace -c`
/// rows, or plain names separated by spaces or commas (`#` starts a comment).
fn names_in_line(line: &str) -> Vec<String> {
    let t = line.trim();
    if t.is_empty()
        || t.starts_with('#')
        || t.starts_with("+++")
        || t.starts_with("---")
        || t.starts_with("% time")
        || t.starts_with("------")
    {
        return Vec::new();
    }
    // Strip `[pid N]`, a bare pid and timestamps.
    let mut rest = t;
    if let Some(after) = rest.strip_prefix("[pid") {
        rest = after.split_once(']').map_or("", |(_, r)| r).trim_start();
    }
    loop {
        let first = rest.split_whitespace().next().unwrap_or("");
        let numeric = !first.is_empty()
            && first
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.' || b == b':');
        if numeric && rest.len() > first.len() {
            rest = rest[first.len()..].trim_start();
        } else {
            break;
        }
    }
    if let Some(after) = rest.strip_prefix("<...") {
        let name = after.split_whitespace().next().unwrap_or("");
        return if is_ident(name) {
            vec![name.to_string()]
        } else {
            Vec::new()
        };
    }
    if let Some((name, _)) = rest.split_once('(') {
        let name = name.trim();
        return if is_ident(name) {
            vec![name.to_string()]
        } else {
            Vec::new()
        };
    }
    // `strace -c` row: numbers, then the name last; the `total` row is not a syscall.
    let words: Vec<&str> = t.split_whitespace().collect();
    if words.len() >= 4 && words[0].parse::<f64>().is_ok() {
        let last = words[words.len() - 1];
        return if is_ident(last) && last != "total" {
            vec![last.to_string()]
        } else {
            Vec::new()
        };
    }
    let body = t.split('#').next().unwrap_or("");
    body.split(|c: char| c.is_whitespace() || c == ',')
        .map(|w| w.trim_matches(|c| c == '"' || c == '\''))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Build the profile. Returns it and notes for the person (dangerous syscalls observed, etc.).
pub fn generate(observed: &Observed, opts: &GenerateOptions) -> (Profile, Vec<String>) {
    let mut notes = Vec::new();
    let version = opts.base.unwrap_or(ContainerdVersion::LATEST);
    let template = runtime_default(version, opts.arch);
    let mut wanted: BTreeSet<String> = observed.names.clone();
    if opts.runtime_startup {
        wanted.extend(
            RUNC_BASE
                .iter()
                .filter(|n| opts.arch.knows(n) == Some(true))
                .map(|n| n.to_string()),
        );
    }
    if opts.base.is_some() {
        let e = Effective::of(&template, opts.arch);
        wanted.extend(
            opts.arch
                .names()
                .into_iter()
                .filter(|n| e.class(n) != Class::Blocked)
                .map(str::to_string),
        );
        wanted.insert("clone3".into());
    }
    // clone3 gets ENOSYS so libc falls back to clone, which then needs its filtered rule.
    if wanted.contains("clone3") && !opts.deny.contains("clone") {
        wanted.insert("clone".into());
    }
    let denied_now: Vec<String> = wanted.intersection(&opts.deny).cloned().collect();
    if !denied_now.is_empty() {
        notes.push(format!(
            "left out as asked (the default action denies them): {}",
            denied_now.join(", ")
        ));
        wanted.retain(|n| !opts.deny.contains(n));
    }
    let blocked_by_default: Vec<&String> = {
        let e = Effective::of(&template, opts.arch);
        wanted
            .iter()
            .filter(|n| {
                !ARG_FILTERED.contains(&n.as_str())
                    && n.as_str() != "clone3"
                    && opts.arch.knows(n) == Some(true)
                    && e.class(n) == Class::Blocked
            })
            .collect()
    };
    if !blocked_by_default.is_empty() {
        notes.push(format!(
            "observed syscalls that containerd's default blocks are allowed as observed: {} (review them; `kubeward seccomp lint` will flag the dangerous ones)",
            blocked_by_default
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let plain: Vec<&str> = wanted
        .iter()
        .map(String::as_str)
        .filter(|n| !ARG_FILTERED.contains(n) && *n != "clone3")
        .collect();
    let mut rules: Vec<Rule> = Vec::new();
    if !plain.is_empty() {
        let mut allow = template.rules[0].clone();
        allow.names = plain
            .iter()
            .map(|n| super::Located {
                text: n.to_string(),
                line: 0,
            })
            .collect();
        allow.action = Action::Allow;
        rules.push(allow);
    }
    // The runtime default's filtered rules for clone/socket/personality and the clone3 ENOSYS rule.
    for r in template.rules.iter().skip(1) {
        if r.names.iter().any(|n| wanted.contains(&n.text)) {
            rules.push(r.clone());
        }
    }
    let profile = Profile::built(
        "generated".into(),
        Action::Errno,
        Some(1),
        template.architectures.iter().map(|(a, _)| *a).collect(),
        rules,
    );
    (profile, notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seccomp::diff::diff;
    use crate::seccomp::lint::lint;
    use kubeward_core::Status;

    fn opts() -> GenerateOptions {
        GenerateOptions {
            arch: Arch::X86_64,
            base: None,
            runtime_startup: true,
            deny: BTreeSet::new(),
        }
    }

    const STRACE: &str = "\
execve(\"/bin/app\", [\"app\"], 0x7ffd /* 5 vars */) = 0
[pid  4242] openat(AT_FDCWD, \"/etc/ld.so.cache\", O_RDONLY|O_CLOEXEC) = 3
4243  12:00:01.123456 clone3({flags=CLONE_VM|CLONE_FS, ...}, 88) = 4244
4243  <... epoll_wait resumed>[], 1, 100) = 0
socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP) = 5
--- SIGCHLD {si_signo=SIGCHLD} ---
+++ exited with 0 +++
";

    const STRACE_C: &str = "\
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 45.00    0.000450          11        40           mmap
 20.00    0.000200          10        20         3 accept4
------ ----------- ----------- --------- --------- ----------------
100.00    0.001000                    60         3 total
";

    const AUDIT: &str = "\
type=SECCOMP msg=audit(1700000000.123:42): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=1234 comm=\"app\" exe=\"/app\" sig=0 arch=c000003e syscall=51 compat=0 ip=0x7f code=0x7ffc0000
type=1326 audit(1700000000.124:43): pid=1234 comm=\"app\" arch=c000003e syscall=232 compat=0 ip=0x7f code=0x7ffc0000
type=1326 audit(1700000000.125:44): pid=1234 comm=\"app\" arch=40000003 syscall=102 compat=1 ip=0x7f code=0x7ffc0000
type=1326 audit(1700000000.126:45): pid=1234 arch=c000003e syscall=99999 code=0x7ffc0000
";

    #[test]
    fn reads_strace_lines_summary_audit_and_lists() {
        let mut o = Observed::default();
        o.read("s.txt", STRACE, Arch::X86_64);
        o.read("c.txt", STRACE_C, Arch::X86_64);
        o.read("a.log", AUDIT, Arch::X86_64);
        o.read(
            "l.txt",
            "# names\nfutex, getrandom\nnot_a_syscall\n",
            Arch::X86_64,
        );
        let names: Vec<&str> = o.names.iter().map(String::as_str).collect();
        for n in [
            "execve",
            "openat",
            "clone3",
            "epoll_wait",
            "socket",
            "mmap",
            "accept4",
            "getsockname",
            "epoll_wait",
            "socketcall",
            "futex",
            "getrandom",
        ] {
            assert!(names.contains(&n), "{n} missing from {names:?}");
        }
        assert!(!names.contains(&"total"));
        assert_eq!(o.warnings.len(), 2, "{:?}", o.warnings);
        assert!(o.warnings[0].starts_with("a.log:4: syscall 99999"));
        assert!(o.warnings[1].starts_with("l.txt:3: `not_a_syscall`"));
    }

    #[test]
    fn generated_profile_lints_clean_and_round_trips() {
        let mut o = Observed::default();
        o.read("s.txt", STRACE, Arch::X86_64);
        o.read("c.txt", STRACE_C, Arch::X86_64);
        let (p, notes) = generate(&o, &opts());
        assert!(notes.is_empty(), "{notes:?}");
        let text = p.to_json_text();
        let reread = Profile::parse("gen.json", &text).unwrap();
        let bad: Vec<_> = lint(&reread)
            .into_iter()
            .filter(|f| f.status != Status::Pass)
            .map(|f| format!("{} {}", f.code, f.message))
            .collect();
        assert!(bad.is_empty(), "{bad:#?}\n{text}");
        assert!(diff(&p, &reread, Arch::X86_64).is_empty());
        // What it allows: observed + runc's start-up set; clone3 gets ENOSYS; socket stays filtered.
        let e = Effective::of(&reread, Arch::X86_64);
        assert_eq!(e.class("accept4"), Class::Allowed);
        assert_eq!(e.class("mount"), Class::Blocked);
        assert_eq!(e.describe("clone3"), "SCMP_ACT_ERRNO(ENOSYS)");
        assert_eq!(e.class("socket"), Class::Conditional);
        assert_eq!(e.class("clone"), Class::Conditional);
        assert_eq!(reread.default_errno_ret, Some(1));
    }

    #[test]
    fn base_runtime_default_round_trips_against_the_default() {
        let v: ContainerdVersion = "2.0.11".parse().unwrap();
        let (p, _) = generate(
            &Observed::default(),
            &GenerateOptions {
                base: Some(v),
                ..opts()
            },
        );
        let reread = Profile::parse("gen.json", &p.to_json_text()).unwrap();
        let d = diff(&reread, &runtime_default(v, Arch::X86_64), Arch::X86_64);
        assert!(d.is_empty(), "{}", d.to_text());
        assert!(lint(&reread).iter().all(|f| f.status == Status::Pass));
    }

    #[test]
    fn runtime_default_minus_the_chmod_family() {
        let v = ContainerdVersion::LATEST;
        let deny: BTreeSet<String> = ["chmod", "fchmod", "fchmodat", "fchmodat2"]
            .into_iter()
            .map(String::from)
            .collect();
        let (p, notes) = generate(
            &Observed::default(),
            &GenerateOptions {
                base: Some(v),
                deny,
                ..opts()
            },
        );
        assert!(
            notes[0].contains("chmod, fchmod, fchmodat, fchmodat2"),
            "{notes:?}"
        );
        let reread = Profile::parse("gen.json", &p.to_json_text()).unwrap();
        let d = diff(&reread, &runtime_default(v, Arch::X86_64), Arch::X86_64);
        assert!(d.allowed_only_left.is_empty());
        assert_eq!(
            d.allowed_only_right,
            vec!["chmod", "fchmod", "fchmodat", "fchmodat2"]
        );
        assert!(lint(&reread).iter().all(|f| f.status == Status::Pass));
    }

    #[test]
    fn arm64_profile_uses_the_names_runc_resolves() {
        let mut o = Observed::default();
        o.read(
            "s",
            "newfstatat(AT_FDCWD, \"/etc\", {...}, 0) = 0\n",
            Arch::Aarch64,
        );
        assert!(o.warnings.is_empty(), "{:?}", o.warnings);
        let (p, _) = generate(
            &o,
            &GenerateOptions {
                arch: Arch::Aarch64,
                ..opts()
            },
        );
        let names: Vec<&str> = p.rules[0].names.iter().map(|n| n.text.as_str()).collect();
        assert!(
            names.contains(&"newfstatat") && !names.contains(&"fstatat"),
            "{names:?}"
        );
    }

    #[test]
    fn observed_dangerous_syscall_is_kept_and_noted() {
        let mut o = Observed::default();
        o.read("l", "mount", Arch::X86_64);
        let (p, notes) = generate(&o, &opts());
        assert!(notes[0].contains("mount"));
        let f = lint(&p);
        assert!(
            f.iter()
                .any(|f| f.code == "S106" && f.status == Status::Fail)
        );
    }
}
