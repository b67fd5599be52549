//! What an input is, decided from its content. Each area owns the recognition of its own inputs
//! (`kubeward_<area>::recognize(head, path) -> Option<InputKind>`); `kubeward scan` only asks the
//! areas in turn and never looks inside a file itself.

use std::path::Path;

/// Bytes of a file an area may look at to recognise it.
pub const HEAD_BYTES: usize = 64 * 1024;

/// Every kind of input some area reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InputKind {
    /// A node's filesystem root (a folder with `proc/` and kubelet files).
    NodeRoot,
    /// A saved `kubeward node -o json` report.
    NodeReport,
    /// Any other saved kubeward JSON report.
    SavedReport,
    /// `az aks show`, ARM, node pool list, diagnostic settings or role assignment JSON.
    Aks,
    /// Audit events in any shape kubeward reads.
    AuditLog,
    /// An audit `Policy`.
    AuditPolicy,
    /// A seccomp profile.
    Seccomp,
    /// An AppArmor profile.
    AppArmor,
    /// Kubernetes manifests or a snapshot.
    Manifests,
}

/// The first bytes of a file, with the views recognisers share: text without a byte-order mark
/// and leading space, and the same text with all white space removed (so `"kind": "Event"` and
/// `"kind":"Event"` look alike).
pub struct Head<'a> {
    pub path: &'a Path,
    pub text: String,
    pub compact: String,
}

impl<'a> Head<'a> {
    pub fn new(bytes: &[u8], path: &'a Path) -> Self {
        let lossy = String::from_utf8_lossy(&bytes[..bytes.len().min(HEAD_BYTES)]);
        let text = lossy
            .trim_start_matches('\u{feff}')
            .trim_start()
            .to_string();
        let compact = text.chars().filter(|c| !c.is_whitespace()).collect();
        Head {
            path,
            text,
            compact,
        }
    }
    /// Does the text contain `needle`?
    pub fn has(&self, needle: &str) -> bool {
        self.text.contains(needle)
    }
    /// Does the text without white space contain `needle` (given without white space)?
    pub fn chas(&self, needle: &str) -> bool {
        self.compact.contains(needle)
    }
    /// JSON: the text starts an object or an array.
    pub fn is_json(&self) -> bool {
        self.text.starts_with('{') || self.text.starts_with('[')
    }
    /// The file name's extension in lower case (`""` when there is none).
    pub fn ext(&self) -> String {
        self.path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase()
    }
}
