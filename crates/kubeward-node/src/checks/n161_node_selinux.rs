//! kubeward's own: the node's SELinux mode (permissive only logs).

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Severity, Source, Status};

use super::shared::LSM_LINKS;
use super::{Check, Ctx};
use crate::lsm::SELINUX_ENFORCE;

pub static META: CheckMeta = CheckMeta {
    code: "N161",
    name: "node-selinux",
    since: "0.1.0",
    aliases: &[],
    title: "SELinux mode of the node",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "SELinux mode from /sys/fs/selinux/enforce (enforcing, permissive) or its absence (disabled).",
        why: "A permissive SELinux logs but blocks nothing, which looks protected without being so.",
        fix: "On AKS the SELinux mode belongs to the node image (Azure Linux with OS Guard runs it enforcing); pick the \
OS SKU at node pool creation (`az aks nodepool add --os-sku ...`) and keep node images current.",
        links: LSM_LINKS,
        bad: "/sys/kernel/security/lsm: lockdown,capability,yama,selinux,bpf\n/sys/fs/selinux/enforce: 0",
        good: "/sys/kernel/security/lsm: lockdown,capability,yama,selinux,bpf\n/sys/fs/selinux/enforce: 1",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(c: &Ctx) -> Finding {
    let m = &META;
    let ev =
        |v: &str| Evidence::observed(v.to_string(), Source::file(c.lsm.selinux_source.clone()));
    match c.lsm.facts.selinux.mode.as_deref() {
        Some("enforcing") => c
            .finding(m, Status::Pass, "SELinux is enforcing")
            .with_evidence(ev("enforcing")),
        Some("permissive") => c
            .finding(
                m,
                Status::Warn,
                "SELinux is permissive: denials are logged, nothing is blocked",
            )
            .with_evidence(ev("permissive")),
        Some("disabled") => c
            .finding(
                m,
                Status::Info,
                "SELinux is not active on this node (AppArmor hosts do not use it)",
            )
            .with_evidence(ev("disabled")),
        Some(other) => c.finding(
            m,
            Status::Error,
            format!("unexpected SELinux state {other:?} in {SELINUX_ENFORCE}"),
        ),
        None => c.finding(
            m,
            Status::NotApplicable,
            format!("SELinux state unknown: {}", c.lsm.selinux_source),
        ),
    }
}
