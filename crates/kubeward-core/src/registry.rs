//! The check registry: every check of every area, collected once by the binary from each area
//! crate's `checks()` list. `kubeward checks`, `kubeward explain`, waivers and SARIF rules read it.

use std::collections::BTreeMap;

use crate::check::{Area, CheckMeta};

#[derive(Debug, Clone, Default)]
pub struct Registry {
    checks: Vec<&'static CheckMeta>,
}

/// A registry that would make an identifier ambiguous is a programming error, found by a test.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RegistryError {
    #[error("check code {0} is registered twice")]
    DuplicateCode(String),
    #[error("check name {0} is registered twice")]
    DuplicateName(String),
    #[error("check code {code} does not start with its area's prefix {prefix}")]
    WrongPrefix { code: String, prefix: char },
    #[error("check name {0} is not kebab-case")]
    BadName(String),
    #[error("check {code} names {id:?}, which is no built-in benchmark profile")]
    UnknownProfile { code: String, id: String },
    #[error("check {code} is in profile {id} but cites no {framework} {version} reference")]
    ProfileWithoutReference {
        code: String,
        id: String,
        framework: String,
        version: String,
    },
    #[error("check {code}: `since` {since:?} is not a release (x.y.z) at or before {current}")]
    BadSince {
        code: String,
        since: String,
        current: String,
    },
    #[error("check {code}: alias {alias:?} is already a code, name or alias of another check")]
    AliasClash { code: String, alias: String },
    #[error("check {0} has no bad or no good example in its docs")]
    MissingExample(String),
    #[error("check code {0} was retired and must not be used again")]
    RetiredCode(String),
}

/// Codes of removed checks. A code is never reused ([check-codes.md](../../docs/check-codes.md)):
/// one listed here can never be registered again.
pub const RETIRED: &[&str] = &[];

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn register(&mut self, checks: &[&'static CheckMeta]) {
        self.checks.extend_from_slice(checks);
        self.checks.sort_by_key(|c| c.code);
    }

    pub fn with(mut self, checks: &[&'static CheckMeta]) -> Self {
        self.register(checks);
        self
    }

    pub fn all(&self) -> &[&'static CheckMeta] {
        &self.checks
    }

    pub fn by_area(&self, area: Area) -> impl Iterator<Item = &'static CheckMeta> + '_ {
        self.checks.iter().copied().filter(move |c| c.area == area)
    }

    /// Look a check up by code or name (case-insensitive).
    pub fn get(&self, id: &str) -> Option<&'static CheckMeta> {
        self.checks.iter().copied().find(|c| c.is(id))
    }

    /// Checks that would match `id` if it were a prefix or a fragment of a name: used by `explain`
    /// to suggest what the user may have meant.
    pub fn suggest(&self, id: &str) -> Vec<&'static CheckMeta> {
        let needle = id.to_ascii_lowercase();
        self.checks
            .iter()
            .copied()
            .filter(|c| {
                c.name.contains(&needle)
                    || c.code.to_ascii_lowercase().starts_with(&needle)
                    || c.references.iter().any(|r| r.id == id)
            })
            .collect()
    }

    /// Validate the invariants of the versioned check API: unique codes and names (aliases
    /// included), area prefixes, kebab-case names, profiles that exist and whose benchmark version
    /// the check cites, a `since` release, a bad and a good example, no retired code.
    pub fn validate(&self) -> Result<(), Vec<RegistryError>> {
        let mut errors = Vec::new();
        let mut codes = BTreeMap::new();
        let mut names = BTreeMap::new();
        // Every identifier (code, name, alias) in lower case, with the check that owns it.
        let mut ids: BTreeMap<String, &str> = BTreeMap::new();
        for c in &self.checks {
            ids.insert(c.code.to_ascii_lowercase(), c.code);
            ids.insert(c.name.to_ascii_lowercase(), c.code);
        }
        for c in &self.checks {
            for alias in c.aliases {
                if ids.insert(alias.to_ascii_lowercase(), c.code).is_some() {
                    errors.push(RegistryError::AliasClash {
                        code: c.code.to_string(),
                        alias: alias.to_string(),
                    });
                }
            }
            if RETIRED.iter().any(|r| r.eq_ignore_ascii_case(c.code)) {
                errors.push(RegistryError::RetiredCode(c.code.to_string()));
            }
            for id in c.profiles {
                match crate::profile::find(id) {
                    None => errors.push(RegistryError::UnknownProfile {
                        code: c.code.to_string(),
                        id: id.to_string(),
                    }),
                    Some(p) => {
                        let cites = c
                            .references
                            .iter()
                            .any(|r| r.framework == p.framework && r.version == p.version);
                        if !cites {
                            errors.push(RegistryError::ProfileWithoutReference {
                                code: c.code.to_string(),
                                id: p.id.to_string(),
                                framework: p.framework.to_string(),
                                version: p.version.to_string(),
                            });
                        }
                    }
                }
            }
            let current = env!("CARGO_PKG_VERSION");
            if !release_at_or_before(c.since, current) {
                errors.push(RegistryError::BadSince {
                    code: c.code.to_string(),
                    since: c.since.to_string(),
                    current: current.to_string(),
                });
            }
            // Run-time checks (a user's constraints) bring their own documentation.
            if c.area != Area::Policy
                && (c.doc.bad.trim().is_empty() || c.doc.good.trim().is_empty())
            {
                errors.push(RegistryError::MissingExample(c.code.to_string()));
            }
            if codes.insert(c.code, ()).is_some() {
                errors.push(RegistryError::DuplicateCode(c.code.to_string()));
            }
            if names.insert(c.name, ()).is_some() {
                errors.push(RegistryError::DuplicateName(c.name.to_string()));
            }
            let prefix = c.area.code_prefix();
            if !c.code.starts_with(prefix) {
                errors.push(RegistryError::WrongPrefix {
                    code: c.code.to_string(),
                    prefix,
                });
            }
            let kebab = !c.name.is_empty()
                && c.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !c.name.starts_with('-')
                && !c.name.ends_with('-')
                && !c.name.contains("--");
            if !kebab {
                errors.push(RegistryError::BadName(c.name.to_string()));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// `x.y.z` (numbers only) and not later than `current`.
fn release_at_or_before(since: &str, current: &str) -> bool {
    fn parse(v: &str) -> Option<[u64; 3]> {
        let mut it = v.split('.').map(|p| p.parse::<u64>().ok());
        let out = [it.next()??, it.next()??, it.next()??];
        it.next().is_none().then_some(out)
    }
    matches!((parse(since), parse(current)), (Some(s), Some(c)) if s <= c)
}

/// Why a check file and the registered list disagree (see [`check_files`]).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CheckFileError {
    #[error("{file}: declares check {code} but the area does not register it")]
    NotRegistered { file: String, code: String },
    #[error("{file}: a check file is named `<code>_<name with _>.rs`; expected {expected}.rs")]
    Misnamed { file: String, expected: String },
    #[error("check {code} is registered but has no file of its own in {dir}")]
    NoFile { code: String, dir: String },
    #[error("{dir}: cannot be read: {message}")]
    Unreadable { dir: String, message: String },
}

/// The one registration rule every area tests: each check is one file named
/// `<code>_<name with _ for ->.rs` (`a001_pod_exec.rs`) in `dir`, each such file's check is in
/// `registered`, and each registered check has its file. Files are listed from the directory, so
/// a check file left out of the area's list (and so never compiled) is found too.
pub fn check_files(
    dir: &std::path::Path,
    registered: &[&CheckMeta],
) -> Result<(), Vec<CheckFileError>> {
    let mut errors = Vec::new();
    let shown = dir.display().to_string();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            return Err(vec![CheckFileError::Unreadable {
                dir: shown,
                message: e.to_string(),
            }]);
        }
    };
    let mut seen: BTreeMap<String, ()> = BTreeMap::new();
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(stem) = file.strip_suffix(".rs") else {
            continue;
        };
        let Some(code) = code_of_stem(stem) else {
            continue;
        };
        match registered
            .iter()
            .find(|c| c.code.eq_ignore_ascii_case(&code))
        {
            None => errors.push(CheckFileError::NotRegistered {
                file: file.clone(),
                code: code.to_ascii_uppercase(),
            }),
            Some(c) => {
                let expected = format!(
                    "{}_{}",
                    c.code.to_ascii_lowercase(),
                    c.name.replace('-', "_")
                );
                if stem != expected {
                    errors.push(CheckFileError::Misnamed {
                        file: file.clone(),
                        expected,
                    });
                }
                seen.insert(c.code.to_string(), ());
            }
        }
    }
    for c in registered {
        if !seen.contains_key(c.code) {
            errors.push(CheckFileError::NoFile {
                code: c.code.to_string(),
                dir: shown.clone(),
            });
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// `a001` of `a001_pod_exec`: a letter and three digits before the first `_`.
fn code_of_stem(stem: &str) -> Option<String> {
    let (code, rest) = stem.split_once('_')?;
    let b = code.as_bytes();
    let ok = b.len() == 4 && b[0].is_ascii_lowercase() && b[1..].iter().all(u8::is_ascii_digit);
    (ok && !rest.is_empty()).then(|| code.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CheckDoc, RefStatic, Severity};

    const fn check(
        code: &'static str,
        name: &'static str,
        aliases: &'static [&'static str],
        profiles: &'static [&'static str],
        references: &'static [RefStatic],
        since: &'static str,
    ) -> CheckMeta {
        CheckMeta {
            code,
            name,
            since,
            aliases,
            title: "t",
            area: Area::Aks,
            severity: Severity::Low,
            references,
            profiles,
            kubeward_own: false,
            doc: CheckDoc {
                what: "w",
                why: "y",
                fix: "f",
                links: &[],
                bad: "{}",
                good: "{}",
            },
        }
    }

    static GOOD: CheckMeta = check(
        "Z900",
        "good-one",
        &["old-good-one"],
        &[crate::profile::CIS_AKS_1_8],
        &[RefStatic::cis_aks("1.8.0", "5.1.1")],
        "0.1.0",
    );
    static WRONG_VERSION: CheckMeta = check(
        "Z901",
        "wrong-version",
        &[],
        &[crate::profile::CIS_AKS_1_7],
        &[RefStatic::cis_aks("1.8.0", "5.1.1")],
        "0.1.0",
    );
    static UNKNOWN_PROFILE: CheckMeta =
        check("Z902", "unknown-profile", &[], &["cis-aks-9"], &[], "0.1.0");
    static ALIAS_CLASH: CheckMeta = check("Z903", "alias-clash", &["good-one"], &[], &[], "0.1.0");
    static FUTURE: CheckMeta = check("Z904", "future", &[], &[], &[], "99.0.0");
    static NOT_A_RELEASE: CheckMeta = check("Z905", "not-a-release", &[], &[], &[], "soon");

    #[test]
    fn aliases_answer_lookups() {
        let r = Registry::new().with(&[&GOOD]);
        assert_eq!(r.get("OLD-GOOD-ONE").map(|c| c.code), Some("Z900"));
        assert_eq!(r.validate(), Ok(()));
    }

    #[test]
    fn each_broken_invariant_is_named() {
        let r = Registry::new().with(&[
            &GOOD,
            &WRONG_VERSION,
            &UNKNOWN_PROFILE,
            &ALIAS_CLASH,
            &FUTURE,
            &NOT_A_RELEASE,
        ]);
        let errors = r.validate().unwrap_err();
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(errors.len(), 5, "{text:#?}");
        assert!(
            matches!(&errors[0], RegistryError::ProfileWithoutReference { code, .. } if code == "Z901")
        );
        assert!(matches!(&errors[1], RegistryError::UnknownProfile { code, .. } if code == "Z902"));
        assert!(matches!(&errors[2], RegistryError::AliasClash { code, .. } if code == "Z903"));
        assert!(matches!(&errors[3], RegistryError::BadSince { code, .. } if code == "Z904"));
        assert!(matches!(&errors[4], RegistryError::BadSince { code, .. } if code == "Z905"));
    }

    #[test]
    fn check_files_finds_unregistered_misnamed_and_missing() {
        let dir = tempfile::tempdir().unwrap();
        for f in [
            "z900_good_one.rs",
            "z901_wrong.rs",
            "z999_forgotten.rs",
            "mod.rs",
            "helpers.rs",
        ] {
            std::fs::write(dir.path().join(f), "").unwrap();
        }
        let errors =
            check_files(dir.path(), &[&GOOD, &WRONG_VERSION, &UNKNOWN_PROFILE]).unwrap_err();
        let mut kinds: Vec<String> = errors.iter().map(ToString::to_string).collect();
        kinds.sort();
        assert_eq!(kinds.len(), 3, "{kinds:#?}");
        assert!(
            kinds
                .iter()
                .any(|e| e.contains("z901_wrong.rs") && e.contains("z901_wrong_version"))
        );
        assert!(
            kinds
                .iter()
                .any(|e| e.contains("z999_forgotten.rs") && e.contains("Z999"))
        );
        assert!(
            kinds
                .iter()
                .any(|e| e.contains("Z902") && e.contains("no file"))
        );
    }
}
