//! Turn a scan into findings (with events as evidence), coverage verdicts for rules that could
//! not fire on this source, input errors and a readable summary in `facts["audit"]`.

use std::collections::HashMap;

use kubeward_core::{Evidence, Finding, InputError, InputInfo, Report, Resource, Source, Status};
use serde_json::{Value, json};

use crate::reader::Layout;
use crate::rules::{CHECKS, Check, ReadVerbs};
use crate::scan::{FileScan, RuleHits, ScanOptions, ScanOutcome, Stats};

/// Resources AKS's fixed audit policy always logs at Metadata level (no bodies).
const AKS_METADATA_ONLY: &[&str] = &["secrets", "configmaps", "serviceaccounts", "tokenreviews"];

fn is_admin_category(c: &str) -> bool {
    c.eq_ignore_ascii_case("kube-audit-admin") || c.eq_ignore_ascii_case("AKSAuditAdmin")
}

/// Whether the inputs came from AKS (diagnostic-setting categories or AKS tables).
fn is_aks_source(stats: &Stats) -> bool {
    stats
        .categories
        .keys()
        .any(|c| c.starts_with("kube-audit") || c.starts_with("AKSAudit"))
}

/// Why read verbs are missing from the inputs, if they are.
fn reads_missing(stats: &Stats) -> Option<String> {
    let cats: Vec<&String> = stats.categories.keys().collect();
    if !cats.is_empty()
        && stats.categories.len()
            == stats
                .categories
                .keys()
                .filter(|c| is_admin_category(c))
                .count()
    {
        return Some(format!(
            "the source is {} which AKS exports without get and list requests",
            cats.iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    (stats.read_events == 0).then(|| {
        format!(
            "none of the {} events is a get, list or watch: the source or its audit policy drops reads (as kube-audit-admin does)",
            stats.events
        )
    })
}

/// Why `rule` could not fire on these inputs, if it could not.
fn cannot_fire(rule: &Check, stats: &Stats, opts: &ScanOptions) -> Option<String> {
    if let Some(why) = (rule.precondition)(&opts.config) {
        return Some(why.to_string());
    }
    if stats.events == 0 {
        return Some("no audit event was read".into());
    }
    if rule.needs.read_verbs == ReadVerbs::Required
        && let Some(why) = reads_missing(stats)
    {
        return Some(why);
    }
    if rule.needs.request_body {
        if !rule.needs.body_of.is_empty()
            && is_aks_source(stats)
            && rule
                .needs
                .body_of
                .iter()
                .all(|r| AKS_METADATA_ONLY.contains(r))
        {
            return Some(format!(
                "AKS's fixed audit policy logs {} at Metadata level: the bodies this rule reads are never in AKS audit logs",
                rule.needs.body_of.join(", ")
            ));
        }
        if stats.request_bodies == 0 {
            return Some(format!(
                "no event carries a request body (requestObject): the log was written at Metadata level{}",
                if stats.bodies_skipped > 0 {
                    format!(
                        ", and {} bodies were replaced by \"skipped-too-big-size-object\"",
                        stats.bodies_skipped
                    )
                } else {
                    String::new()
                }
            ));
        }
        let (writes, with_body) = rule
            .needs
            .body_of
            .iter()
            .filter_map(|r| stats.body_writes.get(r))
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        if writes > 0 && with_body == 0 {
            return Some(format!(
                "{writes} writes to {} were logged, none with its body (logged at Metadata level)",
                rule.needs.body_of.join(", ")
            ));
        }
    }
    None
}

fn evidence_rows(g: &crate::scan::Group) -> Vec<Evidence> {
    let mut rows: Vec<Evidence> = g
        .samples
        .iter()
        .map(|s| {
            let code = s.code.map(|c| c.to_string()).unwrap_or_else(|| "-".into());
            let observed = format!(
                "auditID {} at {}: {} from {} {} {} (code {code})",
                or_dash(&s.audit_id),
                or_dash(&s.time),
                or_dash(&s.user),
                or_dash(&s.source_ip),
                or_dash(&s.verb),
                s.object.trim()
            );
            Evidence::observed(
                observed,
                Source::file(&s.file).with_line(u32::try_from(s.line).unwrap_or(u32::MAX)),
            )
            .with_note(s.detail.clone())
        })
        .collect();
    if g.count > g.samples.len() as u64 {
        rows.push(Evidence::observed(
            format!(
                "{} matching events in total; the first {} are shown",
                g.count,
                g.samples.len()
            ),
            Source::origin("kubeward audit scan"),
        ));
    }
    rows
}

fn or_dash(s: &str) -> &str {
    if s.is_empty() { "-" } else { s }
}

fn rule_findings(rule: &Check, hits: &RuleHits, stats: &Stats, opts: &ScanOptions) -> Vec<Finding> {
    let meta = rule.meta;
    if hits.total() == 0 {
        let all = Resource::new("AuditLog", "all inputs");
        if let Some(why) = cannot_fire(rule, stats, opts) {
            return vec![Finding::new(
                meta,
                Status::NotApplicable,
                all,
                format!("Could not fire: {why}"),
            )];
        }
        if rule.needs.read_verbs == ReadVerbs::Partly
            && let Some(why) = reads_missing(stats)
        {
            return vec![Finding::new(
                meta,
                Status::Info,
                all,
                format!(
                    "No matching event in {} events, but only part of this activity is visible: {why} (kubectl 1.30+ sends it as get)",
                    stats.events
                ),
            )];
        }
        let mut msg = format!("No matching event in {} events", stats.events);
        if rule.needs.response_body && stats.response_bodies == 0 {
            msg.push_str(
                " (no response bodies in the log: patches were judged from the patch alone)",
            );
        }
        return vec![Finding::new(meta, Status::Pass, all, msg)];
    }
    let mut out: Vec<Finding> = hits
        .groups
        .iter()
        .map(|(user, g)| {
            let who = if user.is_empty() {
                "(no user)"
            } else {
                user.as_str()
            };
            let mut f = Finding::new(
                meta,
                rule.on_match,
                Resource::new("User", who),
                format!(
                    "{who}: {} matching event{}",
                    g.count,
                    if g.count == 1 { "" } else { "s" }
                ),
            );
            f.evidence = evidence_rows(g);
            f
        })
        .collect();
    if hits.dropped_groups > 0 {
        out.push(Finding::new(
            meta,
            rule.on_match,
            Resource::new("User", "(other identities)"),
            format!(
                "{} more identities with {} matching events (not listed: over {} identities)",
                hits.dropped_groups, hits.dropped_events, opts.max_groups
            ),
        ));
    }
    out
}

/// The `n` largest counts, as `"COUNT NAME"` lines (readable in every report format).
fn top(map: &HashMap<String, u64>, n: usize) -> Value {
    let mut v: Vec<(&String, &u64)> = map.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    Value::Array(
        v.into_iter()
            .take(n)
            .map(|(k, c)| Value::String(format!("{c} {}", if k.is_empty() { "(none)" } else { k })))
            .collect(),
    )
}

fn counts(map: &std::collections::BTreeMap<impl AsRef<str>, u64>) -> String {
    map.iter()
        .map(|(k, v)| format!("{} {v}", k.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn layout_name(f: &FileScan) -> &'static str {
    match f.layout {
        Some(Layout::JsonLines) => "JSON lines",
        Some(Layout::Structured) => "JSON document(s)",
        Some(Layout::Csv) => "CSV",
        None => "unread",
    }
}

/// The summary a person reads next to the findings.
pub fn facts(out: &ScanOutcome) -> Value {
    let st = &out.stats;
    let inputs: Vec<Value> = out
        .files
        .iter()
        .map(|f| {
            let mut s = format!(
                "{}: {}{}, {} events",
                f.name,
                layout_name(f),
                if f.gzip { " (gzip)" } else { "" },
                f.stats.events
            );
            if !f.stats.shapes.is_empty() {
                s.push_str(&format!("; shapes: {}", counts(&f.stats.shapes)));
            }
            if !f.stats.categories.is_empty() {
                s.push_str(&format!("; sources: {}", counts(&f.stats.categories)));
            }
            if !f.stats.malformed.is_empty() {
                s.push_str(&format!("; unusable: {}", counts(&f.stats.malformed)));
            }
            Value::String(s)
        })
        .collect();
    json!({
        "events": st.events,
        "time_span": {"first": st.first, "last": st.last},
        "inputs": inputs,
        "shapes": st.shapes,
        "sources": st.categories,
        "distinct_users": st.users.len(),
        "top_users": top(&st.users, 10),
        "top_verbs": top(&st.verbs, 10),
        "denied_requests": st.denied,
        "top_denied_users": top(&st.denied_users, 10),
        "read_events": st.read_events,
        "request_bodies": st.request_bodies,
        "response_bodies": st.response_bodies,
        "bodies_skipped_too_big": st.bodies_skipped,
        "non_audit_records_skipped": st.non_audit_records,
        "unusable_units": st.malformed,
        "read_verbs": match reads_missing(st) { Some(why) => format!("missing: {why}"), None => "present".into() },
    })
}

/// The report of `kubeward audit scan`.
pub fn build_report(out: &ScanOutcome, opts: &ScanOptions) -> Report {
    let mut report = Report::new("audit scan");
    for f in &out.files {
        let mut detail = format!("{}, {} events", layout_name(f), f.stats.events);
        if f.gzip {
            detail.push_str(", gzip");
        }
        let shapes: Vec<&str> = f.stats.shapes.keys().copied().collect();
        if !shapes.is_empty() {
            detail.push_str(&format!(" ({})", shapes.join("; ")));
        }
        report.inputs.push(InputInfo {
            kind: "audit-log".into(),
            path: f.name.to_string(),
            detail: Some(detail),
        });
        if let Some(fatal) = &f.fatal {
            report.input_errors.push(InputError {
                path: f.name.to_string(),
                line: None,
                message: fatal.clone(),
            });
        }
        for (line, msg) in &f.errors {
            report.input_errors.push(InputError {
                path: f.name.to_string(),
                line: line.map(|l| u32::try_from(l).unwrap_or(u32::MAX)),
                message: msg.clone(),
            });
        }
        if f.errors_not_listed > 0 {
            report.input_errors.push(InputError {
                path: f.name.to_string(),
                line: None,
                message: format!(
                    "{} more unusable units not listed (counts by reason in facts.audit.inputs)",
                    f.errors_not_listed
                ),
            });
        }
    }
    for (rule, hits) in CHECKS.iter().zip(&out.hits) {
        report.extend(rule_findings(rule, hits, &out.stats, opts));
    }
    report.facts.insert("audit".into(), facts(out));
    report
}
