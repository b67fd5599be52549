//! The pod template inside every workload kind, so checks name the workload (not a synthetic pod)
//! and point at the exact field path.

use crate::value::Value;

use crate::object::Object;

/// Where the pod metadata and pod spec live for each workload kind (every kind that carries a pod
/// template, Argo Rollouts included): the one list of workload kinds every area reads.
pub fn template_pointers(kind: &str, api_version: &str) -> Option<(&'static str, &'static str)> {
    Some(match kind {
        "Pod" => ("/metadata", "/spec"),
        "Deployment"
        | "ReplicaSet"
        | "StatefulSet"
        | "DaemonSet"
        | "Job"
        | "ReplicationController" => ("/spec/template/metadata", "/spec/template/spec"),
        "CronJob" => (
            "/spec/jobTemplate/spec/template/metadata",
            "/spec/jobTemplate/spec/template/spec",
        ),
        // Argo Rollouts (argoproj.io) embed a Deployment-style template.
        "Rollout" if api_version.starts_with("argoproj.io/") => {
            ("/spec/template/metadata", "/spec/template/spec")
        }
        "PodTemplate" => ("/template/metadata", "/template/spec"),
        _ => return None,
    })
}

const OS_LABEL: &str = "kubernetes.io/os";

/// What marks a pod spec as Windows. The two questions differ: Pod Security reads only
/// `spec.os.name` (its 1.25 Windows exemptions), while the scheduler also follows the node
/// selector and required node affinity ("runs on Windows nodes").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowsMarker {
    /// `spec.os.name: windows`.
    OsName,
    /// `spec.nodeSelector` `kubernetes.io/os: windows`.
    NodeSelector,
    /// A required node affinity whose every term admits only `kubernetes.io/os` `windows`.
    Affinity,
}

impl WindowsMarker {
    /// The field, relative to the pod spec.
    pub fn pointer(self) -> &'static str {
        match self {
            WindowsMarker::OsName => "/os/name",
            WindowsMarker::NodeSelector => "/nodeSelector",
            WindowsMarker::Affinity => "/affinity/nodeAffinity",
        }
    }
    pub fn describe(self) -> &'static str {
        match self {
            WindowsMarker::OsName => "spec.os.name: windows",
            WindowsMarker::NodeSelector => "nodeSelector kubernetes.io/os: windows",
            WindowsMarker::Affinity => "required node affinity kubernetes.io/os In [windows]",
        }
    }
}

/// Windows as Pod Security sees it: `spec.os.name: windows` and nothing else.
pub fn pod_security_windows(spec: &Value) -> bool {
    spec.pointer("/os/name").and_then(Value::as_str) == Some("windows")
}

/// Does the pod run only on Windows nodes? `spec.os.name`, the `kubernetes.io/os` node selector or
/// a required node affinity: the first of them that says so.
pub fn runs_on_windows_nodes(spec: &Value) -> Option<WindowsMarker> {
    if pod_security_windows(spec) {
        return Some(WindowsMarker::OsName);
    }
    if spec
        .get("nodeSelector")
        .and_then(|m| m.get(OS_LABEL))
        .and_then(Value::as_str)
        == Some("windows")
    {
        return Some(WindowsMarker::NodeSelector);
    }
    let terms = spec
        .pointer("/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms")
        .and_then(Value::as_array)
        .filter(|t| !t.is_empty())?;
    // terms are ORed: every one must restrict the OS to windows
    let all = terms.iter().all(|term| {
        term.get("matchExpressions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .any(|e| {
                let values: Vec<&str> = e
                    .get("values")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                e.get("key").and_then(Value::as_str) == Some(OS_LABEL)
                    && e.get("operator").and_then(Value::as_str) == Some("In")
                    && !values.is_empty()
                    && values.iter().all(|v| *v == "windows")
            })
    });
    all.then_some(WindowsMarker::Affinity)
}

/// Scheduled on Windows nodes by a selector or affinity, but not `spec.os.name: windows`: Pod
/// Security judges it as a Linux pod.
pub fn windows_without_os_name(spec: &Value) -> Option<WindowsMarker> {
    runs_on_windows_nodes(spec).filter(|m| *m != WindowsMarker::OsName)
}

/// Is this kind a workload that carries a pod template?
pub fn is_workload(obj: &Object) -> bool {
    template_pointers(&obj.kind, &obj.api_version).is_some() && obj.kind != "PodTemplate"
}

/// Which list a container came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

impl ContainerKind {
    pub fn field(self) -> &'static str {
        match self {
            ContainerKind::Init => "initContainers",
            ContainerKind::Regular => "containers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }
}

/// One container of a pod template, with its JSON pointer (relative to the object root).
#[derive(Debug, Clone, Copy)]
pub struct Container<'a> {
    pub kind: ContainerKind,
    pub index: usize,
    pub name: &'a str,
    pub value: &'a Value,
    /// e.g. `/spec/template/spec/containers/1`
    pub pointer_base: &'static str,
}

impl Container<'_> {
    /// Pointer of a field of this container, e.g. `/spec/template/spec/containers/1/securityContext/privileged`.
    pub fn pointer(&self, field: &str) -> String {
        format!(
            "{}/{}/{}{}",
            self.pointer_base,
            self.kind.field(),
            self.index,
            field
        )
    }
}

/// The pod template of a workload (or the pod itself).
#[derive(Debug, Clone, Copy)]
pub struct PodTemplate<'a> {
    pub object: &'a Object,
    /// The pod spec (`Value::Null` when absent).
    pub spec: &'a Value,
    /// The pod metadata (labels, annotations), `Value::Null` when absent.
    pub metadata: &'a Value,
    /// JSON pointer of `spec` within the object, e.g. `/spec/template/spec`.
    pub spec_pointer: &'static str,
    pub metadata_pointer: &'static str,
}

static NULL: Value = Value::Null;

/// `Value::pointer` without unescaping (the template paths are constants): it runs for every
/// workload of a snapshot.
fn literal_path<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .try_fold(v, |cur, seg| cur.as_object()?.get(seg))
}

impl<'a> PodTemplate<'a> {
    /// The pod template of `obj`, or `None` when its kind carries none.
    pub fn of(obj: &'a Object) -> Option<PodTemplate<'a>> {
        let (meta_ptr, spec_ptr) = template_pointers(&obj.kind, &obj.api_version)?;
        Some(PodTemplate {
            object: obj,
            spec: literal_path(&obj.value, spec_ptr).unwrap_or(&NULL),
            metadata: literal_path(&obj.value, meta_ptr).unwrap_or(&NULL),
            spec_pointer: spec_ptr,
            metadata_pointer: meta_ptr,
        })
    }

    /// Pointer of a pod-spec field, e.g. `pointer("/hostNetwork")`.
    pub fn pointer(&self, field: &str) -> String {
        format!("{}{}", self.spec_pointer, field)
    }

    pub fn labels(&self) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.metadata
            .get("labels")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.as_str().map(|s| (k.as_str(), s)))
            })
    }

    pub fn annotation(&self, key: &str) -> Option<&'a str> {
        self.metadata.get("annotations")?.get(key)?.as_str()
    }

    /// Init, regular and ephemeral containers, in that order.
    pub fn containers(&self) -> impl Iterator<Item = Container<'a>> + 'a {
        let spec = self.spec;
        let base = self.spec_pointer;
        [
            ContainerKind::Init,
            ContainerKind::Regular,
            ContainerKind::Ephemeral,
        ]
        .into_iter()
        .flat_map(move |kind| {
            spec.get(kind.field())
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
                .map(move |(index, value)| Container {
                    kind,
                    index,
                    name: value.get("name").and_then(Value::as_str).unwrap_or(""),
                    value,
                    pointer_base: base,
                })
        })
    }
}

/// The same vocabulary over bodies that are not inventory objects: the request and response
/// bodies of audit events (`serde_json`, read line by line), where a patch names no kind.
pub mod body {
    use serde_json::Value;

    use super::{ContainerKind, template_pointers};

    /// The string at a JSON pointer of a body, or "" when absent or not a string.
    pub fn str_at<'v>(v: &'v Value, pointer: &str) -> &'v str {
        v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
    }

    /// The pod spec inside a pod or any workload body. A body that names its kind is read where
    /// [`template_pointers`] says that kind keeps its pod template; a patch body names no kind,
    /// so its shape decides.
    pub fn pod_spec(obj: &Value) -> Option<&Value> {
        if let Some((_, spec)) = template_pointers(str_at(obj, "/kind"), str_at(obj, "/apiVersion"))
            && let Some(found) = obj.pointer(spec)
        {
            return Some(found);
        }
        let spec = obj.get("spec");
        let candidates = [
            obj.pointer("/spec/jobTemplate/spec/template/spec"),
            obj.pointer("/spec/template/spec"),
            obj.pointer("/template/spec"),
            spec.filter(|s| s.get("containers").is_some() || s.get("volumes").is_some()),
            spec.filter(|s| s.get("ephemeralContainers").is_some()),
        ];
        candidates.into_iter().flatten().next()
    }

    /// Every container of a pod spec: regular ones first, then init and ephemeral (the order a
    /// finding about a request names them in).
    pub fn containers(spec: &Value) -> impl Iterator<Item = &Value> {
        [
            ContainerKind::Regular,
            ContainerKind::Init,
            ContainerKind::Ephemeral,
        ]
        .into_iter()
        .filter_map(|k| spec.get(k.field()).and_then(Value::as_array))
        .flatten()
    }

    #[cfg(test)]
    mod tests {
        use serde_json::json;

        use super::*;

        #[test]
        fn pod_spec_by_kind_then_by_shape() {
            let rollout = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
                "spec": {"template": {"spec": {"containers": [{"name": "r"}]}}}});
            assert_eq!(
                pod_spec(&rollout).expect("a rollout has a pod spec")["containers"][0]["name"],
                "r"
            );
            // a patch names no kind: the CronJob shape is found by its path
            let patch = json!({"spec": {"jobTemplate": {"spec": {"template": {"spec": {
                "initContainers": [{"name": "i"}], "containers": [{"name": "c"}]}}}}}});
            let spec = pod_spec(&patch).expect("the patch has a pod spec");
            let names: Vec<&str> = containers(spec)
                .filter_map(|c| c["name"].as_str())
                .collect();
            assert_eq!(names, ["c", "i"]);
            assert!(pod_spec(&json!({"kind": "ConfigMap", "data": {}})).is_none());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LoadOptions, load_str};

    #[test]
    fn cronjob_template_and_container_pointers() {
        let inv = load_str(
            "t.yaml",
            "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c, namespace: ns}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        metadata: {labels: {app: x}}\n        spec:\n          initContainers: [{name: i}]\n          containers: [{name: a}, {name: b}]\n",
            &LoadOptions::default(),
        );
        let t = PodTemplate::of(&inv.objects[0]).expect("cronjob has a template");
        assert_eq!(t.labels().collect::<Vec<_>>(), vec![("app", "x")]);
        let names: Vec<_> = t
            .containers()
            .map(|c| (c.kind, c.name, c.pointer("/image")))
            .collect();
        assert_eq!(
            names[0],
            (
                ContainerKind::Init,
                "i",
                "/spec/jobTemplate/spec/template/spec/initContainers/0/image".to_string()
            )
        );
        assert_eq!(
            names[2].2,
            "/spec/jobTemplate/spec/template/spec/containers/1/image"
        );
    }

    #[test]
    fn every_workload_kind_has_its_template() {
        let cases = [
            ("v1", "Pod", "/spec"),
            ("apps/v1", "Deployment", "/spec/template/spec"),
            ("apps/v1", "ReplicaSet", "/spec/template/spec"),
            ("apps/v1", "StatefulSet", "/spec/template/spec"),
            ("apps/v1", "DaemonSet", "/spec/template/spec"),
            ("batch/v1", "Job", "/spec/template/spec"),
            ("v1", "ReplicationController", "/spec/template/spec"),
            ("argoproj.io/v1alpha1", "Rollout", "/spec/template/spec"),
            (
                "batch/v1",
                "CronJob",
                "/spec/jobTemplate/spec/template/spec",
            ),
        ];
        for (api, kind, spec) in cases {
            let obj = crate::Object::from_value(
                serde_json::json!({"apiVersion": api, "kind": kind, "metadata": {"name": "x"}}),
                crate::Origin::default(),
            );
            assert!(is_workload(&obj), "{kind}");
            let t = PodTemplate::of(&obj).expect(kind);
            assert_eq!(t.spec_pointer, spec, "{kind}");
            assert!(t.spec.is_null());
        }
        // A Rollout from another API group is not Argo's.
        let other = crate::Object::from_value(
            serde_json::json!({"apiVersion": "example.com/v1", "kind": "Rollout"}),
            crate::Origin::default(),
        );
        assert!(!is_workload(&other));
    }

    #[test]
    fn service_has_no_template() {
        let inv = load_str(
            "s.yaml",
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n",
            &LoadOptions::default(),
        );
        assert!(PodTemplate::of(&inv.objects[0]).is_none());
    }

    // item 15: Pod Security reads only spec.os.name; "runs on Windows nodes" reads all three
    #[test]
    fn item15_windows_for_pod_security_and_for_scheduling() {
        let spec = |y: &str| -> Value {
            let inv = load_str(
                "p.yaml",
                &format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec: {y}\n"),
                &LoadOptions::default(),
            );
            inv.objects[0]
                .value
                .get("spec")
                .cloned()
                .unwrap_or(Value::Null)
        };
        let os = spec("{os: {name: windows}}");
        assert!(pod_security_windows(&os));
        assert_eq!(runs_on_windows_nodes(&os), Some(WindowsMarker::OsName));
        assert_eq!(windows_without_os_name(&os), None);
        let sel = spec("{nodeSelector: {kubernetes.io/os: windows}}");
        assert!(!pod_security_windows(&sel));
        assert_eq!(
            windows_without_os_name(&sel),
            Some(WindowsMarker::NodeSelector)
        );
        let aff = spec(
            "{affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/os, operator: In, values: [windows]}]}]}}}}",
        );
        assert_eq!(windows_without_os_name(&aff), Some(WindowsMarker::Affinity));
        let mixed = spec(
            "{affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/os, operator: In, values: [windows, linux]}]}]}}}}",
        );
        assert_eq!(runs_on_windows_nodes(&mixed), None);
        assert_eq!(
            runs_on_windows_nodes(&spec("{nodeSelector: {kubernetes.io/os: linux}}")),
            None
        );
    }
}
