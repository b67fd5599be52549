//! AppArmor profile text: the subset of the policy language that container profiles use (profile
//! heads and flags, includes, abi, variables, file/capability/network/mount/... rules with
//! qualifiers), parsed with line numbers. Syntax problems are collected, not fatal, so one file
//! yields every error at once, each with its line.

pub mod generate;
pub mod glob;
pub mod lint;

use std::path::Path;

use crate::error::{MAX_PROFILE_BYTES, ProfileError, read_bounded};

/// Most statements read from one file.
pub const MAX_STATEMENTS: usize = 50_000;
/// Deepest nesting of profiles and hats.
pub const MAX_NESTING: usize = 8;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Qualifiers {
    pub audit: bool,
    pub deny: bool,
    pub owner: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleKind {
    /// `#include <x>` / `include <x>` / `include if exists <x>`.
    Include {
        target: String,
        if_exists: bool,
    },
    Abi(String),
    /// `@{VAR} = value` (and `+=`).
    Variable(String),
    Alias,
    /// `file,`: every file access.
    AllFiles,
    File {
        path: String,
        perms: Perms,
        target: Option<String>,
    },
    /// `capability,` (empty: all) or `capability a b,`.
    Capability(Vec<String>),
    /// `network,` (empty: all) or `network [domain] [type]`.
    Network(Vec<String>),
    Mount(String),
    Umount,
    PivotRoot,
    Ptrace(String),
    /// Other kinds kubeward only recognises (signal, dbus, unix, userns, io_uring…).
    Other(String),
}

/// File permissions of one rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Perms {
    pub read: bool,
    pub write: bool,
    pub append: bool,
    pub link: bool,
    pub lock: bool,
    pub mmap_exec: bool,
    /// Exec transition as written (`ix`, `px`, `ux`, `x`…).
    pub exec: Option<String>,
}

impl Perms {
    pub fn writes(&self) -> bool {
        self.write || self.append
    }
    /// Runs the file unconfined (`ux`, `Ux`, `pux`, `PUx`, `cux`, `CUx`).
    pub fn unconfined_exec(&self) -> bool {
        self.exec
            .as_deref()
            .is_some_and(|e| e.to_ascii_lowercase().contains('u'))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub line: u32,
    pub q: Qualifiers,
    pub kind: RuleKind,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileBlock {
    pub name: String,
    pub line: u32,
    pub attachment: Option<String>,
    pub flags: Vec<String>,
    pub hat: bool,
    pub rules: Vec<Rule>,
    pub children: Vec<ProfileBlock>,
}

impl ProfileBlock {
    pub fn has_flag(&self, f: &str) -> bool {
        self.flags
            .iter()
            .any(|x| x == f || x.starts_with(&format!("{f}.")))
    }
    pub fn includes(&self, target: &str) -> bool {
        self.rules
            .iter()
            .any(|r| matches!(&r.kind, RuleKind::Include { target: t, .. } if t == target))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: u32,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AppArmorFile {
    pub path: String,
    pub preamble: Vec<Rule>,
    pub profiles: Vec<ProfileBlock>,
    pub errors: Vec<SyntaxError>,
}

impl AppArmorFile {
    pub fn read(path: &Path) -> Result<AppArmorFile, ProfileError> {
        let text = read_bounded(path, MAX_PROFILE_BYTES)?;
        Ok(parse(&path.display().to_string(), &text))
    }

    /// Every profile and hat, depth first, with its nesting path.
    pub fn all_profiles(&self) -> Vec<&ProfileBlock> {
        fn walk<'a>(p: &'a ProfileBlock, out: &mut Vec<&'a ProfileBlock>) {
            out.push(p);
            for c in &p.children {
                walk(c, out);
            }
        }
        let mut out = Vec::new();
        for p in &self.profiles {
            walk(p, &mut out);
        }
        out
    }

    /// Does the preamble include `target`?
    pub fn preamble_includes(&self, target: &str) -> bool {
        self.preamble
            .iter()
            .any(|r| matches!(&r.kind, RuleKind::Include { target: t, .. } if t == target))
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

/// Parse file permissions (`rw`, `mrix`, `Px`); `Err` names the first unknown letter.
pub fn parse_perms(s: &str) -> Result<Perms, String> {
    let mut p = Perms::default();
    let mut rest = s;
    while !rest.is_empty() {
        if let Some(m) = EXEC_MODES.iter().find(|m| rest.starts_with(**m)) {
            if p.exec.is_some() {
                return Err(format!("`{s}` has two exec modes"));
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
            other => {
                return Err(format!(
                    "unknown file permission `{other}` in `{s}` (valid: r w a l k m and exec modes ix px Px cx Cx ux Ux pix …)"
                ));
            }
        }
        rest = &rest[c.len_utf8()..];
    }
    if p.write && p.append {
        return Err(format!("`{s}`: `w` and `a` cannot be combined"));
    }
    Ok(p)
}

/// One raw statement: its text and the line it starts on.
struct Stmt {
    line: u32,
    end_line: u32,
    text: String,
    /// Terminated by `{` (a profile head) rather than `,` or a line end.
    opens_block: bool,
}

/// Split text into statements, blocks and comments. Handles quotes, `#include`, line-terminated
/// statements (includes, variables), glob braces inside paths and parentheses in flags/peers.
fn split(text: &str, errors: &mut Vec<SyntaxError>) -> Vec<(Option<Stmt>, Option<u32>)> {
    // Each item is either a statement or a block close (`}` at a line).
    let mut out = Vec::new();
    let mut buf = String::new();
    let mut start_line = 1;
    let mut line: u32 = 1;
    let mut chars = text.chars().peekable();
    let mut parens = 0i32;
    let mut glob_braces = 0i32;
    let mut in_quote = false;
    let line_terminated = |b: &str| {
        let t = b.trim_start();
        t.starts_with("#include")
            || t.starts_with("include")
            || t.starts_with("@{") && t.contains('=')
    };
    while let Some(c) = chars.next() {
        if in_quote {
            buf.push(c);
            if c == '"' {
                in_quote = false;
            } else if c == '\n' {
                errors.push(SyntaxError {
                    line,
                    message: "unterminated quoted string".into(),
                });
                in_quote = false;
                line += 1;
            }
            continue;
        }
        match c {
            '\n' => {
                if line_terminated(&buf) {
                    out.push((
                        Some(Stmt {
                            line: start_line,
                            end_line: line,
                            text: std::mem::take(&mut buf).trim().to_string(),
                            opens_block: false,
                        }),
                        None,
                    ));
                } else if !buf.trim().is_empty() {
                    buf.push(' ');
                }
                line += 1;
            }
            '#' => {
                // `#include` is a directive; anything else is a comment to the end of the line.
                let rest: String = chars.clone().take(7).collect();
                if buf.trim().is_empty() && rest == "include" {
                    start_line = line;
                    buf.clear();
                    buf.push('#');
                } else {
                    for n in chars.by_ref() {
                        if n == '\n' {
                            if !line_terminated(&buf) && !buf.trim().is_empty() {
                                buf.push(' ');
                            }
                            if line_terminated(&buf) {
                                out.push((
                                    Some(Stmt {
                                        line: start_line,
                                        end_line: line,
                                        text: std::mem::take(&mut buf).trim().to_string(),
                                        opens_block: false,
                                    }),
                                    None,
                                ));
                            }
                            line += 1;
                            break;
                        }
                    }
                }
            }
            '"' => {
                if buf.trim().is_empty() {
                    start_line = line;
                }
                in_quote = true;
                buf.push(c);
            }
            '(' => {
                parens += 1;
                buf.push(c);
            }
            ')' => {
                parens -= 1;
                buf.push(c);
            }
            '{' => {
                let prev = buf.chars().last();
                let word = buf.rsplit(char::is_whitespace).next().unwrap_or("");
                let word_glob = matches!(prev, Some(p) if !p.is_whitespace() && p != ')')
                    && (word.contains('/') || word.contains('@') || prev == Some('@'));
                if word_glob {
                    glob_braces += 1;
                    buf.push(c);
                } else {
                    let head = std::mem::take(&mut buf).trim().to_string();
                    if head.is_empty() {
                        errors.push(SyntaxError {
                            line,
                            message: "`{` without a profile name before it".into(),
                        });
                    }
                    out.push((
                        Some(Stmt {
                            line: start_line,
                            end_line: line,
                            text: head,
                            opens_block: true,
                        }),
                        None,
                    ));
                    parens = 0;
                }
            }
            '}' => {
                if glob_braces > 0 {
                    glob_braces -= 1;
                    buf.push(c);
                } else {
                    if !buf.trim().is_empty() {
                        errors.push(SyntaxError {
                            line: start_line,
                            message: format!(
                                "`{}` is not terminated by `,` before `}}`",
                                buf.trim()
                            ),
                        });
                        buf.clear();
                    }
                    out.push((None, Some(line)));
                }
            }
            ',' if parens <= 0 && glob_braces == 0 => {
                let text = std::mem::take(&mut buf).trim().to_string();
                if text.is_empty() {
                    errors.push(SyntaxError {
                        line,
                        message: "empty rule (a stray `,`)".into(),
                    });
                } else {
                    out.push((
                        Some(Stmt {
                            line: start_line,
                            end_line: line,
                            text,
                            opens_block: false,
                        }),
                        None,
                    ));
                }
            }
            _ => {
                if buf.trim().is_empty() && !c.is_whitespace() {
                    start_line = line;
                    buf.clear();
                }
                buf.push(c);
            }
        }
        if out.len() > MAX_STATEMENTS {
            errors.push(SyntaxError {
                line,
                message: format!("more than {MAX_STATEMENTS} statements; stopped reading"),
            });
            return out;
        }
    }
    let rest = buf.trim();
    if !rest.is_empty() {
        if line_terminated(rest) {
            out.push((
                Some(Stmt {
                    line: start_line,
                    end_line: line,
                    text: rest.to_string(),
                    opens_block: false,
                }),
                None,
            ));
        } else {
            errors.push(SyntaxError {
                line: start_line,
                message: format!("`{rest}` is not terminated by `,`"),
            });
        }
    }
    out
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
        err(m);
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
