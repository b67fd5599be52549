//! CIS worker-node checks: kubelet discovery, effective kubelet configuration, files, Linux security modules.

use kubeward_core::CheckMeta;

/// Every check of this area, for the registry.
pub fn checks() -> Vec<&'static CheckMeta> {
    Vec::new()
}
