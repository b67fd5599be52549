//! Policy as code: Gatekeeper ConstraintTemplates (Rego and CEL) and their constraints, evaluated
//! offline over the objects kubeward reads, the way Gatekeeper's audit and `gator` would.
//!
//! - [`PolicySet::load`] sorts loaded objects into templates, constraints, a sync `Config`,
//!   ExpansionTemplates, and [`Review`]s (plain objects and AdmissionReview requests).
//! - [`evaluate`] applies every constraint to every review it matches and returns
//!   [`Outcome`]s: violations, and evaluations that failed or ran out of budget.
//! - [`verify()`] runs Gatekeeper test suites (`gator verify`).

pub mod cel;
mod eval;
mod expand;
mod load;
mod matching;
mod model;
mod rego;
mod schema;
pub mod verify;

pub use eval::{evaluate, evaluate_with_coverage};
pub use load::PolicySet;
pub use model::*;
pub use verify::{CaseResult, SuiteReport, SuiteResult, TestResult, VerifyOptions, verify};
