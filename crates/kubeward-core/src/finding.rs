//! A finding: one check's verdict about one resource, with the evidence that justifies it.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::check::{CheckMeta, RefStatic};

/// The verdict of a check. Only `Fail` (and `Error` with `--fail-on-error`) can fail a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    Fail,
    Error,
    Warn,
    Manual,
    Info,
    NotApplicable,
    Pass,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Fail,
        Status::Error,
        Status::Warn,
        Status::Manual,
        Status::Info,
        Status::NotApplicable,
        Status::Pass,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Warn => "WARN",
            Status::Manual => "MANUAL",
            Status::Info => "INFO",
            Status::Error => "ERROR",
            Status::NotApplicable => "NOT_APPLICABLE",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How bad a failure of the check is. Ordered: `Info < Low < … < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Text of a finding: borrowed from the check's static metadata where it can be (a report of a
/// large cluster holds hundreds of thousands of findings that share their titles, references
/// and remediations), owned where it was composed for this finding or read from a saved report.
/// Reads like a `String` (`as_str`, `Deref<Target = str>`, comparisons, `Display`) and serialises
/// as a plain JSON string.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Text(Cow<'static, str>);

impl Text {
    /// Text that lives as long as the program (a check's metadata, a literal): never copied.
    pub const fn borrowed(s: &'static str) -> Self {
        Text(Cow::Borrowed(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Append, copying borrowed text first.
    pub fn push_str(&mut self, s: &str) {
        self.0.to_mut().push_str(s);
    }
}

/// Strings that recur across a large report are kept once for the whole process. Each table is
/// bounded (count and bytes): past it, text is simply owned, so hostile input can cost no more
/// than the bound, and one kind of text cannot crowd out the other.
struct Interner {
    max_strings: usize,
    max_bytes: usize,
    table: std::sync::OnceLock<std::sync::RwLock<Interned>>,
}

#[derive(Default)]
struct Interned {
    strings: std::collections::HashSet<&'static str>,
    bytes: usize,
}

/// Input file paths and field paths such as `/spec/template/spec/containers/0/securityContext`.
static PATHS: Interner = Interner {
    max_strings: 16 * 1024,
    max_bytes: 2 * 1024 * 1024,
    table: std::sync::OnceLock::new(),
};

/// Short finding text composed per resource but alike across many (`container app: may run as
/// root`, a reason list): a chart's or a team's workloads repeat the same words.
static PROSE: Interner = Interner {
    max_strings: 64 * 1024,
    max_bytes: 8 * 1024 * 1024,
    table: std::sync::OnceLock::new(),
};

/// Longer text is rarely repeated word for word: it stays owned.
const PROSE_MAX_LEN: usize = 256;

impl Interner {
    fn get(&self, s: &str) -> Text {
        let table = self.table.get_or_init(Default::default);
        if let Ok(t) = table.read() {
            if let Some(&found) = t.strings.get(s) {
                return Text::borrowed(found);
            }
            if t.strings.len() >= self.max_strings {
                return Text::from(s.to_string());
            }
        }
        let Ok(mut t) = table.write() else {
            return Text::from(s.to_string());
        };
        if let Some(&found) = t.strings.get(s) {
            return Text::borrowed(found);
        }
        if t.strings.len() >= self.max_strings || t.bytes + s.len() > self.max_bytes {
            return Text::from(s.to_string());
        }
        // Leaked on purpose: bounded above, and alive as long as any finding may point at it.
        let kept: &'static str = Box::leak(s.to_string().into_boxed_str());
        t.bytes += kept.len();
        t.strings.insert(kept);
        Text::borrowed(kept)
    }
}

impl Text {
    /// A file or field path, shared with every equal one (see [`PATHS`]).
    pub fn interned(s: &str) -> Self {
        PATHS.get(s)
    }

    /// This text, shared with every equal one if it is owned short prose (see [`PROSE`]).
    fn share(&mut self) {
        if let Cow::Owned(s) = &self.0
            && s.len() <= PROSE_MAX_LEN
        {
            *self = PROSE.get(s);
        }
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Text {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.0, f)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&'static str> for Text {
    fn from(s: &'static str) -> Self {
        Text(Cow::Borrowed(s))
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text(Cow::Owned(s))
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Self {
        Text(Cow::Owned(s.clone()))
    }
}

impl From<Cow<'static, str>> for Text {
    fn from(s: Cow<'static, str>) -> Self {
        Text(s)
    }
}

impl From<Text> for String {
    fn from(t: Text) -> Self {
        t.0.into_owned()
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Text> for str {
    fn eq(&self, other: &Text) -> bool {
        *self == *other.0
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        **self == *other.0
    }
}

impl PartialEq<Text> for String {
    fn eq(&self, other: &Text) -> bool {
        **self == *other.0
    }
}

/// A reference into a framework, as a finding carries it (see [`RefStatic`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Reference {
    pub framework: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<Text>,
    pub id: Text,
}

impl Reference {
    /// `CIS AKS 1.8.0 3.2.1`
    pub fn display(&self) -> String {
        match &self.version {
            Some(v) => format!("{} {} {}", self.framework, v, self.id),
            None => format!("{} {}", self.framework, self.id),
        }
    }
}

impl From<&RefStatic> for Reference {
    fn from(r: &RefStatic) -> Self {
        Reference {
            framework: Text::borrowed(r.framework),
            version: (!r.version.is_empty()).then_some(Text::borrowed(r.version)),
            id: Text::borrowed(r.id),
        }
    }
}

/// What a finding is about: a node, a Kubernetes object, an AKS cluster, a file, an audit stream…
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Resource {
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
}

impl Resource {
    pub fn new(kind: impl Into<String>, name: impl Into<String>) -> Self {
        Resource {
            kind: kind.into(),
            namespace: None,
            name: name.into(),
        }
    }
    pub fn namespaced(
        kind: impl Into<String>,
        namespace: impl Into<String>,
        name: impl Into<String>,
    ) -> Self {
        Resource {
            kind: kind.into(),
            namespace: Some(namespace.into()),
            name: name.into(),
        }
    }
    /// `Kind/ns/name` or `Kind/name`.
    pub fn display(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{}/{}/{}", self.kind, ns, self.name),
            None => format!("{}/{}", self.kind, self.name),
        }
    }
}

/// Where an observed value came from. Every field is optional; set the ones that locate the value
/// exactly (e.g. `flag` + `origin`, or `file` + `line` + `key`). Serialised without empty fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Source {
    /// A file path (as seen by the scan, e.g. `/etc/kubernetes/kubelet.conf`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<Text>,
    /// 1-based line in `file`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based column (Unicode code points) in `file`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// A key or field path inside the file or object (JSON-pointer-like or dotted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<Text>,
    /// A command-line flag, e.g. `--anonymous-auth`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag: Option<String>,
    /// How the value was obtained when it is not literally in `file`: `/proc/4242/cmdline`,
    /// `kubelet default`, `drop-in`, `az aks show`…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

impl Source {
    /// Paths recur in every finding about a file: kept once (see [`Text::interned`]).
    pub fn file(path: impl AsRef<str>) -> Self {
        Source {
            file: Some(Text::interned(path.as_ref())),
            ..Default::default()
        }
    }
    pub fn flag(flag: impl Into<String>, origin: impl Into<String>) -> Self {
        Source {
            flag: Some(flag.into()),
            origin: Some(origin.into()),
            ..Default::default()
        }
    }
    pub fn origin(origin: impl Into<String>) -> Self {
        Source {
            origin: Some(origin.into()),
            ..Default::default()
        }
    }
    /// Field paths recur across objects: kept once (see [`Text::interned`]).
    pub fn with_key(mut self, key: impl AsRef<str>) -> Self {
        self.key = Some(Text::interned(key.as_ref()));
        self
    }
    pub fn with_line(mut self, line: u32) -> Self {
        self.line = Some(line);
        self
    }
    pub fn with_column(mut self, column: u32) -> Self {
        self.column = Some(column);
        self
    }
    /// One line for people: `/etc/kubernetes/kubelet/config.json:12 key authentication.anonymous.enabled`.
    pub fn display(&self) -> String {
        let mut parts = Vec::new();
        if let Some(f) = &self.flag {
            parts.push(format!("flag {f}"));
        }
        if let Some(f) = &self.file {
            match self.line {
                Some(l) => parts.push(format!("{f}:{l}")),
                None => parts.push(f.to_string()),
            }
        }
        if let Some(k) = &self.key {
            parts.push(format!("key {k}"));
        }
        if let Some(o) = &self.origin {
            parts.push(format!("({o})"));
        }
        parts.join(" ")
    }
}

/// One piece of evidence: what was observed, what was expected, and where it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Evidence {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<Text>,
    #[serde(default)]
    pub source: Source,
    /// Free text that explains this piece (e.g. "absent: kubelet default applies").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Text>,
}

impl Evidence {
    pub fn observed(observed: impl Into<Text>, source: Source) -> Self {
        Evidence {
            observed: Some(observed.into()),
            source,
            ..Default::default()
        }
    }
    pub fn with_expected(mut self, expected: impl Into<Text>) -> Self {
        self.expected = Some(expected.into());
        self
    }
    pub fn with_note(mut self, note: impl Into<Text>) -> Self {
        self.note = Some(note.into());
        self
    }
}

/// A waiver (exception) that matched a finding: it stays in the report, marked, and no longer fails the run.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Waiver {
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Where the waiver is defined (file and index).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// The references of a check, converted once per process and shared by all its findings (a
/// large scan has hundreds of thousands of findings citing the same two or three). Keyed by the
/// static slice itself, so the table holds at most one entry per check.
fn shared_references(refs: &'static [RefStatic]) -> &'static [Reference] {
    use std::collections::HashMap;
    use std::sync::{OnceLock, RwLock};
    /// Keyed by the static slice's address and length.
    type Table = HashMap<(usize, usize), &'static [Reference]>;
    static TABLE: OnceLock<RwLock<Table>> = OnceLock::new();
    if refs.is_empty() {
        return &[];
    }
    let key = (refs.as_ptr() as usize, refs.len());
    let table = TABLE.get_or_init(Default::default);
    if let Ok(t) = table.read()
        && let Some(found) = t.get(&key)
    {
        return found;
    }
    let mut t = match table.write() {
        Ok(t) => t,
        Err(poisoned) => poisoned.into_inner(),
    };
    t.entry(key).or_insert_with(|| {
        // Leaked on purpose: one small slice per check, for the life of the program.
        Box::leak(
            refs.iter()
                .map(Reference::from)
                .collect::<Vec<_>>()
                .into_boxed_slice(),
        )
    })
}

/// One check's verdict about one resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub code: Text,
    pub name: Text,
    pub title: Text,
    pub area: Text,
    pub severity: Severity,
    pub status: Status,
    #[serde(default)]
    pub references: Cow<'static, [Reference]>,
    pub resource: Resource,
    /// One sentence: what was found, in words (the line a person reads first).
    pub message: Text,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    pub remediation: Text,
    #[serde(default)]
    pub kubeward_own: bool,
    /// About an object AKS or Kubernetes maintains (set only for objects read from a cluster,
    /// see docs/exit-codes.md): still judged and listed, but it never fails the run.
    #[serde(default, skip_serializing_if = "is_false")]
    pub platform_managed: bool,
    #[serde(default)]
    pub waived: Option<Box<Waiver>>,
    /// Which item of the resource the finding is about, where one check reports several items
    /// of one resource and no field path tells them apart (a profile's rule, a syscall group).
    /// Part of the fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<Text>,
    /// Stable identity of what the finding is about (see [`crate::fingerprint`]); set by
    /// [`crate::Report::finish`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<Text>,
    /// Against a baseline (`--baseline`): new, unchanged or updated (see [`crate::baseline`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_state: Option<crate::baseline::BaselineState>,
    /// For `updated`: what changed since the baseline (`status FAIL -> PASS`, `severity`,
    /// `observed`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub baseline_changes: Vec<String>,
    /// For `updated`: the verdict got worse (FAIL now and not before, or a FAIL of higher
    /// severity). Only new and worse findings fail a run under a baseline.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub baseline_worse: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Finding {
    /// A finding from its check's metadata; remediation defaults to the check's documented fix.
    pub fn new(
        meta: &CheckMeta,
        status: Status,
        resource: Resource,
        message: impl Into<Text>,
    ) -> Self {
        Finding {
            code: Text::borrowed(meta.code),
            name: Text::borrowed(meta.name),
            title: Text::borrowed(meta.title),
            area: Text::borrowed(meta.area.as_str()),
            severity: meta.severity,
            status,
            references: Cow::Borrowed(shared_references(meta.references)),
            resource,
            message: message.into(),
            evidence: Vec::new(),
            remediation: Text::borrowed(meta.doc.fix),
            kubeward_own: meta.kubeward_own,
            platform_managed: false,
            waived: None,
            item: None,
            fingerprint: None,
            baseline_state: None,
            baseline_changes: Vec::new(),
            baseline_worse: false,
        }
    }
    pub fn with_evidence(mut self, evidence: Evidence) -> Self {
        // Most findings carry one or two pieces; `push` alone would reserve room for four
        // (about 550 wasted bytes a finding, hundreds of MB on a large cluster).
        self.evidence.reserve_exact(1);
        self.evidence.push(evidence);
        self
    }
    /// Name the item of the resource this finding is about (see [`Finding::item`]).
    pub fn with_item(mut self, item: impl Into<Text>) -> Self {
        self.item = Some(item.into());
        self
    }
    pub fn with_remediation(mut self, remediation: impl Into<Text>) -> Self {
        self.remediation = remediation.into();
        self
    }
    /// Settle a finding that is kept: give back the room evidence and references grew into
    /// while it was built, and share its short composed text (message, observed, expected,
    /// note) with equal text of other findings (see [`PROSE`]). Kept findings of a large scan
    /// are mostly that slack and that repetition otherwise.
    pub fn compact(&mut self) {
        self.evidence.shrink_to_fit();
        if let Cow::Owned(refs) = &mut self.references {
            refs.shrink_to_fit();
        }
        self.message.share();
        for e in &mut self.evidence {
            for t in [&mut e.observed, &mut e.expected, &mut e.note]
                .into_iter()
                .flatten()
            {
                t.share();
            }
        }
    }
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
    /// Keep only the references of one benchmark version (a check may cite several CIS versions;
    /// the report names the one of the profile in use).
    pub fn retain_references(&mut self, keep: impl Fn(&Reference) -> bool) {
        if !self.references.iter().all(&keep) {
            self.references.to_mut().retain(keep);
        }
    }
    /// Sort key: status (FAIL first), severity (critical first), code, resource.
    pub fn sort_key(&self) -> (Status, std::cmp::Reverse<Severity>, &str, &Resource) {
        (
            self.status,
            std::cmp::Reverse(self.severity),
            self.code.as_str(),
            &self.resource,
        )
    }
}
