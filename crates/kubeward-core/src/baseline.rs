//! Comparing a run with an earlier one (`--baseline FILE`, `kubeward report diff`): which findings
//! are new, which got worse, which were fixed.
//!
//! Findings are matched by [fingerprint](crate::fingerprint). A baseline finding that is not
//! found again is `absent` (fixed) only when the current run evaluated it again: its area ran and
//! its input was read (for a finding read from a file, that file was read without an input error;
//! otherwise the same resource was judged). Anything else is `not_evaluated`, never fixed, so a
//! broken or deleted manifest cannot make its findings vanish and the run pass.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::finding::{Finding, Resource, Severity, Status};
use crate::fingerprint::FINGERPRINT_VERSION;
use crate::report::Report;

/// SARIF's words (`result.baselineState`), plus `not_evaluated` for a baseline finding whose
/// input or area was not evaluated this time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BaselineState {
    New,
    Updated,
    Unchanged,
    Absent,
    NotEvaluated,
}

impl BaselineState {
    pub fn as_str(self) -> &'static str {
        match self {
            BaselineState::New => "new",
            BaselineState::Updated => "updated",
            BaselineState::Unchanged => "unchanged",
            BaselineState::Absent => "absent",
            BaselineState::NotEvaluated => "not_evaluated",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error(
        "{source_name}: fingerprints of version {found}; this kubeward writes version {FINGERPRINT_VERSION}: make a new baseline with it"
    )]
    Version { source_name: String, found: String },
    #[error("{source_name}: not a kubeward JSON report: {reason}")]
    Json { source_name: String, reason: String },
    #[error("{source_name}:{line}: {reason}")]
    Compact {
        source_name: String,
        line: usize,
        reason: String,
    },
}

/// Where a finding was evaluated: the input file it was read from, or (for findings about a
/// node, say, whose evidence names files inside it) the resource it judged.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    File(String),
    Resource(String),
}

/// One finding of a baseline, as much of it as the baseline file holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub code: String,
    pub area: String,
    pub status: Status,
    pub severity: Severity,
    /// Digest of the observed values (8 hex digits), to tell `updated` from `unchanged`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<Resource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub scope: Scope,
    /// `absent` or `not_evaluated` once compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_state: Option<BaselineState>,
}

/// Counts of each state, and the baseline findings that are gone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineReport {
    /// The baseline file as given.
    pub source: String,
    pub fingerprint_version: String,
    pub new: usize,
    pub updated: usize,
    /// Of `updated`: FAIL now and not before, or a FAIL of higher severity.
    pub worse: usize,
    pub unchanged: usize,
    pub absent: usize,
    pub not_evaluated: usize,
    /// Baseline findings not found again, `absent` or `not_evaluated`.
    #[serde(default)]
    pub gone: Vec<BaselineEntry>,
}

impl BaselineReport {
    /// "3 new, 1 worse, 5 fixed, 212 unchanged" (with the other states when there are any).
    pub fn headline(&self) -> String {
        let mut parts = vec![format!("{} new", self.new), format!("{} worse", self.worse)];
        if self.updated > self.worse {
            parts.push(format!("{} changed", self.updated - self.worse));
        }
        parts.push(format!("{} fixed", self.absent));
        parts.push(format!("{} unchanged", self.unchanged));
        if self.not_evaluated > 0 {
            parts.push(format!("{} not evaluated", self.not_evaluated));
        }
        parts.join(", ")
    }
}

/// An earlier run, read from a saved JSON report or a compact fingerprint file.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    pub source: String,
    pub entries: Vec<BaselineEntry>,
}

/// Digest of a finding's observed values, in order.
fn observed_digest(f: &Finding) -> String {
    let mut h = Sha256::new();
    for e in &f.evidence {
        let o = e.observed.as_deref().unwrap_or("");
        h.update((o.len() as u64).to_le_bytes());
        h.update(o.as_bytes());
    }
    h.finalize()
        .iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn scope(f: &Finding, inputs: &HashSet<&str>) -> Scope {
    match f
        .evidence
        .iter()
        .find_map(|e| e.source.file.as_deref())
        .filter(|p| inputs.contains(p))
    {
        Some(p) => Scope::File(p.to_string()),
        None => Scope::Resource(resource_scope(f)),
    }
}

/// `AREA Kind/ns/name`: the scope of a finding not read from an input file.
fn resource_scope(f: &Finding) -> String {
    format!("{} {}", f.area, f.resource.display())
}

fn fingerprint_of(f: &Finding) -> String {
    f.fingerprint
        .as_deref()
        .map(str::to_string)
        .unwrap_or_else(|| crate::fingerprint::base(f))
}

fn entry(f: &Finding, inputs: &HashSet<&str>) -> BaselineEntry {
    BaselineEntry {
        fingerprint: fingerprint_of(f),
        code: f.code.to_string(),
        area: f.area.to_string(),
        status: f.status,
        severity: f.severity,
        observed: Some(observed_digest(f)),
        resource: Some(f.resource.clone()),
        message: Some(f.message.to_string()),
        scope: scope(f, inputs),
        baseline_state: None,
    }
}

const COMPACT_HEADER: &str = "# kubeward fingerprints";

impl Baseline {
    /// A finished report (its fingerprints assigned) as a baseline.
    pub fn from_report(report: &Report, source: &str) -> Result<Self, BaselineError> {
        if let Some(v) = &report.fingerprint_version
            && v != FINGERPRINT_VERSION
        {
            return Err(BaselineError::Version {
                source_name: source.to_string(),
                found: v.clone(),
            });
        }
        // Fingerprints are taken as written only when all are well formed (as `finish` decides);
        // otherwise a finished copy assigns them, suffixes included.
        let report = if crate::fingerprint::settled(&report.findings) {
            std::borrow::Cow::Borrowed(report)
        } else {
            let mut copy = report.clone();
            copy.finish();
            std::borrow::Cow::Owned(copy)
        };
        let inputs: HashSet<&str> = report.inputs.iter().map(|i| i.path.as_str()).collect();
        Ok(Baseline {
            source: source.to_string(),
            entries: report.findings.iter().map(|f| entry(f, &inputs)).collect(),
        })
    }

    /// Read either form: a JSON report (`{…`) or the compact text of [`Baseline::to_compact`].
    pub fn parse(text: &str, source: &str) -> Result<Self, BaselineError> {
        if text.trim_start().starts_with('{') {
            let report: Report = serde_json::from_str(text).map_err(|e| BaselineError::Json {
                source_name: source.to_string(),
                reason: e.to_string(),
            })?;
            return Self::from_report(&report, source);
        }
        Self::parse_compact(text, source)
    }

    /// One line per finding, grouped under the scope it was evaluated in:
    ///
    /// ```text
    /// # kubeward fingerprints 1
    /// @file examples/cluster/shop/web.yaml
    /// 3f2a9c0d1e2b4a5c6d7e FAIL high 9c1d2e3f W100 workloads
    /// ```
    ///
    /// (fingerprint, status, severity, observed-values digest, code, area): about 55 bytes a
    /// finding, so tens of thousands fit a 1 MiB ConfigMap.
    pub fn to_compact(report: &Report) -> Result<String, BaselineError> {
        let b = Self::from_report(report, "report")?;
        let mut by_scope: Vec<&BaselineEntry> = b.entries.iter().collect();
        by_scope.sort_by(|a, b| (&a.scope, &a.fingerprint).cmp(&(&b.scope, &b.fingerprint)));
        let mut out = format!("{COMPACT_HEADER} {FINGERPRINT_VERSION}\n");
        let mut current: Option<&Scope> = None;
        for e in by_scope {
            if current != Some(&e.scope) {
                match &e.scope {
                    Scope::File(p) => out.push_str(&format!("@file {}\n", one_line(p))),
                    Scope::Resource(r) => out.push_str(&format!("@resource {}\n", one_line(r))),
                }
                current = Some(&e.scope);
            }
            out.push_str(&format!(
                "{} {} {} {} {} {}\n",
                e.fingerprint,
                e.status.as_str(),
                e.severity.as_str(),
                e.observed.as_deref().unwrap_or("-"),
                e.code,
                e.area
            ));
        }
        Ok(out)
    }

    fn parse_compact(text: &str, source: &str) -> Result<Self, BaselineError> {
        let err = |line: usize, reason: &str| BaselineError::Compact {
            source_name: source.to_string(),
            line,
            reason: reason.to_string(),
        };
        let mut lines = text.lines().enumerate();
        let version = match lines.next() {
            Some((_, l)) if l.starts_with(COMPACT_HEADER) => l[COMPACT_HEADER.len()..].trim(),
            _ => {
                return Err(err(
                    1,
                    "neither a JSON report nor a fingerprint file (`kubeward report fingerprints`)",
                ));
            }
        };
        if version != FINGERPRINT_VERSION {
            return Err(BaselineError::Version {
                source_name: source.to_string(),
                found: version.to_string(),
            });
        }
        let mut scope: Option<Scope> = None;
        let mut entries = Vec::new();
        for (i, line) in lines {
            let n = i + 1;
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(p) = line.strip_prefix("@file ") {
                scope = Some(Scope::File(p.to_string()));
                continue;
            }
            if let Some(r) = line.strip_prefix("@resource ") {
                scope = Some(Scope::Resource(r.to_string()));
                continue;
            }
            let f: Vec<&str> = line.split(' ').collect();
            let [fp, status, severity, observed, code, area] = f.as_slice() else {
                return Err(err(
                    n,
                    "expected: fingerprint status severity observed code area",
                ));
            };
            let status: Status = serde_json::from_value(serde_json::Value::from(*status))
                .map_err(|_| err(n, &format!("unknown status {status:?}")))?;
            let severity = Severity::parse(severity)
                .ok_or_else(|| err(n, &format!("unknown severity {severity:?}")))?;
            let Some(scope) = scope.clone() else {
                return Err(err(n, "a finding before any @file or @resource line"));
            };
            entries.push(BaselineEntry {
                fingerprint: fp.to_string(),
                code: code.to_string(),
                area: area.to_string(),
                status,
                severity,
                observed: (*observed != "-").then(|| observed.to_string()),
                resource: None,
                message: None,
                scope,
                baseline_state: None,
            });
        }
        Ok(Baseline {
            source: source.to_string(),
            entries,
        })
    }
}

/// Paths and resource names go on one line of the compact file.
fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// Is `now` a worse verdict than `before` (what `--fail-on` judges under a baseline)?
pub fn got_worse(before: (Status, Severity), now: (Status, Severity)) -> bool {
    match (before.0, now.0) {
        (Status::Fail, Status::Fail) => now.1 > before.1,
        (_, Status::Fail) => true,
        _ => false,
    }
}

/// Mark every finding of `report` (finished, so fingerprinted) against `baseline`, and record
/// the baseline findings that are gone in `report.baseline`.
pub fn apply(report: &mut Report, baseline: &Baseline) {
    let mut by_fp: HashMap<&str, &BaselineEntry> = HashMap::new();
    for e in &baseline.entries {
        by_fp.insert(e.fingerprint.as_str(), e);
    }
    let mut out = BaselineReport {
        source: baseline.source.clone(),
        fingerprint_version: FINGERPRINT_VERSION.to_string(),
        ..Default::default()
    };
    let mut matched: HashSet<&str> = HashSet::new();
    for f in &mut report.findings {
        let fp = fingerprint_of(f);
        f.baseline_changes.clear();
        f.baseline_worse = false;
        match by_fp.get(fp.as_str()) {
            None => {
                f.baseline_state = Some(BaselineState::New);
                out.new += 1;
            }
            Some(old) => {
                matched.insert(old.fingerprint.as_str());
                if old.status != f.status {
                    f.baseline_changes
                        .push(format!("status {} -> {}", old.status, f.status));
                }
                if old.severity != f.severity {
                    f.baseline_changes
                        .push(format!("severity {} -> {}", old.severity, f.severity));
                }
                if let Some(o) = &old.observed
                    && *o != observed_digest(f)
                {
                    f.baseline_changes.push("observed".to_string());
                }
                if f.baseline_changes.is_empty() {
                    f.baseline_state = Some(BaselineState::Unchanged);
                    out.unchanged += 1;
                } else {
                    f.baseline_state = Some(BaselineState::Updated);
                    out.updated += 1;
                    if got_worse((old.status, old.severity), (f.status, f.severity)) {
                        f.baseline_worse = true;
                        out.worse += 1;
                    }
                }
            }
        }
    }

    // What this run evaluated: the areas that ran, the files read cleanly, the resources judged.
    let areas: BTreeSet<&str> = report.findings.iter().map(|f| f.area.as_str()).collect();
    let broken: HashSet<&str> = report
        .input_errors
        .iter()
        .map(|e| e.path.as_str())
        .collect();
    let read: HashSet<&str> = report
        .inputs
        .iter()
        .map(|i| i.path.as_str())
        .filter(|p| !broken.contains(p))
        .collect();
    // Built only if a gone finding needs it (one string per finding of a large report).
    let judged: std::cell::OnceCell<HashSet<String>> = std::cell::OnceCell::new();
    let mut gone = Vec::new();
    for e in &baseline.entries {
        if matched.contains(e.fingerprint.as_str()) {
            continue;
        }
        let evaluated = areas.contains(e.area.as_str())
            && match &e.scope {
                Scope::File(p) => read.contains(p.as_str()),
                Scope::Resource(r) => judged
                    .get_or_init(|| report.findings.iter().map(resource_scope).collect())
                    .contains(r),
            };
        let mut e = e.clone();
        if evaluated {
            e.baseline_state = Some(BaselineState::Absent);
            out.absent += 1;
        } else {
            e.baseline_state = Some(BaselineState::NotEvaluated);
            out.not_evaluated += 1;
        }
        gone.push(e);
    }
    gone.sort_by(|a, b| {
        (a.baseline_state, &a.area, &a.code, &a.fingerprint).cmp(&(
            b.baseline_state,
            &b.area,
            &b.code,
            &b.fingerprint,
        ))
    });
    out.gone = gone;
    report.baseline = Some(out);
}

/// Does this finding count for `--fail-on` under a baseline: new, or updated and worse?
pub fn counts_for_exit(f: &Finding) -> bool {
    match f.baseline_state {
        None | Some(BaselineState::New) => true,
        Some(BaselineState::Updated) => f.baseline_worse,
        _ => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::check::{Area, CheckMeta};
    use crate::finding::{Evidence, Source};
    use crate::report::InputInfo;

    static META: CheckMeta = CheckMeta::fixture(
        "W998",
        "test-check",
        "test",
        Area::Workloads,
        Severity::High,
    );

    fn report(items: &[(&str, &str, Status)]) -> Report {
        let mut r = Report::new("workloads");
        for (file, name, status) in items {
            r.inputs.push(InputInfo {
                kind: "manifests".into(),
                path: file.to_string(),
                detail: None,
            });
            r.push(
                Finding::new(
                    &META,
                    *status,
                    Resource::namespaced("Deployment", "ns", *name),
                    "m",
                )
                .with_evidence(Evidence::observed(
                    "x",
                    Source::file(*file).with_key("/spec/x"),
                )),
            );
        }
        r.finish();
        r
    }

    #[test]
    fn new_unchanged_updated_absent_not_evaluated() {
        let old = report(&[
            ("a.yaml", "a", Status::Fail),
            ("b.yaml", "b", Status::Pass),
            ("c.yaml", "c", Status::Fail),
            ("d.yaml", "d", Status::Fail),
        ]);
        let base = Baseline::from_report(&old, "old.json").unwrap();
        // a unchanged, b now FAIL, c fixed (c.yaml read), d's file gone, e new.
        let mut now = report(&[
            ("a.yaml", "a", Status::Fail),
            ("b.yaml", "b", Status::Fail),
            ("c.yaml", "other", Status::Pass),
            ("e.yaml", "e", Status::Fail),
        ]);
        apply(&mut now, &base);
        let b = now.baseline.clone().unwrap();
        assert_eq!(
            (
                b.new,
                b.unchanged,
                b.updated,
                b.worse,
                b.absent,
                b.not_evaluated
            ),
            (2, 1, 1, 1, 1, 1)
        );
        let worse = now
            .findings
            .iter()
            .find(|f| f.resource.name == "b")
            .unwrap();
        assert_eq!(worse.baseline_changes, ["status PASS -> FAIL"]);
        assert!(counts_for_exit(worse));
        assert_eq!(
            b.headline(),
            "2 new, 1 worse, 1 fixed, 1 unchanged, 1 not evaluated"
        );
    }

    #[test]
    fn compact_round_trip_gives_the_same_states() {
        let old = report(&[("a.yaml", "a", Status::Fail), ("b.yaml", "b", Status::Pass)]);
        let text = Baseline::to_compact(&old).unwrap();
        let compact = Baseline::parse(&text, "b.txt").unwrap();
        let json = Baseline::parse(&serde_json::to_string(&old).unwrap(), "b.json").unwrap();
        let mut n1 = report(&[("a.yaml", "a", Status::Pass)]);
        let mut n2 = n1.clone();
        apply(&mut n1, &compact);
        apply(&mut n2, &json);
        let (a, b) = (n1.baseline.unwrap(), n2.baseline.unwrap());
        assert_eq!(
            (a.new, a.updated, a.absent, a.not_evaluated),
            (b.new, b.updated, b.absent, b.not_evaluated)
        );
        assert!(text.lines().count() <= 5, "{text}");
    }

    #[test]
    fn other_versions_are_refused() {
        let e = Baseline::parse("# kubeward fingerprints 0\n", "x").unwrap_err();
        assert!(e.to_string().contains("version 0"), "{e}");
        let mut r = report(&[]);
        r.fingerprint_version = Some("7".into());
        let text = serde_json::to_string(&r).unwrap();
        assert!(matches!(
            Baseline::parse(&text, "x"),
            Err(BaselineError::Version { .. })
        ));
        assert!(Baseline::parse("hello", "x").is_err());
    }
}
