//! CIS AKS 3.1.3: permissions of azure.json.

use kubeward_core::profile::{CIS_AKS_1_7, CIS_AKS_1_8};
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use super::shared::{MANAGED_FILE_FIX, Want, azure_json_location, file_finding};
use super::{Check, Ctx};

pub static META: CheckMeta = CheckMeta {
    code: "N103",
    name: "azure-json-permissions",
    since: "0.1.0",
    aliases: &[],
    title: "azure.json is 644 or stricter",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[
        RefStatic::cis_aks("1.8.0", "3.1.3"),
        RefStatic::cis_aks("1.7.0", "3.1.3"),
    ],
    profiles: &[CIS_AKS_1_8, CIS_AKS_1_7],
    kubeward_own: false,
    doc: CheckDoc {
        what: "Mode of /etc/kubernetes/azure.json, the cloud-provider configuration of an AKS node.",
        why: "azure.json names the subscription, resource group and identity and may hold a service principal \
secret; a writable copy lets a local user redirect cloud-provider calls.",
        fix: MANAGED_FILE_FIX,
        links: &[],
        bad: "-rw-rw-rw- root:root /etc/kubernetes/azure.json",
        good: "-rw------- root:root /etc/kubernetes/azure.json",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(c: &Ctx) -> Finding {
    file_finding(
        c,
        &META,
        Some(&azure_json_location()),
        Want::ModeAtMost(0o644),
        "azure.json",
    )
}
