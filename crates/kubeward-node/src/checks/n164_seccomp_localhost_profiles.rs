//! kubeward's own: the Localhost seccomp profiles present on the node are valid.

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Severity, Source, Status};

use super::shared::LSM_LINKS;
use super::{Check, Ctx};

pub static META: CheckMeta = CheckMeta {
    code: "N164",
    name: "seccomp-localhost-profiles",
    since: "0.1.0",
    aliases: &[],
    title: "Localhost seccomp profiles present on the node are valid",
    area: Area::Node,
    severity: Severity::Low,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Files under the kubelet's seccomp directory (<root-dir>/seccomp, AKS: /var/lib/kubelet/seccomp): the \
profiles pods can name with seccompProfile type Localhost. Each must be a JSON object with an SCMP_ACT_ defaultAction.",
        why: "A pod naming a missing or invalid Localhost profile fails to start; profiles must exist on every node \
(new, upgraded and autoscaled nodes start empty).",
        fix: "Install Localhost profiles on every node with a DaemonSet (or the Security Profiles Operator), not by hand: \
`kubeward profiles install` prints such manifests. Fix or remove invalid files.",
        links: LSM_LINKS,
        bad: "/var/lib/kubelet/seccomp/profiles/audit.json:\n    {\"syscalls\": [{\"names\": [\"chmod\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
        good: "/var/lib/kubelet/seccomp/profiles/audit.json:\n    {\"defaultAction\": \"SCMP_ACT_LOG\", \"syscalls\": [{\"names\": [\"chmod\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(c: &Ctx) -> Finding {
    let m = &META;
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
