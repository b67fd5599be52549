//! Static description of a check. Each check lives in one file (or one table row) of its area crate
//! together with this metadata, so `kubeward checks`, `kubeward explain` and the docs share one source.

use serde::{Deserialize, Serialize};

/// The area of kubeward a check belongs to. Codes are prefixed by area (see [`Area::code_prefix`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Area {
    Node,
    Workloads,
    Netpol,
    Audit,
    Aks,
    Profiles,
    /// Policy as code: the user's or the cluster's Gatekeeper constraints (Azure Policy for
    /// Kubernetes). Their checks are defined at run time (see [`crate::dynamic`]).
    Policy,
    /// Findings about kubeward's own run (no kubelet found, unreadable input…).
    General,
}

impl Area {
    /// Every area, in reading order.
    pub const ALL: [Area; 8] = [
        Area::Node,
        Area::Workloads,
        Area::Netpol,
        Area::Audit,
        Area::Aks,
        Area::Profiles,
        Area::Policy,
        Area::General,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Area::Node => "node",
            Area::Workloads => "workloads",
            Area::Netpol => "netpol",
            Area::Audit => "audit",
            Area::Aks => "aks",
            Area::Profiles => "profiles",
            Area::Policy => "policy",
            Area::General => "general",
        }
    }

    /// The letter every check code of this area starts with (a versioned API: never changes).
    pub fn code_prefix(self) -> char {
        match self {
            Area::Node => 'N',
            Area::Workloads => 'W',
            Area::Netpol => 'P',
            Area::Audit => 'A',
            Area::Aks => 'Z',
            Area::Profiles => 'S',
            // Constraint checks: `GK/<ConstraintKind>/<name>`.
            Area::Policy => 'G',
            Area::General => 'K',
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Area::Node => "Node (CIS worker node)",
            Area::Workloads => "Workloads and RBAC",
            Area::Netpol => "Network policies and exposure",
            Area::Audit => "Audit logs",
            Area::Aks => "AKS cluster configuration",
            Area::Profiles => "Seccomp and AppArmor profiles",
            Area::Policy => "Policy as code (Gatekeeper, Azure Policy)",
            Area::General => "General",
        }
    }
}

/// A benchmark reference in static form, e.g. `RefStatic::cis_aks("1.8.0", "3.2.1")`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RefStatic {
    pub framework: &'static str,
    /// Benchmark version; empty when the framework is not versioned (e.g. a CVE).
    pub version: &'static str,
    pub id: &'static str,
}

impl RefStatic {
    pub const fn new(framework: &'static str, version: &'static str, id: &'static str) -> Self {
        Self {
            framework,
            version,
            id,
        }
    }
    pub const fn cis_aks(version: &'static str, id: &'static str) -> Self {
        Self::new("CIS AKS", version, id)
    }
    pub const fn cis_k8s(version: &'static str, id: &'static str) -> Self {
        Self::new("CIS Kubernetes", version, id)
    }
    pub const fn mitre(id: &'static str) -> Self {
        Self::new("MITRE ATT&CK", "", id)
    }
    pub const fn pss(level_and_control: &'static str) -> Self {
        Self::new("PSS", "", level_and_control)
    }
    /// `CIS AKS 1.8.0 3.2.1`
    pub fn display(&self) -> String {
        if self.version.is_empty() {
            format!("{} {}", self.framework, self.id)
        } else {
            format!("{} {} {}", self.framework, self.version, self.id)
        }
    }
}

/// The documentation of a check, shown by `kubeward explain` and in SARIF rule help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CheckDoc {
    /// What the check looks at.
    pub what: &'static str,
    /// Why it matters (the risk).
    pub why: &'static str,
    /// How to fix it on AKS (commands, manifests; never "edit the kubelet unit").
    pub fix: &'static str,
    /// Further reading: upstream docs, CIS text, CVEs.
    pub links: &'static [&'static str],
    /// A short input this check fails on, in the area's input form (a manifest, an audit event,
    /// `az aks show` JSON, kubelet flags and config, a profile). Each area's tests run it through
    /// the check, so the example shown to users is known to fail.
    pub bad: &'static str,
    /// The same input, fixed: each area's tests check that it does not fail.
    pub good: &'static str,
}

impl CheckDoc {
    /// No text at all: for test fixtures, and for run-time checks that carry their text elsewhere.
    pub const EMPTY: CheckDoc = CheckDoc {
        what: "",
        why: "",
        fix: "",
        links: &[],
        bad: "",
        good: "",
    };
}

/// Everything static about one check. `code` and `name` are stable identifiers (a versioned API:
/// never reused, a renamed check keeps its code); CIS numbers are references, never identifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CheckMeta {
    pub code: &'static str,
    pub name: &'static str,
    /// The kubeward release that introduced the check (`0.1.0`).
    pub since: &'static str,
    /// Names the check answered to before it was renamed: `explain`, waivers and `--check` filters
    /// still accept them ([check-codes.md](../../docs/check-codes.md)).
    pub aliases: &'static [&'static str],
    pub title: &'static str,
    pub area: Area,
    pub severity: crate::Severity,
    pub references: &'static [RefStatic],
    /// Benchmark profiles (ids from [`crate::profile::BUILTIN`]) this check belongs to; empty for
    /// checks that are not part of a benchmark.
    pub profiles: &'static [&'static str],
    /// `true` for kubeward's own checks (beyond any benchmark), shown as such in reports.
    pub kubeward_own: bool,
    pub doc: CheckDoc,
}

impl CheckMeta {
    /// A check of kubeward's own with no references, profiles or docs: a fixture for tests and
    /// benchmarks (change other fields with `..CheckMeta::fixture(..)`). Built-in checks declare
    /// every field in their own file.
    pub const fn fixture(
        code: &'static str,
        name: &'static str,
        title: &'static str,
        area: Area,
        severity: crate::Severity,
    ) -> CheckMeta {
        CheckMeta {
            code,
            name,
            since: "0.1.0",
            aliases: &[],
            title,
            area,
            severity,
            references: &[],
            profiles: &[],
            kubeward_own: true,
            doc: CheckDoc::EMPTY,
        }
    }

    /// Does `id` name this check (its code, its name or an earlier name, case-insensitively)?
    pub fn is(&self, id: &str) -> bool {
        self.code.eq_ignore_ascii_case(id)
            || self.name.eq_ignore_ascii_case(id)
            || self.aliases.iter().any(|a| a.eq_ignore_ascii_case(id))
    }
}
