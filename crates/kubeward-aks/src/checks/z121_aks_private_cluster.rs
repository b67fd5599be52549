//! CIS AKS 5.4.2: private endpoint enabled and no public FQDN.

use kubeward_core::profile::CIS_AKS_1_8;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{Check, Ctx, checkov, cis, finding, policy};
use crate::model::{Cluster, Field, Format, Val};

pub static META: CheckMeta = CheckMeta {
    code: "Z121",
    name: "aks-private-cluster",
    since: "0.1.0",
    aliases: &[],
    title: "The cluster is private, with no public FQDN",
    area: Area::Aks,
    severity: Severity::Medium,
    references: &[
        cis("5.4.2"),
        policy("040732e8-d947-40b8-95d6-854c95024bf8"),
        checkov("CKV_AZURE_115"),
    ],
    profiles: &[CIS_AKS_1_8],
    kubeward_own: false,
    doc: CheckDoc {
        what: "`apiServerAccessProfile.enablePrivateCluster` is true and no public FQDN exists: `enablePrivateClusterPublicFqdn` is false, or, when it is not set, the deployed cluster (a body with `privateFqdn`, `fqdn` or `provisioningState`) reports no public `fqdn`. A deployed body that carries a public `fqdn` fails whatever the setting says. Without the setting and without any deployed state (ARM templates, request bodies) AKS's default applies: a private cluster gets a public FQDN.",
        why: "A private cluster's API server has no public endpoint at all, so it cannot be reached or enumerated from the Internet; a public FQDN still resolves the private address publicly and reveals it.",
        fix: "az aks update -g <resource-group> -n <cluster> --enable-apiserver-vnet-integration --apiserver-subnet-id <subnet-id> --enable-private-cluster   # then: az aks update -g <resource-group> -n <cluster> --disable-public-fqdn",
        links: &["https://learn.microsoft.com/azure/aks/private-clusters"],
        bad: cluster!(
            r#""fqdn": "aks-prod-1a2b3c4d.hcp.westeurope.azmk8s.io""#,
            r#""apiServerAccessProfile": {"enablePrivateCluster": false}"#
        ),
        good: cluster!(
            r#""privateFqdn": "aks-prod-1a2b3c4d.privatelink.westeurope.azmk8s.io""#,
            r#""apiServerAccessProfile": {"enablePrivateCluster": true, "enablePrivateClusterPublicFqdn": false}"#
        ),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

/// What the body says about a public FQDN beside the private one.
enum PublicFqdn {
    /// `enablePrivateClusterPublicFqdn: true`, or a deployed body that carries a public `fqdn`.
    Present,
    /// `enablePrivateClusterPublicFqdn: false`, or a deployed body without `fqdn`.
    Absent,
    /// The setting is not in the input and nothing shows the deployed state (a template or a
    /// request body): AKS's default applies, which adds a public FQDN.
    DefaultPublic,
}

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let private = c.get("apiServerAccessProfile.enablePrivateCluster");
    let setting = c.get("apiServerAccessProfile.enablePrivateClusterPublicFqdn");
    let fqdn = c.get("fqdn");
    let private_fqdn = c.get("privateFqdn");
    let mut f = if [&private, &setting].iter().any(|f| f.is_unresolved()) {
        finding(
            &META,
            c,
            None,
            Status::Manual,
            "private cluster settings are unresolved ARM expressions",
        )
    } else if let Some(bad) = [&private, &setting]
        .into_iter()
        .find(|f| !f.is_unset() && f.bool().is_none())
        .or([&fqdn, &private_fqdn]
            .into_iter()
            .find(|f| !f.is_unset() && !f.is_unresolved() && f.str().is_none()))
    {
        finding(
            &META,
            c,
            None,
            Status::Error,
            format!(
                "{}: unexpected value {} (wrong type)",
                bad.path,
                bad.display()
            ),
        )
        .with_evidence(bad.evidence(""))
    } else {
        judge(c, &private, &setting, &fqdn, &private_fqdn)
    };
    if f.status != Status::Error {
        f = f
            .with_evidence(private.evidence("true"))
            .with_evidence(setting.evidence("false"));
    }
    vec![f]
}

fn judge(
    c: &Cluster,
    private: &Field<'_>,
    setting: &Field<'_>,
    fqdn: &Field<'_>,
    private_fqdn: &Field<'_>,
) -> Finding {
    let has = |f: &Field<'_>| f.str().is_some_and(|s| !s.trim().is_empty());
    if private.bool() != Some(true) {
        let msg = if private.is_unset() {
            "not a private cluster (enablePrivateCluster not set; AKS default: public API server)"
        } else {
            "not a private cluster: the API server has a public endpoint"
        };
        return finding(&META, c, None, Status::Fail, msg);
    }
    // Only a deployed cluster reports `fqdn`/`privateFqdn`; their presence or absence is evidence
    // only there. A private cluster always has a `privateFqdn` once deployed.
    let deployed = c.file.format != Format::ArmTemplate
        && (has(private_fqdn)
            || !matches!(fqdn.val, Val::Absent)
            || has(&c.get("provisioningState")));
    let state = match setting.bool() {
        Some(true) => PublicFqdn::Present,
        Some(false) if deployed && has(fqdn) => PublicFqdn::Present,
        Some(false) => PublicFqdn::Absent,
        None if deployed && has(fqdn) => PublicFqdn::Present,
        None if deployed => PublicFqdn::Absent,
        None => PublicFqdn::DefaultPublic,
    };
    match state {
        PublicFqdn::Present if setting.bool() == Some(true) => finding(
            &META,
            c,
            None,
            Status::Fail,
            "private cluster, but a public FQDN resolves its API server address",
        )
        .with_evidence(fqdn.evidence("absent")),
        PublicFqdn::Present => finding(
            &META,
            c,
            None,
            Status::Fail,
            format!(
                "private cluster, but the body shows a public FQDN ({}) for the API server's private address",
                fqdn.display()
            ),
        )
        .with_evidence(fqdn.evidence("absent")),
        PublicFqdn::Absent if setting.bool() == Some(false) => finding(
            &META,
            c,
            None,
            Status::Pass,
            "private cluster without a public FQDN",
        ),
        PublicFqdn::Absent => finding(
            &META,
            c,
            None,
            Status::Pass,
            "private cluster without a public FQDN (enablePrivateClusterPublicFqdn is not set, but the deployed cluster reports no public fqdn)",
        )
        .with_evidence(
            fqdn.evidence("absent")
                .with_note("a deployed private cluster with a public FQDN reports it in `fqdn`"),
        )
        .with_evidence(private_fqdn.evidence("")),
        PublicFqdn::DefaultPublic => finding(
            &META,
            c,
            None,
            Status::Fail,
            "private cluster, but enablePrivateClusterPublicFqdn is not set: AKS then creates a public FQDN for the API server's private address",
        )
        .with_evidence(fqdn.evidence("absent").with_note(
            "not set, and the input shows no deployed state (no fqdn/privateFqdn): AKS adds a public FQDN (public DNS A record) to private clusters unless created or updated with --disable-public-fqdn",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{cl, cluster, ctx, status};
    use super::*;

    fn api(members: &str) -> String {
        cl(&format!(r#""apiServerAccessProfile":{{{members}}}"#))
    }

    #[test]
    fn verdicts() {
        assert_eq!(
            status(
                evaluate,
                &api(r#""enablePrivateCluster":true,"enablePrivateClusterPublicFqdn":false"#)
            ),
            Status::Pass
        );
        assert_eq!(
            status(
                evaluate,
                &api(r#""enablePrivateCluster":true,"enablePrivateClusterPublicFQDN":true"#)
            ),
            Status::Fail
        );
        assert_eq!(status(evaluate, &cl("")), Status::Fail);
        assert_eq!(
            status(evaluate, &api(r#""enablePrivateCluster":false"#)),
            Status::Fail
        );
        // Absent or null, and nothing deployed to look at: AKS's default adds a public FQDN.
        for unset in ["", r#","enablePrivateClusterPublicFqdn":null"#] {
            let json = api(&format!(r#""enablePrivateCluster":true{unset}"#));
            assert_eq!(status(evaluate, &json), Status::Fail, "{json}");
        }
    }

    /// Item 9: a deployed private cluster whose body has only `privateFqdn` (no `fqdn`) and no
    /// `enablePrivateClusterPublicFqdn` has no public FQDN; one that reports a public `fqdn` has
    /// one, whatever the setting says.
    #[test]
    fn item9_the_deployed_body_shows_whether_a_public_fqdn_exists() {
        let private = r#""apiServerAccessProfile":{"enablePrivateCluster":true}"#;
        let pfqdn = r#""privateFqdn":"c-1a2b.privatelink.westeurope.azmk8s.io""#;
        let cases = [
            // Only privateFqdn: no public FQDN.
            (format!("{private},{pfqdn}"), Status::Pass),
            // fqdn present with null: the API said there is none.
            (format!(r#"{private},{pfqdn},"fqdn":null"#), Status::Pass),
            (format!(r#"{private},"fqdn":null"#), Status::Pass),
            (format!(r#"{private},"provisioningState":"Succeeded""#), Status::Pass),
            // A public fqdn beside the private one.
            (
                format!(r#"{private},{pfqdn},"fqdn":"c-1a2b.hcp.westeurope.azmk8s.io""#),
                Status::Fail,
            ),
            (
                format!(
                    r#""apiServerAccessProfile":{{"enablePrivateCluster":true,"enablePrivateClusterPublicFqdn":false}},{pfqdn},"fqdn":"c.hcp.westeurope.azmk8s.io""#
                ),
                Status::Fail,
            ),
            // Setting true wins over a body without fqdn.
            (
                format!(
                    r#""apiServerAccessProfile":{{"enablePrivateCluster":true,"enablePrivateClusterPublicFqdn":true}},{pfqdn}"#
                ),
                Status::Fail,
            ),
            // A public cluster fails whatever its FQDNs.
            (
                r#""apiServerAccessProfile":{"enablePrivateCluster":false},"fqdn":"c.hcp.westeurope.azmk8s.io""#.to_string(),
                Status::Fail,
            ),
        ];
        for (members, want) in cases {
            let json = cl(&members);
            assert_eq!(status(evaluate, &json), want, "{json}");
        }
        let c = cluster(&cl(&format!("{private},{pfqdn}")));
        let f = &evaluate(&c, &ctx())[0];
        assert!(
            f.message.contains("reports no public fqdn"),
            "{}",
            f.message
        );
        assert!(
            f.evidence
                .iter()
                .any(|e| e.source.key.as_deref() == Some("fqdn"))
        );
    }

    /// Item 9: the same body as an ARM resource reads the same; an ARM template never carries
    /// `fqdn`, so there the default applies.
    #[test]
    fn item9_arm_resource_and_template() {
        let resource = r#"{"name":"c","type":"Microsoft.ContainerService/managedClusters","properties":{"kubernetesVersion":"1.34","privateFQDN":"c.privatelink.westeurope.azmk8s.io","apiServerAccessProfile":{"enablePrivateCluster":true},"agentPoolProfiles":[]}}"#;
        assert_eq!(status(evaluate, resource), Status::Pass);
        let template = r#"{"resources":[{"type":"Microsoft.ContainerService/managedClusters","name":"c","properties":{"privateFQDN":"x","apiServerAccessProfile":{"enablePrivateCluster":true}}}]}"#;
        assert_eq!(status(evaluate, template), Status::Fail);
    }

    /// Wrong-typed fields are input errors, not a verdict.
    #[test]
    fn wrong_types_are_errors() {
        for members in [
            r#""apiServerAccessProfile":{"enablePrivateCluster":"yes"}"#,
            r#""apiServerAccessProfile":{"enablePrivateCluster":true,"enablePrivateClusterPublicFqdn":0}"#,
            r#""apiServerAccessProfile":{"enablePrivateCluster":true},"fqdn":7"#,
        ] {
            assert_eq!(status(evaluate, &cl(members)), Status::Error, "{members}");
        }
    }
}
