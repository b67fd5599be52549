//! CIS Kubernetes 4.2.12: the kubelet uses only strong TLS cipher suites.

use kubeward_core::profile::CIS_K8S_1_12;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity, Status};

use super::shared::{KUBELET_CONFIG_LINKS, KUBELET_SETTING_FIX, Verdict, setting_finding};
use super::{Check, Ctx};
use crate::kubelet::Setting;

pub static META: CheckMeta = CheckMeta {
    code: "N132",
    name: "kubelet-tls-cipher-suites",
    since: "0.1.0",
    aliases: &[],
    title: "The kubelet uses only strong TLS cipher suites",
    area: Area::Node,
    severity: Severity::Low,
    references: &[RefStatic::cis_k8s("1.12.0", "4.2.12")],
    profiles: &[CIS_K8S_1_12],
    kubeward_own: false,
    doc: CheckDoc {
        what: "tlsCipherSuites / --tls-cipher-suites must list only ECDHE AES-GCM or CHACHA20-POLY1305 suites.",
        why: "Weak suites allow downgrade and decryption of kubelet traffic.",
        fix: KUBELET_SETTING_FIX,
        links: KUBELET_CONFIG_LINKS,
        bad: "kubelet --tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_AES_128_CBC_SHA",
        good: "kubelet --tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

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

pub fn judge(s: Option<&Setting>) -> Verdict {
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

fn eval(c: &Ctx) -> Finding {
    setting_finding(c, &META, "tlsCipherSuites", judge)
}

/// Values beyond the examples (JSON, as the kubelet configuration holds them) and the verdict
/// each gets; `shared`'s tests run them through [`judge`].
#[cfg(test)]
pub(crate) const VECTORS: &[(&str, Status)] = &[
    (r#"["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]"#, Status::Pass),
    (r#"["TLS_RSA_WITH_AES_128_CBC_SHA"]"#, Status::Fail),
    ("[]", Status::Fail),
];
