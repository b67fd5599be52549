//! CIS AKS 3.1.1 / Kubernetes 4.1.5: permissions of the kubelet's kubeconfig.

use kubeward_core::profile::{CIS_AKS_1_0, CIS_AKS_1_7, CIS_AKS_1_8, CIS_K8S_1_12};
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use super::shared::{MANAGED_FILE_FIX, Want, file_finding};
use super::{Check, Ctx};

pub static META: CheckMeta = CheckMeta {
    code: "N101",
    name: "kubelet-kubeconfig-permissions",
    since: "0.1.0",
    aliases: &[],
    title: "The kubelet kubeconfig file is not writable or readable beyond its owner",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[
        RefStatic::cis_aks("1.8.0", "3.1.1"),
        RefStatic::cis_aks("1.7.0", "3.1.1"),
        RefStatic::cis_aks("1.0.0", "3.1.1"),
        RefStatic::cis_k8s("1.12.0", "4.1.5"),
    ],
    profiles: &[CIS_AKS_1_8, CIS_AKS_1_7, CIS_AKS_1_0, CIS_K8S_1_12],
    kubeward_own: false,
    doc: CheckDoc {
        what: "Mode of the file named by the kubelet's --kubeconfig flag (AKS: /var/lib/kubelet/kubeconfig). \
CIS AKS asks for 644 or stricter; CIS Kubernetes 1.12 asks for 600 or stricter.",
        why: "The kubeconfig holds the kubelet's client credentials; anyone who can change it can point the kubelet \
at another API server or steal its identity.",
        fix: MANAGED_FILE_FIX,
        links: &["https://learn.microsoft.com/azure/aks/node-image-upgrade"],
        bad: "kubelet --kubeconfig=/var/lib/kubelet/kubeconfig\n-rw-rw-rw- root:root /var/lib/kubelet/kubeconfig",
        good: "kubelet --kubeconfig=/var/lib/kubelet/kubeconfig\n-rw------- root:root /var/lib/kubelet/kubeconfig",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

/// CIS AKS accepts 644 for the kubeconfig; CIS Kubernetes 1.12 asks for 600.
fn eval(c: &Ctx) -> Finding {
    let max = if c.is_aks_profile() { 0o644 } else { 0o600 };
    file_finding(
        c,
        &META,
        c.kubeconfig.as_ref(),
        Want::ModeAtMost(max),
        "kubelet kubeconfig",
    )
}
