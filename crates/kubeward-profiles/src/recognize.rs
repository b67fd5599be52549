//! The inputs this area reads, recognised by content: seccomp profiles (JSON with a
//! `defaultAction`) and AppArmor profiles (the profile language; no fixed extension).

use std::path::Path;

use kubeward_core::recognize::{Head, InputKind};

/// A seccomp or an AppArmor profile.
pub fn recognize(head: &[u8], path: &Path) -> Option<InputKind> {
    of(&Head::new(head, path))
}

/// [`recognize`] on a head already read.
pub fn of(h: &Head) -> Option<InputKind> {
    if h.is_json() {
        return h.chas("\"defaultAction\":").then_some(InputKind::Seccomp);
    }
    // YAML is manifests or nothing: never read as an AppArmor profile.
    if matches!(h.ext().as_str(), "yaml" | "yml") {
        return None;
    }
    let opens_profile = h.text.lines().any(|l| {
        let l = l.trim_start();
        (l.starts_with("profile ") || l.starts_with('/')) && l.trim_end().ends_with('{')
    });
    let has_rules = h.has("#include")
        || h.has("include <")
        || h.has("capability")
        || h.has("deny ")
        || h.has("file,");
    (opens_profile && has_rules).then_some(InputKind::AppArmor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_are_recognised_by_their_language() {
        let seccomp = br#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": []}"#;
        assert_eq!(
            recognize(seccomp, Path::new("p.json")),
            Some(InputKind::Seccomp)
        );
        let apparmor = b"#include <tunables/global>\nprofile k8s-deny-write {\n  file,\n}\n";
        assert_eq!(
            recognize(apparmor, Path::new("k8s-deny-write")),
            Some(InputKind::AppArmor)
        );
        assert_eq!(recognize(apparmor, Path::new("x.yaml")), None);
    }
}
