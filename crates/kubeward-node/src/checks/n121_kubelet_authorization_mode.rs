//! CIS AKS 3.2.2 / Kubernetes 4.2.2: the kubelet authorizes requests (not AlwaysAllow).

use kubeward_core::profile::{CIS_AKS_1_0, CIS_AKS_1_7, CIS_AKS_1_8, CIS_K8S_1_12};
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity, Status};

use super::shared::{KUBELET_CONFIG_LINKS, KUBELET_SETTING_FIX, Verdict, setting_finding};
use super::{Check, Ctx};
use crate::kubelet::Setting;

pub static META: CheckMeta = CheckMeta {
    code: "N121",
    name: "kubelet-authorization-mode",
    since: "0.1.0",
    aliases: &[],
    title: "The kubelet does not authorize every request (not AlwaysAllow)",
    area: Area::Node,
    severity: Severity::High,
    references: &[
        RefStatic::cis_aks("1.8.0", "3.2.2"),
        RefStatic::cis_aks("1.7.0", "3.2.2"),
        RefStatic::cis_aks("1.0.0", "3.2.2"),
        RefStatic::cis_k8s("1.12.0", "4.2.2"),
    ],
    profiles: &[CIS_AKS_1_8, CIS_AKS_1_7, CIS_AKS_1_0, CIS_K8S_1_12],
    kubeward_own: false,
    doc: CheckDoc {
        what: "authorization.mode / --authorization-mode must not be AlwaysAllow (Webhook expected). Default: Webhook with --config, AlwaysAllow without.",
        why: "With AlwaysAllow any authenticated (or anonymous) caller can run commands in every pod on the node.",
        fix: KUBELET_SETTING_FIX,
        links: KUBELET_CONFIG_LINKS,
        bad: "kubelet --anonymous-auth=false --authorization-mode=AlwaysAllow",
        good: "kubelet --anonymous-auth=false --authorization-mode=Webhook",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

pub fn judge(s: Option<&Setting>) -> Verdict {
    let exp = "Webhook (anything but AlwaysAllow)".to_string();
    match s.and_then(Setting::as_str) {
        Some(m) if m.split(',').any(|x| x.trim() == "AlwaysAllow") => (
            Status::Fail,
            format!("the kubelet authorizes every request (mode {m})"),
            exp,
        ),
        Some(m) if !m.trim().is_empty() => (
            Status::Pass,
            format!("the kubelet authorization mode is {m}"),
            exp,
        ),
        _ => (
            Status::Fail,
            "no kubelet authorization mode could be established".into(),
            exp,
        ),
    }
}

fn eval(c: &Ctx) -> Finding {
    setting_finding(c, &META, "authorization.mode", judge)
}

/// Values beyond the examples (JSON, as the kubelet configuration holds them) and the verdict
/// each gets; `shared`'s tests run them through [`judge`].
#[cfg(test)]
pub(crate) const VECTORS: &[(&str, Status)] = &[
    (r#""Webhook""#, Status::Pass),
    (r#""AlwaysAllow""#, Status::Fail),
    (r#""Node,AlwaysAllow""#, Status::Fail),
];
