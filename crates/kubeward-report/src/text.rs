//! Text for a person: a header (command, profile and why), inputs and input errors, a section per
//! area with each finding's message, evidence, references and remediation, the facts the areas
//! attached, and totals. PASS and NOT_APPLICABLE are counted but listed only with `--verbose`.

use std::borrow::Cow;
use std::fmt::Write;

use comfy_table::{Cell, CellAlignment, Table, presets};
use kubeward_core::{Finding, Registry, Report, Severity, Status};
use owo_colors::OwoColorize;

/// Every piece of report text passes through here on its way to the terminal: whatever came from
/// input (names, messages, facts, a saved report's fields) cannot carry a control sequence. The
/// colours are added after it, by [`Painter`], so kubeward's own escapes still work.
fn t(s: &str) -> Cow<'_, str> {
    kubeward_core::escape::terminal(s)
}

use crate::RenderOptions;
use crate::util::{
    area_counts, area_findings, area_title, areas, counts_phrase, evidence_line, list_everything,
    shown, status_label, total_counts,
};

/// Facts are printed as nested key/value lines; deeper structures are cut off, not dumped.
const MAX_FACT_DEPTH: usize = 5;
/// Long remediation lines are wrapped at this width (deterministic, whatever the terminal).
const WRAP_WIDTH: usize = 100;
const MAX_FACT_ITEMS: usize = 50;

struct Painter {
    color: bool,
}

impl Painter {
    fn status(&self, status: Status) -> String {
        let label = format!("{:<6}", status_label(status));
        if !self.color {
            return label;
        }
        match status {
            Status::Fail => label.red().bold().to_string(),
            Status::Error => label.magenta().bold().to_string(),
            Status::Warn => label.yellow().bold().to_string(),
            Status::Manual => label.cyan().to_string(),
            Status::Info => label.blue().to_string(),
            Status::Pass => label.green().to_string(),
            Status::NotApplicable => label.dimmed().to_string(),
        }
    }
    fn severity(&self, severity: Severity) -> String {
        let label = format!("{:<8}", severity.as_str());
        if !self.color {
            return label;
        }
        match severity {
            Severity::Critical => label.red().bold().to_string(),
            Severity::High => label.red().to_string(),
            Severity::Medium => label.yellow().to_string(),
            Severity::Low => label.blue().to_string(),
            Severity::Info => label.dimmed().to_string(),
        }
    }
    fn heading(&self, text: &str) -> String {
        let text = t(text);
        if self.color {
            text.bold().underline().to_string()
        } else {
            text.into_owned()
        }
    }
    fn dim(&self, text: &str) -> String {
        let text = t(text);
        if self.color {
            text.dimmed().to_string()
        } else {
            text.into_owned()
        }
    }
    fn bold(&self, text: &str) -> String {
        let text = t(text);
        if self.color {
            text.bold().to_string()
        } else {
            text.into_owned()
        }
    }
}

pub fn render(report: &Report, _registry: &Registry, options: &RenderOptions) -> String {
    let p = Painter {
        color: options.color,
    };
    let mut out = String::new();
    header(&mut out, report, &p);
    for area in areas(report) {
        area_section(&mut out, report, area, options, &p);
    }
    gone(&mut out, report, &p);
    facts(&mut out, report, &p);
    totals(&mut out, report, options, &p);
    out
}

/// Baseline findings not found again: fixed ones, and those this run could not evaluate.
fn gone(out: &mut String, report: &Report, p: &Painter) {
    for (title, entries) in crate::util::gone_groups(report) {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{}  {}",
            p.heading(title),
            p.dim(&entries.len().to_string())
        );
        for e in entries {
            let _ = writeln!(out, "  {}", t(&crate::util::gone_line(e)));
        }
    }
}

fn header(out: &mut String, report: &Report, p: &Painter) {
    let _ = writeln!(
        out,
        "{}",
        p.bold(&format!(
            "kubeward {} — {}",
            report.tool.version, report.command
        ))
    );
    if let Some(b) = &report.baseline {
        let _ = writeln!(out, "Baseline {}: {}", t(&b.source), b.headline());
    }
    if let Some(profile) = &report.profile {
        let _ = writeln!(out, "Profile: {} ({})", t(&profile.id), t(&profile.title));
        let _ = writeln!(out, "  chosen because: {}", t(&profile.reason));
    }
    if !report.inputs.is_empty() {
        let _ = writeln!(out, "Inputs:");
        for i in &report.inputs {
            match &i.detail {
                Some(d) => {
                    let _ = writeln!(
                        out,
                        "  {:<12} {}  {}",
                        t(&i.kind),
                        t(&i.path),
                        p.dim(&format!("({d})"))
                    );
                }
                None => {
                    let _ = writeln!(out, "  {:<12} {}", t(&i.kind), t(&i.path));
                }
            }
        }
    }
    if !report.input_errors.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            p.status(Status::Error).trim_end().to_string()
                + " input errors (these inputs were skipped; the rest was scanned):"
        );
        for e in &report.input_errors {
            let location = match e.line {
                Some(l) => format!("{}:{l}", e.path),
                None => e.path.clone(),
            };
            let _ = writeln!(out, "  {}: {}", t(&location), t(&e.message));
        }
    }
}

fn area_section(
    out: &mut String,
    report: &Report,
    area: &str,
    options: &RenderOptions,
    p: &Painter,
) {
    let counts = area_counts(report, area);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{}  {}",
        p.heading(&area_title(area)),
        p.dim(&counts_phrase(&counts))
    );
    if let Some(scope) = crate::util::area_scope(report, area) {
        let _ = writeln!(out, "  {}", p.dim(&scope.sentence()));
    }
    let mut hidden = 0usize;
    let verbose = list_everything(report, options.verbose);
    for f in area_findings(report, area) {
        // Counted in the scope line above, listed by JSON, SARIF and HTML.
        if f.platform_managed {
            continue;
        }
        if !shown(f, verbose) {
            hidden += 1;
            continue;
        }
        finding(out, f, p);
    }
    if hidden > 0 {
        let _ = writeln!(
            out,
            "  {}",
            p.dim(&format!(
                "{hidden} passing or not applicable finding(s) not shown (--verbose shows them)"
            ))
        );
    }
}

fn finding(out: &mut String, f: &Finding, p: &Painter) {
    let own = if f.kubeward_own { " [kubeward]" } else { "" };
    let waived = if f.waived.is_some() { " [waived]" } else { "" };
    let tag = crate::util::baseline_tag(f);
    let tag = if tag.is_empty() {
        tag
    } else {
        format!(" [{tag}]")
    };
    let _ = writeln!(
        out,
        "  {} {} {} {}{}{}{}  {}",
        p.status(f.status),
        p.severity(f.severity),
        p.bold(&f.code),
        t(&f.name),
        own,
        waived,
        tag,
        t(&f.resource.display())
    );
    let _ = writeln!(out, "         {}", t(&f.title));
    let _ = writeln!(out, "         {}", t(&f.message));
    for e in &f.evidence {
        let _ = writeln!(
            out,
            "         {} {}",
            p.dim("evidence:"),
            t(&evidence_line(e))
        );
    }
    if !f.references.is_empty() {
        let refs: Vec<String> = f.references.iter().map(|r| r.display()).collect();
        let _ = writeln!(
            out,
            "         {} {}",
            p.dim("references:"),
            t(&refs.join(", "))
        );
    }
    if let Some(w) = &f.waived {
        let mut line = format!("waived: {}", w.reason);
        if let Some(x) = &w.expires {
            line.push_str(&format!(" (until {x})"));
        }
        if let Some(s) = &w.source {
            line.push_str(&format!(" [{s}]"));
        }
        let _ = writeln!(out, "         {}", p.dim(&line));
    }
    let needs_fix = matches!(
        f.status,
        Status::Fail | Status::Warn | Status::Error | Status::Manual
    );
    if needs_fix && !f.remediation.trim().is_empty() && f.waived.is_none() {
        let _ = writeln!(out, "         {}", p.dim("remediation:"));
        for line in f.remediation.trim_end().lines() {
            if line.trim().is_empty() {
                let _ = writeln!(out);
            } else {
                for piece in wrap(&t(line), WRAP_WIDTH) {
                    let _ = writeln!(out, "           {piece}");
                }
            }
        }
    }
}

fn facts(out: &mut String, report: &Report, p: &Painter) {
    if report.facts.is_empty() {
        return;
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", p.heading("Facts"));
    for (key, value) in &report.facts {
        fact_value(out, key, value, 1, p);
    }
}

fn fact_value(out: &mut String, key: &str, value: &serde_json::Value, depth: usize, p: &Painter) {
    use serde_json::Value;
    let indent = "  ".repeat(depth);
    let key = t(key);
    match value {
        // A value with its origin (a common shape of facts) reads best on one line.
        Value::Object(map)
            if map.len() == 2
                && map.contains_key("value")
                && map.get("origin").is_some_and(|o| o.is_string()) =>
        {
            let origin = map.get("origin").map(scalar).unwrap_or_default();
            let shown = map.get("value").map(inline).unwrap_or_default();
            let _ = writeln!(
                out,
                "{indent}{key}: {shown}  {}",
                p.dim(&format!("({origin})"))
            );
        }
        Value::Object(map) if depth < MAX_FACT_DEPTH => {
            let _ = writeln!(out, "{indent}{key}:");
            for (k, v) in map
                .iter()
                .filter(|(_, v)| !is_blank(v))
                .take(MAX_FACT_ITEMS)
            {
                fact_value(out, k, v, depth + 1, p);
            }
            if map.len() > MAX_FACT_ITEMS {
                let _ = writeln!(
                    out,
                    "{indent}  {}",
                    p.dim(&format!("… {} more", map.len() - MAX_FACT_ITEMS))
                );
            }
        }
        Value::Array(items) if items.iter().all(|v| !v.is_object() && !v.is_array()) => {
            let rendered: Vec<String> = items.iter().take(MAX_FACT_ITEMS).map(scalar).collect();
            let more = if items.len() > MAX_FACT_ITEMS {
                format!(", … {} more", items.len() - MAX_FACT_ITEMS)
            } else {
                String::new()
            };
            let _ = writeln!(out, "{indent}{key}: [{}{more}]", rendered.join(", "));
        }
        Value::Array(items) if depth < MAX_FACT_DEPTH => {
            let _ = writeln!(out, "{indent}{key}:");
            for (i, v) in items.iter().take(MAX_FACT_ITEMS).enumerate() {
                match flat_object(v) {
                    // A record of scalars (a profile and its mode) reads best on one line.
                    Some(line) => {
                        let _ = writeln!(out, "{indent}  - {line}");
                    }
                    None => fact_value(out, &format!("- [{i}]"), v, depth + 1, p),
                }
            }
            if items.len() > MAX_FACT_ITEMS {
                let _ = writeln!(
                    out,
                    "{indent}  {}",
                    p.dim(&format!("… {} more", items.len() - MAX_FACT_ITEMS))
                );
            }
        }
        Value::Array(items) => {
            let _ = writeln!(
                out,
                "{indent}{key}: {}",
                p.dim(&format!("{} entries (see the JSON report)", items.len()))
            );
        }
        Value::Object(_) => {
            let _ = writeln!(
                out,
                "{indent}{key}: {}",
                p.dim("(nested too deep; see the JSON report)")
            );
        }
        other => {
            let _ = writeln!(out, "{indent}{key}: {}", scalar(other));
        }
    }
}

/// Facts with nothing to say (null, "", {}) are left out of the text.
fn is_blank(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Null => true,
        serde_json::Value::String(s) => s.is_empty(),
        serde_json::Value::Object(m) => m.values().all(is_blank),
        _ => false,
    }
}

/// `name: x, mode: y` for an object whose values are all scalars; `None` otherwise.
fn flat_object(v: &serde_json::Value) -> Option<String> {
    let map = v.as_object()?;
    if map.is_empty() || map.values().any(|x| x.is_object() || x.is_array()) {
        return None;
    }
    Some(
        map.iter()
            .filter(|(_, x)| !is_blank(x))
            .map(|(k, x)| format!("{}: {}", t(k), scalar(x)))
            .collect::<Vec<_>>()
            .join(", "),
    )
}

/// A value on one line: scalars as text, lists of scalars in brackets, anything else as JSON.
fn inline(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Array(items)
            if items.iter().all(|i| !i.is_array() && !i.is_object()) =>
        {
            format!(
                "[{}]",
                items.iter().map(scalar).collect::<Vec<_>>().join(", ")
            )
        }
        serde_json::Value::Array(_) | serde_json::Value::Object(_) => {
            t(&v.to_string()).into_owned()
        }
        other => scalar(other),
    }
}

/// Split a line at spaces so no piece is longer than `width` (a longer word stays whole). The
/// line's own leading spaces are kept on every piece.
fn wrap(line: &str, width: usize) -> Vec<String> {
    if line.chars().count() <= width {
        return vec![line.to_string()];
    }
    let lead: String = line.chars().take_while(|c| *c == ' ').collect();
    let mut pieces = Vec::new();
    let mut current = lead.clone();
    for word in line.split(' ').filter(|w| !w.is_empty()) {
        let len = current.chars().count();
        if len > lead.len() && len + 1 + word.chars().count() > width {
            pieces.push(std::mem::replace(&mut current, lead.clone()));
        }
        if current.len() > lead.len() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if current.len() > lead.len() {
        pieces.push(current);
    }
    pieces
}

fn scalar(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => t(s).into_owned(),
        other => other.to_string(),
    }
}

fn totals(out: &mut String, report: &Report, options: &RenderOptions, p: &Painter) {
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", p.heading("Summary"));
    let area_list = areas(report);
    if !area_list.is_empty() {
        let mut table = Table::new();
        table.load_style(presets::UTF8_BORDERS_ONLY);
        table.force_no_tty();
        let mut head = vec![Cell::new("Area")];
        head.extend(
            crate::util::STATUS_COLUMNS
                .iter()
                .map(|s| Cell::new(status_label(*s)).set_alignment(CellAlignment::Right)),
        );
        table.set_header(head);
        for area in &area_list {
            let mut row = vec![Cell::new(t(area))];
            row.extend(
                area_counts(report, area)
                    .into_iter()
                    .map(|(_, n)| Cell::new(n).set_alignment(CellAlignment::Right)),
            );
            table.add_row(row);
        }
        let mut row = vec![Cell::new("total")];
        row.extend(
            total_counts(report)
                .into_iter()
                .map(|(_, n)| Cell::new(n).set_alignment(CellAlignment::Right)),
        );
        table.add_row(row);
        for line in table.to_string().lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
    let s = &report.summary;
    let mut failed: Vec<String> = Severity::ALL
        .iter()
        .filter_map(|sev| {
            s.failed_by_severity
                .get(sev.as_str())
                .filter(|n| **n > 0)
                .map(|n| format!("{n} {sev}"))
        })
        .collect();
    if failed.is_empty() {
        failed.push("none".into());
    }
    let _ = writeln!(
        out,
        "  {} finding{}; failing (not waived): {}; waived: {}; input errors: {}",
        s.total,
        if s.total == 1 { "" } else { "s" },
        failed.join(", "),
        s.waived,
        s.input_errors
    );
    if s.platform_managed > 0 {
        let _ = writeln!(
            out,
            "  {} finding{} on platform-managed objects (not counted for the exit code)",
            s.platform_managed,
            if s.platform_managed == 1 { "" } else { "s" },
        );
    }
    if !options.verbose {
        let _ = writeln!(
            out,
            "  {}",
            p.dim("`kubeward explain CODE` shows what a check looks at, why, and how to fix it on AKS.")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrapping_keeps_words_and_indentation() {
        assert_eq!(wrap("short", 10), ["short"]);
        assert_eq!(wrap("aaa bbb ccc ddd", 7), ["aaa bbb", "ccc ddd"]);
        assert_eq!(wrap("  aaa bbb ccc", 9), ["  aaa bbb", "  ccc"]);
        assert_eq!(
            wrap("averyveryverylongword x", 5),
            ["averyveryverylongword", "x"]
        );
    }
}
