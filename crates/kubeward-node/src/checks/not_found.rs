//! The one finding of a scan that found no kubelet: not a wall of FAILs, one plain statement.
//!
//! Status: NOT_APPLICABLE when `/proc` was read and no kubelet runs (the node checks do not apply to
//! this machine); ERROR when `/proc` itself could not be read (the checks could not run). Either way
//! the CLI exits 2: no input could be read.

use kubeward_core::{Area, CheckDoc, CheckMeta, Severity};

pub static KUBELET_NOT_FOUND: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "K100",
    name: "kubelet-not-found",
    title: "A kubelet runs on the scanned host",
    area: Area::General,
    severity: Severity::Info,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        bad: "",
        good: "",
        what: "`kubeward node` looks for a running kubelet in /proc (its comm name and argv). Without one there is no \
node to assess: the scan reports this single finding and exits with code 2.",
        why: "Judging a machine that is not a Kubernetes node would produce a wall of meaningless FAILs.",
        fix: "Run kubeward on a node: on AKS as the Job in deploy/node-job.yaml (hostPID: true, the host's / mounted \
read-only at /host, `kubeward node --root /host --proc /host/proc`), or `kubectl debug node/NAME -it \
--image=IMAGE -- kubeward node --root /host`. When scanning a copied node root, pass its /proc with --proc.",
        links: &[],
    },
};
