//! Kubernetes audit event readers (every AKS shape), detection rules, policy lint, RBAC synthesis.

use kubeward_core::CheckMeta;

/// Every check of this area, for the registry.
pub fn checks() -> Vec<&'static CheckMeta> {
    Vec::new()
}
