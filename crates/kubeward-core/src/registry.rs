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
}

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

    /// Validate the invariants of the versioned check API: unique codes and names, area prefixes,
    /// kebab-case names.
    pub fn validate(&self) -> Result<(), Vec<RegistryError>> {
        let mut errors = Vec::new();
        let mut codes = BTreeMap::new();
        let mut names = BTreeMap::new();
        for c in &self.checks {
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
