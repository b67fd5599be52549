//! Markdown for pull-request comments and wiki pages: a header, a summary table per area, then the
//! findings that need attention (all of them with `--verbose`), each with evidence and remediation
//! in a collapsible block.

use std::fmt::Write;

use kubeward_core::{Finding, Report, Status};

use crate::RenderOptions;
use crate::util::{
    STATUS_COLUMNS, area_counts, area_findings, area_title, areas, evidence_line, list_everything,
    shown, status_label, total_counts,
};

/// Escape text for a table cell or inline position (pipes, backticks, HTML and emphasis marks);
/// newlines become spaces and other control or bidi characters show as `\u{…}`.
fn esc(text: &str) -> String {
    let text = one_line(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '&' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Input text on one line: line breaks become spaces, other controls and bidi characters escapes.
fn one_line(text: &str) -> String {
    kubeward_core::escape::terminal(&text.replace(['\n', '\r'], " ")).into_owned()
}

/// The longest run of backticks in `text`.
fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// Inline code that survives backticks inside the value: the fence is longer than any run of
/// backticks in it (nothing inside a code span is read as HTML or Markdown).
fn code(text: &str) -> String {
    let text = one_line(text);
    let fence = "`".repeat(longest_backtick_run(&text) + 1);
    if text.starts_with('`') || text.ends_with('`') || text.starts_with(' ') {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

/// A block of text shown as it is: a fenced code block whose fence is longer than any run of
/// backticks inside, so neither HTML (an `<img onerror>` in a name) nor a closing fence in the text
/// can escape it, even inside `<details>`.
fn code_block(text: &str) -> String {
    let text = kubeward_core::escape::terminal_lines(text);
    let fence = "`".repeat((longest_backtick_run(&text) + 1).max(3));
    format!("{fence}text\n{text}\n{fence}")
}

fn icon(status: Status) -> &'static str {
    match status {
        Status::Fail => "❌",
        Status::Error => "⛔",
        Status::Warn => "⚠️",
        Status::Manual => "📝",
        Status::Info => "ℹ️",
        Status::NotApplicable => "➖",
        Status::Pass => "✅",
    }
}

pub fn render(report: &Report, options: &RenderOptions) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# kubeward report: {}\n", code(&report.command));
    let _ = writeln!(out, "kubeward {}", esc(&report.tool.version));
    if let Some(p) = &report.profile {
        let _ = writeln!(
            out,
            "\n**Profile:** {} ({}) — {}",
            esc(&p.id),
            esc(&p.title),
            esc(&p.reason)
        );
    }
    if !report.inputs.is_empty() {
        let _ = writeln!(out, "\n**Inputs:**\n");
        for i in &report.inputs {
            let detail = i
                .detail
                .as_deref()
                .map(|d| format!(" ({})", esc(d)))
                .unwrap_or_default();
            let _ = writeln!(out, "- {} {}{detail}", esc(&i.kind), code(&i.path));
        }
    }

    let _ = writeln!(out, "\n## Summary\n");
    let mut head = String::from("| Area |");
    let mut rule = String::from("|---|");
    for s in STATUS_COLUMNS {
        head.push_str(&format!(" {} |", status_label(s)));
        rule.push_str("---:|");
    }
    let _ = writeln!(out, "{head}\n{rule}");
    for area in areas(report) {
        let mut row = format!("| {} |", esc(&area_title(area)));
        for (_, n) in area_counts(report, area) {
            row.push_str(&format!(" {n} |"));
        }
        let _ = writeln!(out, "{row}");
    }
    let mut row = String::from("| **Total** |");
    for (_, n) in total_counts(report) {
        row.push_str(&format!(" **{n}** |"));
    }
    let _ = writeln!(out, "{row}");
    let s = &report.summary;
    let failing: usize = s.failed_by_severity.values().sum();
    let _ = writeln!(
        out,
        "\n{failing} failing (not waived), {} waived, {} input error(s).",
        s.waived, s.input_errors
    );
    if s.platform_managed > 0 {
        let _ = writeln!(
            out,
            "{} finding(s) on platform-managed objects, not counted for the exit code.",
            s.platform_managed
        );
    }

    if let Some(b) = &report.baseline {
        let _ = writeln!(
            out,
            "\n**Against the baseline** {}: {}.",
            code(&b.source),
            esc(&b.headline())
        );
    }

    if !report.input_errors.is_empty() {
        let _ = writeln!(out, "\n## Input errors\n");
        for e in &report.input_errors {
            let loc = match e.line {
                Some(l) => format!("{}:{l}", e.path),
                None => e.path.clone(),
            };
            let _ = writeln!(out, "- {}: {}", code(&loc), esc(&e.message));
        }
    }

    let verbose = list_everything(report, options.verbose);
    let mut left_out = 0usize;
    for area in areas(report) {
        // Platform-managed findings are counted in the scope line, listed by JSON, SARIF, HTML.
        let findings: Vec<&Finding> = area_findings(report, area)
            .into_iter()
            .filter(|f| shown(f, verbose) && !f.platform_managed)
            .collect();
        let scope = crate::util::area_scope(report, area);
        if findings.is_empty() && scope.is_none() {
            continue;
        }
        let _ = writeln!(out, "\n## {}\n", esc(&area_title(area)));
        if let Some(scope) = scope {
            let _ = writeln!(out, "_{}_\n", esc(&scope.sentence()));
        }
        for f in findings {
            let mut one = String::new();
            finding(&mut one, f);
            if left_out > 0 || out.len() + one.len() > MAX_FINDINGS_CHARS {
                left_out += 1;
            } else {
                out.push_str(&one);
            }
        }
    }
    gone(&mut out, report, &mut left_out);
    if left_out > 0 {
        let _ = writeln!(
            out,
            "\n_{left_out} more finding(s) are not listed, to keep this under a pull-request comment's size: the JSON, HTML or SARIF report has them all._"
        );
    }
    let hidden = report
        .findings
        .iter()
        .filter(|f| !shown(f, verbose) && !f.platform_managed)
        .count();
    if hidden > 0 {
        let _ = writeln!(
            out,
            "\n_{hidden} passing or not-applicable finding(s) are counted above but not listed._"
        );
    }
    out
}

/// GitHub and Azure DevOps take comments of up to 65,536 characters: findings stop short of it,
/// leaving room for the closing lines.
const MAX_FINDINGS_CHARS: usize = 63_000;

/// Baseline findings not found again (fixed, or not evaluated), within the same budget.
fn gone(out: &mut String, report: &Report, left_out: &mut usize) {
    for (title, entries) in crate::util::gone_groups(report) {
        let _ = writeln!(out, "\n## {} ({})\n", esc(title), entries.len());
        for e in entries {
            let line = format!("- {}\n", esc(&crate::util::gone_line(e)));
            if *left_out > 0 || out.len() + line.len() > MAX_FINDINGS_CHARS {
                *left_out += 1;
            } else {
                out.push_str(&line);
            }
        }
    }
}

fn finding(out: &mut String, f: &Finding) {
    let waived = if f.waived.is_some() { " (waived)" } else { "" };
    let tag = crate::util::baseline_tag(f);
    let waived = if tag.is_empty() {
        waived.to_string()
    } else {
        format!("{waived} — **{}**", esc(&tag))
    };
    let _ = writeln!(
        out,
        "### {} {} · {} · {} {}{waived}\n",
        icon(f.status),
        f.status,
        f.severity,
        code(&f.code),
        esc(&f.title)
    );
    let _ = writeln!(
        out,
        "**{}** — {}\n",
        esc(&f.resource.display()),
        esc(&f.message)
    );
    let _ = writeln!(
        out,
        "- Check: {}{}",
        code(&f.name),
        if f.kubeward_own {
            " (kubeward's own)"
        } else {
            ""
        }
    );
    if !f.references.is_empty() {
        let refs: Vec<String> = f.references.iter().map(|r| esc(&r.display())).collect();
        let _ = writeln!(out, "- References: {}", refs.join(", "));
    }
    for e in &f.evidence {
        let _ = writeln!(out, "- Evidence: {}", esc(&evidence_line(e)));
    }
    if let Some(w) = &f.waived {
        let until = w
            .expires
            .as_deref()
            .map(|x| format!(" until {}", esc(x)))
            .unwrap_or_default();
        let _ = writeln!(out, "- Waived{until}: {}", esc(&w.reason));
    }
    let needs_fix = matches!(
        f.status,
        Status::Fail | Status::Warn | Status::Error | Status::Manual
    );
    if needs_fix && !f.remediation.trim().is_empty() {
        let _ = writeln!(
            out,
            "\n<details><summary>Remediation</summary>\n\n{}\n\n</details>",
            code_block(f.remediation.trim_end())
        );
    }
    let _ = writeln!(out);
}

#[cfg(test)]
mod size_tests {
    use kubeward_core::{Finding, Report, Resource, Status};

    #[test]
    fn a_large_report_stays_under_a_pull_request_comment_and_says_what_it_left_out() {
        let mut report = Report::new("workloads");
        for i in 0..3000 {
            report.findings.push(Finding::new(
                &kubeward_core::waiver::WAIVER_UNUSED,
                Status::Fail,
                Resource::namespaced("Deployment", "shop", format!("web-{i}")),
                "x".repeat(120),
            ));
        }
        report.finish();
        let md = super::render(&report, &crate::RenderOptions::default());
        assert!(md.len() <= 65_000, "{} characters", md.len());
        let listed = md.matches("### ").count();
        assert!(listed > 10 && listed < 3000);
        assert!(
            md.contains(&format!(
                "_{} more finding(s) are not listed",
                3000 - listed
            )),
            "{}",
            &md[md.len() - 400..]
        );
    }
}
