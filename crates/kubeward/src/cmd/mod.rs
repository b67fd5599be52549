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

