//! Compare what two profiles do, syscall by syscall, on one architecture (not how they are
//! written: two profiles with different rule layouts but the same effect are equal).

use serde::Serialize;

use super::Profile;
use super::effective::{Class, Effective};
use crate::syscall_table::Arch;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub left: String,
    pub right: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyscallChange {
    pub syscall: String,
    pub left: String,
    pub right: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeccompDiff {
    pub left: String,
    pub right: String,
    pub arch: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_action: Option<Change>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub architectures: Option<Change>,
    /// Allowed (unconditionally) by the left profile and not by the right one.
    pub allowed_only_left: Vec<String>,
    /// Allowed (unconditionally) by the right profile and not by the left one.
    pub allowed_only_right: Vec<String>,
    /// Other differences: another deny action or errno, argument conditions.
    pub changed: Vec<SyscallChange>,
    /// What the comparison assumed (e.g. the runtime default model).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl SeccompDiff {
    pub fn is_empty(&self) -> bool {
        self.default_action.is_none()
            && self.architectures.is_none()
            && self.allowed_only_left.is_empty()
            && self.allowed_only_right.is_empty()
            && self.changed.is_empty()
    }

    pub fn to_text(&self) -> String {
        let mut s = format!(
            "seccomp diff on {}\n  left:  {}\n  right: {}\n",
            self.arch, self.left, self.right
        );
        for n in &self.notes {
            s.push_str(&format!("  note: {n}\n"));
        }
        if self.is_empty() {
            s.push_str("\nno difference: both profiles do the same to every syscall\n");
            return s;
        }
        if let Some(c) = &self.default_action {
            s.push_str(&format!("\ndefault action: {} -> {}\n", c.left, c.right));
        }
        if let Some(c) = &self.architectures {
            s.push_str(&format!("architectures: {} -> {}\n", c.left, c.right));
        }
        let list = |title: &str, v: &[String], s: &mut String| {
            if !v.is_empty() {
                s.push_str(&format!("\n{title} ({}):\n", v.len()));
                for chunk in v.chunks(6) {
                    s.push_str(&format!("  {}\n", chunk.join(" ")));
                }
            }
        };
        list("allowed only by left", &self.allowed_only_left, &mut s);
        list("allowed only by right", &self.allowed_only_right, &mut s);
        if !self.changed.is_empty() {
            s.push_str(&format!("\nchanged ({}):\n", self.changed.len()));
            for c in &self.changed {
                s.push_str(&format!(
                    "  {}: {}\n    -> {}\n",
                    c.syscall, c.left, c.right
                ));
            }
        }
        s
    }
}

fn arch_list(p: &Profile) -> String {
    if p.architectures.is_empty() {
        "(none: native only)".into()
    } else {
        p.architectures
            .iter()
            .map(|(a, _)| a.scmp_name())
            .collect::<Vec<_>>()
            .join(",")
    }
}

pub fn diff(left: &Profile, right: &Profile, arch: Arch) -> SeccompDiff {
    let l = Effective::of(left, arch);
    let r = Effective::of(right, arch);
    let mut names = l.universe();
    names.extend(r.universe());
    names.sort();
    names.dedup();
    let mut out = SeccompDiff {
        left: left.path.clone(),
        right: right.path.clone(),
        arch: arch.scmp_name().to_string(),
        default_action: (l.default != r.default).then(|| Change {
            left: l.default.to_string(),
            right: r.default.to_string(),
        }),
        architectures: (arch_list(left) != arch_list(right)).then(|| Change {
            left: arch_list(left),
            right: arch_list(right),
        }),
        allowed_only_left: Vec::new(),
        allowed_only_right: Vec::new(),
        changed: Vec::new(),
        notes: Vec::new(),
    };
    for n in names {
        // Names outside this architecture's table do nothing here.
        if arch.knows(&n) == Some(false) {
            continue;
        }
        let (lc, rc) = (l.class(&n), r.class(&n));
        if lc == Class::Allowed && rc != Class::Allowed {
            out.allowed_only_left.push(n);
        } else if rc == Class::Allowed && lc != Class::Allowed {
            out.allowed_only_right.push(n);
        } else {
            let (ld, rd) = (l.describe(&n), r.describe(&n));
            if ld != rd {
                out.changed.push(SyscallChange {
                    syscall: n,
                    left: ld,
                    right: rd,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seccomp::default::{ContainerdVersion, runtime_default};

    #[test]
    fn same_effect_different_layout_is_equal() {
        let a = Profile::parse("a", r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","write"],"action":"SCMP_ACT_ALLOW"}]}"#).unwrap();
        let b = Profile::parse("b", r#"{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"syscalls":[{"names":["write"],"action":"SCMP_ACT_ALLOW"},{"names":["read"],"action":"SCMP_ACT_ALLOW"},{"names":["mount"],"action":"SCMP_ACT_ERRNO"}]}"#).unwrap();
        let d = diff(&a, &b, Arch::X86_64);
        assert!(d.is_empty(), "{}", d.to_text());
    }

    #[test]
    fn reports_allowed_sets_actions_and_default() {
        let a = Profile::parse("a", r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["chmod"],"action":"SCMP_ACT_ERRNO"}]}"#).unwrap();
        let b = Profile::parse("b", r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["chmod"],"action":"SCMP_ACT_KILL_PROCESS"},{"names":["mount"],"action":"SCMP_ACT_ERRNO"}]}"#).unwrap();
        let d = diff(&a, &b, Arch::X86_64);
        assert_eq!(d.allowed_only_left, vec!["mount"]);
        assert!(d.allowed_only_right.is_empty());
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].right, "SCMP_ACT_KILL_PROCESS");
        assert!(d.default_action.is_none());
        let text = d.to_text();
        assert!(
            text.contains("allowed only by left (1):\n  mount"),
            "{text}"
        );
    }

    #[test]
    fn containerd_1_7_against_2_0() {
        let a = runtime_default("1.7.27".parse::<ContainerdVersion>().unwrap(), Arch::X86_64);
        let b = runtime_default("2.0.11".parse::<ContainerdVersion>().unwrap(), Arch::X86_64);
        let d = diff(&a, &b, Arch::X86_64);
        assert_eq!(
            d.allowed_only_left,
            vec!["io_uring_enter", "io_uring_register", "io_uring_setup"]
        );
        assert_eq!(d.changed.len(), 1, "{:?}", d.changed);
        assert_eq!(d.changed[0].syscall, "socket");
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["allowed_only_left"][0], "io_uring_enter");
    }
}
