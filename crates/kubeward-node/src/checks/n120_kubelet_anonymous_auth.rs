//! CIS AKS 3.2.1 / Kubernetes 4.2.1: the kubelet rejects anonymous requests.

use kubeward_core::profile::{CIS_AKS_1_0, CIS_AKS_1_7, CIS_AKS_1_8, CIS_K8S_1_12};
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity, Status};

use super::shared::{
    KUBELET_CONFIG_LINKS, KUBELET_SETTING_FIX, Verdict, setting_finding, unreadable,
};
use super::{Check, Ctx};
use crate::kubelet::Setting;

pub static META: CheckMeta = CheckMeta {
    code: "N120",
    name: "kubelet-anonymous-auth",
    since: "0.1.0",
    aliases: &[],
    title: "The kubelet rejects anonymous requests",
    area: Area::Node,
    severity: Severity::High,
    references: &[
        RefStatic::cis_aks("1.8.0", "3.2.1"),
        RefStatic::cis_aks("1.7.0", "3.2.1"),
        RefStatic::cis_aks("1.0.0", "3.2.1"),
        RefStatic::cis_k8s("1.12.0", "4.2.1"),
    ],
    profiles: &[CIS_AKS_1_8, CIS_AKS_1_7, CIS_AKS_1_0, CIS_K8S_1_12],
    kubeward_own: false,
    doc: CheckDoc {
        what: "authentication.anonymous.enabled / --anonymous-auth must be false. Default: false with --config, true without.",
        why: "Anonymous requests to the kubelet API (port 10250) reach pod logs, exec and node data when authorization allows them.",
        fix: KUBELET_SETTING_FIX,
        links: KUBELET_CONFIG_LINKS,
        bad: "kubelet --anonymous-auth=true --authorization-mode=Webhook",
        good: "kubelet --anonymous-auth=false --authorization-mode=Webhook",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

pub fn judge(s: Option<&Setting>) -> Verdict {
    let exp = "false".to_string();
    match s.map(|s| (s, s.as_bool())) {
        Some((_, Some(false))) => (
            Status::Pass,
            "anonymous requests to the kubelet are rejected".into(),
            exp,
        ),
        Some((_, Some(true))) => (
            Status::Fail,
            "the kubelet accepts anonymous requests".into(),
            exp,
        ),
        Some((s, None)) => unreadable("authentication.anonymous.enabled", s),
        None => (
            Status::Error,
            "anonymous authentication setting unknown".into(),
            exp,
        ),
    }
}

fn eval(c: &Ctx) -> Finding {
    setting_finding(c, &META, "authentication.anonymous.enabled", judge)
}

/// Values beyond the examples (JSON, as the kubelet configuration holds them) and the verdict
/// each gets; `shared`'s tests run them through [`judge`].
#[cfg(test)]
pub(crate) const VECTORS: &[(&str, Status)] = &[
    ("false", Status::Pass),
    ("true", Status::Fail),
    (r#""maybe""#, Status::Error),
];
