//! Node pools encrypt temp disks and caches at the host.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity};

use super::{At, Check, Ctx, Setting, checkov, policy};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z140",
    name: "aks-encryption-at-host",
    since: "0.1.0",
    aliases: &[],
    title: "Node pools use encryption at host",
    area: Area::Aks,
    severity: Severity::Medium,
    references: &[
        policy("41425d9f-d1a5-499a-9932-f8ed8453932c"),
        checkov("CKV_AZURE_227"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "`enableEncryptionAtHost` of every node pool.",
        why: "Without it the VM's temporary disk and the OS/data disk caches (where emptyDir volumes and container layers live) are not encrypted at rest, and data flows to storage unencrypted on the host.",
        fix: "az feature register --namespace Microsoft.Compute --name EncryptionAtHost; then add a replacement pool: az aks nodepool add -g <resource-group> --cluster-name <cluster> -n <new-pool> --enable-encryption-at-host ...; and delete <pool>",
        links: &["https://learn.microsoft.com/azure/aks/enable-host-encryption"],
        bad: cluster!(pools [linux_pool!(r#""enableEncryptionAtHost": false"#)];),
        good: cluster!(pools [linux_pool!(r#""enableEncryptionAtHost": true"#)];),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub static SETTING: Setting = Setting::on(
    At::Pool("enableEncryptionAtHost"),
    "encryption at host",
    "encryption at host is off unless the pool is created with --enable-encryption-at-host",
);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    SETTING.judge(&META, c)
}
