//! The parsed form of an AppArmor profile file: profiles (with hats and child profiles), their
//! rules with qualifiers, and the syntax errors found on the way, each with its line.

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
