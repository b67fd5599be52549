//! CIS Kubernetes 4.1.4: owner of kube-proxy's kubeconfig, read in kube-proxy's own root.

use kubeward_core::profile::CIS_K8S_1_12;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use super::kube_proxy::{PROXY_FIX, proxy_kubeconfig_finding};
use super::shared::Want;
use super::{Check, Ctx};

pub static META: CheckMeta = CheckMeta {
    code: "N110",
    name: "proxy-kubeconfig-ownership",
    since: "0.1.0",
    aliases: &[],
    title: "The kube-proxy kubeconfig is owned by root:root",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[RefStatic::cis_k8s("1.12.0", "4.1.4")],
    profiles: &[CIS_K8S_1_12],
    kubeward_own: false,
    doc: CheckDoc {
        what: "Owner of kube-proxy's --kubeconfig file.",
        why: "A non-root owner can swap kube-proxy's credentials.",
        fix: PROXY_FIX,
        links: &[],
        bad: "kubelet --kubeconfig=/var/lib/kubelet/kubeconfig\nkube-proxy --kubeconfig=/var/lib/kube-proxy/kubeconfig.conf\n-rw------- azureuser:azureuser /var/lib/kube-proxy/kubeconfig.conf",
        good: "kubelet --kubeconfig=/var/lib/kubelet/kubeconfig\nkube-proxy --kubeconfig=/var/lib/kube-proxy/kubeconfig.conf\n-rw------- root:root /var/lib/kube-proxy/kubeconfig.conf",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(c: &Ctx) -> Finding {
    proxy_kubeconfig_finding(c, &META, Want::RootOwned)
}
