//! Shared by the kube-proxy checks. kube-proxy usually runs as a pod, so its files are read
//! through its own root (`/proc/<pid>/root`), not the host's.

use kubeward_core::{CheckMeta, Finding, Source, Status};

use super::shared::{Want, file_finding_in};
use super::{Ctx, Located};
use crate::hostfs::{HostFs, MAX_CONFIG_BYTES};
use crate::kubelet::Process;

pub const PROXY_FIX: &str = "kube-proxy is deployed by the cluster (a DaemonSet and its ConfigMap). On AKS it is managed: \
upgrade the cluster or node image (`az aks upgrade`, `az aks nodepool upgrade --node-image-only`) rather than editing \
the pod; AKS can also run without kube-proxy (Azure CNI powered by Cilium). On self-managed clusters fix the \
kube-proxy DaemonSet's volume modes or its ConfigMap (metricsBindAddress: 127.0.0.1:10249).";

pub fn no_proxy(c: &Ctx, meta: &CheckMeta) -> Finding {
    c.finding(
        meta,
        Status::NotApplicable,
        "no kube-proxy process runs on this node (none, or replaced by the CNI)",
    )
}

pub fn proxy_fs(c: &Ctx, p: &Process) -> HostFs {
    c.fs.process_root(p.pid)
}

/// The mode or owner of kube-proxy's kubeconfig, read in kube-proxy's own root.
pub fn proxy_kubeconfig_finding(c: &Ctx, meta: &CheckMeta, want: Want) -> Finding {
    let Some(p) = c.proxy else {
        return no_proxy(c, meta);
    };
    let fs = proxy_fs(c, p);
    let kubeconfig = proxy_kubeconfig(&fs, p);
    file_finding_in(
        c,
        &fs,
        meta,
        kubeconfig.as_ref(),
        want,
        "kube-proxy kubeconfig",
    )
}

/// kube-proxy's kubeconfig: `--kubeconfig`, else `clientConnection.kubeconfig` of its `--config`.
pub fn proxy_kubeconfig(fs: &HostFs, p: &Process) -> Option<Located> {
    if let Some(v) = p.argv.value("kubeconfig").filter(|v| !v.is_empty()) {
        return Some(Located {
            path: v.to_string(),
            source: Source::flag("--kubeconfig", p.cmdline_path.clone()),
        });
    }
    let cfg = p.argv.value("config")?;
    let doc =
        crate::kubelet::parse_config_any(&fs.read_string(cfg, MAX_CONFIG_BYTES).ok()?).ok()?;
    let path = doc.get("clientConnection")?.get("kubeconfig")?.as_str()?;
    Some(Located {
        path: path.to_string(),
        source: Source::file(cfg).with_key("clientConnection.kubeconfig"),
    })
}
