//! Reading saved kubeward JSON reports (node reports, fleet and scan reports) from files: one bounded
//! read and one parse for every command that takes them (`scan`, `report`, `workloads
//! --node-report`, baselines).

use std::path::Path;

use kubeward_core::Report;

/// A saved report larger than this is refused (a node report is a few hundred KB).
pub const MAX_SAVED_REPORT_BYTES: u64 = 64 * 1024 * 1024;

/// The text of a saved report, refusing files over [`MAX_SAVED_REPORT_BYTES`].
pub fn read_text(path: &Path) -> Result<String, String> {
    // Bounded while reading, regular files only: a FIFO or /dev/zero is refused, never read.
    kubeward_core::input::read_string(path, MAX_SAVED_REPORT_BYTES, "a saved report")
        .map_err(|e| e.to_string())
}

/// Which report schema versions a reader takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// Any: `scan` carries over the findings of older node reports as they are.
    Any,
    /// Only this kubeward's: `report diff` and `report fingerprints` compare field by field.
    Current,
}

/// A saved JSON report, its run-time checks (`GK/…`) registered again. The error is the message
/// without the path (callers say which file).
pub fn read_report(path: &Path, schema: Schema) -> Result<Report, String> {
    let text = read_text(path)?;
    let report = serde_json::from_str::<Report>(&text)
        .map_err(|e| format!("not a kubeward JSON report (line {}): {e}", e.line()))?;
    if schema == Schema::Current && report.schema_version != kubeward_core::report::SCHEMA_VERSION {
        return Err(format!(
            "report schema version {}; this kubeward reads version {}",
            report.schema_version,
            kubeward_core::report::SCHEMA_VERSION
        ));
    }
    report.register_dynamic_checks();
    Ok(report)
}
