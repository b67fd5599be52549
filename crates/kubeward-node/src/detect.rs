//! Local detection, with no API access: is this an AKS node, which Kubernetes version, which
//! benchmark profile applies (and why).

use std::collections::BTreeMap;

use kubeward_core::profile::{self, BenchmarkProfile};

use crate::hostfs::{FsError, HostFs};

pub const AZURE_JSON: &str = "/etc/kubernetes/azure.json";
pub const KUBELET_DEFAULTS: &str = "/etc/default/kubelet";

/// What the node says about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeIdentity {
    pub aks: bool,
    /// Why it is (or is not) AKS, in words.
    pub aks_reason: String,
    /// `1.29.7`, when found.
    pub version: Option<String>,
    /// Where the version came from.
    pub version_source: Option<String>,
    /// Node labels from `KUBELET_NODE_LABELS` (AKS) or `--node-labels`.
    pub labels: BTreeMap<String, String>,
    /// Detection inputs that exist but could not be read: (node path, reason).
    pub read_errors: Vec<(String, String)>,
    /// `NETWORK_POLICY` from the node's provisioning environment, when one of the files read
    /// here carries it (empty: no policy engine).
    pub network_policy: Option<String>,
}

/// Shell-style `KEY=value` lines of an environment file (quotes removed), bounded.
pub fn parse_env_file(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in text.lines().take(10_000) {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        if let Some((k, v)) = line.split_once('=') {
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .or_else(|| v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
                .unwrap_or(v);
            out.insert(k.trim().to_string(), v.to_string());
        }
    }
    out
}

pub fn parse_labels(s: &str) -> BTreeMap<String, String> {
    s.split(',')
        .filter_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            Some((k.trim().to_string(), v.trim().to_string()))
        })
        .take(1000)
        .collect()
}

/// `v1.29.7` / `1.29.7-hotfix` anywhere after the last `:` of an image reference → `1.29.7`.
pub fn version_from_image(image: &str) -> Option<String> {
    let tag = image.rsplit_once(':').map(|(_, t)| t)?;
    parse_version(tag)
}

/// `v1.29.7`, `1.29`, `v1.30.5-aks1` → `1.29.7`, `1.29`, `1.30.5`.
pub fn parse_version(s: &str) -> Option<String> {
    let s = s.trim().trim_start_matches('v');
    let core: String = s
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let parts: Vec<&str> = core.split('.').filter(|p| !p.is_empty()).collect();
    if parts.len() < 2 || parts.len() > 3 || parts.iter().any(|p| p.parse::<u32>().is_err()) {
        return None;
    }
    Some(parts.join("."))
}

fn minor_of(version: &str) -> Option<(u32, u32)> {
    let mut it = version.split('.');
    Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
}

pub fn identify(fs: &HostFs, node_labels_flag: Option<&str>) -> NodeIdentity {
    let mut id = NodeIdentity::default();
    let defaults = match fs.read_string(KUBELET_DEFAULTS, 256 * 1024) {
        Ok(t) => parse_env_file(&t),
        Err(FsError::NotFound { .. }) => BTreeMap::new(),
        // There but unreadable: detection goes on without it, and the report says why.
        Err(e) => {
            id.read_errors
                .push((KUBELET_DEFAULTS.into(), e.to_string()));
            BTreeMap::new()
        }
    };
    if let Some(l) = defaults.get("KUBELET_NODE_LABELS") {
        id.labels = parse_labels(l);
    }
    id.network_policy = defaults.get("NETWORK_POLICY").cloned();
    if let Some(l) = node_labels_flag {
        // Unexpanded `${KUBELET_NODE_LABELS}` cannot happen in argv (systemd expands it) but a
        // literal from a broken unit should not be taken for labels.
        if !l.contains('$') {
            id.labels.extend(parse_labels(l));
        }
    }
    let aks_labels = id
        .labels
        .keys()
        .any(|k| k.starts_with("kubernetes.azure.com/"));
    let azure_json = fs.exists(AZURE_JSON);
    id.aks = aks_labels || azure_json;
    id.aks_reason = match (azure_json, aks_labels) {
        (true, true) => {
            format!("AKS node ({AZURE_JSON} and kubernetes.azure.com/ node labels found)")
        }
        (true, false) => format!("AKS node ({AZURE_JSON} found)"),
        (false, true) => {
            format!("AKS node (kubernetes.azure.com/ node labels in {KUBELET_DEFAULTS})")
        }
        (false, false) => {
            format!("not an AKS node (no {AZURE_JSON}, no kubernetes.azure.com/ node labels)")
        }
    };
    if let Some(v) = defaults
        .get("KUBELET_IMAGE")
        .and_then(|i| version_from_image(i))
    {
        id.version = Some(v);
        id.version_source = Some(format!("KUBELET_IMAGE in {KUBELET_DEFAULTS}"));
    } else if let Some(v) = id
        .labels
        .get("kubernetes.azure.com/kubelet-version")
        .and_then(|v| parse_version(v))
    {
        id.version = Some(v);
        id.version_source = Some("node label kubernetes.azure.com/kubelet-version".into());
    }
    id
}

/// The AKS benchmark for a Kubernetes version: 1.19–1.24 → CIS AKS 1.0.0, 1.29–1.31 → 1.7.0,
/// everything else (1.25–1.28, 1.32+) → 1.8.0 (the mapping kube-bench also uses).
fn aks_profile_for(version: &str) -> Option<&'static str> {
    let (maj, min) = minor_of(version)?;
    if maj != 1 {
        return Some(profile::CIS_AKS_1_8);
    }
    Some(match min {
        0..=24 => profile::CIS_AKS_1_0,
        29..=31 => profile::CIS_AKS_1_7,
        _ => profile::CIS_AKS_1_8,
    })
}

/// Choose the profile; returns it and the reason shown in the report.
pub fn choose_profile(
    id: &NodeIdentity,
    requested: Option<&'static BenchmarkProfile>,
) -> (&'static BenchmarkProfile, String) {
    let version_words = match (&id.version, &id.version_source) {
        (Some(v), Some(src)) => format!("Kubernetes {v} (from {src})"),
        _ => "Kubernetes version not found locally".to_string(),
    };
    if let Some(p) = requested {
        return (
            p,
            format!(
                "--benchmark {} given; {}; {}",
                p.id, id.aks_reason, version_words
            ),
        );
    }
    let newest_aks = profile::find(profile::CIS_AKS_1_8);
    let generic = profile::find(profile::CIS_K8S_1_12);
    let fallback = &profile::BUILTIN[0];
    if id.aks {
        match id.version.as_deref().and_then(aks_profile_for) {
            Some(pid) => {
                let p = profile::find(pid).unwrap_or(fallback);
                (
                    p,
                    format!("{}; {} → {}", id.aks_reason, version_words, p.id),
                )
            }
            None => (
                newest_aks.unwrap_or(fallback),
                format!(
                    "{}; {}: the newest AKS profile is used",
                    id.aks_reason, version_words
                ),
            ),
        }
    } else {
        (
            generic.unwrap_or(fallback),
            format!(
                "{}; {}: the generic CIS Kubernetes worker-node profile is used",
                id.aks_reason, version_words
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ident(aks: bool, v: Option<&str>) -> NodeIdentity {
        NodeIdentity {
            aks,
            aks_reason: "test".into(),
            version: v.map(str::to_string),
            version_source: v.map(|_| "test".into()),
            labels: Default::default(),
            read_errors: Vec::new(),
            network_policy: None,
        }
    }

    #[test]
    fn version_parsing() {
        assert_eq!(
            version_from_image(
                "mcr.microsoft.com/oss/binaries/kubernetes/kubernetes-node:v1.29.7-hotfix.20240815"
            ),
            Some("1.29.7".into())
        );
        assert_eq!(parse_version("v1.30.5-aks1"), Some("1.30.5".into()));
        assert_eq!(parse_version("latest"), None);
    }

    #[test]
    fn profile_by_version() {
        let pick = |aks, v| choose_profile(&ident(aks, v), None).0.id;
        assert_eq!(pick(true, Some("1.22.4")), "cis-aks-1.0");
        assert_eq!(pick(true, Some("1.27.1")), "cis-aks-1.8");
        assert_eq!(pick(true, Some("1.30.2")), "cis-aks-1.7");
        assert_eq!(pick(true, Some("1.33.0")), "cis-aks-1.8");
        assert_eq!(pick(false, Some("1.33.0")), "cis-1.12");
        let (p, why) = choose_profile(&ident(true, None), None);
        assert_eq!(p.id, "cis-aks-1.8");
        assert!(why.contains("newest"), "{why}");
        let forced = profile::find("cis-aks-1.0");
        let (p, why) = choose_profile(&ident(true, Some("1.33.0")), forced);
        assert_eq!(p.id, "cis-aks-1.0");
        assert!(why.starts_with("--benchmark"), "{why}");
    }

    #[test]
    fn env_file_and_labels() {
        let env = parse_env_file(
            "KUBELET_FLAGS=--a=b\nKUBELET_NODE_LABELS=\"kubernetes.azure.com/mode=system,x=y\"\n# c\n",
        );
        let labels = parse_labels(&env["KUBELET_NODE_LABELS"]);
        assert_eq!(labels["kubernetes.azure.com/mode"], "system");
        assert_eq!(env["KUBELET_FLAGS"], "--a=b");
    }
}
