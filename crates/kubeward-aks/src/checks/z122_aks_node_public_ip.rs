//! CIS AKS 5.4.3: nodes have no public IP addresses (every pool).

use kubeward_core::profile::CIS_AKS_1_8;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity};

use super::{At, Check, Ctx, Setting, checkov, cis};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z122",
    name: "aks-node-public-ip",
    since: "0.1.0",
    aliases: &[],
    title: "Node pools do not give nodes public IP addresses",
    area: Area::Aks,
    severity: Severity::High,
    references: &[cis("5.4.3"), checkov("CKV_AZURE_143")],
    profiles: &[CIS_AKS_1_8],
    kubeward_own: false,
    doc: CheckDoc {
        what: "`enableNodePublicIp` of every node pool.",
        why: "A node with a public IP exposes its kubelet, NodePorts and SSH to the Internet unless every NSG rule is right; private nodes reach the Internet through the cluster's outbound path instead.",
        fix: "The setting cannot be changed on an existing pool: add a replacement pool without it and remove the old one: az aks nodepool add -g <resource-group> --cluster-name <cluster> -n <new-pool> ...; az aks nodepool delete -g <resource-group> --cluster-name <cluster> -n <pool>",
        links: &["https://learn.microsoft.com/azure/aks/use-node-public-ips"],
        bad: cluster!(pools [linux_pool!(r#""enableNodePublicIp": true"#)];),
        good: cluster!(pools [linux_pool!(r#""enableNodePublicIp": false"#)];),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub static SETTING: Setting = Setting::off(
    At::Pool("enableNodePublicIp"),
    "node public IP",
    "node public IPs are off unless requested with --enable-node-public-ip",
);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    SETTING.judge(&META, c)
}
