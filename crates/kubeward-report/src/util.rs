//! Small helpers shared by the renderers.

use kubeward_core::baseline::{BaselineEntry, BaselineState, Scope};
use kubeward_core::{Evidence, Finding, Report, Status};

/// Column order of per-status tables: the statuses that need attention first.
pub const STATUS_COLUMNS: [Status; 7] = Status::ALL;

/// A short label for tables (`N/A` reads better than `NOT_APPLICABLE` in a column header).
pub fn status_label(status: Status) -> &'static str {
    match status {
        Status::NotApplicable => "N/A",
        other => other.as_str(),
    }
}

/// Findings a person wants to read by default: everything but PASS and NOT_APPLICABLE.
pub fn shown(finding: &Finding, verbose: bool) -> bool {
    verbose || !matches!(finding.status, Status::Pass | Status::NotApplicable)
}

/// Whether every finding is listed: with `--verbose`, or when the report holds a single finding —
/// then that finding is the whole answer (e.g. "no kubelet is running here"), never hidden.
pub fn list_everything(report: &Report, verbose: bool) -> bool {
    verbose || report.findings.len() == 1
}

/// What the area set apart as platform-managed, when anything was.
pub fn area_scope<'a>(report: &'a Report, area: &str) -> Option<&'a kubeward_core::AreaScope> {
    report
        .scope
        .iter()
        .find(|s| s.area == area && s.objects > 0)
}

/// The areas present in the report, in the core's area order (node first, general last); area ids
/// the core does not know come after, alphabetically.
pub fn areas(report: &Report) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for f in &report.findings {
        if !out.contains(&f.area.as_str()) {
            out.push(&f.area);
        }
    }
    out.sort_by_key(|a| (area_rank(a), a.to_string()));
    out
}

const AREAS: [kubeward_core::Area; 8] = kubeward_core::Area::ALL;

fn area_rank(area: &str) -> usize {
    AREAS
        .iter()
        .position(|a| a.as_str() == area)
        .unwrap_or(AREAS.len())
}

/// The findings of one area in reading order: FAIL first, then by severity, code and resource.
pub fn area_findings<'a>(report: &'a Report, area: &str) -> Vec<&'a Finding> {
    let mut v: Vec<&Finding> = report.findings.iter().filter(|f| f.area == area).collect();
    // Against a baseline, what got worse comes first.
    v.sort_by(|a, b| (!got_worse(a), a.sort_key()).cmp(&(!got_worse(b), b.sort_key())));
    v
}

/// New since the baseline, or a worse verdict than in it.
pub fn got_worse(f: &Finding) -> bool {
    f.baseline_state == Some(BaselineState::New) || f.baseline_worse
}

/// A finding's tag against the baseline: `new`, `worse`, `updated: status …` (empty without one).
pub fn baseline_tag(f: &Finding) -> String {
    match f.baseline_state {
        Some(BaselineState::New) => "new".to_string(),
        Some(BaselineState::Updated) if f.baseline_worse => {
            format!("worse: {}", f.baseline_changes.join(", "))
        }
        Some(BaselineState::Updated) => format!("updated: {}", f.baseline_changes.join(", ")),
        _ => String::new(),
    }
}

/// The baseline findings not found again, in two groups with their titles: fixed ones, and
/// those this run could not evaluate (never counted as fixed). Empty groups are left out.
pub fn gone_groups(report: &Report) -> Vec<(&'static str, Vec<&BaselineEntry>)> {
    let Some(b) = &report.baseline else {
        return Vec::new();
    };
    [
        (BaselineState::Absent, "Fixed since the baseline"),
        (
            BaselineState::NotEvaluated,
            "In the baseline but not evaluated this time (input not read or area not run; not counted as fixed)",
        ),
    ]
    .into_iter()
    .map(|(state, title)| {
        let entries: Vec<&BaselineEntry> = b
            .gone
            .iter()
            .filter(|e| e.baseline_state == Some(state))
            .collect();
        (title, entries)
    })
    .filter(|(_, entries)| !entries.is_empty())
    .collect()
}

/// One line about a baseline finding that is gone: `W100 Deployment/shop/web (FAIL high)`.
pub fn gone_line(e: &BaselineEntry) -> String {
    let what = match &e.resource {
        Some(r) => r.display(),
        None => match &e.scope {
            Scope::File(p) => format!("in {p}"),
            Scope::Resource(r) => r.clone(),
        },
    };
    let mut line = format!(
        "{} {} ({} {}), fingerprint {}",
        e.code, what, e.status, e.severity, e.fingerprint
    );
    if let Some(m) = &e.message {
        line.push_str(": ");
        line.push_str(m);
    }
    line
}

/// The human title of an area id, or the id itself for areas the core does not know.
pub fn area_title(area: &str) -> String {
    AREAS
        .iter()
        .find(|a| a.as_str() == area)
        .map(|a| a.title().to_string())
        .unwrap_or_else(|| area.to_string())
}

/// One line describing a piece of evidence: `observed "true", expected "false" — flag --x (origin)`.
pub fn evidence_line(e: &Evidence) -> String {
    let mut parts = Vec::new();
    if let Some(o) = &e.observed {
        parts.push(format!("observed {o:?}"));
    }
    if let Some(x) = &e.expected {
        parts.push(format!("expected {x:?}"));
    }
    let mut line = parts.join(", ");
    let source = e.source.display();
    if !source.is_empty() {
        if line.is_empty() {
            line = source;
        } else {
            line = format!("{line} — {source}");
        }
    }
    if let Some(n) = &e.note {
        if line.is_empty() {
            line = n.to_string();
        } else {
            line = format!("{line}; {n}");
        }
    }
    line
}

/// Count of findings per status in one area (all findings, waived included).
pub fn area_counts(report: &Report, area: &str) -> Vec<(Status, usize)> {
    STATUS_COLUMNS
        .iter()
        .map(|&s| {
            let n = report
                .summary
                .by_area
                .get(area)
                .and_then(|m| m.get(s.as_str()))
                .copied()
                .unwrap_or(0);
            (s, n)
        })
        .collect()
}

/// Count of findings per status over the whole report.
pub fn total_counts(report: &Report) -> Vec<(Status, usize)> {
    STATUS_COLUMNS
        .iter()
        .map(|&s| {
            (
                s,
                report
                    .summary
                    .by_status
                    .get(s.as_str())
                    .copied()
                    .unwrap_or(0),
            )
        })
        .collect()
}

/// `3 FAIL, 1 WARN, 12 PASS` (zero counts left out; "no findings" when empty).
pub fn counts_phrase(counts: &[(Status, usize)]) -> String {
    let parts: Vec<String> = counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {}", s.as_str()))
        .collect();
    if parts.is_empty() {
        "no findings".into()
    } else {
        parts.join(", ")
    }
}
