//! The API server is projected into the cluster's VNet.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{Check, Ctx, finding};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z171",
    name: "aks-api-server-vnet-integration",
    since: "0.1.0",
    aliases: &[],
    title: "API server VNet integration is enabled",
    area: Area::Aks,
    severity: Severity::Low,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "`apiServerAccessProfile.enableVnetIntegration`.",
        why: "With VNet integration, nodes reach the API server on a private address in your VNet without a tunnel or private link, and a public cluster can later be made private in place.",
        fix: "az aks update -g <resource-group> -n <cluster> --enable-apiserver-vnet-integration --apiserver-subnet-id <delegated-subnet-id>",
        links: &["https://learn.microsoft.com/azure/aks/api-server-vnet-integration"],
        bad: cluster!(r#""apiServerAccessProfile": {"enableVnetIntegration": false}"#),
        good: cluster!(
            r#""apiServerAccessProfile": {
    "enableVnetIntegration": true,
    "subnetId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-prod/providers/Microsoft.Network/virtualNetworks/vnet-prod/subnets/apiserver"
  }"#
        ),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let f = c.get("apiServerAccessProfile.enableVnetIntegration");
    let out = match f.bool() {
        Some(true) => finding(
            &META,
            c,
            None,
            Status::Pass,
            "the API server is VNet-integrated",
        ),
        _ if f.is_unresolved() => finding(
            &META,
            c,
            None,
            Status::Manual,
            "enableVnetIntegration is an unresolved ARM expression",
        ),
        Some(false) => finding(
            &META,
            c,
            None,
            Status::Warn,
            "API server VNet integration is off",
        ),
        None => {
            return vec![
                finding(
                    &META,
                    c,
                    None,
                    Status::Warn,
                    "API server VNet integration not set (AKS default: off)",
                )
                .with_evidence(f.evidence("true").with_note(
                    "not set: AKS does not integrate the API server into the VNet unless asked",
                )),
            ];
        }
    };
    vec![out.with_evidence(f.evidence("true"))]
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
                    r#""apiServerAccessProfile":{"enableVnetIntegration":true}"#,
                    Status::Pass,
                ),
                (
                    r#""apiServerAccessProfile":{"enableVnetIntegration":null}"#,
                    Status::Warn,
                ),
            ],
        );
    }
}
