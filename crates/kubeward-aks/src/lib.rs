//! AKS cluster configuration checks and egress requirements from Azure JSON.

use kubeward_core::CheckMeta;

/// Every check of this area, for the registry.
pub fn checks() -> Vec<&'static CheckMeta> {
    Vec::new()
}
