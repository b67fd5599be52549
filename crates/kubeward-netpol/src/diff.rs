//! Connectivity diff between two sets of manifests.

use kubeward_inventory::Inventory;

use crate::engine::Engine;

pub fn diff_text(
    _old: &Inventory,
    _new: &Inventory,
    _format: &str,
    _engine: Engine,
) -> Result<String, String> {
    Err("diff not implemented yet".into())
}
