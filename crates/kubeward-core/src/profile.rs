//! Built-in benchmark profiles. A profile is a benchmark and version; checks list the profiles they
//! belong to, and the node scan chooses one (and says why) unless `--benchmark` names it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BenchmarkProfile {
    /// Stable id used on the command line, e.g. `cis-aks-1.8`.
    pub id: &'static str,
    pub framework: &'static str,
    /// The benchmark's own version, as its references print it (`1.8.0`).
    pub version: &'static str,
    pub title: &'static str,
}

pub const CIS_AKS_1_8: &str = "cis-aks-1.8";
pub const CIS_AKS_1_7: &str = "cis-aks-1.7";
pub const CIS_AKS_1_0: &str = "cis-aks-1.0";
pub const CIS_K8S_1_12: &str = "cis-1.12";

/// Every profile kubeward knows, newest first within a framework.
pub const BUILTIN: &[BenchmarkProfile] = &[
    BenchmarkProfile {
        id: CIS_AKS_1_8,
        framework: "CIS AKS",
        version: "1.8.0",
        title: "CIS Azure Kubernetes Service (AKS) Benchmark v1.8.0",
    },
    BenchmarkProfile {
        id: CIS_AKS_1_7,
        framework: "CIS AKS",
        version: "1.7.0",
        title: "CIS Azure Kubernetes Service (AKS) Benchmark v1.7.0",
    },
    BenchmarkProfile {
        id: CIS_AKS_1_0,
        framework: "CIS AKS",
        version: "1.0.0",
        title: "CIS Azure Kubernetes Service (AKS) Benchmark v1.0.0",
    },
    BenchmarkProfile {
        id: CIS_K8S_1_12,
        framework: "CIS Kubernetes",
        version: "1.12.0",
        title: "CIS Kubernetes Benchmark v1.12.0 (worker node section)",
    },
];

pub fn find(id: &str) -> Option<&'static BenchmarkProfile> {
    BUILTIN.iter().find(|p| p.id.eq_ignore_ascii_case(id))
}

/// Which profile a scan used, and why (shown in every report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileChoice {
    pub id: String,
    pub title: String,
    /// Why this profile: `--benchmark given`, `AKS node (azure.json found), Kubernetes 1.29.7`…
    pub reason: String,
}

impl ProfileChoice {
    pub fn new(profile: &BenchmarkProfile, reason: impl Into<String>) -> Self {
        ProfileChoice {
            id: profile.id.to_string(),
            title: profile.title.to_string(),
            reason: reason.into(),
        }
    }
}
