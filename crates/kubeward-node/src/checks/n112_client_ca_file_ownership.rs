//! CIS Kubernetes 4.1.8: owner of the kubelet's client CA file.

use kubeward_core::profile::CIS_K8S_1_12;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use super::shared::{MANAGED_FILE_FIX, Want, client_ca, file_finding};
use super::{Check, Ctx};

pub static META: CheckMeta = CheckMeta {
    code: "N112",
    name: "client-ca-file-ownership",
    since: "0.1.0",
    aliases: &[],
    title: "The kubelet client CA file is owned by root:root",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[RefStatic::cis_k8s("1.12.0", "4.1.8")],
    profiles: &[CIS_K8S_1_12],
    kubeward_own: false,
    doc: CheckDoc {
        what: "Owner of the kubelet's client CA file.",
        why: "A non-root owner can replace the trust anchor of the kubelet API.",
        fix: MANAGED_FILE_FIX,
        links: &[],
        bad: "kubelet --client-ca-file=/etc/kubernetes/certs/ca.crt\n-rw-r--r-- azureuser:azureuser /etc/kubernetes/certs/ca.crt",
        good: "kubelet --client-ca-file=/etc/kubernetes/certs/ca.crt\n-rw-r--r-- root:root /etc/kubernetes/certs/ca.crt",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(c: &Ctx) -> Finding {
    file_finding(
        c,
        &META,
        client_ca(c).as_ref(),
        Want::RootOwned,
        "client CA file",
    )
}
