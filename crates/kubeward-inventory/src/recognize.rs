//! The inputs this crate reads, recognised by content: Kubernetes manifests and snapshots (JSON
//! or YAML naming an `apiVersion` and a `kind`).

use std::path::Path;

use kubeward_core::recognize::{Head, InputKind};

/// Manifests or a snapshot.
pub fn recognize(head: &[u8], path: &Path) -> Option<InputKind> {
    of(&Head::new(head, path))
}

/// [`recognize`] on a head already read.
pub fn of(h: &Head) -> Option<InputKind> {
    let manifests = if h.is_json() {
        h.chas("\"apiVersion\":") && h.chas("\"kind\":")
    } else {
        // Outside JSON only YAML files are manifests: a `.txt` that looks like one is not read.
        matches!(h.ext().as_str(), "yaml" | "yml") && h.has("apiVersion") && h.has("kind")
    };
    manifests.then_some(InputKind::Manifests)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_are_json_or_yaml() {
        let pod = b"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n";
        assert_eq!(
            recognize(pod, Path::new("pod.yaml")),
            Some(InputKind::Manifests)
        );
        assert_eq!(recognize(pod, Path::new("pod.txt")), None);
        assert_eq!(
            recognize(
                br#"{"apiVersion":"v1","kind":"List","items":[]}"#,
                Path::new("s")
            ),
            Some(InputKind::Manifests)
        );
    }
}
