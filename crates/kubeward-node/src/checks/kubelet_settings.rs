//! CIS kubelet settings (AKS 3.2.x, Kubernetes 4.2.x), judged on the kubelet's effective
//! configuration: flag > drop-in > `--config` file > kubelet default. An absent setting is judged by
//! the default the kubelet really applies, and the evidence says so.

use kubeward_core::profile::{CIS_AKS_1_0, CIS_AKS_1_7, CIS_AKS_1_8, CIS_K8S_1_12};
use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Severity, Status};

use super::{Ctx, NodeCheck, setting_finding};
use crate::kubelet::{Setting, go_duration_is_zero};

const ALL: &[&str] = &[CIS_AKS_1_8, CIS_AKS_1_7, CIS_AKS_1_0, CIS_K8S_1_12];
const AKS_MANAGED: &str = "This kubelet setting is managed by AKS and cannot be changed with custom node configuration. \
Every supported AKS node image sets it to the compliant value: upgrade the node image \
(`az aks nodepool upgrade -g RG --cluster-name CLUSTER -n POOL --node-image-only`) or the cluster version \
(`az aks upgrade`), and open a support case if a current image still reports it. Do not edit kubelet files on the \
node: AKS reconciles them and a reimage reverts them. On self-managed clusters set it in the KubeletConfiguration \
file passed with --config (kubeadm: the kubelet-config ConfigMap) and restart the kubelet.";

macro_rules! meta {
    ($id:ident, $code:literal, $name:literal, $title:literal, $sev:expr, [$($r:expr),*], $profiles:expr, $what:literal, $why:literal, $fix:expr) => {
        pub static $id: CheckMeta = CheckMeta {
            code: $code,
            name: $name,
            title: $title,
            area: Area::Node,
            severity: $sev,
            references: &[$($r),*],
            profiles: $profiles,
            kubeward_own: false,
            since: "0.1.0",
            aliases: &[],
            doc: CheckDoc { bad: "", good: "", what: $what, why: $why, fix: $fix, links: &["https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/"] },
        };
    };
}

meta!(
    ANONYMOUS_AUTH,
    "N120",
    "kubelet-anonymous-auth",
    "The kubelet rejects anonymous requests",
    Severity::High,
    [
        RefStatic::cis_aks("1.8.0", "3.2.1"),
        RefStatic::cis_aks("1.7.0", "3.2.1"),
        RefStatic::cis_aks("1.0.0", "3.2.1"),
        RefStatic::cis_k8s("1.12.0", "4.2.1")
    ],
    ALL,
    "authentication.anonymous.enabled / --anonymous-auth must be false. Default: false with --config, true without.",
    "Anonymous requests to the kubelet API (port 10250) reach pod logs, exec and node data when authorization allows them.",
    AKS_MANAGED
);
meta!(
    AUTHORIZATION_MODE,
    "N121",
    "kubelet-authorization-mode",
    "The kubelet does not authorize every request (not AlwaysAllow)",
    Severity::High,
    [
        RefStatic::cis_aks("1.8.0", "3.2.2"),
        RefStatic::cis_aks("1.7.0", "3.2.2"),
        RefStatic::cis_aks("1.0.0", "3.2.2"),
        RefStatic::cis_k8s("1.12.0", "4.2.2")
    ],
    ALL,
    "authorization.mode / --authorization-mode must not be AlwaysAllow (Webhook expected). Default: Webhook with --config, AlwaysAllow without.",
    "With AlwaysAllow any authenticated (or anonymous) caller can run commands in every pod on the node.",
    AKS_MANAGED
);
meta!(
    CLIENT_CA,
    "N122",
    "kubelet-client-ca",
    "The kubelet authenticates clients with a client CA",
    Severity::High,
    [
        RefStatic::cis_aks("1.8.0", "3.2.3"),
        RefStatic::cis_aks("1.7.0", "3.2.3"),
        RefStatic::cis_aks("1.0.0", "3.2.3"),
        RefStatic::cis_k8s("1.12.0", "4.2.3")
    ],
    ALL,
    "authentication.x509.clientCAFile / --client-ca-file must name a CA bundle.",
    "Without a client CA the kubelet cannot verify the API server's client certificate.",
    AKS_MANAGED
);
meta!(
    READ_ONLY_PORT,
    "N123",
    "kubelet-read-only-port",
    "The kubelet read-only port is disabled",
    Severity::Medium,
    [
        RefStatic::cis_aks("1.8.0", "3.2.4"),
        RefStatic::cis_aks("1.7.0", "3.2.4"),
        RefStatic::cis_aks("1.0.0", "3.2.4"),
        RefStatic::cis_k8s("1.12.0", "4.2.4")
    ],
    ALL,
    "readOnlyPort / --read-only-port must be 0. Default: 0 with --config, 10255 without.",
    "The read-only port serves pod specs and node metrics with no authentication at all.",
    AKS_MANAGED
);
meta!(
    STREAMING_TIMEOUT,
    "N124",
    "kubelet-streaming-idle-timeout",
    "Idle streaming connections time out",
    Severity::Low,
    [
        RefStatic::cis_aks("1.8.0", "3.2.5"),
        RefStatic::cis_aks("1.7.0", "3.2.5"),
        RefStatic::cis_aks("1.0.0", "3.2.5"),
        RefStatic::cis_k8s("1.12.0", "4.2.5")
    ],
    ALL,
    "streamingConnectionIdleTimeout / --streaming-connection-idle-timeout must not be 0 (default 4h).",
    "Streams (exec, attach, port-forward) that never time out pile up and can exhaust the node.",
    AKS_MANAGED
);
meta!(
    PROTECT_KERNEL_DEFAULTS,
    "N125",
    "kubelet-protect-kernel-defaults",
    "The kubelet protects kernel defaults",
    Severity::Low,
    [RefStatic::cis_aks("1.0.0", "3.2.6")],
    &[CIS_AKS_1_0],
    "protectKernelDefaults / --protect-kernel-defaults must be true (default false).",
    "Without it the kubelet silently changes kernel tunables that differ from what it expects.",
    AKS_MANAGED
);
meta!(
    IPTABLES_CHAINS,
    "N126",
    "kubelet-iptables-util-chains",
    "The kubelet manages its iptables utility chains",
    Severity::Low,
    [
        RefStatic::cis_aks("1.8.0", "3.2.6"),
        RefStatic::cis_aks("1.7.0", "3.2.6"),
        RefStatic::cis_aks("1.0.0", "3.2.7"),
        RefStatic::cis_k8s("1.12.0", "4.2.6")
    ],
    ALL,
    "makeIPTablesUtilChains / --make-iptables-util-chains must be true (default true).",
    "Letting the kubelet own its iptables chains keeps pod networking rules consistent with its configuration.",
    AKS_MANAGED
);
meta!(
    HOSTNAME_OVERRIDE,
    "N127",
    "kubelet-hostname-override",
    "The kubelet does not override the node's host name",
    Severity::Low,
    [
        RefStatic::cis_aks("1.0.0", "3.2.8"),
        RefStatic::cis_k8s("1.12.0", "4.2.7")
    ],
    &[CIS_AKS_1_0, CIS_K8S_1_12],
    "--hostname-override should not be set (it has no configuration-file equivalent).",
    "An overridden host name can break TLS between the kubelet and the API server and confuse node identity.",
    AKS_MANAGED
);
meta!(
    EVENT_QPS,
    "N128",
    "kubelet-event-qps",
    "The kubelet captures events (eventRecordQPS 0 or a positive limit)",
    Severity::Low,
    [
        RefStatic::cis_aks("1.8.0", "3.2.7"),
        RefStatic::cis_aks("1.7.0", "3.2.7"),
        RefStatic::cis_aks("1.0.0", "3.2.9"),
        RefStatic::cis_k8s("1.12.0", "4.2.8")
    ],
    ALL,
    "eventRecordQPS / --event-qps: 0 means no limit (every event is recorded), a positive value is a rate limit (default 50 since Kubernetes 1.27, 5 before). Negative values are invalid.",
    "Events are the audit trail of what the kubelet did; a starved event rate loses it.",
    AKS_MANAGED
);
meta!(
    TLS_SERVING_CERT,
    "N129",
    "kubelet-tls-serving-cert",
    "The kubelet serves TLS with a configured or rotated certificate",
    Severity::Medium,
    [RefStatic::cis_k8s("1.12.0", "4.2.9")],
    &[CIS_K8S_1_12],
    "tlsCertFile and tlsPrivateKeyFile (--tls-cert-file, --tls-private-key-file) are set, or serverTLSBootstrap is true (certificates from the cluster CA). Otherwise the kubelet serves a self-signed certificate.",
    "A self-signed serving certificate cannot be verified by the API server, so kubelet connections can be intercepted.",
    AKS_MANAGED
);
meta!(
    ROTATE_CERTIFICATES,
    "N130",
    "kubelet-rotate-certificates",
    "The kubelet rotates its client certificate",
    Severity::Medium,
    [
        RefStatic::cis_aks("1.8.0", "3.2.8"),
        RefStatic::cis_aks("1.7.0", "3.2.8"),
        RefStatic::cis_aks("1.0.0", "3.2.10"),
        RefStatic::cis_k8s("1.12.0", "4.2.10")
    ],
    ALL,
    "rotateCertificates / --rotate-certificates must be true. The kubelet default is false.",
    "Without rotation the client certificate expires (node goes NotReady) or is replaced by hand, with long-lived credentials.",
    AKS_MANAGED
);
meta!(
    ROTATE_SERVER_CERTS,
    "N131",
    "kubelet-rotate-server-certificates",
    "The kubelet rotates its serving certificate",
    Severity::Medium,
    [
        RefStatic::cis_aks("1.8.0", "3.2.9"),
        RefStatic::cis_aks("1.7.0", "3.2.9"),
        RefStatic::cis_aks("1.0.0", "3.2.11"),
        RefStatic::cis_k8s("1.12.0", "4.2.11")
    ],
    ALL,
    "Serving-certificate rotation needs the RotateKubeletServerCertificate feature gate (on by default since 1.12) AND serverTLSBootstrap / --rotate-server-certificates true (default false). The gate alone rotates nothing.",
    "A static serving certificate is long-lived and often self-signed.",
    "AKS enables kubelet serving-certificate rotation on current node images (serverTLSBootstrap). \
Upgrade the node image (`az aks nodepool upgrade -g RG --cluster-name CLUSTER -n POOL --node-image-only`) or the cluster \
(`az aks upgrade`); do not edit the kubelet files on the node. On self-managed clusters set serverTLSBootstrap: true in the \
KubeletConfiguration and approve the kubelet-serving CSRs (an approver such as kubelet-csr-approver)."
);
meta!(
    CIPHER_SUITES,
    "N132",
    "kubelet-tls-cipher-suites",
    "The kubelet uses only strong TLS cipher suites",
    Severity::Low,
    [RefStatic::cis_k8s("1.12.0", "4.2.12")],
    &[CIS_K8S_1_12],
    "tlsCipherSuites / --tls-cipher-suites must list only ECDHE AES-GCM or CHACHA20-POLY1305 suites.",
    "Weak suites allow downgrade and decryption of kubelet traffic.",
    AKS_MANAGED
);
meta!(
    POD_PIDS_LIMIT,
    "N133",
    "kubelet-pod-pids-limit",
    "The kubelet limits the number of processes per pod",
    Severity::Low,
    [RefStatic::cis_k8s("1.12.0", "4.2.13")],
    &[CIS_K8S_1_12],
    "podPidsLimit / --pod-max-pids must be a positive number (default -1: unlimited).",
    "A fork bomb in one pod can exhaust the node's PIDs and take every pod down.",
    "On AKS: create or update the node pool with a custom kubelet configuration, e.g. `az aks nodepool add ... --kubelet-config kubelet.json` \
where kubelet.json holds {\"podMaxPids\": 4096}. On self-managed clusters set podPidsLimit in the KubeletConfiguration."
);

/// The strong suites CIS Kubernetes 4.2.12 lists.
const STRONG_SUITES: &[&str] = &[
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
];

type Verdict = (Status, String, String);

fn unreadable(key: &str, s: &Setting) -> Verdict {
    (
        Status::Error,
        format!(
            "{key} has a value the kubelet would not accept: {}",
            s.display()
        ),
        "a valid value".into(),
    )
}

pub fn judge_anonymous(s: Option<&Setting>) -> Verdict {
    let exp = "false".to_string();
    match s.map(|s| (s, s.as_bool())) {
        Some((_, Some(false))) => (
            Status::Pass,
            "anonymous requests to the kubelet are rejected".into(),
            exp,
        ),
        Some((_, Some(true))) => (
            Status::Fail,
            "the kubelet accepts anonymous requests".into(),
            exp,
        ),
        Some((s, None)) => unreadable("authentication.anonymous.enabled", s),
        None => (
            Status::Error,
            "anonymous authentication setting unknown".into(),
            exp,
        ),
    }
}

pub fn judge_authz(s: Option<&Setting>) -> Verdict {
    let exp = "Webhook (anything but AlwaysAllow)".to_string();
    match s.and_then(Setting::as_str) {
        Some(m) if m.split(',').any(|x| x.trim() == "AlwaysAllow") => (
            Status::Fail,
            format!("the kubelet authorizes every request (mode {m})"),
            exp,
        ),
        Some(m) if !m.trim().is_empty() => (
            Status::Pass,
            format!("the kubelet authorization mode is {m}"),
            exp,
        ),
        _ => (
            Status::Fail,
            "no kubelet authorization mode could be established".into(),
            exp,
        ),
    }
}

pub fn judge_client_ca(s: Option<&Setting>) -> Verdict {
    let exp = "a CA bundle path".to_string();
    match s.and_then(Setting::as_str) {
        Some(p) if !p.is_empty() => (
            Status::Pass,
            format!("the kubelet authenticates clients with {p}"),
            exp,
        ),
        _ => (
            Status::Fail,
            "the kubelet has no client CA: x509 client authentication is off".into(),
            exp,
        ),
    }
}

pub fn judge_read_only_port(s: Option<&Setting>) -> Verdict {
    let exp = "0".to_string();
    match s.map(|s| (s, s.as_i64())) {
        Some((_, Some(0))) => (
            Status::Pass,
            "the kubelet read-only port is disabled".into(),
            exp,
        ),
        Some((_, Some(p))) => (
            Status::Fail,
            format!("the kubelet serves an unauthenticated read-only port on {p}"),
            exp,
        ),
        Some((s, None)) => unreadable("readOnlyPort", s),
        None => (Status::Error, "read-only port unknown".into(), exp),
    }
}

pub fn judge_streaming(s: Option<&Setting>) -> Verdict {
    let exp = "a non-zero duration (default 4h0m0s)".to_string();
    match s.map(|s| (s, s.as_str().and_then(go_duration_is_zero))) {
        Some((s, Some(false))) => (
            Status::Pass,
            format!("idle streaming connections close after {}", s.display()),
            exp,
        ),
        Some((_, Some(true))) => (
            Status::Fail,
            "idle streaming connections never time out (0)".into(),
            exp,
        ),
        Some((s, None)) => unreadable("streamingConnectionIdleTimeout", s),
        None => (Status::Error, "streaming timeout unknown".into(), exp),
    }
}

fn judge_bool(
    key: &'static str,
    want: bool,
    good: &'static str,
    bad: &'static str,
) -> impl Fn(Option<&Setting>) -> Verdict {
    move |s| {
        let exp = want.to_string();
        match s.map(|s| (s, s.as_bool())) {
            Some((_, Some(v))) if v == want => (Status::Pass, good.into(), exp),
            Some((_, Some(_))) => (Status::Fail, bad.into(), exp),
            Some((s, None)) => unreadable(key, s),
            None => (Status::Error, format!("{key} unknown"), exp),
        }
    }
}

pub fn judge_event_qps(s: Option<&Setting>) -> Verdict {
    let exp = "0 (unlimited) or a positive limit".to_string();
    match s.map(|s| (s, s.as_i64())) {
        Some((_, Some(0))) => (
            Status::Pass,
            "the kubelet records every event (eventRecordQPS 0: no limit)".into(),
            exp,
        ),
        Some((_, Some(n))) if n > 0 => (
            Status::Pass,
            format!(
                "the kubelet records events at up to {n} per second (bursts above are dropped)"
            ),
            exp,
        ),
        Some((_, Some(n))) => (Status::Fail, format!("eventRecordQPS {n} is negative"), exp),
        Some((s, None)) => unreadable("eventRecordQPS", s),
        None => (Status::Error, "eventRecordQPS unknown".into(), exp),
    }
}

fn hostname_override(c: &Ctx) -> Finding {
    let m = &HOSTNAME_OVERRIDE;
    match c.kubelet.argv.get("hostname-override") {
        Some(f) => c
            .finding(
                m,
                Status::Fail,
                format!("the kubelet overrides the host name with {:?}", f.value),
            )
            .with_evidence(
                Evidence::observed(
                    f.value.clone(),
                    kubeward_core::Source::flag(
                        "--hostname-override",
                        c.kubelet.cmdline_path.clone(),
                    ),
                )
                .with_expected("(not set)"),
            ),
        None => c
            .finding(m, Status::Pass, "--hostname-override is not set")
            .with_evidence(
                Evidence::observed(
                    "(not set)",
                    kubeward_core::Source::flag(
                        "--hostname-override",
                        c.kubelet.cmdline_path.clone(),
                    ),
                )
                .with_expected("(not set)"),
            ),
    }
}

fn tls_serving(c: &Ctx) -> Finding {
    let m = &TLS_SERVING_CERT;
    let get = |k: &str| c.config.effective(k);
    let (cert, key, boot) = match (
        get("tlsCertFile"),
        get("tlsPrivateKeyFile"),
        get("serverTLSBootstrap"),
    ) {
        (Ok(a), Ok(b), Ok(d)) => (a, b, d),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return c.finding(m, Status::Error, e),
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

fn rotate_server(c: &Ctx) -> Finding {
    let m = &ROTATE_SERVER_CERTS;
    let gate = match c
        .config
        .effective("featureGates.RotateKubeletServerCertificate")
    {
        Ok(g) => g,
        Err(e) => return c.finding(m, Status::Error, e),
    };
    let boot = match c.config.effective("serverTLSBootstrap") {
        Ok(b) => b,
        Err(e) => return c.finding(m, Status::Error, e),
    };
    let gate_on = gate.as_ref().and_then(Setting::as_bool).unwrap_or(true);
    let boot_on = boot.as_ref().and_then(Setting::as_bool).unwrap_or(false);
    let (status, msg) = match (gate_on, boot_on) {
        (true, true) => (
            Status::Pass,
            "the kubelet rotates its serving certificate (RotateKubeletServerCertificate on, serverTLSBootstrap true)",
        ),
        (false, _) => (
            Status::Fail,
            "the RotateKubeletServerCertificate feature gate is disabled",
        ),
        (true, false) => (
            Status::Fail,
            "serverTLSBootstrap is false: the feature gate is on but the serving certificate is never rotated",
        ),
    };
    let mut f = c.finding(m, status, msg);
    if let Some(g) = gate {
        let mut e = Evidence::observed(g.display(), g.origin.source()).with_expected("true");
        if g.origin.is_default() {
            e = e.with_note("the gate is not set: on by default since Kubernetes 1.12");
        }
        f = f.with_evidence(e);
    }
    if let Some(b) = boot {
        let mut e = Evidence::observed(b.display(), b.origin.source()).with_expected("true");
        if b.origin.is_default() {
            e = e.with_note(
                "serverTLSBootstrap / --rotate-server-certificates not set: kubelet default false",
            );
        }
        f = f.with_evidence(e);
    }
    f
}

pub fn judge_ciphers(s: Option<&Setting>) -> Verdict {
    let exp = "only ECDHE AES-GCM / CHACHA20-POLY1305 suites".to_string();
    let list: Vec<String> = match s.map(|s| &s.value) {
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(serde_json::Value::String(x)) => x
            .split(',')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect(),
        _ => Vec::new(),
    };
    if list.is_empty() {
        return (
            Status::Fail,
            "no cipher suite list is set: Go's defaults apply, which CIS does not accept as restricted".into(),
            exp,
        );
    }
    let weak: Vec<&String> = list
        .iter()
        .filter(|x| !STRONG_SUITES.contains(&x.as_str()))
        .collect();
    if weak.is_empty() {
        (
            Status::Pass,
            format!(
                "the kubelet allows {} strong cipher suites only",
                list.len()
            ),
            exp,
        )
    } else {
        (
            Status::Fail,
            format!(
                "weak cipher suites allowed: {}",
                weak.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            exp,
        )
    }
}

pub fn judge_pids(s: Option<&Setting>) -> Verdict {
    let exp = "a positive number".to_string();
    match s.map(|s| (s, s.as_i64())) {
        Some((_, Some(n))) if n > 0 => (
            Status::Pass,
            format!("pods are limited to {n} processes"),
            exp,
        ),
        Some((_, Some(n))) => (
            Status::Fail,
            format!("pods have no process limit (podPidsLimit {n})"),
            exp,
        ),
        Some((s, None)) => unreadable("podPidsLimit", s),
        None => (Status::Fail, "pods have no process limit".into(), exp),
    }
}

/// A check judged on one kubelet setting: the check's META, the setting's key, and its judge; the
/// `bool` form judges a boolean setting that must equal `want`.
macro_rules! setting_check {
    ($meta:ident, $key:literal, $judge:expr) => {
        NodeCheck {
            meta: &$meta,
            eval: |c| setting_finding(c, &$meta, $key, $judge),
        }
    };
    ($meta:ident, bool $key:literal, $want:literal, $good:literal, $bad:literal) => {
        setting_check!($meta, $key, judge_bool($key, $want, $good, $bad))
    };
}

pub static CHECKS: [NodeCheck; 14] = [
    setting_check!(
        ANONYMOUS_AUTH,
        "authentication.anonymous.enabled",
        judge_anonymous
    ),
    setting_check!(AUTHORIZATION_MODE, "authorization.mode", judge_authz),
    setting_check!(
        CLIENT_CA,
        "authentication.x509.clientCAFile",
        judge_client_ca
    ),
    setting_check!(READ_ONLY_PORT, "readOnlyPort", judge_read_only_port),
    setting_check!(
        STREAMING_TIMEOUT,
        "streamingConnectionIdleTimeout",
        judge_streaming
    ),
    setting_check!(
        PROTECT_KERNEL_DEFAULTS,
        bool "protectKernelDefaults",
        true,
        "the kubelet protects kernel defaults",
        "the kubelet may change kernel tunables (protectKernelDefaults false)"
    ),
    setting_check!(
        IPTABLES_CHAINS,
        bool "makeIPTablesUtilChains",
        true,
        "the kubelet manages its iptables utility chains",
        "the kubelet does not manage its iptables utility chains"
    ),
    NodeCheck {
        meta: &HOSTNAME_OVERRIDE,
        eval: hostname_override,
    },
    setting_check!(EVENT_QPS, "eventRecordQPS", judge_event_qps),
    NodeCheck {
        meta: &TLS_SERVING_CERT,
        eval: tls_serving,
    },
    setting_check!(
        ROTATE_CERTIFICATES,
        bool "rotateCertificates",
        true,
        "the kubelet rotates its client certificate",
        "the kubelet does not rotate its client certificate"
    ),
    NodeCheck {
        meta: &ROTATE_SERVER_CERTS,
        eval: rotate_server,
    },
    setting_check!(CIPHER_SUITES, "tlsCipherSuites", judge_ciphers),
    setting_check!(POD_PIDS_LIMIT, "podPidsLimit", judge_pids),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubelet::Origin;
    use serde_json::json;

    fn s(v: serde_json::Value) -> Setting {
        Setting {
            value: v,
            origin: Origin::Default {
                key: "k".into(),
                with_config: true,
            },
        }
    }

    #[test]
    fn vectors() {
        assert_eq!(judge_anonymous(Some(&s(json!(false)))).0, Status::Pass);
        assert_eq!(judge_anonymous(Some(&s(json!(true)))).0, Status::Fail);
        assert_eq!(judge_anonymous(Some(&s(json!("maybe")))).0, Status::Error);
        assert_eq!(judge_authz(Some(&s(json!("Webhook")))).0, Status::Pass);
        assert_eq!(judge_authz(Some(&s(json!("AlwaysAllow")))).0, Status::Fail);
        assert_eq!(judge_client_ca(Some(&s(json!("")))).0, Status::Fail);
        assert_eq!(judge_read_only_port(Some(&s(json!(0)))).0, Status::Pass);
        assert_eq!(
            judge_read_only_port(Some(&s(json!("10255")))).0,
            Status::Fail
        );
        assert_eq!(judge_streaming(Some(&s(json!("4h0m0s")))).0, Status::Pass);
        assert_eq!(judge_streaming(Some(&s(json!("0s")))).0, Status::Fail);
        assert_eq!(judge_streaming(Some(&s(json!("0")))).0, Status::Fail);
        assert_eq!(judge_event_qps(Some(&s(json!(0)))).0, Status::Pass);
        assert_eq!(judge_event_qps(Some(&s(json!(50)))).0, Status::Pass);
        assert_eq!(judge_event_qps(Some(&s(json!(-1)))).0, Status::Fail);
        assert_eq!(judge_pids(Some(&s(json!(-1)))).0, Status::Fail);
        assert_eq!(judge_pids(Some(&s(json!(4096)))).0, Status::Pass);
        assert_eq!(
            judge_ciphers(Some(&s(json!(["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"])))).0,
            Status::Pass
        );
        assert_eq!(
            judge_ciphers(Some(&s(json!(["TLS_RSA_WITH_AES_128_CBC_SHA"])))).0,
            Status::Fail
        );
        assert_eq!(judge_ciphers(Some(&s(json!([])))).0, Status::Fail);
    }
}
