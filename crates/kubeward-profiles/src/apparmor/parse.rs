//! The parser: statements from the lexer turned into profiles and rules. Syntax problems are
//! collected, not fatal, so one file yields every error at once.

use std::path::Path;

use super::lexer::{Stmt, split};
use super::model::{AppArmorFile, Perms, ProfileBlock, Qualifiers, Rule, RuleKind, SyntaxError};
use crate::error::{MAX_PROFILE_BYTES, ProfileError, read_bounded};

/// Deepest nesting of profiles and hats.
pub const MAX_NESTING: usize = 8;

impl AppArmorFile {
    pub fn read(path: &Path) -> Result<AppArmorFile, ProfileError> {
        let text = read_bounded(path, MAX_PROFILE_BYTES)?;
        Ok(parse(&path.display().to_string(), &text))
    }
}

pub const CAPABILITIES: &[&str] = &[
    "audit_control",
    "audit_read",
    "audit_write",
    "block_suspend",
    "bpf",
    "checkpoint_restore",
    "chown",
    "dac_override",
    "dac_read_search",
    "fowner",
    "fsetid",
    "ipc_lock",
    "ipc_owner",
    "kill",
    "lease",
    "linux_immutable",
    "mac_admin",
    "mac_override",
    "mknod",
    "net_admin",
    "net_bind_service",
    "net_broadcast",
    "net_raw",
    "perfmon",
    "setfcap",
    "setgid",
    "setpcap",
    "setuid",
    "sys_admin",
    "sys_boot",
    "sys_chroot",
    "sys_module",
    "sys_nice",
    "sys_pacct",
    "sys_ptrace",
    "sys_rawio",
    "sys_resource",
    "sys_time",
    "sys_tty_config",
    "syslog",
    "wake_alarm",
];

const FLAGS: &[&str] = &[
    "enforce",
    "complain",
    "kill",
    "default_allow",
    "unconfined",
    "prompt",
    "audit",
    "mediate_deleted",
    "delegate_deleted",
    "attach_disconnected",
    "no_attach_disconnected",
    "chroot_relative",
    "namespace_relative",
    "chroot_attach",
    "chroot_no_attach",
    "debug",
    "interruptible",
    "error",
];

const OTHER_KINDS: &[&str] = &[
    "signal",
    "dbus",
    "unix",
    "mqueue",
    "userns",
    "io_uring",
    "change_profile",
    "set",
    "link",
    "all",
    "remount",
];

/// Exec transitions, longest first so `pix` wins over `ix`.
const EXEC_MODES: &[&str] = &[
    "PUx", "CUx", "pux", "cux", "Pix", "Cix", "pix", "cix", "ix", "ux", "Ux", "px", "Px", "cx",
    "Cx", "x",
];

/// Why a permission string is not one apparmor_parser accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PermsError {
    #[error("`{0}` has two exec modes")]
    TwoExecModes(String),
    #[error(
        "unknown file permission `{letter}` in `{perms}` (valid: r w a l k m and exec modes ix px Px cx Cx ux Ux pix …)"
    )]
    Unknown { letter: char, perms: String },
    #[error("`{0}`: `w` and `a` cannot be combined")]
    WriteAndAppend(String),
}

/// Parse file permissions (`rw`, `mrix`, `Px`); the error names the first problem.
pub fn parse_perms(s: &str) -> Result<Perms, PermsError> {
    let mut p = Perms::default();
    let mut rest = s;
    while !rest.is_empty() {
        if let Some(m) = EXEC_MODES.iter().find(|m| rest.starts_with(**m)) {
            if p.exec.is_some() {
                return Err(PermsError::TwoExecModes(s.to_string()));
            }
            p.exec = Some(m.to_string());
            rest = &rest[m.len()..];
            continue;
        }
        let c = rest.chars().next().unwrap_or(' ');
        match c {
            'r' => p.read = true,
            'w' => p.write = true,
            'a' => p.append = true,
            'l' => p.link = true,
            'k' => p.lock = true,
            'm' => p.mmap_exec = true,
            letter => {
                return Err(PermsError::Unknown {
                    letter,
                    perms: s.to_string(),
                });
            }
        }
        rest = &rest[c.len_utf8()..];
    }
    if p.write && p.append {
        return Err(PermsError::WriteAndAppend(s.to_string()));
    }
    Ok(p)
}

/// Parse a whole file.
pub fn parse(path: &str, text: &str) -> AppArmorFile {
    let mut f = AppArmorFile {
        path: path.to_string(),
        ..Default::default()
    };
    let mut errors = Vec::new();
    let items = split(text, &mut errors);
    let mut stack: Vec<ProfileBlock> = Vec::new();
    for (stmt, close) in items {
        if let Some(close_line) = close {
            match stack.pop() {
                Some(done) => match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => f.profiles.push(done),
                },
                None => errors.push(SyntaxError {
                    line: close_line,
                    message: "unbalanced braces: `}` closes nothing".into(),
                }),
            }
            continue;
        }
        let Some(s) = stmt else { continue };
        if s.opens_block {
            if stack.len() >= MAX_NESTING {
                errors.push(SyntaxError {
                    line: s.line,
                    message: format!("profiles nested deeper than {MAX_NESTING}"),
                });
            }
            stack.push(parse_head(&s, &mut errors));
            continue;
        }
        if s.end_line > s.line && !s.text.starts_with("#include") && !s.text.starts_with("include")
        {
            // A rule that spans lines is legal but is almost always a missing comma.
            let first_line = s.text.split("  ").next().unwrap_or(&s.text);
            errors.push(SyntaxError {
                line: s.line,
                message: format!(
                    "statement runs from line {} to {}: is a `,` missing at the end of line {}? (`{}`)",
                    s.line, s.end_line, s.line, first_line.trim()
                ),
            });
        }
        let rule = parse_rule(&s, &mut errors);
        match stack.last_mut() {
            Some(p) => p.rules.push(rule),
            None => {
                let preamble_ok = matches!(
                    rule.kind,
                    RuleKind::Include { .. }
                        | RuleKind::Abi(_)
                        | RuleKind::Variable(_)
                        | RuleKind::Alias
                );
                if !preamble_ok {
                    errors.push(SyntaxError {
                        line: s.line,
                        message: format!(
                            "`{}` is outside any profile: it is attached to nothing (only includes, abi, variables and aliases belong before a profile)",
                            s.text
                        ),
                    });
                }
                f.preamble.push(rule);
            }
        }
    }
    while let Some(open) = stack.pop() {
        errors.push(SyntaxError {
            line: open.line,
            message: format!("unbalanced braces: profile `{}` is never closed", open.name),
        });
        match stack.last_mut() {
            Some(parent) => parent.children.push(open),
            None => f.profiles.push(open),
        }
    }
    errors.sort_by_key(|e| e.line);
    f.errors = errors;
    f
}

fn unquote(s: &str) -> String {
    s.trim_matches('"').to_string()
}

/// `[profile] NAME [attachment] [flags=(...)]`, `^hat`, `hat NAME`.
fn parse_head(s: &Stmt, errors: &mut Vec<SyntaxError>) -> ProfileBlock {
    let mut text = s.text.as_str();
    let mut flags = Vec::new();
    if let Some(i) = text.find("flags=").or_else(|| text.find('(')) {
        let flag_text = &text[i..];
        let inner = flag_text
            .trim_start_matches("flags=")
            .trim()
            .trim_start_matches('(')
            .trim_end_matches(')');
        for fl in inner
            .split([',', ' '])
            .map(str::trim)
            .filter(|f| !f.is_empty())
        {
            let base = fl.split(['=', '.']).next().unwrap_or(fl);
            if !FLAGS.contains(&base) {
                errors.push(SyntaxError {
                    line: s.line,
                    message: format!(
                        "unknown profile flag `{fl}` (valid: enforce, complain, kill, unconfined, default_allow, attach_disconnected, mediate_deleted, …)"
                    ),
                });
            }
            flags.push(fl.to_string());
        }
        text = text[..i].trim();
    }
    let mut words = split_words(text);
    let mut hat = false;
    if words.first().map(String::as_str) == Some("profile") {
        words.remove(0);
    } else if words.first().map(String::as_str) == Some("hat") {
        words.remove(0);
        hat = true;
    }
    let mut name = words.first().cloned().unwrap_or_default();
    if let Some(h) = name.strip_prefix('^') {
        name = h.to_string();
        hat = true;
    }
    if name.is_empty() {
        errors.push(SyntaxError {
            line: s.line,
            message: "profile without a name".into(),
        });
    } else if !(name.starts_with('/')
        || name.starts_with('@')
        || name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric()))
    {
        errors.push(SyntaxError {
            line: s.line,
            message: format!("profile name `{name}` must start with a letter, a digit or `/`"),
        });
    }
    let attachment = words.get(1).cloned();
    if words.len() > 2 {
        errors.push(SyntaxError {
            line: s.line,
            message: format!("unexpected `{}` in the profile head", words[2..].join(" ")),
        });
    }
    ProfileBlock {
        name,
        line: s.line,
        attachment,
        flags,
        hat,
        rules: Vec::new(),
        children: Vec::new(),
    }
}

/// Words, keeping quoted strings whole (quotes removed).
fn split_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut q = false;
    for c in s.chars() {
        match c {
            '"' => q = !q,
            c if c.is_whitespace() && !q => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn parse_rule(s: &Stmt, errors: &mut Vec<SyntaxError>) -> Rule {
    let mut err = |m: String| {
        errors.push(SyntaxError {
            line: s.line,
            message: m,
        })
    };
    let text = s.text.trim();
    let mk = |q: Qualifiers, kind: RuleKind| Rule {
        line: s.line,
        q,
        kind,
        text: text.to_string(),
    };
    if let Some(rest) = text
        .strip_prefix("#include")
        .or_else(|| text.strip_prefix("include"))
    {
        let rest = rest.trim();
        let (if_exists, target) = match rest.strip_prefix("if exists") {
            Some(t) => (true, t.trim()),
            None => (false, rest),
        };
        let target = target.trim_end_matches(',');
        let ok = (target.starts_with('<') && target.ends_with('>'))
            || (target.starts_with('"') && target.ends_with('"'));
        if !ok {
            err(format!(
                "include target `{target}` must be `<path>` or \"path\""
            ));
        }
        return mk(
            Qualifiers::default(),
            RuleKind::Include {
                target: target.trim_matches(['<', '>', '"']).to_string(),
                if_exists,
            },
        );
    }
    if let Some(rest) = text.strip_prefix("abi") {
        return mk(
            Qualifiers::default(),
            RuleKind::Abi(rest.trim().to_string()),
        );
    }
    if text.starts_with("@{") && text.contains('=') {
        return mk(Qualifiers::default(), RuleKind::Variable(text.to_string()));
    }
    if text.starts_with("alias ") {
        return mk(Qualifiers::default(), RuleKind::Alias);
    }
    let mut words = split_words(text);
    let mut q = Qualifiers::default();
    while let Some(w) = words.first() {
        match w.as_str() {
            "audit" => q.audit = true,
            "deny" => q.deny = true,
            "allow" => {}
            "owner" => q.owner = true,
            w if w.starts_with("priority=") => {}
            _ => break,
        }
        words.remove(0);
    }
    let Some(first) = words.first().cloned() else {
        err(format!("`{text}` has qualifiers but no rule"));
        return mk(q, RuleKind::Other(String::new()));
    };
    let rest: Vec<String> = words[1..].to_vec();
    let kind = match first.as_str() {
        "capability" => {
            for c in &rest {
                if !CAPABILITIES.contains(&c.as_str()) {
                    let hint = if c.to_ascii_lowercase().starts_with("cap_") {
                        format!(
                            " (write `{}`, lowercase without CAP_)",
                            c.to_ascii_lowercase().trim_start_matches("cap_")
                        )
                    } else {
                        String::new()
                    };
                    err(format!("unknown capability `{c}`{hint}"));
                }
            }
            RuleKind::Capability(rest)
        }
        "network" => RuleKind::Network(rest),
        "mount" => RuleKind::Mount(rest.join(" ")),
        "umount" | "unmount" => RuleKind::Umount,
        "pivot_root" => RuleKind::PivotRoot,
        "ptrace" => RuleKind::Ptrace(rest.join(" ")),
        "file" if rest.is_empty() => RuleKind::AllFiles,
        "file" => file_rule(&rest, &mut err),
        k if OTHER_KINDS.contains(&k) => RuleKind::Other(k.to_string()),
        k if k.starts_with('/') || k.starts_with('@') => file_rule(&words, &mut err),
        k if parse_perms(k).is_ok()
            && rest
                .first()
                .is_some_and(|p| p.starts_with('/') || p.starts_with('@')) =>
        {
            // Permissions-first form: `rw /path,`.
            let mut swapped = rest.clone();
            swapped.insert(1, k.to_string());
            file_rule(&swapped, &mut err)
        }
        k => {
            err(format!(
                "unknown rule `{k}` (expected a path, file, capability, network, mount, umount, pivot_root, ptrace, signal, dbus, unix, …)"
            ));
            RuleKind::Other(k.to_string())
        }
    };
    if q.deny
        && matches!(&kind, RuleKind::File { perms, .. } if perms.exec.as_deref().is_some_and(|e| e != "x"))
    {
        err("deny rules take a bare `x`, not an exec transition".into());
    }
    if !q.deny
        && matches!(&kind, RuleKind::File { perms, .. } if perms.exec.as_deref() == Some("x"))
    {
        err("a bare `x` is only valid in a deny rule; allow rules need an exec mode (ix, px, cx, …)".into());
    }
    mk(q, kind)
}

/// `PATH PERMS [-> TARGET]`.
fn file_rule(words: &[String], err: &mut impl FnMut(String)) -> RuleKind {
    let path = unquote(words.first().map(String::as_str).unwrap_or_default());
    let Some(perm_text) = words.get(1) else {
        err(format!("file rule `{path}` has no permissions"));
        return RuleKind::File {
            path,
            perms: Perms::default(),
            target: None,
        };
    };
    let perms = parse_perms(perm_text).unwrap_or_else(|m| {
        err(m.to_string());
        Perms::default()
    });
    let target = match (words.get(2).map(String::as_str), words.get(3)) {
        (Some("->"), Some(t)) => Some(t.clone()),
        (None, _) => None,
        (Some(other), _) => {
            err(format!(
                "unexpected `{other}` after the permissions of `{path}`"
            ));
            None
        }
    };
    RuleKind::File {
        path,
        perms,
        target,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WALKTHROUGH: &str = "#include <tunables/global>

profile k8s-apparmor-example-deny-write flags=(attach_disconnected) {
  #include <abstractions/base>

  file,

  # Deny all file writes.
  deny /** w,
}
";

    #[test]
    fn parses_the_walkthrough_profile() {
        let f = parse("deny-write", WALKTHROUGH);
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert!(f.preamble_includes("tunables/global"));
        let p = &f.profiles[0];
        assert_eq!(p.name, "k8s-apparmor-example-deny-write");
        assert_eq!(p.flags, vec!["attach_disconnected"]);
        assert!(p.includes("abstractions/base"));
        assert_eq!(p.rules.len(), 3);
        assert_eq!(p.rules[1].kind, RuleKind::AllFiles);
        assert!(p.rules[2].q.deny);
        assert_eq!(p.rules[2].line, 9);
        assert!(
            matches!(&p.rules[2].kind, RuleKind::File { path, perms, .. } if path == "/**" && perms.write)
        );
    }

    #[test]
    fn glob_braces_and_flags_with_commas() {
        let f = parse(
            "x",
            "profile a flags=(attach_disconnected,mediate_deleted) {\n  /etc/{passwd,shadow} r,\n  signal (receive) peer=(unconfined, runc),\n  @{PROC}/sys/** w,\n}\n",
        );
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(f.profiles[0].rules.len(), 3);
        assert_eq!(f.profiles[0].flags.len(), 2);
    }

    #[test]
    fn errors_with_lines() {
        let f = parse(
            "x",
            "profile a {\n  /etc/** rq,\n  capability CAP_SYS_ADMIN,\n  frobnicate,\n  /tmp/** rw\n  /var/** r,\n}\n}\nprofile b {\n",
        );
        let msgs: Vec<(u32, &str)> = f
            .errors
            .iter()
            .map(|e| (e.line, e.message.as_str()))
            .collect();
        assert!(
            msgs.iter()
                .any(|(l, m)| *l == 2 && m.contains("unknown file permission `q`")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|(l, m)| *l == 3 && m.contains("write `sys_admin`")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|(l, m)| *l == 4 && m.contains("unknown rule `frobnicate`")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|(l, m)| *l == 5 && m.contains("`,` missing at the end of line 5")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|(l, m)| *l == 8 && m.contains("closes nothing")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|(l, m)| *l == 9 && m.contains("never closed")),
            "{msgs:?}"
        );
    }

    #[test]
    fn rules_outside_a_profile_are_errors() {
        let f = parse("x", "include <tunables/global>\n/etc/** r,\n");
        assert_eq!(f.errors.len(), 1);
        assert!(f.errors[0].message.contains("outside any profile"));
    }

    #[test]
    fn perms() {
        let p = parse_perms("mrwlk").unwrap();
        assert!(p.read && p.write && p.mmap_exec && p.exec.is_none());
        assert_eq!(parse_perms("rPix").unwrap().exec.as_deref(), Some("Pix"));
        assert!(parse_perms("rux").unwrap().unconfined_exec());
        assert!(parse_perms("rwa").is_err());
        assert!(parse_perms("rz").is_err());
    }
}
