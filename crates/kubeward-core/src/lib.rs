//! kubeward's shared vocabulary: what a check is ([`CheckMeta`]), what it says ([`Finding`]), the
//! [`Report`] every command produces, the [`Registry`] that `checks`/`explain` read, the built-in
//! benchmark [`profile`]s and the [`exit`] policy. Areas depend on this crate; it depends on no area.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod baseline;
pub mod check;
pub mod dynamic;
pub mod escape;
pub mod exit;
pub mod finding;
pub mod fingerprint;
pub mod input;
pub mod profile;
pub mod recognize;
pub mod registry;
pub mod report;
pub mod waiver;
pub mod walk;

pub use check::{Area, CheckDoc, CheckMeta, RefStatic};
pub use exit::{FailOn, exit_code};
pub use finding::{Evidence, Finding, Reference, Resource, Severity, Source, Status, Text, Waiver};
pub use profile::{BenchmarkProfile, ProfileChoice};
pub use recognize::{Head, InputKind};
pub use registry::Registry;
pub use report::{AreaScope, InputError, InputInfo, Report, Summary};
pub use waiver::WaiverFile;
