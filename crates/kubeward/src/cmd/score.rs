//! The per-area summary and score of `kubeward scan` (documented in docs/report-schema.md, "Scan score").
//!
//! score = 100 × (1 − failed weight ÷ judged weight), where each PASS or FAIL finding weighs by its
//! check's severity (critical 10, high 5, medium 3, low 1, info 0); WARN weighs half its severity
//! as a failure. MANUAL, INFO, NOT_APPLICABLE and ERROR are not judged and do not move the score;
//! waived findings count as passing. An area with nothing judged has no score (null).

use std::collections::BTreeMap;

use kubeward_core::{Report, Severity, Status};
use serde_json::{Value, json};

fn weight(s: Severity) -> f64 {
    match s {
        Severity::Critical => 10.0,
        Severity::High => 5.0,
        Severity::Medium => 3.0,
        Severity::Low => 1.0,
        Severity::Info => 0.0,
    }
}

pub fn area_summary(report: &Report) -> Value {
    #[derive(Default)]
    struct Acc {
        judged: f64,
        failed: f64,
        counts: BTreeMap<&'static str, usize>,
    }
    let mut areas: BTreeMap<String, Acc> = BTreeMap::new();
    for f in &report.findings {
        let acc = areas.entry(f.area.to_string()).or_default();
        *acc.counts.entry(f.status.as_str()).or_default() += 1;
        let w = weight(f.severity);
        let status = if f.waived.is_some() {
            Status::Pass
        } else {
            f.status
        };
        match status {
            Status::Pass => acc.judged += w,
            Status::Fail => {
                acc.judged += w;
                acc.failed += w;
            }
            Status::Warn => {
                acc.judged += w;
                acc.failed += w / 2.0;
            }
            _ => {}
        }
    }
    let per_area: BTreeMap<String, Value> = areas
        .into_iter()
        .map(|(area, acc)| {
            let score = (acc.judged > 0.0)
                .then(|| (100.0 * (1.0 - acc.failed / acc.judged)).round() as i64);
            (area, json!({ "score": score, "counts": acc.counts }))
        })
        .collect();
    json!({ "areas": per_area, "score_formula": "100 × (1 − failed weight / judged weight); weights critical 10, high 5, medium 3, low 1, info 0; WARN counts half" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Resource};

    static META: CheckMeta = CheckMeta {
        code: "K900",
        name: "t",
        since: "0.1.0",
        aliases: &[],
        title: "t",
        area: Area::Node,
        severity: Severity::High,
        references: &[],
        profiles: &[],
        kubeward_own: true,
        doc: CheckDoc {
            what: "",
            why: "",
            fix: "",
            links: &[],
            // A stand-in check for the score's arithmetic: its findings are made by hand.
            bad: "FAIL",
            good: "PASS",
        },
    };

    #[test]
    fn score_weighs_failures_by_severity() {
        let mut r = Report::new("scan");
        r.push(Finding::new(
            &META,
            Status::Pass,
            Resource::new("Node", "a"),
            "",
        ));
        r.push(
            Finding::new(&META, Status::Fail, Resource::new("Node", "b"), "")
                .with_severity(Severity::Critical),
        );
        r.push(Finding::new(
            &META,
            Status::Manual,
            Resource::new("Node", "c"),
            "",
        ));
        let v = area_summary(&r);
        // judged 5 + 10, failed 10 → 33
        assert_eq!(v["areas"]["node"]["score"], 33);
        assert_eq!(v["areas"]["node"]["counts"]["MANUAL"], 1);
    }
}
