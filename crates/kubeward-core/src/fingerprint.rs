//! Stable finding fingerprints: the identity of *what a finding is about*, so that two runs can
//! be compared (`--baseline`, `report diff`) and code-scanning services can follow an alert.
//!
//! Version 1 hashes (SHA-256, first 80 bits as 20 hex digits):
//! - the area and the check code;
//! - the resource: kind, namespace and name (for AKS the cluster or `cluster/pool`, for node
//!   checks the node, for audit rules the user, for profiles the file as given);
//! - the item inside the resource: the item the check names (`item`: an AppArmor rule, a syscall
//!   group), else the smallest field path (`key`) among its evidence, or command-line flag when
//!   it has no field path (a container's securityContext, a policy rule index, a kubelet flag).
//!
//! Never part of it: line numbers, columns, file names, document order, observed values,
//! messages, status, severity and the kubeward version. So moving a manifest to another file,
//! reordering documents or adding lines above it keeps every fingerprint.
//!
//! Two findings that would still share a fingerprint get an occurrence suffix (`:2`, `:3`): first
//! when they come from different files (two inputs that define the same kind, namespace and
//! name — overlay variants), numbered in the order of the file paths, so only then does renaming
//! a file matter; then, within one file, in report order.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::finding::{Finding, Text};

/// Bumped whenever the ingredients change; a baseline of another version is refused.
pub const FINGERPRINT_VERSION: &str = "1";

/// Hex digits kept of the digest: 80 bits, no collision in practice at millions of findings,
/// and short enough for a compact baseline of tens of thousands of findings in 1 MiB.
const HEX_DIGITS: usize = 20;

/// What names the item a finding is about: the check's own [`Finding::item`], else the smallest
/// field path (or flag) among its evidence — the smallest, not the first, so that the order in
/// which objects were read never matters.
fn item(f: &Finding) -> &str {
    if let Some(item) = &f.item {
        return item;
    }
    f.evidence
        .iter()
        .filter_map(|e| e.source.key.as_deref().or(e.source.flag.as_deref()))
        .min()
        .unwrap_or("")
}

/// The fingerprint of one finding, without the occurrence suffix.
pub fn base(f: &Finding) -> String {
    let mut h = Sha256::new();
    for part in [
        "kubeward-fingerprint",
        FINGERPRINT_VERSION,
        f.area.as_str(),
        f.code.as_str(),
        f.resource.kind.as_str(),
        f.resource.namespace.as_deref().unwrap_or(""),
        f.resource.name.as_str(),
        item(f),
    ] {
        // Length-prefixed, so no two ingredient lists hash alike by shifting a separator.
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    let digest = h.finalize();
    let mut out = String::with_capacity(HEX_DIGITS);
    for b in digest.iter().take(HEX_DIGITS / 2) {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Is `fp` a fingerprint this version writes (20 hex digits, then maybe `:N` and `#N`)? A saved
/// report is input like any other: what it claims is checked before it is reused.
pub fn well_formed(fp: &str) -> bool {
    let (hex, rest) = fp.split_at(fp.len().min(HEX_DIGITS));
    let suffix_ok = |s: &str| {
        let (file_part, nth) = match s.split_once('#') {
            Some((a, b)) => (a, Some(b)),
            None => (s, None),
        };
        let number =
            |n: &str| !n.is_empty() && n.len() <= 9 && n.bytes().all(|b| b.is_ascii_digit());
        (file_part.is_empty() || file_part.strip_prefix(':').is_some_and(number))
            && nth.is_none_or(number)
    };
    hex.len() == HEX_DIGITS
        && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        && suffix_ok(rest)
}

/// Every finding carries a well-formed fingerprint: they can be taken as they are.
pub fn settled(findings: &[Finding]) -> bool {
    findings
        .iter()
        .all(|f| f.fingerprint.as_deref().is_some_and(well_formed))
}

/// The file a finding was read from (its first piece of evidence that names one).
fn file(f: &Finding) -> &str {
    f.evidence
        .iter()
        .find_map(|e| e.source.file.as_deref())
        .unwrap_or("")
}

/// Give every finding its fingerprint. `findings` must be in report order (sorted), so the
/// last-resort numbering is deterministic.
pub fn assign(findings: &mut [Finding]) {
    let bases: Vec<String> = findings.iter().map(base).collect();
    let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, b) in bases.iter().enumerate() {
        groups.entry(b.as_str()).or_default().push(i);
    }
    let mut fps: Vec<String> = bases.clone();
    for (b, members) in groups {
        if members.len() < 2 {
            continue;
        }
        // Files in path order: the first file's findings keep the plain fingerprint.
        let mut files: Vec<&str> = members.iter().map(|&i| file(&findings[i])).collect();
        files.sort_unstable();
        files.dedup();
        let mut seen_in_file: HashMap<&str, usize> = HashMap::new();
        for &i in &members {
            let f = file(&findings[i]);
            let file_rank = files.iter().position(|x| *x == f).unwrap_or(0);
            let n = seen_in_file.entry(f).or_default();
            *n += 1;
            let mut fp = b.to_string();
            if file_rank > 0 {
                fp.push_str(&format!(":{}", file_rank + 1));
            }
            if *n > 1 {
                fp.push_str(&format!("#{n}"));
            }
            fps[i] = fp;
        }
    }
    for (f, fp) in findings.iter_mut().zip(fps) {
        f.fingerprint = Some(Text::from(fp));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::check::{Area, CheckMeta};
    use crate::finding::{Evidence, Resource, Source, Status};

    static META: CheckMeta = CheckMeta::fixture(
        "W999",
        "test-check",
        "test",
        Area::Workloads,
        crate::Severity::High,
    );

    fn finding(file: &str, line: u32, key: &str, observed: &str, msg: &str) -> Finding {
        Finding::new(
            &META,
            Status::Fail,
            Resource::namespaced("Deployment", "shop", "web"),
            msg.to_string(),
        )
        .with_evidence(Evidence::observed(
            observed.to_string(),
            Source::file(file).with_line(line).with_key(key),
        ))
    }

    #[test]
    fn lines_files_values_and_messages_do_not_matter() {
        let a = finding("a.yaml", 3, "/spec/x", "true", "one");
        let b = finding("moved/b.yaml", 90, "/spec/x", "false", "two");
        assert_eq!(base(&a), base(&b));
        assert_eq!(base(&a).len(), HEX_DIGITS);
    }

    #[test]
    fn items_and_resources_do() {
        let a = finding("a.yaml", 3, "/spec/containers/0", "true", "m");
        let b = finding("a.yaml", 3, "/spec/containers/1", "true", "m");
        assert_ne!(base(&a), base(&b));
        let mut c = a.clone();
        c.resource.name = "api".into();
        assert_ne!(base(&a), base(&c));
    }

    #[test]
    fn only_well_formed_fingerprints_are_reused() {
        assert!(well_formed("0123456789abcdef0123"));
        assert!(well_formed("0123456789abcdef0123:2#3"));
        assert!(!well_formed("0123456789abcdef012"));
        assert!(!well_formed("0123456789abcdef0123 x"));
        assert!(!well_formed("0123456789abcdef0123\n@file /etc"));
        assert!(!well_formed("0123456789ABCDEF0123"));
    }

    #[test]
    fn same_identity_in_two_files_gets_a_suffix_by_path_order() {
        let mut v = vec![
            finding("overlays/prod.yaml", 1, "/spec/x", "1", "m"),
            finding("base/app.yaml", 1, "/spec/x", "1", "m"),
        ];
        assign(&mut v);
        let b = base(&v[0]);
        assert_eq!(v[1].fingerprint.as_deref(), Some(b.as_str()));
        assert_eq!(v[0].fingerprint.as_deref(), Some(format!("{b}:2").as_str()));
    }
}
