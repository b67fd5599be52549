//! The cluster's load balancer is not the retired Basic SKU.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{Check, Ctx, finding};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z125",
    name: "aks-load-balancer-sku",
    since: "0.1.0",
    aliases: &[],
    title: "The cluster does not use the retired Basic load balancer",
    area: Area::Aks,
    severity: Severity::High,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "`networkProfile.loadBalancerSku`: `basic` fails, `standard` passes. When it is not set AKS uses Standard (the default for every cluster created since the Standard SKU became the default). Field names are matched case-insensitively; a non-string value is an input error.",
        why: "Azure retired the Basic load balancer on 30 September 2025: it receives no fixes or support, offers no availability zones, no outbound rules and no network security group by default (its frontends are open until an NSG closes them), and AKS clusters on it cannot use node pools beyond one availability set. Microsoft Learn: \"Upgrade from Basic Load Balancer on AKS\".",
        fix: "az aks update -g <resource-group> -n <cluster> --load-balancer-sku standard   # a one-way migration that recreates the load balancer; plan for new public IPs, see the linked guide first",
        links: &[
            "https://learn.microsoft.com/azure/aks/upgrade-basic-load-balancer-on-aks",
            "https://learn.microsoft.com/azure/load-balancer/skus",
        ],
        bad: cluster!(
            r#""networkProfile": {"networkPlugin": "kubenet", "loadBalancerSku": "basic"}"#
        ),
        good: cluster!(
            r#""networkProfile": {"networkPlugin": "kubenet", "loadBalancerSku": "standard"}"#
        ),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let sku = c.get("networkProfile.loadBalancerSku");
    let f = match sku.str() {
        _ if sku.is_unresolved() => finding(
            &META,
            c,
            None,
            Status::Manual,
            "loadBalancerSku is an unresolved ARM expression",
        ),
        Some(s) if s.eq_ignore_ascii_case("basic") => finding(
            &META,
            c,
            None,
            Status::Fail,
            "Basic load balancer: retired on 30 September 2025, no longer supported",
        ),
        Some(s) if s.eq_ignore_ascii_case("standard") => {
            finding(&META, c, None, Status::Pass, "Standard load balancer")
        }
        Some(s) => finding(
            &META,
            c,
            None,
            Status::Error,
            format!("unexpected load balancer SKU {s:?} (expected basic or standard)"),
        ),
        None if sku.is_unset() => {
            return vec![
                finding(
                    &META,
                    c,
                    None,
                    Status::Pass,
                    "Standard load balancer (loadBalancerSku not set; AKS default: standard)",
                )
                .with_evidence(
                    sku.evidence("standard")
                        .with_note("not set: AKS creates a Standard load balancer"),
                ),
            ];
        }
        None => finding(
            &META,
            c,
            None,
            Status::Error,
            format!(
                "loadBalancerSku: unexpected value {} (expected a string)",
                sku.display()
            ),
        ),
    };
    vec![f.with_evidence(sku.evidence("standard"))]
}

#[cfg(test)]
mod tests {
    use super::super::testing::{assert_statuses, cl, status};
    use super::*;

    /// Item 13: the retired Basic SKU fails; Standard, or the default, passes.
    #[test]
    fn item13_basic_load_balancer_fails() {
        let net = |v: &str| cl(&format!(r#""networkProfile":{{"loadBalancerSku":{v}}}"#));
        assert_eq!(status(evaluate, &net(r#""basic""#)), Status::Fail);
        assert_eq!(status(evaluate, &net(r#""Basic""#)), Status::Fail);
        assert_eq!(status(evaluate, &net(r#""standard""#)), Status::Pass);
        assert_eq!(status(evaluate, &net("null")), Status::Pass);
        assert_statuses(
            evaluate,
            &[
                ("", Status::Pass),
                (
                    r#""networkProfile":{"LoadBalancerSKU":"basic"}"#,
                    Status::Fail,
                ),
            ],
        );
        assert_eq!(status(evaluate, &net("true")), Status::Error);
        assert_eq!(status(evaluate, &net(r#""premium""#)), Status::Error);
    }
}
