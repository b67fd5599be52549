//! Seccomp and AppArmor profiles: lint (as containerd, runc and apparmor_parser really read them),
//! diff (including against containerd's default profile per version), generate (from strace,
//! audit records or a list; AppArmor from a short spec) and install (manifests that put profiles
//! on every node, and the securityContext patches that use them). Never changes a host or cluster.

// Tests may unwrap: a panic there is a failed test, not a crash on input.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod apparmor;
pub mod error;
mod examples;
pub mod install;
pub mod json;
pub mod recognize;
pub mod seccomp;
#[cfg(test)]
mod shape_tests;
pub mod syscall_table;
pub mod verdict;

pub use error::ProfileError;

use kubeward_core::CheckMeta;

/// Every check of this area, for the registry.
pub fn checks() -> Vec<&'static CheckMeta> {
    let mut all = seccomp::lint::checks();
    all.extend(apparmor::lint::checks());
    all
}
