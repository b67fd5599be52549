//! kubeward's own: the kernel supports seccomp filters.

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Severity, Source, Status};

use super::shared::LSM_LINKS;
use super::{Check, Ctx};

pub static META: CheckMeta = CheckMeta {
    code: "N162",
    name: "node-seccomp-filter",
    since: "0.1.0",
    aliases: &[],
    title: "The kernel supports seccomp filters",
    area: Area::Node,
    severity: Severity::High,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "The Seccomp: line of the kubelet's /proc/<pid>/status (or /proc/self/status), plus Seccomp_filters and \
/proc/sys/kernel/seccomp/actions_avail.",
        why: "Without seccomp filter support RuntimeDefault and Localhost seccomp profiles cannot be applied.",
        fix: "Every AKS node image supports seccomp filters; a node that does not is running an unsupported kernel. \
Upgrade the node image (`az aks nodepool upgrade --node-image-only`) or reimage the node.",
        links: LSM_LINKS,
        bad: "kubelet --kubeconfig=/var/lib/kubelet/kubeconfig\n/proc/2371/status:\n    Name:\tkubelet\n    Pid:\t2371\n    NoNewPrivs:\t0",
        good: "kubelet --kubeconfig=/var/lib/kubelet/kubeconfig\n/proc/2371/status:\n    Name:\tkubelet\n    Pid:\t2371\n    NoNewPrivs:\t0\n    Seccomp:\t0\n    Seccomp_filters:\t0",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(c: &Ctx) -> Finding {
    let m = &META;
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
