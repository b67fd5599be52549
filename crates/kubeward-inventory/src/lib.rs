//! Kubernetes objects from files, directories, stdin and snapshots — loaded once, for every area.
//!
//! Every object keeps where it came from ([`Origin`]) so evidence and SARIF locations are exact.
//! A document that does not decode becomes an [`kubeward_core::InputError`] naming file and line;
//! the other documents and files are still loaded.

mod load;
mod object;
pub mod workload;

pub use load::{LoadOptions, load_paths, load_str};
pub use object::{Inventory, Object, Origin};
pub use workload::{Container, ContainerKind, PodTemplate, is_workload};
