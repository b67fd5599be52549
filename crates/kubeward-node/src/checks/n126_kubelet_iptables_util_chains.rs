//! CIS AKS 3.2.6 / Kubernetes 4.2.6: the kubelet manages its iptables utility chains.

use kubeward_core::profile::{CIS_AKS_1_0, CIS_AKS_1_7, CIS_AKS_1_8, CIS_K8S_1_12};
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use super::shared::{KUBELET_CONFIG_LINKS, KUBELET_SETTING_FIX, judge_bool, setting_finding};
use super::{Check, Ctx};

pub static META: CheckMeta = CheckMeta {
    code: "N126",
    name: "kubelet-iptables-util-chains",
    since: "0.1.0",
    aliases: &[],
    title: "The kubelet manages its iptables utility chains",
    area: Area::Node,
    severity: Severity::Low,
    references: &[
        RefStatic::cis_aks("1.8.0", "3.2.6"),
        RefStatic::cis_aks("1.7.0", "3.2.6"),
        RefStatic::cis_aks("1.0.0", "3.2.7"),
        RefStatic::cis_k8s("1.12.0", "4.2.6"),
    ],
    profiles: &[CIS_AKS_1_8, CIS_AKS_1_7, CIS_AKS_1_0, CIS_K8S_1_12],
    kubeward_own: false,
    doc: CheckDoc {
        what: "makeIPTablesUtilChains / --make-iptables-util-chains must be true (default true).",
        why: "Letting the kubelet own its iptables chains keeps pod networking rules consistent with its configuration.",
        fix: KUBELET_SETTING_FIX,
        links: KUBELET_CONFIG_LINKS,
        bad: "kubelet --make-iptables-util-chains=false",
        good: "kubelet --make-iptables-util-chains=true",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(c: &Ctx) -> Finding {
    setting_finding(
        c,
        &META,
        "makeIPTablesUtilChains",
        judge_bool(
            "makeIPTablesUtilChains",
            true,
            "the kubelet manages its iptables utility chains",
            "the kubelet does not manage its iptables utility chains",
        ),
    )
}
