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
pub mod stream;
pub mod synth;

use kubeward_core::CheckMeta;

/// Every check of this area, for the registry.
pub fn checks() -> Vec<&'static CheckMeta> {
    rules::RULES
        .iter()
        .map(|r| r.meta)
        .chain(policy::CHECKS.iter().copied())
        .collect()
}
