//! CIS Kubernetes kube-proxy checks (4.1.3, 4.1.4, 4.3.1). kube-proxy usually runs as a pod, so
//! its files are read through its own root (`/proc/<pid>/root`), not the host's.

use kubeward_core::profile::CIS_K8S_1_12;
use kubeward_core::{
    Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Severity, Source, Status,
};

use super::{Ctx, Located, NodeCheck, mode_finding_in, owner_finding_in};
use crate::hostfs::{HostFs, MAX_CONFIG_BYTES};
use crate::kubelet::Process;

const PROXY_FIX: &str = "kube-proxy is deployed by the cluster (a DaemonSet and its ConfigMap). On AKS it is managed: \
upgrade the cluster or node image (`az aks upgrade`, `az aks nodepool upgrade --node-image-only`) rather than editing \
the pod; AKS can also run without kube-proxy (Azure CNI powered by Cilium). On self-managed clusters fix the \
kube-proxy DaemonSet's volume modes or its ConfigMap (metricsBindAddress: 127.0.0.1:10249).";

pub static PROXY_KUBECONFIG_MODE: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "N109",
    name: "proxy-kubeconfig-permissions",
    title: "The kube-proxy kubeconfig is 600 or stricter",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[RefStatic::cis_k8s("1.12.0", "4.1.3")],
    profiles: &[CIS_K8S_1_12],
    kubeward_own: false,
    doc: CheckDoc {
        bad: "",
        good: "",
        what: "Mode of the file named by kube-proxy's --kubeconfig, read inside kube-proxy's own root filesystem.",
        why: "It holds kube-proxy's credentials, which can read every Service and Endpoint of the cluster.",
        fix: PROXY_FIX,
        links: &[],
    },
};

pub static PROXY_KUBECONFIG_OWNER: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "N110",
    name: "proxy-kubeconfig-ownership",
    title: "The kube-proxy kubeconfig is owned by root:root",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[RefStatic::cis_k8s("1.12.0", "4.1.4")],
    profiles: &[CIS_K8S_1_12],
    kubeward_own: false,
    doc: CheckDoc {
        bad: "",
        good: "",
        what: "Owner of kube-proxy's --kubeconfig file.",
        why: "A non-root owner can swap kube-proxy's credentials.",
        fix: PROXY_FIX,
        links: &[],
    },
};

pub static PROXY_METRICS_BIND: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "N135",
    name: "proxy-metrics-localhost",
    title: "kube-proxy serves metrics on localhost only",
    area: Area::Node,
    severity: Severity::Low,
    references: &[RefStatic::cis_k8s("1.12.0", "4.3.1")],
    profiles: &[CIS_K8S_1_12],
    kubeward_own: false,
    doc: CheckDoc {
        bad: "",
        good: "",
        what: "kube-proxy --metrics-bind-address / metricsBindAddress (default 127.0.0.1:10249).",
        why: "Metrics on all interfaces expose cluster networking details to anything that can reach the node.",
        fix: PROXY_FIX,
        links: &[],
    },
};

fn no_proxy(c: &Ctx, meta: &CheckMeta) -> Finding {
    c.finding(
        meta,
        Status::NotApplicable,
        "no kube-proxy process runs on this node (none, or replaced by the CNI)",
    )
}

fn proxy_fs(c: &Ctx, p: &Process) -> HostFs {
    c.fs.process_root(p.pid)
}

/// kube-proxy's kubeconfig: `--kubeconfig`, else `clientConnection.kubeconfig` of its `--config`.
fn proxy_kubeconfig(fs: &HostFs, p: &Process) -> Option<Located> {
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

fn mode(c: &Ctx) -> Finding {
    let Some(p) = c.proxy else {
        return no_proxy(c, &PROXY_KUBECONFIG_MODE);
    };
    let fs = proxy_fs(c, p);
    mode_finding_in(
        c,
        &fs,
        &PROXY_KUBECONFIG_MODE,
        proxy_kubeconfig(&fs, p).as_ref(),
        0o600,
        "kube-proxy kubeconfig",
    )
}

fn owner(c: &Ctx) -> Finding {
    let Some(p) = c.proxy else {
        return no_proxy(c, &PROXY_KUBECONFIG_OWNER);
    };
    let fs = proxy_fs(c, p);
    owner_finding_in(
        c,
        &fs,
        &PROXY_KUBECONFIG_OWNER,
        proxy_kubeconfig(&fs, p).as_ref(),
        "kube-proxy kubeconfig",
    )
}

fn metrics(c: &Ctx) -> Finding {
    let m = &PROXY_METRICS_BIND;
    let Some(p) = c.proxy else {
        return no_proxy(c, m);
    };
    let (value, source) = if let Some(f) = p.argv.get("metrics-bind-address") {
        (
            f.value.clone(),
            Source::flag("--metrics-bind-address", p.cmdline_path.clone()),
        )
    } else if let Some(cfg) = p.argv.value("config") {
        let fs = proxy_fs(c, p);
        match fs
            .read_string(cfg, MAX_CONFIG_BYTES)
            .map_err(|e| e.to_string())
            .and_then(|t| crate::kubelet::parse_config_any(&t).map_err(|e| format!("{cfg}: {e}")))
        {
            Ok(doc) => match doc.get("metricsBindAddress").and_then(|v| v.as_str()) {
                Some(v) => (
                    v.to_string(),
                    Source::file(cfg).with_key("metricsBindAddress"),
                ),
                None => (
                    "127.0.0.1:10249".into(),
                    Source::origin("kube-proxy default").with_key("metricsBindAddress"),
                ),
            },
            Err(e) => {
                return c.finding(
                    m,
                    Status::Error,
                    format!("cannot read kube-proxy's configuration: {e}"),
                );
            }
        }
    } else {
        (
            "127.0.0.1:10249".into(),
            Source::origin("kube-proxy default").with_key("metricsBindAddress"),
        )
    };
    let host = value
        .rsplit_once(':')
        .map_or(value.as_str(), |(h, _)| h)
        .trim_matches(['[', ']']);
    let local = matches!(host, "127.0.0.1" | "::1" | "localhost");
    let (status, msg) = if local {
        (
            Status::Pass,
            format!("kube-proxy metrics listen on {value} only"),
        )
    } else {
        (
            Status::Fail,
            format!("kube-proxy metrics listen on {value}, reachable from outside the node"),
        )
    };
    c.finding(m, status, msg)
        .with_evidence(Evidence::observed(value, source).with_expected("127.0.0.1:<port>"))
}

pub static CHECKS: [NodeCheck; 3] = [
    NodeCheck {
        meta: &PROXY_KUBECONFIG_MODE,
        eval: mode,
    },
    NodeCheck {
        meta: &PROXY_KUBECONFIG_OWNER,
        eval: owner,
    },
    NodeCheck {
        meta: &PROXY_METRICS_BIND,
        eval: metrics,
    },
];
