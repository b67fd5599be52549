pub mod aks;
pub mod audit;
pub mod checks;
pub mod netpol;
pub mod node;
pub mod profiles;
pub mod pss;
pub mod rbac;
pub mod scan;
pub mod scan_all;
pub mod score;
pub mod workloads;

/// Placeholder for subcommands whose area has not landed yet: says so plainly (exit 2).
pub fn not_yet(what: &str) -> anyhow::Result<u8> {
    anyhow::bail!("`kubeward {what}` is not implemented yet")
}
