//! CIS Kubernetes 4.3.1: kube-proxy serves its metrics on localhost only.

use kubeward_core::profile::CIS_K8S_1_12;
use kubeward_core::{
    Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Severity, Source, Status,
};

use super::kube_proxy::{PROXY_FIX, no_proxy, proxy_fs};
use super::{Check, Ctx};
use crate::hostfs::MAX_CONFIG_BYTES;

pub static META: CheckMeta = CheckMeta {
    code: "N135",
    name: "proxy-metrics-localhost",
    since: "0.1.0",
    aliases: &[],
    title: "kube-proxy serves metrics on localhost only",
    area: Area::Node,
    severity: Severity::Low,
    references: &[RefStatic::cis_k8s("1.12.0", "4.3.1")],
    profiles: &[CIS_K8S_1_12],
    kubeward_own: false,
    doc: CheckDoc {
        what: "kube-proxy --metrics-bind-address / metricsBindAddress (default 127.0.0.1:10249).",
        why: "Metrics on all interfaces expose cluster networking details to anything that can reach the node.",
        fix: PROXY_FIX,
        links: &[],
        bad: "kubelet --kubeconfig=/var/lib/kubelet/kubeconfig\nkube-proxy --metrics-bind-address=0.0.0.0:10249 --kubeconfig=/var/lib/kube-proxy/kubeconfig.conf",
        good: "kubelet --kubeconfig=/var/lib/kubelet/kubeconfig\nkube-proxy --metrics-bind-address=127.0.0.1:10249 --kubeconfig=/var/lib/kube-proxy/kubeconfig.conf",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(c: &Ctx) -> Finding {
    let m = &META;
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
