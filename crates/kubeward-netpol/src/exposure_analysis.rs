//! Exposure analysis in netpol-analyzer's shape (`list --exposure`): which workloads a pod that
//! does not exist yet could reach or be reached from (the entire cluster, or pods matching a
//! rule's selectors), external ranges, and workloads no NetworkPolicy protects.

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::conn::ConnSet;
use crate::connlist::{ConnList, DotExtraNode, Format, PeerRef, csv_field, write_json_rows};
use crate::engine::{Analysis, Direction};
use crate::model::{Action, AdminPeer, AdminRule, NS_NAME_LABEL, Peer};
use crate::selector::{Operator, Selector};

pub const ENTIRE_CLUSTER: &str = "entire-cluster";

/// A potential peer described by selectors.
#[derive(Debug, Clone)]
pub struct Representative {
    /// Canonical form: equivalent selectors give the same key.
    pub key: String,
    /// `hello-world`, `all namespaces` or `namespace with {…}` (no brackets)
    pub ns: String,
    /// the namespace is a name (not a bracketed description)
    pub ns_is_name: bool,
    /// `all pods` or `pod with {…}`
    pub pods: String,
}

impl PartialEq for Representative {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for Representative {}
impl PartialOrd for Representative {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Representative {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key.cmp(&other.key)
    }
}

impl Representative {
    pub fn display(&self) -> String {
        let ns = if self.ns_is_name {
            self.ns.clone()
        } else {
            format!("[{}]", self.ns)
        };
        format!("{ns}/[{}]", self.pods)
    }
    pub fn dot_id(&self) -> String {
        format!("{}_in_{}", self.pods, self.ns)
    }
}

/// Go-style rendering of a label selector: `{a=b,{Key:k,Operator:In,Values:[x y],}}`.
pub fn selector_text(s: &Selector) -> String {
    render_selector(s, false)
}

fn selector_text_with(s: &Selector, canonical: bool) -> String {
    if !canonical {
        return render_selector(s, false);
    }
    let mut s = s.clone();
    let mut rest = Vec::new();
    for r in std::mem::take(&mut s.expressions) {
        if r.op == Operator::In && r.values.len() == 1 {
            s.match_labels.push((r.key.clone(), r.values[0].clone()));
        } else {
            rest.push(r);
        }
    }
    s.expressions = rest;
    render_selector(&s, true)
}

/// With `sorted`, value lists are ordered too (a key for recognising equivalent selectors).
fn render_selector(s: &Selector, sorted: bool) -> String {
    let mut labels: Vec<String> = s
        .match_labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    labels.sort();
    let mut exprs: Vec<&crate::selector::Requirement> = s.expressions.iter().collect();
    exprs.sort_by(|a, b| a.key.cmp(&b.key));
    let mut parts = labels;
    for r in exprs {
        parts.push(format!(
            "{{Key:{},Operator:{},Values:[{}],}}",
            r.key,
            r.op.as_str(),
            {
                let mut v = r.values.clone();
                if sorted {
                    v.sort();
                    v.dedup();
                }
                v.join(" ")
            }
        ));
    }
    format!("{{{}}}", parts.join(","))
}

fn only_match_labels(s: &Selector) -> bool {
    s.expressions.is_empty() && !s.match_labels.is_empty()
}

/// The namespace a selector names by `kubernetes.io/metadata.name` alone.
fn named_namespace(s: &Selector) -> Option<&str> {
    if s.match_labels.len() == 1 && s.expressions.is_empty() && s.match_labels[0].0 == NS_NAME_LABEL
    {
        return Some(&s.match_labels[0].1);
    }
    if s.match_labels.is_empty() && s.expressions.len() == 1 {
        let r = &s.expressions[0];
        if r.key == NS_NAME_LABEL && r.op == Operator::In && r.values.len() == 1 {
            return Some(&r.values[0]);
        }
    }
    None
}

/// None = the entire cluster.
fn representative(
    ns_sel: Option<&Selector>,
    pod_sel: Option<&Selector>,
    policy_ns: &str,
) -> Option<Representative> {
    let pods_all = pod_sel.is_none_or(Selector::is_empty);
    let (ns, ns_is_name, ns_key) = match ns_sel {
        None => (policy_ns.to_string(), true, policy_ns.to_string()),
        Some(s) if s.is_empty() => {
            if pods_all {
                return None;
            }
            ("all namespaces".to_string(), false, "*".to_string())
        }
        Some(s) => match named_namespace(s) {
            Some(n) => (n.to_string(), true, n.to_string()),
            None => (
                format!("namespace with {}", selector_text(s)),
                false,
                selector_text_with(s, true),
            ),
        },
    };
    let (pods, pod_key) = match pod_sel {
        Some(s) if !s.is_empty() => (
            format!("pod with {}", selector_text(s)),
            selector_text_with(s, true),
        ),
        _ => ("all pods".to_string(), "*".to_string()),
    };
    Some(Representative {
        key: format!("{ns_key}\u{0}{pod_key}"),
        ns,
        ns_is_name,
        pods,
    })
}

/// Exposure of one workload in one direction.
#[derive(Debug, Clone, Default)]
pub struct WorkloadExposure {
    pub entire_cluster: ConnSet,
    pub peers: BTreeMap<Representative, ConnSet>,
}

/// Per workload (model index): (egress, ingress) exposure; unprotected directions.
#[derive(Debug, Clone, Default)]
pub struct Exposure {
    pub egress: BTreeMap<usize, WorkloadExposure>,
    pub ingress: BTreeMap<usize, WorkloadExposure>,
    pub unprotected: Vec<(usize, Direction)>,
}

/// Which representative a rule peer stands for (None: the entire cluster).
fn np_peer_key(p: &Peer, policy_ns: &str) -> Option<Option<Representative>> {
    match p {
        Peer::Pods { namespaces, pods } => Some(representative(
            namespaces.as_ref(),
            pods.as_ref(),
            policy_ns,
        )),
        Peer::Ip(_) => None,
    }
}

fn admin_peer_key(p: &AdminPeer) -> Option<Option<Representative>> {
    match p {
        AdminPeer::Namespaces(s) => Some(representative(Some(s), None, "")),
        AdminPeer::Pods { namespaces, pods } => {
            Some(representative(Some(namespaces), Some(pods), ""))
        }
        _ => None,
    }
}

/// Does a rule peer match the potential peer `target` (None = a pod anywhere in the cluster)?
/// A selector matches a potential pod only when it is the same selector or selects everything.
fn key_matches(peer: &Option<Representative>, target: Option<&Representative>) -> bool {
    match (peer, target) {
        (None, _) => true,
        (Some(p), Some(t)) => p.key == t.key,
        (Some(_), None) => false,
    }
}

/// The connections an admin or baseline rule covers towards the potential peer `target`, or
/// None when no peer of the rule can be it (an unknown peer fails closed for Deny and Pass).
fn admin_rule_potential(
    a: &Analysis,
    r: &AdminRule,
    target: Option<&Representative>,
    dst: Option<usize>,
) -> Option<ConnSet> {
    let hit = r.peers.iter().any(|peer| match peer {
        AdminPeer::Unknown => r.action != Action::Allow,
        other => admin_peer_key(other).is_some_and(|k| key_matches(&k, target)),
    });
    hit.then(|| a.resolve_ports_keeping_names(r.ports.as_deref().unwrap_or(&[]), dst, true))
}

/// Adds the potential peers that admin or baseline `rules` name by selector and that no real
/// pod stands for.
fn add_admin_candidates(
    a: &Analysis,
    rules: &[AdminRule],
    candidates: &mut BTreeMap<String, Representative>,
) {
    for r in rules {
        for peer in &r.peers {
            if let Some(Some(rep)) = admin_peer_key(peer)
                && !matches!(peer, AdminPeer::Pods { namespaces, pods } if matched_by_real_pod(a, Some(namespaces), Some(pods), ""))
            {
                candidates.entry(rep.key.clone()).or_insert(rep);
            }
        }
    }
}

/// Connections between workload class `c` and a potential peer, through all policy tiers.
fn potential(a: &Analysis, c: usize, dir: Direction, target: Option<&Representative>) -> ConnSet {
    let dst = match dir {
        Direction::Ingress => Some(c),
        Direction::Egress => None,
    };
    let mut allowed = ConnSet::none();
    let mut undecided = ConnSet::all();
    let mut passed = ConnSet::none();
    for (ai, p) in a.model.admin.iter().enumerate() {
        if !a.admin_subject(Some(ai), c) {
            continue;
        }
        let rules = match dir {
            Direction::Ingress => &p.ingress,
            Direction::Egress => &p.egress,
        };
        for r in rules {
            let Some(ports) = admin_rule_potential(a, r, target, dst) else {
                continue;
            };
            let c2 = ports.intersect(&undecided);
            match r.action {
                Action::Allow => allowed.union_with(&c2),
                Action::Deny => {}
                Action::Pass => passed.union_with(&c2),
            }
            undecided = undecided.subtract(&c2);
        }
    }
    let remaining = undecided.union(&passed);
    let pols = a.policies_selecting(c, dir);
    if !pols.is_empty() {
        let mut np_allowed = ConnSet::none();
        for &pi in pols {
            let np = &a.model.netpols[pi];
            let rules = match dir {
                Direction::Ingress => &np.ingress,
                Direction::Egress => &np.egress,
            };
            for r in rules {
                let hit = r.peers.is_empty()
                    || r.peers.iter().any(|peer| {
                        np_peer_key(peer, &np.namespace).is_some_and(|k| {
                            key_matches(&k, target)
                                && !matches!(peer, Peer::Pods { namespaces, pods } if k.is_some() && matched_by_real_pod(a, namespaces.as_ref(), pods.as_ref(), &np.namespace))
                        })
                    });
                if hit {
                    np_allowed.union_with(&a.resolve_ports_keeping_names(&r.ports, dst, true));
                }
            }
        }
        allowed.union_with(&remaining.intersect(&np_allowed));
        return allowed;
    }
    let mut rest = remaining;
    if let Some(b) = &a.model.baseline
        && a.admin_subject(None, c)
    {
        let rules = match dir {
            Direction::Ingress => &b.ingress,
            Direction::Egress => &b.egress,
        };
        for r in rules {
            let Some(ports) = admin_rule_potential(a, r, target, dst) else {
                continue;
            };
            let c2 = ports.intersect(&rest);
            if r.action == Action::Allow {
                allowed.union_with(&c2);
            }
            rest = rest.subtract(&c2);
        }
    }
    allowed.union_with(&rest);
    allowed
}

/// Compute exposure to pods that may exist beyond the inputs.
pub fn compute(a: &Analysis) -> Exposure {
    MATCHED.with(|m| m.borrow_mut().clear());
    let mut exp = Exposure::default();
    // exposure depends only on the pod class: compute once per class and direction
    let mut per_class: std::collections::HashMap<(usize, Direction), (WorkloadExposure, bool)> =
        std::collections::HashMap::new();
    // equivalent selectors are shown as first written
    let mut first_seen: BTreeMap<String, Representative> = BTreeMap::new();
    for np in &a.model.netpols {
        for r in np.ingress.iter().chain(&np.egress) {
            for p in &r.peers {
                if let Some(Some(rep)) = np_peer_key(p, &np.namespace) {
                    first_seen.entry(rep.key.clone()).or_insert(rep);
                }
            }
        }
    }
    for p in a.model.admin.iter().chain(&a.model.baseline) {
        for r in p.ingress.iter().chain(&p.egress) {
            for peer in &r.peers {
                if let Some(Some(rep)) = admin_peer_key(peer) {
                    first_seen.entry(rep.key.clone()).or_insert(rep);
                }
            }
        }
    }
    for (wi, _w) in a.model.workloads.iter().enumerate() {
        let c = a.class_of[wi];
        for dir in [Direction::Egress, Direction::Ingress] {
            if let Some((we, unprotected)) = per_class.get(&(c, dir)) {
                if *unprotected {
                    exp.unprotected.push((wi, dir));
                }
                match dir {
                    Direction::Egress => exp.egress.insert(wi, we.clone()),
                    Direction::Ingress => exp.ingress.insert(wi, we.clone()),
                };
                continue;
            }
            let mut we = WorkloadExposure::default();
            let admin_rules = a.model.admin.iter().enumerate().any(|(ai, p)| {
                a.admin_subject(Some(ai), c)
                    && !match dir {
                        Direction::Ingress => &p.ingress,
                        Direction::Egress => &p.egress,
                    }
                    .is_empty()
            }) || a.model.baseline.as_ref().is_some_and(|b| {
                a.admin_subject(None, c)
                    && !match dir {
                        Direction::Ingress => &b.ingress,
                        Direction::Egress => &b.egress,
                    }
                    .is_empty()
            });
            let unprotected = !a.isolated(c, dir) && !admin_rules;
            if unprotected {
                exp.unprotected.push((wi, dir));
            }
            // candidate potential peers: every selector of a rule that applies to the workload
            let mut candidates: BTreeMap<String, Representative> = BTreeMap::new();
            for &pi in a.policies_selecting(c, dir) {
                let np = &a.model.netpols[pi];
                let rules = match dir {
                    Direction::Ingress => &np.ingress,
                    Direction::Egress => &np.egress,
                };
                for r in rules {
                    for p in &r.peers {
                        if let Some(Some(rep)) = np_peer_key(p, &np.namespace)
                            && !matches!(p, Peer::Pods { namespaces, pods } if matched_by_real_pod(a, namespaces.as_ref(), pods.as_ref(), &np.namespace))
                        {
                            candidates.entry(rep.key.clone()).or_insert(rep);
                        }
                    }
                }
            }
            for (ai, p) in a.model.admin.iter().enumerate() {
                if !a.admin_subject(Some(ai), c) {
                    continue;
                }
                let rules = match dir {
                    Direction::Ingress => &p.ingress,
                    Direction::Egress => &p.egress,
                };
                add_admin_candidates(a, rules, &mut candidates);
            }
            if let Some(b) = &a.model.baseline
                && a.admin_subject(None, c)
            {
                let rules = match dir {
                    Direction::Ingress => &b.ingress,
                    Direction::Egress => &b.egress,
                };
                add_admin_candidates(a, rules, &mut candidates);
            }
            we.entire_cluster = potential(a, c, dir, None);
            for (key, rep) in candidates {
                let conns = potential(a, c, dir, Some(&rep));
                if conns == we.entire_cluster {
                    continue;
                }
                let shown = first_seen.get(&key).cloned().unwrap_or(rep);
                we.peers.insert(shown, conns);
            }
            per_class.insert((c, dir), (we.clone(), unprotected));
            match dir {
                Direction::Egress => exp.egress.insert(wi, we),
                Direction::Ingress => exp.ingress.insert(wi, we),
            };
        }
    }
    exp
}

/// A rule peer given by plain labels that an existing workload satisfies is a real connection,
/// not an exposure.
fn matched_by_real_pod(
    a: &Analysis,
    ns_sel: Option<&Selector>,
    pod_sel: Option<&Selector>,
    policy_ns: &str,
) -> bool {
    let Some(pods) = pod_sel.filter(|s| only_match_labels(s)) else {
        return false;
    };
    if let Some(ns) = ns_sel
        && !only_match_labels(ns)
    {
        return false;
    }
    let key = format!(
        "{}\u{0}{}\u{0}{policy_ns}",
        ns_sel.map(|s| render_selector(s, true)).unwrap_or_default(),
        render_selector(pods, true)
    );
    if let Some(hit) = MATCHED.with(|m| m.borrow().get(&key).copied()) {
        return hit;
    }
    let hit = matched_by_real_pod_uncached(a, ns_sel, pods, policy_ns);
    MATCHED.with(|m| m.borrow_mut().insert(key, hit));
    hit
}

thread_local! {
    /// Per-analysis memo of [`matched_by_real_pod`] (cleared at the start of [`compute`]).
    static MATCHED: std::cell::RefCell<std::collections::HashMap<String, bool>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

fn matched_by_real_pod_uncached(
    a: &Analysis,
    ns_sel: Option<&Selector>,
    pods: &Selector,
    policy_ns: &str,
) -> bool {
    a.model.workloads.iter().any(|w| {
        let ns_ok = match ns_sel {
            None => w.namespace == policy_ns,
            Some(s) => a
                .model
                .namespaces
                .get(&w.namespace)
                .is_some_and(|l| s.matches(l)),
        };
        ns_ok && pods.matches(&w.labels)
    })
}

type Row = (String, String, String);

struct Sections {
    egress: Vec<Row>,
    /// (workload, peer, conn)
    ingress: Vec<Row>,
    unprotected: Vec<String>,
    extra_nodes: Vec<DotExtraNode>,
}

fn sections(a: &Analysis, list: &ConnList, exp: &Exposure) -> Sections {
    let mut egress = Vec::new();
    let mut ingress = Vec::new();
    let mut extra: BTreeMap<String, DotExtraNode> = BTreeMap::new();
    let names: Vec<String> = a.model.workloads.iter().map(|w| w.display_name()).collect();
    // external ranges are listed for workloads that have some cluster exposure (either way)
    let has = |map: &BTreeMap<usize, WorkloadExposure>, w: usize| {
        map.get(&w)
            .is_some_and(|we| !we.entire_cluster.is_empty() || !we.peers.is_empty())
    };
    let exposed = |_: &BTreeMap<usize, WorkloadExposure>, w: usize| {
        has(&exp.egress, w) || has(&exp.ingress, w)
    };
    for r in &list.rows {
        match (list.peers[r.0 as usize].1, list.peers[r.1 as usize].1) {
            (PeerRef::Workload(w), PeerRef::Ip(..)) if exposed(&exp.egress, w) => egress.push((
                list.src(r).to_string(),
                list.dst(r).to_string(),
                list.conn(r).to_string(),
            )),
            (PeerRef::Ip(..), PeerRef::Workload(w)) if exposed(&exp.ingress, w) => ingress.push((
                list.dst(r).to_string(),
                list.src(r).to_string(),
                list.conn(r).to_string(),
            )),
            _ => {}
        }
    }
    for (map, out) in [(&exp.egress, &mut egress), (&exp.ingress, &mut ingress)] {
        for (wi, we) in map {
            if !we.entire_cluster.is_empty() {
                out.push((
                    names[*wi].clone(),
                    ENTIRE_CLUSTER.to_string(),
                    we.entire_cluster.render(),
                ));
                extra.insert(
                    ENTIRE_CLUSTER.to_string(),
                    DotExtraNode {
                        id: ENTIRE_CLUSTER.to_string(),
                        label: ENTIRE_CLUSTER.to_string(),
                        namespace: None,
                        diamond: true,
                    },
                );
            }
            for (rep, c) in &we.peers {
                out.push((names[*wi].clone(), rep.display(), c.render()));
                extra.insert(
                    rep.display(),
                    DotExtraNode {
                        id: rep.dot_id(),
                        label: rep.pods.clone(),
                        namespace: Some(rep.ns.clone()),
                        diamond: false,
                    },
                );
            }
        }
    }
    egress.sort();
    ingress.sort();
    let mut unprotected: Vec<String> = exp
        .unprotected
        .iter()
        .map(|(wi, d)| format!("{} is not protected on {}", names[*wi], d.as_str()))
        .collect();
    unprotected.sort();
    Sections {
        egress,
        ingress,
        unprotected,
        extra_nodes: extra.into_values().collect(),
    }
}

/// Render the connectivity list followed by the exposure analysis.
pub fn render(
    a: &Analysis,
    list: &ConnList,
    format: Format,
    out: &mut dyn Write,
) -> io::Result<()> {
    let exp = compute(a);
    let s = sections(a, list, &exp);
    match format {
        Format::Txt => {
            crate::connlist::render(list, Format::Txt, out)?;
            if !list.is_empty() {
                out.write_all(b"\n\n")?;
            }
            let width = s
                .egress
                .iter()
                .chain(&s.ingress)
                .map(|r| r.0.len())
                .max()
                .unwrap_or(0);
            let mut parts: Vec<String> = Vec::new();
            let mut head = String::from("Exposure Analysis Result:");
            if !s.egress.is_empty() {
                head.push_str("\nEgress Exposure:");
                for (w, p, c) in &s.egress {
                    head.push_str(&format!("\n{w:<width$} \t=> \t{p} : {c}"));
                }
            }
            parts.push(head);
            if !s.ingress.is_empty() {
                let mut sec = String::from("Ingress Exposure:");
                for (w, p, c) in &s.ingress {
                    sec.push_str(&format!("\n{w:<width$} \t<= \t{p} : {c}"));
                }
                parts.push(sec);
            }
            if !s.unprotected.is_empty() {
                let mut sec = String::from("Workloads not protected by network policies:");
                for l in &s.unprotected {
                    sec.push('\n');
                    sec.push_str(l);
                }
                parts.push(sec);
            }
            out.write_all(parts.join("\n\n").as_bytes())
        }
        Format::Csv => {
            crate::connlist::render(list, Format::Csv, out)?;
            out.write_all(b"\nExposure Analysis Result:,,")?;
            if !s.egress.is_empty() {
                out.write_all(b"\nEgress Exposure:,,\nsrc,dst,conn")?;
                for (w, p, c) in &s.egress {
                    write!(out, "\n{},{},{}", csv_field(w), csv_field(p), csv_field(c))?;
                }
            }
            if !s.ingress.is_empty() {
                out.write_all(b"\nIngress Exposure:,,\ndst,src,conn")?;
                for (w, p, c) in &s.ingress {
                    write!(out, "\n{},{},{}", csv_field(w), csv_field(p), csv_field(c))?;
                }
            }
            Ok(())
        }
        Format::Md => {
            crate::connlist::render(list, Format::Md, out)?;
            out.write_all(b"\n## Exposure Analysis Result:")?;
            if !s.egress.is_empty() {
                out.write_all(
                    b"\n### Egress Exposure:\n| src | dst | conn |\n|-----|-----|------|",
                )?;
                for (w, p, c) in &s.egress {
                    write!(out, "\n| {w} | {p} | {c} |")?;
                }
                out.write_all(b"\n")?;
            }
            if !s.ingress.is_empty() {
                out.write_all(
                    b"\n### Ingress Exposure:\n| dst | src | conn |\n|-----|-----|------|",
                )?;
                for (w, p, c) in &s.ingress {
                    write!(out, "\n| {w} | {p} | {c} |")?;
                }
            }
            Ok(())
        }
        Format::Json => {
            out.write_all(b"{\n  \"connlist_results\": ")?;
            write_json_rows(out, &list.triples(), "  ", "src", "dst")?;
            out.write_all(b",\n  \"exposure_results\": {\n    \"egress_exposure\": ")?;
            if s.egress.is_empty() {
                out.write_all(b"null")?;
            } else {
                write_json_rows(out, &s.egress, "    ", "src", "dst")?;
            }
            out.write_all(b",\n    \"ingress_exposure\": ")?;
            let ingress: Vec<Row> = s
                .ingress
                .iter()
                .map(|(w, p, c)| (p.clone(), w.clone(), c.clone()))
                .collect();
            if ingress.is_empty() {
                out.write_all(b"null")?;
            } else {
                write_json_rows(out, &ingress, "    ", "src", "dst")?;
            }
            out.write_all(b"\n  }\n}")
        }
        Format::Dot => {
            let mut edges = list.triples();
            let id_of = |peer: &str| -> String {
                s.extra_nodes
                    .iter()
                    .find(|e| e.label == peer || e.id == peer)
                    .map(|e| e.id.clone())
                    .unwrap_or_else(|| peer.to_string())
            };
            let rep_ids: BTreeMap<String, String> = exp
                .egress
                .values()
                .chain(exp.ingress.values())
                .flat_map(|we| we.peers.keys())
                .map(|r| (r.display(), r.dot_id()))
                .collect();
            let resolve = |p: &str| rep_ids.get(p).cloned().unwrap_or_else(|| id_of(p));
            for (w, p, c) in &s.egress {
                if p != w && !p.ends_with("[External]") {
                    edges.push((w.clone(), resolve(p), c.clone()));
                }
            }
            for (w, p, c) in &s.ingress {
                if !p.ends_with("[External]") {
                    edges.push((resolve(p), w.clone(), c.clone()));
                }
            }
            crate::connlist::write_dot(out, &edges, &s.extra_nodes)
        }
    }
}
