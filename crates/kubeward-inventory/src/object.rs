use kubeward_core::{InputError, InputInfo, Resource, Source};
use serde_json::Value;

/// Where an object was read from.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Origin {
    /// File path as given (or `<stdin>`).
    pub file: String,
    /// 1-based line where the object starts in `file`, when known.
    pub line: Option<u32>,
    /// 0-based index of the YAML document (or List item) in the file.
    pub index: usize,
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
}

impl Object {
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
        let mut s = Source::file(self.origin.file.clone()).with_key(pointer.to_string());
        s.line = self.line_of(pointer);
        s
    }
    /// Best known line of a field (falls back to the object's start line).
    pub fn line_of(&self, _pointer: &str) -> Option<u32> {
        self.origin.line
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
    pub fn merge(&mut self, other: Inventory) {
        self.objects.extend(other.objects);
        self.errors.extend(other.errors);
        self.inputs.extend(other.inputs);
    }
}
