//! CIS AKS 3.1.4: owner of azure.json.

use kubeward_core::profile::{CIS_AKS_1_7, CIS_AKS_1_8};
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use super::shared::{MANAGED_FILE_FIX, Want, azure_json_location, file_finding};
use super::{Check, Ctx};

pub static META: CheckMeta = CheckMeta {
    code: "N104",
    name: "azure-json-ownership",
    since: "0.1.0",
    aliases: &[],
    title: "azure.json is owned by root:root",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[
        RefStatic::cis_aks("1.8.0", "3.1.4"),
        RefStatic::cis_aks("1.7.0", "3.1.4"),
    ],
    profiles: &[CIS_AKS_1_8, CIS_AKS_1_7],
    kubeward_own: false,
    doc: CheckDoc {
        what: "Owner of /etc/kubernetes/azure.json.",
        why: "A non-root owner can read or replace the node's cloud credentials.",
        fix: MANAGED_FILE_FIX,
        links: &[],
        bad: "-rw------- azureuser:azureuser /etc/kubernetes/azure.json",
        good: "-rw------- root:root /etc/kubernetes/azure.json",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(c: &Ctx) -> Finding {
    file_finding(
        c,
        &META,
        Some(&azure_json_location()),
        Want::RootOwned,
        "azure.json",
    )
}
