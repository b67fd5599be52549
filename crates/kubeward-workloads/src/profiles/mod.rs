//! The seccomp and AppArmor profile each container really runs with.
//!
//! Seccomp (kubelet): privileged → Unconfined; else container `seccompProfile`, else pod
//! `seccompProfile`, else the node's kubelet `seccompDefault` (true → RuntimeDefault, false or unset
//! → Unconfined). The `seccomp.security.alpha.kubernetes.io` annotations have had no effect since
//! Kubernetes 1.25 (kubelet) and 1.27 (API server) and are reported as ignored.
//!
//! AppArmor (kubelet `GetProfile`): container `appArmorProfile`, else the container's
//! `container.apparmor.security.beta.kubernetes.io/<name>` annotation (deprecated, still read),
//! else pod `appArmorProfile`, else nothing (containerd applies `cri-containerd.apparmor.d` when the
//! host has AppArmor). A privileged container with RuntimeDefault or nothing runs unconfined;
//! a Localhost profile is applied even to privileged containers. A pod asking for any profile but
//! Unconfined is rejected on a node without AppArmor; a Localhost profile the node has not loaded
//! fails container creation.

mod localhost_missing;
pub mod w462_seccomp_profile_effective;
pub mod w470_seccomp_localhost_profile_missing;
pub mod w471_apparmor_localhost_profile_missing;
pub mod w472_apparmor_unavailable_on_node;
pub mod w473_seccomp_annotation_ignored;
pub mod w474_apparmor_annotation_deprecated;

use kubeward_inventory::Value;
use kubeward_inventory::{Container, PodTemplate};
use kubeward_node::NodeFacts;
use serde::Serialize;

use crate::Check;
use crate::ctx::{Ctx, annotation_pointer, container_label};

/// Every effective-profile check, in code order.
pub static CHECKS: &[&Check] = &[
    &w462_seccomp_profile_effective::CHECK,
    &w470_seccomp_localhost_profile_missing::CHECK,
    &w471_apparmor_localhost_profile_missing::CHECK,
    &w472_apparmor_unavailable_on_node::CHECK,
    &w473_seccomp_annotation_ignored::CHECK,
    &w474_apparmor_annotation_deprecated::CHECK,
];

pub const SECCOMP_POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
pub const SECCOMP_CONTAINER_ANNOTATION_PREFIX: &str =
    "container.seccomp.security.alpha.kubernetes.io/";
pub const APPARMOR_ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

/// A profile as requested in the API (same three types for seccomp and AppArmor).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "name")]
pub enum Requested {
    Unconfined,
    RuntimeDefault,
    Localhost(String),
    /// A value the API does not accept (kept to report it).
    Invalid(String),
}

impl Requested {
    fn from_field(v: &Value) -> Option<Requested> {
        let ty = v.get("type")?.as_str()?;
        Some(match ty {
            "Unconfined" => Requested::Unconfined,
            "RuntimeDefault" => Requested::RuntimeDefault,
            "Localhost" => Requested::Localhost(
                v.get("localhostProfile")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            ),
            other => Requested::Invalid(other.to_string()),
        })
    }
    fn from_annotation(v: &str) -> Requested {
        match v {
            "unconfined" => Requested::Unconfined,
            "runtime/default" | "docker/default" => Requested::RuntimeDefault,
            _ => match v.strip_prefix("localhost/") {
                Some(name) => Requested::Localhost(name.to_string()),
                None => Requested::Invalid(v.to_string()),
            },
        }
    }
    pub fn display(&self) -> String {
        match self {
            Requested::Unconfined => "Unconfined".into(),
            Requested::RuntimeDefault => "RuntimeDefault".into(),
            Requested::Localhost(n) => format!("Localhost {n}"),
            Requested::Invalid(v) => format!("invalid {v:?}"),
        }
    }
}

/// Where the effective value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layer {
    Privileged,
    ContainerField,
    ContainerAnnotation,
    PodField,
    NodeDefault,
}

impl Layer {
    pub fn display(self) -> &'static str {
        match self {
            Layer::Privileged => "privileged container",
            Layer::ContainerField => "container field",
            Layer::ContainerAnnotation => "container annotation (deprecated)",
            Layer::PodField => "pod field",
            Layer::NodeDefault => "node default",
        }
    }
}

/// What the nodes given to the scan say about one question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeAnswer {
    /// No node report given, or none of them knows.
    Unknown,
    /// Every node with an answer says yes.
    AllYes,
    /// Every node with an answer says no.
    AllNo,
    /// Nodes differ: these say no.
    SomeNo(Vec<String>),
}

fn node_answer(nodes: &[NodeFacts], q: impl Fn(&NodeFacts) -> Option<bool>) -> NodeAnswer {
    let answers: Vec<(&str, bool)> = nodes
        .iter()
        .filter_map(|n| q(n).map(|a| (n.name.as_str(), a)))
        .collect();
    if answers.is_empty() {
        return NodeAnswer::Unknown;
    }
    let no: Vec<String> = answers
        .iter()
        .filter(|(_, a)| !a)
        .map(|(n, _)| n.to_string())
        .collect();
    if no.is_empty() {
        NodeAnswer::AllYes
    } else if no.len() == answers.len() {
        NodeAnswer::AllNo
    } else {
        NodeAnswer::SomeNo(no)
    }
}

/// The effective seccomp profile of one container.
#[derive(Debug, Clone, Serialize)]
pub struct SeccompEffective {
    /// `None` when it is the node default and the node is unknown or nodes differ.
    pub profile: Option<Requested>,
    pub layer: Layer,
    /// JSON pointer of the deciding field (object root relative), when a field decided.
    pub pointer: Option<String>,
    /// Human summary: `RuntimeDefault`, `Unconfined (kubelet default seccompDefault=false)`…
    pub summary: String,
    /// Annotations present that have no effect.
    pub ignored_annotations: Vec<(String, String)>,
}

/// The effective AppArmor profile of one container.
#[derive(Debug, Clone, Serialize)]
pub struct AppArmorEffective {
    /// What the API asks for (`None`: nothing, the runtime decides).
    pub requested: Option<Requested>,
    pub layer: Option<Layer>,
    pub pointer: Option<String>,
    /// The annotation key when the annotation decided.
    pub annotation: Option<String>,
    pub summary: String,
    /// True when the kubelet requires AppArmor on the node for this pod (any non-Unconfined request).
    pub requires_apparmor: bool,
}

fn is_privileged(c: &Container<'_>) -> bool {
    c.value
        .pointer("/securityContext/privileged")
        .and_then(Value::as_bool)
        == Some(true)
}

/// Evidence for a profile annotation `key: value` on the pod template, expecting the field that
/// replaces it.
pub(crate) fn annotation_evidence(
    t: &PodTemplate<'_>,
    key: &str,
    value: &Value,
    replacement_field: &'static str,
) -> kubeward_core::Evidence {
    kubeward_core::Evidence::observed(
        format!("{key}: {}", value.as_str().unwrap_or("")),
        t.object
            .source(&annotation_pointer(t.metadata_pointer, key)),
    )
    .with_expected(replacement_field)
}

/// Does any `<field>` (`seccompProfile`, `appArmorProfile`) of the pod or its containers, or any
/// annotation under `annotation_prefix`, ask for a Localhost profile? Only then can a container's
/// effective profile be Localhost: the Localhost checks skip every other workload cheaply.
pub(crate) fn mentions_localhost(
    t: &PodTemplate<'_>,
    field: &str,
    annotation_prefix: Option<&str>,
) -> bool {
    let local = |sc: Option<&Value>| {
        sc.and_then(|sc| sc.get(field))
            .and_then(|p| p.get("type"))
            .and_then(Value::as_str)
            == Some("Localhost")
    };
    local(t.spec.get("securityContext"))
        || t.containers()
            .any(|c| local(c.value.get("securityContext")))
        || annotation_prefix.is_some_and(|prefix| {
            t.metadata
                .get("annotations")
                .and_then(Value::as_object)
                .is_some_and(|m| {
                    m.iter().any(|(k, v)| {
                        k.starts_with(prefix)
                            && v.as_str().is_some_and(|v| v.starts_with("localhost/"))
                    })
                })
        })
}

/// Seccomp annotations on the pod template that apply to this container (and are ignored).
fn seccomp_annotations(t: &PodTemplate<'_>, c: &Container<'_>) -> Vec<(String, String)> {
    let mut v = Vec::new();
    if let Some(a) = t.annotation(SECCOMP_POD_ANNOTATION) {
        v.push((SECCOMP_POD_ANNOTATION.to_string(), a.to_string()));
    }
    let key = format!("{SECCOMP_CONTAINER_ANNOTATION_PREFIX}{}", c.name);
    if let Some(a) = t.annotation(&key) {
        v.push((key, a.to_string()));
    }
    v
}

pub fn effective_seccomp(
    t: &PodTemplate<'_>,
    c: &Container<'_>,
    nodes: &[NodeFacts],
) -> SeccompEffective {
    let ignored_annotations = seccomp_annotations(t, c);
    let mk = |profile: Option<Requested>, layer, pointer: Option<String>, summary: String| {
        SeccompEffective {
            profile,
            layer,
            pointer,
            summary,
            ignored_annotations: ignored_annotations.clone(),
        }
    };
    if is_privileged(c) {
        return mk(
            Some(Requested::Unconfined),
            Layer::Privileged,
            Some(c.pointer("/securityContext/privileged")),
            "Unconfined (privileged containers always are)".into(),
        );
    }
    if let Some(r) = c
        .value
        .pointer("/securityContext/seccompProfile")
        .and_then(Requested::from_field)
    {
        let s = r.display();
        return mk(
            Some(r),
            Layer::ContainerField,
            Some(c.pointer("/securityContext/seccompProfile/type")),
            s,
        );
    }
    if let Some(r) = t
        .spec
        .pointer("/securityContext/seccompProfile")
        .and_then(Requested::from_field)
    {
        let s = r.display();
        return mk(
            Some(r),
            Layer::PodField,
            Some(t.pointer("/securityContext/seccompProfile/type")),
            s,
        );
    }
    match node_answer(nodes, |n| n.seccomp_default) {
        NodeAnswer::AllYes => mk(
            Some(Requested::RuntimeDefault),
            Layer::NodeDefault,
            None,
            "RuntimeDefault (node seccompDefault: true)".into(),
        ),
        NodeAnswer::AllNo => mk(
            Some(Requested::Unconfined),
            Layer::NodeDefault,
            None,
            "Unconfined (node seccompDefault: false)".into(),
        ),
        NodeAnswer::SomeNo(no) => mk(
            None,
            Layer::NodeDefault,
            None,
            format!(
                "Unconfined on {} (seccompDefault off), RuntimeDefault on the other nodes",
                no.join(", ")
            ),
        ),
        NodeAnswer::Unknown => mk(
            Some(Requested::Unconfined),
            Layer::NodeDefault,
            None,
            "Unconfined (kubelet default seccompDefault off)".into(),
        ),
    }
}

pub fn effective_apparmor(
    t: &PodTemplate<'_>,
    c: &Container<'_>,
    nodes: &[NodeFacts],
) -> AppArmorEffective {
    let privileged = is_privileged(c);
    let ann_key = format!("{APPARMOR_ANNOTATION_PREFIX}{}", c.name);
    let (requested, layer, pointer, annotation) = if let Some(r) = c
        .value
        .pointer("/securityContext/appArmorProfile")
        .and_then(Requested::from_field)
    {
        (
            Some(r),
            Some(Layer::ContainerField),
            Some(c.pointer("/securityContext/appArmorProfile/type")),
            None,
        )
    } else if let Some(a) = t.annotation(&ann_key) {
        (
            Some(Requested::from_annotation(a)),
            Some(Layer::ContainerAnnotation),
            Some(annotation_pointer(t.metadata_pointer, &ann_key)),
            Some(ann_key.clone()),
        )
    } else if let Some(r) = t
        .spec
        .pointer("/securityContext/appArmorProfile")
        .and_then(Requested::from_field)
    {
        (
            Some(r),
            Some(Layer::PodField),
            Some(t.pointer("/securityContext/appArmorProfile/type")),
            None,
        )
    } else {
        (None, None, None, None)
    };
    let requires_apparmor = matches!(
        requested,
        Some(Requested::RuntimeDefault | Requested::Localhost(_))
    );
    let host = node_answer(nodes, |n| n.lsm.apparmor.enabled);
    let summary = match (&requested, privileged) {
        (Some(Requested::Unconfined), _) => "unconfined".to_string(),
        (Some(Requested::Localhost(n)), _) => format!("localhost profile {n}"),
        (Some(Requested::Invalid(v)), _) => format!("invalid value {v:?} (the API rejects it)"),
        (Some(Requested::RuntimeDefault) | None, true) => {
            "unconfined (privileged: the runtime default profile is not applied)".into()
        }
        (Some(Requested::RuntimeDefault), false) => match host {
            NodeAnswer::AllNo => "rejected: the node has no AppArmor".into(),
            _ => "cri-containerd.apparmor.d (runtime default)".into(),
        },
        (None, false) => match host {
            NodeAnswer::AllYes => "cri-containerd.apparmor.d (runtime default)".into(),
            NodeAnswer::AllNo => "unconfined (the node has no AppArmor)".into(),
            NodeAnswer::SomeNo(no) => format!(
                "runtime default where AppArmor is enabled; unconfined on {}",
                no.join(", ")
            ),
            NodeAnswer::Unknown => {
                "runtime default if the node has AppArmor, else unconfined".into()
            }
        },
    };
    AppArmorEffective {
        requested,
        layer,
        pointer,
        annotation,
        summary,
        requires_apparmor,
    }
}

/// Suffix of a table cell whose value depends on node facts that were not given.
pub const NODE_MARK: &str = " *";

/// One row of `kubeward workloads profiles`.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileRow {
    pub workload: String,
    pub container: String,
    pub seccomp: String,
    pub seccomp_from: String,
    pub apparmor: String,
    pub apparmor_from: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The profile table of every container of every workload.
pub fn table(ctx: &Ctx<'_>) -> Vec<ProfileRow> {
    let nodes = &ctx.opts.nodes;
    let mut rows = Vec::new();
    for t in ctx.workloads() {
        // Windows nodes have neither seccomp nor AppArmor: say so rather than a Linux default.
        if let Some(m) = kubeward_inventory::workload::runs_on_windows_nodes(t.spec) {
            let mut notes = vec![format!(
                "runs on Windows nodes ({}): seccomp and AppArmor do not exist there",
                m.describe()
            )];
            if m != kubeward_inventory::workload::WindowsMarker::OsName {
                notes.push("spec.os.name is not windows: Pod Security reads only spec.os.name and judges this pod as Linux".into());
            }
            for c in t.containers() {
                rows.push(ProfileRow {
                    workload: t.object.resource().display(),
                    container: container_label(&c),
                    seccomp: "not applicable (Windows)".into(),
                    seccomp_from: m.describe().into(),
                    apparmor: "not applicable (Windows)".into(),
                    apparmor_from: m.describe().into(),
                    notes: notes.clone(),
                });
            }
            continue;
        }
        for c in t.containers() {
            let s = effective_seccomp(t, &c, nodes);
            let a = effective_apparmor(t, &c, nodes);
            let mut notes = Vec::new();
            for (k, v) in &s.ignored_annotations {
                notes.push(format!(
                    "annotation {k}: {v} has no effect since Kubernetes 1.25/1.27"
                ));
            }
            if let Some(k) = &a.annotation {
                notes.push(format!(
                    "AppArmor from deprecated annotation {k}; use securityContext.appArmorProfile"
                ));
            }
            if let Some(Requested::Localhost(p)) = &s.profile {
                notes.push(missing_note(
                    "seccomp profile",
                    p,
                    &seccomp_missing_on(nodes, p),
                ));
            }
            if let Some(Requested::Localhost(p)) = &a.requested {
                notes.push(missing_note(
                    "AppArmor profile",
                    p,
                    &apparmor_missing_on(nodes, p),
                ));
            }
            // Without node reports, mark what the node decides.
            let mut seccomp = s.summary;
            let mut apparmor = a.summary;
            if nodes.is_empty()
                && (s.layer == Layer::NodeDefault
                    || matches!(s.profile, Some(Requested::Localhost(_))))
            {
                seccomp.push_str(NODE_MARK);
            }
            if nodes.is_empty()
                && (matches!(a.requested, Some(Requested::Localhost(_)))
                    || (!is_privileged(&c)
                        && matches!(a.requested, None | Some(Requested::RuntimeDefault))))
            {
                apparmor.push_str(NODE_MARK);
            }
            rows.push(ProfileRow {
                workload: t.object.resource().display(),
                container: container_label(&c),
                seccomp,
                seccomp_from: s.layer.display().into(),
                apparmor,
                apparmor_from: a
                    .layer
                    .map(Layer::display)
                    .unwrap_or("nothing requested")
                    .into(),
                notes: notes.into_iter().filter(|n| !n.is_empty()).collect(),
            });
        }
    }
    rows
}

fn missing_note(what: &str, name: &str, missing: &Option<Vec<String>>) -> String {
    match missing {
        None => String::new(),
        Some(m) if m.is_empty() => format!("{what} {name} present on every node given"),
        Some(m) => format!("{what} {name} missing on {}", m.join(", ")),
    }
}

/// Nodes (by name) lacking a Localhost seccomp profile; `None` without node reports.
pub fn seccomp_missing_on(nodes: &[NodeFacts], profile: &str) -> Option<Vec<String>> {
    if nodes.is_empty() {
        return None;
    }
    Some(
        nodes
            .iter()
            .filter(|n| {
                !n.lsm
                    .seccomp
                    .localhost_profiles
                    .iter()
                    .any(|p| p == profile)
            })
            .map(|n| n.name.clone())
            .collect(),
    )
}

/// Nodes lacking a loaded AppArmor profile; `None` without node reports.
pub fn apparmor_missing_on(nodes: &[NodeFacts], profile: &str) -> Option<Vec<String>> {
    if nodes.is_empty() {
        return None;
    }
    Some(
        nodes
            .iter()
            .filter(|n| !n.lsm.apparmor.profiles.iter().any(|p| p.name == profile))
            .map(|n| n.name.clone())
            .collect(),
    )
}

/// A node with one AppArmor profile (`k8s-deny-write`) and one seccomp profile
/// (`profiles/audit.json`), for tests.
#[cfg(test)]
pub(crate) fn test_node(
    name: &str,
    seccomp_default: Option<bool>,
    apparmor: Option<bool>,
) -> NodeFacts {
    use kubeward_node::facts::{AppArmorFacts, AppArmorProfile, LsmFacts, SeccompFacts};
    NodeFacts {
        name: name.into(),
        seccomp_default,
        lsm: LsmFacts {
            apparmor: AppArmorFacts {
                enabled: apparmor,
                profiles: vec![AppArmorProfile {
                    name: "k8s-deny-write".into(),
                    mode: "enforce".into(),
                }],
            },
            seccomp: SeccompFacts {
                localhost_profiles: vec!["profiles/audit.json".into()],
                ..Default::default()
            },
            ..Default::default()
        },
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::test_node as node;
    use super::*;
    use crate::ctx::{ScanOptions, deployment, test_inventory};

    fn with_container<T>(
        spec: &str,
        annotations: &str,
        f: impl Fn(&PodTemplate<'_>, &Container<'_>) -> T,
    ) -> T {
        let mut yaml = deployment("d", "shop", spec);
        if !annotations.is_empty() {
            yaml = yaml.replace(
                "metadata: {labels: {app: d}}",
                &format!("metadata: {{labels: {{app: d}}, annotations: {{{annotations}}}}}"),
            );
        }
        let inv = test_inventory(&yaml);
        let t = PodTemplate::of(&inv.objects[0]).expect("template");
        let c = t.containers().last().expect("a container");
        f(&t, &c)
    }

    #[test]
    fn localhost_pre_check_sees_fields_and_annotations() {
        let seccomp = |spec: &str, ann: &str| {
            with_container(spec, ann, |t, _| {
                (
                    mentions_localhost(t, "seccompProfile", None),
                    mentions_localhost(t, "appArmorProfile", Some(APPARMOR_ANNOTATION_PREFIX)),
                )
            })
        };
        let rd = "      securityContext: {seccompProfile: {type: RuntimeDefault}}\n      containers: [{name: app, image: x}]";
        assert_eq!(seccomp(rd, ""), (false, false));
        let local = "      containers: [{name: app, image: x, securityContext: {seccompProfile: {type: Localhost, localhostProfile: a.json}, appArmorProfile: {type: Localhost, localhostProfile: p}}}]";
        assert_eq!(seccomp(local, ""), (true, true));
        let ann = "container.apparmor.security.beta.kubernetes.io/app: localhost/p";
        assert_eq!(
            seccomp("      containers: [{name: app, image: x}]", ann),
            (false, true)
        );
    }

    // --- seccomp precedence, one test per rule ---

    #[test]
    fn seccomp_container_field_beats_pod_field() {
        let s = with_container(
            "      securityContext: {seccompProfile: {type: RuntimeDefault}}\n      containers: [{name: app, image: x, securityContext: {seccompProfile: {type: Unconfined}}}]",
            "",
            |t, c| effective_seccomp(t, c, &[]),
        );
        assert_eq!(s.profile, Some(Requested::Unconfined));
        assert_eq!(s.layer, Layer::ContainerField);
        assert_eq!(
            s.pointer.as_deref(),
            Some("/spec/template/spec/containers/0/securityContext/seccompProfile/type")
        );
    }

    #[test]
    fn seccomp_pod_field_applies_when_container_is_silent() {
        let s = with_container(
            "      securityContext: {seccompProfile: {type: Localhost, localhostProfile: profiles/audit.json}}\n      containers: [{name: app, image: x}]",
            "",
            |t, c| effective_seccomp(t, c, &[]),
        );
        assert_eq!(
            s.profile,
            Some(Requested::Localhost("profiles/audit.json".into()))
        );
        assert_eq!(s.layer, Layer::PodField);
    }

    #[test]
    fn seccomp_annotations_are_ignored_and_node_default_decides() {
        let spec = "      containers: [{name: app, image: x}]";
        let ann = "seccomp.security.alpha.kubernetes.io/pod: runtime/default";
        let unknown = with_container(spec, ann, |t, c| effective_seccomp(t, c, &[]));
        assert_eq!(unknown.profile, Some(Requested::Unconfined));
        assert_eq!(unknown.layer, Layer::NodeDefault);
        assert_eq!(unknown.ignored_annotations.len(), 1);
        let on = with_container(spec, ann, |t, c| {
            effective_seccomp(t, c, &[node("n1", Some(true), None)])
        });
        assert_eq!(on.profile, Some(Requested::RuntimeDefault));
        let mixed = with_container(spec, ann, |t, c| {
            effective_seccomp(
                t,
                c,
                &[node("n1", Some(true), None), node("n2", Some(false), None)],
            )
        });
        assert_eq!(mixed.profile, None);
        assert!(mixed.summary.contains("n2"));
    }

    #[test]
    fn seccomp_privileged_is_unconfined_whatever_is_asked() {
        let s = with_container(
            "      containers: [{name: app, image: x, securityContext: {privileged: true, seccompProfile: {type: RuntimeDefault}}}]",
            "",
            |t, c| effective_seccomp(t, c, &[node("n1", Some(true), None)]),
        );
        assert_eq!(s.profile, Some(Requested::Unconfined));
        assert_eq!(s.layer, Layer::Privileged);
    }

    // --- AppArmor precedence ---

    #[test]
    fn apparmor_container_field_beats_annotation_and_pod_field() {
        let a = with_container(
            "      securityContext: {appArmorProfile: {type: Unconfined}}\n      containers: [{name: app, image: x, securityContext: {appArmorProfile: {type: Localhost, localhostProfile: k8s-deny-write}}}]",
            "container.apparmor.security.beta.kubernetes.io/app: unconfined",
            |t, c| effective_apparmor(t, c, &[]),
        );
        assert_eq!(
            a.requested,
            Some(Requested::Localhost("k8s-deny-write".into()))
        );
        assert_eq!(a.layer, Some(Layer::ContainerField));
    }

    #[test]
    fn apparmor_annotation_beats_pod_field() {
        let a = with_container(
            "      securityContext: {appArmorProfile: {type: Unconfined}}\n      containers: [{name: app, image: x}]",
            "container.apparmor.security.beta.kubernetes.io/app: runtime/default",
            |t, c| effective_apparmor(t, c, &[]),
        );
        assert_eq!(a.requested, Some(Requested::RuntimeDefault));
        assert_eq!(a.layer, Some(Layer::ContainerAnnotation));
        assert_eq!(
            a.pointer.as_deref(),
            Some(
                "/spec/template/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1app"
            )
        );
        assert!(a.requires_apparmor);
    }

    #[test]
    fn apparmor_pod_field_then_runtime_default_depending_on_node() {
        let a = with_container(
            "      securityContext: {appArmorProfile: {type: RuntimeDefault}}\n      containers: [{name: app, image: x}]",
            "",
            |t, c| effective_apparmor(t, c, &[node("n1", None, Some(false))]),
        );
        assert_eq!(a.layer, Some(Layer::PodField));
        assert!(a.summary.starts_with("rejected"));
        let none = with_container("      containers: [{name: app, image: x}]", "", |t, c| {
            effective_apparmor(t, c, &[node("n1", None, Some(true))])
        });
        assert_eq!(none.requested, None);
        assert!(none.summary.contains("cri-containerd.apparmor.d"));
        assert!(!none.requires_apparmor);
        let unknown = with_container("      containers: [{name: app, image: x}]", "", |t, c| {
            effective_apparmor(t, c, &[])
        });
        assert!(unknown.summary.contains("if the node has AppArmor"));
    }

    #[test]
    fn apparmor_privileged_drops_runtime_default_but_keeps_localhost() {
        let rd = with_container(
            "      containers: [{name: app, image: x, securityContext: {privileged: true, appArmorProfile: {type: RuntimeDefault}}}]",
            "",
            |t, c| effective_apparmor(t, c, &[node("n1", None, Some(true))]),
        );
        assert!(rd.summary.starts_with("unconfined (privileged"));
        let lh = with_container(
            "      containers: [{name: app, image: x, securityContext: {privileged: true, appArmorProfile: {type: Localhost, localhostProfile: k8s-deny-write}}}]",
            "",
            |t, c| effective_apparmor(t, c, &[node("n1", None, Some(true))]),
        );
        assert_eq!(lh.summary, "localhost profile k8s-deny-write");
    }

    #[test]
    fn table_reports_missing_profiles_per_node() {
        let yaml = deployment(
            "d",
            "shop",
            "      securityContext: {seccompProfile: {type: Localhost, localhostProfile: profiles/missing.json}}\n      containers: [{name: app, image: x}]",
        );
        let inv = test_inventory(&yaml);
        let opts = ScanOptions {
            nodes: vec![node("n1", None, Some(true))],
            ..Default::default()
        };
        let ctx = Ctx::new(&inv, &opts);
        let rows = table(&ctx);
        assert_eq!(rows.len(), 1);
        assert!(
            rows[0].notes.iter().any(|n| n.contains("missing on n1")),
            "{:?}",
            rows[0].notes
        );
        assert_eq!(rows[0].seccomp, "Localhost profiles/missing.json");
    }

    // item 15: the profile table of a Windows pod has no Linux default in it
    #[test]
    fn item15_windows_pods_have_no_linux_profiles_in_the_table() {
        for (os, hint) in [
            ("os: {name: windows}", false),
            ("nodeSelector: {kubernetes.io/os: windows}", true),
        ] {
            let yaml = deployment(
                "iis",
                "shop",
                &format!("      {os}\n      containers: [{{name: app, image: x}}]"),
            );
            let inv = test_inventory(&yaml);
            let opts = ScanOptions::default();
            let ctx = Ctx::new(&inv, &opts);
            let rows = table(&ctx);
            assert_eq!(rows[0].seccomp, "not applicable (Windows)");
            assert!(!rows[0].seccomp_from.contains("seccompDefault"));
            assert_eq!(
                rows[0]
                    .notes
                    .iter()
                    .any(|n| n.contains("spec.os.name is not windows")),
                hint,
                "{os}: {:?}",
                rows[0].notes
            );
        }
    }
}
