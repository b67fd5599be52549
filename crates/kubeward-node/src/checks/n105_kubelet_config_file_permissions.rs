//! CIS AKS 1.0 3.1.3 / Kubernetes 4.1.9: permissions of the kubelet configuration file and drop-ins.

use kubeward_core::profile::{CIS_AKS_1_0, CIS_K8S_1_12};
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use super::shared::{MANAGED_FILE_FIX, Want, config_files, files_finding};
use super::{Check, Ctx};

pub static META: CheckMeta = CheckMeta {
    code: "N105",
    name: "kubelet-config-file-permissions",
    since: "0.1.0",
    aliases: &[],
    title: "The kubelet configuration file is not writable beyond its owner",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[
        RefStatic::cis_aks("1.0.0", "3.1.3"),
        RefStatic::cis_k8s("1.12.0", "4.1.9"),
    ],
    profiles: &[CIS_AKS_1_0, CIS_K8S_1_12],
    kubeward_own: false,
    doc: CheckDoc {
        what: "Mode of the file named by the kubelet's --config flag and of its --config-dir drop-ins \
(CIS AKS 1.0: 644 or stricter; CIS Kubernetes 1.12: 600 or stricter).",
        why: "Whoever can write the kubelet configuration can turn off authentication and authorization of the \
kubelet API at the next restart.",
        fix: MANAGED_FILE_FIX,
        links: &[],
        bad: "kubelet --config=/etc/default/kubeletconfig.json\n-rw-rw-rw- root:root /etc/default/kubeletconfig.json",
        good: "kubelet --config=/etc/default/kubeletconfig.json\n-rw------- root:root /etc/default/kubeletconfig.json",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

/// CIS AKS 1.0 accepts 644; CIS Kubernetes 1.12 asks for 600.
fn eval(c: &Ctx) -> Finding {
    let max = if c.is_aks_profile() { 0o644 } else { 0o600 };
    files_finding(
        c,
        &META,
        &config_files(c),
        Want::ModeAtMost(max),
        "kubelet configuration file",
    )
}
