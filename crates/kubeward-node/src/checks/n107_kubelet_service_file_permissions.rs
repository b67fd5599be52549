//! CIS Kubernetes 4.1.1: permissions of the kubelet systemd unit and its drop-ins.

use kubeward_core::profile::CIS_K8S_1_12;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use super::shared::{MANAGED_FILE_FIX, Want, files_finding, service_files};
use super::{Check, Ctx};

pub static META: CheckMeta = CheckMeta {
    code: "N107",
    name: "kubelet-service-file-permissions",
    since: "0.1.0",
    aliases: &[],
    title: "The kubelet service file and drop-ins are 600 or stricter",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[RefStatic::cis_k8s("1.12.0", "4.1.1")],
    profiles: &[CIS_K8S_1_12],
    kubeward_own: false,
    doc: CheckDoc {
        what: "Mode of the kubelet systemd unit (kubelet.service) and every drop-in in kubelet.service.d.",
        why: "The unit decides the kubelet's command line; a writable unit lets a local user disable its security flags.",
        fix: MANAGED_FILE_FIX,
        links: &[],
        bad: "-rw-r--r-- root:root /etc/systemd/system/kubelet.service\n-rw------- root:root /etc/systemd/system/kubelet.service.d/10-componentconfig.conf",
        good: "-rw------- root:root /etc/systemd/system/kubelet.service\n-rw------- root:root /etc/systemd/system/kubelet.service.d/10-componentconfig.conf",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(c: &Ctx) -> Finding {
    files_finding(
        c,
        &META,
        &service_files(c),
        Want::ModeAtMost(0o600),
        "kubelet service file",
    )
}
