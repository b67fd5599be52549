//! CIS AKS 3.2.5 / Kubernetes 4.2.5: idle streaming connections time out.

use kubeward_core::profile::{CIS_AKS_1_0, CIS_AKS_1_7, CIS_AKS_1_8, CIS_K8S_1_12};
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity, Status};

use super::shared::{
    KUBELET_CONFIG_LINKS, KUBELET_SETTING_FIX, Verdict, setting_finding, unreadable,
};
use super::{Check, Ctx};
use crate::kubelet::Setting;
use crate::kubelet::go_duration_is_zero;

pub static META: CheckMeta = CheckMeta {
    code: "N124",
    name: "kubelet-streaming-idle-timeout",
    since: "0.1.0",
    aliases: &[],
    title: "Idle streaming connections time out",
    area: Area::Node,
    severity: Severity::Low,
    references: &[
        RefStatic::cis_aks("1.8.0", "3.2.5"),
        RefStatic::cis_aks("1.7.0", "3.2.5"),
        RefStatic::cis_aks("1.0.0", "3.2.5"),
        RefStatic::cis_k8s("1.12.0", "4.2.5"),
    ],
    profiles: &[CIS_AKS_1_8, CIS_AKS_1_7, CIS_AKS_1_0, CIS_K8S_1_12],
    kubeward_own: false,
    doc: CheckDoc {
        what: "streamingConnectionIdleTimeout / --streaming-connection-idle-timeout must not be 0 (default 4h).",
        why: "Streams (exec, attach, port-forward) that never time out pile up and can exhaust the node.",
        fix: KUBELET_SETTING_FIX,
        links: KUBELET_CONFIG_LINKS,
        bad: "kubelet --streaming-connection-idle-timeout=0",
        good: "kubelet --streaming-connection-idle-timeout=4h0m0s",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

pub fn judge(s: Option<&Setting>) -> Verdict {
    let exp = "a non-zero duration (default 4h0m0s)".to_string();
    match s.map(|s| (s, s.as_str().and_then(go_duration_is_zero))) {
        Some((s, Some(false))) => (
            Status::Pass,
            format!("idle streaming connections close after {}", s.display()),
            exp,
        ),
        Some((_, Some(true))) => (
            Status::Fail,
            "idle streaming connections never time out (0)".into(),
            exp,
        ),
        Some((s, None)) => unreadable("streamingConnectionIdleTimeout", s),
        None => (Status::Error, "streaming timeout unknown".into(), exp),
    }
}

fn eval(c: &Ctx) -> Finding {
    setting_finding(c, &META, "streamingConnectionIdleTimeout", judge)
}

/// Values beyond the examples (JSON, as the kubelet configuration holds them) and the verdict
/// each gets; `shared`'s tests run them through [`judge`].
#[cfg(test)]
pub(crate) const VECTORS: &[(&str, Status)] = &[
    (r#""4h0m0s""#, Status::Pass),
    (r#""0s""#, Status::Fail),
    (r#""0""#, Status::Fail),
];
