//! Waivers (exceptions): a `.kubeward.yaml` file lists accepted findings, each by check (code or
//! name) and resource patterns, with a reason and an expiry date. A matched finding stays in the
//! report, marked `waived`, and no longer fails the run. Expired waivers stop applying and are
//! reported; waivers that match nothing in an area that was scanned are reported too.
//!
//! ```yaml
//! waivers:
//!   - check: kubelet-read-only-port      # or its code, e.g. N110
//!     kind: Node                         # optional glob patterns: kind, namespace, name
//!     name: "aks-gpupool-*"
//!     reason: "GPU pool scraped by the legacy metrics agent until 2027 migration (TICKET-123)"
//!     expires: 2027-03-31
//! ```

use std::fmt;
use std::path::Path;

use serde::Deserialize;

use crate::check::{Area, CheckDoc, CheckMeta};
use crate::finding::{Evidence, Finding, Resource, Severity, Source, Status, Waiver};
use crate::registry::Registry;
use crate::report::{InputInfo, Report};

/// The file name looked for in the current directory when `--waivers` is not given.
pub const DEFAULT_FILE: &str = ".kubeward.yaml";

/// Waiver files are small; anything larger is refused rather than parsed.
const MAX_FILE_BYTES: u64 = 1024 * 1024;
const MAX_ENTRIES: usize = 10_000;

pub static WAIVER_EXPIRED: CheckMeta = CheckMeta {
    code: "K101",
    name: "waiver-expired",
    since: "0.1.0",
    aliases: &[],
    title: "A waiver has expired and no longer applies",
    area: Area::General,
    severity: Severity::Low,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Each waiver in the waiver file carries an expiry date. This check reports every waiver \
whose date is in the past.",
        why: "An exception is a decision with a deadline. Once it has passed, the findings it covered \
count again (they may fail the run), and the waiver should be renewed with a fresh reason or removed.",
        fix: "Fix the waived findings, or, if the exception is still justified, update `expires` (and \
the `reason`) of the waiver named in the evidence.",
        links: &[],
        bad: r#"waivers:
  - check: kubelet-read-only-port
    kind: Node
    name: "aks-gpupool-*"
    reason: "GPU pool scraped by the legacy metrics agent (TICKET-123)"
    expires: 2025-03-31
"#,
        good: r#"waivers:
  - check: kubelet-read-only-port
    kind: Node
    name: "aks-gpupool-*"
    reason: "GPU pool scraped by the legacy metrics agent until the 2027 migration (TICKET-123)"
    expires: 2027-03-31
"#,
    },
};

pub static WAIVER_UNUSED: CheckMeta = CheckMeta {
    code: "K102",
    name: "waiver-unused",
    since: "0.1.0",
    aliases: &[],
    title: "A waiver matches no finding",
    area: Area::General,
    severity: Severity::Info,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Reports waivers whose check was evaluated in this run but that matched no failing, \
erroring, warning or manual finding.",
        why: "A waiver that no longer matches anything is either obsolete (the problem was fixed) or \
mistyped (its patterns miss the resource it was meant for). Either way it should not stay in the file.",
        fix: "Remove the waiver if the problem was fixed; otherwise correct its `kind`, `namespace` or \
`name` patterns.",
        links: &[],
        // The pool is `aks-gpupool-…`; the pattern misses it by a dash.
        bad: r#"waivers:
  - check: kubelet-read-only-port
    kind: Node
    name: "aks-gpu-pool-*"
    reason: "GPU pool scraped by the legacy metrics agent until the 2027 migration (TICKET-123)"
    expires: 2027-03-31
"#,
        good: r#"waivers:
  - check: kubelet-read-only-port
    kind: Node
    name: "aks-gpupool-*"
    reason: "GPU pool scraped by the legacy metrics agent until the 2027 migration (TICKET-123)"
    expires: 2027-03-31
"#,
    },
};

/// kubeward's own checks about waivers (registered with the other areas' checks).
pub fn checks() -> Vec<&'static CheckMeta> {
    vec![&WAIVER_EXPIRED, &WAIVER_UNUSED]
}

/// A calendar date (`YYYY-MM-DD`), compared as such; no time zone involved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// Parse `YYYY-MM-DD` (a real calendar date).
    pub fn parse(s: &str) -> Option<Date> {
        let s = s.trim();
        let mut parts = s.splitn(3, '-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if !(all_digits(y) && all_digits(m) && all_digits(d)) {
            return None;
        }
        let date = Date {
            year: y.parse().ok()?,
            month: m.parse().ok()?,
            day: d.parse().ok()?,
        };
        (date.month >= 1 && date.month <= 12 && date.day >= 1 && date.day <= date.days_in_month())
            .then_some(date)
    }

    fn days_in_month(self) -> u8 {
        match self.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            _ => {
                let leap = (self.year % 4 == 0 && self.year % 100 != 0) || self.year % 400 == 0;
                if leap { 29 } else { 28 }
            }
        }
    }

    /// The date `days` after 1970-01-01 (proleptic Gregorian calendar).
    pub fn from_unix_days(days: i64) -> Date {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// Today in UTC, from the system clock.
    pub fn today_utc() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Date::from_unix_days(secs.div_euclid(86_400))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// One waiver, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaiverEntry {
    /// Check code or name, as written.
    pub check: String,
    pub kind: Option<String>,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub reason: String,
    /// The last day on which the waiver applies.
    pub expires: Date,
    /// 0-based position in the file's `waivers` list.
    pub index: usize,
    /// 1-based line of the entry in the file.
    pub line: Option<u32>,
}

impl WaiverEntry {
    /// Does this waiver cover `finding` (check and every given resource pattern)?
    pub fn matches(&self, finding: &Finding) -> bool {
        let check_matches = finding.code.eq_ignore_ascii_case(&self.check)
            || finding.name.eq_ignore_ascii_case(&self.check);
        let r = &finding.resource;
        check_matches
            && pattern_matches(self.kind.as_deref(), &r.kind)
            && pattern_matches(
                self.namespace.as_deref(),
                r.namespace.as_deref().unwrap_or(""),
            )
            && pattern_matches(self.name.as_deref(), &r.name)
    }

    /// `N110 kind=Node name=aks-*`: how the waiver is named in findings about it.
    pub fn describe(&self) -> String {
        let mut s = self.check.clone();
        for (label, value) in [
            ("kind", &self.kind),
            ("namespace", &self.namespace),
            ("name", &self.name),
        ] {
            if let Some(v) = value {
                s.push_str(&format!(" {label}={v}"));
            }
        }
        s
    }
}

fn pattern_matches(pattern: Option<&str>, value: &str) -> bool {
    match pattern {
        None => true,
        Some(p) => glob_match(p.as_bytes(), value.as_bytes()),
    }
}

/// Shell-style wildcard match: `*` any run of characters, `?` one character; everything else is
/// literal. Iterative with single backtracking, so it is linear-ish and never recurses.
pub fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&b| b == b'*')
}

/// A parsed waiver file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WaiverFile {
    /// The path as given (shown in evidence).
    pub path: String,
    pub entries: Vec<WaiverEntry>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WaiverError {
    #[error("cannot read the waiver file {path}: {message}")]
    Read { path: String, message: String },
    #[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid {
        path: String,
        line: Option<u32>,
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    waivers: Vec<serde_saphyr::Spanned<RawEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    check: Option<String>,
    kind: Option<String>,
    namespace: Option<String>,
    name: Option<String>,
    reason: Option<String>,
    expires: Option<String>,
}

impl WaiverFile {
    /// Read and validate a waiver file (bounded in size).
    pub fn load(path: &Path) -> Result<WaiverFile, WaiverError> {
        let shown = path.display().to_string();
        let read_err = |message: String| WaiverError::Read {
            path: shown.clone(),
            message,
        };
        // Bounded while reading, regular files only.
        let bytes = crate::input::read(path, MAX_FILE_BYTES, "a waiver file")
            .map_err(|e| read_err(e.to_string()))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            read_err(format!(
                "not UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ))
        })?;
        Self::parse(&shown, &text)
    }

    /// Parse and validate waiver YAML. Every entry needs `check`, `reason` and a valid `expires`.
    pub fn parse(path: &str, text: &str) -> Result<WaiverFile, WaiverError> {
        let invalid = |line: Option<u32>, message: String| WaiverError::Invalid {
            path: path.to_string(),
            line,
            message,
        };
        if text.trim().is_empty() {
            return Ok(WaiverFile {
                path: path.to_string(),
                entries: Vec::new(),
            });
        }
        // serde-saphyr's default budget bounds depth, aliases and expansion.
        let raw: RawFile = serde_saphyr::from_str(text).map_err(|e| {
            let line = e.location().map(|l| l.line() as u32);
            // The first line of the rendered error is the message; the rest is a code snippet.
            let message = e
                .to_string()
                .lines()
                .next()
                .unwrap_or("invalid YAML")
                .to_string();
            invalid(line, message)
        })?;
        if raw.waivers.len() > MAX_ENTRIES {
            return Err(invalid(None, format!("more than {MAX_ENTRIES} waivers")));
        }
        let mut entries = Vec::with_capacity(raw.waivers.len());
        for (index, spanned) in raw.waivers.into_iter().enumerate() {
            let line = Some(spanned.referenced.line() as u32).filter(|l| *l > 0);
            let e = spanned.value;
            let nonempty =
                |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
            let Some(check) = nonempty(e.check) else {
                return Err(invalid(
                    line,
                    format!("waiver {} has no `check` (a check code or name)", index + 1),
                ));
            };
            let Some(reason) = nonempty(e.reason) else {
                return Err(invalid(
                    line,
                    format!(
                        "waiver {} ({check}) has no `reason`: say why the finding is accepted",
                        index + 1
                    ),
                ));
            };
            let Some(expires_text) = nonempty(e.expires) else {
                return Err(invalid(
                    line,
                    format!(
                        "waiver {} ({check}) has no `expires` date (YYYY-MM-DD)",
                        index + 1
                    ),
                ));
            };
            let Some(expires) = Date::parse(&expires_text) else {
                return Err(invalid(
                    line,
                    format!(
                        "waiver {} ({check}): `expires: {expires_text}` is not a date of the form YYYY-MM-DD",
                        index + 1
                    ),
                ));
            };
            entries.push(WaiverEntry {
                check,
                kind: nonempty(e.kind),
                namespace: nonempty(e.namespace),
                name: nonempty(e.name),
                reason,
                expires,
                index,
                line,
            });
        }
        Ok(WaiverFile {
            path: path.to_string(),
            entries,
        })
    }

    /// Every waiver must name a check the registry knows (a typo would silently waive nothing).
    pub fn validate(&self, registry: &Registry) -> Result<(), WaiverError> {
        for e in &self.entries {
            if registry.get(&e.check).is_none() {
                let hints: Vec<String> = registry
                    .suggest(&e.check)
                    .iter()
                    .take(5)
                    .map(|c| format!("{} {}", c.code, c.name))
                    .collect();
                let hint = if hints.is_empty() {
                    " (`kubeward checks` lists them all)".to_string()
                } else {
                    format!("; did you mean: {}?", hints.join(", "))
                };
                return Err(WaiverError::Invalid {
                    path: self.path.clone(),
                    line: e.line,
                    message: format!(
                        "waiver {} names an unknown check {:?}{hint}",
                        e.index + 1,
                        e.check
                    ),
                });
            }
        }
        Ok(())
    }

    fn source_of(&self, entry: &WaiverEntry) -> String {
        match entry.line {
            Some(l) => format!("{}:{l}", self.path),
            None => format!("{} (waiver {})", self.path, entry.index + 1),
        }
    }

    /// Mark matching findings as waived and add findings about expired and unused waivers.
    /// `today` is passed in so the result is deterministic under test.
    pub fn apply(&self, report: &mut Report, registry: &Registry, today: Date) -> ApplyOutcome {
        let mut outcome = ApplyOutcome::default();
        let mut used = vec![false; self.entries.len()];
        let scanned_areas: std::collections::BTreeSet<String> =
            report.findings.iter().map(|f| f.area.to_string()).collect();
        for finding in &mut report.findings {
            let waivable = matches!(
                finding.status,
                Status::Fail | Status::Error | Status::Warn | Status::Manual
            );
            if !waivable || finding.waived.is_some() {
                continue;
            }
            let hit = self
                .entries
                .iter()
                .find(|e| e.expires >= today && e.matches(finding));
            if let Some(entry) = hit {
                used[entry.index] = true;
                finding.waived = Some(Box::new(Waiver {
                    reason: entry.reason.clone(),
                    expires: Some(entry.expires.to_string()),
                    source: Some(self.source_of(entry)),
                }));
                outcome.waived += 1;
            }
        }
        let mut extra = Vec::new();
        for entry in &self.entries {
            let resource = Resource::new("Waiver", entry.describe());
            let source = Source {
                file: Some(self.path.clone().into()),
                line: entry.line,
                key: Some(format!("waivers[{}]", entry.index).into()),
                ..Default::default()
            };
            if entry.expires < today {
                outcome.expired += 1;
                extra.push(
                    Finding::new(
                        &WAIVER_EXPIRED,
                        Status::Warn,
                        resource,
                        format!(
                            "waiver for {} expired on {}; the findings it covered count again",
                            entry.describe(),
                            entry.expires
                        ),
                    )
                    .with_evidence(
                        Evidence::observed(
                            entry.expires.to_string(),
                            source
                                .clone()
                                .with_key(format!("waivers[{}].expires", entry.index)),
                        )
                        .with_expected(format!("a date on or after {today}"))
                        .with_note(format!("reason given: {}", entry.reason)),
                    ),
                );
                continue;
            }
            if used[entry.index] {
                continue;
            }
            // Only call a waiver unused when its check's area was part of this run.
            let area = registry.get(&entry.check).map(|c| c.area.as_str());
            if area.is_some_and(|a| scanned_areas.contains(a)) {
                outcome.unused += 1;
                extra.push(
                    Finding::new(
                        &WAIVER_UNUSED,
                        Status::Info,
                        resource,
                        format!(
                            "waiver for {} matched no finding in this run",
                            entry.describe()
                        ),
                    )
                    .with_evidence(
                        Evidence::observed(
                            "no matching FAIL, ERROR, WARN or MANUAL finding",
                            source,
                        )
                        .with_note(format!("reason given: {}", entry.reason)),
                    ),
                );
            }
        }
        report.extend(extra);
        report.inputs.push(InputInfo {
            kind: "waivers".into(),
            path: self.path.clone(),
            detail: Some(format!("{} waivers", self.entries.len())),
        });
        outcome
    }
}

/// What applying a waiver file did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplyOutcome {
    pub waived: usize,
    pub expired: usize,
    pub unused: usize,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::check::RefStatic;
    use crate::exit::{FailOn, exit_code};

    static FAILING: CheckMeta = CheckMeta {
        references: &[RefStatic::cis_aks("1.8.0", "3.2.4")],
        kubeward_own: false,
        ..CheckMeta::fixture(
            "N901",
            "test-read-only-port",
            "test",
            Area::Node,
            Severity::High,
        )
    };
    static OTHER_AREA: CheckMeta = CheckMeta {
        since: "0.1.0",
        aliases: &[],
        code: "W901",
        name: "test-privileged",
        area: Area::Workloads,
        ..FAILING
    };

    fn registry() -> Registry {
        Registry::new().with(&[&FAILING, &OTHER_AREA, &WAIVER_EXPIRED, &WAIVER_UNUSED])
    }

    fn day(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn report() -> Report {
        let mut r = Report::new("node");
        r.push(Finding::new(
            &FAILING,
            Status::Fail,
            Resource::new("Node", "aks-gpupool-1"),
            "read-only port open",
        ));
        r.push(Finding::new(
            &FAILING,
            Status::Fail,
            Resource::new("Node", "aks-system-1"),
            "read-only port open",
        ));
        r
    }

    const FILE: &str = "waivers:
  - check: test-read-only-port
    kind: Node
    name: \"aks-gpu*\"
    reason: legacy metrics agent
    expires: 2030-01-31
";

    /// A node scan of a GPU pool whose read-only port is open, as the waiver examples expect.
    static READ_ONLY_PORT: CheckMeta = CheckMeta {
        code: "N123",
        name: "kubelet-read-only-port",
        ..FAILING
    };

    #[test]
    fn examples_fail_and_pass_as_documented() {
        let registry = Registry::new().with(&[&READ_ONLY_PORT, &WAIVER_EXPIRED, &WAIVER_UNUSED]);
        // The day the examples are read on: after the bad expiry, before the good one.
        let today = day("2026-12-07");
        let run = |text: &str| {
            let file = WaiverFile::parse(DEFAULT_FILE, text).unwrap();
            file.validate(&registry).unwrap();
            let mut r = Report::new("node");
            r.push(Finding::new(
                &READ_ONLY_PORT,
                Status::Fail,
                Resource::new("Node", "aks-gpupool-38271645-vmss000002"),
                "readOnlyPort is 10255",
            ));
            file.apply(&mut r, &registry, today);
            r
        };
        for (meta, failing) in [
            (&WAIVER_EXPIRED, Status::Warn),
            (&WAIVER_UNUSED, Status::Info),
        ] {
            let of = |r: &Report| {
                r.findings
                    .iter()
                    .filter(|f| f.code == meta.code)
                    .map(|f| f.status)
                    .collect::<Vec<_>>()
            };
            assert_eq!(of(&run(meta.doc.bad)), [failing], "{} bad", meta.code);
            assert!(of(&run(meta.doc.good)).is_empty(), "{} good", meta.code);
        }
    }

    #[test]
    fn dates_parse_strictly_and_compare() {
        assert_eq!(day("2024-02-29").to_string(), "2024-02-29");
        assert!(Date::parse("2023-02-29").is_none());
        assert!(Date::parse("2024-13-01").is_none());
        assert!(Date::parse("24-01-01").is_none());
        assert!(Date::parse("2024-1-01").is_none());
        assert!(day("2024-01-31") < day("2024-02-01"));
        assert_eq!(Date::from_unix_days(0), day("1970-01-01"));
        assert_eq!(Date::from_unix_days(19_782), day("2024-02-29"));
        assert_eq!(Date::from_unix_days(-1), day("1969-12-31"));
    }

    #[test]
    fn glob_patterns() {
        assert!(glob_match(b"aks-*", b"aks-nodepool1-0"));
        assert!(glob_match(b"*", b""));
        assert!(glob_match(b"kube-?ystem", b"kube-system"));
        assert!(glob_match(b"*-system", b"kube-system"));
        assert!(glob_match(b"a*b*c", b"axxbyyc"));
        assert!(!glob_match(b"a*b*c", b"axxbyy"));
        assert!(!glob_match(b"default", b"default2"));
        assert!(!glob_match(b"", b"x"));
    }

    #[test]
    fn matching_waiver_marks_only_its_resource_and_unfails_the_run() {
        let file = WaiverFile::parse(".kubeward.yaml", FILE).unwrap();
        assert_eq!(file.entries[0].line, Some(2));
        file.validate(&registry()).unwrap();
        let mut r = report();
        let out = file.apply(&mut r, &registry(), day("2030-01-31"));
        assert_eq!(
            out,
            ApplyOutcome {
                waived: 1,
                expired: 0,
                unused: 0
            }
        );
        let gpu = r
            .findings
            .iter()
            .find(|f| f.resource.name == "aks-gpupool-1")
            .unwrap();
        let w = gpu.waived.as_ref().unwrap();
        assert_eq!(w.reason, "legacy metrics agent");
        assert_eq!(w.expires.as_deref(), Some("2030-01-31"));
        assert_eq!(w.source.as_deref(), Some(".kubeward.yaml:2"));
        let sys = r
            .findings
            .iter()
            .find(|f| f.resource.name == "aks-system-1")
            .unwrap();
        assert!(sys.waived.is_none());
        // The system node still fails; waive it too and the run passes.
        r.finish();
        assert_eq!(exit_code(&r, FailOn::default(), false), 1);
        let all = WaiverFile::parse("w.yaml", &FILE.replace("aks-gpu*", "aks-*")).unwrap();
        let mut r = report();
        all.apply(&mut r, &registry(), day("2029-01-01"));
        r.finish();
        assert_eq!(r.summary.waived, 2);
        assert_eq!(exit_code(&r, FailOn::default(), false), 0);
    }

    #[test]
    fn code_works_as_well_as_name() {
        let file =
            WaiverFile::parse("w.yaml", &FILE.replace("test-read-only-port", "n901")).unwrap();
        let mut r = report();
        assert_eq!(file.apply(&mut r, &registry(), day("2029-01-01")).waived, 1);
    }

    #[test]
    fn expired_waiver_does_not_apply_and_is_reported() {
        let file = WaiverFile::parse("w.yaml", FILE).unwrap();
        let mut r = report();
        let out = file.apply(&mut r, &registry(), day("2030-02-01"));
        assert_eq!(
            out,
            ApplyOutcome {
                waived: 0,
                expired: 1,
                unused: 0
            }
        );
        let expired: Vec<_> = r.findings.iter().filter(|f| f.code == "K101").collect();
        assert_eq!(expired.len(), 1);
        assert_eq!(expired[0].status, Status::Warn);
        let ev = &expired[0].evidence[0];
        assert_eq!(ev.observed.as_deref(), Some("2030-01-31"));
        assert_eq!(ev.source.file.as_deref(), Some("w.yaml"));
        assert_eq!(ev.source.line, Some(2));
        r.finish();
        assert_eq!(exit_code(&r, FailOn::default(), false), 1);
    }

    #[test]
    fn unused_waiver_reported_only_when_its_area_ran() {
        let text = format!(
            "{FILE}  - check: test-privileged\n    reason: r\n    expires: 2030-01-01\n  - check: N901\n    name: nomatch\n    reason: r\n    expires: 2030-01-01\n"
        );
        let file = WaiverFile::parse("w.yaml", &text).unwrap();
        let mut r = report();
        let out = file.apply(&mut r, &registry(), day("2029-01-01"));
        // The workloads waiver is not "unused": no workloads were scanned.
        assert_eq!(
            out,
            ApplyOutcome {
                waived: 1,
                expired: 0,
                unused: 1
            }
        );
        let unused: Vec<_> = r.findings.iter().filter(|f| f.code == "K102").collect();
        assert_eq!(unused.len(), 1);
        assert_eq!(unused[0].resource.name, "N901 name=nomatch");
        assert_eq!(unused[0].evidence[0].source.line, Some(10));
    }

    #[test]
    fn passing_findings_are_not_waived() {
        let file = WaiverFile::parse("w.yaml", FILE).unwrap();
        let mut r = Report::new("node");
        r.push(Finding::new(
            &FAILING,
            Status::Pass,
            Resource::new("Node", "aks-gpupool-1"),
            "ok",
        ));
        let out = file.apply(&mut r, &registry(), day("2029-01-01"));
        assert_eq!(out.waived, 0);
        assert_eq!(out.unused, 1);
        assert!(r.findings[0].waived.is_none());
    }

    #[test]
    fn bad_files_name_the_line() {
        let missing_reason = "waivers:\n  - check: N901\n    expires: 2030-01-01\n";
        let err = WaiverFile::parse("w.yaml", missing_reason).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("w.yaml:2: waiver 1 (N901) has no `reason`"),
            "{err}"
        );
        let bad_date = "waivers:\n  - check: N901\n    reason: r\n    expires: next year\n";
        let err = WaiverFile::parse("w.yaml", bad_date).unwrap_err();
        assert!(err.to_string().contains("is not a date"), "{err}");
        let no_expiry = "waivers:\n  - check: N901\n    reason: r\n";
        assert!(
            WaiverFile::parse("w.yaml", no_expiry)
                .unwrap_err()
                .to_string()
                .contains("no `expires`")
        );
        let typo_field = "waivers:\n  - check: N901\n    reason: r\n    expire: 2030-01-01\n";
        assert!(WaiverFile::parse("w.yaml", typo_field).is_err());
        let not_yaml = "waivers: [\n";
        assert!(WaiverFile::parse("w.yaml", not_yaml).is_err());
        let unknown_top_level = "exceptions:\n  - check: N901\n";
        assert!(WaiverFile::parse("w.yaml", unknown_top_level).is_err());
        assert_eq!(WaiverFile::parse("w.yaml", "").unwrap().entries.len(), 0);
    }

    #[test]
    fn unknown_check_is_refused_with_suggestions() {
        let file = WaiverFile::parse(
            "w.yaml",
            &FILE.replace("test-read-only-port", "read-only-port"),
        )
        .unwrap();
        let err = file.validate(&registry()).unwrap_err().to_string();
        assert!(err.contains("unknown check \"read-only-port\""), "{err}");
        assert!(err.contains("N901 test-read-only-port"), "{err}");
    }
}
