//! `kubeward audit follow`: audit events read as they arrive from a source, judged one by one by
//! the audit area's rules, and written out as alerts. A source hands out units (one JSON document
//! each, with where it came from) and makes its position durable only when asked, after the alerts
//! of everything it handed out were written: that ordering is the at-least-once guarantee.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod alerts;
pub mod blob;
pub mod entra;
pub mod file;
pub mod kafka;
pub mod lines;
pub mod metrics;
pub mod run;
pub mod secret;
pub mod source;
pub mod stdin;
pub mod webhook;

pub use run::{FollowError, FollowOptions, Stop, Summary, run};
pub use secret::{SecretError, SecretRef};
pub use source::{Origin, Source, SourceError, Unit};
