//! CIS AKS 5.4.1: the API server endpoint is not open to the whole Internet.

use kubeward_core::profile::CIS_AKS_1_8;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{Check, Ctx, checkov, cis, finding, policy};
use crate::model::{Cluster, Val};

pub static META: CheckMeta = CheckMeta {
    code: "Z120",
    name: "aks-api-server-access-restricted",
    since: "0.1.0",
    aliases: &[],
    title: "API server access is restricted (authorized IP ranges or private cluster)",
    area: Area::Aks,
    severity: Severity::High,
    references: &[
        cis("5.4.1"),
        policy("0e246bcf-5f6f-4f87-bc6f-775d4712c7ea"),
        checkov("CKV_AZURE_6"),
    ],
    profiles: &[CIS_AKS_1_8],
    kubeward_own: false,
    doc: CheckDoc {
        what: "`apiServerAccessProfile.enablePrivateCluster`, `apiServerAccessProfile.authorizedIpRanges` and `publicNetworkAccess`.",
        why: "A public API server with no IP restriction can be probed and brute-forced from anywhere, and any leaked kubeconfig or token works from anywhere.",
        fix: "az aks update -g <resource-group> -n <cluster> --api-server-authorized-ip-ranges <your-egress-cidr>[,<cidr>...]   # or make it private: az aks update -g <resource-group> -n <cluster> --enable-apiserver-vnet-integration --apiserver-subnet-id <subnet-id> --enable-private-cluster",
        links: &["https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges"],
        bad: cluster!(
            r#""apiServerAccessProfile": {"enablePrivateCluster": false, "authorizedIpRanges": []}"#
        ),
        good: cluster!(
            r#""apiServerAccessProfile": {"enablePrivateCluster": false, "authorizedIpRanges": ["203.0.113.0/24"]}"#
        ),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let private = c.get("apiServerAccessProfile.enablePrivateCluster");
    let ranges = c.get("apiServerAccessProfile.authorizedIpRanges");
    let public_access = c.get("publicNetworkAccess");
    if private.bool() == Some(true) {
        return vec![
            finding(
                &META,
                c,
                None,
                Status::Pass,
                "private cluster: the API server has a private endpoint",
            )
            .with_evidence(private.evidence("true")),
        ];
    }
    if public_access
        .str()
        .is_some_and(|s| s.eq_ignore_ascii_case("disabled"))
    {
        return vec![
            finding(
                &META,
                c,
                None,
                Status::Pass,
                "public network access to the API server is disabled",
            )
            .with_evidence(public_access.evidence("Disabled")),
        ];
    }
    if private.is_unresolved() || ranges.is_unresolved() {
        return vec![
            finding(
                &META,
                c,
                None,
                Status::Manual,
                "API server access settings are unresolved ARM expressions",
            )
            .with_evidence(private.evidence("true"))
            .with_evidence(ranges.evidence("a non-empty list of CIDRs")),
        ];
    }
    let list: Vec<String> = ranges
        .array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let open = list
        .iter()
        .any(|r| matches!(r.trim(), "0.0.0.0/0" | "::/0" | "*"));
    let (status, msg) = if list.is_empty() {
        (Status::Fail, "the API server is public and accepts connections from any IP address (no authorized IP ranges)".to_string())
    } else if open {
        (
            Status::Fail,
            format!(
                "authorized IP ranges include the whole Internet: {}",
                list.join(", ")
            ),
        )
    } else {
        (
            Status::Pass,
            format!(
                "the public API server accepts only {} authorized range(s): {}",
                list.len(),
                list.join(", ")
            ),
        )
    };
    let mut ev = ranges.evidence("a non-empty list of CIDRs, not 0.0.0.0/0");
    if matches!(ranges.val, Val::Absent | Val::Null) {
        ev = ev.with_note("not set: AKS accepts API server connections from any address");
    }
    vec![
        finding(&META, c, None, status, msg)
            .with_evidence(private.evidence("true"))
            .with_evidence(ev),
    ]
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
                    r#""apiServerAccessProfile":{"enablePrivateCluster":true}"#,
                    Status::Pass,
                ),
                (
                    r#""apiServerAccessProfile":{"authorizedIpRanges":["203.0.113.0/24"]}"#,
                    Status::Pass,
                ),
                (
                    r#""apiServerAccessProfile":{"authorizedIPRanges":["0.0.0.0/0"]}"#,
                    Status::Fail,
                ),
                (
                    r#""apiServerAccessProfile":{"authorizedIpRanges":[]}"#,
                    Status::Fail,
                ),
                (r#""apiServerAccessProfile":null"#, Status::Fail),
                (r#""publicNetworkAccess":"Disabled""#, Status::Pass),
            ],
        );
    }
}
