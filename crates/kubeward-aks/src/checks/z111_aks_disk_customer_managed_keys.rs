//! Node OS disks are encrypted with customer-managed keys (a disk encryption set).

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{Check, Ctx, checkov, finding, policy};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z111",
    name: "aks-disk-customer-managed-keys",
    since: "0.1.0",
    aliases: &[],
    title: "Node disks are encrypted with customer-managed keys",
    area: Area::Aks,
    severity: Severity::Info,
    references: &[
        policy("7d7be79c-23ba-4033-84dd-45e2a5ccdd67"),
        checkov("CKV_AZURE_117"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "`diskEncryptionSetId` of the cluster. Set: PASS. Absent, null or empty: INFO, since the disks are still encrypted at rest with platform-managed keys; customer-managed keys are a requirement of some compliance regimes, not a general hardening step. A non-string value is an input error.",
        why: "With a disk encryption set the node OS and data disks are encrypted with a key held in your Key Vault: you control its rotation, can revoke it to make the disks unreadable, and key use is logged in your subscription. Microsoft Learn: \"Bring your own keys (BYOK) with Azure managed disks in Azure Kubernetes Service (AKS)\".",
        fix: "The OS disk encryption set is chosen when the cluster is created: az aks create -g <resource-group> -n <new-cluster> --node-osdisk-diskencryptionset-id <disk-encryption-set-id> ...; then move the workloads from <cluster>",
        links: &["https://learn.microsoft.com/azure/aks/azure-disk-customer-managed-keys"],
        bad: cluster!(r#""diskEncryptionSetId": null"#),
        good: cluster!(
            r#""diskEncryptionSetId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-prod/providers/Microsoft.Compute/diskEncryptionSets/des-prod""#
        ),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let des = c.get("diskEncryptionSetId");
    let f = match des.str() {
        _ if des.is_unresolved() => finding(
            &META,
            c,
            None,
            Status::Manual,
            "diskEncryptionSetId is an unresolved ARM expression",
        ),
        Some(id) if !id.trim().is_empty() => finding(
            &META,
            c,
            None,
            Status::Pass,
            "OS disks encrypted with customer-managed keys (disk encryption set)",
        ),
        Some(_) => finding(
            &META,
            c,
            None,
            Status::Info,
            "no disk encryption set (empty): disks are encrypted with platform-managed keys",
        ),
        None if des.is_unset() => finding(
            &META,
            c,
            None,
            Status::Info,
            "no disk encryption set: disks are encrypted with platform-managed keys (needed only where customer-managed keys are required)",
        ),
        None => finding(
            &META,
            c,
            None,
            Status::Error,
            format!(
                "diskEncryptionSetId: unexpected value {} (expected a resource id)",
                des.display()
            ),
        ),
    };
    vec![f.with_evidence(des.evidence("a disk encryption set resource id"))]
}

#[cfg(test)]
mod tests {
    use super::super::testing::{cl, status};
    use super::*;

    /// Item 13: customer-managed keys for disks, informational when absent.
    #[test]
    fn item13_disk_encryption_set_is_informational() {
        let id =
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/diskEncryptionSets/des";
        assert_eq!(
            status(evaluate, &cl(&format!(r#""diskEncryptionSetId":"{id}""#))),
            Status::Pass
        );
        // ARM spelling inside properties.
        let arm = format!(
            r#"{{"name":"c","type":"Microsoft.ContainerService/managedClusters","properties":{{"diskEncryptionSetID":"{id}","agentPoolProfiles":[]}}}}"#
        );
        assert_eq!(status(evaluate, &arm), Status::Pass);
        for unset in [
            "",
            r#""diskEncryptionSetId":null"#,
            r#""diskEncryptionSetId":"""#,
        ] {
            assert_eq!(status(evaluate, &cl(unset)), Status::Info, "{unset}");
        }
        assert_eq!(
            status(evaluate, &cl(r#""diskEncryptionSetId":{"id":"x"}"#)),
            Status::Error
        );
    }
}
