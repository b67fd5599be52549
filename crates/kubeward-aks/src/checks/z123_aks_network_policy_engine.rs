//! CIS AKS 5.4.4: a network policy engine enforces NetworkPolicy objects. This check gives the CIS
//! verdict only; how far the engine covers Windows node pools is Z127, a check of its own.

use kubeward_core::profile::CIS_AKS_1_8;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{Check, Ctx, checkov, cis, finding};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z123",
    name: "aks-network-policy-engine",
    since: "0.1.0",
    aliases: &[],
    title: "A network policy engine is enabled",
    area: Area::Aks,
    severity: Severity::High,
    references: &[cis("5.4.4"), checkov("CKV_AZURE_7")],
    profiles: &[CIS_AKS_1_8],
    kubeward_own: false,
    doc: CheckDoc {
        what: "`networkProfile.networkPolicy` (azure, calico or cilium) and, for cilium, `networkProfile.networkDataplane`. An engine kubeward does not know, or cilium policy without the cilium dataplane, needs a person's check (MANUAL). Windows node pool coverage is Z127 (aks-network-policy-windows-coverage).",
        why: "With no engine, NetworkPolicy objects are accepted by the API server but nothing enforces them: every pod can reach every other pod, and the manifests give a false sense of isolation.",
        fix: "az aks update -g <resource-group> -n <cluster> --network-policy azure   # or Cilium: az aks update -g <resource-group> -n <cluster> --network-dataplane cilium --network-policy cilium",
        links: &["https://learn.microsoft.com/azure/aks/use-network-policies"],
        bad: cluster!(r#""networkProfile": {"networkPlugin": "azure", "networkPolicy": "none"}"#),
        good: cluster!(r#""networkProfile": {"networkPlugin": "azure", "networkPolicy": "azure"}"#),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
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
        // Neither is a verdict kubeward can give: CIS asks whether policy is enforced.
        Some("cilium") => finding(
            &META,
            c,
            None,
            Status::Manual,
            "networkPolicy is cilium but networkDataplane is not cilium: check that the cluster enforces NetworkPolicy",
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
            Status::Manual,
            format!("unknown network policy engine {other}: check that it enforces NetworkPolicy"),
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
    let f = f
        .with_evidence(policy.evidence("azure, calico or cilium"))
        .with_evidence(plugin.evidence(""));
    vec![f]
}

#[cfg(test)]
mod tests {
    use super::super::testing::{assert_statuses, cl, status};
    use super::*;

    #[test]
    fn verdicts() {
        assert_statuses(
            evaluate,
            &[
                (
                    r#""networkProfile":{"networkPlugin":"azure","networkPolicy":"azure"}"#,
                    Status::Pass,
                ),
                (
                    r#""networkProfile":{"networkPlugin":"azure","networkPolicy":"cilium","networkDataplane":"cilium"}"#,
                    Status::Pass,
                ),
                (
                    r#""networkProfile":{"networkPlugin":"azure","networkPolicy":"none"}"#,
                    Status::Fail,
                ),
                (
                    r#""networkProfile":{"networkPlugin":"kubenet","networkPolicy":null}"#,
                    Status::Fail,
                ),
                (
                    r#""networkProfile":{"networkPlugin":"none"}"#,
                    Status::Manual,
                ),
            ],
        );
    }

    #[test]
    fn windows_pools_do_not_change_the_cis_verdict() {
        let pools = r#""agentPoolProfiles":[{"name":"sys","osType":"Linux"},{"name":"win","osType":"Windows"}]"#;
        let json = cl(&format!(
            r#""networkProfile":{{"networkPlugin":"azure","networkPolicy":"azure"}},{pools}"#
        ));
        assert_eq!(status(evaluate, &json), Status::Pass);
        let odd = cl(r#""networkProfile":{"networkPlugin":"azure","networkPolicy":"cilium"}"#);
        assert_eq!(status(evaluate, &odd), Status::Manual);
    }
}
