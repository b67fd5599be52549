//! Connectivity diff between two sets of manifests (netpol-analyzer `diff` compatible text).
//! External ranges are refined over both configurations so both sides name the same ranges.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use kubeward_inventory::Inventory;

use crate::connlist::{self, ConnList, csv_field};
use crate::engine::{Analysis, Engine, INGRESS_CONTROLLER, Options};
use crate::error::NetpolError;
use crate::model::Model;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DiffType {
    Changed,
    Added,
    Removed,
}

impl DiffType {
    pub fn as_str(self) -> &'static str {
        match self {
            DiffType::Changed => "changed",
            DiffType::Added => "added",
            DiffType::Removed => "removed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffLine {
    pub kind: DiffType,
    pub src: String,
    pub dst: String,
    pub ref1: String,
    pub ref2: String,
    /// `workload X added` / `workload X and Y removed`
    pub workloads_info: Option<String>,
}

/// Compute the diff between two models.
pub fn diff(old: &Model, new: &Model, engine: Engine) -> Vec<DiffLine> {
    let opts = Options {
        engine,
        ..Default::default()
    };
    let a1 = Analysis::new(old, opts.clone());
    let a2 = Analysis::new(new, opts);
    let (s1, d1) = a1.ip_boundaries();
    let (s2, d2) = a2.ip_boundaries();
    let srcs: BTreeSet<u128> = s1.union(&s2).copied().collect();
    let dsts: BTreeSet<u128> = d1.union(&d2).copied().collect();
    let l1 = connlist::compute(&a1, &srcs, &dsts);
    let l2 = connlist::compute(&a2, &srcs, &dsts);
    let w1: BTreeSet<String> = old.workloads.iter().map(|w| w.display_name()).collect();
    let w2: BTreeSet<String> = new.workloads.iter().map(|w| w.display_name()).collect();
    let m1 = as_map(&l1);
    let m2 = as_map(&l2);
    let mut lines = Vec::new();
    let info = |names: &[&str], set_missing: &BTreeSet<String>, verb: &str| -> Option<String> {
        let missing: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| is_workload(n) && !set_missing.contains(*n))
            .collect();
        match missing.as_slice() {
            [] => None,
            [one] => Some(format!("workload {one} {verb}")),
            [a, b, ..] => Some(format!("workload {a} and {b} {verb}")),
        }
    };
    for (k, c1) in &m1 {
        match m2.get(k) {
            Some(c2) if c2 != c1 => lines.push(DiffLine {
                kind: DiffType::Changed,
                src: k.0.clone(),
                dst: k.1.clone(),
                ref1: c1.clone(),
                ref2: c2.clone(),
                workloads_info: None,
            }),
            Some(_) => {}
            None => lines.push(DiffLine {
                kind: DiffType::Removed,
                src: k.0.clone(),
                dst: k.1.clone(),
                ref1: c1.clone(),
                ref2: "No Connections".into(),
                workloads_info: info(&[&k.0, &k.1], &w2, "removed"),
            }),
        }
    }
    for (k, c2) in &m2 {
        if !m1.contains_key(k) {
            lines.push(DiffLine {
                kind: DiffType::Added,
                src: k.0.clone(),
                dst: k.1.clone(),
                ref1: "No Connections".into(),
                ref2: c2.clone(),
                workloads_info: info(&[&k.0, &k.1], &w1, "added"),
            });
        }
    }
    let mut lines = merge_ip_ranges(lines);
    lines.sort_by(|a, b| {
        let ica = a.src == INGRESS_CONTROLLER;
        let icb = b.src == INGRESS_CONTROLLER;
        (ica, a.kind, render_txt(a)).cmp(&(icb, b.kind, render_txt(b)))
    });
    lines
}

fn parse_range(name: &str) -> Option<(u32, u32)> {
    let r = name.strip_suffix("[External]")?;
    let (a, b) = r.split_once('-')?;
    let a: std::net::Ipv4Addr = a.parse().ok()?;
    let b: std::net::Ipv4Addr = b.parse().ok()?;
    Some((u32::from(a), u32::from(b)))
}

/// Adjacent external ranges with the same change on the same workload become one range.
fn merge_ip_ranges(lines: Vec<DiffLine>) -> Vec<DiffLine> {
    type Key = (bool, DiffType, String, String, String, Option<String>);
    let mut groups: BTreeMap<Key, Vec<(u32, u32)>> = BTreeMap::new();
    let mut out = Vec::new();
    for l in lines {
        if let Some(r) = parse_range(&l.src) {
            groups
                .entry((true, l.kind, l.dst, l.ref1, l.ref2, l.workloads_info))
                .or_default()
                .push(r);
        } else if let Some(r) = parse_range(&l.dst) {
            groups
                .entry((false, l.kind, l.src, l.ref1, l.ref2, l.workloads_info))
                .or_default()
                .push(r);
        } else {
            out.push(l);
        }
    }
    for ((ip_is_src, kind, other, ref1, ref2, info), mut ranges) in groups {
        ranges.sort();
        let mut merged: Vec<(u32, u32)> = Vec::new();
        for (lo, hi) in ranges {
            match merged.last_mut() {
                Some(last) if last.1.checked_add(1) == Some(lo) => last.1 = hi,
                _ => merged.push((lo, hi)),
            }
        }
        for (lo, hi) in merged {
            let ip = crate::engine::ip_range_name(lo as u128, hi as u128);
            let (src, dst) = if ip_is_src {
                (ip, other.clone())
            } else {
                (other.clone(), ip)
            };
            out.push(DiffLine {
                kind,
                src,
                dst,
                ref1: ref1.clone(),
                ref2: ref2.clone(),
                workloads_info: info.clone(),
            });
        }
    }
    out
}

fn is_workload(name: &str) -> bool {
    name != INGRESS_CONTROLLER && !name.ends_with("[External]")
}

fn as_map(l: &ConnList) -> BTreeMap<(String, String), String> {
    l.rows
        .iter()
        .map(|r| {
            (
                (l.src(r).to_string(), l.dst(r).to_string()),
                l.conn(r).to_string(),
            )
        })
        .collect()
}

fn render_txt(l: &DiffLine) -> String {
    let mut s = format!(
        "diff-type: {}, source: {}, destination: {}, ref1: {}, ref2: {}",
        l.kind.as_str(),
        l.src,
        l.dst,
        l.ref1,
        l.ref2
    );
    if let Some(i) = &l.workloads_info {
        s.push_str(", workloads-diff-info: ");
        s.push_str(i);
    }
    s
}

/// Render diff lines as txt, csv, md or json.
pub fn render(lines: &[DiffLine], format: &str) -> Result<String, NetpolError> {
    let mut out = Vec::new();
    let w = &mut out;
    match format {
        "txt" | "text" => {
            if !lines.is_empty() {
                write!(w, "Connectivity diff:")?;
                for l in lines {
                    write!(w, "\n{}", render_txt(l))?;
                }
            }
        }
        "csv" => {
            write!(
                w,
                "diff-type,source,destination,ref1,ref2,workloads-diff-info"
            )?;
            for l in lines {
                write!(
                    w,
                    "\n{},{},{},{},{},{}",
                    l.kind.as_str(),
                    csv_field(&l.src),
                    csv_field(&l.dst),
                    csv_field(&l.ref1),
                    csv_field(&l.ref2),
                    csv_field(l.workloads_info.as_deref().unwrap_or(""))
                )?;
            }
        }
        "md" => {
            write!(
                w,
                "| diff-type | source | destination | ref1 | ref2 | workloads-diff-info |\n|-----------|--------|-------------|------|------|---------------------|"
            )?;
            for l in lines {
                write!(
                    w,
                    "\n| {} | {} | {} | {} | {} | {} |",
                    l.kind.as_str(),
                    l.src,
                    l.dst,
                    l.ref1,
                    l.ref2,
                    l.workloads_info.as_deref().unwrap_or("")
                )?;
            }
        }
        "json" => {
            let v: Vec<serde_json::Value> = lines
                .iter()
                .map(|l| {
                    serde_json::json!({
                        "diff-type": l.kind.as_str(),
                        "source": l.src,
                        "destination": l.dst,
                        "ref1": l.ref1,
                        "ref2": l.ref2,
                        "workloads-diff-info": l.workloads_info.clone().unwrap_or_default(),
                    })
                })
                .collect();
            let s = serde_json::to_string_pretty(&v)?;
            w.extend_from_slice(s.as_bytes());
        }
        other => {
            return Err(NetpolError::UnknownDiffFormat(other.to_string()));
        }
    }
    Ok(String::from_utf8(out)?)
}

pub fn diff_text(
    old: &Inventory,
    new: &Inventory,
    format: &str,
    engine: Engine,
) -> Result<String, NetpolError> {
    let m1 = Model::build(old);
    let m2 = Model::build(new);
    render(&diff(&m1, &m2, engine), format)
}
