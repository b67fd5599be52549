use std::sync::Arc;

use kubeward_core::{InputError, InputInfo, Resource, Source};

use crate::value::Value;

/// How an object reached kubeward: the scope rule (what may be set apart as platform-managed)
/// trusts labels and owners only on objects read from a cluster.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Provenance {
    /// A manifest file, folder or stdin: whoever wrote it chose every label, owner and namespace.
    #[default]
    Offline,
    /// A snapshot file written by `kubeward snapshot` (marked with [`SNAPSHOT_MARKER`]).
    Snapshot,
    /// Listed from a cluster during this run (`--cluster`).
    Live,
}

impl Provenance {
    /// Read from a cluster, now or in a snapshot.
    pub fn is_from_cluster(self) -> bool {
        !matches!(self, Provenance::Offline)
    }
}

/// Top-level key of the `v1/List` that `kubeward snapshot` writes; its presence (an object) makes
/// the file's objects [`Provenance::Snapshot`].
pub const SNAPSHOT_MARKER: &str = "kubewardSnapshot";

/// Where an object was read from.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Origin {
    /// File path as given (or `<stdin>`), shared by every object of the file (a snapshot has
    /// 100,000 of them).
    pub file: Arc<str>,
    /// 1-based line where the object starts in `file`, when known.
    pub line: Option<u32>,
    /// 0-based index of the YAML document (or List item) in the file.
    pub index: usize,
    /// Offline input, snapshot or live cluster.
    pub provenance: Provenance,
}

/// Line of every field of an object, keyed by JSON pointer relative to the object root
/// (e.g. `/spec/containers/0/securityContext`). Filled for YAML input; JSON input only knows the
/// object's start line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldLines {
    /// Sorted by pointer.
    entries: Vec<(Box<str>, u32)>,
}

impl FieldLines {
    pub(crate) fn from_unsorted(mut entries: Vec<(Box<str>, u32)>) -> Self {
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        entries.dedup_by(|a, b| a.0 == b.0);
        FieldLines { entries }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries under `prefix` (a pointer), re-rooted so `prefix` becomes `""`.
    pub(crate) fn subtree(&self, prefix: &str) -> FieldLines {
        let start = self.entries.partition_point(|(p, _)| &**p < prefix);
        let entries = self.entries[start..]
            .iter()
            .take_while(|(p, _)| p.starts_with(prefix))
            .filter_map(|(p, l)| {
                let rest = &p[prefix.len()..];
                (rest.is_empty() || rest.starts_with('/')).then(|| (Box::<str>::from(rest), *l))
            })
            .collect();
        FieldLines { entries }
    }

    pub(crate) fn into_entries(self) -> Vec<(Box<str>, u32)> {
        self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Line of exactly this pointer, if it was in the input.
    pub fn exact(&self, pointer: &str) -> Option<u32> {
        self.entries
            .binary_search_by(|(p, _)| (**p).cmp(pointer))
            .ok()
            .map(|i| self.entries[i].1)
    }

    /// Line of `pointer`, or of its nearest ancestor present in the input (a missing field is
    /// reported where its parent is).
    pub fn nearest(&self, pointer: &str) -> Option<u32> {
        let mut p = pointer;
        loop {
            if let Some(line) = self.exact(p) {
                return Some(line);
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return None,
            }
        }
    }
}

/// One Kubernetes object, untyped (so no field is dropped), with its identity pulled out.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    /// `metadata.namespace` as written (None when absent; areas decide what absent means).
    pub namespace: Option<String>,
    pub value: Value,
    pub origin: Origin,
    /// Per-field lines (empty when the input format gave none).
    pub lines: FieldLines,
}

impl Object {
    /// An object from its decoded value (a [`Value`], or a `serde_json::Value`, which is
    /// converted); identity fields are read from `apiVersion`, `kind` and `metadata` (empty
    /// strings when absent).
    pub fn from_value(value: impl Into<Value>, origin: Origin) -> Object {
        Object::new(value.into(), origin)
    }

    /// An object from its loaded value.
    pub fn new(value: Value, origin: Origin) -> Object {
        let text = |ptr: &str| {
            value
                .pointer(ptr)
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        Object {
            api_version: text("/apiVersion").unwrap_or_default(),
            kind: text("/kind").unwrap_or_default(),
            name: text("/metadata/name").unwrap_or_default(),
            namespace: text("/metadata/namespace"),
            value,
            origin,
            lines: FieldLines::default(),
        }
    }

    /// The same object with a per-field line index.
    pub fn with_lines(mut self, lines: FieldLines) -> Object {
        self.lines = lines;
        self
    }

    /// Column-free location for people: `file:line`.
    pub fn location(&self) -> String {
        match self.origin.line {
            Some(l) => format!("{}:{l}", self.origin.file),
            None => self.origin.file.to_string(),
        }
    }

    pub fn metadata(&self) -> Option<&Value> {
        self.value.get("metadata")
    }
    /// `metadata.labels` as string pairs (non-string values ignored).
    pub fn labels(&self) -> impl Iterator<Item = (&str, &str)> {
        string_map(self.value.pointer("/metadata/labels"))
    }
    pub fn annotations(&self) -> impl Iterator<Item = (&str, &str)> {
        string_map(self.value.pointer("/metadata/annotations"))
    }
    pub fn label(&self, key: &str) -> Option<&str> {
        self.value.pointer("/metadata/labels")?.get(key)?.as_str()
    }
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.value
            .pointer("/metadata/annotations")?
            .get(key)?
            .as_str()
    }
    /// The API group (`apps` for `apps/v1`, empty for the core group).
    pub fn group(&self) -> &str {
        match self.api_version.split_once('/') {
            Some((g, _)) => g,
            None => "",
        }
    }
    /// The resource a finding about this object names.
    pub fn resource(&self) -> Resource {
        Resource {
            kind: self.kind.clone(),
            namespace: self.namespace.clone(),
            name: self.name.clone(),
        }
    }
    /// A source pointing at `pointer` (JSON pointer, e.g. `/spec/hostNetwork`) in this object.
    /// The line is the object's own start line until a per-field index exists.
    pub fn source(&self, pointer: &str) -> Source {
        let mut s = Source::file(&*self.origin.file).with_key(pointer);
        s.line = self.line_of(pointer);
        s
    }
    /// Best known line of a field: its own line, else its nearest ancestor's, else the object's
    /// start line.
    pub fn line_of(&self, pointer: &str) -> Option<u32> {
        self.lines.nearest(pointer).or(self.origin.line)
    }
}

fn string_map(v: Option<&Value>) -> impl Iterator<Item = (&str, &str)> {
    v.and_then(Value::as_object).into_iter().flat_map(|m| {
        m.iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k.as_str(), s)))
    })
}

/// Everything loaded from the inputs of one run.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    pub objects: Vec<Object>,
    pub errors: Vec<InputError>,
    pub inputs: Vec<InputInfo>,
}

impl Inventory {
    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Object> + 'a {
        self.objects.iter().filter(move |o| o.kind == kind)
    }
    /// Objects of the kinds that carry a pod template (see [`crate::is_workload`]).
    pub fn workloads(&self) -> impl Iterator<Item = &Object> {
        self.objects.iter().filter(|o| crate::is_workload(o))
    }
    pub fn len(&self) -> usize {
        self.objects.len()
    }
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }
    pub fn merge(&mut self, other: Inventory) {
        // The first part is taken as it is: no second copy of a snapshot's object vector.
        if self.objects.is_empty() {
            self.objects = other.objects;
        } else {
            self.objects.extend(other.objects);
        }
        self.errors.extend(other.errors);
        self.inputs.extend(other.inputs);
    }
}
