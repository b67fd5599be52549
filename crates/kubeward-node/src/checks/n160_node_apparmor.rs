//! kubeward's own: AppArmor (or an enforcing SELinux) confines the node's containers.

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Severity, Source, Status};

use super::shared::LSM_LINKS;
use super::{Check, Ctx};
use crate::lsm::APPARMOR_PROFILES;

pub static META: CheckMeta = CheckMeta {
    code: "N160",
    name: "node-apparmor",
    since: "0.1.0",
    aliases: &[],
    title: "A mandatory access control LSM (AppArmor) is active on the node",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Whether AppArmor is enabled (/sys/module/apparmor/parameters/enabled) and how many profiles are loaded in \
enforce and complain mode (/sys/kernel/security/apparmor/profiles). A node running SELinux instead is judged by N161.",
        why: "Without AppArmor, containerd applies no AppArmor profile to containers, and pods that ask for \
RuntimeDefault or Localhost AppArmor profiles are rejected by the kubelet.",
        fix: "Use an AKS node OS with AppArmor: Ubuntu node pools, or Azure Linux 3.0 with node image 20251107 or later \
(`az aks nodepool upgrade -g RG --cluster-name CLUSTER -n POOL --node-image-only`). Azure Linux / OS Guard pools use SELinux instead.",
        links: LSM_LINKS,
        bad: "/sys/module/apparmor/parameters/enabled: N\n/sys/kernel/security/lsm: lockdown,capability,landlock,yama",
        good: "/sys/module/apparmor/parameters/enabled: Y\n/sys/kernel/security/apparmor/profiles:\n    cri-containerd.apparmor.d (enforce)\n    /usr/sbin/chronyd (enforce)",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(c: &Ctx) -> Finding {
    let m = &META;
    let aa = &c.lsm.facts.apparmor;
    let enabled_ev =
        |v: &str| Evidence::observed(v.to_string(), Source::file(c.lsm.apparmor_source.clone()));
    match aa.enabled {
        Some(true) => {
            if let Some(e) = &c.lsm.apparmor_profiles_error {
                return c
                    .finding(
                        m,
                        Status::Error,
                        format!("AppArmor is enabled but its loaded profiles cannot be read: {e}"),
                    )
                    .with_evidence(enabled_ev("enabled"));
            }
            let enforce = aa.profiles.iter().filter(|p| p.mode == "enforce").count();
            let complain = aa.profiles.iter().filter(|p| p.mode == "complain").count();
            let counts = format!(
                "{enforce} enforce, {complain} complain, {} loaded",
                aa.profiles.len()
            );
            let (status, msg) = if enforce > 0 {
                (Status::Pass, format!("AppArmor is enabled: {counts}"))
            } else {
                (
                    Status::Warn,
                    format!("AppArmor is enabled but no profile is in enforce mode ({counts})"),
                )
            };
            c.finding(m, status, msg)
                .with_evidence(enabled_ev("enabled"))
                .with_evidence(Evidence::observed(counts, Source::file(APPARMOR_PROFILES)))
        }
        Some(false) => {
            if c.lsm.facts.selinux.mode.as_deref() == Some("enforcing") {
                c.finding(
                    m,
                    Status::NotApplicable,
                    "AppArmor is not enabled; the node enforces SELinux instead (see N161)",
                )
                .with_evidence(enabled_ev("disabled"))
            } else {
                c.finding(
                    m,
                    Status::Fail,
                    "neither AppArmor nor an enforcing SELinux protects containers on this node",
                )
                .with_evidence(enabled_ev("disabled"))
            }
        }
        None => c.finding(
            m,
            Status::Error,
            format!(
                "cannot tell whether AppArmor is enabled: {}",
                c.lsm.apparmor_source
            ),
        ),
    }
}
