//! The HTML report: one self-contained file (inline CSS and JS, no network, a strict
//! Content-Security-Policy), rendered with minijinja and autoescaping. Findings can be filtered by
//! area, severity, namespace, status and free text; a stacked bar per area shows the results.
//! `data-finding-count` on `<body>` carries the number of findings for tests and scripts.

use std::collections::BTreeSet;

use kubeward_core::{Finding, Report, Severity, Status};
use minijinja::Environment;
use minijinja::value::Serde;
use serde::Serialize;

use crate::RenderError;
use crate::util::{area_counts, area_findings, area_scope, area_title, areas, status_label};

const TEMPLATE: &str = include_str!("../templates/report.html");

#[derive(Serialize)]
struct Context<'a> {
    command: &'a str,
    version: &'a str,
    profile: Option<&'a kubeward_core::ProfileChoice>,
    inputs: &'a [kubeward_core::InputInfo],
    input_errors: &'a [kubeward_core::InputError],
    summary: &'a kubeward_core::Summary,
    failing: usize,
    areas: Vec<AreaView>,
    namespaces: BTreeSet<String>,
    has_cluster_scoped: bool,
    statuses: Vec<(&'static str, &'static str)>,
    severities: Vec<&'static str>,
    findings: Vec<FindingView>,
    facts: Option<String>,
    /// The comparison with a baseline, and its fixed / not-evaluated findings.
    baseline: Option<BaselineView>,
}

#[derive(Serialize)]
struct BaselineView {
    source: String,
    headline: String,
    fixed: Vec<String>,
    not_evaluated: Vec<String>,
}

#[derive(Serialize)]
struct AreaView {
    id: String,
    title: String,
    total: usize,
    bars: Vec<BarView>,
    /// What was set apart as platform-managed in this area (listed below, marked).
    scope: Option<String>,
}

#[derive(Serialize)]
struct BarView {
    status: &'static str,
    label: &'static str,
    count: usize,
    /// Width in percent of the area's findings, two decimals (deterministic text).
    percent: String,
}

#[derive(Serialize)]
struct EvidenceView {
    observed: Option<String>,
    expected: Option<String>,
    source: String,
    note: Option<String>,
}

#[derive(Serialize)]
struct FindingView {
    code: String,
    name: String,
    title: String,
    area: String,
    area_title: String,
    severity: &'static str,
    status: &'static str,
    status_label: &'static str,
    resource: String,
    namespace: String,
    message: String,
    evidence: Vec<EvidenceView>,
    references: Vec<String>,
    remediation: String,
    show_remediation: bool,
    kubeward_own: bool,
    platform_managed: bool,
    waived: Option<String>,
    /// `new`, `worse`, `updated`, `unchanged`, or empty without a baseline (the filter's value).
    baseline: &'static str,
    baseline_tag: String,
}

fn finding_view(f: &Finding) -> FindingView {
    FindingView {
        code: f.code.to_string(),
        name: f.name.to_string(),
        title: f.title.to_string(),
        area: f.area.to_string(),
        area_title: area_title(&f.area),
        severity: f.severity.as_str(),
        status: f.status.as_str(),
        status_label: status_label(f.status),
        resource: f.resource.display(),
        namespace: f.resource.namespace.clone().unwrap_or_default(),
        message: f.message.to_string(),
        evidence: f
            .evidence
            .iter()
            .map(|e| EvidenceView {
                observed: e.observed.as_deref().map(str::to_string),
                expected: e.expected.as_deref().map(str::to_string),
                source: e.source.display(),
                note: e.note.as_deref().map(str::to_string),
            })
            .collect(),
        references: f.references.iter().map(|r| r.display()).collect(),
        remediation: f.remediation.trim_end().to_string(),
        show_remediation: matches!(
            f.status,
            Status::Fail | Status::Error | Status::Warn | Status::Manual
        ) && !f.remediation.trim().is_empty(),
        kubeward_own: f.kubeward_own,
        platform_managed: f.platform_managed,
        waived: f.waived.as_ref().map(|w| match &w.expires {
            Some(x) => format!("{} (until {x})", w.reason),
            None => w.reason.clone(),
        }),
        baseline: match f.baseline_state {
            Some(kubeward_core::baseline::BaselineState::Updated) if f.baseline_worse => "worse",
            Some(s) => s.as_str(),
            None => "",
        },
        baseline_tag: crate::util::baseline_tag(f),
    }
}

pub fn render(report: &Report) -> Result<String, RenderError> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.add_template("report.html", TEMPLATE)
        .map_err(|e| RenderError::Template(e.to_string()))?;
    let template = env
        .get_template("report.html")
        .map_err(|e| RenderError::Template(e.to_string()))?;

    let area_views: Vec<AreaView> = areas(report)
        .into_iter()
        .map(|a| {
            let counts = area_counts(report, a);
            let total: usize = counts.iter().map(|(_, n)| n).sum();
            AreaView {
                id: a.to_string(),
                title: area_title(a),
                scope: area_scope(report, a).map(|s| s.listed_sentence()),
                total,
                bars: counts
                    .into_iter()
                    .filter(|(_, n)| *n > 0)
                    .map(|(s, n)| BarView {
                        status: s.as_str(),
                        label: status_label(s),
                        count: n,
                        percent: format!("{:.2}", n as f64 * 100.0 / total.max(1) as f64),
                    })
                    .collect(),
            }
        })
        .collect();
    let namespaces: BTreeSet<String> = report
        .findings
        .iter()
        .filter_map(|f| f.resource.namespace.clone())
        .collect();
    let has_cluster_scoped = report
        .findings
        .iter()
        .any(|f| f.resource.namespace.is_none());
    let statuses: Vec<(&'static str, &'static str)> = Status::ALL
        .iter()
        .map(|s| (s.as_str(), status_label(*s)))
        .collect();
    let severities: Vec<&'static str> = Severity::ALL.iter().map(|s| s.as_str()).collect();
    let facts = if report.facts.is_empty() {
        None
    } else {
        Some(
            serde_json::to_string_pretty(&report.facts)
                .map_err(|e| RenderError::Serialize(e.to_string()))?,
        )
    };
    let failing: usize = report.summary.failed_by_severity.values().sum();
    let findings: Vec<FindingView> = areas(report)
        .into_iter()
        .flat_map(|a| area_findings(report, a))
        .map(finding_view)
        .collect();
    let ctx = Context {
        command: &report.command,
        version: &report.tool.version,
        profile: report.profile.as_ref(),
        inputs: &report.inputs,
        input_errors: &report.input_errors,
        summary: &report.summary,
        failing,
        areas: area_views,
        namespaces,
        has_cluster_scoped,
        statuses,
        severities,
        findings,
        facts,
        baseline: report.baseline.as_ref().map(|b| {
            use kubeward_core::baseline::BaselineState;
            let lines = |state| {
                b.gone
                    .iter()
                    .filter(|e| e.baseline_state == Some(state))
                    .map(crate::util::gone_line)
                    .collect()
            };
            BaselineView {
                source: b.source.clone(),
                headline: b.headline(),
                fixed: lines(BaselineState::Absent),
                not_evaluated: lines(BaselineState::NotEvaluated),
            }
        }),
    };
    let html = template
        .render(Serde(&ctx))
        .map_err(|e| RenderError::Template(e.to_string()))?;
    Ok(html)
}
