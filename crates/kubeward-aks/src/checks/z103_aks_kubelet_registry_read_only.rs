//! CIS AKS 5.1.3: the cluster's kubelet identity can only pull from registries.

use kubeward_core::profile::CIS_AKS_1_8;
use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Severity, Status};

use super::z102_aks_registry_user_access::{grants_registry_write, is_registry_scope};
use super::{Check, Ctx, cis, finding};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z103",
    name: "aks-kubelet-registry-read-only",
    since: "0.1.0",
    aliases: &[],
    title: "The kubelet identity has read-only (AcrPull) access to registries",
    area: Area::Aks,
    severity: Severity::High,
    references: &[cis("5.1.3")],
    profiles: &[CIS_AKS_1_8],
    kubeward_own: false,
    doc: CheckDoc {
        what: "Finds the kubelet identity (`identityProfile.kubeletidentity.objectId`) in `az role assignment list` output and checks that every role it holds on registries (or on a parent scope) is read-only.",
        why: "Every node holds the kubelet identity's token. If that identity can push (AcrPush, Contributor, Owner), a compromised node can replace the images all clusters pull.",
        fix: "az role assignment delete --assignee <kubelet-object-id> --role <role> --scope <registry-id>; grant only pull: az aks update -g <resource-group> -n <cluster> --attach-acr <registry-name>",
        links: &["https://learn.microsoft.com/azure/aks/cluster-container-registry-integration"],
        bad: registry_roles_example!(
            [r#""identityProfile": {"kubeletidentity": {"objectId": "5f1c2d3e-0000-4000-8000-00000000cafe"}}"#];
            ("5f1c2d3e-0000-4000-8000-00000000cafe", "aks-prod-agentpool", "AcrPush")
        ),
        good: registry_roles_example!(
            [r#""identityProfile": {"kubeletidentity": {"objectId": "5f1c2d3e-0000-4000-8000-00000000cafe"}}"#];
            ("5f1c2d3e-0000-4000-8000-00000000cafe", "aks-prod-agentpool", "AcrPull")
        ),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let kubelet = c.get("identityProfile.kubeletidentity.objectId");
    let Some(roles) = &c.role_assignments else {
        return vec![finding(
            &META,
            c,
            None,
            Status::Manual,
            "no role assignments given: add `az role assignment list --assignee <kubelet-object-id> --all -o json` to check registry access of the kubelet identity",
        )];
    };
    let Some(object_id) = kubelet.str() else {
        return vec![finding(&META, c, None, Status::NotApplicable,
            "the cluster has no kubelet managed identity (identityProfile.kubeletidentity): it uses a service principal or pulls with image pull secrets")
            .with_evidence(kubelet.evidence("a managed identity object id"))];
    };
    let mine: Vec<_> = roles
        .iter()
        .filter(|r| r.principal_id.eq_ignore_ascii_case(object_id))
        .collect();
    if mine.is_empty() {
        return vec![finding(&META, c, None, Status::Manual,
            format!("the role assignments given contain none for the kubelet identity {object_id}: list its assignments with --assignee"))
            .with_evidence(kubelet.evidence(""))];
    }
    let writes: Vec<_> = mine
        .iter()
        .filter(|r| grants_registry_write(&r.role))
        .collect();
    let mut f = if writes.is_empty() {
        let pulls = mine.iter().filter(|r| is_registry_scope(&r.scope)).count();
        finding(
            &META,
            c,
            None,
            Status::Pass,
            format!(
                "the kubelet identity holds no registry write role ({pulls} registry assignment(s), all read-only)"
            ),
        )
    } else {
        finding(
            &META,
            c,
            None,
            Status::Fail,
            format!(
                "the kubelet identity can write to registries through {} role assignment(s)",
                writes.len()
            ),
        )
    };
    f = f.with_evidence(kubelet.evidence(""));
    for r in mine {
        f = f.with_evidence(
            Evidence::observed(format!("{} on {}", r.role, r.scope), r.source())
                .with_expected("AcrPull only"),
        );
    }
    vec![f]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{InputFile, load};

    fn run(cluster: &str, roles: Option<&str>) -> Status {
        let mut files = vec![InputFile {
            path: "c.json".into(),
            text: cluster.into(),
            forced_diagnostics: false,
        }];
        if let Some(r) = roles {
            files.push(InputFile {
                path: "r.json".into(),
                text: r.into(),
                forced_diagnostics: false,
            });
        }
        let inv = load(files);
        evaluate(&inv.clusters[0], &super::super::testing::ctx())[0].status
    }

    #[test]
    fn verdicts() {
        let c =
            super::super::testing::cl(r#""identityProfile":{"kubeletidentity":{"objectId":"k1"}}"#);
        let acr = "/subscriptions/s/resourceGroups/r/providers/Microsoft.ContainerRegistry/registries/acr1";
        assert_eq!(run(&c, None), Status::Manual);
        assert_eq!(
            run(
                &c,
                Some(&format!(
                    r#"[{{"principalId":"k1","scope":"{acr}","roleDefinitionName":"AcrPull"}}]"#
                ))
            ),
            Status::Pass
        );
        assert_eq!(
            run(
                &c,
                Some(&format!(
                    r#"[{{"principalId":"K1","scope":"{acr}","roleDefinitionName":"AcrPush"}}]"#
                ))
            ),
            Status::Fail
        );
        assert_eq!(
            run(
                &c,
                Some(
                    r#"[{"principalId":"k1","scope":"/subscriptions/s/resourceGroups/r","roleDefinitionName":"Contributor"}]"#
                )
            ),
            Status::Fail
        );
        assert_eq!(
            run(
                &c,
                Some(r#"[{"principalId":"other","scope":"/s","roleDefinitionName":"AcrPull"}]"#)
            ),
            Status::Manual
        );
        assert_eq!(
            run(
                &super::super::testing::cl(""),
                Some(
                    "[{\"principalId\":\"x\",\"scope\":\"/s\",\"roleDefinitionName\":\"AcrPull\"}]"
                )
            ),
            Status::NotApplicable
        );
    }
}
