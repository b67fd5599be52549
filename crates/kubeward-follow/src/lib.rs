//! `kubeward audit follow`: audit events read as they arrive from a source, judged one by one by
//! the audit area's rules, and written out as alerts. A source hands out units (one JSON document
//! each, with where it came from) and makes its position durable only when asked, after the alerts
//! of everything it handed out were written: that ordering is the at-least-once guarantee.

pub mod blob;
pub mod kafka;
pub mod secret;
pub mod source;

pub use secret::{SecretError, SecretRef};
pub use source::{Origin, Source, SourceError, Unit};
