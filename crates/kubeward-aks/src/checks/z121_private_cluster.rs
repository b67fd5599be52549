//! CIS AKS 5.4.2: private endpoint enabled and no public FQDN.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{CIS_AKS, Ctx, checkov, cis, finding, policy};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z121",
    name: "aks-private-cluster",
    title: "The cluster is private, with no public FQDN",
    area: Area::Aks,
    severity: Severity::Medium,
    references: &[
        cis("5.4.2"),
        policy("040732e8-d947-40b8-95d6-854c95024bf8"),
        checkov("CKV_AZURE_115"),
    ],
    profiles: CIS_AKS,
    kubeward_own: false,
    doc: CheckDoc {
        what: "`apiServerAccessProfile.enablePrivateCluster` is true and `enablePrivateClusterPublicFqdn` is false (when it is not set, AKS gives a private cluster a public FQDN).",
        why: "A private cluster's API server has no public endpoint at all, so it cannot be reached or enumerated from the Internet; a public FQDN still resolves the private address publicly and reveals it.",
        fix: "az aks update -g <resource-group> -n <cluster> --enable-apiserver-vnet-integration --apiserver-subnet-id <subnet-id> --enable-private-cluster   # then: az aks update -g <resource-group> -n <cluster> --disable-public-fqdn",
        links: &["https://learn.microsoft.com/azure/aks/private-clusters"],
    },
};

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let private = c.get("apiServerAccessProfile.enablePrivateCluster");
    let fqdn = c.get("apiServerAccessProfile.enablePrivateClusterPublicFqdn");
    let f = if private.is_unresolved() || fqdn.is_unresolved() {
        finding(
            &META,
            c,
            None,
            Status::Manual,
            "private cluster settings are unresolved ARM expressions",
        )
    } else if private.bool() != Some(true) {
        let msg = if private.is_unset() {
            "not a private cluster (enablePrivateCluster not set; AKS default: public API server)"
        } else {
            "not a private cluster: the API server has a public endpoint"
        };
        finding(&META, c, None, Status::Fail, msg)
    } else if fqdn.bool() == Some(true) {
        finding(
            &META,
            c,
            None,
            Status::Fail,
            "private cluster, but a public FQDN resolves its API server address",
        )
    } else if fqdn.is_unset() {
        // AKS creates the extra public FQDN for a private cluster unless told not to.
        return vec![
            finding(
                &META,
                c,
                None,
                Status::Fail,
                "private cluster, but enablePrivateClusterPublicFqdn is not set: AKS then creates a public FQDN for the API server's private address",
            )
            .with_evidence(private.evidence("true"))
            .with_evidence(fqdn.evidence("false").with_note(
                "not set: AKS adds a public FQDN (public DNS A record) to private clusters unless created or updated with --disable-public-fqdn",
            )),
        ];
    } else {
        finding(
            &META,
            c,
            None,
            Status::Pass,
            "private cluster without a public FQDN",
        )
    };
    vec![
        f.with_evidence(private.evidence("true"))
            .with_evidence(fqdn.evidence("false")),
    ]
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
                &cl(
                    r#""apiServerAccessProfile":{"enablePrivateCluster":true,"enablePrivateClusterPublicFqdn":false}"#
                )
            ),
            Status::Pass
        );
        assert_eq!(
            status(
                evaluate,
                &cl(
                    r#""apiServerAccessProfile":{"enablePrivateCluster":true,"enablePrivateClusterPublicFQDN":true}"#
                )
            ),
            Status::Fail
        );
        assert_eq!(status(evaluate, &cl("")), Status::Fail);
        // Absent or null: AKS's default for a private cluster is to add a public FQDN.
        for unset in ["", r#","enablePrivateClusterPublicFqdn":null"#] {
            let json = cl(&format!(
                r#""apiServerAccessProfile":{{"enablePrivateCluster":true{unset}}}"#
            ));
            assert_eq!(status(evaluate, &json), Status::Fail, "{json}");
        }
    }
}
