//! Saved kubeward JSON reports, recognised by content (a node's own report is recognised by
//! kubeward-node first).

use std::path::Path;

use kubeward_core::recognize::{Head, InputKind};

/// A saved report of any command: JSON with a schema version and findings.
pub fn recognize(head: &[u8], path: &Path) -> Option<InputKind> {
    of(&Head::new(head, path))
}

/// [`recognize`] on a head already read.
pub fn of(h: &Head) -> Option<InputKind> {
    (h.is_json() && h.chas("\"schema_version\":") && h.chas("\"findings\":"))
        .then_some(InputKind::SavedReport)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_needs_a_schema_version_and_findings() {
        let p = Path::new("r.json");
        assert_eq!(
            recognize(br#"{"schema_version":"2","findings":[]}"#, p),
            Some(InputKind::SavedReport)
        );
        assert_eq!(recognize(br#"{"findings":[]}"#, p), None);
        assert_eq!(recognize(b"schema_version: 2\nfindings: []\n", p), None);
    }
}
