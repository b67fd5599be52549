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
use crate::rules::refusal_bursts::RefusalBursts;
use crate::rules::{CHECKS, Config};

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
    /// A JSON-lines file larger than this is cut at line boundaries into parts of about this
    /// size, scanned in parallel and merged into the result of a scan from start to end.
    pub part_bytes: u64,
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
            part_bytes: 4 << 20,
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
    /// Counts one matching event of `user` as `add` would; the group when its sample is kept.
    pub(crate) fn count_one(&mut self, user: &str, opts: &ScanOptions) -> Option<&mut Group> {
        if !self.groups.contains_key(user) && self.groups.len() >= opts.max_groups {
            self.dropped_groups += 1;
            self.dropped_events += 1;
            return None;
        }
        if !self.groups.contains_key(user) {
            self.groups.insert(user.to_string(), Group::default());
        }
        let g = self.groups.get_mut(user)?;
        g.count += 1;
        (g.samples.len() < opts.samples).then_some(g)
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

/// As [`bump`] for a part of a file: no cap, and new keys noted in the order they came, so the
/// parts merge into the counts a scan of the whole file keeps.
fn bump_ordered(map: &mut HashMap<String, u64>, order: &mut Vec<String>, key: &str) {
    if let Some(n) = map.get_mut(key) {
        *n += 1;
    } else {
        map.insert(key.to_string(), 1);
        order.push(key.to_string());
    }
}

/// Category names kept per file.
const MAX_CATEGORIES: usize = 64;

/// The order in which a part of a file met its counted keys (see [`bump_ordered`]).
#[derive(Debug, Default)]
pub(crate) struct KeyOrder {
    users: Vec<String>,
    verbs: Vec<String>,
    denied_users: Vec<String>,
    categories: Vec<String>,
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
    /// Adds the statistics of the next part of the same file, as if its events had been
    /// counted here one by one (the caps keep the same keys).
    pub(crate) fn absorb(&mut self, mut o: Stats, order: &KeyOrder) {
        let ordered =
            |acc: &mut HashMap<String, u64>, part: &HashMap<String, u64>, keys: &[String]| {
                for k in keys {
                    if let Some(n) = part.get(k) {
                        bump(acc, k, *n);
                    }
                }
            };
        ordered(&mut self.users, &o.users, &order.users);
        ordered(&mut self.verbs, &o.verbs, &order.verbs);
        ordered(&mut self.denied_users, &o.denied_users, &order.denied_users);
        for k in &order.categories {
            let Some(n) = o.categories.get(k) else {
                continue;
            };
            let full = self.categories.len() >= MAX_CATEGORIES;
            match self.categories.get_mut(k) {
                Some(c) => *c += n,
                None if !full => {
                    self.categories.insert(k.clone(), *n);
                }
                None => {}
            }
        }
        o.users.clear();
        o.verbs.clear();
        o.denied_users.clear();
        o.categories.clear();
        self.merge(&o);
    }

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
    /// Parts the file was cut into and scanned in parallel (1: read from start to end).
    pub parts: usize,
    /// Events of a part judged again in the merge, because earlier parts changed what the
    /// scanner knew of their request (or of their address's refusals).
    pub rejudged: u64,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Shape {
    #[default]
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
struct Probe<'a> {
    /// Envelope fields of Azure log records and Log Analytics rows: a unit with one of them
    /// and no audit event in it is another log (Activity log, control-plane categories).
    /// (Separate fields, not aliases: Activity log rows carry both `Category` and `CategoryValue`.)
    #[serde(borrow, default)]
    category: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "Category")]
    category_col: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "CategoryValue")]
    category_value: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "Type")]
    table: Option<&'a RawValue>,
    #[serde(default, rename = "operationName")]
    operation_name: Option<IgnoredAny>,
    #[serde(default, rename = "OperationName")]
    operation_name_col: Option<IgnoredAny>,
    #[serde(default, rename = "OperationNameValue")]
    operation_name_value: Option<IgnoredAny>,
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

impl Probe<'_> {
    /// The category and table names of an Azure envelope, when the unit has one.
    fn envelope_names(&self) -> Option<Vec<String>> {
        let named = [
            self.category,
            self.category_col,
            self.category_value,
            self.table,
        ];
        let any_op = self.operation_name.is_some()
            || self.operation_name_col.is_some()
            || self.operation_name_value.is_some();
        (any_op || named.iter().any(Option::is_some)).then(|| {
            named
                .into_iter()
                .flatten()
                .filter_map(envelope_name)
                .collect()
        })
    }
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
    /// The cluster's resource id (read only by the stream detector, for its alerts).
    #[serde(borrow, default, rename = "resourceId")]
    resource_id: Option<&'a RawValue>,
    /// A string in resource logs; `{"value": …, "localizedValue": …}` in Activity log events
    /// as the REST API returns them.
    #[serde(borrow, default)]
    category: Option<&'a RawValue>,
    #[serde(borrow, default)]
    properties: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct RecordProps<'a> {
    /// The audit event as JSON text (what AKS writes), or as an object (pipelines that
    /// parsed it already).
    #[serde(borrow, default)]
    log: Option<&'a RawValue>,
}

/// The hint a scan of the whole file most likely holds when it reaches `unit`: the shape
/// classifying it would settle on (a part of a file starts with it; the merge checks it).
pub(crate) fn guess_hint(unit: &[u8]) -> Shape {
    let Ok(p) = serde_json::from_slice::<Probe>(unit) else {
        return Shape::Event;
    };
    if p.records.is_some() || (p.items.is_none() && p.properties.is_some() && p.audit_id.is_none())
    {
        Shape::AksRecord
    } else if p.items.is_none()
        && (p.log_s.is_some() || p.audit_id_col.is_some() || p.verb_col.is_some())
    {
        Shape::Row
    } else {
        Shape::Event
    }
}

#[derive(Deserialize)]
struct RecordLog<'a> {
    #[serde(borrow, default)]
    log: Option<Str<'a>>,
}

/// A name field of an Azure envelope: a string, or an object's `value` (Activity log REST
/// shape). `None` when it is neither.
fn envelope_name(raw: &RawValue) -> Option<String> {
    #[derive(Deserialize)]
    struct Localized {
        value: Option<String>,
    }
    serde_json::from_str::<String>(raw.get())
        .ok()
        .or_else(|| serde_json::from_str::<Localized>(raw.get()).ok()?.value)
}

/// Whether a category or table name is one of the audit log's (kube-audit, kube-audit-admin,
/// AKSAudit, AKSAuditAdmin).
fn is_audit_category(name: &str) -> bool {
    name.starts_with("kube-audit") || name.starts_with("AKSAudit")
}

/// Scans one input: the [`Sink`] the reader feeds.
pub(crate) struct FileScanner<'o> {
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
    /// What earlier events of the file tell about the next ones.
    state: ReqState,
    /// Sequential scan, a part of a file, or one event judged again.
    mode: Mode,
    /// The hint when the current unit was met, and where it is (parts of a file only).
    unit: UnitPos,
    /// Set by the stream detector (crate::stream): redeliveries skipped, matches handed out.
    stream: Option<Box<crate::stream::Hooks>>,
}

/// Input errors listed: (line, message).
pub(crate) type Listed = Vec<(Option<u64>, String)>;

/// How the scanner uses what it decodes.
pub(crate) enum Mode {
    /// Count and judge every event (a whole input, or the stream detector).
    Whole,
    /// One part of a file among several scanned at once (see crate::par): count with
    /// uncapped, ordered maps, judge with the state of this part only, and log each event's
    /// request facts and matches for the merge to check against the whole file's state.
    Part(Box<PartLog>),
    /// Judge the `target`-th event of one unit again with the flags the whole file gives it.
    Replay(Box<Replay>),
}

/// Where the unit being decoded lies, and the hint it was decoded with.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct UnitPos {
    pub offset: u64,
    pub len: usize,
    pub hint: Shape,
    /// Events of the unit met so far.
    pub sub: u32,
}

/// What a part of a file hands to the merge.
#[derive(Debug, Default)]
pub(crate) struct PartLog {
    pub order: KeyOrder,
    pub events: Vec<EvRec>,
    /// Indexes of the rules each event matched, event after event.
    pub matches: Vec<u16>,
    /// Users of events that matched a rule.
    pub users: Vec<Box<str>>,
    user_ids: HashMap<Box<str>, u32>,
}

/// One event of a part: where to find it again, what the request state needs from it, the
/// flags the part's own state gave it, and its matches.
#[derive(Debug)]
pub(crate) struct EvRec {
    pub pos: UnitPos,
    /// 1-based line within the part.
    pub line: u64,
    pub key: ReqKey,
    pub flags: Flags,
    pub user: u32,
    pub matches: (u32, u16),
    /// The flags if the request began in an earlier part, and the matches under them.
    pub alt: Option<(Flags, (u32, u16))>,
}

/// The event to judge again and what judging it gave.
#[derive(Debug, Default)]
pub(crate) struct Replay {
    pub target: u32,
    pub flags: Flags,
    pub seen: u32,
    pub user: Option<String>,
    pub matches: Vec<(usize, Sample)>,
}

/// The facts the scanner derives for an event from the events before it in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Flags {
    start_not_logged: bool,
    stream_repeat: bool,
    first_of_request: bool,
    final_repeat: bool,
    refusal_burst: Option<usize>,
}

impl Flags {
    /// For an event of a part: the flags it has instead when its request began in an earlier
    /// part (its auditID then pending, its stream open), when they differ. Long watches and
    /// streams complete parts after they started: their matches under both flags are logged,
    /// so the merge rarely has to read such an event again.
    pub(crate) fn if_begun_earlier(self, key: &ReqKey) -> Option<Flags> {
        let mut alt = self;
        if key.id.is_some()
            && matches!(
                key.stage,
                Stage::RequestReceived
                    | Stage::ResponseStarted
                    | Stage::ResponseComplete
                    | Stage::Panic
            )
        {
            alt.first_of_request = false;
        }
        if key.stream_id.is_some() && key.stage == Stage::ResponseComplete && key.code == Some(101)
        {
            alt.start_not_logged = false;
        }
        (alt != self).then_some(alt)
    }

    fn apply(self, view: &mut EventView) {
        view.start_not_logged = self.start_not_logged;
        view.stream_repeat = self.stream_repeat;
        view.first_of_request = self.first_of_request;
        view.final_repeat = self.final_repeat;
        view.refusal_burst = self.refusal_burst;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    RequestReceived,
    ResponseStarted,
    ResponseComplete,
    Panic,
    None,
    Other,
}

/// What the per-file request state reads of an event.
#[derive(Debug, Clone)]
pub(crate) struct ReqKey {
    /// Hash of the auditID, when it has one.
    id: Option<u64>,
    /// The auditID of an exec/attach/port-forward stream.
    stream_id: Option<Box<str>>,
    stage: Stage,
    pod_stream: bool,
    code: Option<i64>,
    /// A refusal's address and time, for A065.
    refusal: Option<(std::net::IpAddr, i128)>,
}

impl ReqKey {
    fn of(ev: &Event) -> ReqKey {
        let pod_stream = is_pod_stream(ev);
        let id = ev.audit_id();
        ReqKey {
            id: (!id.is_empty()).then(|| id_hash(id)),
            stream_id: (pod_stream && !id.is_empty()).then(|| id.into()),
            stage: match ev.stage() {
                "RequestReceived" => Stage::RequestReceived,
                "ResponseStarted" => Stage::ResponseStarted,
                "ResponseComplete" => Stage::ResponseComplete,
                "Panic" => Stage::Panic,
                "" => Stage::None,
                _ => Stage::Other,
            },
            pod_stream,
            code: ev.code(),
            refusal: crate::rules::refusal_bursts::refusal_key(ev),
        }
    }
}

/// Sets of auditID hashes: the keys are hashes already, so they are used as they are.
type IdSet = HashSet<u64, std::hash::BuildHasherDefault<IdHasher>>;

#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Not reached for u64 keys; kept correct for any other use.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Per-file request state: open streams, requests seen before their completion, stage-less
/// copies, refusals per address.
#[derive(Debug, Default)]
pub(crate) struct ReqState {
    /// auditIDs of exec/attach/port-forward streams whose `ResponseStarted` was read and whose
    /// `ResponseComplete` was not yet: a completion without a logged start stands for it.
    open_streams: HashSet<Box<str>>,
    /// Hashes of the auditIDs of requests whose `RequestReceived` or `ResponseStarted` was read
    /// and whose completion was not yet: the first event of a request is the one rules about
    /// identities judge, so a request cut before its completion still counts, once.
    pending: IdSet,
    /// Hashes of the auditIDs of stage-less events already read: an export that drops `stage`
    /// may still hold several events of one request.
    stageless: IdSet,
    /// Hashes of the auditIDs of stage-less events with an outcome (a response status) already
    /// read: a later copy with an outcome repeats it.
    stageless_outcomes: IdSet,
    /// Refusals per source address within A065's window.
    bursts: RefusalBursts,
}

impl ReqState {
    /// The flags of the next event, which updates the state.
    pub(crate) fn advance(&mut self, key: &ReqKey) -> Flags {
        let mut f = Flags {
            first_of_request: matches!(
                key.stage,
                Stage::ResponseComplete | Stage::Panic | Stage::None
            ),
            ..Flags::default()
        };
        if let Some(sid) = &key.stream_id {
            match key.stage {
                Stage::ResponseStarted => {
                    if self.open_streams.len() >= MAX_OPEN_STREAMS {
                        self.open_streams.clear();
                    }
                    self.open_streams.insert(sid.clone());
                }
                Stage::ResponseComplete if key.code == Some(101) => {
                    f.start_not_logged = !self.open_streams.remove(sid);
                }
                _ => {}
            }
        }
        if let Some(id) = key.id {
            f.first_of_request = match key.stage {
                Stage::RequestReceived | Stage::ResponseStarted => {
                    insert_bounded(&mut self.pending, id)
                }
                Stage::ResponseComplete | Stage::Panic => !self.pending.remove(&id),
                Stage::None => {
                    let first = insert_bounded(&mut self.stageless, id);
                    f.stream_repeat = !first && key.pod_stream;
                    f.final_repeat =
                        key.code.is_some() && !insert_bounded(&mut self.stageless_outcomes, id);
                    first
                }
                Stage::Other => false,
            };
        }
        if let Some((ip, t)) = key.refusal {
            f.refusal_burst = self.bursts.observe_at(ip, t);
        }
        f
    }
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
        let mut body_resources: Vec<&'static str> = CHECKS
            .iter()
            .flat_map(|r| r.needs.body_of.iter().copied())
            .collect();
        body_resources.sort_unstable();
        body_resources.dedup();
        FileScanner {
            opts,
            enabled: CHECKS
                .iter()
                .map(|r| (r.precondition)(&opts.config).is_none())
                .collect(),
            body_resources,
            name,
            hint: Shape::Event,
            stats: Stats::default(),
            hits: vec![RuleHits::default(); CHECKS.len()],
            errors: Vec::new(),
            errors_not_listed: 0,
            in_items: false,
            hook: None,
            state: ReqState::default(),
            mode: Mode::Whole,
            unit: UnitPos::default(),
            stream: None,
        }
    }

    /// A scanner of one part of a file (see crate::par), starting with `hint`.
    pub(crate) fn for_part(name: Arc<str>, opts: &'o ScanOptions, hint: Shape) -> Self {
        let mut sc = FileScanner::new(name, opts);
        sc.mode = Mode::Part(Box::default());
        sc.hint = hint;
        sc
    }

    pub(crate) fn hint(&self) -> Shape {
        self.hint
    }

    pub(crate) fn set_hint(&mut self, hint: Shape) {
        self.hint = hint;
    }

    /// Decodes one unit of a part, found at `offset` of the file.
    pub(crate) fn part_unit(&mut self, bytes: &[u8], offset: u64, line: u64) {
        self.unit = UnitPos {
            offset,
            len: bytes.len(),
            hint: self.hint,
            sub: 0,
        };
        self.decode_unit(bytes, line);
    }

    /// What a part hands to the merge: statistics, listed errors (with lines within the part)
    /// and the events' log.
    pub(crate) fn finish_part(self) -> (Stats, Listed, u64, Box<PartLog>) {
        let log = match self.mode {
            Mode::Part(log) => log,
            _ => Box::default(),
        };
        (self.stats, self.errors, self.errors_not_listed, log)
    }

    /// Judges again the event `pos` points to, in `bytes` (its unit), with `flags`: its user
    /// and its matches with their samples.
    pub(crate) fn replay(
        name: Arc<str>,
        opts: &ScanOptions,
        bytes: &[u8],
        pos: &UnitPos,
        line: u64,
        flags: Flags,
    ) -> Replay {
        let mut sc = FileScanner::new(name, opts);
        sc.hint = pos.hint;
        sc.mode = Mode::Replay(Box::new(Replay {
            target: pos.sub,
            flags,
            ..Replay::default()
        }));
        sc.decode_unit(bytes, line);
        match sc.mode {
            Mode::Replay(r) => *r,
            _ => Replay::default(),
        }
    }

    /// A scanner judging one unit at a time for the stream detector.
    pub(crate) fn for_stream(opts: &'o ScanOptions, hooks: crate::stream::Hooks) -> Self {
        let mut sc = FileScanner::new(Arc::from("stream"), opts);
        sc.stream = Some(Box::new(hooks));
        sc
    }

    /// Decodes and judges one unit; the problems it had (each `kind: message`).
    pub(crate) fn stream_unit(&mut self, bytes: &[u8]) -> Vec<String> {
        self.decode_unit(bytes, 0);
        self.errors_not_listed = 0;
        std::mem::take(&mut self.errors)
            .into_iter()
            .map(|(_, m)| m)
            .collect()
    }

    pub(crate) fn stream_hooks(&mut self) -> Option<&mut crate::stream::Hooks> {
        self.stream.as_deref_mut()
    }

    pub(crate) fn stream_stats(&self) -> &Stats {
        &self.stats
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
        } else if let Some(names) = probe.envelope_names() {
            // An Azure record or row of another log (Activity log, AKSControlPlane…): unless
            // it claims to be an audit record, it is skipped and counted.
            if names.iter().any(|n| is_audit_category(n)) {
                self.error(
                    line,
                    "not an audit event",
                    "an audit-log record or row without the audit event (properties.log, log_s or AuditId)".into(),
                );
            } else {
                self.stats.non_audit_records += 1;
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
        if let Some(s) = self.stream.as_mut() {
            s.set_cluster(r.resource_id);
        }
        // A plain string borrows (the common case); escapes or the object form decode.
        let category: std::borrow::Cow<str> = match r.category.map(|c| {
            serde_json::from_str::<Str>(c.get())
                .ok()
                .map(|s| s.0)
                .or_else(|| envelope_name(c).map(Into::into))
        }) {
            None => "".into(),
            Some(Some(c)) => c,
            Some(None) => {
                return self.error(
                    line,
                    "wrong field type",
                    "AKS record category is neither a string nor {\"value\": string}".into(),
                );
            }
        };
        let category: &str = &category;
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
        let props_text: std::borrow::Cow<str> = if props.get().starts_with('"') {
            match serde_json::from_str::<String>(props.get()) {
                Ok(s) => s.into(),
                Err(_) => props.get().into(),
            }
        } else {
            props.get().into()
        };
        let cat = if category.is_empty() {
            "kube-audit (category not given)"
        } else {
            category
        };
        // The common case in one pass: `log` is JSON text, unescaped while `properties` is
        // read. Anything else takes the path below, which says what is wrong.
        if let Ok(RecordLog { log: Some(text) }) = serde_json::from_str::<RecordLog>(&props_text) {
            match serde_json::from_str::<Event>(&text) {
                Ok(ev) => self.on_event(&ev, line, SHAPE_RECORD, Some(cat)),
                Err(e) => self.json_error(line, "properties.log", &e),
            }
            return;
        }
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
        // JSON text as AKS writes it, or an object when a pipeline parsed it already.
        let log: std::borrow::Cow<str> = match serde_json::from_str::<Str>(log.get()) {
            Ok(text) => text.0,
            Err(_) if log.get().starts_with('{') => log.get().into(),
            Err(_) => {
                return self.error(
                    line,
                    "wrong field type",
                    "properties.log is neither JSON text nor an object".into(),
                );
            }
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
            // JSON text as Log Analytics returns it, or an object when a pipeline parsed it.
            let log: std::borrow::Cow<str> = match log {
                Value::String(text) => text.as_str().into(),
                Value::Object(_) => log.to_string().into(),
                _ => {
                    return self.error(
                        line,
                        "wrong field type",
                        "log_s is neither JSON text nor an object".into(),
                    );
                }
            };
            let cat = if category.is_empty() {
                "kube-audit (category not given)"
            } else {
                category
            };
            match serde_json::from_str::<Event>(&log) {
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
            Err(e) => return self.error(line, "wrong field type", e.to_string()),
        };
        self.stats.bodies_skipped += skipped;
        match serde_json::from_str::<Event>(&text) {
            Ok(ev) => self.on_event(&ev, line, SHAPE_AKSAUDIT, Some(&table)),
            Err(e) => self.json_error(line, "AKSAudit row", &e),
        }
    }

    fn on_event(&mut self, ev: &Event, line: u64, shape: &'static str, category: Option<&str>) {
        if let Some(s) = self.stream.as_mut()
            && !s.admit(ev)
        {
            return;
        }
        if let Mode::Replay(r) = &mut self.mode {
            let at = r.seen;
            r.seen += 1;
            if at == r.target {
                let mut view = EventView::new(ev);
                r.flags.apply(&mut view);
                r.user = Some(ev.username().to_string());
                for (i, rule) in CHECKS.iter().enumerate() {
                    if self.enabled[i]
                        && let Some(detail) = (rule.eval)(&view, &self.opts.config)
                    {
                        r.matches.push((i, sample(ev, &self.name, line, detail)));
                    }
                }
            }
            return;
        }
        self.count(ev, shape, category);
        if let Some(hook) = self.hook.as_mut() {
            hook(ev);
        }
        let key = ReqKey::of(ev);
        let flags = self.state.advance(&key);
        let mut view = EventView::new(ev);
        flags.apply(&mut view);
        let opts = self.opts;
        if let Mode::Part(log) = &mut self.mode {
            let enabled = &self.enabled;
            let judge = |view: &EventView, log: &mut PartLog| {
                let first = log.matches.len();
                for (i, rule) in CHECKS.iter().enumerate() {
                    if enabled[i] && (rule.eval)(view, &opts.config).is_some() {
                        log.matches.push(i as u16);
                    }
                }
                (first as u32, (log.matches.len() - first) as u16)
            };
            let matches = judge(&view, log);
            // Only long-running requests (watches, pod streams) are worth the second
            // judgement: they are the ones whose stages commonly fall in different parts.
            // Others are read again by the merge in the rare case it is needed.
            let long_running = key.pod_stream || ev.verb() == "watch";
            let alt = long_running
                .then(|| flags.if_begun_earlier(&key))
                .flatten()
                .map(|alt| {
                    alt.apply(&mut view);
                    (alt, judge(&view, log))
                });
            let n = usize::from(matches.1) + alt.map_or(0, |a| usize::from(a.1.1));
            let user = if n == 0 {
                0
            } else {
                let name = ev.username();
                match log.user_ids.get(name) {
                    Some(&u) => u,
                    None => {
                        let u = log.users.len() as u32;
                        log.users.push(name.into());
                        log.user_ids.insert(name.into(), u);
                        u
                    }
                }
            };
            log.events.push(EvRec {
                pos: UnitPos {
                    sub: self.unit.sub,
                    ..self.unit
                },
                line,
                key,
                flags,
                user,
                matches,
                alt,
            });
            self.unit.sub += 1;
            return;
        }
        for (i, rule) in CHECKS.iter().enumerate() {
            if !self.enabled[i] {
                continue;
            }
            if let Some(detail) = (rule.eval)(&view, &opts.config) {
                if let Some(s) = self.stream.as_mut() {
                    s.hit(i, &view, detail);
                    continue;
                }
                // The sample is built only when it is kept.
                if let Some(g) = self.hits[i].count_one(ev.username(), opts) {
                    g.samples.push(sample(ev, &self.name, line, detail));
                }
            }
        }
    }

    /// Statistics of one event.
    fn count(&mut self, ev: &Event, shape: &'static str, category: Option<&str>) {
        let st = &mut self.stats;
        let mut order = match &mut self.mode {
            Mode::Part(log) => Some(&mut log.order),
            _ => None,
        };
        let count_key = |order: &mut Option<&mut KeyOrder>,
                         map: &mut HashMap<String, u64>,
                         pick: fn(&mut KeyOrder) -> &mut Vec<String>,
                         key: &str| match order.as_deref_mut() {
            Some(o) => bump_ordered(map, pick(o), key),
            None => bump(map, key, 1),
        };
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
                None => match order.as_deref_mut() {
                    Some(o) => {
                        st.categories.insert(c.to_string(), 1);
                        o.categories.push(c.to_string());
                    }
                    None => {
                        if st.categories.len() < MAX_CATEGORIES {
                            st.categories.insert(c.to_string(), 1);
                        }
                    }
                },
            }
        }
        let t = ev.time();
        if !t.is_empty() {
            // In place: the buffers are reused, times grow with nearly every event.
            if st.first.is_empty() || t < st.first.as_str() {
                st.first.clear();
                st.first.push_str(t);
            }
            if t > st.last.as_str() {
                st.last.clear();
                st.last.push_str(t);
            }
        }
        count_key(&mut order, &mut st.users, |o| &mut o.users, ev.username());
        count_key(&mut order, &mut st.verbs, |o| &mut o.verbs, ev.verb());
        if ev.is_final() && ev.denied() {
            st.denied += 1;
            count_key(
                &mut order,
                &mut st.denied_users,
                |o| &mut o.denied_users,
                ev.username(),
            );
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
    }
}

fn id_hash(id: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

/// Inserts into a per-file set of request ids, starting it over past [`MAX_OPEN_STREAMS`]
/// (a request may then count twice, never be missed). Whether `id` was new.
fn insert_bounded(set: &mut IdSet, id: u64) -> bool {
    if set.len() >= MAX_OPEN_STREAMS && !set.contains(&id) {
        set.clear();
    }
    set.insert(id)
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

/// Why an AKSAudit row could not be rebuilt into an audit event (the text is the error's detail
/// in the report).
#[derive(Debug, thiserror::Error)]
pub enum RowError {
    #[error("column {column} holds invalid JSON: {source}")]
    InvalidJson {
        column: &'static str,
        source: serde_json::Error,
    },
    /// A dynamic column holding something else than JSON; `start` is its first characters.
    #[error("column {column} is not JSON: {start}")]
    NotJson { column: &'static str, start: String },
    #[error("{0}")]
    Encode(serde_json::Error),
}

/// Rebuild an audit Event (as JSON text) from an AKSAudit row.
fn row_to_event(row: &Map<String, Value>, skipped: &mut u64) -> Result<String, RowError> {
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
                    serde_json::from_str(t).map_err(|source| RowError::InvalidJson {
                        column: col,
                        source,
                    })?
                } else if *col == "SourceIps" {
                    Value::Array(
                        s.split(',')
                            .map(|x| Value::String(x.trim().to_string()))
                            .collect(),
                    )
                } else {
                    return Err(RowError::NotJson {
                        column: col,
                        start: format!("{s:.60}"),
                    });
                }
            }
            Value::String(s) if key.ends_with("Timestamp") => Value::String(normalize_time(s)),
            other => other.clone(),
        };
        out.insert((*key).to_string(), v);
    }
    serde_json::to_string(&out).map_err(RowError::Encode)
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
            let other_log = [
                "Category",
                "CategoryValue",
                "OperationNameValue",
                "OperationName",
                "Type",
            ]
            .iter()
            .filter_map(|k| row.get(*k).and_then(Value::as_str))
            .any(|n| !n.is_empty() && !is_audit_category(n));
            if other_log {
                self.stats.non_audit_records += 1;
                return;
            }
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
        hits: vec![RuleHits::default(); CHECKS.len()],
        errors: Vec::new(),
        errors_not_listed: 0,
        fatal: Some(why),
        parts: 1,
        rejudged: 0,
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
        parts: 1,
        rejudged: 0,
    }
}

fn scan_input(input: &Input, opts: &ScanOptions) -> FileScan {
    let name = input.display();
    match input {
        Input::Stdin => scan_reader(&name, std::io::stdin(), opts),
        // Regular files only: a FIFO would block and /dev/zero would never end.
        Input::Path(p) => match kubeward_core::input::open(p) {
            Ok(f) => match crate::par::scan_in_parts(&name, &f, opts) {
                Some(done) => done,
                // Positioned reads left the file at its start.
                None => scan_reader(&name, f, opts),
            },
            Err(e) => unreadable(&name, format!("cannot open: {e}")),
        },
        Input::Unreadable { reason, .. } => unreadable(&name, reason.clone()),
    }
}

/// Scan one file cut into parts of about [`ScanOptions::part_bytes`], scanned in parallel on
/// the current thread pool whatever its size. A file that is not cut (gzip, not JSON lines, no
/// larger than one part) is scanned from start to end. [`scan`] cuts large files by itself; this
/// is for comparing both ways.
pub fn scan_path_in_parts(path: &std::path::Path, opts: &ScanOptions) -> FileScan {
    let name = path.display().to_string();
    match kubeward_core::input::open(path) {
        Ok(f) => match crate::par::scan_parts(&name, &f, opts) {
            Some(done) => done,
            None => scan_reader(&name, f, opts),
        },
        Err(e) => unreadable(&name, format!("cannot open: {e}")),
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
    let mut hits = vec![RuleHits::default(); CHECKS.len()];
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
        matches_of("A001", log)
    }

    fn matches_of(code: &str, log: &str) -> u64 {
        let out = scan_reader("t.jsonl", log.as_bytes(), &ScanOptions::default());
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        let i = CHECKS.iter().position(|r| r.meta.code == code).unwrap();
        out.hits[i].total()
    }

    /// An exec by `user` running `cmd` (URI-encoded), at `stage` (`None`: an export without the
    /// field), with code 101 unless it is the RequestReceived stage.
    fn exec_by(id: &str, stage: Option<&str>, user: &str, cmd: &str) -> String {
        let mut ev: Value = serde_json::from_str(&exec_event(id, stage.unwrap_or("x"))).unwrap();
        let o = ev.as_object_mut().unwrap();
        match stage {
            None => {
                o.remove("stage");
            }
            Some("RequestReceived") => {
                o.remove("responseStatus");
            }
            Some(_) => {}
        }
        o.insert("user".into(), serde_json::json!({"username": user, "groups": ["system:masters", "system:authenticated"]}));
        o.insert(
            "requestURI".into(),
            format!("/api/v1/namespaces/shop/pods/web/exec?{cmd}&stdin=true").into(),
        );
        ev.to_string()
    }

    #[test]
    fn item1_stageless_exec_is_reported_by_a001_and_a002_once_per_request() {
        let token =
            "command=cat&command=%2Fvar%2Frun%2Fsecrets%2Fkubernetes.io%2Fserviceaccount%2Ftoken";
        let one = exec_by("s1", None, "alice@contoso.com", token);
        assert_eq!(matches_of("A001", &one), 1);
        assert_eq!(matches_of("A002", &one), 1);
        // An export that dropped the stage but kept the start and the end of one request.
        let twice = [
            one.clone(),
            one.clone(),
            exec_by("s2", None, "alice@contoso.com", token),
        ];
        assert_eq!(matches_of("A001", &twice.join("\n")), 2);
        assert_eq!(matches_of("A002", &twice.join("\n")), 2);
        // The copy without an outcome (RequestReceived's) comes first: counted once, and not
        // called refused.
        let mut start: Value =
            serde_json::from_str(&exec_by("s9", None, "alice@contoso.com", token)).unwrap();
        start.as_object_mut().unwrap().remove("responseStatus");
        let log = [
            start.to_string(),
            exec_by("s9", None, "alice@contoso.com", token),
        ]
        .join("\n");
        let out = scan_reader("t.jsonl", log.as_bytes(), &ScanOptions::default());
        let i = CHECKS.iter().position(|r| r.meta.code == "A001").unwrap();
        assert_eq!(out.hits[i].total(), 1);
        let detail = &out.hits[i].groups["alice@contoso.com"].samples[0].detail;
        assert!(!detail.contains("refused"), "{detail}");
        // An ordinary stage-less exec is A001's only, not A002's.
        let ls = exec_by("s3", None, "alice@contoso.com", "command=ls");
        assert_eq!(matches_of("A002", &ls), 0);
        assert_eq!(matches_of("A001", &ls), 1);
    }

    /// Item 1's class: every rule judging the outcome counts a stage-less request once, even
    /// when the export kept two copies of its outcome (a stream's ResponseStarted and
    /// ResponseComplete both carry 101; a watch's too).
    #[test]
    fn item1_stageless_copies_of_an_outcome_count_once() {
        let denied = |id: &str| {
            let mut ev: Value = serde_json::from_str(&exec_event(id, "x")).unwrap();
            let o = ev.as_object_mut().unwrap();
            o.remove("stage");
            o.insert("verb".into(), "list".into());
            o.insert(
                "objectRef".into(),
                serde_json::json!({"resource": "secrets", "namespace": "shop"}),
            );
            o.insert("responseStatus".into(), serde_json::json!({"code": 403}));
            o.insert(
                "annotations".into(),
                serde_json::json!({"authorization.k8s.io/decision": "forbid"}),
            );
            ev.to_string()
        };
        assert_eq!(
            matches_of("A031", &[denied("d1"), denied("d1")].join("\n")),
            1
        );
        assert_eq!(
            matches_of("A031", &[denied("d1"), denied("d2")].join("\n")),
            2
        );
    }

    /// Item 8: the scanner feeds A065's window, across users, from the events of a file.
    #[test]
    fn item8_refusal_burst_is_reported_through_the_scan() {
        let refusal = |i: u32, ip: &str| {
            let mut ev: Value =
                serde_json::from_str(&exec_event(&format!("r{i}"), "ResponseComplete")).unwrap();
            let o = ev.as_object_mut().unwrap();
            o.insert("verb".into(), "list".into());
            o.insert(
                "user".into(),
                serde_json::json!({"username": format!("probe{i}")}),
            );
            o.insert("sourceIPs".into(), serde_json::json!([ip]));
            o.insert(
                "objectRef".into(),
                serde_json::json!({"resource": "secrets", "namespace": "kube-system"}),
            );
            o.insert("responseStatus".into(), serde_json::json!({"code": 401}));
            o.insert(
                "stageTimestamp".into(),
                format!("2026-11-20T10:00:{:02}.000000Z", i).into(),
            );
            ev.to_string()
        };
        let one: Vec<String> = (0..20).map(|i| refusal(i, "198.51.100.9")).collect();
        assert_eq!(matches_of("A065", &one.join("\n")), 1);
        let spread: Vec<String> = (0..20)
            .map(|i| refusal(i, &format!("198.51.100.{}", i % 2)))
            .collect();
        assert_eq!(matches_of("A065", &spread.join("\n")), 0);
    }

    #[test]
    fn item6_local_admin_is_judged_on_the_first_logged_stage_once() {
        let ex = |id, stage| exec_by(id, stage, "masterclient", "command=sh");
        // Cut before its completion: RequestReceived and ResponseStarted only.
        let cut = [
            ex("m1", Some("RequestReceived")),
            ex("m1", Some("ResponseStarted")),
        ];
        assert_eq!(matches_of("A018", &cut.join("\n")), 1);
        // Only ResponseStarted.
        assert_eq!(matches_of("A018", &ex("m2", Some("ResponseStarted"))), 1);
        // Every stage logged: still one.
        let all = [
            ex("m3", Some("RequestReceived")),
            ex("m3", Some("ResponseStarted")),
            ex("m3", Some("ResponseComplete")),
        ];
        assert_eq!(matches_of("A018", &all.join("\n")), 1);
        // Only the completion; and a stage-less export repeating the request.
        assert_eq!(matches_of("A018", &ex("m4", Some("ResponseComplete"))), 1);
        assert_eq!(
            matches_of("A018", &[ex("m5", None), ex("m5", None)].join("\n")),
            1
        );
        // Two requests interleaved count twice.
        let two = [
            ex("m6", Some("RequestReceived")),
            ex("m7", Some("RequestReceived")),
            ex("m6", Some("ResponseComplete")),
            ex("m7", Some("ResponseStarted")),
        ];
        assert_eq!(matches_of("A018", &two.join("\n")), 2);
        // Nobody else is reported.
        assert_eq!(
            matches_of(
                "A018",
                &exec_by(
                    "m8",
                    Some("RequestReceived"),
                    "alice@contoso.com",
                    "command=sh"
                )
                .replace("system:masters", "dev")
            ),
            0
        );
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
