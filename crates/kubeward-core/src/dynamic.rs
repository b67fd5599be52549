//! Checks defined at run time: a user's or a cluster's Gatekeeper constraint is a check of its
//! own (`GK/<ConstraintKind>/<name>`), listed by `kubeward checks --policy`, and a SARIF rule,
//! JUnit test case and baseline key like any built-in one.
//!
//! Renderers, waivers and the registry read `&'static CheckMeta`. A run-time check is therefore
//! made `'static` once, when it is first seen, and kept for the life of the process: a CLI run
//! ends soon after, and the table is bounded (count and bytes), so hostile input that defines
//! millions of constraints costs no more than the bound. Past it, [`intern`] refuses and the
//! caller reports an input error.
//!
//! Built-in codes stay static and validated ([`crate::Registry::validate`]): a run-time code
//! always contains a `/`, which no built-in code does, so the two can never collide.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use crate::check::{Area, CheckDoc, CheckMeta};
use crate::finding::Severity;

/// At most this many run-time checks in one process (the Azure Policy initiatives assign a few
/// dozen constraints; a large Gatekeeper installation a few hundred).
pub const MAX_CHECKS: usize = 4096;
/// At most this many bytes of text kept for them.
pub const MAX_BYTES: usize = 8 * 1024 * 1024;
/// Text longer than this (a description, a title) is cut: it is shown, not parsed.
const MAX_FIELD: usize = 4096;

/// The owned description of a run-time check (see [`intern`]). A report carries those its
/// findings name ([`crate::Report::checks`]), so that a saved report renders again with them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DynamicCheck {
    /// `GK/<ConstraintKind>/<name>`: must contain a `/`.
    pub code: String,
    /// Kebab-case; made unique by [`intern`] (a suffix) when another code has it.
    pub name: String,
    pub title: String,
    pub area: Area,
    pub severity: Severity,
    pub what: String,
    pub why: String,
    pub fix: String,
    #[serde(default)]
    pub links: Vec<String>,
}

impl DynamicCheck {
    /// The description of an interned check, to be interned again by a later process.
    pub fn of(meta: &CheckMeta) -> DynamicCheck {
        DynamicCheck {
            code: meta.code.to_string(),
            name: meta.name.to_string(),
            title: meta.title.to_string(),
            area: meta.area,
            severity: meta.severity,
            what: meta.doc.what.to_string(),
            why: meta.doc.why.to_string(),
            fix: meta.doc.fix.to_string(),
            links: meta.doc.links.iter().map(|l| l.to_string()).collect(),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DynamicError {
    #[error("check code {0:?} is not a run-time code (it must contain '/')")]
    NotDynamic(String),
    #[error("check code {code:?} does not start with its area's prefix {prefix}")]
    WrongPrefix { code: String, prefix: char },
    #[error(
        "too many run-time checks (at most {MAX_CHECKS} constraints, {MAX_BYTES} bytes of text): {0} is not registered"
    )]
    TooMany(String),
}

#[derive(Default)]
struct Table {
    by_code: HashMap<String, &'static CheckMeta>,
    names: HashMap<String, ()>,
    order: Vec<&'static CheckMeta>,
    bytes: usize,
}

fn table() -> &'static Mutex<Table> {
    static TABLE: OnceLock<Mutex<Table>> = OnceLock::new();
    TABLE.get_or_init(Default::default)
}

fn cut(s: &str) -> String {
    if s.len() <= MAX_FIELD {
        return s.to_string();
    }
    let mut end = MAX_FIELD;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// Kebab-case of any text: lowercase ASCII letters and digits, runs of anything else as one `-`.
pub fn kebab(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("check");
    }
    out
}

/// The `'static` metadata of a run-time check: the one already registered under its code (the
/// first definition wins: the same constraint read twice is one check), or a new one.
pub fn intern(check: DynamicCheck) -> Result<&'static CheckMeta, DynamicError> {
    if !check.code.contains('/') {
        return Err(DynamicError::NotDynamic(check.code));
    }
    let prefix = check.area.code_prefix();
    if !check.code.starts_with(prefix) {
        return Err(DynamicError::WrongPrefix {
            code: check.code,
            prefix,
        });
    }
    let mut t = match table().lock() {
        Ok(t) => t,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some(found) = t.by_code.get(&check.code) {
        return Ok(found);
    }
    let links: Vec<String> = check.links.iter().take(16).map(|l| cut(l)).collect();
    let texts = [
        cut(&check.title),
        cut(&check.what),
        cut(&check.why),
        cut(&check.fix),
    ];
    let bytes = check.code.len()
        + check.name.len()
        + texts.iter().map(String::len).sum::<usize>()
        + links.iter().map(String::len).sum::<usize>();
    if t.order.len() >= MAX_CHECKS || t.bytes + bytes > MAX_BYTES {
        return Err(DynamicError::TooMany(check.code));
    }
    let base = kebab(&check.name);
    let mut name = base.clone();
    let mut n = 2;
    while t.names.contains_key(&name) {
        name = format!("{base}-{n}");
        n += 1;
    }
    t.names.insert(name.clone(), ());
    let [title, what, why, fix] = texts;
    // Leaked on purpose: bounded above, and alive as long as any finding or renderer may read it.
    let links: &'static [&'static str] = Box::leak(
        links
            .into_iter()
            .map(leak)
            .collect::<Vec<_>>()
            .into_boxed_slice(),
    );
    let meta: &'static CheckMeta = Box::leak(Box::new(CheckMeta {
        code: leak(check.code.clone()),
        name: leak(name),
        // A constraint has no release of kubeward behind it: it exists as of the running one.
        since: env!("CARGO_PKG_VERSION"),
        // A constraint renamed in the cluster is another constraint: no earlier names.
        aliases: &[],
        title: leak(title),
        area: check.area,
        severity: check.severity,
        // The template's own annotations carry no benchmark reference kubeward could vouch for,
        // so no reference and no profile.
        references: &[],
        profiles: &[],
        kubeward_own: false,
        doc: CheckDoc {
            what: leak(what),
            why: leak(why),
            fix: leak(fix),
            links,
            // The constraint's examples are its library suite's samples (`policy verify` runs
            // them); the registry exempts run-time checks from carrying examples of their own.
            bad: "",
            good: "",
        },
    }));
    t.bytes += bytes;
    t.by_code.insert(check.code, meta);
    t.order.push(meta);
    Ok(meta)
}

/// The run-time check registered under `code`, if any.
pub fn get(code: &str) -> Option<&'static CheckMeta> {
    let t = match table().lock() {
        Ok(t) => t,
        Err(poisoned) => poisoned.into_inner(),
    };
    t.by_code.get(code).copied()
}

/// Every run-time check registered so far, in registration order.
pub fn all() -> Vec<&'static CheckMeta> {
    let t = match table().lock() {
        Ok(t) => t,
        Err(poisoned) => poisoned.into_inner(),
    };
    t.order.clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Registry;

    fn check(code: &str, name: &str) -> DynamicCheck {
        DynamicCheck {
            code: code.into(),
            name: name.into(),
            title: "t".into(),
            area: Area::Policy,
            severity: Severity::Medium,
            what: String::new(),
            why: String::new(),
            fix: String::new(),
            links: vec![],
        }
    }

    #[test]
    fn interning_is_once_per_code_and_names_stay_unique_and_kebab() {
        let a = intern(check("GK/K8sTestA/x.y", "gk-k8stesta-x.y")).unwrap();
        let again = intern(check("GK/K8sTestA/x.y", "other")).unwrap();
        assert!(std::ptr::eq(a, again));
        let b = intern(check("GK/K8sTestA/x-y", "gk-k8stesta-x-y")).unwrap();
        assert_eq!(a.name, "gk-k8stesta-x-y");
        assert_eq!(b.name, "gk-k8stesta-x-y-2");
        assert_eq!(get("GK/K8sTestA/x-y").map(|m| m.name), Some(b.name));
        let registry = Registry::new().with(&[a, b]);
        assert_eq!(registry.validate(), Ok(()));
        // Every field of the contract is filled: the running release, no aliases.
        assert_eq!(a.since, env!("CARGO_PKG_VERSION"));
        assert!(a.aliases.is_empty() && a.doc.bad.is_empty());
    }

    #[test]
    fn built_in_looking_or_misplaced_codes_are_refused() {
        assert!(matches!(
            intern(check("W101", "x")),
            Err(DynamicError::NotDynamic(_))
        ));
        let mut c = check("XX/K8s/y", "y");
        c.area = Area::Policy;
        assert!(matches!(intern(c), Err(DynamicError::WrongPrefix { .. })));
    }

    #[test]
    fn kebab_names() {
        assert_eq!(
            kebab("GK K8sAllowedRepos repo.is-ours"),
            "gk-k8sallowedrepos-repo-is-ours"
        );
        assert_eq!(kebab("--"), "check");
    }
}
