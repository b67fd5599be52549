//! Kubernetes audit event readers (every AKS shape), detection rules, policy lint, RBAC synthesis.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod event;
pub mod reader;
pub mod report;
pub mod rules;
pub mod scan;

use kubeward_core::CheckMeta;

/// Every check of this area, for the registry.
pub fn checks() -> Vec<&'static CheckMeta> {
    rules::RULES.iter().map(|r| r.meta).collect()
}
