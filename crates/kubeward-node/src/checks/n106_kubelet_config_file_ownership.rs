//! CIS AKS 1.0 3.1.4 / Kubernetes 4.1.10: owner of the kubelet configuration file and drop-ins.

use kubeward_core::profile::{CIS_AKS_1_0, CIS_K8S_1_12};
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use super::shared::{MANAGED_FILE_FIX, Want, config_files, files_finding};
use super::{Check, Ctx};

pub static META: CheckMeta = CheckMeta {
    code: "N106",
    name: "kubelet-config-file-ownership",
    since: "0.1.0",
    aliases: &[],
    title: "The kubelet configuration file is owned by root:root",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[
        RefStatic::cis_aks("1.0.0", "3.1.4"),
        RefStatic::cis_k8s("1.12.0", "4.1.10"),
    ],
    profiles: &[CIS_AKS_1_0, CIS_K8S_1_12],
    kubeward_own: false,
    doc: CheckDoc {
        what: "Owner of the --config file and its drop-ins.",
        why: "A non-root owner can change how the kubelet authenticates and authorizes requests.",
        fix: MANAGED_FILE_FIX,
        links: &[],
        bad: "kubelet --config=/etc/default/kubeletconfig.json\n-rw------- azureuser:azureuser /etc/default/kubeletconfig.json",
        good: "kubelet --config=/etc/default/kubeletconfig.json\n-rw------- root:root /etc/default/kubeletconfig.json",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(c: &Ctx) -> Finding {
    files_finding(
        c,
        &META,
        &config_files(c),
        Want::RootOwned,
        "kubelet configuration file",
    )
}
