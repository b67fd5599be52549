//! kubeward's own: the kubelet's serving key is not readable by other local users.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity, Source, Status};

use super::credential_files::{credential_finding, readable_by_others};
use super::{Check, Ctx, Located};

pub static META: CheckMeta = CheckMeta {
    code: "N152",
    name: "kubelet-server-key-readable",
    since: "0.1.0",
    aliases: &[],
    title: "The kubelet's serving key is not readable by other users",
    area: Area::Node,
    severity: Severity::High,
    references: &[RefStatic::mitre("T1552.004")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "The kubelet's TLS private key (tlsPrivateKeyFile, or the rotated/self-signed key under the kubelet's \
pki directory) must not be readable by users other than root.",
        why: "With the serving key a local user can impersonate the kubelet API to the API server and to monitoring.",
        fix: "On AKS the file is written by node provisioning and every node image upgrade rewrites it, so a \
chmod on one node does not last: upgrade the node image so it is written with the current modes \
(`az aks nodepool upgrade -g RG --cluster-name CLUSTER -n POOL --node-image-only`). With serverTLSBootstrap the kubelet requests a fresh serving certificate and key from the \
cluster, so the upgrade (or `az vmss reimage`) also replaces a key that may have been read.",
        links: &[],
        bad: "kubelet --tls-cert-file=/etc/kubernetes/certs/kubeletserver.crt --tls-private-key-file=/etc/kubernetes/certs/kubeletserver.key\n-rw-r--r-- root:root /etc/kubernetes/certs/kubeletserver.key",
        good: "kubelet --tls-cert-file=/etc/kubernetes/certs/kubeletserver.crt --tls-private-key-file=/etc/kubernetes/certs/kubeletserver.key\n-rw------- root:root /etc/kubernetes/certs/kubeletserver.key",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(c: &Ctx) -> Finding {
    let file = match c.config.effective("tlsPrivateKeyFile") {
        Err(e) => return c.finding(&META, Status::Error, e.to_string()),
        Ok(Some(s)) if s.as_str().is_some_and(|v| !v.is_empty()) => Some(Located {
            path: s.as_str().unwrap_or_default().to_string(),
            source: s.origin.source(),
        }),
        Ok(_) => {
            let bootstrap = c
                .config
                .effective("serverTLSBootstrap")
                .ok()
                .flatten()
                .and_then(|s| s.as_bool())
                == Some(true);
            let name = if bootstrap {
                "kubelet-server-current.pem"
            } else {
                "kubelet.key"
            };
            Some(Located {
                path: format!("{}/pki/{name}", c.root_dir.trim_end_matches('/')),
                source: Source::origin(if bootstrap {
                    "kubelet --root-dir pki (serverTLSBootstrap certificate)"
                } else {
                    "kubelet --root-dir pki (self-signed certificate)"
                }),
            })
        }
    };
    credential_finding(c, &META, file, "kubelet serving key", |_, st| {
        if readable_by_others(st) {
            (
                Status::Fail,
                format!(
                    "the kubelet serving key is readable by other users (mode {})",
                    st.mode_octal()
                ),
                None,
            )
        } else {
            (
                Status::Pass,
                "the kubelet serving key is readable by root only".into(),
                None,
            )
        }
    })
}
