//! Exit policy (documented in the README; a versioned API like check codes).
//!
//! - 0: no non-waived FAIL at or above `--fail-on` (and no ERROR when `--fail-on-error`);
//!   platform-managed findings never count
//! - 1: at least one such finding
//! - 2: usage error, or no input could be read at all (decided by the CLI before this is called)

use crate::finding::{Severity, Status};
use crate::report::Report;

pub const EXIT_OK: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_USAGE_OR_NO_INPUT: i32 = 2;

/// The lowest severity of FAIL that fails the run, or never.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    Severity(Severity),
    Never,
}

impl Default for FailOn {
    /// Any FAIL fails the run.
    fn default() -> Self {
        FailOn::Severity(Severity::Low)
    }
}

impl std::str::FromStr for FailOn {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("never") {
            return Ok(FailOn::Never);
        }
        Severity::parse(s).map(FailOn::Severity).ok_or_else(|| {
            format!("unknown severity {s:?}: expected critical, high, medium, low, info or never")
        })
    }
}

/// The process exit code for a finished report.
pub fn exit_code(report: &Report, fail_on: FailOn, fail_on_error: bool) -> i32 {
    let threshold = match fail_on {
        FailOn::Never => return EXIT_OK,
        FailOn::Severity(s) => s,
    };
    // Under a baseline only what got worse fails: new findings and worse verdicts.
    let failing = report.findings.iter().any(|f| {
        // Platform-managed objects cannot be changed by the user (docs/exit-codes.md).
        f.waived.is_none()
            && !f.platform_managed
            && ((f.status == Status::Fail
                && f.severity >= threshold
                && crate::baseline::counts_for_exit(f))
                || (fail_on_error && f.status == Status::Error))
    });
    // An input that could not be read is a check that could not run on it: it fails the run
    // exactly when ERROR findings do; so does a baseline finding this run could not evaluate.
    let not_evaluated = report
        .baseline
        .as_ref()
        .is_some_and(|b| b.not_evaluated > 0);
    let unread_input = fail_on_error && (!report.input_errors.is_empty() || not_evaluated);
    if failing || unread_input {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::check::{Area, CheckMeta};
    use crate::finding::{Finding, Resource, Waiver};

    static META: CheckMeta = CheckMeta::fixture(
        "K900",
        "test-check",
        "test",
        Area::General,
        Severity::Medium,
    );

    fn report(status: Status, severity: Severity) -> Report {
        let mut r = Report::new("test");
        r.push(
            Finding::new(&META, status, Resource::new("Node", "n"), "m").with_severity(severity),
        );
        r.finish();
        r
    }

    #[test]
    fn any_fail_fails_by_default() {
        assert_eq!(
            exit_code(
                &report(Status::Fail, Severity::Low),
                FailOn::default(),
                false
            ),
            1
        );
        assert_eq!(
            exit_code(
                &report(Status::Pass, Severity::High),
                FailOn::default(),
                false
            ),
            0
        );
    }

    #[test]
    fn platform_managed_findings_never_fail_and_are_not_counted_as_failing() {
        for st in [Status::Fail, Status::Error] {
            let mut r = report(st, Severity::Critical);
            r.findings[0].platform_managed = true;
            r.finish();
            assert_eq!(exit_code(&r, FailOn::default(), true), 0, "{st:?}");
            assert_eq!(r.summary.platform_managed, 1);
            assert!(r.summary.failed_by_severity.is_empty());
            assert_eq!(r.worst_failure(), None);
        }
    }

    #[test]
    fn threshold_and_never() {
        let r = report(Status::Fail, Severity::Medium);
        assert_eq!(exit_code(&r, "high".parse().unwrap(), false), 0);
        assert_eq!(exit_code(&r, "medium".parse().unwrap(), false), 1);
        assert_eq!(exit_code(&r, "never".parse().unwrap(), false), 0);
        assert!("bogus".parse::<FailOn>().is_err());
    }

    #[test]
    fn warn_manual_info_never_fail_and_error_only_when_asked() {
        for st in [
            Status::Warn,
            Status::Manual,
            Status::Info,
            Status::NotApplicable,
        ] {
            assert_eq!(
                exit_code(&report(st, Severity::Critical), FailOn::default(), true),
                0
            );
        }
        let r = report(Status::Error, Severity::Low);
        assert_eq!(exit_code(&r, FailOn::default(), false), 0);
        assert_eq!(exit_code(&r, FailOn::default(), true), 1);
    }

    #[test]
    fn input_errors_fail_only_with_fail_on_error() {
        let mut r = report(Status::Pass, Severity::Low);
        r.input_errors.push(crate::report::InputError {
            path: "x.yaml".into(),
            line: Some(3),
            message: "bad".into(),
        });
        assert_eq!(exit_code(&r, FailOn::default(), false), 0);
        assert_eq!(exit_code(&r, FailOn::default(), true), 1);
        assert_eq!(exit_code(&r, FailOn::Never, true), 0);
    }

    #[test]
    fn waived_fail_does_not_fail() {
        let mut r = report(Status::Fail, Severity::Critical);
        r.findings[0].waived = Some(Box::new(Waiver {
            reason: "accepted".into(),
            expires: None,
            source: None,
        }));
        assert_eq!(exit_code(&r, FailOn::default(), false), 0);
    }
}
