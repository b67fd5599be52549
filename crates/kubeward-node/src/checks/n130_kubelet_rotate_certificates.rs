//! CIS AKS 3.2.8 / Kubernetes 4.2.10: the kubelet rotates its client certificate.

use kubeward_core::profile::{CIS_AKS_1_0, CIS_AKS_1_7, CIS_AKS_1_8, CIS_K8S_1_12};
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use super::shared::{KUBELET_CONFIG_LINKS, KUBELET_SETTING_FIX, judge_bool, setting_finding};
use super::{Check, Ctx};

pub static META: CheckMeta = CheckMeta {
    code: "N130",
    name: "kubelet-rotate-certificates",
    since: "0.1.0",
    aliases: &[],
    title: "The kubelet rotates its client certificate",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[
        RefStatic::cis_aks("1.8.0", "3.2.8"),
        RefStatic::cis_aks("1.7.0", "3.2.8"),
        RefStatic::cis_aks("1.0.0", "3.2.10"),
        RefStatic::cis_k8s("1.12.0", "4.2.10"),
    ],
    profiles: &[CIS_AKS_1_8, CIS_AKS_1_7, CIS_AKS_1_0, CIS_K8S_1_12],
    kubeward_own: false,
    doc: CheckDoc {
        what: "rotateCertificates / --rotate-certificates must be true. The kubelet default is false.",
        why: "Without rotation the client certificate expires (node goes NotReady) or is replaced by hand, with long-lived credentials.",
        fix: KUBELET_SETTING_FIX,
        links: KUBELET_CONFIG_LINKS,
        bad: "kubelet --rotate-certificates=false",
        good: "kubelet --rotate-certificates=true",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(c: &Ctx) -> Finding {
    setting_finding(
        c,
        &META,
        "rotateCertificates",
        judge_bool(
            "rotateCertificates",
            true,
            "the kubelet rotates its client certificate",
            "the kubelet does not rotate its client certificate",
        ),
    )
}
