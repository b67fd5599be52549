//! What a profile does to each syscall of one architecture, with runc's rules applied: rules with
//! no names, unknown names and rules repeating the default action are skipped; a syscall with no
//! rule gets the default action.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use super::{Action, Profile, Rule};
use crate::syscall_table::Arch;

/// An action with its errno (for ERRNO/TRACE), e.g. `SCMP_ACT_ERRNO(1)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Outcome {
    pub action: Action,
    pub errno: Option<u64>,
}

impl Outcome {
    pub fn of_rule(r: &Rule) -> Outcome {
        Outcome {
            action: same_action(r.action),
            errno: r.errno(),
        }
    }
    pub fn default_of(p: &Profile) -> Outcome {
        Outcome {
            action: same_action(p.default_action),
            errno: p.default_errno(),
        }
    }
}

/// runc hands `SCMP_ACT_KILL` to libseccomp as kill-thread, so the two spellings are one action
/// (a KILL_THREAD rule under a KILL default is skipped as redundant).
fn same_action(a: Action) -> Action {
    if a == Action::Kill {
        Action::KillThread
    } else {
        a
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errno {
            Some(e) => write!(f, "{}({})", self.action.as_str(), errno_name(e)),
            None => f.write_str(self.action.as_str()),
        }
    }
}

impl Serialize for Outcome {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

pub fn errno_name(e: u64) -> String {
    match e {
        1 => "EPERM".into(),
        13 => "EACCES".into(),
        38 => "ENOSYS".into(),
        other => other.to_string(),
    }
}

/// Whether a syscall runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    Allowed,
    Conditional,
    Blocked,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyscallPolicy {
    /// The first rule without argument conditions.
    pub unconditional: Option<Outcome>,
    /// Rules with argument conditions: outcome and the condition in words.
    pub conditional: Vec<(Outcome, String)>,
}

#[derive(Debug, Clone)]
pub struct Effective {
    pub arch: Arch,
    pub default: Outcome,
    pub syscalls: BTreeMap<String, SyscallPolicy>,
}

impl Effective {
    pub fn of(p: &Profile, arch: Arch) -> Effective {
        let default = Outcome::default_of(p);
        let mut syscalls: BTreeMap<String, SyscallPolicy> = BTreeMap::new();
        for r in &p.rules {
            let outcome = Outcome::of_rule(r);
            if outcome == default {
                continue;
            }
            for n in &r.names {
                if arch.knows(&n.text) == Some(false) || n.text.is_empty() {
                    continue;
                }
                let entry = syscalls.entry(n.text.clone()).or_default();
                if r.args.is_empty() {
                    if entry.unconditional.is_none() {
                        entry.unconditional = Some(outcome);
                    }
                } else {
                    entry.conditional.push((outcome, describe_args(r)));
                }
            }
        }
        Effective {
            arch,
            default,
            syscalls,
        }
    }

    /// The outcome for a syscall with no argument condition met.
    pub fn base(&self, name: &str) -> Outcome {
        self.syscalls
            .get(name)
            .and_then(|s| s.unconditional)
            .unwrap_or(self.default)
    }

    pub fn class(&self, name: &str) -> Class {
        let base = self.base(name);
        let unconditional = self
            .syscalls
            .get(name)
            .is_some_and(|s| s.unconditional.is_some());
        let conds = self
            .syscalls
            .get(name)
            .map(|s| s.conditional.as_slice())
            .unwrap_or_default();
        // An unconditional rule decides; argument rules only matter when none exists (libseccomp
        // would refuse to mix them with a different action anyway).
        if unconditional || conds.is_empty() {
            if base.action.lets_through() {
                Class::Allowed
            } else {
                Class::Blocked
            }
        } else if conds
            .iter()
            .any(|(o, _)| o.action.lets_through() != base.action.lets_through())
        {
            Class::Conditional
        } else if base.action.lets_through() {
            Class::Allowed
        } else {
            Class::Blocked
        }
    }

    /// One line describing the policy for a syscall.
    pub fn describe(&self, name: &str) -> String {
        let base = self.base(name);
        match self.syscalls.get(name) {
            Some(s) if s.unconditional.is_none() && !s.conditional.is_empty() => {
                let mut parts: Vec<String> = s
                    .conditional
                    .iter()
                    .map(|(o, c)| format!("{o} if {c}"))
                    .collect();
                parts.push(format!("otherwise {base}"));
                parts.join("; ")
            }
            _ => base.to_string(),
        }
    }

    /// Every name the comparison should cover on this architecture: the table's and the profile's.
    pub fn universe(&self) -> Vec<String> {
        let mut all: std::collections::BTreeSet<String> =
            self.arch.names().into_iter().map(str::to_string).collect();
        all.extend(self.syscalls.keys().cloned());
        all.into_iter().collect()
    }
}

/// Conditions in one rule are ANDed, unless an argument index repeats (then runc adds one rule per
/// condition: OR).
pub fn describe_args(r: &Rule) -> String {
    let joiner = if repeats_index(r) { " OR " } else { " AND " };
    r.args
        .iter()
        .map(|a| a.describe())
        .collect::<Vec<_>>()
        .join(joiner)
}

pub fn repeats_index(r: &Rule) -> bool {
    let mut seen = std::collections::BTreeSet::new();
    r.args.iter().any(|a| !seen.insert(a.index))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(t: &str) -> Profile {
        Profile::parse("p", t).unwrap()
    }

    #[test]
    fn runc_skips_what_it_skips() {
        let e = Effective::of(
            &p(r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
              {"name":"chmod","action":"SCMP_ACT_ERRNO"},
              {"names":["chmodat","fchmodat"],"action":"SCMP_ACT_ERRNO"},
              {"names":["read"],"action":"SCMP_ACT_ALLOW"}]}"#),
            Arch::X86_64,
        );
        assert_eq!(e.class("chmod"), Class::Allowed);
        assert_eq!(e.class("fchmodat"), Class::Blocked);
        assert!(!e.syscalls.contains_key("chmodat"));
        assert!(!e.syscalls.contains_key("read"));
        assert_eq!(e.describe("fchmodat"), "SCMP_ACT_ERRNO(EPERM)");
    }

    #[test]
    fn kill_and_kill_thread_are_one_action() {
        let p = p(r#"{"defaultAction":"SCMP_ACT_KILL","syscalls":[
              {"names":["mount"],"action":"SCMP_ACT_KILL_THREAD"},
              {"names":["umount2"],"action":"SCMP_ACT_KILL_PROCESS"}]}"#);
        let e = Effective::of(&p, Arch::X86_64);
        // The KILL_THREAD rule repeats the default and is skipped; KILL_PROCESS is a real change.
        assert!(!e.syscalls.contains_key("mount"));
        assert_eq!(e.describe("umount2"), "SCMP_ACT_KILL_PROCESS");
        assert_eq!(e.class("umount2"), Class::Blocked);
    }

    #[test]
    fn argument_rules_make_a_syscall_conditional() {
        let e = Effective::of(
            &p(r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
              {"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":38,"op":"SCMP_CMP_LT"}]}]}"#),
            Arch::X86_64,
        );
        assert_eq!(e.class("socket"), Class::Conditional);
        assert_eq!(
            e.describe("socket"),
            "SCMP_ACT_ALLOW if arg0 < 0x26; otherwise SCMP_ACT_ERRNO(EPERM)"
        );
        assert_eq!(e.class("read"), Class::Blocked);
    }
}
