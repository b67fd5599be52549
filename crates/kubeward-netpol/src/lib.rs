//! NetworkPolicy/AdminNetworkPolicy model, reachability engine, connectivity list, exposure,
//! diff, explain, coverage and policy generation.

pub mod check;
pub mod conn;
pub mod connlist;
pub mod coverage;
pub mod diff;
pub mod engine;
pub mod engine_fact;
pub mod error;
mod examples;
pub mod explain;
pub mod exposure;
pub mod exposure_analysis;
pub mod generate;
pub mod intervals;
pub mod load;
pub mod model;
pub mod output;
pub mod selector;
#[cfg(test)]
mod shape_tests;
pub mod synth;

use kubeward_core::CheckMeta;

pub use check::{CHECKS, Check, Ctx, Family};
pub use conn::{ConnSet, Protocol};
pub use engine::{Analysis, Engine, Options};
pub use engine_fact::{EngineBasis, EngineFact};
pub use model::Model;

/// Every check of this area, for the registry: the metadata of [`CHECKS`], in its order.
pub fn checks() -> Vec<&'static CheckMeta> {
    CHECKS.iter().map(|c| c.meta).collect()
}
