//! CIS worker-node checks: kubelet discovery, effective kubelet configuration, files, Linux security modules.

pub mod facts;

use kubeward_core::CheckMeta;

pub use facts::NodeFacts;

/// Every check of this area, for the registry.
pub fn checks() -> Vec<&'static CheckMeta> {
    Vec::new()
}
