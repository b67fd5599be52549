//! The connectivity list: every allowed (source, destination, connections) triple between
//! workloads, external address ranges and the ingress controller, rendered in
//! netpol-analyzer-compatible txt, json, csv, md and dot.

use std::collections::{BTreeSet, HashMap};
use std::io::{self, Write};

use crate::conn::ConnSet;
use crate::engine::{Analysis, Endpoint, INGRESS_CONTROLLER, ip_range_name, ipv4_atoms};

/// What a row's endpoint is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerRef {
    Workload(usize),
    Ip(u128, u128),
    IngressController,
}

/// A computed connectivity list (compact: names and connection sets are interned).
#[derive(Debug, Clone, Default)]
pub struct ConnList {
    pub peers: Vec<(String, PeerRef)>,
    pub conns: Vec<ConnSet>,
    pub conn_text: Vec<String>,
    /// (source peer, destination peer, connection set), sorted by names.
    pub rows: Vec<(u32, u32, u32)>,
}

impl ConnList {
    pub fn src(&self, row: &(u32, u32, u32)) -> &str {
        &self.peers[row.0 as usize].0
    }
    pub fn dst(&self, row: &(u32, u32, u32)) -> &str {
        &self.peers[row.1 as usize].0
    }
    pub fn conn(&self, row: &(u32, u32, u32)) -> &str {
        &self.conn_text[row.2 as usize]
    }
    pub fn len(&self) -> usize {
        self.rows.len()
    }
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
    /// (src, dst, conn) triples as strings.
    pub fn triples(&self) -> Vec<(String, String, String)> {
        self.rows
            .iter()
            .map(|r| {
                (
                    self.src(r).to_string(),
                    self.dst(r).to_string(),
                    self.conn(r).to_string(),
                )
            })
            .collect()
    }
}

#[derive(Default)]
struct Interner {
    ids: HashMap<ConnSet, u32>,
    sets: Vec<ConnSet>,
    text: Vec<String>,
}

impl Interner {
    fn id(&mut self, c: ConnSet) -> u32 {
        if let Some(&i) = self.ids.get(&c) {
            return i;
        }
        let i = self.sets.len() as u32;
        self.text.push(c.render());
        self.sets.push(c.clone());
        self.ids.insert(c, i);
        i
    }
}

/// Compute the list. `extra_src_cuts`/`extra_dst_cuts` refine external ranges (used by diff so
/// both sides name the same ranges).
pub fn compute(
    a: &Analysis,
    extra_src_cuts: &BTreeSet<u128>,
    extra_dst_cuts: &BTreeSet<u128>,
) -> ConnList {
    let (mut src_cuts, mut dst_cuts) = a.ip_boundaries();
    src_cuts.extend(extra_src_cuts);
    dst_cuts.extend(extra_dst_cuts);
    let nwork = a.model.workloads.len();

    let mut peers: Vec<(String, PeerRef)> = Vec::new();
    let mut srcs: Vec<u32> = Vec::new();
    let mut dsts: Vec<u32> = Vec::new();
    for (wi, w) in a.model.workloads.iter().enumerate() {
        let id = peers.len() as u32;
        peers.push((w.display_name(), PeerRef::Workload(wi)));
        srcs.push(id);
        dsts.push(id);
    }
    if nwork > 0 {
        for (lo, hi) in ipv4_atoms(&src_cuts) {
            srcs.push(peers.len() as u32);
            peers.push((ip_range_name(lo, hi), PeerRef::Ip(lo, hi)));
        }
        for (lo, hi) in ipv4_atoms(&dst_cuts) {
            dsts.push(peers.len() as u32);
            peers.push((ip_range_name(lo, hi), PeerRef::Ip(lo, hi)));
        }
    }
    let exposed: HashMap<usize, &ConnSet> = a
        .model
        .ingress_exposure
        .iter()
        .map(|e| (e.workload, &e.conns))
        .collect();
    if !exposed.is_empty() {
        srcs.push(peers.len() as u32);
        peers.push((INGRESS_CONTROLLER.to_string(), PeerRef::IngressController));
    }
    srcs.sort_by(|x, y| peers[*x as usize].0.cmp(&peers[*y as usize].0));
    dsts.sort_by(|x, y| peers[*x as usize].0.cmp(&peers[*y as usize].0));

    let nclasses = a.classes.len();
    let mut interner = Interner::default();
    let empty = interner.id(ConnSet::none());
    const UNSET: u32 = u32::MAX;
    // dense pair cache while it stays small (≤ 64 Mi entries), a hash map beyond
    let dense = nclasses.checked_mul(nclasses).filter(|n| *n <= 64 << 20);
    let mut class_pairs = vec![UNSET; dense.unwrap_or(0)];
    let mut sparse_pairs: HashMap<(usize, usize), u32> = HashMap::new();
    let mut ip_pairs: HashMap<(bool, u128, u128, usize), u32> = HashMap::new();
    let mut rows = Vec::new();

    for &s in &srcs {
        let sref = peers[s as usize].1;
        for &d in &dsts {
            let dref = peers[d as usize].1;
            let id = match (sref, dref) {
                (PeerRef::Workload(sw), PeerRef::Workload(dw)) => {
                    if sw == dw {
                        continue;
                    }
                    let (sc, dc) = (a.class_of[sw], a.class_of[dw]);
                    if dense.is_some() {
                        let slot = &mut class_pairs[sc * nclasses + dc];
                        if *slot == UNSET {
                            *slot =
                                interner.id(a.allowed(Endpoint::Class(sc), Endpoint::Class(dc)));
                        }
                        *slot
                    } else {
                        *sparse_pairs.entry((sc, dc)).or_insert_with(|| {
                            interner.id(a.allowed(Endpoint::Class(sc), Endpoint::Class(dc)))
                        })
                    }
                }
                (PeerRef::Ip(lo, hi), PeerRef::Workload(dw)) => {
                    let dc = a.class_of[dw];
                    *ip_pairs.entry((true, lo, hi, dc)).or_insert_with(|| {
                        interner.id(a.allowed(Endpoint::Ip(lo, hi), Endpoint::Class(dc)))
                    })
                }
                (PeerRef::Workload(sw), PeerRef::Ip(lo, hi)) => {
                    let sc = a.class_of[sw];
                    *ip_pairs.entry((false, lo, hi, sc)).or_insert_with(|| {
                        interner.id(a.allowed(Endpoint::Class(sc), Endpoint::Ip(lo, hi)))
                    })
                }
                (PeerRef::IngressController, PeerRef::Workload(dw)) => {
                    let Some(ports) = exposed.get(&dw) else {
                        continue;
                    };
                    let ic = a.ingress_controller_class;
                    let c = a
                        .allowed(Endpoint::Class(ic), Endpoint::Class(a.class_of[dw]))
                        .intersect(ports);
                    interner.id(c)
                }
                _ => continue,
            };
            if id != empty {
                rows.push((s, d, id));
            }
        }
    }
    ConnList {
        peers,
        conns: interner.sets,
        conn_text: interner.text,
        rows,
    }
}

/// Output formats of the connectivity list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Txt,
    Json,
    Csv,
    Md,
    Dot,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "txt" | "text" => Some(Format::Txt),
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            "md" | "markdown" => Some(Format::Md),
            "dot" => Some(Format::Dot),
            _ => None,
        }
    }
}

/// Quote a CSV field when needed (RFC 4180).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// Write rows as txt lines.
pub fn write_txt(out: &mut dyn Write, rows: &[(String, String, String)]) -> io::Result<()> {
    for (i, (s, d, c)) in rows.iter().enumerate() {
        if i > 0 {
            out.write_all(b"\n")?;
        }
        write!(out, "{s} => {d} : {c}")?;
    }
    Ok(())
}

/// Render the plain list in a format.
pub fn render(list: &ConnList, format: Format, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Txt => {
            for (i, r) in list.rows.iter().enumerate() {
                if i > 0 {
                    out.write_all(b"\n")?;
                }
                write!(out, "{} => {} : {}", list.src(r), list.dst(r), list.conn(r))?;
            }
            Ok(())
        }
        Format::Json => {
            let rows = list.triples();
            write_json_rows(out, &rows, "", "src", "dst")
        }
        Format::Csv => {
            out.write_all(b"src,dst,conn")?;
            for r in &list.rows {
                write!(
                    out,
                    "\n{},{},{}",
                    csv_field(list.src(r)),
                    csv_field(list.dst(r)),
                    csv_field(list.conn(r))
                )?;
            }
            Ok(())
        }
        Format::Md => {
            out.write_all(b"| src | dst | conn |\n|-----|-----|------|")?;
            for r in &list.rows {
                write!(
                    out,
                    "\n| {} | {} | {} |",
                    list.src(r),
                    list.dst(r),
                    list.conn(r)
                )?;
            }
            Ok(())
        }
        Format::Dot => {
            let rows = list.triples();
            write_dot(out, &rows, &[])
        }
    }
}

/// `[ {src,dst,conn}, … ]` with 2-space indentation (nested by `indent`).
pub fn write_json_rows(
    out: &mut dyn Write,
    rows: &[(String, String, String)],
    indent: &str,
    first: &str,
    second: &str,
) -> io::Result<()> {
    if rows.is_empty() {
        return out.write_all(b"[]");
    }
    out.write_all(b"[")?;
    for (i, (s, d, c)) in rows.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        write!(
            out,
            "\n{indent}  {{\n{indent}    \"{first}\": {},\n{indent}    \"{second}\": {},\n{indent}    \"conn\": {}\n{indent}  }}",
            json_string(s),
            json_string(d),
            json_string(c)
        )?;
    }
    write!(out, "\n{indent}]")
}

/// A node of the dot graph that stands for a set of pods rather than a workload (exposure).
#[derive(Debug, Clone)]
pub struct DotExtraNode {
    pub id: String,
    pub label: String,
    /// Namespace subgraph it belongs to, if any.
    pub namespace: Option<String>,
    pub diamond: bool,
}

fn dot_cluster(ns: &str) -> String {
    format!("cluster_{}[namespace]", ns.replace('-', "_"))
}

/// Render rows as a graphviz digraph grouped by namespace.
pub fn write_dot(
    out: &mut dyn Write,
    edges: &[(String, String, String)],
    extra: &[DotExtraNode],
) -> io::Result<()> {
    let extra_ids: BTreeSet<&str> = extra.iter().map(|e| e.id.as_str()).collect();
    let mut nodes: BTreeSet<&str> = BTreeSet::new();
    for (s, d, _) in edges {
        nodes.insert(s);
        nodes.insert(d);
    }
    let mut by_ns: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    let mut others: Vec<&str> = Vec::new();
    for n in &nodes {
        if extra_ids.contains(n) {
            continue;
        }
        if n.ends_with("[External]") || *n == INGRESS_CONTROLLER {
            others.push(n);
        } else if let Some((ns, _)) = n.split_once('/') {
            by_ns.entry(ns).or_default().push(n);
        } else {
            others.push(n);
        }
    }
    writeln!(out, "digraph {{")?;
    for (ns, list) in &by_ns {
        writeln!(out, "\tsubgraph \"{}\" {{", dot_cluster(ns))?;
        writeln!(out, "\t\tcolor=\"black\"\n\t\tfontcolor=\"black\"")?;
        for n in list {
            let label = n.split_once('/').map_or(*n, |(_, r)| r);
            writeln!(
                out,
                "\t\t\"{n}\" [label=\"{label}\" color=\"blue\" fontcolor=\"blue\"]"
            )?;
        }
        writeln!(out, "\t\tlabel=\"{ns}[namespace]\"\n\t}}")?;
    }
    let mut extra_by_ns: std::collections::BTreeMap<&str, Vec<&DotExtraNode>> = Default::default();
    for e in extra {
        if !nodes.contains(e.id.as_str()) {
            continue;
        }
        if let Some(ns) = &e.namespace {
            extra_by_ns.entry(ns).or_default().push(e);
        }
    }
    for (ns, list) in &extra_by_ns {
        writeln!(out, "\tsubgraph \"{}\" {{", dot_cluster(ns))?;
        writeln!(out, "\t\tcolor=\"red2\"\n\t\tfontcolor=\"red2\"")?;
        for e in list {
            writeln!(
                out,
                "\t\t\"{}\" [label=\"{}\" color=\"red2\" fontcolor=\"red2\"]",
                e.id, e.label
            )?;
        }
        writeln!(out, "\t\tlabel=\"{ns}[namespace]\"\n\t}}")?;
    }
    for n in &others {
        let color = if *n == INGRESS_CONTROLLER {
            "blue"
        } else {
            "red2"
        };
        writeln!(
            out,
            "\t\"{n}\" [label=\"{n}\" color=\"{color}\" fontcolor=\"{color}\"]"
        )?;
    }
    for e in extra {
        if e.namespace.is_none() && nodes.contains(e.id.as_str()) {
            let shape = if e.diamond { " shape=diamond" } else { "" };
            writeln!(
                out,
                "\t\"{}\" [label=\"{}\" color=\"red2\" fontcolor=\"red2\"{shape}]",
                e.id, e.label
            )?;
        }
    }
    for (s, d, c) in edges {
        let weight = if s < d { "0.5" } else { "1" };
        writeln!(
            out,
            "\t\"{s}\" -> \"{d}\" [label=\"{c}\" color=\"gold2\" fontcolor=\"darkgreen\" weight={weight}]"
        )?;
    }
    write!(out, "}}")
}
