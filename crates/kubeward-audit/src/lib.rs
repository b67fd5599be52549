//! Kubernetes audit event readers (every AKS shape), detection rules, policy lint, RBAC synthesis.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod event;
mod par;
pub mod policy;
pub mod rbac;
pub mod reader;
pub mod recognize;
pub mod report;
pub mod rules;
pub mod scan;
#[cfg(test)]
mod shape_tests;
pub mod stream;
pub mod synth;

use kubeward_core::{CheckMeta, Report};

/// Every check of this area, for the registry.
pub fn checks() -> Vec<&'static CheckMeta> {
    rules::CHECKS
        .iter()
        .map(|r| r.meta)
        .chain(policy::CHECKS.iter().map(|c| c.meta))
        .collect()
}

/// What one audit run produced: the merged scan (counts, hits per check) and the report built
/// from it.
#[derive(Debug, Clone)]
pub struct Audited {
    pub outcome: scan::ScanOutcome,
    pub report: Report,
}

/// Not one input could be read as an audit log: there is nothing to report on.
#[derive(Debug, thiserror::Error)]
#[error("no audit log could be read: {0}")]
pub struct NothingRead(String);

/// The audit pipeline behind `kubeward audit scan`: scan every input and build the report.
/// Fails only when every input failed before yielding a single event.
pub fn run(inputs: &[scan::Input], opts: &scan::ScanOptions) -> Result<Audited, NothingRead> {
    let outcome = scan::scan(inputs, opts);
    if outcome
        .files
        .iter()
        .all(|f| f.fatal.is_some() && f.stats.events == 0)
    {
        let why: Vec<String> = outcome
            .files
            .iter()
            .map(|f| format!("{}: {}", f.name, f.fatal.as_deref().unwrap_or("")))
            .collect();
        return Err(NothingRead(why.join("; ")));
    }
    let report = report::build_report(&outcome, opts);
    Ok(Audited { outcome, report })
}
