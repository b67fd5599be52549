//! One harness per parser of untrusted input. Each takes raw bytes, must not panic on any of them,
//! and asserts what must hold of what it read (a report re-serialises, a profile written back reads
//! back the same, a stream cut in any read sizes gives the same units, every input is accounted for).
//!
//! The coverage-guided fuzz targets in `fuzz/` call these functions, and so does the replay test
//! (`tests/replay.rs`), which runs every saved corpus input and every input that once crashed as a
//! plain `cargo test`.

mod aks;
mod audit;
mod manifests;
mod node;
mod profiles;
mod report;

pub use aks::aks;
pub use audit::{audit_policy, audit_scan, audit_stream};
pub use manifests::manifests;
pub use node::{kubelet_argv, kubelet_config};
pub use profiles::{apparmor, seccomp};
pub use report::saved_report;

/// A harness: its name (the fuzz target's and its corpus folder's) and its function.
pub struct Target {
    pub name: &'static str,
    pub run: fn(&[u8]),
}

/// Every harness, in the order the campaign script runs them.
pub const TARGETS: &[Target] = &[
    Target {
        name: "manifests",
        run: manifests,
    },
    Target {
        name: "audit_stream",
        run: audit_stream,
    },
    Target {
        name: "audit_scan",
        run: audit_scan,
    },
    Target {
        name: "audit_policy",
        run: audit_policy,
    },
    Target {
        name: "aks",
        run: aks,
    },
    Target {
        name: "seccomp",
        run: seccomp,
    },
    Target {
        name: "apparmor",
        run: apparmor,
    },
    Target {
        name: "kubelet_config",
        run: kubelet_config,
    },
    Target {
        name: "kubelet_argv",
        run: kubelet_argv,
    },
    Target {
        name: "saved_report",
        run: saved_report,
    },
];

/// Number of lines of `data` (a last line without a newline counts).
fn line_count(data: &[u8]) -> u64 {
    data.iter().filter(|b| **b == b'\n').count() as u64 + 1
}
