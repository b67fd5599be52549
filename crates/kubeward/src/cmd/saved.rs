//! Reading saved kubeward JSON reports (node reports, fleet and scan reports) from files: one bounded
//! read for every command that takes them (`scan`, `report merge`, `workloads --node-report`).

use std::path::Path;

/// A saved report larger than this is refused (a node report is a few hundred KB).
pub const MAX_SAVED_REPORT_BYTES: u64 = 64 * 1024 * 1024;

/// The text of a saved report, refusing files over [`MAX_SAVED_REPORT_BYTES`].
pub fn read_text(path: &Path) -> Result<String, String> {
    // Bounded while reading, regular files only: a FIFO or /dev/zero is refused, never read.
    kubeward_core::input::read_string(path, MAX_SAVED_REPORT_BYTES, "a saved report")
        .map_err(|e| e.to_string())
}
