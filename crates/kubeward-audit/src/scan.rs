//! The scan engine: decodes every unit a reader cuts (whatever the input shape), keeps bounded
//! statistics and runs every rule on every event, keeping the first few matching events per
//! rule and identity plus counts. Memory does not grow with the number of events.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::event::{Event, EventView, Str};
use crate::reader::{self, Layout, ReadProblem, Sink};
use crate::rules::{Config, RULES};

/// Bounds and settings of a scan.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub config: Config,
    /// Longest accepted unit (line, array element, CSV row) in bytes.
    pub max_unit: usize,
    /// Matching events kept as evidence per rule and identity.
    pub samples: usize,
    /// Identities kept per rule; further ones are counted together.
    pub max_groups: usize,
    /// Input errors listed per file; further ones are counted.
    pub max_errors: usize,
    /// Worker threads for files (None: rayon's default).
    pub threads: Option<usize>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            config: Config::default(),
            max_unit: reader::DEFAULT_MAX_UNIT,
            samples: 5,
            max_groups: 25,
            max_errors: 20,
            threads: None,
        }
    }
}

/// Where to read from.
#[derive(Debug, Clone)]
pub enum Input {
    Path(PathBuf),
    Stdin,
    /// Named on the command line or found in a directory but not readable as a log (a symlink
    /// loop, a directory without logs): reported as an input error, the other inputs scanned.
    Unreadable {
        name: String,
        reason: String,
    },
}

impl Input {
    pub fn display(&self) -> String {
        match self {
            Input::Path(p) => p.display().to_string(),
            Input::Stdin => "(stdin)".to_string(),
            Input::Unreadable { name, .. } => name.clone(),
        }
    }
}

/// One matching event, kept as evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    pub audit_id: String,
    pub time: String,
    pub user: String,
    pub source_ip: String,
    pub verb: String,
    pub object: String,
    pub code: Option<i64>,
    pub file: Arc<str>,
    pub line: u64,
    pub detail: String,
}

#[derive(Debug, Clone, Default)]
pub struct Group {
    pub count: u64,
    pub samples: Vec<Sample>,
}

/// Matches of one rule, by identity.
#[derive(Debug, Clone, Default)]
pub struct RuleHits {
    pub groups: BTreeMap<String, Group>,
    pub dropped_groups: u64,
    pub dropped_events: u64,
}

impl RuleHits {
    pub fn total(&self) -> u64 {
        self.groups.values().map(|g| g.count).sum::<u64>() + self.dropped_events
    }
    fn add(&mut self, user: &str, count: u64, samples: Vec<Sample>, opts: &ScanOptions) {
        if !self.groups.contains_key(user) && self.groups.len() >= opts.max_groups {
            self.dropped_groups += 1;
            self.dropped_events += count;
            return;
        }
        let g = match self.groups.get_mut(user) {
            Some(g) => g,
            None => self.groups.entry(user.to_string()).or_default(),
        };
        g.count += count;
        for s in samples {
            if g.samples.len() < opts.samples {
                g.samples.push(s);
            }
        }
    }
}

/// Distinct keys kept in a counting map; the rest are counted under `(other)`.
const MAX_KEYS: usize = 10_000;

fn bump(map: &mut HashMap<String, u64>, key: &str, by: u64) {
    if let Some(n) = map.get_mut(key) {
        *n += by;
    } else if map.len() < MAX_KEYS {
        map.insert(key.to_string(), by);
    } else {
        *map.entry("(other)".to_string()).or_default() += by;
    }
}

/// Bounded statistics of what was read.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub events: u64,
    pub first: String,
    pub last: String,
    pub users: HashMap<String, u64>,
    pub verbs: HashMap<String, u64>,
    pub denied: u64,
    pub denied_users: HashMap<String, u64>,
    /// Input shapes detected, with the events read from each.
    pub shapes: BTreeMap<&'static str, u64>,
    /// Audit source categories (kube-audit, kube-audit-admin, AKSAudit, AKSAuditAdmin…).
    pub categories: BTreeMap<String, u64>,
    pub read_events: u64,
    pub request_bodies: u64,
    pub response_bodies: u64,
    pub bodies_skipped: u64,
    /// For resources whose bodies rules read: writes seen, and writes with a request body.
    pub body_writes: BTreeMap<&'static str, (u64, u64)>,
    /// Units that could not be used, by reason.
    pub malformed: BTreeMap<&'static str, u64>,
    pub non_audit_records: u64,
}

impl Stats {
    fn merge(&mut self, o: &Stats) {
        self.events += o.events;
        if !o.first.is_empty() && (self.first.is_empty() || o.first < self.first) {
            self.first = o.first.clone();
        }
        if o.last > self.last {
            self.last = o.last.clone();
        }
        for (k, v) in &o.users {
            bump(&mut self.users, k, *v);
        }
        for (k, v) in &o.verbs {
            bump(&mut self.verbs, k, *v);
        }
        self.denied += o.denied;
        for (k, v) in &o.denied_users {
            bump(&mut self.denied_users, k, *v);
        }
        for (k, v) in &o.shapes {
            *self.shapes.entry(k).or_default() += v;
        }
        for (k, v) in &o.categories {
            *self.categories.entry(k.clone()).or_default() += v;
        }
        self.read_events += o.read_events;
        self.request_bodies += o.request_bodies;
        self.response_bodies += o.response_bodies;
        self.bodies_skipped += o.bodies_skipped;
        for (k, (w, b)) in &o.body_writes {
            let e = self.body_writes.entry(k).or_default();
            e.0 += w;
            e.1 += b;
        }
        for (k, v) in &o.malformed {
            *self.malformed.entry(k).or_default() += v;
        }
        self.non_audit_records += o.non_audit_records;
    }
}

/// The result of scanning one input.
#[derive(Debug, Clone)]
pub struct FileScan {
    pub name: Arc<str>,
    pub gzip: bool,
    pub layout: Option<Layout>,
    pub stats: Stats,
    pub hits: Vec<RuleHits>,
    /// (line, message), the first `max_errors`.
    pub errors: Vec<(Option<u64>, String)>,
    pub errors_not_listed: u64,
    /// The input could not be opened or read to its end.
    pub fatal: Option<String>,
}

/// Every input scanned, merged in input order.
#[derive(Debug, Clone)]
pub struct ScanOutcome {
    pub files: Vec<FileScan>,
    pub stats: Stats,
    pub hits: Vec<RuleHits>,
}

pub const SKIPPED_BODY: &str = "skipped-too-big-size-object";

/// Which shape a unit has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Event,
    AksRecord,
    Row,
}

pub const SHAPE_EVENT: &str = "audit.k8s.io Event";
pub const SHAPE_EVENTLIST: &str = "audit.k8s.io EventList (webhook batch)";
pub const SHAPE_RECORD: &str = "AKS resource-log record (storage blob / Event Hubs)";
pub const SHAPE_AZDIAG: &str = "Log Analytics AzureDiagnostics row (log_s)";
pub const SHAPE_AKSAUDIT: &str = "Log Analytics AKSAudit/AKSAuditAdmin row";

#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    items: Option<IgnoredAny>,
    #[serde(default)]
    records: Option<IgnoredAny>,
    #[serde(default)]
    properties: Option<IgnoredAny>,
    #[serde(default)]
    log_s: Option<IgnoredAny>,
    #[serde(default, rename = "AuditId")]
    audit_id_col: Option<IgnoredAny>,
    #[serde(default, rename = "Verb")]
    verb_col: Option<IgnoredAny>,
    #[serde(default, rename = "auditID")]
    audit_id: Option<IgnoredAny>,
    #[serde(default)]
    verb: Option<IgnoredAny>,
    #[serde(default)]
    stage: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct List<'a> {
    #[serde(borrow, default)]
    items: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    records: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct Record<'a> {
    #[serde(borrow, default)]
    category: Option<Str<'a>>,
    #[serde(borrow, default)]
    properties: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct RecordProps<'a> {
    #[serde(borrow, default)]
    log: Option<Str<'a>>,
}

/// Scans one input: the [`Sink`] the reader feeds.
struct FileScanner<'o> {
    opts: &'o ScanOptions,
    enabled: Vec<bool>,
    body_resources: Vec<&'static str>,
    name: Arc<str>,
    hint: Shape,
    stats: Stats,
    hits: Vec<RuleHits>,
    /// Unusable units of this file, the first `max_errors`, with their line.
    errors: Vec<(Option<u64>, String)>,
    errors_not_listed: u64,
    /// Units are the items of an EventList.
    in_items: bool,
    /// Called with every decoded event (for consumers other than the rules).
    hook: Option<&'o mut dyn FnMut(&Event)>,
    /// auditIDs of exec/attach/port-forward streams whose `ResponseStarted` was read and whose
    /// `ResponseComplete` was not yet: a completion without a logged start stands for it.
    open_streams: HashSet<Box<str>>,
}

/// Open streams remembered per file; past it the set starts over (a long-lived stream may then
/// be reported twice, never missed).
const MAX_OPEN_STREAMS: usize = 100_000;

fn is_pod_stream(ev: &Event) -> bool {
    ev.resource() == "pods" && matches!(ev.subresource(), "exec" | "attach" | "portforward")
}

fn classify(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Eof => "truncated",
        serde_json::error::Category::Syntax => "not JSON",
        serde_json::error::Category::Data => "wrong field type",
        serde_json::error::Category::Io => "read error",
    }
}

impl<'o> FileScanner<'o> {
    fn new(name: Arc<str>, opts: &'o ScanOptions) -> Self {
        let mut body_resources: Vec<&'static str> = RULES
            .iter()
            .flat_map(|r| r.needs.body_of.iter().copied())
            .collect();
        body_resources.sort_unstable();
        body_resources.dedup();
        FileScanner {
            opts,
            enabled: RULES
                .iter()
                .map(|r| (r.precondition)(&opts.config).is_none())
                .collect(),
            body_resources,
            name,
            hint: Shape::Event,
            stats: Stats::default(),
            hits: vec![RuleHits::default(); RULES.len()],
            errors: Vec::new(),
            errors_not_listed: 0,
            in_items: false,
            hook: None,
            open_streams: HashSet::new(),
        }
    }

    fn error(&mut self, line: u64, kind: &'static str, msg: String) {
        *self.stats.malformed.entry(kind).or_default() += 1;
        if self.errors.len() < self.opts.max_errors {
            self.errors.push((Some(line), format!("{kind}: {msg}")));
        } else {
            self.errors_not_listed += 1;
        }
    }

    fn json_error(&mut self, line: u64, what: &str, e: &serde_json::Error) {
        let kind = classify(e);
        self.error(line, kind, format!("{what}: {e}"));
    }

    fn decode_unit(&mut self, bytes: &[u8], line: u64) {
        match self.hint {
            // Validating UTF-8 once per unit lets serde_json borrow strings without checking each.
            Shape::Event => match std::str::from_utf8(bytes)
                .map_err(|_| ())
                .and_then(|s| serde_json::from_str::<Event>(s).map_err(|_| ()))
            {
                Ok(ev) if looks_like_event(&ev) => {
                    let shape = if self.in_items {
                        SHAPE_EVENTLIST
                    } else {
                        SHAPE_EVENT
                    };
                    self.on_event(&ev, line, shape, None);
                    return;
                }
                Ok(_) | Err(_) => {}
            },
            Shape::AksRecord => {
                if let Ok(r) = serde_json::from_slice::<Record>(bytes)
                    && r.properties.is_some()
                {
                    self.record(r, line);
                    return;
                }
            }
            Shape::Row => {}
        }
        self.classify_unit(bytes, line);
    }

    fn classify_unit(&mut self, bytes: &[u8], line: u64) {
        let probe = match serde_json::from_slice::<Probe>(bytes) {
            Ok(p) => p,
            Err(e) => return self.json_error(line, "unit", &e),
        };
        if probe.items.is_some() || probe.records.is_some() {
            let list = match serde_json::from_slice::<List>(bytes) {
                Ok(l) => l,
                Err(e) => return self.json_error(line, "list", &e),
            };
            for item in list.items {
                match serde_json::from_str::<Event>(item.get()) {
                    Ok(ev) => self.on_event(&ev, line, SHAPE_EVENTLIST, None),
                    Err(e) => self.json_error(line, "EventList item", &e),
                }
            }
            for rec in list.records {
                match serde_json::from_str::<Record>(rec.get()) {
                    Ok(r) => {
                        self.hint = Shape::AksRecord;
                        self.record(r, line)
                    }
                    Err(e) => self.json_error(line, "records item", &e),
                }
            }
        } else if probe.properties.is_some() && probe.audit_id.is_none() {
            match serde_json::from_slice::<Record>(bytes) {
                Ok(r) => {
                    self.hint = Shape::AksRecord;
                    self.record(r, line)
                }
                Err(e) => self.json_error(line, "AKS record", &e),
            }
        } else if probe.log_s.is_some() || probe.audit_id_col.is_some() || probe.verb_col.is_some()
        {
            self.hint = Shape::Row;
            match serde_json::from_slice::<Map<String, Value>>(bytes) {
                Ok(row) => self.row(row, line),
                Err(e) => self.json_error(line, "Log Analytics row", &e),
            }
        } else if probe.audit_id.is_some() || probe.verb.is_some() || probe.stage.is_some() {
            self.hint = Shape::Event;
            let shape = if self.in_items {
                SHAPE_EVENTLIST
            } else {
                SHAPE_EVENT
            };
            match serde_json::from_slice::<Event>(bytes) {
                Ok(ev) => self.on_event(&ev, line, shape, None),
                Err(e) => self.json_error(line, "audit event", &e),
            }
        } else {
            self.error(
                line,
                "not an audit event",
                "a JSON object without auditID, verb, properties.log, log_s or AuditId".into(),
            );
        }
    }

    fn record(&mut self, r: Record, line: u64) {
        let category = r.category.as_deref().unwrap_or("");
        if !category.is_empty() && !category.starts_with("kube-audit") {
            self.stats.non_audit_records += 1;
            return;
        }
        let Some(props) = r.properties else {
            return self.error(
                line,
                "not an audit event",
                "AKS record without properties".into(),
            );
        };
        // `properties` is an object; some pipelines re-encode it as a string.
        let props_text: std::borrow::Cow<str> = match serde_json::from_str::<String>(props.get()) {
            Ok(s) => s.into(),
            Err(_) => props.get().into(),
        };
        let log = match serde_json::from_str::<RecordProps>(&props_text) {
            Ok(RecordProps { log: Some(log) }) => log,
            Ok(_) => {
                return self.error(
                    line,
                    "not an audit event",
                    "AKS record without properties.log".into(),
                );
            }
            Err(e) => return self.json_error(line, "AKS record properties", &e),
        };
        let cat = if category.is_empty() {
            "kube-audit (category not given)"
        } else {
            category
        };
        match serde_json::from_str::<Event>(&log) {
            Ok(ev) => self.on_event(&ev, line, SHAPE_RECORD, Some(cat)),
            Err(e) => self.json_error(line, "properties.log", &e),
        }
    }

    fn row(&mut self, row: Map<String, Value>, line: u64) {
        if let Some(log) = row.get("log_s") {
            let category = row.get("Category").and_then(Value::as_str).unwrap_or("");
            if !category.is_empty() && !category.starts_with("kube-audit") {
                self.stats.non_audit_records += 1;
                return;
            }
            let Some(log) = log.as_str() else {
                return self.error(line, "wrong field type", "log_s is not a string".into());
            };
            let cat = if category.is_empty() {
                "kube-audit (category not given)"
            } else {
                category
            };
            match serde_json::from_str::<Event>(log) {
                Ok(ev) => self.on_event(&ev, line, SHAPE_AZDIAG, Some(cat)),
                Err(e) => self.json_error(line, "log_s", &e),
            }
            return;
        }
        let table = row
            .get("Type")
            .and_then(Value::as_str)
            .filter(|t| t.starts_with("AKSAudit"))
            .unwrap_or("AKSAudit (table not named)")
            .to_string();
        let mut skipped = 0;
        let text = match row_to_event(&row, &mut skipped) {
            Ok(t) => t,
            Err(msg) => return self.error(line, "wrong field type", msg),
        };
        self.stats.bodies_skipped += skipped;
        match serde_json::from_str::<Event>(&text) {
            Ok(ev) => self.on_event(&ev, line, SHAPE_AKSAUDIT, Some(&table)),
            Err(e) => self.json_error(line, "AKSAudit row", &e),
        }
    }

    fn on_event(&mut self, ev: &Event, line: u64, shape: &'static str, category: Option<&str>) {
        let st = &mut self.stats;
        st.events += 1;
        match st.shapes.get_mut(shape) {
            Some(n) => *n += 1,
            None => {
                st.shapes.insert(shape, 1);
            }
        }
        if let Some(c) = category {
            match st.categories.get_mut(c) {
                Some(n) => *n += 1,
                None => {
                    if st.categories.len() < 64 {
                        st.categories.insert(c.to_string(), 1);
                    }
                }
            }
        }
        let t = ev.time();
        if !t.is_empty() {
            if st.first.is_empty() || t < st.first.as_str() {
                st.first = t.to_string();
            }
            if t > st.last.as_str() {
                st.last = t.to_string();
            }
        }
        bump(&mut st.users, ev.username(), 1);
        bump(&mut st.verbs, ev.verb(), 1);
        if ev.is_final() && ev.denied() {
            st.denied += 1;
            bump(&mut st.denied_users, ev.username(), 1);
        }
        if ev.is_read() {
            st.read_events += 1;
        }
        let body = |r: Option<&RawValue>| match r.map(|r| r.get().as_bytes().first()) {
            Some(Some(b'{' | b'[')) => 1,
            _ => 0,
        };
        let req_body = body(ev.request_object);
        st.request_bodies += req_body;
        st.response_bodies += body(ev.response_object);
        for raw in [ev.request_object, ev.response_object]
            .into_iter()
            .flatten()
        {
            if raw.get().trim_matches('"') == SKIPPED_BODY {
                st.bodies_skipped += 1;
            }
        }
        if ev.is_modify() && ev.is_final() {
            let res = ev.resource();
            if let Some(&r) = self.body_resources.iter().find(|r| **r == res) {
                let e = st.body_writes.entry(r).or_default();
                e.0 += 1;
                e.1 += req_body;
            }
        }
        if let Some(hook) = self.hook.as_mut() {
            hook(ev);
        }
        let mut view = EventView::new(ev);
        if is_pod_stream(ev) && !ev.audit_id().is_empty() {
            match ev.stage() {
                "ResponseStarted" => {
                    if self.open_streams.len() >= MAX_OPEN_STREAMS {
                        self.open_streams.clear();
                    }
                    self.open_streams.insert(ev.audit_id().into());
                }
                "ResponseComplete" if ev.code() == Some(101) => {
                    view.start_not_logged = !self.open_streams.remove(ev.audit_id());
                }
                _ => {}
            }
        }
        for (i, rule) in RULES.iter().enumerate() {
            if !self.enabled[i] {
                continue;
            }
            if let Some(detail) = (rule.eval)(&view, &self.opts.config) {
                let sample = sample(ev, &self.name, line, detail);
                self.hits[i].add(ev.username(), 1, vec![sample], self.opts);
            }
        }
    }
}

fn looks_like_event(ev: &Event) -> bool {
    ev.audit_id.is_some() || ev.verb.is_some() || ev.stage.is_some()
}

fn sample(ev: &Event, file: &Arc<str>, line: u64, detail: String) -> Sample {
    Sample {
        audit_id: ev.audit_id().to_string(),
        time: ev.time().to_string(),
        user: ev.username().to_string(),
        source_ip: ev.source_ip(),
        verb: ev.verb().to_string(),
        object: crate::rules::object_name(&EventView::new(ev)),
        code: ev.code(),
        file: file.clone(),
        line,
        detail,
    }
}

/// AKSAudit columns and the Event fields they hold; `true` for dynamic (JSON) columns, which
/// exports may carry as JSON text.
const COLUMNS: &[(&str, &str, bool)] = &[
    ("Level", "level", false),
    ("AuditId", "auditID", false),
    ("Stage", "stage", false),
    ("RequestUri", "requestURI", false),
    ("Verb", "verb", false),
    ("User", "user", true),
    ("ImpersonatedUser", "impersonatedUser", true),
    ("SourceIps", "sourceIPs", true),
    ("UserAgent", "userAgent", false),
    ("ObjectRef", "objectRef", true),
    ("ResponseStatus", "responseStatus", true),
    ("RequestObject", "requestObject", true),
    ("ResponseObject", "responseObject", true),
    ("RequestReceivedTime", "requestReceivedTimestamp", false),
    ("StageReceivedTime", "stageTimestamp", false),
    ("Annotations", "annotations", true),
];

/// Rebuild an audit Event (as JSON text) from an AKSAudit row.
fn row_to_event(row: &Map<String, Value>, skipped: &mut u64) -> Result<String, String> {
    let mut out = Map::new();
    for (col, key, dynamic) in COLUMNS {
        let Some(v) = row.get(*col) else { continue };
        let v = match v {
            Value::Null => continue,
            Value::String(s) if s.is_empty() => continue,
            // A null dynamic cell, as some exports write it.
            Value::String(s) if *dynamic && s.trim() == "null" => continue,
            Value::String(s) if *dynamic => {
                if s == SKIPPED_BODY {
                    *skipped += 1;
                    continue;
                }
                let t = s.trim_start();
                if t.starts_with('{') || t.starts_with('[') {
                    serde_json::from_str(t)
                        .map_err(|e| format!("column {col} holds invalid JSON: {e}"))?
                } else if *col == "SourceIps" {
                    Value::Array(
                        s.split(',')
                            .map(|x| Value::String(x.trim().to_string()))
                            .collect(),
                    )
                } else {
                    return Err(format!("column {col} is not JSON: {s:.60}"));
                }
            }
            Value::String(s) if key.ends_with("Timestamp") => Value::String(normalize_time(s)),
            other => other.clone(),
        };
        out.insert((*key).to_string(), v);
    }
    serde_json::to_string(&out).map_err(|e| e.to_string())
}

/// The portal's CSV export writes times as `11/20/2026, 10:00:00.050 AM`; make them RFC 3339
/// so time spans compare. Other forms are kept as they are.
pub fn normalize_time(s: &str) -> String {
    let parse = || -> Option<String> {
        let (date, time) = s.split_once(", ")?;
        let mut d = date.split('/');
        let (mo, day, year): (u32, u32, u32) = (
            d.next()?.parse().ok()?,
            d.next()?.parse().ok()?,
            d.next()?.parse().ok()?,
        );
        let (clock, ampm) = time.split_once(' ')?;
        let mut c = clock.split(':');
        let mut h: u32 = c.next()?.parse().ok()?;
        let m: u32 = c.next()?.parse().ok()?;
        let sec = c.next()?;
        match ampm {
            "PM" if h < 12 => h += 12,
            "AM" if h == 12 => h = 0,
            "AM" | "PM" => {}
            _ => return None,
        }
        let (whole, frac) = sec.split_once('.').unwrap_or((sec, ""));
        let whole: u32 = whole.parse().ok()?;
        let frac = if frac.is_empty() {
            String::new()
        } else {
            format!(".{frac}")
        };
        Some(format!(
            "{year:04}-{mo:02}-{day:02}T{h:02}:{m:02}:{whole:02}{frac}Z"
        ))
    };
    parse().unwrap_or_else(|| s.to_string())
}

impl Sink for FileScanner<'_> {
    fn unit(&mut self, bytes: &[u8], line: u64) {
        self.decode_unit(bytes, line);
    }
    fn container(&mut self, key: &str) {
        self.in_items = key == "items";
    }
    fn problem(&mut self, line: u64, problem: ReadProblem, bytes: usize) {
        match problem {
            ReadProblem::Oversize => self.error(
                line,
                "too long",
                format!(
                    "{bytes} bytes, over the {}-byte limit: skipped",
                    self.opts.max_unit
                ),
            ),
            ReadProblem::Stray => self.error(
                line,
                "not JSON",
                "text between the values of the JSON document: skipped".into(),
            ),
            ReadProblem::Unterminated => self.error(
                line,
                "truncated",
                "the input ends inside this JSON value (or CSV record)".into(),
            ),
        }
    }
    fn csv_row(&mut self, headers: &[String], values: &csv::StringRecord, line: u64) {
        let row: Map<String, Value> = headers
            .iter()
            .zip(values.iter())
            .map(|(h, v)| (h.clone(), Value::String(v.to_string())))
            .collect();
        if !row.contains_key("log_s") && !row.contains_key("AuditId") && !row.contains_key("Verb") {
            return self.error(
                line,
                "not an audit event",
                "CSV row without log_s, AuditId or Verb columns".into(),
            );
        }
        self.row(row, line);
    }
}

/// Scan one stream.
pub fn scan_reader(name: &str, r: impl Read + Send, opts: &ScanOptions) -> FileScan {
    scan_reader_with(name, r, opts, None)
}

/// Read one input and hand every decoded event to `hook`, without running the rules.
pub fn visit(input: &Input, opts: &ScanOptions, hook: &mut dyn FnMut(&Event)) -> FileScan {
    let name = input.display();
    match input {
        Input::Stdin => scan_reader_with(&name, std::io::stdin(), opts, Some(hook)),
        Input::Path(p) => match kubeward_core::input::open(p) {
            Ok(f) => scan_reader_with(&name, f, opts, Some(hook)),
            Err(e) => unreadable(&name, format!("cannot open: {e}")),
        },
        Input::Unreadable { reason, .. } => unreadable(&name, reason.clone()),
    }
}

fn unreadable(name: &str, why: String) -> FileScan {
    FileScan {
        name: Arc::from(name),
        gzip: false,
        layout: None,
        stats: Stats::default(),
        hits: vec![RuleHits::default(); RULES.len()],
        errors: Vec::new(),
        errors_not_listed: 0,
        fatal: Some(why),
    }
}

fn scan_reader_with<'o>(
    name: &str,
    r: impl Read + Send,
    opts: &'o ScanOptions,
    hook: Option<&'o mut dyn FnMut(&Event)>,
) -> FileScan {
    let name: Arc<str> = Arc::from(name);
    let mut sc = FileScanner::new(name.clone(), opts);
    if hook.is_some() {
        sc.enabled.iter_mut().for_each(|e| *e = false);
        sc.hook = hook;
    }
    let mut gzip = false;
    let mut layout = None;
    let fatal = match reader::decompressing(r) {
        Ok((mut rd, gz)) => {
            gzip = gz;
            match reader::stream(&mut rd, opts.max_unit, &mut sc) {
                Ok(l) => {
                    layout = Some(l);
                    None
                }
                Err(e) => Some(format!(
                    "read error (the events before it were scanned): {e}"
                )),
            }
        }
        Err(e) => Some(format!("cannot read: {e}")),
    };
    FileScan {
        name,
        gzip,
        layout,
        stats: sc.stats,
        hits: sc.hits,
        errors: sc.errors,
        errors_not_listed: sc.errors_not_listed,
        fatal,
    }
}

fn scan_input(input: &Input, opts: &ScanOptions) -> FileScan {
    let name = input.display();
    match input {
        Input::Stdin => scan_reader(&name, std::io::stdin(), opts),
        // Regular files only: a FIFO would block and /dev/zero would never end.
        Input::Path(p) => match kubeward_core::input::open(p) {
            Ok(f) => scan_reader(&name, f, opts),
            Err(e) => unreadable(&name, format!("cannot open: {e}")),
        },
        Input::Unreadable { reason, .. } => unreadable(&name, reason.clone()),
    }
}

/// Scan every input (in parallel, one file per task) and merge in input order.
pub fn scan(inputs: &[Input], opts: &ScanOptions) -> ScanOutcome {
    use rayon::prelude::*;
    let run = || {
        inputs
            .par_iter()
            .map(|i| scan_input(i, opts))
            .collect::<Vec<_>>()
    };
    let files = match opts.threads {
        Some(n) => match rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
        {
            Ok(pool) => pool.install(run),
            Err(_) => run(),
        },
        None => run(),
    };
    merge(files, opts)
}

/// Merge per-file results, in the given order.
pub fn merge(files: Vec<FileScan>, opts: &ScanOptions) -> ScanOutcome {
    let mut stats = Stats::default();
    let mut hits = vec![RuleHits::default(); RULES.len()];
    for f in &files {
        stats.merge(&f.stats);
        for (acc, h) in hits.iter_mut().zip(&f.hits) {
            for (user, g) in &h.groups {
                acc.add(user, g.count, g.samples.clone(), opts);
            }
            acc.dropped_groups += h.dropped_groups;
            acc.dropped_events += h.dropped_events;
        }
    }
    ScanOutcome { files, stats, hits }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exec_event(id: &str, stage: &str) -> String {
        format!(
            r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{id}","stage":"{stage}","requestURI":"/api/v1/namespaces/shop/pods/web/exec?command=sh&container=app","verb":"get","user":{{"username":"alice@contoso.com","groups":["system:authenticated"]}},"sourceIPs":["203.0.113.7"],"objectRef":{{"resource":"pods","namespace":"shop","name":"web","apiVersion":"v1","subresource":"exec"}},"responseStatus":{{"metadata":{{}},"code":101}},"stageTimestamp":"2026-11-20T10:00:00Z"}}"#
        )
    }

    fn exec_matches(log: &str) -> u64 {
        let out = scan_reader("t.jsonl", log.as_bytes(), &ScanOptions::default());
        let i = RULES.iter().position(|r| r.meta.code == "A001").unwrap();
        out.hits[i].total()
    }

    #[test]
    fn exec_is_counted_once_whether_or_not_its_start_was_logged() {
        // Both stages logged: the start speaks for the request.
        let both = [
            exec_event("a", "ResponseStarted"),
            exec_event("a", "ResponseComplete"),
        ];
        assert_eq!(exec_matches(&both.join("\n")), 1);
        // A policy omitting ResponseStarted: the completion stands for the start.
        assert_eq!(exec_matches(&exec_event("b", "ResponseComplete")), 1);
        let mixed = [
            exec_event("c", "ResponseStarted"),
            exec_event("d", "ResponseComplete"),
            exec_event("c", "ResponseComplete"),
        ];
        assert_eq!(exec_matches(&mixed.join("\n")), 2);
    }

    #[test]
    fn null_text_in_a_dynamic_column_is_an_absent_field() {
        let row = r#"[{"AuditId":"x1","Verb":"list","Stage":"ResponseComplete","User":"{\"username\":\"bob\"}","ObjectRef":"null","RequestObject":"","ResponseStatus":"{\"code\":200}","Type":"AKSAudit"}]"#;
        let out = scan_reader("rows.json", row.as_bytes(), &ScanOptions::default());
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        assert_eq!(out.stats.events, 1);
        assert_eq!(out.stats.users.get("bob"), Some(&1));
    }

    #[test]
    fn portal_times_become_rfc3339() {
        assert_eq!(
            normalize_time("11/20/2026, 1:02:03.450 PM"),
            "2026-11-20T13:02:03.450Z"
        );
        assert_eq!(
            normalize_time("1/2/2026, 12:00:00 AM"),
            "2026-01-02T00:00:00Z"
        );
        assert_eq!(
            normalize_time("2026-11-20T10:00:00Z"),
            "2026-11-20T10:00:00Z"
        );
    }
}
