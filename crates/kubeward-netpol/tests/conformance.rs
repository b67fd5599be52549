//! Runs every netpol-analyzer case listed in the shared conformance data (connlist in each listed
//! format, exposure, diff) and compares as the data's README prescribes. Divergences are allowed
//! only when listed, with a reason, in `tests/conformance-divergences.tsv`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use kubeward_netpol::output::{self, ListRequest};

fn data_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("KUBEWARD_CONFORMANCE_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance"),
    };
    let netpol = dir.join("netpol");
    if netpol.join("cases.tsv").is_file() {
        Some(netpol)
    } else {
        None
    }
}

fn strip_newlines(s: &str) -> String {
    s.chars().filter(|c| *c != '\n' && *c != '\r').collect()
}

fn parse_csv(s: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
        } else {
            match c {
                '"' => quoted = true,
                ',' => row.push(std::mem::take(&mut field)),
                '\r' => {}
                '\n' => {
                    row.push(std::mem::take(&mut field));
                    rows.push(std::mem::take(&mut row));
                }
                _ => field.push(c),
            }
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows.retain(|r| !(r.len() == 1 && r[0].is_empty()));
    rows
}

/// Node ids and (src, dst, label) edges of a dot graph.
fn parse_dot(s: &str) -> (BTreeSet<String>, BTreeSet<(String, String, String)>) {
    let mut nodes = BTreeSet::new();
    let mut edges = BTreeSet::new();
    for line in s.lines() {
        let t = line.trim();
        if !t.starts_with('"') {
            continue;
        }
        let quoted: Vec<&str> = t.split('"').collect();
        // "a" -> "b" [label="c" ...]   |   "a" [label="x" ...]
        if t.contains("\" -> \"") {
            let label = t
                .split("label=\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .unwrap_or("");
            edges.insert((
                quoted[1].to_string(),
                quoted[3].to_string(),
                label.to_string(),
            ));
        } else {
            nodes.insert(quoted[1].to_string());
        }
    }
    (nodes, edges)
}

fn compare(format: &str, expected: &str, actual: &str) -> Result<(), String> {
    let ok = match format {
        "txt" | "md" => strip_newlines(expected) == strip_newlines(actual),
        "json" => {
            let e: serde_json::Value =
                serde_json::from_str(expected).map_err(|e| format!("expected json: {e}"))?;
            let a: serde_json::Value =
                serde_json::from_str(actual).map_err(|e| format!("actual json: {e}"))?;
            e == a
        }
        "csv" => parse_csv(expected) == parse_csv(actual),
        "dot" => parse_dot(expected) == parse_dot(actual),
        other => return Err(format!("unknown format {other}")),
    };
    if ok {
        return Ok(());
    }
    let el: Vec<&str> = expected.lines().collect();
    let al: Vec<&str> = actual.lines().collect();
    let mut msg = String::new();
    let eset: BTreeSet<&str> = el.iter().copied().collect();
    let aset: BTreeSet<&str> = al.iter().copied().collect();
    for l in el.iter().filter(|l| !aset.contains(*l)).take(8) {
        msg.push_str(&format!("\n  - {l}"));
    }
    for l in al.iter().filter(|l| !eset.contains(*l)).take(8) {
        msg.push_str(&format!("\n  + {l}"));
    }
    if msg.is_empty() {
        msg = "\n  (same lines, different order)".into();
    }
    Err(format!(
        "{} expected lines, {} actual{msg}",
        el.len(),
        al.len()
    ))
}

fn divergences() -> BTreeMap<(String, String), String> {
    let text = include_str!("conformance-divergences.tsv");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut f = l.splitn(3, '\t');
            Some((
                (f.next()?.to_string(), f.next()?.to_string()),
                f.next().unwrap_or("").to_string(),
            ))
        })
        .collect()
}

#[test]
fn netpol_analyzer_conformance() {
    let Some(dir) = data_dir() else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!(
                "conformance data missing: expected ../shared/conformance/netpol beside the repository (or KUBEWARD_CONFORMANCE_DIR)"
            );
        }
        eprintln!(
            "SKIP: conformance data not found at ../shared/conformance/netpol beside the repository (set KUBEWARD_CONFORMANCE_DIR)"
        );
        return;
    };
    let allowed = divergences();
    let filter = std::env::var("NETPOL_CASE").ok();
    let cases = std::fs::read_to_string(dir.join("cases.tsv")).expect("cases.tsv readable");
    let mut counts: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut seen_divergences = BTreeSet::new();
    for line in cases.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 5 {
            continue;
        }
        let (id, kind, dirs, formats, expected) = (f[0], f[1], f[2], f[3], f[4]);
        if let Some(flt) = &filter
            && !dirs.contains(flt.as_str())
            && flt != id
        {
            continue;
        }
        let dirs: Vec<PathBuf> = dirs.split(',').map(|d| dir.join("tests").join(d)).collect();
        for (format, exp_file) in formats.split(',').zip(expected.split(',')) {
            let key = format!("{kind}/{format}");
            let expected_text = std::fs::read_to_string(dir.join("expected").join(exp_file))
                .unwrap_or_else(|e| panic!("case {id}: {exp_file}: {e}"));
            let actual = match kind {
                "connlist" | "exposure" => output::list_for_paths(&ListRequest {
                    paths: vec![dirs[0].clone()],
                    format: format.to_string(),
                    exposure: kind == "exposure",
                    // pinned: the cases were written for netpol-analyzer's semantics (an ipBlock
                    // never matches a pod), whatever the CLI's `--engine auto` picks
                    engine: kubeward_netpol::Engine::Default,
                })
                .map_err(|e| e.to_string()),
                "diff" => output::diff_for_paths(&[dirs[0].clone()], &[dirs[1].clone()], format)
                    .map_err(|e| e.to_string()),
                other => Err(format!("unknown kind {other}")),
            };
            let result = actual.and_then(|a| compare(format, &expected_text, &a));
            let entry = counts.entry(key).or_default();
            let div_key = (id.to_string(), format.to_string());
            match result {
                Ok(()) => {
                    entry.0 += 1;
                    if allowed.contains_key(&div_key) {
                        failures.push(format!(
                            "case {id} {format} passes but is listed as a divergence: remove it from the list"
                        ));
                    }
                }
                Err(e) if allowed.contains_key(&div_key) => {
                    entry.1 += 1;
                    seen_divergences.insert(div_key);
                    let _ = e;
                }
                Err(e) => {
                    entry.2 += 1;
                    failures.push(format!("case {id} {kind} {format} ({exp_file}): {e}"));
                }
            }
        }
    }
    eprintln!("netpol conformance (kind/format: pass, listed divergence, fail):");
    let mut total = (0, 0, 0);
    for (k, (p, d, fl)) in &counts {
        eprintln!("  {k:<16} {p:>4} pass {d:>3} divergent {fl:>3} fail");
        total.0 += p;
        total.1 += d;
        total.2 += fl;
    }
    eprintln!(
        "  total            {:>4} pass {:>3} divergent {:>3} fail",
        total.0, total.1, total.2
    );
    if !failures.is_empty() {
        panic!(
            "{} conformance failures:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}
