//! Kubernetes objects from files, directories, stdin and snapshots — loaded once, for every area.
//!
//! - YAML streams are split into documents first, so one document that does not decode is an
//!   input error naming its file and line while the other documents (and files) still load.
//! - JSON is streamed: a `kubectl get -o json` List of 100,000 objects is decoded item by item,
//!   in parallel, without holding the whole text.
//! - `*List` kinds are flattened; every object keeps where it came from ([`Origin`]) and, for YAML,
//!   the line of each field ([`Object::line_of`]) so evidence and SARIF locations are exact.
//! - Sizes, nesting depth, node and alias counts are bounded ([`LoadOptions`]): a YAML bomb is
//!   refused, not expanded. Nothing here panics on input.
//! - Objects of unknown kinds are kept; each area picks the kinds it understands.
//! - Objects are held as a compact JSON tree ([`Value`], about a third of the memory of a
//!   `serde_json::Value`), since a snapshot's objects all stay loaded while the checks run.

pub mod capabilities;
mod error;
mod json;
mod json_lines;
mod load;
mod object;
pub mod recognize;
mod schema;
pub mod value;
pub mod workload;
mod yaml;

pub use error::LoadError;
pub use load::{LoadOptions, load_bytes, load_paths, load_str, manifest_files};
pub use object::{FieldLines, Inventory, Object, Origin, Provenance, SNAPSHOT_MARKER};
pub use value::{Map, Value};

#[doc(hidden)]
pub use serde_json as __serde_json;

/// A [`Value`] from JSON syntax, as `serde_json::json!` (built through serde_json's value: for
/// tests and small fixed documents).
#[macro_export]
macro_rules! json {
    ($($json:tt)+) => {
        $crate::Value::from($crate::__serde_json::json!($($json)+))
    };
}
pub use workload::{Container, ContainerKind, PodTemplate, is_workload};
