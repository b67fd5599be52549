//! CIS AKS 3.1.2 / Kubernetes 4.1.6: owner of the kubelet's kubeconfig.

use kubeward_core::profile::{CIS_AKS_1_0, CIS_AKS_1_7, CIS_AKS_1_8, CIS_K8S_1_12};
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use super::shared::{MANAGED_FILE_FIX, Want, file_finding};
use super::{Check, Ctx};

pub static META: CheckMeta = CheckMeta {
    code: "N102",
    name: "kubelet-kubeconfig-ownership",
    since: "0.1.0",
    aliases: &[],
    title: "The kubelet kubeconfig file is owned by root:root",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[
        RefStatic::cis_aks("1.8.0", "3.1.2"),
        RefStatic::cis_aks("1.7.0", "3.1.2"),
        RefStatic::cis_aks("1.0.0", "3.1.2"),
        RefStatic::cis_k8s("1.12.0", "4.1.6"),
    ],
    profiles: &[CIS_AKS_1_8, CIS_AKS_1_7, CIS_AKS_1_0, CIS_K8S_1_12],
    kubeward_own: false,
    doc: CheckDoc {
        what: "Owner of the file named by --kubeconfig.",
        why: "A non-root owner can rewrite the kubelet's credentials and API server address.",
        fix: MANAGED_FILE_FIX,
        links: &[],
        bad: "kubelet --kubeconfig=/var/lib/kubelet/kubeconfig\n-rw------- azureuser:azureuser /var/lib/kubelet/kubeconfig",
        good: "kubelet --kubeconfig=/var/lib/kubelet/kubeconfig\n-rw------- root:root /var/lib/kubelet/kubeconfig",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(c: &Ctx) -> Finding {
    file_finding(
        c,
        &META,
        c.kubeconfig.as_ref(),
        Want::RootOwned,
        "kubelet kubeconfig",
    )
}
