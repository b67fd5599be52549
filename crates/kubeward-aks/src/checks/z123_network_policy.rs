//! CIS AKS 5.4.4: a network policy engine enforces NetworkPolicy objects.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{CIS_AKS, Ctx, checkov, cis, finding};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z123",
    name: "aks-network-policy-engine",
    title: "A network policy engine is enabled",
    area: Area::Aks,
    severity: Severity::High,
    references: &[cis("5.4.4"), checkov("CKV_AZURE_7")],
    profiles: CIS_AKS,
    kubeward_own: false,
    doc: CheckDoc {
        what: "`networkProfile.networkPolicy` (azure, calico or cilium) and, for cilium, `networkProfile.networkDataplane`; with Windows node pools, a warning where the engine does not fully cover them (Cilium is Linux-only; Azure NPM on Windows lacks named ports, SCTP, negative selectors and except, and its Windows support ends 2026-09-30).",
        why: "With no engine, NetworkPolicy objects are accepted by the API server but nothing enforces them: every pod can reach every other pod, and the manifests give a false sense of isolation.",
        fix: "az aks update -g <resource-group> -n <cluster> --network-policy azure   # or Cilium: az aks update -g <resource-group> -n <cluster> --network-dataplane cilium --network-policy cilium",
        links: &["https://learn.microsoft.com/azure/aks/use-network-policies"],
    },
};

pub fn evaluate(c: &Cluster, ctx: &Ctx) -> Vec<Finding> {
    let policy = c.get("networkProfile.networkPolicy");
    let plugin = c.get("networkProfile.networkPlugin");
    let dataplane = c.get("networkProfile.networkDataplane");
    let engine = policy.str().map(str::to_ascii_lowercase);
    let f = match engine.as_deref() {
        _ if policy.is_unresolved() => finding(
            &META,
            c,
            None,
            Status::Manual,
            "networkPolicy is an unresolved ARM expression",
        ),
        Some("azure" | "calico") => finding(
            &META,
            c,
            None,
            Status::Pass,
            format!("network policies are enforced by {}", policy.display()),
        ),
        Some("cilium")
            if dataplane
                .str()
                .is_some_and(|d| d.eq_ignore_ascii_case("cilium")) =>
        {
            finding(
                &META,
                c,
                None,
                Status::Pass,
                "network policies are enforced by Cilium",
            )
        }
        Some("cilium") => finding(
            &META,
            c,
            None,
            Status::Warn,
            "networkPolicy is cilium but networkDataplane is not cilium",
        ),
        _ if plugin.str().is_some_and(|p| p.eq_ignore_ascii_case("none")) => finding(
            &META,
            c,
            None,
            Status::Manual,
            "bring-your-own CNI (networkPlugin none): check that the CNI you installed enforces NetworkPolicy",
        ),
        Some(other) if other != "none" => finding(
            &META,
            c,
            None,
            Status::Warn,
            format!("unknown network policy engine {other}"),
        ),
        _ => {
            let why = if policy.is_unset() {
                " (not set; AKS default: none)"
            } else {
                ""
            };
            finding(
                &META,
                c,
                None,
                Status::Fail,
                format!("no network policy engine{why}: NetworkPolicy objects are not enforced"),
            )
        }
    };
    let mut f = f
        .with_evidence(policy.evidence("azure, calico or cilium"))
        .with_evidence(plugin.evidence(""));
    if f.status == Status::Pass {
        f = windows_caveat(f, c, engine.as_deref().unwrap_or_default(), ctx);
    }
    vec![f]
}

/// The engine that passes on Linux may not (fully) enforce policy on Windows pools.
fn windows_caveat(mut f: Finding, c: &Cluster, engine: &str, ctx: &Ctx) -> Finding {
    let windows: Vec<&crate::model::Pool> = c.pools.iter().filter(|p| p.is_windows()).collect();
    if windows.is_empty() {
        return f;
    }
    let names = windows
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let caveat = match engine {
        "cilium" => format!(
            "Cilium enforces network policy on Linux nodes only: pods on Windows pool(s) {names} are not isolated"
        ),
        "azure" => {
            let end = time::Date::from_calendar_date(2026, time::Month::September, 30);
            let ended = end.is_ok_and(|d| ctx.as_of > d);
            format!(
                "Azure NPM on Windows pool(s) {names} ignores named ports, SCTP, negative selectors (NotIn, DoesNotExist) and ipBlock except, and Windows NPM support {} 2026-09-30; plan a move to Calico or Cilium (Linux)",
                if ended { "ended" } else { "ends" }
            )
        }
        _ => return f,
    };
    f.status = Status::Warn;
    f.message = format!("{}; but {caveat}", f.message).into();
    for p in windows {
        f = f.with_evidence(p.get("osType").evidence(""));
    }
    f
}

#[cfg(test)]
mod tests {
    use super::super::testing::{cl, status};
    use super::*;

    #[test]
    fn verdicts() {
        assert_eq!(
            status(
                evaluate,
                &cl(r#""networkProfile":{"networkPlugin":"azure","networkPolicy":"azure"}"#)
            ),
            Status::Pass
        );
        assert_eq!(
            status(
                evaluate,
                &cl(
                    r#""networkProfile":{"networkPlugin":"azure","networkPolicy":"cilium","networkDataplane":"cilium"}"#
                )
            ),
            Status::Pass
        );
        assert_eq!(
            status(
                evaluate,
                &cl(r#""networkProfile":{"networkPlugin":"azure","networkPolicy":"none"}"#)
            ),
            Status::Fail
        );
        assert_eq!(
            status(
                evaluate,
                &cl(r#""networkProfile":{"networkPlugin":"kubenet","networkPolicy":null}"#)
            ),
            Status::Fail
        );
        assert_eq!(
            status(
                evaluate,
                &cl(r#""networkProfile":{"networkPlugin":"none"}"#)
            ),
            Status::Manual
        );
    }

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
    }
}
