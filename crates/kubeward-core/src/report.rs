//! The report every command produces: what was read, which profile was used, the findings, the
//! input errors and a summary. Renderers (kubeward-report) know nothing about areas: they only read this.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::finding::{Finding, Severity, Status};
use crate::profile::ProfileChoice;

/// Version of the JSON report schema (docs/report-schema.md). Bumped on any breaking change.
pub const SCHEMA_VERSION: &str = "1";

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
    pub input_errors: usize,
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
            facts: BTreeMap::new(),
            summary: Summary::default(),
            fingerprint_version: None,
            baseline: None,
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
        self.facts.extend(other.facts);
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
        // A saved report keeps the fingerprints it was written with (a subset of a report, such
        // as a diff, must not renumber its occurrence suffixes).
        if self.findings.iter().any(|f| f.fingerprint.is_none()) {
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
            if f.waived.is_some() {
                s.waived += 1;
            } else if f.status == Status::Fail {
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

    /// The worst severity among non-waived FAIL findings.
    pub fn worst_failure(&self) -> Option<Severity> {
        self.findings
            .iter()
            .filter(|f| f.status == Status::Fail && f.waived.is_none())
            .map(|f| f.severity)
            .max()
    }
}
