//! CIS Kubernetes 4.1.2: owner of the kubelet systemd unit and its drop-ins.

use kubeward_core::profile::CIS_K8S_1_12;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use super::shared::{MANAGED_FILE_FIX, Want, files_finding, service_files};
use super::{Check, Ctx};

pub static META: CheckMeta = CheckMeta {
    code: "N108",
    name: "kubelet-service-file-ownership",
    since: "0.1.0",
    aliases: &[],
    title: "The kubelet service file and drop-ins are owned by root:root",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[RefStatic::cis_k8s("1.12.0", "4.1.2")],
    profiles: &[CIS_K8S_1_12],
    kubeward_own: false,
    doc: CheckDoc {
        what: "Owner of the kubelet systemd unit and its drop-ins.",
        why: "A non-root owner can rewrite the kubelet's command line.",
        fix: MANAGED_FILE_FIX,
        links: &[],
        bad: "-rw------- root:root /etc/systemd/system/kubelet.service\n-rw------- azureuser:azureuser /etc/systemd/system/kubelet.service.d/10-componentconfig.conf",
        good: "-rw------- root:root /etc/systemd/system/kubelet.service\n-rw------- root:root /etc/systemd/system/kubelet.service.d/10-componentconfig.conf",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(c: &Ctx) -> Finding {
    files_finding(
        c,
        &META,
        &service_files(c),
        Want::RootOwned,
        "kubelet service file",
    )
}
