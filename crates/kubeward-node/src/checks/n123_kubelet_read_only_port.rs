//! CIS AKS 3.2.4 / Kubernetes 4.2.4: the kubelet read-only port is disabled.

use kubeward_core::profile::{CIS_AKS_1_0, CIS_AKS_1_7, CIS_AKS_1_8, CIS_K8S_1_12};
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity, Status};

use super::shared::{
    KUBELET_CONFIG_LINKS, KUBELET_SETTING_FIX, Verdict, setting_finding, unreadable,
};
use super::{Check, Ctx};
use crate::kubelet::Setting;

pub static META: CheckMeta = CheckMeta {
    code: "N123",
    name: "kubelet-read-only-port",
    since: "0.1.0",
    aliases: &[],
    title: "The kubelet read-only port is disabled",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[
        RefStatic::cis_aks("1.8.0", "3.2.4"),
        RefStatic::cis_aks("1.7.0", "3.2.4"),
        RefStatic::cis_aks("1.0.0", "3.2.4"),
        RefStatic::cis_k8s("1.12.0", "4.2.4"),
    ],
    profiles: &[CIS_AKS_1_8, CIS_AKS_1_7, CIS_AKS_1_0, CIS_K8S_1_12],
    kubeward_own: false,
    doc: CheckDoc {
        what: "readOnlyPort / --read-only-port must be 0. Default: 0 with --config, 10255 without.",
        why: "The read-only port serves pod specs and node metrics with no authentication at all.",
        fix: KUBELET_SETTING_FIX,
        links: KUBELET_CONFIG_LINKS,
        bad: "kubelet --read-only-port=10255",
        good: "kubelet --read-only-port=0",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

pub fn judge(s: Option<&Setting>) -> Verdict {
    let exp = "0".to_string();
    match s.map(|s| (s, s.as_i64())) {
        Some((_, Some(0))) => (
            Status::Pass,
            "the kubelet read-only port is disabled".into(),
            exp,
        ),
        Some((_, Some(p))) => (
            Status::Fail,
            format!("the kubelet serves an unauthenticated read-only port on {p}"),
            exp,
        ),
        Some((s, None)) => unreadable("readOnlyPort", s),
        None => (Status::Error, "read-only port unknown".into(), exp),
    }
}

fn eval(c: &Ctx) -> Finding {
    setting_finding(c, &META, "readOnlyPort", judge)
}

/// Values beyond the examples (JSON, as the kubelet configuration holds them) and the verdict
/// each gets; `shared`'s tests run them through [`judge`].
#[cfg(test)]
pub(crate) const VECTORS: &[(&str, Status)] = &[("0", Status::Pass), (r#""10255""#, Status::Fail)];
