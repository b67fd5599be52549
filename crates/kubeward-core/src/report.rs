//! The report every command produces: what was read, which profile was used, the findings, the
//! input errors and a summary. Renderers (kubeward-report) know nothing about areas: they only read this.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::finding::{Finding, Severity, Status};
use crate::profile::ProfileChoice;

/// Version of the JSON report schema (docs/report-schema.md). Bumped on any breaking change.
pub const SCHEMA_VERSION: &str = "2";

/// One input the run read (a node root, a manifest file, a log…).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct InputInfo {
    /// `node-root`, `manifests`, `audit-log`, `aks-cluster`…
    pub kind: String,
    pub path: String,
    /// Short description (e.g. `12 objects`, `AKS node, kubelet pid 4242`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// An input that could not be read or parsed. The run goes on without it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct InputError {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub message: String,
}

/// `path:line: message` (or `path: message`): the one way every command shows an input error.
impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// Counts by status and by severity (of FAIL findings), computed by [`Report::finish`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub total: usize,
    /// Every status, including zero counts, keyed by its JSON name.
    pub by_status: BTreeMap<String, usize>,
    /// FAIL findings (not waived) by severity.
    pub failed_by_severity: BTreeMap<String, usize>,
    /// Findings per area and status.
    pub by_area: BTreeMap<String, BTreeMap<String, usize>>,
    pub waived: usize,
    /// Findings about platform-managed objects (they never fail the run).
    #[serde(default)]
    pub platform_managed: usize,
    pub input_errors: usize,
}

/// What one area set apart as platform-managed, and why: every format states it at the top of
/// the area (docs/report-schema.md).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaScope {
    /// The area id (`workloads`, `netpol`).
    pub area: String,
    /// Objects of this area's findings that are platform-managed.
    pub objects: usize,
    /// Findings about them (marked `platform_managed`, unless `included`).
    pub findings: usize,
    /// Of those, FAIL findings (they do not fail the run).
    pub failing: usize,
    /// Objects per reason (`label kubernetes.azure.com/managedby=aks`, `owned by a platform-managed
    /// object`…).
    pub reasons: BTreeMap<String, usize>,
    /// The flag that shows them like any other finding.
    pub shown_by: String,
    /// That flag was given: nothing was set apart, the findings are not marked and count.
    #[serde(default)]
    pub included: bool,
}

impl AreaScope {
    fn included_sentence(&self) -> String {
        format!(
            "{} platform-managed object{} shown and counted like any other finding ({} given)",
            self.objects,
            if self.objects == 1 { "" } else { "s" },
            self.shown_by
        )
    }

    fn head(&self) -> String {
        let reasons: Vec<String> = self
            .reasons
            .iter()
            .map(|(r, n)| format!("{n} {r}"))
            .collect();
        format!(
            "{} platform-managed object{} set apart ({}): {} finding{}, {} FAIL, not counted for the exit code",
            self.objects,
            if self.objects == 1 { "" } else { "s" },
            reasons.join(", "),
            self.findings,
            if self.findings == 1 { "" } else { "s" },
            self.failing,
        )
    }

    /// The sentence of formats that list these findings (JSON, SARIF, HTML), marked.
    pub fn listed_sentence(&self) -> String {
        if self.included {
            return self.included_sentence();
        }
        format!(
            "{}; they are listed and marked platform-managed; {} counts them like any other finding",
            self.head(),
            self.shown_by
        )
    }

    /// The sentence of formats that show only the counts (text, Markdown): `3 platform-managed
    /// objects set apart (2 label addonmanager.kubernetes.io/mode, 1 owned by a platform-managed
    /// object): 5 findings, 2 FAIL, not counted for the exit code; not listed here: …`.
    pub fn sentence(&self) -> String {
        if self.included {
            return self.included_sentence();
        }
        format!(
            "{}; not listed here: {} shows them like any other finding",
            self.head(),
            self.shown_by
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: String,
    pub tool: ToolInfo,
    /// The subcommand that produced the report (`node`, `workloads`, `scan`…).
    pub command: String,
    #[serde(default)]
    pub inputs: Vec<InputInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<ProfileChoice>,
    #[serde(default)]
    pub findings: Vec<Finding>,
    #[serde(default)]
    pub input_errors: Vec<InputError>,
    /// Per area, the objects set apart as platform-managed (absent when none were).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scope: Vec<AreaScope>,
    /// Area-specific facts a person wants next to the findings (e.g. the effective kubelet
    /// configuration, an audit summary). Renderers print them generically, as key/value blocks.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub facts: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    pub summary: Summary,
    /// Version of the findings' fingerprints ([`crate::fingerprint`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint_version: Option<String>,
    /// The comparison with a baseline (`--baseline`, `report diff`), when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<crate::baseline::BaselineReport>,
    /// The run-time checks (constraint checks, `GK/…`) the findings name, described in full so
    /// that `kubeward render` of a saved report gives the same rules; filled by [`Report::finish`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<crate::dynamic::DynamicCheck>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

impl Report {
    pub fn new(command: impl Into<String>) -> Self {
        Report {
            schema_version: SCHEMA_VERSION.to_string(),
            tool: ToolInfo {
                name: "kubeward".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            command: command.into(),
            inputs: Vec::new(),
            profile: None,
            findings: Vec::new(),
            input_errors: Vec::new(),
            scope: Vec::new(),
            facts: BTreeMap::new(),
            summary: Summary::default(),
            fingerprint_version: None,
            baseline: None,
            checks: Vec::new(),
        }
    }

    /// Describe every run-time check a finding names (once, sorted by code), keeping those a
    /// saved report brought along.
    fn describe_dynamic_checks(&mut self) {
        let mut codes: Vec<&str> = self
            .findings
            .iter()
            .map(|f| f.code.as_str())
            .filter(|c| c.contains('/'))
            .collect();
        codes.sort_unstable();
        codes.dedup();
        for code in codes {
            if self.checks.iter().any(|c| c.code == code) {
                continue;
            }
            if let Some(meta) = crate::dynamic::get(code) {
                self.checks.push(crate::dynamic::DynamicCheck::of(meta));
            }
        }
        self.checks.sort_by(|a, b| a.code.cmp(&b.code));
        self.checks.dedup_by(|a, b| a.code == b.code);
    }

    /// Register the run-time checks a saved report describes (see [`Report::checks`]), so the
    /// registry knows them again; those past the bound are left to the renderers' fallback.
    pub fn register_dynamic_checks(&self) {
        for c in &self.checks {
            let _ = crate::dynamic::intern(c.clone());
        }
    }

    pub fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    pub fn extend(&mut self, findings: impl IntoIterator<Item = Finding>) {
        let findings = findings.into_iter();
        // A large scan adds hundreds of thousands of findings in a few batches: reserve what
        // each batch needs instead of letting the vector double past it.
        self.findings.reserve_exact(findings.size_hint().0);
        self.findings.extend(findings);
    }

    /// Add a batch of findings, moving the vector itself when the report has none yet.
    pub fn append(&mut self, findings: Vec<Finding>) {
        if self.findings.is_empty() {
            self.findings = findings;
        } else {
            self.extend(findings);
        }
    }

    /// Merge another report's content into this one (inputs, findings, errors, facts).
    pub fn absorb(&mut self, other: Report) {
        self.inputs.extend(other.inputs);
        self.findings.extend(other.findings);
        self.input_errors.extend(other.input_errors);
        self.scope.extend(other.scope);
        self.facts.extend(other.facts);
        self.checks.extend(other.checks);
        if self.profile.is_none() {
            self.profile = other.profile;
        }
    }

    /// Sort everything deterministically and compute the summary. Call once before rendering.
    pub fn finish(&mut self) {
        self.findings.sort_by(|a, b| {
            (
                a.area.as_str(),
                a.code.as_str(),
                &a.resource,
                a.status,
                a.message.as_str(),
            )
                .cmp(&(
                    b.area.as_str(),
                    b.code.as_str(),
                    &b.resource,
                    b.status,
                    b.message.as_str(),
                ))
        });
        self.inputs.sort();
        self.inputs.dedup();
        self.input_errors.sort();
        self.input_errors.dedup();
        self.describe_dynamic_checks();
        // One entry per area (merged reports may bring several).
        self.scope.sort_by(|a, b| a.area.cmp(&b.area));
        self.scope.dedup_by(|later, first| {
            if later.area != first.area {
                return false;
            }
            first.objects += later.objects;
            first.findings += later.findings;
            first.failing += later.failing;
            for (r, n) in std::mem::take(&mut later.reasons) {
                *first.reasons.entry(r).or_default() += n;
            }
            true
        });
        // A saved report keeps the fingerprints it was written with (a subset of a report, such
        // as a diff, must not renumber its occurrence suffixes).
        if !crate::fingerprint::settled(&self.findings) {
            crate::fingerprint::assign(&mut self.findings);
        }
        self.fingerprint_version = Some(crate::fingerprint::FINGERPRINT_VERSION.to_string());
        let mut s = Summary {
            total: self.findings.len(),
            input_errors: self.input_errors.len(),
            ..Default::default()
        };
        for st in Status::ALL {
            s.by_status.insert(st.as_str().to_string(), 0);
        }
        for f in &self.findings {
            *s.by_status
                .entry(f.status.as_str().to_string())
                .or_default() += 1;
            *s.by_area
                .entry(f.area.to_string())
                .or_default()
                .entry(f.status.as_str().to_string())
                .or_default() += 1;
            if f.platform_managed {
                s.platform_managed += 1;
            }
            if f.waived.is_some() {
                s.waived += 1;
            } else if f.status == Status::Fail && !f.platform_managed {
                *s.failed_by_severity
                    .entry(f.severity.as_str().to_string())
                    .or_default() += 1;
            }
        }
        self.summary = s;
    }

    /// Non-waived findings with the given status.
    pub fn count(&self, status: Status) -> usize {
        self.findings
            .iter()
            .filter(|f| f.status == status && f.waived.is_none())
            .count()
    }

    /// The worst severity among FAIL findings that count (not waived, not platform-managed).
    pub fn worst_failure(&self) -> Option<Severity> {
        self.findings
            .iter()
            .filter(|f| f.status == Status::Fail && f.waived.is_none() && !f.platform_managed)
            .map(|f| f.severity)
            .max()
    }
}
