//! kubeward's own advice next to CIS AKS 5.4.4 (Z123): whether the network policy engine covers
//! the Windows node pools too. Kept apart so Z123 gives the CIS verdict.

use kubeward_core::{
    Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Severity, Source, Status,
};

use super::{Check, Ctx, finding};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z127",
    name: "aks-network-policy-windows-coverage",
    since: "0.1.0",
    aliases: &[],
    title: "The network policy engine covers the Windows node pools",
    area: Area::Aks,
    severity: Severity::Medium,
    references: &[RefStatic::mitre("T1021")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "With Windows node pools, `networkProfile.networkPolicy`: Cilium enforces on Linux nodes only; Azure NPM on Windows lacks named ports, SCTP, negative selectors and ipBlock except, and its Windows support ends 2026-09-30; Calico covers Windows.",
        why: "Pods on a node the engine does not cover are not isolated by the NetworkPolicy objects that select them, whatever the manifests say.",
        fix: "Use Calico for clusters with Windows node pools (az aks create … --network-policy calico), or keep workloads that need isolation on Linux pools.",
        links: &["https://learn.microsoft.com/azure/aks/use-network-policies"],
        bad: cluster!(pools [linux_pool!(), r#"{"name": "win22", "mode": "User", "vmSize": "Standard_D4ds_v5", "osType": "Windows", "osSku": "Windows2022"}"#]; r#""networkProfile": {"networkPlugin": "azure", "networkPolicy": "azure"}"#),
        good: cluster!(pools [linux_pool!(), r#"{"name": "win22", "mode": "User", "vmSize": "Standard_D4ds_v5", "osType": "Windows", "osSku": "Windows2022"}"#]; r#""networkProfile": {"networkPlugin": "azure", "networkPolicy": "calico"}"#),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(c: &Cluster, ctx: &Ctx) -> Vec<Finding> {
    let windows: Vec<&crate::model::Pool> = c.pools.iter().filter(|p| p.is_windows()).collect();
    let policy = c.get("networkProfile.networkPolicy");
    if windows.is_empty() {
        let pools: Vec<&str> = c.pools.iter().map(|p| p.name.as_str()).collect();
        return vec![
            finding(
                &META,
                c,
                None,
                Status::NotApplicable,
                "no Windows node pool",
            )
            .with_evidence(Evidence::observed(
                format!("Linux pool(s): {}", pools.join(", ")),
                Source::origin("agentPoolProfiles[].osType"),
            )),
        ];
    }
    let names = windows
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let engine = policy.str().map(str::to_ascii_lowercase);
    let (status, message) = match engine.as_deref() {
        Some("calico") => (
            Status::Pass,
            format!("Calico enforces network policy on Windows pool(s) {names} too"),
        ),
        Some("cilium") => (
            Status::Warn,
            format!(
                "Cilium enforces network policy on Linux nodes only: pods on Windows pool(s) {names} are not isolated"
            ),
        ),
        Some("azure") => {
            let end = time::Date::from_calendar_date(2026, time::Month::September, 30);
            let ended = end.is_ok_and(|d| ctx.as_of > d);
            (
                Status::Warn,
                format!(
                    "Azure NPM on Windows pool(s) {names} ignores named ports, SCTP, negative selectors (NotIn, DoesNotExist) and ipBlock except, and Windows NPM support {} 2026-09-30; plan a move to Calico",
                    if ended { "ended" } else { "ends" }
                ),
            )
        }
        _ => (
            Status::NotApplicable,
            "no known network policy engine: Z123 judges that".to_string(),
        ),
    };
    let mut f = finding(&META, c, None, status, message)
        .with_evidence(policy.evidence("calico with Windows node pools"));
    for p in windows {
        f = f.with_evidence(p.get("osType").evidence(""));
    }
    vec![f]
}

#[cfg(test)]
mod tests {
    use super::super::testing::{cl, status};
    use super::*;

    #[test]
    fn windows_pools_weaken_azure_npm_and_cilium() {
        let pools = r#""agentPoolProfiles":[{"name":"sys","osType":"Linux"},{"name":"win","osType":"Windows"}]"#;
        for (engine, want) in [
            (r#""networkPolicy":"azure""#, Status::Warn),
            (
                r#""networkPolicy":"cilium","networkDataplane":"cilium""#,
                Status::Warn,
            ),
            (r#""networkPolicy":"calico""#, Status::Pass),
            (r#""networkPolicy":"none""#, Status::NotApplicable),
        ] {
            let json = cl(&format!(
                r#""networkProfile":{{"networkPlugin":"azure",{engine}}},{pools}"#
            ));
            assert_eq!(status(evaluate, &json), want, "{engine}");
        }
        let json = cl(&format!(
            r#""networkProfile":{{"networkPlugin":"azure","networkPolicy":"azure"}},{pools}"#
        ));
        let f = &evaluate(
            &super::super::testing::cluster(&json),
            &super::super::testing::ctx(),
        )[0];
        assert!(
            f.message.contains("win") && f.message.contains("ends 2026-09-30"),
            "{}",
            f.message
        );
        let linux = cl(r#""networkProfile":{"networkPlugin":"azure","networkPolicy":"azure"}"#);
        assert_eq!(status(evaluate, &linux), Status::NotApplicable);
    }
}
