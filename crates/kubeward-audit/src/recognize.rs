//! The inputs this area reads, recognised by content: audit logs in every shape the reader takes
//! (audit.k8s.io events, AKS diagnostic records and exports, Log Analytics CSV, JSON lines) and
//! the audit `Policy`.

use std::path::Path;

use kubeward_core::recognize::{Head, InputKind};

/// An audit log or an audit policy.
pub fn recognize(head: &[u8], path: &Path) -> Option<InputKind> {
    of(&Head::new(head, path))
}

/// [`recognize`] on a head already read.
pub fn of(h: &Head) -> Option<InputKind> {
    if h.is_json() {
        if h.has("audit.k8s.io")
            && (h.chas("\"kind\":\"Event\"") || h.chas("\"kind\":\"EventList\""))
        {
            // A JSON policy is told apart only next to events (a lone one is a manifest).
            return Some(if h.chas("\"kind\":\"Policy\"") {
                InputKind::AuditPolicy
            } else {
                InputKind::AuditLog
            });
        }
        // AKS diagnostic settings export: storage `PT1H.json` blobs, Event Hubs records, Log
        // Analytics rows (`log_s`, `AuditId`).
        let aks_export = (h.has("kube-audit") && h.chas("\"records\":"))
            || (h.chas("\"category\":\"kube-audit") && h.chas("\"properties\":{\"log\":"))
            || h.has("\"log_s\"")
            || h.has("\"AuditId\"")
            || h.has("PT1H");
        return aks_export.then_some(InputKind::AuditLog);
    }
    let ext = h.ext();
    if ext == "csv" && (h.has("AuditId") || h.has("log_s")) {
        return Some(InputKind::AuditLog);
    }
    // JSON lines whose first lines are events (possibly after a junk line or two).
    if h.text
        .lines()
        .take(5)
        .any(|l| l.trim_start().starts_with('{') && l.contains("audit.k8s.io"))
    {
        return Some(InputKind::AuditLog);
    }
    let policy = matches!(ext.as_str(), "yaml" | "yml")
        && h.has("audit.k8s.io")
        && h.text.lines().any(|l| l.trim() == "kind: Policy");
    policy.then_some(InputKind::AuditPolicy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_and_policies_are_recognised() {
        let log = br#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"get"}"#;
        assert_eq!(
            recognize(log, Path::new("events.log")),
            Some(InputKind::AuditLog)
        );
        let policy = b"apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: []\n";
        assert_eq!(
            recognize(policy, Path::new("policy.yaml")),
            Some(InputKind::AuditPolicy)
        );
        let csv = b"TimeGenerated,AuditId,log_s\n";
        assert_eq!(
            recognize(csv, Path::new("q.csv")),
            Some(InputKind::AuditLog)
        );
        let pod = b"apiVersion: v1\nkind: Pod\n";
        assert_eq!(recognize(pod, Path::new("pod.yaml")), None);
    }
}
