//! CIS AKS 3.2.7 / Kubernetes 4.2.8: the kubelet records events (eventRecordQPS 0 or a positive limit).

use kubeward_core::profile::{CIS_AKS_1_0, CIS_AKS_1_7, CIS_AKS_1_8, CIS_K8S_1_12};
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity, Status};

use super::shared::{
    KUBELET_CONFIG_LINKS, KUBELET_SETTING_FIX, Verdict, setting_finding, unreadable,
};
use super::{Check, Ctx};
use crate::kubelet::Setting;

pub static META: CheckMeta = CheckMeta {
    code: "N128",
    name: "kubelet-event-qps",
    since: "0.1.0",
    aliases: &[],
    title: "The kubelet captures events (eventRecordQPS 0 or a positive limit)",
    area: Area::Node,
    severity: Severity::Low,
    references: &[
        RefStatic::cis_aks("1.8.0", "3.2.7"),
        RefStatic::cis_aks("1.7.0", "3.2.7"),
        RefStatic::cis_aks("1.0.0", "3.2.9"),
        RefStatic::cis_k8s("1.12.0", "4.2.8"),
    ],
    profiles: &[CIS_AKS_1_8, CIS_AKS_1_7, CIS_AKS_1_0, CIS_K8S_1_12],
    kubeward_own: false,
    doc: CheckDoc {
        what: "eventRecordQPS / --event-qps: 0 means no limit (every event is recorded), a positive value is a rate limit (default 50 since Kubernetes 1.27, 5 before). Negative values are invalid.",
        why: "Events are the audit trail of what the kubelet did; a starved event rate loses it.",
        fix: KUBELET_SETTING_FIX,
        links: KUBELET_CONFIG_LINKS,
        bad: "kubelet --event-qps=-1",
        good: "kubelet --event-qps=50",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

pub fn judge(s: Option<&Setting>) -> Verdict {
    let exp = "0 (unlimited) or a positive limit".to_string();
    match s.map(|s| (s, s.as_i64())) {
        Some((_, Some(0))) => (
            Status::Pass,
            "the kubelet records every event (eventRecordQPS 0: no limit)".into(),
            exp,
        ),
        Some((_, Some(n))) if n > 0 => (
            Status::Pass,
            format!(
                "the kubelet records events at up to {n} per second (bursts above are dropped)"
            ),
            exp,
        ),
        Some((_, Some(n))) => (Status::Fail, format!("eventRecordQPS {n} is negative"), exp),
        Some((s, None)) => unreadable("eventRecordQPS", s),
        None => (Status::Error, "eventRecordQPS unknown".into(), exp),
    }
}

fn eval(c: &Ctx) -> Finding {
    setting_finding(c, &META, "eventRecordQPS", judge)
}

/// Values beyond the examples (JSON, as the kubelet configuration holds them) and the verdict
/// each gets; `shared`'s tests run them through [`judge`].
#[cfg(test)]
pub(crate) const VECTORS: &[(&str, Status)] = &[
    ("0", Status::Pass),
    ("50", Status::Pass),
    ("-1", Status::Fail),
];
