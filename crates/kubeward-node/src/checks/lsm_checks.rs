//! kubeward's own checks of the node's Linux security modules: AppArmor, SELinux, seccomp filter
//! support, the kubelet's seccompDefault and the Localhost seccomp profiles present.

use kubeward_core::profile::CIS_K8S_1_12;
use kubeward_core::{
    Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Severity, Source, Status,
};

use super::{Ctx, NodeCheck, setting_finding};
use crate::kubelet::Setting;
use crate::lsm::{APPARMOR_PROFILES, SELINUX_ENFORCE};

const LSM_LINKS: &[&str] = &[
    "https://kubernetes.io/docs/tutorials/security/apparmor/",
    "https://kubernetes.io/docs/tutorials/security/seccomp/",
];

pub static APPARMOR: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "N160",
    name: "node-apparmor",
    title: "A mandatory access control LSM (AppArmor) is active on the node",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        bad: "",
        good: "",
        what: "Whether AppArmor is enabled (/sys/module/apparmor/parameters/enabled) and how many profiles are loaded in \
enforce and complain mode (/sys/kernel/security/apparmor/profiles). A node running SELinux instead is judged by N161.",
        why: "Without AppArmor, containerd applies no AppArmor profile to containers, and pods that ask for \
RuntimeDefault or Localhost AppArmor profiles are rejected by the kubelet.",
        fix: "Use an AKS node OS with AppArmor: Ubuntu node pools, or Azure Linux 3.0 with node image 20251107 or later \
(`az aks nodepool upgrade -g RG --cluster-name CLUSTER -n POOL --node-image-only`). Azure Linux / OS Guard pools use SELinux instead.",
        links: LSM_LINKS,
    },
};

pub static SELINUX: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "N161",
    name: "node-selinux",
    title: "SELinux mode of the node",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        bad: "",
        good: "",
        what: "SELinux mode from /sys/fs/selinux/enforce (enforcing, permissive) or its absence (disabled).",
        why: "A permissive SELinux logs but blocks nothing, which looks protected without being so.",
        fix: "On AKS the SELinux mode belongs to the node image (Azure Linux with OS Guard runs it enforcing); pick the \
OS SKU at node pool creation (`az aks nodepool add --os-sku ...`) and keep node images current.",
        links: LSM_LINKS,
    },
};

pub static SECCOMP_SUPPORT: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "N162",
    name: "node-seccomp-filter",
    title: "The kernel supports seccomp filters",
    area: Area::Node,
    severity: Severity::High,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        bad: "",
        good: "",
        what: "The Seccomp: line of the kubelet's /proc/<pid>/status (or /proc/self/status), plus Seccomp_filters and \
/proc/sys/kernel/seccomp/actions_avail.",
        why: "Without seccomp filter support RuntimeDefault and Localhost seccomp profiles cannot be applied.",
        fix: "Every AKS node image supports seccomp filters; a node that does not is running an unsupported kernel. \
Upgrade the node image (`az aks nodepool upgrade --node-image-only`) or reimage the node.",
        links: LSM_LINKS,
    },
};

pub static SECCOMP_DEFAULT: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "N163",
    name: "kubelet-seccomp-default",
    title: "The kubelet applies RuntimeDefault seccomp to pods that set no profile",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[RefStatic::cis_k8s("1.12.0", "4.2.14")],
    profiles: &[CIS_K8S_1_12],
    kubeward_own: true,
    doc: CheckDoc {
        bad: "",
        good: "",
        what: "seccompDefault / --seccomp-default (default false: pods without a seccompProfile run Unconfined).",
        why: "Unconfined containers can call every syscall, including those behind most container escapes.",
        fix: "On AKS (preview): register the feature `az feature register --namespace Microsoft.ContainerService --name \
KubeletDefaultSeccompProfilePreview`, then create the node pool with a custom kubelet configuration \
`az aks nodepool add ... --kubelet-config kubelet.json` where kubelet.json holds {\"seccompDefault\": \"RuntimeDefault\"}. \
Test workloads first. On self-managed clusters set seccompDefault: true in the KubeletConfiguration.",
        links: &["https://learn.microsoft.com/azure/aks/secure-container-access"],
    },
};

pub static LOCALHOST_PROFILES: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "N164",
    name: "seccomp-localhost-profiles",
    title: "Localhost seccomp profiles present on the node are valid",
    area: Area::Node,
    severity: Severity::Low,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        bad: "",
        good: "",
        what: "Files under the kubelet's seccomp directory (<root-dir>/seccomp, AKS: /var/lib/kubelet/seccomp): the \
profiles pods can name with seccompProfile type Localhost. Each must be a JSON object with an SCMP_ACT_ defaultAction.",
        why: "A pod naming a missing or invalid Localhost profile fails to start; profiles must exist on every node \
(new, upgraded and autoscaled nodes start empty).",
        fix: "Install Localhost profiles on every node with a DaemonSet (or the Security Profiles Operator), not by hand: \
`kubeward profiles install` prints such manifests. Fix or remove invalid files.",
        links: LSM_LINKS,
    },
};

fn apparmor(c: &Ctx) -> Finding {
    let m = &APPARMOR;
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

fn selinux(c: &Ctx) -> Finding {
    let m = &SELINUX;
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

fn seccomp_support(c: &Ctx) -> Finding {
    let m = &SECCOMP_SUPPORT;
    let ev = Evidence::observed(c.lsm.seccomp_source.clone(), Source::origin("proc status"));
    match c.lsm.facts.seccomp.supported {
        Some(true) => c
            .finding(m, Status::Pass, "the kernel supports seccomp filters")
            .with_evidence(ev),
        Some(false) => c
            .finding(m, Status::Fail, "the kernel has no seccomp support")
            .with_evidence(ev),
        None => c.finding(
            m,
            Status::Error,
            format!(
                "cannot tell whether seccomp filters are supported: {}",
                c.lsm.seccomp_source
            ),
        ),
    }
}

pub fn judge_seccomp_default(s: Option<&Setting>) -> (Status, String, String) {
    match s.and_then(Setting::as_bool) {
        Some(true) => (
            Status::Pass,
            "pods without a seccomp profile get RuntimeDefault".into(),
            "true".into(),
        ),
        Some(false) | None => (
            Status::Fail,
            "pods without a seccomp profile run Unconfined (seccompDefault is false)".into(),
            "true".into(),
        ),
    }
}

fn localhost(c: &Ctx) -> Finding {
    let m = &LOCALHOST_PROFILES;
    let sc = &c.lsm.facts.seccomp;
    let root_source = if c.kubelet.argv.get("root-dir").is_some() {
        Source::flag("--root-dir", c.kubelet.cmdline_path.clone())
    } else {
        Source::origin("kubelet default --root-dir /var/lib/kubelet")
    };
    let root_ev = Evidence::observed(sc.profile_root.clone(), root_source)
        .with_note("seccomp profile directory: <kubelet root dir>/seccomp");
    if let Some(e) = &c.lsm.seccomp_root_error {
        return c
            .finding(
                m,
                Status::Error,
                format!("cannot list Localhost seccomp profiles: {e}"),
            )
            .with_evidence(root_ev);
    }
    if !c.lsm.invalid_seccomp_profiles.is_empty() {
        let mut f = c.finding(
            m,
            Status::Warn,
            format!(
                "{} of {} Localhost seccomp profiles are not usable",
                c.lsm.invalid_seccomp_profiles.len(),
                sc.localhost_profiles.len()
            ),
        );
        f = f.with_evidence(root_ev);
        for (p, why) in &c.lsm.invalid_seccomp_profiles {
            f = f.with_evidence(
                Evidence::observed(p.clone(), Source::file(format!("{}/{p}", sc.profile_root)))
                    .with_note(why.clone()),
            );
        }
        return f;
    }
    let msg = if sc.localhost_profiles.is_empty() {
        format!(
            "no Localhost seccomp profile is installed under {}",
            sc.profile_root
        )
    } else {
        format!(
            "{} Localhost seccomp profiles: {}",
            sc.localhost_profiles.len(),
            sc.localhost_profiles.join(", ")
        )
    };
    c.finding(m, Status::Info, msg).with_evidence(root_ev)
}

pub static CHECKS: [NodeCheck; 5] = [
    NodeCheck {
        meta: &APPARMOR,
        eval: apparmor,
    },
    NodeCheck {
        meta: &SELINUX,
        eval: selinux,
    },
    NodeCheck {
        meta: &SECCOMP_SUPPORT,
        eval: seccomp_support,
    },
    NodeCheck {
        meta: &SECCOMP_DEFAULT,
        eval: |c| setting_finding(c, &SECCOMP_DEFAULT, "seccompDefault", judge_seccomp_default),
    },
    NodeCheck {
        meta: &LOCALHOST_PROFILES,
        eval: localhost,
    },
];
