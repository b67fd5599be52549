//! Egress goes through a controlled path (firewall via user-defined routing, or none).

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{Check, Ctx, finding};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z170",
    name: "aks-outbound-type",
    since: "0.1.0",
    aliases: &[],
    title: "Cluster egress goes through a controlled path",
    area: Area::Aks,
    severity: Severity::Medium,
    references: &[kubeward_core::RefStatic::mitre("T1041")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "`networkProfile.outboundType`: loadBalancer (the default), managedNATGateway and userAssignedNATGateway give nodes and pods direct Internet egress; userDefinedRouting sends it to your firewall or appliance; none/block give no outbound path. `kubeward aks egress` lists what a firewall must allow.",
        why: "With unrestricted egress a compromised pod can download tools, reach command-and-control and exfiltrate data; an egress firewall with an FQDN allow-list stops that.",
        fix: "Route egress through Azure Firewall: create the firewall and a route table with 0.0.0.0/0 to it on the node subnet, allow the FQDNs from `kubeward aks egress`, then: az aks update -g <resource-group> -n <cluster> --outbound-type userDefinedRouting",
        links: &[
            "https://learn.microsoft.com/azure/aks/limit-egress-traffic",
            "https://learn.microsoft.com/azure/aks/egress-outboundtype",
        ],
        bad: cluster!(
            r#""networkProfile": {"networkPlugin": "azure", "outboundType": "loadBalancer"}"#
        ),
        good: cluster!(
            r#""networkProfile": {"networkPlugin": "azure", "outboundType": "userDefinedRouting"}"#
        ),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let f = c.get("networkProfile.outboundType");
    let expected = "userDefinedRouting (through a firewall), none or block";
    let out = match f.str().map(str::to_ascii_lowercase).as_deref() {
        Some("userdefinedrouting") => finding(
            &META,
            c,
            None,
            Status::Pass,
            "egress follows your route table (userDefinedRouting): check it leads to a firewall that allows only the required FQDNs",
        ),
        Some("none" | "block") => finding(
            &META,
            c,
            None,
            Status::Pass,
            format!(
                "outbound type {}: no Internet egress path from AKS",
                f.display()
            ),
        ),
        Some("loadbalancer" | "managednatgateway" | "userassignednatgateway") => finding(
            &META,
            c,
            None,
            Status::Warn,
            format!(
                "outbound type {}: nodes and pods reach the Internet directly, unfiltered",
                f.display()
            ),
        ),
        Some(other) => finding(
            &META,
            c,
            None,
            Status::Warn,
            format!("unknown outbound type {other}"),
        ),
        None if f.is_unresolved() => finding(
            &META,
            c,
            None,
            Status::Manual,
            "outboundType is an unresolved ARM expression",
        ),
        None => {
            return vec![
                finding(
                    &META,
                    c,
                    None,
                    Status::Warn,
                    "outbound type not set (AKS default: loadBalancer, unfiltered Internet egress)",
                )
                .with_evidence(
                    f.evidence(expected)
                        .with_note("not set: AKS uses loadBalancer"),
                ),
            ];
        }
    };
    vec![out.with_evidence(f.evidence(expected))]
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
                (
                    r#""networkProfile":{"outboundType":"userDefinedRouting"}"#,
                    Status::Pass,
                ),
                (
                    r#""networkProfile":{"outboundType":"loadBalancer"}"#,
                    Status::Warn,
                ),
                (
                    r#""networkProfile":{"outboundType":"managedNATGateway"}"#,
                    Status::Warn,
                ),
                (r#""networkProfile":{"outboundType":"none"}"#, Status::Pass),
                ("", Status::Warn),
            ],
        );
    }
}
