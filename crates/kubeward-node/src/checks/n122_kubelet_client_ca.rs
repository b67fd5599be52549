//! CIS AKS 3.2.3 / Kubernetes 4.2.3: the kubelet authenticates clients with a client CA.

use kubeward_core::profile::{CIS_AKS_1_0, CIS_AKS_1_7, CIS_AKS_1_8, CIS_K8S_1_12};
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity, Status};

use super::shared::{KUBELET_CONFIG_LINKS, KUBELET_SETTING_FIX, Verdict, setting_finding};
use super::{Check, Ctx};
use crate::kubelet::Setting;

pub static META: CheckMeta = CheckMeta {
    code: "N122",
    name: "kubelet-client-ca",
    since: "0.1.0",
    aliases: &[],
    title: "The kubelet authenticates clients with a client CA",
    area: Area::Node,
    severity: Severity::High,
    references: &[
        RefStatic::cis_aks("1.8.0", "3.2.3"),
        RefStatic::cis_aks("1.7.0", "3.2.3"),
        RefStatic::cis_aks("1.0.0", "3.2.3"),
        RefStatic::cis_k8s("1.12.0", "4.2.3"),
    ],
    profiles: &[CIS_AKS_1_8, CIS_AKS_1_7, CIS_AKS_1_0, CIS_K8S_1_12],
    kubeward_own: false,
    doc: CheckDoc {
        what: "authentication.x509.clientCAFile / --client-ca-file must name a CA bundle.",
        why: "Without a client CA the kubelet cannot verify the API server's client certificate.",
        fix: KUBELET_SETTING_FIX,
        links: KUBELET_CONFIG_LINKS,
        bad: "kubelet --anonymous-auth=false --authorization-mode=Webhook",
        good: "kubelet --anonymous-auth=false --authorization-mode=Webhook --client-ca-file=/etc/kubernetes/certs/ca.crt",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

pub fn judge(s: Option<&Setting>) -> Verdict {
    let exp = "a CA bundle path".to_string();
    match s.and_then(Setting::as_str) {
        Some(p) if !p.is_empty() => (
            Status::Pass,
            format!("the kubelet authenticates clients with {p}"),
            exp,
        ),
        _ => (
            Status::Fail,
            "the kubelet has no client CA: x509 client authentication is off".into(),
            exp,
        ),
    }
}

fn eval(c: &Ctx) -> Finding {
    setting_finding(c, &META, "authentication.x509.clientCAFile", judge)
}

/// Values beyond the examples (JSON, as the kubelet configuration holds them) and the verdict
/// each gets; `shared`'s tests run them through [`judge`].
#[cfg(test)]
pub(crate) const VECTORS: &[(&str, Status)] = &[
    (r#""""#, Status::Fail),
    (r#""/etc/kubernetes/certs/ca.crt""#, Status::Pass),
];
