//! SARIF 2.1.0 for code-scanning tools (GitHub, Azure DevOps SARIF viewer), from a small hand-written
//! serde model: a stable output shape and nothing generated.
//!
//! - `tool.driver.rules`: one rule per check that has a result, with help from the check's docs
//!   (what, why, fix) and `properties` carrying tags, references and `security-severity`;
//! - `results`: FAIL (level by severity), WARN (note), MANUAL (kind `review`), waived findings with an
//!   `accepted` suppression; PASS, INFO and NOT_APPLICABLE are left out (they are in the JSON report);
//! - ERROR findings and input errors become `toolExecutionNotifications` of the invocation;
//! - locations: a `physicalLocation` (relative URI when the path is relative, `file://` URI when it
//!   is absolute; `region.startLine` from the evidence line, 1 for a whole file) plus a
//!   `logicalLocation` for the resource.

use std::collections::BTreeMap;

use kubeward_core::{CheckMeta, Finding, Registry, Report, Severity, Source, Status};
use serde::Serialize;

use crate::RenderError;
use crate::util::evidence_line;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/kubeward/kubeward";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    invocations: Vec<Invocation>,
    column_kind: &'static str,
    results: Vec<SarifResult>,
    properties: RunProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties<'a> {
    command: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<&'a str>,
    summary: &'a kubeward_core::Summary,
    /// Per area, what was set apart as platform-managed (and the sentence saying so).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    scope: Vec<ScopeView<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ScopeView<'a> {
    #[serde(flatten)]
    scope: &'a kubeward_core::AreaScope,
    text: String,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: String,
    semantic_version: String,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    name: String,
    short_description: Message,
    full_description: Message,
    help: MultiformatMessage,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleProperties {
    tags: Vec<String>,
    references: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    profiles: Vec<String>,
    #[serde(rename = "security-severity")]
    security_severity: String,
    severity: &'static str,
    area: String,
}

#[derive(Serialize, Clone)]
struct Message {
    text: String,
}

#[derive(Serialize)]
struct MultiformatMessage {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    level: &'static str,
    message: Message,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    associated_rule: Option<ReportingDescriptorReference>,
}

#[derive(Serialize)]
struct ReportingDescriptorReference {
    id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    kind: &'static str,
    level: &'static str,
    message: Message,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    /// Against a baseline: `new`, `unchanged`, `updated` or `absent`.
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    properties: ResultProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties {
    status: &'static str,
    severity: &'static str,
    resource: String,
    evidence: Vec<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    platform_managed: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
}

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<PhysicalLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    name: String,
    fully_qualified_name: String,
    kind: &'static str,
}

/// `security-severity` as GitHub reads it (CVSS-like: ≥9 critical, ≥7 high, ≥4 medium, else low).
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

fn fail_level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium | Severity::Low => "warning",
        Severity::Info => "note",
    }
}

/// SARIF messages are sentences; the Multitool asks for a final period.
fn sentence(text: &str) -> String {
    let t = text.trim();
    if t.is_empty() {
        return "(no message).".into();
    }
    if t.ends_with(['.', '!', '?']) {
        t.to_string()
    } else {
        format!("{t}.")
    }
}

/// Percent-encode a path for a URI (keeping `/` and RFC 3986 unreserved characters).
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An artifact location for a path: absolute paths become `file://` URIs; relative ones stay
/// relative to `%SRCROOT%` (the directory kubeward ran in, usually the repository checkout), which
/// code-scanning services resolve against the checkout themselves.
fn artifact(path: &str) -> ArtifactLocation {
    if path.starts_with('/') {
        ArtifactLocation {
            uri: format!("file://{}", encode_path(path)),
            uri_base_id: None,
        }
    } else {
        let trimmed = path.trim_start_matches("./");
        ArtifactLocation {
            uri: encode_path(trimmed),
            uri_base_id: Some("%SRCROOT%"),
        }
    }
}

/// The region of a location. Evidence about a whole file (its mode, its owner) has no line: it gets
/// line 1, the whole-file form code-scanning services need (GitHub requires `startLine`; the
/// Multitool warns about a missing region).
fn region(line: Option<u32>, column: Option<u32>) -> Region {
    match line.filter(|l| *l >= 1) {
        Some(line) => Region {
            start_line: line,
            start_column: column.filter(|c| *c >= 1),
        },
        None => Region {
            start_line: 1,
            start_column: None,
        },
    }
}

fn physical(source: &Source) -> Option<PhysicalLocation> {
    let file = source.file.as_deref().filter(|f| !f.is_empty())?;
    Some(PhysicalLocation {
        artifact_location: artifact(file),
        region: Some(region(source.line, source.column)),
    })
}

fn logical(f: &Finding) -> LogicalLocation {
    LogicalLocation {
        name: f.resource.name.clone(),
        fully_qualified_name: f.resource.display(),
        kind: "object",
    }
}

/// A stable hash of the finding's identity (check + resource), so code-scanning tools can track
/// an alert across runs even when lines move. FNV-1a: tiny and stable across platforms.
fn fingerprint(f: &Finding) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in f
        .code
        .bytes()
        .chain([0])
        .chain(f.resource.display().into_bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn rule_from_meta(meta: &CheckMeta) -> Rule {
    let d = &meta.doc;
    let refs: Vec<String> = meta.references.iter().map(|r| r.display()).collect();
    let mut markdown = format!(
        "**{}** (`{}` `{}`)\n\n**What:** {}\n\n**Why:** {}\n\n**Fix on AKS:**\n\n{}\n",
        meta.title, meta.code, meta.name, d.what, d.why, d.fix
    );
    let examples = examples(d);
    for (heading, body) in &examples {
        let fence = fence(body);
        markdown.push_str(&format!(
            "\n**{heading}:**\n\n{fence}\n{}\n{fence}\n",
            body.trim_end()
        ));
    }
    if !refs.is_empty() {
        markdown.push_str(&format!("\n**References:** {}\n", refs.join(", ")));
    }
    for l in d.links {
        markdown.push_str(&format!("\n- <{l}>"));
    }
    let mut shown = String::new();
    for (heading, body) in &examples {
        shown.push_str(&format!("\n{heading}:\n"));
        for line in body.trim_end().lines() {
            shown.push_str(&format!("  {line}\n"));
        }
    }
    let text = format!(
        "{}\n\nWhat: {}\n\nWhy: {}\n\nFix on AKS:\n{}\n{shown}{}",
        meta.title,
        d.what,
        d.why,
        d.fix,
        if refs.is_empty() {
            String::new()
        } else {
            format!("\nReferences: {}\n", refs.join(", "))
        }
    );
    let mut tags = vec!["security".to_string(), meta.area.as_str().to_string()];
    if meta.kubeward_own {
        tags.push("kubeward".into());
    }
    tags.extend(refs.iter().cloned());
    Rule {
        id: meta.code.to_string(),
        name: meta.name.to_string(),
        short_description: Message {
            text: sentence(meta.title),
        },
        full_description: Message {
            text: sentence(if d.what.is_empty() {
                meta.title
            } else {
                d.what
            }),
        },
        help: MultiformatMessage { text, markdown },
        help_uri: d.links.first().map(|l| l.to_string()),
        default_configuration: Configuration {
            level: fail_level(meta.severity),
        },
        properties: RuleProperties {
            tags,
            references: refs,
            profiles: meta.profiles.iter().map(|p| p.to_string()).collect(),
            security_severity: security_severity(meta.severity).to_string(),
            severity: meta.severity.as_str(),
            area: meta.area.as_str().to_string(),
        },
    }
}

/// The check's examples that are written, with their headings (none yet for run-time checks).
fn examples(d: &kubeward_core::CheckDoc) -> Vec<(&'static str, &'static str)> {
    [("Example it fails on", d.bad), ("The same, fixed", d.good)]
        .into_iter()
        .filter(|(_, body)| !body.trim().is_empty())
        .collect()
}

/// A code fence longer than any run of backticks in `body`, so an example cannot close it.
fn fence(body: &str) -> String {
    let longest = body
        .split(|c: char| c != '`')
        .map(str::len)
        .max()
        .unwrap_or(0);
    "`".repeat((longest + 1).max(3))
}

/// A rule for a finding whose check is not in the registry (e.g. a report merged from another
/// kubeward version): built from the finding itself.
fn rule_from_finding(f: &Finding) -> Rule {
    let refs: Vec<String> = f.references.iter().map(|r| r.display()).collect();
    Rule {
        id: f.code.to_string(),
        name: f.name.to_string(),
        short_description: Message {
            text: sentence(&f.title),
        },
        full_description: Message {
            text: sentence(&f.title),
        },
        help: MultiformatMessage {
            text: f.remediation.to_string(),
            markdown: f.remediation.to_string(),
        },
        help_uri: None,
        default_configuration: Configuration {
            level: fail_level(f.severity),
        },
        properties: RuleProperties {
            tags: vec!["security".into(), f.area.to_string()]
                .into_iter()
                .chain(refs.iter().cloned())
                .collect(),
            references: refs,
            profiles: Vec::new(),
            security_severity: security_severity(f.severity).to_string(),
            severity: f.severity.as_str(),
            area: f.area.to_string(),
        },
    }
}

fn in_results(f: &Finding) -> bool {
    matches!(f.status, Status::Fail | Status::Warn | Status::Manual)
}

/// The key of kubeward's stable fingerprint (docs/report-schema.md); `kubewardFinding/v1` (code
/// and resource) stays beside it so that alerts opened before it keep their identity.
const FINGERPRINT_KEY: &str = "kubewardFingerprint/v1";

/// SARIF's word for a finding's baseline state (`not_evaluated` has none: never a result).
fn sarif_state(state: Option<kubeward_core::baseline::BaselineState>) -> Option<&'static str> {
    use kubeward_core::baseline::BaselineState as S;
    match state? {
        S::New => Some("new"),
        S::Updated => Some("updated"),
        S::Unchanged => Some("unchanged"),
        S::Absent => Some("absent"),
        S::NotEvaluated => None,
    }
}

pub fn render(
    report: &Report,
    registry: &Registry,
    options: &crate::RenderOptions,
) -> Result<String, RenderError> {
    let mut rules: Vec<Rule> = Vec::new();
    let mut rule_index: BTreeMap<String, usize> = BTreeMap::new();
    let mut results = Vec::new();
    let mut notifications = Vec::new();

    for f in &report.findings {
        if f.status == Status::Error && f.waived.is_none() {
            notifications.push(Notification {
                level: "error",
                message: Message {
                    text: sentence(&format!(
                        "{} {} could not run for {}: {}",
                        f.code,
                        f.name,
                        f.resource.display(),
                        f.message
                    )),
                },
                locations: f
                    .evidence
                    .iter()
                    .filter_map(|e| physical(&e.source))
                    .take(1)
                    .map(|p| Location {
                        physical_location: Some(p),
                        ..Default::default()
                    })
                    .collect(),
                associated_rule: Some(ReportingDescriptorReference {
                    id: f.code.to_string(),
                }),
            });
            continue;
        }
        if !in_results(f) {
            continue;
        }
        let index = *rule_index.entry(f.code.to_string()).or_insert_with(|| {
            rules.push(match registry.get(&f.code) {
                Some(meta) => rule_from_meta(meta),
                None => rule_from_finding(f),
            });
            rules.len() - 1
        });
        let (kind, level) = match f.status {
            // Platform-managed: the user cannot change the object, so it gates nothing.
            Status::Fail if f.platform_managed => ("fail", "note"),
            Status::Fail => ("fail", fail_level(f.severity)),
            Status::Warn => ("fail", "note"),
            _ => ("review", "none"),
        };
        let mut physicals = f
            .evidence
            .iter()
            .filter_map(|e| physical(&e.source).map(|p| (e, p)));
        let primary = Location {
            id: None,
            physical_location: physicals.next().map(|(_, p)| p),
            logical_locations: vec![logical(f)],
            message: None,
        };
        let related: Vec<Location> = physicals
            .enumerate()
            .map(|(i, (e, p))| Location {
                id: Some(i + 1),
                physical_location: Some(p),
                logical_locations: Vec::new(),
                message: Some(Message {
                    text: sentence(&evidence_line(e)),
                }),
            })
            .collect();
        let mut text = format!("{}: {}", f.resource.display(), f.message);
        if let Some(first) = f.evidence.first() {
            text.push_str(&format!(" ({})", evidence_line(first)));
        }
        let suppressions = f
            .waived
            .as_ref()
            .map(|w| Suppression {
                kind: "external",
                status: "accepted",
                justification: match &w.expires {
                    Some(x) => format!("{} (until {x})", w.reason),
                    None => w.reason.clone(),
                },
            })
            .into_iter()
            .collect();
        results.push(SarifResult {
            rule_id: f.code.to_string(),
            rule_index: index,
            kind,
            level,
            message: Message {
                text: sentence(&text),
            },
            locations: vec![primary],
            related_locations: related,
            partial_fingerprints: {
                let mut fps = BTreeMap::from([("kubewardFinding/v1", fingerprint(f))]);
                if let Some(fp) = &f.fingerprint {
                    fps.insert(FINGERPRINT_KEY, fp.to_string());
                }
                fps
            },
            baseline_state: sarif_state(f.baseline_state),
            suppressions,
            properties: ResultProperties {
                status: f.status.as_str(),
                severity: f.severity.as_str(),
                resource: f.resource.display(),
                evidence: f.evidence.iter().map(evidence_line).collect(),
                platform_managed: f.platform_managed,
            },
        });
    }

    // Fixed findings, only when asked: code-scanning services may show them as open alerts.
    if options.sarif_include_absent
        && let Some(b) = &report.baseline
    {
        use kubeward_core::baseline::BaselineState;
        for e in b
            .gone
            .iter()
            .filter(|e| e.baseline_state == Some(BaselineState::Absent))
        {
            let Some(meta) = registry.get(&e.code) else {
                continue;
            };
            let index = *rule_index.entry(e.code.clone()).or_insert_with(|| {
                rules.push(rule_from_meta(meta));
                rules.len() - 1
            });
            let resource = e.resource.as_ref().map(|r| r.display()).unwrap_or_default();
            let (file, logical_locations) = match &e.scope {
                kubeward_core::baseline::Scope::File(p) => (Some(p.as_str()), Vec::new()),
                kubeward_core::baseline::Scope::Resource(_) => (None, Vec::new()),
            };
            results.push(SarifResult {
                rule_id: e.code.clone(),
                rule_index: index,
                kind: "pass",
                level: "none",
                message: Message {
                    text: sentence(&format!(
                        "fixed since the baseline: {} {} ({} {})",
                        e.code, resource, e.status, e.severity
                    )),
                },
                locations: vec![Location {
                    physical_location: file.map(|p| PhysicalLocation {
                        artifact_location: artifact(p),
                        region: Some(region(None, None)),
                    }),
                    logical_locations,
                    ..Default::default()
                }],
                related_locations: Vec::new(),
                partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, e.fingerprint.clone())]),
                baseline_state: Some("absent"),
                suppressions: Vec::new(),
                properties: ResultProperties {
                    status: e.status.as_str(),
                    severity: e.severity.as_str(),
                    resource,
                    evidence: Vec::new(),
                    platform_managed: false,
                },
            });
        }
    }

    for e in &report.input_errors {
        notifications.push(Notification {
            level: "error",
            message: Message {
                text: sentence(&format!("input skipped: {}", e.message)),
            },
            locations: vec![Location {
                physical_location: Some(PhysicalLocation {
                    artifact_location: artifact(&e.path),
                    region: Some(region(e.line, None)),
                }),
                ..Default::default()
            }],
            associated_rule: None,
        });
    }

    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "kubeward",
                    version: report.tool.version.clone(),
                    semantic_version: report.tool.version.clone(),
                    information_uri: INFORMATION_URI,
                    rules,
                },
            },
            invocations: vec![Invocation {
                execution_successful: true,
                tool_execution_notifications: notifications,
            }],
            column_kind: "unicodeCodePoints",
            results,
            properties: RunProperties {
                command: &report.command,
                profile: report.profile.as_ref().map(|p| p.id.as_str()),
                summary: &report.summary,
                scope: report
                    .scope
                    .iter()
                    .map(|scope| ScopeView {
                        scope,
                        text: scope.listed_sentence(),
                    })
                    .collect(),
            },
        }],
    };
    let mut s =
        serde_json::to_string_pretty(&log).map_err(|e| RenderError::Serialize(e.to_string()))?;
    s.push('\n');
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_encoded_and_relative_paths_stay_relative() {
        assert_eq!(
            artifact("/etc/kubernetes/a b.conf").uri,
            "file:///etc/kubernetes/a%20b.conf"
        );
        let rel = artifact("./examples/x.yaml");
        assert_eq!(rel.uri, "examples/x.yaml");
        assert_eq!(rel.uri_base_id, Some("%SRCROOT%"));
    }

    #[test]
    fn whole_file_evidence_gets_a_whole_file_region() {
        // A file's mode has no line: the location still carries a region (line 1).
        let mut stat = Source::file("/etc/kubernetes/azure.json");
        stat.origin = Some("stat".into());
        let loc = physical(&stat).expect("a file location");
        assert_eq!(loc.region.as_ref().map(|r| r.start_line), Some(1));
        let keyed = Source::file("/etc/default/kubeletconfig.json").with_line(35);
        let loc = physical(&keyed).expect("a file location");
        assert_eq!(loc.region.as_ref().map(|r| r.start_line), Some(35));
        assert!(physical(&Source::origin("kubelet default")).is_none());
    }

    #[test]
    fn messages_end_as_sentences() {
        assert_eq!(sentence("open"), "open.");
        assert_eq!(sentence("done."), "done.");
        assert_eq!(sentence("  "), "(no message).");
    }

    #[test]
    fn rule_help_shows_the_examples() {
        static META: CheckMeta = CheckMeta {
            code: "K999",
            name: "privileged",
            since: "0.1.0",
            aliases: &[],
            title: "No privileged containers",
            area: kubeward_core::Area::Workloads,
            severity: Severity::High,
            references: &[],
            profiles: &[],
            kubeward_own: true,
            doc: kubeward_core::CheckDoc {
                what: "w",
                why: "y",
                fix: "f",
                links: &[],
                bad: "securityContext:\n  privileged: true\n",
                good: "securityContext:\n  privileged: false # ```\n",
            },
        };
        let rule = rule_from_meta(&META);
        assert!(
            rule.help
                .text
                .contains("Example it fails on:\n  securityContext:\n    privileged: true\n"),
            "{}",
            rule.help.text
        );
        assert!(
            rule.help
                .markdown
                .contains("**The same, fixed:**\n\n````\nsecurityContext:"),
            "{}",
            rule.help.markdown
        );
        let mut plain = META;
        plain.doc.bad = "";
        plain.doc.good = "";
        assert!(!rule_from_meta(&plain).help.text.contains("Example"));
    }
}
