//! Seccomp profiles as containerd and runc read them.
//!
//! containerd decodes a Localhost profile into the OCI runtime-spec `LinuxSeccomp` struct with Go's
//! JSON decoder: keys it does not know (Docker's `name`, `archMap`, `includes`, `excludes`,
//! `comment`) vanish silently, and key matching is case-insensitive. [`Profile`] is that view, plus
//! a record of what was dropped and where, so lint rules can say what the node will really do.

pub mod default;
pub mod diff;
pub mod effective;
pub mod generate;
pub mod lint;

use std::path::Path;

use serde_json::json;

use crate::error::{MAX_PROFILE_BYTES, ProfileError, read_bounded};
use crate::json::{self, Node, Value};
use crate::syscall_table::Arch;

/// A seccomp action (runtime-spec list as of libseccomp 2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    Kill,
    KillProcess,
    KillThread,
    Trap,
    Errno,
    Trace,
    Allow,
    Log,
    Notify,
}

impl Action {
    pub const ALL: [Action; 9] = [
        Action::Kill,
        Action::KillProcess,
        Action::KillThread,
        Action::Trap,
        Action::Errno,
        Action::Trace,
        Action::Allow,
        Action::Log,
        Action::Notify,
    ];
    pub fn parse(s: &str) -> Option<Action> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Kill => "SCMP_ACT_KILL",
            Action::KillProcess => "SCMP_ACT_KILL_PROCESS",
            Action::KillThread => "SCMP_ACT_KILL_THREAD",
            Action::Trap => "SCMP_ACT_TRAP",
            Action::Errno => "SCMP_ACT_ERRNO",
            Action::Trace => "SCMP_ACT_TRACE",
            Action::Allow => "SCMP_ACT_ALLOW",
            Action::Log => "SCMP_ACT_LOG",
            Action::Notify => "SCMP_ACT_NOTIFY",
        }
    }
    /// Does the syscall run? (`LOG` runs it and records it.)
    pub fn lets_through(self) -> bool {
        matches!(self, Action::Allow | Action::Log)
    }
    /// Actions that carry an errno (`errnoRet` / `defaultErrnoRet`).
    pub fn takes_errno(self) -> bool {
        matches!(self, Action::Errno | Action::Trace)
    }
}

/// An argument comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Op {
    Ne,
    Lt,
    Le,
    Eq,
    Ge,
    Gt,
    MaskedEq,
}

impl Op {
    const ALL: [Op; 7] = [Op::Ne, Op::Lt, Op::Le, Op::Eq, Op::Ge, Op::Gt, Op::MaskedEq];
    pub fn parse(s: &str) -> Option<Op> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Ne => "SCMP_CMP_NE",
            Op::Lt => "SCMP_CMP_LT",
            Op::Le => "SCMP_CMP_LE",
            Op::Eq => "SCMP_CMP_EQ",
            Op::Ge => "SCMP_CMP_GE",
            Op::Gt => "SCMP_CMP_GT",
            Op::MaskedEq => "SCMP_CMP_MASKED_EQ",
        }
    }
    fn symbol(self) -> &'static str {
        match self {
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Eq => "==",
            Op::Ge => ">=",
            Op::Gt => ">",
            Op::MaskedEq => "&",
        }
    }
}

/// Largest errno (`MAX_ERRNO` in the kernel); larger values are not error returns.
pub const MAX_ERRNO: u64 = 4095;

/// The filter flags the runtime spec defines.
pub const KNOWN_FLAGS: [&str; 4] = [
    "SECCOMP_FILTER_FLAG_TSYNC",
    "SECCOMP_FILTER_FLAG_LOG",
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgCond {
    pub index: u64,
    pub value: u64,
    pub value_two: Option<u64>,
    pub op: Op,
    pub line: u32,
}

impl ArgCond {
    pub fn describe(&self) -> String {
        match self.op {
            Op::MaskedEq => format!(
                "arg{} & {:#x} == {:#x}",
                self.index,
                self.value,
                self.value_two.unwrap_or(0)
            ),
            op => format!("arg{} {} {:#x}", self.index, op.symbol(), self.value),
        }
    }
}

/// A located string (a syscall name, a key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub text: String,
    pub line: u32,
}

/// One entry of `syscalls`, as the runtime sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Position in `syscalls` (0-based), for the `/syscalls/N` key in evidence.
    pub index: usize,
    pub line: u32,
    /// `names`: the only names the runtime reads.
    pub names: Vec<Located>,
    /// Docker's singular `name`, dropped by containerd.
    pub singular_name: Option<Located>,
    pub action: Action,
    pub action_line: u32,
    pub errno_ret: Option<u64>,
    pub args: Vec<ArgCond>,
}

impl Rule {
    pub fn key(&self) -> String {
        format!("/syscalls/{}", self.index)
    }
    /// The errno the rule returns (EPERM when unset), for errno-carrying actions.
    pub fn errno(&self) -> Option<u64> {
        self.action
            .takes_errno()
            .then(|| self.errno_ret.unwrap_or(1))
    }
}

/// A key the runtime does not read, and what it meant to its author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DroppedKey {
    /// JSON-pointer-like location (`/syscalls/3/includes`).
    pub key: String,
    pub line: u32,
    pub meaning: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub path: String,
    pub default_action: Action,
    pub default_action_line: u32,
    pub default_errno_ret: Option<u64>,
    /// `architectures`, in order; empty when absent (then only the native ABI is filtered).
    pub architectures: Vec<(Arch, u32)>,
    pub architectures_present: bool,
    pub flags: Vec<Located>,
    pub listener_path: Option<String>,
    pub listener_metadata_line: Option<u32>,
    /// `listenerMetadata`, passed through to the seccomp agent.
    pub listener_metadata: Option<String>,
    pub rules: Vec<Rule>,
    pub dropped: Vec<DroppedKey>,
    /// Structural problems the runtime rejects or that make a rule inert (not fatal to reading).
    pub problems: Vec<(u32, String, String)>,
}

impl Profile {
    /// The errno of the default action (EPERM when unset), for errno-carrying actions.
    pub fn default_errno(&self) -> Option<u64> {
        self.default_action
            .takes_errno()
            .then(|| self.default_errno_ret.unwrap_or(1))
    }

    /// The architectures names are resolved on: the listed ones, or x86_64 when none are listed
    /// (containerd on AKS nodes is amd64 or arm64; amd64 is assumed and said so in findings).
    pub fn effective_arches(&self) -> Vec<Arch> {
        if self.architectures.is_empty() {
            vec![Arch::X86_64]
        } else {
            self.architectures.iter().map(|(a, _)| *a).collect()
        }
    }

    /// A profile built in code rather than read (the runtime default, generated profiles): no
    /// source lines, rules numbered in order.
    pub(crate) fn built(
        path: String,
        default_action: Action,
        default_errno_ret: Option<u64>,
        architectures: Vec<Arch>,
        mut rules: Vec<Rule>,
    ) -> Profile {
        for (i, r) in rules.iter_mut().enumerate() {
            r.index = i;
        }
        Profile {
            path,
            default_action,
            default_action_line: 0,
            default_errno_ret,
            architectures: architectures.into_iter().map(|a| (a, 0)).collect(),
            architectures_present: true,
            flags: Vec::new(),
            listener_path: None,
            listener_metadata_line: None,
            listener_metadata: None,
            rules,
            dropped: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Read and parse a profile file (size-bounded).
    pub fn read(path: &Path) -> Result<Profile, ProfileError> {
        let text = read_bounded(path, MAX_PROFILE_BYTES)?;
        Profile::parse(&path.display().to_string(), &text)
    }

    /// Parse profile text. Hard errors are the ones the runtime refuses too (not JSON, no or an
    /// unknown default action, unknown rule action, operator or architecture).
    pub fn parse(path: &str, text: &str) -> Result<Profile, ProfileError> {
        let root = json::parse(path, text)?;
        let invalid = |line: u32, message: String| ProfileError::Invalid {
            path: path.to_string(),
            line,
            message,
        };
        if !matches!(root.value, Value::Object(_)) {
            return Err(invalid(
                root.line,
                format!(
                    "a seccomp profile is a JSON object with `defaultAction`, found {}",
                    root.type_name()
                ),
            ));
        }
        let mut dropped = Vec::new();
        let mut problems = Vec::new();
        for m in root.members() {
            let known = [
                "defaultAction",
                "defaultErrnoRet",
                "architectures",
                "flags",
                "listenerPath",
                "listenerMetadata",
                "syscalls",
            ];
            if !known.iter().any(|k| k.eq_ignore_ascii_case(&m.key)) {
                dropped.push(DroppedKey {
                    key: format!("/{}", m.key),
                    line: m.line,
                    meaning: top_level_meaning(&m.key),
                });
            }
        }
        let Some(da) = get_ci(&root, "defaultAction") else {
            return Err(invalid(
                root.line,
                "`defaultAction` is missing; it is required (e.g. \"SCMP_ACT_ERRNO\")".into(),
            ));
        };
        let default_action = parse_action(path, da, "defaultAction")?;
        if default_action == Action::Notify {
            problems.push((
                da.line,
                "/defaultAction".to_string(),
                "SCMP_ACT_NOTIFY cannot be the default action; runc refuses the profile".into(),
            ));
        }
        let default_errno_ret = match get_ci(&root, "defaultErrnoRet") {
            Some(n) => Some(u64_field(path, n, "defaultErrnoRet")?),
            None => None,
        };
        if let Some(e) = default_errno_ret.filter(|e| *e > MAX_ERRNO) {
            problems.push((
                da.line,
                "/defaultErrnoRet".into(),
                format!("`defaultErrnoRet` {e} is not an errno (1 to {MAX_ERRNO}): the kernel keeps 16 bits and libc reads it as a return value"),
            ));
        }
        if default_errno_ret.is_some() && !default_action.takes_errno() {
            problems.push((
                da.line,
                "/defaultErrnoRet".into(),
                format!(
                    "`defaultErrnoRet` is set but {} takes no errno; the runtime must refuse this",
                    default_action.as_str()
                ),
            ));
        }
        let mut architectures = Vec::new();
        let arch_node = get_ci(&root, "architectures");
        if let Some(a) = arch_node {
            for item in array_field(path, a, "architectures")? {
                let name = str_field(path, item, "architectures[]")?;
                match Arch::parse(name).filter(|_| name.starts_with("SCMP_ARCH_")) {
                    Some(arch) => architectures.push((arch, item.line)),
                    None if name == "SCMP_ARCH_NATIVE" => {}
                    None => {
                        return Err(invalid(
                            item.line,
                            format!(
                                "unknown architecture {name:?}; runc fails with \"error validating Seccomp architecture\" (valid: SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32, SCMP_ARCH_AARCH64, SCMP_ARCH_ARM, …)"
                            ),
                        ));
                    }
                }
            }
        }
        let mut flags = Vec::new();
        if let Some(f) = get_ci(&root, "flags") {
            for item in array_field(path, f, "flags")? {
                flags.push(Located {
                    text: str_field(path, item, "flags[]")?.to_string(),
                    line: item.line,
                });
            }
        }
        let listener_path = match get_ci(&root, "listenerPath") {
            Some(n) => Some(str_field(path, n, "listenerPath")?.to_string()),
            None => None,
        };
        let metadata_node = get_ci(&root, "listenerMetadata");
        let listener_metadata_line = metadata_node.map(|n| n.line);
        let listener_metadata = match metadata_node {
            Some(n) => Some(str_field(path, n, "listenerMetadata")?.to_string()),
            None => None,
        };

        let mut rules = Vec::new();
        if let Some(s) = get_ci(&root, "syscalls")
            && !matches!(s.value, Value::Null)
        {
            for (index, r) in array_field(path, s, "syscalls")?.iter().enumerate() {
                rules.push(parse_rule(path, index, r, &mut dropped, &mut problems)?);
            }
        }
        Ok(Profile {
            path: path.to_string(),
            default_action,
            default_action_line: da.line,
            default_errno_ret,
            architectures,
            architectures_present: arch_node.is_some(),
            flags,
            listener_path,
            listener_metadata_line,
            listener_metadata,
            rules,
            dropped,
            problems,
        })
    }

    /// The profile as OCI JSON (what containerd reads), in a stable key order.
    pub fn to_json(&self) -> serde_json::Value {
        let mut root = serde_json::Map::new();
        root.insert("defaultAction".into(), json!(self.default_action.as_str()));
        if let Some(e) = self.default_errno_ret {
            root.insert("defaultErrnoRet".into(), json!(e));
        }
        if !self.architectures.is_empty() {
            root.insert(
                "architectures".into(),
                json!(
                    self.architectures
                        .iter()
                        .map(|(a, _)| a.scmp_name())
                        .collect::<Vec<_>>()
                ),
            );
        }
        if !self.flags.is_empty() {
            root.insert(
                "flags".into(),
                json!(self.flags.iter().map(|f| &f.text).collect::<Vec<_>>()),
            );
        }
        // Without these a NOTIFY profile written back (install, generate) would lose its agent.
        if let Some(l) = &self.listener_path {
            root.insert("listenerPath".into(), json!(l));
        }
        if let Some(m) = &self.listener_metadata {
            root.insert("listenerMetadata".into(), json!(m));
        }
        let rules: Vec<serde_json::Value> = self
            .rules
            .iter()
            .map(|r| {
                let mut o = serde_json::Map::new();
                o.insert(
                    "names".into(),
                    json!(r.names.iter().map(|n| &n.text).collect::<Vec<_>>()),
                );
                o.insert("action".into(), json!(r.action.as_str()));
                if let Some(e) = r.errno_ret {
                    o.insert("errnoRet".into(), json!(e));
                }
                if !r.args.is_empty() {
                    let args: Vec<_> = r
                        .args
                        .iter()
                        .map(|a| {
                            let mut m = serde_json::Map::new();
                            m.insert("index".into(), json!(a.index));
                            m.insert("value".into(), json!(a.value));
                            if let Some(v2) = a.value_two {
                                m.insert("valueTwo".into(), json!(v2));
                            }
                            m.insert("op".into(), json!(a.op.as_str()));
                            serde_json::Value::Object(m)
                        })
                        .collect();
                    o.insert("args".into(), json!(args));
                }
                serde_json::Value::Object(o)
            })
            .collect();
        root.insert("syscalls".into(), json!(rules));
        serde_json::Value::Object(root)
    }

    /// Pretty JSON text with a trailing newline.
    pub fn to_json_text(&self) -> String {
        let mut s = serde_json::to_string_pretty(&self.to_json()).unwrap_or_default();
        s.push('\n');
        s
    }
}

/// Go's decoder matches keys case-insensitively (the last duplicate wins) and leaves a field
/// at its zero value for `null`; containerd's loader inherits both, so `null` reads as absent.
fn get_ci<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    node.members()
        .iter()
        .rev()
        .find(|m| m.key.eq_ignore_ascii_case(key))
        .map(|m| &m.value)
        .filter(|v| !matches!(v.value, Value::Null))
}

fn top_level_meaning(key: &str) -> String {
    match key {
        "archMap" => "Docker's archMap: containerd drops it, so the profile lists no architectures unless `architectures` is also set".into(),
        "comment" => "a comment: ignored".into(),
        _ => format!("`{key}` is not an OCI seccomp field: containerd ignores it"),
    }
}

fn parse_action(path: &str, n: &Node, field: &str) -> Result<Action, ProfileError> {
    let s = str_field(path, n, field)?;
    Action::parse(s).ok_or_else(|| ProfileError::Invalid {
        path: path.to_string(),
        line: n.line,
        message: format!(
            "unknown seccomp action {s:?} in `{field}`; the runtime refuses the profile (valid: {})",
            Action::ALL.map(Action::as_str).join(", ")
        ),
    })
}

fn str_field<'a>(path: &str, n: &'a Node, field: &str) -> Result<&'a str, ProfileError> {
    n.as_str().ok_or_else(|| ProfileError::Invalid {
        path: path.to_string(),
        line: n.line,
        message: format!("`{field}` must be a string, found {}", n.type_name()),
    })
}

fn u64_field(path: &str, n: &Node, field: &str) -> Result<u64, ProfileError> {
    n.as_u64().ok_or_else(|| ProfileError::Invalid {
        path: path.to_string(),
        line: n.line,
        message: format!(
            "`{field}` must be a non-negative integer, found {}",
            n.type_name()
        ),
    })
}

fn array_field<'a>(path: &str, n: &'a Node, field: &str) -> Result<&'a [Node], ProfileError> {
    n.as_array().ok_or_else(|| ProfileError::Invalid {
        path: path.to_string(),
        line: n.line,
        message: format!("`{field}` must be an array, found {}", n.type_name()),
    })
}

fn parse_rule(
    path: &str,
    index: usize,
    r: &Node,
    dropped: &mut Vec<DroppedKey>,
    problems: &mut Vec<(u32, String, String)>,
) -> Result<Rule, ProfileError> {
    let key = format!("/syscalls/{index}");
    if !matches!(r.value, Value::Object(_)) {
        return Err(ProfileError::Invalid {
            path: path.to_string(),
            line: r.line,
            message: format!("{key} must be an object, found {}", r.type_name()),
        });
    }
    for m in r.members() {
        let known = ["names", "action", "errnoRet", "args"];
        if known.iter().any(|k| k.eq_ignore_ascii_case(&m.key)) {
            continue;
        }
        let meaning = match m.key.as_str() {
            "name" => "Docker's singular `name`: containerd drops it, so this rule names no syscall and does nothing".to_string(),
            "comment" => "a comment: ignored".to_string(),
            "includes" => "Docker's `includes` filter (caps/arches/minKernel): containerd drops it, so the rule applies unconditionally".to_string(),
            "excludes" => "Docker's `excludes` filter: containerd drops it, so the rule applies even where Docker would skip it".to_string(),
            other => format!("`{other}` is not an OCI seccomp rule field: containerd ignores it"),
        };
        dropped.push(DroppedKey {
            key: format!("{key}/{}", m.key),
            line: m.line,
            meaning,
        });
    }
    let Some(action_node) = get_ci(r, "action") else {
        return Err(ProfileError::Invalid {
            path: path.to_string(),
            line: r.line,
            message: format!("{key} has no `action`; it is required"),
        });
    };
    let action = parse_action(path, action_node, &format!("{key}/action"))?;
    let mut names = Vec::new();
    if let Some(n) = get_ci(r, "names")
        && !matches!(n.value, Value::Null)
    {
        for item in array_field(path, n, "names")? {
            names.push(Located {
                text: str_field(path, item, "names[]")?.to_string(),
                line: item.line,
            });
        }
    }
    let singular_name = r.get("name").and_then(|n| {
        n.as_str().map(|s| Located {
            text: s.to_string(),
            line: n.line,
        })
    });
    if names.iter().any(|n| n.text.is_empty()) {
        problems.push((
            r.line,
            format!("{key}/names"),
            "an empty syscall name: runc fails with \"empty string is not a valid syscall\"".into(),
        ));
    }
    if names.is_empty() && singular_name.is_none() {
        problems.push((
            r.line,
            format!("{key}/names"),
            "the rule has no `names`: it matches nothing (the runtime spec requires at least one)"
                .into(),
        ));
    }
    if r.get("name").is_some() && r.get("names").is_some() {
        problems.push((
            r.line,
            format!("{key}/name"),
            "both `name` and `names`: Docker refuses such a profile, containerd reads only `names`"
                .into(),
        ));
    }
    let errno_ret = match get_ci(r, "errnoRet") {
        Some(n) => Some(u64_field(path, n, &format!("{key}/errnoRet"))?),
        None => None,
    };
    if let Some(e) = errno_ret.filter(|e| *e > MAX_ERRNO) {
        problems.push((
            action_node.line,
            format!("{key}/errnoRet"),
            format!("`errnoRet` {e} is not an errno (1 to {MAX_ERRNO}): the kernel keeps 16 bits and libc reads it as a return value"),
        ));
    }
    if errno_ret.is_some() && !action.takes_errno() {
        problems.push((
            action_node.line,
            format!("{key}/errnoRet"),
            format!(
                "`errnoRet` on {} which takes no errno: the runtime refuses it",
                action.as_str()
            ),
        ));
    }
    if action == Action::Notify && names.iter().any(|n| n.text == "write") {
        problems.push((
            action_node.line,
            format!("{key}/action"),
            "SCMP_ACT_NOTIFY on `write`: runc refuses it (it would deadlock the notifier)".into(),
        ));
    }
    let mut args = Vec::new();
    if let Some(a) = get_ci(r, "args")
        && !matches!(a.value, Value::Null)
    {
        let list = array_field(path, a, &format!("{key}/args"))?;
        if list.len() > 6 {
            problems.push((
                a.line,
                format!("{key}/args"),
                format!(
                    "{} argument conditions; a syscall has at most 6 arguments",
                    list.len()
                ),
            ));
        }
        for c in list {
            let op_node = get_ci(c, "op").ok_or_else(|| ProfileError::Invalid {
                path: path.to_string(),
                line: c.line,
                message: format!("{key}/args: a condition without `op`"),
            })?;
            let op_text = str_field(path, op_node, "op")?;
            let op = Op::parse(op_text).ok_or_else(|| ProfileError::Invalid {
                path: path.to_string(),
                line: op_node.line,
                message: format!(
                    "unknown comparison operator {op_text:?}; the runtime refuses the profile (valid: SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ)"
                ),
            })?;
            let index = match get_ci(c, "index") {
                Some(n) => u64_field(path, n, "index")?,
                None => 0,
            };
            if index > 5 {
                problems.push((
                    c.line,
                    format!("{key}/args"),
                    format!("argument index {index}: valid indexes are 0 to 5"),
                ));
            }
            let value = match get_ci(c, "value") {
                Some(n) => u64_field(path, n, "value")?,
                None => 0,
            };
            let value_two = match get_ci(c, "valueTwo") {
                Some(n) => Some(u64_field(path, n, "valueTwo")?),
                None => None,
            };
            args.push(ArgCond {
                index,
                value,
                value_two,
                op,
                line: c.line,
            });
        }
    }
    Ok(Rule {
        index,
        line: r.line,
        names,
        singular_name,
        action,
        action_line: action_node.line,
        errno_ret,
        args,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_keys_are_dropped_and_located() {
        let text = r#"{
  "defaultAction": "SCMP_ACT_ALLOW",
  "archMap": [],
  "syscalls": [
    {"name": "chmod", "action": "SCMP_ACT_ERRNO", "comment": "x"},
    {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}}
  ]
}"#;
        let p = Profile::parse("p.json", text).unwrap();
        assert_eq!(p.rules.len(), 2);
        assert!(p.rules[0].names.is_empty());
        assert_eq!(p.rules[0].singular_name.as_ref().unwrap().text, "chmod");
        let keys: Vec<_> = p.dropped.iter().map(|d| (d.key.as_str(), d.line)).collect();
        assert_eq!(
            keys,
            vec![
                ("/archMap", 3),
                ("/syscalls/0/name", 5),
                ("/syscalls/0/comment", 5),
                ("/syscalls/1/includes", 6)
            ]
        );
    }

    #[test]
    fn unknown_action_is_a_clear_error() {
        let e = Profile::parse("p.json", "{\n\"defaultAction\": \"SCMP_ACT_DENY\"}")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("p.json:2: unknown seccomp action \"SCMP_ACT_DENY\""),
            "{e}"
        );
        let e = Profile::parse(
            "p.json",
            "{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n\"syscalls\": [\n{\"names\": [\"read\"], \"action\": \"ALLOW\"}]}",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("p.json:3: unknown seccomp action \"ALLOW\""),
            "{e}"
        );
    }

    #[test]
    fn not_json_and_not_an_object_are_clear_errors() {
        let e = Profile::parse("p", "defaultAction: SCMP_ACT_ALLOW\n").unwrap_err();
        assert!(e.to_string().contains("not valid JSON"), "{e}");
        let e = Profile::parse("p", "[1]").unwrap_err();
        assert!(e.to_string().contains("is a JSON object"), "{e}");
        let e = Profile::parse("p", "{}").unwrap_err();
        assert!(e.to_string().contains("`defaultAction` is missing"), "{e}");
    }

    #[test]
    fn unknown_op_and_arch_are_errors() {
        let e = Profile::parse(
            "p",
            r#"{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_AMD64"]}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("unknown architecture"), "{e}");
        let e = Profile::parse("p", r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_IN"}]}]}"#).unwrap_err();
        assert!(e.to_string().contains("unknown comparison operator"), "{e}");
    }

    #[test]
    fn listener_fields_survive_writing_back() {
        let text = r#"{"defaultAction":"SCMP_ACT_ERRNO","listenerPath":"/run/agent.sock","listenerMetadata":"pod=web","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_NOTIFY"}]}"#;
        let p = Profile::parse("p", text).unwrap();
        let again = Profile::parse("p", &p.to_json_text()).unwrap();
        assert_eq!(again.listener_path.as_deref(), Some("/run/agent.sock"));
        assert_eq!(again.listener_metadata.as_deref(), Some("pod=web"));
    }

    #[test]
    fn null_reads_as_absent_like_go() {
        let p = Profile::parse(
            "p",
            r#"{"defaultAction":"SCMP_ACT_ERRNO","architectures":null,"flags":null,"defaultErrnoRet":null,"syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","errnoRet":null,"args":null}]}"#,
        )
        .unwrap();
        assert!(p.architectures.is_empty() && p.flags.is_empty());
        assert_eq!(p.default_errno_ret, None);
        assert_eq!(p.rules[0].errno_ret, None);
        let e = Profile::parse("p", r#"{"defaultAction":null}"#).unwrap_err();
        assert!(e.to_string().contains("`defaultAction` is missing"), "{e}");
    }

    #[test]
    fn keys_match_case_insensitively_like_go() {
        let p = Profile::parse("p", r#"{"DefaultAction":"SCMP_ACT_ERRNO","Syscalls":[{"Names":["read"],"Action":"SCMP_ACT_ALLOW"}]}"#).unwrap();
        assert_eq!(p.rules[0].names[0].text, "read");
        assert!(p.dropped.is_empty());
    }

    #[test]
    fn round_trips_through_json() {
        let text = r#"{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"architectures":["SCMP_ARCH_X86_64"],"syscalls":[{"names":["clone"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":2114060288,"valueTwo":0,"op":"SCMP_CMP_MASKED_EQ"}]}]}"#;
        let p = Profile::parse("p", text).unwrap();
        let again = Profile::parse("p", &p.to_json_text()).unwrap();
        assert_eq!(again.rules, {
            let mut r = p.rules.clone();
            // Lines differ after pretty-printing; compare the content.
            r[0].line = again.rules[0].line;
            r[0].action_line = again.rules[0].action_line;
            r[0].names[0].line = again.rules[0].names[0].line;
            r[0].args[0].line = again.rules[0].args[0].line;
            r
        });
        assert_eq!(p.rules[0].args[0].describe(), "arg0 & 0x7e020000 == 0x0");
    }
}
