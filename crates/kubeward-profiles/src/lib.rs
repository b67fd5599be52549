//! Seccomp and AppArmor profile lint, diff, generate and install.

use kubeward_core::CheckMeta;

/// Every check of this area, for the registry.
pub fn checks() -> Vec<&'static CheckMeta> {
    Vec::new()
}
