//! CIS AKS 1.0 3.2.8 / Kubernetes 4.2.7: the kubelet does not override the node's host name.

use kubeward_core::profile::{CIS_AKS_1_0, CIS_K8S_1_12};
use kubeward_core::{
    Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Severity, Source, Status,
};

use super::shared::{KUBELET_CONFIG_LINKS, KUBELET_SETTING_FIX};
use super::{Check, Ctx};

pub static META: CheckMeta = CheckMeta {
    code: "N127",
    name: "kubelet-hostname-override",
    since: "0.1.0",
    aliases: &[],
    title: "The kubelet does not override the node's host name",
    area: Area::Node,
    severity: Severity::Low,
    references: &[
        RefStatic::cis_aks("1.0.0", "3.2.8"),
        RefStatic::cis_k8s("1.12.0", "4.2.7"),
    ],
    profiles: &[CIS_AKS_1_0, CIS_K8S_1_12],
    kubeward_own: false,
    doc: CheckDoc {
        what: "--hostname-override should not be set (it has no configuration-file equivalent).",
        why: "An overridden host name can break TLS between the kubelet and the API server and confuse node identity.",
        fix: KUBELET_SETTING_FIX,
        links: KUBELET_CONFIG_LINKS,
        bad: "kubelet --hostname-override=aks-nodepool1-12345678-vmss000000 --kubeconfig=/var/lib/kubelet/kubeconfig",
        good: "kubelet --kubeconfig=/var/lib/kubelet/kubeconfig",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(c: &Ctx) -> Finding {
    let source = || Source::flag("--hostname-override", c.kubelet.cmdline_path.clone());
    match c.kubelet.argv.get("hostname-override") {
        Some(f) => {
            c.finding(
                &META,
                Status::Fail,
                format!("the kubelet overrides the host name with {:?}", f.value),
            )
            .with_evidence(Evidence::observed(f.value.clone(), source()).with_expected("(not set)"))
        }
        None => c
            .finding(&META, Status::Pass, "--hostname-override is not set")
            .with_evidence(Evidence::observed("(not set)", source()).with_expected("(not set)")),
    }
}
