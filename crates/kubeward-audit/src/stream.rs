//! Detection on a stream: a [`Detector`] is fed one unit at a time (one JSON document: an audit
//! Event, an EventList, an AKS resource-log record or an Event Hubs body `{"records": [...]}`)
//! and returns the alerts it raised. It decodes with the scan's own decoder and runs the scan's
//! rules with the scan's per-request state, so a unit gives the alerts `audit scan` would have
//! reported for it. On top of the scan it adds what a stream needs:
//!
//! - redeliveries (at-least-once sources) are recognised by (auditID, stage) among the last
//!   [`StreamOptions::dedup_capacity`] events and skipped;
//! - rules that report an identity's repeated activity rather than one event ([`WINDOWED`])
//!   alert the first match of an identity and fold the others that fall in the same window
//!   (`--window`, measured on event times), so a stream of refusals gives one alert per window,
//!   with the count of the folded ones carried by the next alert.
//!
//! Memory is bounded whatever the stream's length: every set and map here has a fixed cap.

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{Hash, Hasher};

use serde::Serialize;
use serde_json::value::RawValue;

use crate::event::EventView;
use crate::rules::CHECKS;
use crate::scan::{FileScanner, ScanOptions};

/// Rules that judge an identity's repeated activity: alerted once per identity and window.
/// A065 (refusal bursts from one address) keeps its own fixed 60-second window and threshold,
/// as in `audit scan`, and alerts each burst.
pub const WINDOWED: &[&str] = &["A030", "A031"];

/// Rules whose state spans several events, with the span each uses (documentation and
/// `--help`).
pub const MULTI_EVENT: &[(&str, &str)] = &[
    (
        "A030",
        "per identity over --window: first match alerted, the rest folded",
    ),
    (
        "A031",
        "per identity over --window: first match alerted, the rest folded",
    ),
    (
        "A065",
        "per source address over the rule's fixed 60 s: each burst of 20 refusals alerted",
    ),
    (
        "A001/A003",
        "a stream's start remembered until its completion (the completion stands for an unlogged start)",
    ),
    (
        "A018/A069",
        "a request judged on its first logged stage, remembered until its completion",
    ),
];

/// Groups of a windowed rule followed at once; past it, matches alert unfolded.
const MAX_GROUPS: usize = 10_000;

#[derive(Debug, Clone)]
pub struct StreamOptions {
    pub scan: ScanOptions,
    /// The window of the rules in [`WINDOWED`], in seconds.
    pub window_secs: u64,
    /// (auditID, stage) pairs remembered to recognise redeliveries.
    pub dedup_capacity: usize,
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions {
            scan: ScanOptions::default(),
            window_secs: 15 * 60,
            dedup_capacity: 500_000,
        }
    }
}

/// One alert: a rule's match on one event.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Alert {
    /// The event's stageTimestamp (or requestReceivedTimestamp), as logged.
    pub time: String,
    pub code: &'static str,
    pub name: &'static str,
    pub severity: &'static str,
    pub status: &'static str,
    pub user: String,
    pub source_ip: String,
    pub verb: String,
    /// `resource` or `resource/subresource`.
    pub resource: String,
    pub namespace: Option<String>,
    pub object_name: Option<String>,
    pub audit_id: String,
    pub stage: String,
    /// The AKS record's resourceId (the cluster), when the event came in one.
    pub cluster: Option<String>,
    pub message: String,
}

/// What one unit gave.
#[derive(Debug, Default)]
pub struct Fed {
    pub alerts: Vec<Alert>,
    /// Why (part of) the unit could not be used: each `kind: message`.
    pub problems: Vec<String>,
    /// Events decoded from the unit, redeliveries not counted.
    pub events: u64,
}

/// Running totals.
#[derive(Debug, Default, Clone)]
pub struct Counters {
    pub units: u64,
    pub events: u64,
    pub duplicates: u64,
    /// Earlier stages read after their request's completion (skipped: the completion stood
    /// for them).
    pub late_stages: u64,
    pub malformed_units: u64,
    /// Matches of the windowed rules folded into an earlier alert, by rule code.
    pub folded: HashMap<&'static str, u64>,
    /// Records of other logs (not audit) skipped.
    pub non_audit: u64,
}

/// The stream state the scanner calls into (see scan.rs `FileScanner::for_stream`).
pub(crate) struct Hooks {
    dedup: Dedup,
    /// Requests whose completion was read: an earlier stage arriving after it (stages split
    /// across Kafka partitions) was already stood for by the completion, and is skipped.
    completed: Dedup,
    late_stages: u64,
    cluster: Option<String>,
    alerts: Vec<Alert>,
    windowed: Vec<bool>,
    window_ns: i128,
    /// Latest event time seen: the clock of the windows (out-of-order events do not move it back).
    watermark: i128,
    groups: HashMap<(usize, String), Group>,
    folded: HashMap<&'static str, u64>,
    /// `folded` changed since the detector last copied it.
    folded_changed: bool,
    duplicates: u64,
}

struct Group {
    start: i128,
    folded: u64,
}

impl Hooks {
    /// Whether the event is new (not a redelivery).
    pub(crate) fn admit(&mut self, ev: &crate::event::Event) -> bool {
        if ev.audit_id().is_empty() {
            return true;
        }
        if !self.dedup.insert(ev.audit_id(), ev.stage()) {
            self.duplicates += 1;
            return false;
        }
        match ev.stage() {
            "ResponseComplete" | "Panic" => {
                self.completed.insert(ev.audit_id(), "");
                true
            }
            "RequestReceived" | "ResponseStarted" if self.completed.contains(ev.audit_id(), "") => {
                self.late_stages += 1;
                false
            }
            _ => true,
        }
    }

    pub(crate) fn set_cluster(&mut self, raw: Option<&RawValue>) {
        self.cluster = raw.and_then(|r| serde_json::from_str::<String>(r.get()).ok());
    }

    pub(crate) fn hit(&mut self, rule: usize, v: &EventView, mut detail: String) {
        let r = CHECKS[rule];
        if self.windowed[rule] {
            let now = nanos(v.time());
            if let Some(t) = now {
                self.watermark = self.watermark.max(t);
            }
            match self.fold(rule, v.username(), now) {
                Fold::Folded => {
                    *self.folded.entry(r.meta.code).or_default() += 1;
                    self.folded_changed = true;
                    return;
                }
                Fold::Alert(0) => {}
                Fold::Alert(n) => {
                    detail.push_str(&format!(
                        " ({n} more by this identity in the previous window were folded)"
                    ));
                }
            }
        }
        let resource = if v.subresource().is_empty() {
            v.resource().to_string()
        } else {
            format!("{}/{}", v.resource(), v.subresource())
        };
        let name = match v.name() {
            "" if v.verb() == "create" && v.subresource().is_empty() => v
                .object()
                .map(|o| crate::rules::str_at(o, "/metadata/name").to_string())
                .unwrap_or_default(),
            n => n.to_string(),
        };
        let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
        self.alerts.push(Alert {
            time: v.time().to_string(),
            code: r.meta.code,
            name: r.meta.name,
            severity: r.meta.severity.as_str(),
            status: r.on_match.as_str(),
            user: v.username().to_string(),
            source_ip: v.source_ip(),
            verb: v.verb().to_string(),
            resource,
            namespace: some(v.namespace()),
            object_name: some(&name),
            audit_id: v.audit_id().to_string(),
            stage: v.stage().to_string(),
            cluster: self.cluster.clone(),
            message: detail,
        });
    }

    /// Folds a windowed rule's match into its identity's open group, or opens one (returning
    /// how many the previous group folded).
    fn fold(&mut self, rule: usize, user: &str, now: Option<i128>) -> Fold {
        // Without a time the match cannot be placed in a window: alerted.
        let Some(now) = now else {
            return Fold::Alert(0);
        };
        let key = (rule, user.to_string());
        if let Some(g) = self.groups.get_mut(&key) {
            // Events out of order by up to the window still fall in the group.
            if self.watermark - g.start < self.window_ns && now >= g.start - self.window_ns {
                g.folded += 1;
                return Fold::Folded;
            }
            let before = g.folded;
            g.start = now;
            g.folded = 0;
            return Fold::Alert(before);
        }
        if self.groups.len() >= MAX_GROUPS {
            let (w, win) = (self.watermark, self.window_ns);
            self.groups.retain(|_, g| w - g.start < win);
        }
        if self.groups.len() < MAX_GROUPS {
            self.groups.insert(
                key,
                Group {
                    start: now,
                    folded: 0,
                },
            );
        }
        Fold::Alert(0)
    }
}

enum Fold {
    Folded,
    Alert(u64),
}

fn nanos(t: &str) -> Option<i128> {
    let t = time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()?;
    Some(t.unix_timestamp_nanos())
}

/// The last `cap` (auditID, stage) pairs, by 64-bit hash (a collision among half a million
/// events is far less likely than a redelivery).
struct Dedup {
    set: HashSet<u64>,
    order: VecDeque<u64>,
    cap: usize,
}

impl Dedup {
    fn new(cap: usize) -> Self {
        Dedup {
            set: HashSet::new(),
            order: VecDeque::new(),
            cap: cap.max(1),
        }
    }
    fn key(id: &str, stage: &str) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        id.hash(&mut h);
        stage.hash(&mut h);
        h.finish()
    }
    fn contains(&self, id: &str, stage: &str) -> bool {
        self.set.contains(&Self::key(id, stage))
    }
    /// Whether the pair was not among the remembered ones (it is remembered from now on).
    fn insert(&mut self, id: &str, stage: &str) -> bool {
        let k = Self::key(id, stage);
        if !self.set.insert(k) {
            return false;
        }
        self.order.push_back(k);
        if self.order.len() > self.cap
            && let Some(old) = self.order.pop_front()
        {
            self.set.remove(&old);
        }
        true
    }
}

/// Judges units one at a time.
pub struct Detector<'o> {
    scanner: FileScanner<'o>,
    counters: Counters,
}

impl<'o> Detector<'o> {
    pub fn new(opts: &'o StreamOptions) -> Self {
        let hooks = Hooks {
            dedup: Dedup::new(opts.dedup_capacity),
            completed: Dedup::new(opts.dedup_capacity / 4),
            late_stages: 0,
            cluster: None,
            alerts: Vec::new(),
            windowed: CHECKS
                .iter()
                .map(|r| WINDOWED.contains(&r.meta.code))
                .collect(),
            window_ns: i128::from(opts.window_secs.max(1)) * 1_000_000_000,
            watermark: i128::MIN,
            groups: HashMap::new(),
            folded: HashMap::new(),
            folded_changed: false,
            duplicates: 0,
        };
        Detector {
            scanner: FileScanner::for_stream(&opts.scan, hooks),
            counters: Counters::default(),
        }
    }

    /// Decodes and judges one unit. Blank units are skipped; a unit that cannot be used is
    /// counted and its problems returned, never an error.
    pub fn feed(&mut self, bytes: &[u8]) -> Fed {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Fed::default();
        }
        self.counters.units += 1;
        let before = self.scanner.stream_stats().events;
        let non_audit = self.scanner.stream_stats().non_audit_records;
        if let Some(h) = self.scanner.stream_hooks() {
            h.cluster = None;
        }
        let problems = self.scanner.stream_unit(bytes);
        let st = self.scanner.stream_stats();
        let events = st.events - before;
        self.counters.non_audit += st.non_audit_records - non_audit;
        self.counters.events += events;
        if !problems.is_empty() {
            self.counters.malformed_units += 1;
        }
        let mut alerts = Vec::new();
        if let Some(h) = self.scanner.stream_hooks() {
            alerts = std::mem::take(&mut h.alerts);
            self.counters.duplicates = h.duplicates;
            self.counters.late_stages = h.late_stages;
            if h.folded_changed {
                self.counters.folded.clone_from(&h.folded);
                h.folded_changed = false;
            }
        }
        Fed {
            alerts,
            problems,
            events,
        }
    }

    pub fn counters(&self) -> &Counters {
        &self.counters
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exec(id: &str, stage: &str, code: Option<u16>) -> String {
        let status = code
            .map(|c| format!(r#","responseStatus":{{"metadata":{{}},"code":{c}}}"#))
            .unwrap_or_default();
        format!(
            r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{id}","stage":"{stage}","requestURI":"/api/v1/namespaces/prod/pods/web-1/exec?command=sh&container=web&stdin=true&tty=true","verb":"create","user":{{"username":"alice@example.com","groups":["system:authenticated"]}},"sourceIPs":["203.0.113.7"],"objectRef":{{"resource":"pods","namespace":"prod","name":"web-1","apiVersion":"v1","subresource":"exec"}}{status},"requestReceivedTimestamp":"2026-12-07T02:10:00.000000Z","stageTimestamp":"2026-12-07T02:10:00.100000Z","annotations":{{"authorization.k8s.io/decision":"allow"}}}}"#
        )
    }

    fn refusal(id: &str, user: &str, second: u32) -> String {
        format!(
            r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{id}","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/kube-system/secrets","verb":"list","user":{{"username":"{user}"}},"sourceIPs":["198.51.100.{}"],"objectRef":{{"resource":"secrets","namespace":"kube-system","apiVersion":"v1"}},"responseStatus":{{"metadata":{{}},"code":403}},"stageTimestamp":"2026-12-07T02:{:02}:{:02}.000000Z","annotations":{{"authorization.k8s.io/decision":"forbid"}}}}"#,
            second % 200,
            second / 60 % 60,
            second % 60
        )
    }

    fn codes(fed: &Fed) -> Vec<&str> {
        fed.alerts.iter().map(|a| a.code).collect()
    }

    #[test]
    fn exec_alerts_once_across_stages_and_redeliveries() {
        let opts = StreamOptions::default();
        let mut d = Detector::new(&opts);
        let started = d.feed(exec("e1", "ResponseStarted", Some(101)).as_bytes());
        assert_eq!(codes(&started), vec!["A001"]);
        let a = &started.alerts[0];
        assert_eq!(a.user, "alice@example.com");
        assert_eq!(a.source_ip, "203.0.113.7");
        assert_eq!(a.resource, "pods/exec");
        assert_eq!(a.namespace.as_deref(), Some("prod"));
        assert_eq!(a.object_name.as_deref(), Some("web-1"));
        assert_eq!(a.stage, "ResponseStarted");
        assert_eq!(a.severity, "medium");
        assert_eq!(a.status, "WARN");
        assert_eq!(a.cluster, None);
        // The completion of the same stream and a redelivered start: nothing new.
        let done = d.feed(exec("e1", "ResponseComplete", Some(101)).as_bytes());
        assert!(done.alerts.is_empty(), "{:?}", done.alerts);
        let again = d.feed(exec("e1", "ResponseStarted", Some(101)).as_bytes());
        assert!(again.alerts.is_empty());
        assert_eq!(d.counters().duplicates, 1);
        assert_eq!(d.counters().events, 2);
    }

    #[test]
    fn completion_without_a_logged_start_stands_for_it() {
        let opts = StreamOptions::default();
        let mut d = Detector::new(&opts);
        let fed = d.feed(exec("e2", "ResponseComplete", Some(101)).as_bytes());
        assert_eq!(codes(&fed), vec!["A001"]);
        // Its start arriving late (another partition) is not a second exec.
        let late = d.feed(exec("e2", "ResponseStarted", Some(101)).as_bytes());
        assert!(late.alerts.is_empty(), "{:?}", late.alerts);
        assert_eq!(d.counters().late_stages, 1);
    }

    #[test]
    fn local_admin_is_alerted_once_whatever_the_order_of_its_stages() {
        let admin = |stage: &str, code: &str| {
            format!(
                r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"adm1","stage":"{stage}","requestURI":"/api/v1/namespaces","verb":"list","user":{{"username":"masterclient","groups":["system:masters","system:authenticated"]}},"sourceIPs":["203.0.113.9"],"objectRef":{{"resource":"namespaces","apiVersion":"v1"}}{code},"stageTimestamp":"2026-12-07T02:11:00.000000Z"}}"#
            )
        };
        let done = r#","responseStatus":{"metadata":{},"code":200}"#;
        for order in [[0, 1], [1, 0]] {
            let opts = StreamOptions::default();
            let mut d = Detector::new(&opts);
            let units = [
                admin("RequestReceived", ""),
                admin("ResponseComplete", done),
            ];
            let mut a018 = 0;
            for i in order {
                a018 += d
                    .feed(units[i].as_bytes())
                    .alerts
                    .iter()
                    .filter(|a| a.code == "A018")
                    .count();
            }
            assert_eq!(a018, 1, "order {order:?}");
        }
    }

    #[test]
    fn event_hubs_body_gives_each_record_with_its_cluster() {
        let cluster = "/SUBSCRIPTIONS/0000/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/AKS1";
        let rec = |id: &str| {
            serde_json::json!({
                "time": "2026-12-07T02:10:00.1Z", "resourceId": cluster,
                "category": "kube-audit", "operationName": "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read",
                "properties": {"log": exec(id, "ResponseStarted", Some(101)), "stream": "stdout", "pod": "kube-apiserver-x"}
            })
        };
        let body = serde_json::json!({"records": [rec("r1"), rec("r2"), rec("r1")]}).to_string();
        let opts = StreamOptions::default();
        let mut d = Detector::new(&opts);
        let fed = d.feed(body.as_bytes());
        assert_eq!(codes(&fed), vec!["A001", "A001"]);
        assert_eq!(fed.events, 2);
        assert!(
            fed.alerts
                .iter()
                .all(|a| a.cluster.as_deref() == Some(cluster))
        );
        assert_eq!(d.counters().duplicates, 1);
        // A plain event after it has no cluster.
        let plain = d.feed(exec("r3", "ResponseStarted", Some(101)).as_bytes());
        assert_eq!(plain.alerts[0].cluster, None);
    }

    #[test]
    fn eventlist_items_are_judged() {
        let list = format!(
            r#"{{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{{}},"items":[{},{}]}}"#,
            exec("l1", "ResponseStarted", Some(101)),
            exec("l2", "ResponseStarted", Some(101))
        );
        let opts = StreamOptions::default();
        let mut d = Detector::new(&opts);
        let fed = d.feed(list.as_bytes());
        assert_eq!(fed.alerts.len(), 2);
        assert_eq!(fed.alerts[1].audit_id, "l2");
    }

    #[test]
    fn malformed_units_are_counted_and_the_next_is_judged() {
        let opts = StreamOptions::default();
        let mut d = Detector::new(&opts);
        let bad = d.feed(br#"{"auditID": "x", "verb": "#);
        assert!(bad.alerts.is_empty());
        assert_eq!(bad.problems.len(), 1, "{:?}", bad.problems);
        assert!(
            bad.problems[0].starts_with("truncated"),
            "{:?}",
            bad.problems
        );
        let wrong = d.feed(br#"{"auditID": 7, "verb": "get"}"#);
        assert_eq!(wrong.problems.len(), 1);
        assert!(d.feed(b"   ").problems.is_empty());
        let good = d.feed(exec("ok", "ResponseStarted", Some(101)).as_bytes());
        assert_eq!(good.alerts.len(), 1);
        assert_eq!(d.counters().malformed_units, 2);
        assert_eq!(d.counters().units, 3);
    }

    #[test]
    fn refusals_alert_once_per_identity_and_window() {
        let opts = StreamOptions {
            window_secs: 600,
            ..StreamOptions::default()
        };
        let mut d = Detector::new(&opts);
        let mut a031 = Vec::new();
        // 5 refusals for mallory within 40 s, one out of order, then one 20 min later.
        for (i, s) in [0u32, 10, 30, 20, 40, 1240].iter().enumerate() {
            let fed = d.feed(refusal(&format!("m{i}"), "mallory", *s).as_bytes());
            a031.extend(fed.alerts.into_iter().filter(|a| a.code == "A031"));
        }
        // Another identity in the same window is alerted on its own.
        let fed = d.feed(refusal("o1", "oscar", 50).as_bytes());
        a031.extend(fed.alerts.into_iter().filter(|a| a.code == "A031"));
        let ids: Vec<_> = a031.iter().map(|a| a.audit_id.as_str()).collect();
        assert_eq!(ids, vec!["m0", "m5", "o1"]);
        assert!(a031[1].message.contains("4 more"), "{}", a031[1].message);
        assert_eq!(d.counters().folded.get("A031"), Some(&4));
    }

    #[test]
    fn refusal_burst_from_one_address_is_alerted_once() {
        let opts = StreamOptions::default();
        let mut d = Detector::new(&opts);
        let mut bursts = 0;
        for i in 0..25u32 {
            // Every refusal from one address, each by another identity.
            let line = refusal(&format!("b{i}"), &format!("u{i}"), i)
                .replace(&format!("198.51.100.{}", i % 200), "198.51.100.99");
            bursts += d
                .feed(line.as_bytes())
                .alerts
                .iter()
                .filter(|a| a.code == "A065")
                .count();
        }
        assert_eq!(bursts, 1);
    }

    #[test]
    fn dedup_forgets_beyond_its_capacity() {
        let mut dd = Dedup::new(2);
        assert!(dd.insert("a", "ResponseComplete"));
        assert!(dd.insert("a", "RequestReceived"));
        assert!(!dd.insert("a", "ResponseComplete"));
        assert!(dd.insert("b", "ResponseComplete"));
        // "a"/ResponseComplete fell out of the window: it is new again.
        assert!(dd.insert("a", "ResponseComplete"));
        assert_eq!(dd.set.len(), 2);
    }

    /// The bundled AKS storage blob, line by line (and redelivered whole), gives exactly what
    /// `audit scan` reports for it: per rule, alerts (plus folded matches of windowed rules)
    /// equal the scan's matching events.
    #[test]
    fn stream_agrees_with_the_scan_on_the_example_blob() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/audit/PT1H.json"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let opts = StreamOptions::default();
        let scanned = crate::scan::scan(&[crate::scan::Input::Path(path.into())], &opts.scan);
        let mut d = Detector::new(&opts);
        let mut got: HashMap<&str, u64> = HashMap::new();
        for _ in 0..2 {
            for line in text.lines() {
                let fed = d.feed(line.as_bytes());
                assert!(fed.problems.is_empty(), "{:?}", fed.problems);
                for a in fed.alerts {
                    assert!(
                        a.cluster
                            .as_deref()
                            .is_some_and(|c| c.contains("MANAGEDCLUSTERS"))
                    );
                    *got.entry(a.code).or_default() += 1;
                }
            }
        }
        for (code, n) in &d.counters().folded {
            *got.entry(code).or_default() += n;
        }
        let mut total = 0;
        for (rule, hits) in CHECKS.iter().zip(&scanned.hits) {
            let want = hits.total();
            total += want;
            assert_eq!(
                got.get(rule.meta.code).copied().unwrap_or(0),
                want,
                "{}",
                rule.meta.code
            );
        }
        assert!(total > 10, "the example exercises the rules: {total}");
        assert_eq!(d.counters().events, scanned.stats.events);
        assert_eq!(d.counters().duplicates, scanned.stats.events);
    }

    #[test]
    fn windowed_rules_exist() {
        for code in WINDOWED {
            assert!(CHECKS.iter().any(|r| r.meta.code == *code), "{code}");
        }
    }
}
