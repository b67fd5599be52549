//! CIS AKS 1.0 3.2.6: the kubelet protects kernel defaults.

use kubeward_core::profile::CIS_AKS_1_0;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use super::shared::{KUBELET_CONFIG_LINKS, KUBELET_SETTING_FIX, judge_bool, setting_finding};
use super::{Check, Ctx};

pub static META: CheckMeta = CheckMeta {
    code: "N125",
    name: "kubelet-protect-kernel-defaults",
    since: "0.1.0",
    aliases: &[],
    title: "The kubelet protects kernel defaults",
    area: Area::Node,
    severity: Severity::Low,
    references: &[RefStatic::cis_aks("1.0.0", "3.2.6")],
    profiles: &[CIS_AKS_1_0],
    kubeward_own: false,
    doc: CheckDoc {
        what: "protectKernelDefaults / --protect-kernel-defaults must be true (default false).",
        why: "Without it the kubelet silently changes kernel tunables that differ from what it expects.",
        fix: KUBELET_SETTING_FIX,
        links: KUBELET_CONFIG_LINKS,
        bad: "kubelet --protect-kernel-defaults=false",
        good: "kubelet --protect-kernel-defaults=true",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(c: &Ctx) -> Finding {
    setting_finding(
        c,
        &META,
        "protectKernelDefaults",
        judge_bool(
            "protectKernelDefaults",
            true,
            "the kubelet protects kernel defaults",
            "the kubelet may change kernel tunables (protectKernelDefaults false)",
        ),
    )
}
