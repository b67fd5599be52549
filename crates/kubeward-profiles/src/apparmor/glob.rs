//! AppArmor path globs (AARE) matched against sample paths, so lint rules can ask "does this rule
//! grant write to /proc/sysrq-trigger?". Variables from `tunables/global` are expanded to their
//! usual values; unknown variables match one path element.

use regex::Regex;

/// Most bytes of a pattern turned into a regex (paths are short; this bounds regex size).
const MAX_PATTERN: usize = 4096;

fn variable(name: &str) -> &'static str {
    match name {
        "PROC" | "proc" => "/proc/",
        "sys" => "/sys/",
        "run" => "(?:/run/|/var/run/)",
        "HOME" => "(?:/home/[^/]+/|/root/)",
        "HOMEDIRS" => "/home/",
        "pid" | "pids" | "tid" => "[0-9]+",
        "etc_ro" | "etc_rw" => "(?:/etc/|/usr/etc/)",
        "multiarch" => "[^/]+-linux-gnu[^/]*",
        _ => "[^/]*",
    }
}

/// The regex equivalent of an AARE pattern, anchored.
pub fn to_regex(pattern: &str) -> Option<Regex> {
    if pattern.len() > MAX_PATTERN {
        return None;
    }
    let mut out = String::from("^");
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    let mut braces = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '@' if chars.get(i + 1) == Some(&'{') => {
                let end = chars[i..].iter().position(|&c| c == '}').map(|p| p + i)?;
                let name: String = chars[i + 2..end].iter().collect();
                out.push_str(variable(&name));
                i = end + 1;
                // `@{PROC}/x` expands to `/proc//x`; the kernel path has one slash.
                if out.ends_with('/') && chars.get(i) == Some(&'/') {
                    i += 1;
                }
                continue;
            }
            '*' if chars.get(i + 1) == Some(&'*') => {
                out.push_str(".*");
                i += 2;
                continue;
            }
            '*' => out.push_str("[^/]*"),
            '?' => out.push_str("[^/]"),
            '{' => {
                braces += 1;
                out.push_str("(?:");
            }
            '}' if braces > 0 => {
                braces -= 1;
                out.push(')');
            }
            ',' if braces > 0 => out.push('|'),
            '[' => {
                let end = chars[i..].iter().position(|&c| c == ']').map(|p| p + i)?;
                let class: String = chars[i + 1..end].iter().collect();
                out.push('[');
                out.push_str(&class.replace('\\', "\\\\"));
                out.push(']');
                i = end + 1;
                continue;
            }
            other => out.push_str(&regex::escape(&other.to_string())),
        }
        i += 1;
    }
    out.push('$');
    Regex::new(&out).ok()
}

/// Does `pattern` match `path`? Unparseable patterns match nothing. Compiled patterns are cached
/// per thread (lint asks about the same rule many times), up to a bound.
pub fn matches(pattern: &str, path: &str) -> bool {
    use std::cell::RefCell;
    use std::collections::HashMap;
    const MAX_CACHED: usize = 20_000;
    thread_local! {
        static CACHE: RefCell<HashMap<String, Option<Regex>>> = RefCell::new(HashMap::new());
    }
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if !c.contains_key(pattern) {
            if c.len() >= MAX_CACHED {
                c.clear();
            }
            c.insert(pattern.to_string(), to_regex(pattern));
        }
        c.get(pattern)
            .and_then(Option::as_ref)
            .is_some_and(|r| r.is_match(path))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aare_basics() {
        assert!(matches("/**", "/etc/shadow"));
        assert!(matches("/etc/*", "/etc/shadow"));
        assert!(!matches("/etc/*", "/etc/ssl/x"));
        assert!(matches("/etc/{passwd,shadow}", "/etc/shadow"));
        assert!(matches("@{PROC}/sysrq-trigger", "/proc/sysrq-trigger"));
        assert!(matches(
            "@{PROC}/sys/[^k]**",
            "/proc/sys/net/ipv4/ip_forward"
        ));
        assert!(!matches(
            "@{PROC}/sys/[^k]**",
            "/proc/sys/kernel/core_pattern"
        ));
        assert!(matches(
            "/sys/[^f]*/**",
            "/sys/kernel/security/apparmor/.load"
        ));
        assert!(!matches("/tmp/**", "/etc/shadow"));
        assert!(matches("/{,**}", "/etc/x"));
    }
}
