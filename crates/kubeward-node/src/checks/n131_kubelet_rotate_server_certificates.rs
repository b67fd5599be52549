//! CIS AKS 3.2.9 / Kubernetes 4.2.11: the kubelet rotates its serving certificate.

use kubeward_core::profile::{CIS_AKS_1_0, CIS_AKS_1_7, CIS_AKS_1_8, CIS_K8S_1_12};
use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Severity, Status};

use super::shared::KUBELET_CONFIG_LINKS;
use super::{Check, Ctx};
use crate::kubelet::Setting;

pub static META: CheckMeta = CheckMeta {
    code: "N131",
    name: "kubelet-rotate-server-certificates",
    since: "0.1.0",
    aliases: &[],
    title: "The kubelet rotates its serving certificate",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[
        RefStatic::cis_aks("1.8.0", "3.2.9"),
        RefStatic::cis_aks("1.7.0", "3.2.9"),
        RefStatic::cis_aks("1.0.0", "3.2.11"),
        RefStatic::cis_k8s("1.12.0", "4.2.11"),
    ],
    profiles: &[CIS_AKS_1_8, CIS_AKS_1_7, CIS_AKS_1_0, CIS_K8S_1_12],
    kubeward_own: false,
    doc: CheckDoc {
        what: "Serving-certificate rotation needs the RotateKubeletServerCertificate feature gate (on by default since 1.12) AND serverTLSBootstrap / --rotate-server-certificates true (default false). The gate alone rotates nothing.",
        why: "A static serving certificate is long-lived and often self-signed.",
        fix: "AKS enables kubelet serving-certificate rotation on current node images (serverTLSBootstrap). \
Upgrade the node image (`az aks nodepool upgrade -g RG --cluster-name CLUSTER -n POOL --node-image-only`) or the cluster \
(`az aks upgrade`); do not edit the kubelet files on the node. On self-managed clusters set serverTLSBootstrap: true in the \
KubeletConfiguration and approve the kubelet-serving CSRs (an approver such as kubelet-csr-approver).",
        links: KUBELET_CONFIG_LINKS,
        bad: "kubelet --rotate-certificates=true --rotate-server-certificates=false",
        good: "kubelet --rotate-certificates=true --rotate-server-certificates=true",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(c: &Ctx) -> Finding {
    let m = &META;
    let gate = match c
        .config
        .effective("featureGates.RotateKubeletServerCertificate")
    {
        Ok(g) => g,
        Err(e) => return c.finding(m, Status::Error, e.to_string()),
    };
    let boot = match c.config.effective("serverTLSBootstrap") {
        Ok(b) => b,
        Err(e) => return c.finding(m, Status::Error, e.to_string()),
    };
    let gate_on = gate.as_ref().and_then(Setting::as_bool).unwrap_or(true);
    let boot_on = boot.as_ref().and_then(Setting::as_bool).unwrap_or(false);
    let (status, msg) = match (gate_on, boot_on) {
        (true, true) => (
            Status::Pass,
            "the kubelet rotates its serving certificate (RotateKubeletServerCertificate on, serverTLSBootstrap true)",
        ),
        (false, _) => (
            Status::Fail,
            "the RotateKubeletServerCertificate feature gate is disabled",
        ),
        (true, false) => (
            Status::Fail,
            "serverTLSBootstrap is false: the feature gate is on but the serving certificate is never rotated",
        ),
    };
    let mut f = c.finding(m, status, msg);
    if let Some(g) = gate {
        let mut e = Evidence::observed(g.display(), g.origin.source()).with_expected("true");
        if g.origin.is_default() {
            e = e.with_note("the gate is not set: on by default since Kubernetes 1.12");
        }
        f = f.with_evidence(e);
    }
    if let Some(b) = boot {
        let mut e = Evidence::observed(b.display(), b.origin.source()).with_expected("true");
        if b.origin.is_default() {
            e = e.with_note(
                "serverTLSBootstrap / --rotate-server-certificates not set: kubelet default false",
            );
        }
        f = f.with_evidence(e);
    }
    f
}
