//! A paid tier (financially backed API server SLA) for production clusters.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{Check, Ctx, checkov, finding};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z160",
    name: "aks-sku-tier",
    since: "0.1.0",
    aliases: &[],
    title: "The cluster uses the Standard or Premium tier",
    area: Area::Aks,
    severity: Severity::Low,
    references: &[checkov("CKV_AZURE_170")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "`sku.tier` (Free, Standard, Premium); `supportPlan: AKSLongTermSupport` requires Premium.",
        why: "The Free tier has no uptime SLA and a smaller API server; an overloaded or unavailable API server stops admission control, scaling and security tooling. Fine for dev/test, not for production.",
        fix: "az aks update -g <resource-group> -n <cluster> --tier standard",
        links: &["https://learn.microsoft.com/azure/aks/free-standard-pricing-tiers"],
        bad: cluster!(r#""sku": {"name": "Base", "tier": "Free"}"#),
        good: cluster!(r#""sku": {"name": "Base", "tier": "Standard"}"#),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let f = c.get("sku.tier");
    let lts = c
        .get("supportPlan")
        .str()
        .is_some_and(|p| p.eq_ignore_ascii_case("AKSLongTermSupport"));
    let out = match f.str().map(str::to_ascii_lowercase).as_deref() {
        Some("premium") => finding(&META, c, None, Status::Pass, "Premium tier"),
        Some("standard" | "paid") if lts => finding(
            &META,
            c,
            None,
            Status::Fail,
            "long-term support plan on the Standard tier: LTS requires Premium",
        ),
        Some("standard" | "paid") => finding(
            &META,
            c,
            None,
            Status::Pass,
            format!("{} tier (uptime SLA)", f.display()),
        ),
        Some("free") => finding(
            &META,
            c,
            None,
            Status::Fail,
            "Free tier: no uptime SLA (acceptable for dev/test only)",
        ),
        Some(other) => finding(
            &META,
            c,
            None,
            Status::Warn,
            format!("unknown tier {other}"),
        ),
        None if f.is_unresolved() => finding(
            &META,
            c,
            None,
            Status::Manual,
            "sku.tier is an unresolved ARM expression",
        ),
        None => {
            return vec![
                finding(
                    &META,
                    c,
                    None,
                    Status::Fail,
                    "tier not set (AKS default: Free, no uptime SLA)",
                )
                .with_evidence(
                    f.evidence("Standard or Premium").with_note(
                        "not set: AKS creates Free-tier clusters unless --tier is given",
                    ),
                ),
            ];
        }
    };
    vec![out.with_evidence(f.evidence("Standard or Premium"))]
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_statuses;
    use super::*;

    #[test]
    fn verdicts() {
        assert_statuses(
            evaluate,
            &[
                (r#""sku":{"name":"Base","tier":"Standard"}"#, Status::Pass),
                (r#""sku":{"name":"Base","tier":"Free"}"#, Status::Fail),
                (
                    r#""sku":{"tier":"Standard"},"supportPlan":"AKSLongTermSupport""#,
                    Status::Fail,
                ),
                ("", Status::Fail),
            ],
        );
    }
}
