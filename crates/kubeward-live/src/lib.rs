//! The live cluster source: lists every kind the areas read through kube-rs (read-only, paginated,
//! Secrets and ConfigMaps as metadata only), turns them into an [`kubeward_inventory::Inventory`],
//! saves snapshots, and runs the fleet node scan — the one part of kubeward that writes to a cluster,
//! creating and deleting only its own Jobs, only when asked.

pub mod fleet;
pub mod kinds;
pub mod source;

pub use kinds::{DISCOVERED, DiscoveredGroup, KINDS, KindSpec};
pub use source::{
    Collected, ConnectOptions, LiveError, NotListed, collect, collect_cluster, connect,
};
