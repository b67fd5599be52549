//! CIS Kubernetes 4.2.13: the kubelet limits the number of processes per pod.

use kubeward_core::profile::CIS_K8S_1_12;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity, Status};

use super::shared::{KUBELET_CONFIG_LINKS, Verdict, setting_finding, unreadable};
use super::{Check, Ctx};
use crate::kubelet::Setting;

pub static META: CheckMeta = CheckMeta {
    code: "N133",
    name: "kubelet-pod-pids-limit",
    since: "0.1.0",
    aliases: &[],
    title: "The kubelet limits the number of processes per pod",
    area: Area::Node,
    severity: Severity::Low,
    references: &[RefStatic::cis_k8s("1.12.0", "4.2.13")],
    profiles: &[CIS_K8S_1_12],
    kubeward_own: false,
    doc: CheckDoc {
        what: "podPidsLimit / --pod-max-pids must be a positive number (default -1: unlimited).",
        why: "A fork bomb in one pod can exhaust the node's PIDs and take every pod down.",
        fix: "On AKS: create or update the node pool with a custom kubelet configuration, e.g. `az aks nodepool add ... --kubelet-config kubelet.json` \
where kubelet.json holds {\"podMaxPids\": 4096}. On self-managed clusters set podPidsLimit in the KubeletConfiguration.",
        links: KUBELET_CONFIG_LINKS,
        bad: "kubelet --pod-max-pids=-1",
        good: "kubelet --pod-max-pids=4096",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

pub fn judge(s: Option<&Setting>) -> Verdict {
    let exp = "a positive number".to_string();
    match s.map(|s| (s, s.as_i64())) {
        Some((_, Some(n))) if n > 0 => (
            Status::Pass,
            format!("pods are limited to {n} processes"),
            exp,
        ),
        Some((_, Some(n))) => (
            Status::Fail,
            format!("pods have no process limit (podPidsLimit {n})"),
            exp,
        ),
        Some((s, None)) => unreadable("podPidsLimit", s),
        None => (Status::Fail, "pods have no process limit".into(), exp),
    }
}

fn eval(c: &Ctx) -> Finding {
    setting_finding(c, &META, "podPidsLimit", judge)
}

/// Values beyond the examples (JSON, as the kubelet configuration holds them) and the verdict
/// each gets; `shared`'s tests run them through [`judge`].
#[cfg(test)]
pub(crate) const VECTORS: &[(&str, Status)] = &[("-1", Status::Fail), ("4096", Status::Pass)];
