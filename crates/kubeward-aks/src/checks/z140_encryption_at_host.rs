//! Node pools encrypt temp disks and caches at the host.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{BoolRule, Ctx, NO_PROFILE, checkov, finding, judge_bool, policy};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z140",
    name: "aks-encryption-at-host",
    title: "Node pools use encryption at host",
    area: Area::Aks,
    severity: Severity::Medium,
    references: &[
        policy("41425d9f-d1a5-499a-9932-f8ed8453932c"),
        checkov("CKV_AZURE_227"),
    ],
    profiles: NO_PROFILE,
    kubeward_own: true,
    doc: CheckDoc {
        what: "`enableEncryptionAtHost` of every node pool.",
        why: "Without it the VM's temporary disk and the OS/data disk caches (where emptyDir volumes and container layers live) are not encrypted at rest, and data flows to storage unencrypted on the host.",
        fix: "az feature register --namespace Microsoft.Compute --name EncryptionAtHost; then add a replacement pool: az aks nodepool add -g <resource-group> --cluster-name <cluster> -n <new-pool> --enable-encryption-at-host ...; and delete <pool>",
        links: &["https://learn.microsoft.com/azure/aks/enable-host-encryption"],
    },
};

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    if c.pools.is_empty() {
        return vec![finding(
            &META,
            c,
            None,
            Status::NotApplicable,
            "no node pools in the input",
        )];
    }
    c.pools
        .iter()
        .map(|p| {
            judge_bool(&META, c, Some(p), &p.get("enableEncryptionAtHost"), &BoolRule {
                want: true,
                default: false,
                default_reason: "encryption at host is off unless the pool is created with --enable-encryption-at-host",
                what: "encryption at host",
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testing::{cl, statuses};
    use super::*;

    #[test]
    fn every_pool_is_judged() {
        let json =
            cl(r#""agentPoolProfiles":[{"name":"a","enableEncryptionAtHost":true},{"name":"b"}]"#);
        assert_eq!(statuses(evaluate, &json), vec![Status::Pass, Status::Fail]);
    }
}
