//! Workload posture: Pod Security Standards, CIS AKS section 4, RBAC, effective seccomp/AppArmor.
//!
//! [`scan`] runs every workload check over an [`Inventory`]; [`rbac`] answers who-can questions;
//! [`profiles`] computes the seccomp and AppArmor profile each container really runs with.

pub mod cis;
pub mod ctx;
pub mod profiles;
pub mod pss;
pub mod rbac;
pub mod system;

use kubeward_core::{CheckMeta, Finding};
use kubeward_inventory::Inventory;

pub use ctx::{Ctx, ScanOptions};

/// Every check of this area, for the registry.
pub fn checks() -> Vec<&'static CheckMeta> {
    let mut v: Vec<&'static CheckMeta> = cis::all().into_iter().map(|(m, _)| m).collect();
    v.extend(profiles::all().into_iter().map(|(m, _)| m));
    v
}

/// Run every CIS section-4 and profile check (PSS is run by the caller, see `pss`).
pub fn scan(inv: &Inventory, opts: &ScanOptions) -> Vec<Finding> {
    let ctx = Ctx::new(inv, opts);
    let mut out = Vec::new();
    for (_, eval) in cis::all() {
        out.extend(eval(&ctx));
    }
    for (_, eval) in profiles::all() {
        out.extend(eval(&ctx));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn check_codes_and_names_are_unique_and_well_formed() {
        let reg = kubeward_core::Registry::new().with(&super::checks());
        if let Err(e) = reg.validate() {
            panic!("{e:?}");
        }
        assert!(super::checks().iter().all(|c| c.code.starts_with('W')));
    }
}
