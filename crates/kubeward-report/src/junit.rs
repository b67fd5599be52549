//! JUnit XML for CI dashboards (Azure Pipelines `PublishTestResults`, GitLab `artifacts:reports:junit`).
//!
//! One `<testsuite>` per area, one `<testcase>` per finding:
//! - FAIL → `<failure>` (message = the finding's message, type = severity, text = evidence + remediation);
//! - ERROR → `<error>` (the check could not run; message says why);
//! - MANUAL, NOT_APPLICABLE, any waived finding and a FAIL or ERROR on a platform-managed object
//!   → `<skipped>` with the reason as message
//!   (both dashboards show these as "skipped / not executed", which is what they are);
//! - PASS, WARN, INFO → passed; WARN and INFO carry their message and evidence in `<system-out>`
//!   so they are visible without turning the pipeline red.
//!
//! No timestamps or durations are written: the output is deterministic.

use kubeward_core::{Finding, Report, Status};
use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};

use crate::RenderError;
use crate::util::{area_findings, area_title, areas, evidence_line};

pub fn render(report: &Report) -> Result<String, RenderError> {
    let mut junit = quick_junit::Report::new(format!("kubeward {}", report.command));
    for area in areas(report) {
        let mut suite = TestSuite::new(area);
        suite.add_property(Property::new("area", area_title(area)));
        if let Some(p) = &report.profile {
            suite.add_property(Property::new("profile", p.id.as_str()));
        }
        if let Some(scope) = crate::util::area_scope(report, area) {
            suite.add_property(Property::new("platform-managed", scope.listed_sentence()));
        }
        for f in area_findings(report, area) {
            suite.add_test_case(test_case(f));
        }
        junit.add_test_suite(suite);
    }
    if !report.input_errors.is_empty() {
        // Unreadable inputs are errors of the run itself: a suite of their own keeps them visible.
        let mut suite = TestSuite::new("input-errors");
        for e in &report.input_errors {
            let location = match e.line {
                Some(l) => format!("{}:{l}", e.path),
                None => e.path.clone(),
            };
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status
                .set_message(e.message.as_str())
                .set_type("input-error");
            let mut case = TestCase::new(location, status);
            case.set_classname("kubeward.input");
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    let mut xml = junit
        .to_string()
        .map_err(|e| RenderError::Serialize(e.to_string()))?;
    if !xml.ends_with('\n') {
        xml.push('\n');
    }
    Ok(xml)
}

fn details(f: &Finding) -> String {
    let mut text = format!("{} {} — {}\n{}\n", f.code, f.name, f.title, f.message);
    text.push_str(&format!("resource: {}\n", f.resource.display()));
    for e in &f.evidence {
        text.push_str(&format!("evidence: {}\n", evidence_line(e)));
    }
    if !f.references.is_empty() {
        let refs: Vec<String> = f.references.iter().map(|r| r.display()).collect();
        text.push_str(&format!("references: {}\n", refs.join(", ")));
    }
    if matches!(f.status, Status::Fail | Status::Error | Status::Warn) && !f.remediation.is_empty()
    {
        text.push_str("remediation:\n");
        text.push_str(f.remediation.trim_end());
        text.push('\n');
    }
    text
}

fn test_case(f: &Finding) -> TestCase {
    let status = if let Some(w) = &f.waived {
        let mut s = TestCaseStatus::skipped();
        s.set_message(format!("{} waived: {}", f.status, w.reason))
            .set_type("waived")
            .set_description(details(f));
        s
    } else if f.platform_managed && matches!(f.status, Status::Fail | Status::Error) {
        // Listed, but like a waived one it does not fail the run (docs/exit-codes.md).
        let mut s = TestCaseStatus::skipped();
        s.set_message(format!(
            "{} on a platform-managed object (AKS or Kubernetes maintains it): {}",
            f.status, f.message
        ))
        .set_type("platform-managed")
        .set_description(details(f));
        s
    } else {
        match f.status {
            Status::Fail => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(f.message.as_str())
                    .set_type(f.severity.as_str())
                    .set_description(details(f));
                s
            }
            Status::Error => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                s.set_message(f.message.as_str())
                    .set_type("check-error")
                    .set_description(details(f));
                s
            }
            Status::Manual | Status::NotApplicable => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(format!("{}: {}", f.status, f.message))
                    .set_type(f.status.as_str());
                s
            }
            Status::Pass | Status::Warn | Status::Info => TestCaseStatus::success(),
        }
    };
    let mut case = TestCase::new(
        format!("{} {} {}", f.code, f.name, f.resource.display()),
        status,
    );
    case.set_classname(format!("kubeward.{}.{}", f.area, f.code));
    case.add_property(Property::new("status", f.status.as_str()));
    case.add_property(Property::new("severity", f.severity.as_str()));
    if let Some(fp) = &f.fingerprint {
        case.add_property(Property::new("fingerprint", fp.as_str()));
    }
    if let Some(state) = f.baseline_state {
        case.add_property(Property::new("baseline_state", state.as_str()));
    }
    if !f.baseline_changes.is_empty() {
        case.add_property(Property::new(
            "baseline_changes",
            f.baseline_changes.join(", "),
        ));
    }
    if matches!(f.status, Status::Warn | Status::Info) && f.waived.is_none() {
        case.set_system_out(format!("{}: {}", f.status, details(f)));
    }
    case
}
