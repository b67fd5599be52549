//! kubeward's own, CIS Kubernetes 4.2.14: the kubelet applies RuntimeDefault seccomp to pods that set none.

use kubeward_core::profile::CIS_K8S_1_12;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity, Status};

use super::shared::{Verdict, setting_finding};
use super::{Check, Ctx};
use crate::kubelet::Setting;

pub static META: CheckMeta = CheckMeta {
    code: "N163",
    name: "kubelet-seccomp-default",
    since: "0.1.0",
    aliases: &[],
    title: "The kubelet applies RuntimeDefault seccomp to pods that set no profile",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[RefStatic::cis_k8s("1.12.0", "4.2.14")],
    profiles: &[CIS_K8S_1_12],
    kubeward_own: true,
    doc: CheckDoc {
        what: "seccompDefault / --seccomp-default (default false: pods without a seccompProfile run Unconfined).",
        why: "Unconfined containers can call every syscall, including those behind most container escapes.",
        fix: "On AKS (preview): register the feature `az feature register --namespace Microsoft.ContainerService --name \
KubeletDefaultSeccompProfilePreview`, then create the node pool with a custom kubelet configuration \
`az aks nodepool add ... --kubelet-config kubelet.json` where kubelet.json holds {\"seccompDefault\": \"RuntimeDefault\"}. \
Test workloads first. On self-managed clusters set seccompDefault: true in the KubeletConfiguration.",
        links: &["https://learn.microsoft.com/azure/aks/secure-container-access"],
        bad: "kubelet --config=/etc/default/kubeletconfig.json\n/etc/default/kubeletconfig.json:\n    {\"kind\": \"KubeletConfiguration\", \"apiVersion\": \"kubelet.config.k8s.io/v1beta1\", \"seccompDefault\": false}",
        good: "kubelet --config=/etc/default/kubeletconfig.json\n/etc/default/kubeletconfig.json:\n    {\"kind\": \"KubeletConfiguration\", \"apiVersion\": \"kubelet.config.k8s.io/v1beta1\", \"seccompDefault\": true}",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

pub fn judge(s: Option<&Setting>) -> Verdict {
    match s.and_then(Setting::as_bool) {
        Some(true) => (
            Status::Pass,
            "pods without a seccomp profile get RuntimeDefault".into(),
            "true".into(),
        ),
        Some(false) | None => (
            Status::Fail,
            "pods without a seccomp profile run Unconfined (seccompDefault is false)".into(),
            "true".into(),
        ),
    }
}

fn eval(c: &Ctx) -> Finding {
    setting_finding(c, &META, "seccompDefault", judge)
}

/// Values beyond the examples (JSON, as the kubelet configuration holds them) and the verdict
/// each gets; `shared`'s tests run them through [`judge`].
#[cfg(test)]
pub(crate) const VECTORS: &[(&str, Status)] = &[("true", Status::Pass), ("false", Status::Fail)];
