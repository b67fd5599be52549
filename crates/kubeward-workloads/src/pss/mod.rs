//! Pod Security Standards evaluator: `baseline` and `restricted` at every policy version
//! `v1.0`…`v1.35` (and `latest`), with the semantics of the Pod Security Admission reference
//! implementation: which containers are visited (init, regular, ephemeral), which variant of a
//! control applies at a version, and which baseline controls a restricted control replaces.
//!
//! - [`evaluate`] gives the violations of one pod template (check id, reason, detail, fields);
//!   [`evaluate_levels`] gives both baseline and restricted from one pass over the controls.
//! - [`findings`] turns a whole inventory into findings (one verdict per workload, one finding
//!   per violated control) for the report formats.
//! - [`namespaces`] reads `pod-security.kubernetes.io/*` labels and runs the "raise to
//!   restricted" dry run per namespace.
//!
//! Each control is one file below, with its documentation and its pass/fail vectors.

mod namespaces;
mod report;
#[cfg(test)]
mod testing;
mod view;
pub mod w100_pss_level;
pub mod w101_pss_host_namespaces;
pub mod w102_pss_privileged;
pub mod w103_pss_capabilities_baseline;
pub mod w104_pss_host_path_volumes;
pub mod w105_pss_host_ports;
pub mod w106_pss_host_probes_and_lifecycle;
pub mod w107_pss_apparmor_profile;
pub mod w108_pss_selinux_options;
pub mod w109_pss_proc_mount;
pub mod w110_pss_seccomp_baseline;
pub mod w111_pss_sysctls;
pub mod w112_pss_windows_host_process;
pub mod w113_pss_restricted_volumes;
pub mod w114_pss_allow_privilege_escalation;
pub mod w115_pss_run_as_non_root;
pub mod w116_pss_run_as_user;
pub mod w117_pss_seccomp_restricted;
pub mod w118_pss_capabilities_restricted;
pub mod w119_pss_proc_mount_restricted;

use kubeward_core::CheckMeta;

use crate::{Check, Eval};
use kubeward_inventory::PodTemplate;
use serde::Serialize;

pub use namespaces::{NamespaceLevels, NamespacePolicy, namespaces};
pub use report::{PodVerdict, findings, subjects, verdicts};
pub use view::PodView;
pub use w100_pss_level::META as VERDICT_META;

/// The newest policy version this evaluator knows; `latest` and newer versions evaluate as it
/// (as the reference implementation clamps to its newest registered version).
pub const LATEST_MINOR: u32 = 35;

/// A Pod Security Standards level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Privileged,
    Baseline,
    Restricted,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Pod Security level or version that does not parse (a flag, or a namespace label).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("unknown Pod Security level {0:?}: expected privileged, baseline or restricted")]
    Level(String),
    #[error("invalid Pod Security version {0:?}: expected v1.<minor> (e.g. v1.30) or latest")]
    Version(String),
}

impl std::str::FromStr for Level {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "privileged" => Ok(Level::Privileged),
            "baseline" => Ok(Level::Baseline),
            "restricted" => Ok(Level::Restricted),
            _ => Err(ParseError::Level(s.to_string())),
        }
    }
}

/// A policy version: `v1.<minor>`, or `latest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Version {
    Minor(u32),
    Latest,
}

impl Version {
    /// The minor version the controls are evaluated at (newer than known → the newest known).
    pub fn effective_minor(self) -> u32 {
        match self {
            Version::Minor(m) => m.min(LATEST_MINOR),
            Version::Latest => LATEST_MINOR,
        }
    }
    /// `v1.35`, or `latest`.
    pub fn label(self) -> String {
        match self {
            Version::Minor(m) => format!("v1.{m}"),
            Version::Latest => "latest".into(),
        }
    }
}

impl Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.label())
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label())
    }
}

impl std::str::FromStr for Version {
    type Err = ParseError;
    /// `latest`, `v1.29`, `1.29` (the namespace label form is `v1.29`).
    fn from_str(s: &str) -> Result<Self, ParseError> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("latest") {
            return Ok(Version::Latest);
        }
        let bare = t.strip_prefix('v').unwrap_or(t);
        let minor = bare
            .strip_prefix("1.")
            .and_then(|m| m.parse::<u32>().ok())
            .ok_or_else(|| ParseError::Version(s.to_string()))?;
        Ok(Version::Minor(minor))
    }
}

/// One violated control of one pod template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// Upstream check id, e.g. `allowPrivilegeEscalation`, `seccompProfile_restricted`.
    pub check: &'static str,
    /// kubeward check code (e.g. `W114`).
    pub code: &'static str,
    /// Short reason, worded like the admission controller's so outputs can be compared.
    pub reason: String,
    /// Which containers or fields, and the values found.
    pub detail: String,
    /// JSON pointers (from the object root) of the offending fields; for a missing field, the
    /// field that must be set.
    pub pointers: Vec<String>,
    /// Line of each pointer in the input file (its nearest written ancestor for a missing field),
    /// when the object is known; parallel to `pointers`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<Option<u32>>,
}

impl Violation {
    fn new(
        check: &'static str,
        reason: impl Into<String>,
        detail: impl Into<String>,
        pointers: Vec<String>,
    ) -> Violation {
        let code = control(check).map_or("", |c| c.meta.code);
        Violation {
            check,
            code,
            reason: reason.into(),
            detail: detail.into(),
            pointers,
            lines: Vec::new(),
        }
    }
    /// The violation naming every container whose `securityContext.<field>` value is
    /// `forbidden`, detailed as "container(s) … `requirement`"; `None` when no container is.
    fn per_container_field(
        pod: &PodView<'_>,
        check: &'static str,
        reason: &str,
        field: &str,
        forbidden: impl Fn(Option<&kubeward_inventory::Value>) -> bool,
        requirement: &str,
    ) -> Option<Violation> {
        let mut names = Vec::new();
        let mut pointers = Vec::new();
        for c in &pod.containers {
            if forbidden(c.sc(&format!("/{field}"))) {
                names.push(c.name);
                pointers.push(c.ptr(&format!("/securityContext/{field}")));
            }
        }
        (!names.is_empty()).then(|| {
            Violation::new(
                check,
                reason,
                format!("{} {requirement}", containers_phrase(&names)),
                pointers,
            )
        })
    }

    /// `reason (detail)`, as the admission controller prints each part.
    pub fn message(&self) -> String {
        if self.detail.is_empty() {
            self.reason.clone()
        } else {
            format!("{} ({})", self.reason, self.detail)
        }
    }
}

/// One control: its level, the first policy version that has it, the baseline controls it
/// replaces at restricted, and its evaluation (given the effective minor version).
pub struct Control {
    pub id: &'static str,
    pub level: Level,
    pub meta: &'static CheckMeta,
    pub since: u32,
    pub overrides: &'static [(&'static str, u32)],
    pub check: fn(&PodView<'_>, u32) -> Option<Violation>,
}

impl Control {
    /// A baseline control, in every policy version, replacing none.
    pub const fn baseline(
        id: &'static str,
        meta: &'static CheckMeta,
        check: fn(&PodView<'_>, u32) -> Option<Violation>,
    ) -> Control {
        Control {
            id,
            level: Level::Baseline,
            meta,
            since: 0,
            overrides: &[],
            check,
        }
    }

    /// A restricted control, in every policy version, replacing none.
    pub const fn restricted(
        id: &'static str,
        meta: &'static CheckMeta,
        check: fn(&PodView<'_>, u32) -> Option<Violation>,
    ) -> Control {
        Control {
            level: Level::Restricted,
            ..Control::baseline(id, meta, check)
        }
    }

    /// The control from policy version `v1.<minor>` on.
    pub const fn since(self, minor: u32) -> Control {
        Control {
            since: minor,
            ..self
        }
    }

    /// The control replacing, at restricted, each baseline control `(id, from minor)`.
    pub const fn replacing(self, overrides: &'static [(&'static str, u32)]) -> Control {
        Control { overrides, ..self }
    }
}

/// Every Pod Security check, in code order: the verdict (W100), then each control in report
/// order (the order of the admission controller's messages).
pub static CHECKS: &[&Check] = &[
    &w100_pss_level::CHECK,
    &w101_pss_host_namespaces::CHECK,
    &w102_pss_privileged::CHECK,
    &w103_pss_capabilities_baseline::CHECK,
    &w104_pss_host_path_volumes::CHECK,
    &w105_pss_host_ports::CHECK,
    &w106_pss_host_probes_and_lifecycle::CHECK,
    &w107_pss_apparmor_profile::CHECK,
    &w108_pss_selinux_options::CHECK,
    &w109_pss_proc_mount::CHECK,
    &w110_pss_seccomp_baseline::CHECK,
    &w111_pss_sysctls::CHECK,
    &w112_pss_windows_host_process::CHECK,
    &w113_pss_restricted_volumes::CHECK,
    &w114_pss_allow_privilege_escalation::CHECK,
    &w115_pss_run_as_non_root::CHECK,
    &w116_pss_run_as_user::CHECK,
    &w117_pss_seccomp_restricted::CHECK,
    &w118_pss_capabilities_restricted::CHECK,
    &w119_pss_proc_mount_restricted::CHECK,
];

/// Every control, in report order.
pub fn controls() -> impl Iterator<Item = &'static Control> {
    CHECKS.iter().filter_map(|c| match &c.eval {
        Eval::PodSecurity(control) => Some(control),
        Eval::Inventory(_) => None,
    })
}

/// The control with this upstream id (case-insensitive, so fixture file names match too).
pub fn control(id: &str) -> Option<&'static Control> {
    controls().find(|c| c.id.eq_ignore_ascii_case(id))
}

/// The controls evaluated at `level` and `version`, in report order.
pub fn active_controls(level: Level, version: Version) -> Vec<&'static Control> {
    let minor = version.effective_minor();
    let wanted = |c: &Control| match level {
        Level::Privileged => false,
        Level::Baseline => c.level == Level::Baseline,
        Level::Restricted => true,
    };
    let present: Vec<&Control> = controls()
        .filter(|c| wanted(c) && c.since <= minor)
        .collect();
    let replaced: Vec<&str> = present
        .iter()
        .flat_map(|c| c.overrides.iter())
        .filter(|(_, from)| *from <= minor)
        .map(|(id, _)| *id)
        .collect();
    present
        .into_iter()
        .filter(|c| !replaced.contains(&c.id))
        .collect()
}

/// Violations of one pod template at `level` and `version` (empty: allowed).
pub fn evaluate(template: &PodTemplate<'_>, level: Level, version: Version) -> Vec<Violation> {
    evaluate_view(&PodView::of(template), level, version)
}

/// Violations of a pod view (a pod spec and pod metadata from anywhere).
pub fn evaluate_view(pod: &PodView<'_>, level: Level, version: Version) -> Vec<Violation> {
    let minor = version.effective_minor();
    active_controls(level, version)
        .into_iter()
        .filter_map(|c| (c.check)(pod, minor))
        .collect()
}

/// Whether a restricted control replaces the control `id` at `minor` (so restricted does not
/// evaluate `id` itself; baseline always does).
fn replaced_at_restricted(id: &str, minor: u32) -> bool {
    controls().any(|r| {
        r.since <= minor
            && r.overrides
                .iter()
                .any(|(replaced, from)| *replaced == id && *from <= minor)
    })
}

/// Violations of one pod at `baseline` and at `restricted` (both at `version`), running each
/// control once: exactly `(evaluate_view(pod, Baseline, version), evaluate_view(pod,
/// Restricted, version))`, each in report order.
///
/// Baseline is every baseline control; restricted is every control except the baseline ones a
/// restricted control replaces at this version (e.g. `seccompProfile_baseline` from v1.19). So a
/// replaced control still decides the baseline verdict, and its replacement the restricted one.
pub fn evaluate_levels(pod: &PodView<'_>, version: Version) -> (Vec<Violation>, Vec<Violation>) {
    let minor = version.effective_minor();
    let mut baseline = Vec::new();
    let mut restricted = Vec::new();
    for c in controls().filter(|c| c.since <= minor) {
        let Some(v) = (c.check)(pod, minor) else {
            continue;
        };
        let at_restricted = c.level == Level::Restricted || !replaced_at_restricted(c.id, minor);
        match (c.level == Level::Baseline, at_restricted) {
            (true, true) => {
                restricted.push(v.clone());
                baseline.push(v);
            }
            (true, false) => baseline.push(v),
            (false, _) => restricted.push(v),
        }
    }
    (baseline, restricted)
}

/// Every PSS check of this area, for the registry (the verdict first, then each control).
pub fn checks() -> Vec<&'static CheckMeta> {
    CHECKS.iter().map(|c| c.meta).collect()
}

/// `"a"` or `"a", "b"`, as the admission controller quotes names.
fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `container "a"` / `containers "a", "b"`.
fn containers_phrase(names: &[&str]) -> String {
    if names.len() == 1 {
        format!("container {}", quoted(names))
    } else {
        format!("containers {}", quoted(names))
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_apply_from_their_version() {
        let ids = |l, m| {
            active_controls(l, Version::Minor(m))
                .iter()
                .map(|c| c.id)
                .collect::<Vec<_>>()
        };
        assert!(ids(Level::Privileged, 35).is_empty());
        let b = ids(Level::Baseline, 33);
        assert!(b.contains(&"hostPathVolumes") && !b.contains(&"hostProbesAndHostLifecycle"));
        assert!(!b.contains(&"runAsNonRoot"));
        let r18 = ids(Level::Restricted, 18);
        assert!(r18.contains(&"seccompProfile_baseline") && !r18.contains(&"hostPathVolumes"));
        assert!(!r18.contains(&"seccompProfile_restricted"));
        let r22 = ids(Level::Restricted, 22);
        assert!(
            r22.contains(&"capabilities_restricted") && !r22.contains(&"capabilities_baseline")
        );
        assert!(!r22.contains(&"seccompProfile_baseline"));
        let r35 = ids(Level::Restricted, 35);
        assert!(r35.contains(&"procMount_restricted") && !r35.contains(&"procMount"));
        assert!(ids(Level::Restricted, 34).contains(&"procMount"));
        assert!(!ids(Level::Restricted, 7).contains(&"allowPrivilegeEscalation"));
    }

    #[test]
    fn one_pass_keeps_replaced_baseline_controls_at_baseline_only() {
        // Unconfined seccomp and an added capability: at v1.30 the restricted forms replace the
        // baseline ones; at v1.18 seccomp is still the baseline control at both levels.
        let spec = kubeward_inventory::json!({
            "securityContext": {"seccompProfile": {"type": "Unconfined"}},
            "containers": [{"name": "a", "securityContext": {"capabilities": {"add": ["NET_RAW", "SYS_ADMIN"]}}}]
        });
        // Before v1.19 the seccomp control reads the (then only) annotation form.
        let meta = kubeward_inventory::json!({"annotations": {"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}});
        let pod = PodView::from_parts(&spec, &meta, "/spec", "/metadata");
        for version in [Version::Minor(18), Version::Minor(30), Version::Latest] {
            let (b, r) = evaluate_levels(&pod, version);
            assert_eq!(
                b,
                evaluate_view(&pod, Level::Baseline, version),
                "{version}"
            );
            assert_eq!(
                r,
                evaluate_view(&pod, Level::Restricted, version),
                "{version}"
            );
        }
        let ids = |v: &[Violation]| v.iter().map(|x| x.check).collect::<Vec<_>>();
        let (b, r) = evaluate_levels(&pod, Version::Minor(30));
        assert!(ids(&b).contains(&"seccompProfile_baseline"));
        assert!(ids(&b).contains(&"capabilities_baseline"));
        assert!(!ids(&r).contains(&"seccompProfile_baseline"));
        assert!(ids(&r).contains(&"seccompProfile_restricted"));
        assert!(ids(&r).contains(&"capabilities_restricted"));
        let (_, r18) = evaluate_levels(&pod, Version::Minor(18));
        assert!(ids(&r18).contains(&"seccompProfile_baseline"));
        assert!(!ids(&r18).contains(&"seccompProfile_restricted"));
    }

    #[test]
    fn versions_parse_and_clamp() {
        assert_eq!("v1.29".parse::<Version>(), Ok(Version::Minor(29)));
        assert_eq!("1.0".parse::<Version>(), Ok(Version::Minor(0)));
        assert_eq!("latest".parse::<Version>(), Ok(Version::Latest));
        assert!("v2.1".parse::<Version>().is_err());
        assert!("v1.x".parse::<Version>().is_err());
        assert_eq!(Version::Minor(40).effective_minor(), LATEST_MINOR);
        assert_eq!("Restricted".parse::<Level>(), Ok(Level::Restricted));
        assert!("strict".parse::<Level>().is_err());
        assert_eq!(
            "v2".parse::<Version>().map_err(|e| e.to_string()),
            Err(
                "invalid Pod Security version \"v2\": expected v1.<minor> (e.g. v1.30) or latest"
                    .to_string()
            )
        );
    }

    #[test]
    fn checks_are_unique_w1xx_codes() {
        let reg = kubeward_core::Registry::new().with(&checks());
        if let Err(e) = reg.validate() {
            panic!("{e:?}");
        }
        assert!(checks().iter().all(|c| c.code.starts_with("W1")));
    }
}
