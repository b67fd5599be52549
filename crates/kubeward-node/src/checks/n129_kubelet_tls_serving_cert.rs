//! CIS Kubernetes 4.2.9: the kubelet serves TLS with a configured or rotated certificate.

use kubeward_core::profile::CIS_K8S_1_12;
use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Severity, Status};

use super::shared::{KUBELET_CONFIG_LINKS, KUBELET_SETTING_FIX};
use super::{Check, Ctx};
use crate::kubelet::Setting;

pub static META: CheckMeta = CheckMeta {
    code: "N129",
    name: "kubelet-tls-serving-cert",
    since: "0.1.0",
    aliases: &[],
    title: "The kubelet serves TLS with a configured or rotated certificate",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[RefStatic::cis_k8s("1.12.0", "4.2.9")],
    profiles: &[CIS_K8S_1_12],
    kubeward_own: false,
    doc: CheckDoc {
        what: "tlsCertFile and tlsPrivateKeyFile (--tls-cert-file, --tls-private-key-file) are set, or serverTLSBootstrap is true (certificates from the cluster CA). Otherwise the kubelet serves a self-signed certificate.",
        why: "A self-signed serving certificate cannot be verified by the API server, so kubelet connections can be intercepted.",
        fix: KUBELET_SETTING_FIX,
        links: KUBELET_CONFIG_LINKS,
        bad: "kubelet --rotate-server-certificates=false",
        good: "kubelet --tls-cert-file=/etc/kubernetes/certs/kubeletserver.crt --tls-private-key-file=/etc/kubernetes/certs/kubeletserver.key",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(c: &Ctx) -> Finding {
    let m = &META;
    let get = |k: &str| c.config.effective(k);
    let (cert, key, boot) = match (
        get("tlsCertFile"),
        get("tlsPrivateKeyFile"),
        get("serverTLSBootstrap"),
    ) {
        (Ok(a), Ok(b), Ok(d)) => (a, b, d),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
            return c.finding(m, Status::Error, e.to_string());
        }
    };
    let set = |s: &Option<Setting>| {
        s.as_ref()
            .and_then(|s| s.as_str())
            .is_some_and(|v| !v.is_empty())
    };
    let bootstrap = boot.as_ref().and_then(Setting::as_bool) == Some(true);
    let mut f = if set(&cert) && set(&key) {
        c.finding(
            m,
            Status::Pass,
            "the kubelet serves TLS with a configured certificate and key",
        )
    } else if bootstrap {
        c.finding(
            m,
            Status::Pass,
            "the kubelet requests its serving certificate from the cluster (serverTLSBootstrap)",
        )
    } else {
        c.finding(m, Status::Fail, "no serving certificate is configured and serverTLSBootstrap is off: the kubelet serves a self-signed certificate")
    };
    for s in [cert, key, boot].into_iter().flatten() {
        f = f.with_evidence(Evidence::observed(s.display(), s.origin.source()));
    }
    f
}
