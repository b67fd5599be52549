//! The inputs this area reads, recognised by content: a node's filesystem root and a saved
//! `kubeward node -o json` report.

use std::path::Path;

use kubeward_core::recognize::{Head, InputKind};

/// A folder that holds a node's filesystem: `proc/` and some kubelet configuration.
pub fn recognize_dir(dir: &Path) -> Option<InputKind> {
    let kubelet = dir.join("etc/default/kubelet").is_file()
        || dir.join("etc/kubernetes").is_dir()
        || dir.join("var/lib/kubelet").is_dir();
    (dir.join("proc").is_dir() && kubelet).then_some(InputKind::NodeRoot)
}

/// A saved node report: a kubeward report that carries the node's own facts or command.
pub fn recognize(head: &[u8], path: &Path) -> Option<InputKind> {
    of(&Head::new(head, path))
}

/// [`recognize`] on a head already read.
pub fn of(h: &Head) -> Option<InputKind> {
    let report = h.is_json() && h.chas("\"schema_version\":") && h.chas("\"findings\":");
    let node = h.has("\"kubelet_found\"") || h.chas("\"command\":\"node\"");
    (report && node).then_some(InputKind::NodeReport)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_report_is_told_from_other_reports() {
        let p = Path::new("r.json");
        let node = br#"{"schema_version": "2", "command": "node", "findings": []}"#;
        let other = br#"{"schema_version": "2", "command": "scan", "findings": []}"#;
        assert_eq!(recognize(node, p), Some(InputKind::NodeReport));
        assert_eq!(recognize(other, p), None);
    }
}
