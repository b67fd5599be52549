//! CIS AKS 5.1.4: only approved registries can be used (enforced through Azure Policy).

use kubeward_core::profile::CIS_AKS_1_8;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{Check, Ctx, cis, finding};
use crate::model::{Cluster, Val};

pub static META: CheckMeta = CheckMeta {
    code: "Z104",
    name: "aks-approved-registries",
    since: "0.1.0",
    aliases: &[],
    title: "Container images come only from approved registries",
    area: Area::Aks,
    severity: Severity::Medium,
    references: &[cis("5.1.4")],
    profiles: &[CIS_AKS_1_8],
    kubeward_own: false,
    doc: CheckDoc {
        what: "Whether the Azure Policy add-on is enabled, which is what enforces the built-in policy \"Kubernetes cluster containers should only use allowed images\" (febd0533-8e55-448f-b837-bd0e06f16469). The policy assignment itself is not in the cluster JSON.",
        why: "Without an admission control on image sources, anyone who can create pods can run any public image, including typosquatted or backdoored ones.",
        fix: "az aks enable-addons --addons azure-policy -g <resource-group> -n <cluster>; then assign the policy: az policy assignment create --policy febd0533-8e55-448f-b837-bd0e06f16469 --scope <cluster-id> --params '{\"allowedContainerImagesRegex\":{\"value\":\"^myregistry\\\\.azurecr\\\\.io/.+$\"}}'",
        links: &["https://learn.microsoft.com/azure/aks/use-azure-policy"],
        bad: cluster!(r#""addonProfiles": {"azurepolicy": {"enabled": false}}"#),
        good: cluster!(r#""addonProfiles": {"azurepolicy": {"enabled": true}}"#),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let f = c.addon(&["azurepolicy"], "enabled");
    let f2 = f.clone();
    if let Val::Unresolved(_) = f.val {
        return vec![
            finding(
                &META,
                c,
                None,
                Status::Manual,
                "the Azure Policy add-on setting is an unresolved ARM expression",
            )
            .with_evidence(f2.evidence("true")),
        ];
    }
    if f.bool() == Some(true) {
        vec![finding(&META, c, None, Status::Manual,
            "the Azure Policy add-on is enabled: check that an allowed-images policy is assigned (az policy assignment list --scope <cluster-id>)")
            .with_evidence(f.evidence("true"))]
    } else {
        // Not a CIS failure either: another admission controller may restrict image sources.
        vec![finding(&META, c, None, Status::Manual,
            "the Azure Policy add-on is not enabled: image sources are not restricted by Azure Policy; check whether another admission controller restricts them")
            .with_evidence(f.evidence("true"))]
    }
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
                    r#""addonProfiles":{"azurepolicy":{"enabled":true}}"#,
                    Status::Manual,
                ),
                // without the add-on kubeward cannot tell: another admission controller may restrict images
                (
                    r#""addonProfiles":{"azurePolicy":{"enabled":false}}"#,
                    Status::Manual,
                ),
                ("", Status::Manual),
            ],
        );
    }
}
