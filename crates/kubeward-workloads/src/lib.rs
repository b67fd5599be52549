//! Workload posture: Pod Security Standards, CIS AKS section 4, RBAC, effective seccomp/AppArmor.

pub mod pss;

use kubeward_core::CheckMeta;

/// Every check of this area, for the registry.
pub fn checks() -> Vec<&'static CheckMeta> {
    Vec::new()
}
