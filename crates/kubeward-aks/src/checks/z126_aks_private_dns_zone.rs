//! A private cluster resolves its API server through a private DNS zone, not public DNS.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{Check, Ctx, finding};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z126",
    name: "aks-private-dns-zone",
    since: "0.1.0",
    aliases: &[],
    title: "A private cluster's API server name is in a private DNS zone",
    area: Area::Aks,
    severity: Severity::Low,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "`apiServerAccessProfile.privateDnsZone` of a private cluster: `none` is a warning; `system` (the default when not set) or the resource id of your own private DNS zone passes. NOT_APPLICABLE when the cluster is not private (Z121 judges that).",
        why: "With `none`, AKS creates no private DNS zone: the API server's name is published in Azure public DNS and resolves, from anywhere, to the private endpoint's address, which reveals the cluster's internal addressing. Microsoft Learn: \"Create a private Azure Kubernetes Service (AKS) cluster\" (private DNS zone options).",
        fix: "The private DNS zone mode is chosen when the cluster is created: az aks create -g <resource-group> -n <new-cluster> --enable-private-cluster --private-dns-zone system --disable-public-fqdn ...; then move the workloads from <cluster>",
        links: &["https://learn.microsoft.com/azure/aks/private-clusters"],
        bad: cluster!(
            r#""apiServerAccessProfile": {"enablePrivateCluster": true, "privateDnsZone": "none"}"#
        ),
        good: cluster!(
            r#""apiServerAccessProfile": {"enablePrivateCluster": true, "privateDnsZone": "system"}"#
        ),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let private = c.get("apiServerAccessProfile.enablePrivateCluster");
    let zone = c.get("apiServerAccessProfile.privateDnsZone");
    let f = if private.is_unresolved() || zone.is_unresolved() {
        finding(
            &META,
            c,
            None,
            Status::Manual,
            "private cluster settings are unresolved ARM expressions",
        )
    } else if !private.is_unset() && private.bool().is_none() {
        finding(
            &META,
            c,
            None,
            Status::Error,
            format!(
                "enablePrivateCluster: unexpected value {} (expected true or false)",
                private.display()
            ),
        )
    } else if private.bool() != Some(true) {
        finding(
            &META,
            c,
            None,
            Status::NotApplicable,
            "not a private cluster: no private DNS zone is involved",
        )
    } else {
        match zone.str() {
            Some(z) if z.eq_ignore_ascii_case("none") => finding(
                &META,
                c,
                None,
                Status::Warn,
                "private cluster with privateDnsZone none: the API server's private address is published in public DNS",
            ),
            Some(z) if z.eq_ignore_ascii_case("system") => finding(
                &META,
                c,
                None,
                Status::Pass,
                "private DNS zone managed by AKS",
            ),
            Some(z) if !z.trim().is_empty() => {
                finding(&META, c, None, Status::Pass, "private DNS zone of your own")
            }
            None if zone.is_unset() => finding(
                &META,
                c,
                None,
                Status::Pass,
                "private DNS zone managed by AKS (privateDnsZone not set; AKS default: system)",
            ),
            _ => finding(
                &META,
                c,
                None,
                Status::Error,
                format!(
                    "privateDnsZone: unexpected value {} (expected system, none or a zone resource id)",
                    zone.display()
                ),
            ),
        }
    };
    vec![
        f.with_evidence(private.evidence("true"))
            .with_evidence(zone.evidence("system or a private DNS zone resource id")),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::testing::{cl, status};
    use super::*;

    /// Item 13: `privateDnsZone: none` on a private cluster.
    #[test]
    fn item13_private_dns_zone_none_warns() {
        let api = |m: &str| cl(&format!(r#""apiServerAccessProfile":{{{m}}}"#));
        let zone_id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/privatelink.westeurope.azmk8s.io";
        let cases = [
            (
                r#""enablePrivateCluster":true,"privateDnsZone":"none""#.to_string(),
                Status::Warn,
            ),
            (
                r#""enablePrivateCluster":true,"privateDNSZone":"None""#.to_string(),
                Status::Warn,
            ),
            (
                r#""enablePrivateCluster":true,"privateDnsZone":"system""#.to_string(),
                Status::Pass,
            ),
            (
                format!(r#""enablePrivateCluster":true,"privateDnsZone":"{zone_id}""#),
                Status::Pass,
            ),
            (r#""enablePrivateCluster":true"#.to_string(), Status::Pass),
            (
                r#""enablePrivateCluster":false,"privateDnsZone":"none""#.to_string(),
                Status::NotApplicable,
            ),
            (
                r#""enablePrivateCluster":true,"privateDnsZone":"""#.to_string(),
                Status::Error,
            ),
            (
                r#""enablePrivateCluster":true,"privateDnsZone":false"#.to_string(),
                Status::Error,
            ),
            (r#""enablePrivateCluster":"yes""#.to_string(), Status::Error),
        ];
        for (members, want) in cases {
            let json = api(&members);
            assert_eq!(status(evaluate, &json), want, "{json}");
        }
        assert_eq!(status(evaluate, &cl("")), Status::NotApplicable);
    }
}
