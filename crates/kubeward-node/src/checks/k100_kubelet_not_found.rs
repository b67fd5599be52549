//! The one finding of a scan that found no kubelet: not a wall of FAILs, one plain statement.
//!
//! Status: NOT_APPLICABLE when `/proc` was read and no kubelet runs (the node checks do not apply to
//! this machine); ERROR when `/proc` itself could not be read (the checks could not run). Either way
//! the CLI exits 2: no input could be read. There is no node context to judge here, so this check
//! is not in [`super::CHECKS`]: the scan states it through [`finding`] instead of running the list.

use kubeward_core::{
    Area, CheckDoc, CheckMeta, Evidence, Finding, Resource, Severity, Source, Status,
};

use crate::kubelet::Discovery;

pub static META: CheckMeta = CheckMeta {
    code: "K100",
    name: "kubelet-not-found",
    since: "0.1.0",
    aliases: &[],
    title: "A kubelet runs on the scanned host",
    area: Area::General,
    severity: Severity::Info,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "`kubeward node` looks for a running kubelet in /proc (its comm name and argv). Without one there is no \
node to assess: the scan reports this single finding and exits with code 2.",
        why: "Judging a machine that is not a Kubernetes node would produce a wall of meaningless FAILs.",
        fix: "Run kubeward on a node: on AKS as the Job in deploy/node-job.yaml (hostPID: true, the host's / mounted \
read-only at /host, `kubeward node --root /host --proc /host/proc`), or `kubectl debug node/NAME -it \
--image=IMAGE -- kubeward node --root /host`. When scanning a copied node root, pass its /proc with --proc.",
        links: &[],
        bad: "systemd\ncontainerd --config /etc/containerd/config.toml",
        good: "systemd\ncontainerd --config /etc/containerd/config.toml\nkubelet --kubeconfig=/var/lib/kubelet/kubeconfig",
    },
};

/// The finding for a host on which no kubelet was found (`node` names the host, `proc_shown` the
/// `/proc` that was searched).
pub fn finding(node: Resource, proc_shown: String, discovery: &Discovery) -> Finding {
    match discovery {
        Discovery::ProcUnreadable(e) => Finding::new(
            &META,
            Status::Error,
            node,
            format!("cannot look for a kubelet: {e} (is --proc right?)"),
        )
        .with_evidence(Evidence::observed("unreadable", Source::origin(proc_shown))),
        other => {
            let count = match other {
                Discovery::NotFound { processes } => *processes,
                _ => 0,
            };
            Finding::new(
                &META,
                Status::NotApplicable,
                node,
                format!(
                    "no kubelet is running here ({count} processes looked at): this is not a Kubernetes node, \
so the node checks do not apply"
                ),
            )
            .with_evidence(Evidence::observed(
                format!("{count} processes, none named kubelet"),
                Source::origin(proc_shown),
            ))
        }
    }
}
