//! A pod spec and its metadata, with the pointer of every field inside the object, so each
//! control reports the exact field whichever workload kind carries the pod.

use kubeward_inventory::PodTemplate;
use kubeward_inventory::Value;

static NULL: Value = Value::Null;

/// One container of the pod (init, regular and ephemeral, in that order).
pub struct Ctr<'a> {
    pub name: &'a str,
    pub value: &'a Value,
    /// Pointer of the container in the object, e.g. `/spec/template/spec/initContainers/0`.
    pub pointer: String,
}

impl<'a> Ctr<'a> {
    /// `securityContext.<path>` of this container (`path` like `/privileged`).
    pub fn sc(&self, path: &str) -> Option<&'a Value> {
        at(self.value.get("securityContext")?, path)
    }
    pub fn ptr(&self, rel: &str) -> String {
        format!("{}{rel}", self.pointer)
    }
}

/// The pod as the Pod Security controls see it.
pub struct PodView<'a> {
    pub spec: &'a Value,
    pub metadata: &'a Value,
    pub spec_pointer: &'a str,
    pub metadata_pointer: &'a str,
    pub containers: Vec<Ctr<'a>>,
}

impl<'a> PodView<'a> {
    pub fn of(t: &PodTemplate<'a>) -> PodView<'a> {
        PodView::from_parts(t.spec, t.metadata, t.spec_pointer, t.metadata_pointer)
    }

    /// A view of a pod spec and pod metadata found at the given pointers.
    pub fn from_parts(
        spec: &'a Value,
        metadata: &'a Value,
        spec_pointer: &'a str,
        metadata_pointer: &'a str,
    ) -> PodView<'a> {
        let mut containers = Vec::new();
        for field in ["initContainers", "containers", "ephemeralContainers"] {
            if let Some(list) = spec.get(field).and_then(Value::as_array) {
                for (i, value) in list.iter().enumerate() {
                    containers.push(Ctr {
                        name: value.get("name").and_then(Value::as_str).unwrap_or(""),
                        value,
                        pointer: format!("{spec_pointer}/{field}/{i}"),
                    });
                }
            }
        }
        PodView {
            spec,
            metadata,
            spec_pointer,
            metadata_pointer,
            containers,
        }
    }

    /// `spec.volumes` entries with their index (none when absent or not a list).
    pub fn volumes(&self) -> impl Iterator<Item = (usize, &'a Value)> + use<'a> {
        self.spec
            .get("volumes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
    }

    /// `spec.securityContext.<path>`.
    pub fn sc(&self, path: &str) -> Option<&'a Value> {
        at(self.spec.get("securityContext")?, path)
    }

    /// Pointer of a pod-spec field.
    pub fn ptr(&self, rel: &str) -> String {
        format!("{}{rel}", self.spec_pointer)
    }

    /// Pointer of a pod annotation.
    pub fn annotation_ptr(&self, key: &str) -> String {
        crate::ctx::annotation_pointer(self.metadata_pointer, key)
    }

    pub fn annotations(&self) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.metadata
            .get("annotations")
            .unwrap_or(&NULL)
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| v.as_str().map(|s| (k.as_str(), s)))
    }

    pub fn annotation(&self, key: &str) -> Option<&'a str> {
        self.metadata.get("annotations")?.get(key)?.as_str()
    }

    /// `spec.hostUsers: false` — the pod runs in a user namespace (the 1.35 relaxations).
    pub fn user_namespaced(&self) -> bool {
        self.spec.get("hostUsers").and_then(Value::as_bool) == Some(false)
    }

    /// `spec.os.name: windows` (the 1.25 Windows exemptions).
    pub fn is_windows(&self) -> bool {
        kubeward_inventory::workload::pod_security_windows(self.spec)
    }
}

/// A string field, treating absent and JSON null alike.
pub fn str_of(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::as_str)
}

/// A field by a literal path such as `/capabilities/add` (no `~` escapes: the controls' paths are
/// constants). `Value::pointer` unescapes every segment, which shows on 100,000-workload runs.
pub fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .try_fold(v, |cur, seg| match cur {
            Value::Object(m) => m.get(seg),
            Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        })
}
