//! kubeward's own checks: credential files on the node that other local users can read. CIS allows
//! 644 on the kubeconfig, but a bootstrap token, the cloud-provider secret or the kubelet's serving
//! key readable by every local account is a credential leak.

use kubeward_core::{
    Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Severity, Source, Status,
};

use super::{Ctx, FileLook, Located, NodeCheck, look, stat_source};
use crate::detect::AZURE_JSON;
use crate::hostfs::{FileStat, MAX_CONFIG_BYTES};

/// Every credential fix starts the same way: AKS writes these files, so the lasting fix is a node image
/// that writes them right; then what is specific to the file.
macro_rules! cred_fix {
    ($specific:literal) => {
        concat!(
            "On AKS the file is written by node provisioning and every node image upgrade rewrites it, so a \
chmod on one node does not last: upgrade the node image so it is written with the current modes \
(`az aks nodepool upgrade -g RG --cluster-name CLUSTER -n POOL --node-image-only`). ",
            $specific
        )
    };
}

const BOOTSTRAP_FIX: &str = cred_fix!(
    "Once TLS bootstrapping is complete the token is no longer needed; rotate bootstrap tokens by \
upgrading the cluster (`az aks upgrade`). Until then limit who can log on to nodes (disable SSH: \
`az aks nodepool update -g RG --cluster-name CLUSTER -n POOL --ssh-access disabled`)."
);
const AZURE_JSON_FIX: &str = cred_fix!(
    "Prefer a managed identity over a service principal secret (`az aks update -g RG -n CLUSTER \
--enable-managed-identity`, then a node image upgrade) so the file holds no secret, and rotate the \
exposed secret (`az ad sp credential reset --id APP_ID`, then `az aks update-credentials -g RG -n \
CLUSTER --reset-service-principal --service-principal APP_ID --client-secret NEW_SECRET`)."
);
const SERVER_KEY_FIX: &str = cred_fix!(
    "With serverTLSBootstrap the kubelet requests a fresh serving certificate and key from the \
cluster, so the upgrade (or `az vmss reimage`) also replaces a key that may have been read."
);

pub static BOOTSTRAP_TOKEN: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "N150",
    name: "bootstrap-token-readable",
    title: "The bootstrap kubeconfig's token is not readable by other users",
    area: Area::Node,
    severity: Severity::High,
    references: &[RefStatic::mitre("T1552.001")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        bad: "",
        good: "",
        what: "The file named by --bootstrap-kubeconfig (AKS: /var/lib/kubelet/bootstrap-kubeconfig): does it hold a \
bootstrap token, and can users other than root read it (other-readable, or group-readable by a non-root group)?",
        why: "A bootstrap token can create certificate signing requests as a node: any local user who reads it can \
obtain node credentials (and on many clusters read secrets of pods scheduled to that node).",
        fix: BOOTSTRAP_FIX,
        links: &[
            "https://kubernetes.io/docs/reference/access-authn-authz/kubelet-tls-bootstrapping/",
        ],
    },
};

pub static AZURE_JSON_READABLE: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "N151",
    name: "azure-json-readable",
    title: "azure.json is not readable by other users",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[RefStatic::mitre("T1552.001")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        bad: "",
        good: "",
        what: "/etc/kubernetes/azure.json must not be readable by users other than root. The finding is high \
severity when it holds a service principal secret (aadClientSecret).",
        why: "azure.json holds the node's cloud identity; with a service principal secret, anyone who reads it can act \
on the cluster's Azure resources.",
        fix: AZURE_JSON_FIX,
        links: &["https://learn.microsoft.com/azure/aks/use-managed-identity"],
    },
};

pub static SERVER_KEY_READABLE: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "N152",
    name: "kubelet-server-key-readable",
    title: "The kubelet's serving key is not readable by other users",
    area: Area::Node,
    severity: Severity::High,
    references: &[RefStatic::mitre("T1552.004")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        bad: "",
        good: "",
        what: "The kubelet's TLS private key (tlsPrivateKeyFile, or the rotated/self-signed key under the kubelet's \
pki directory) must not be readable by users other than root.",
        why: "With the serving key a local user can impersonate the kubelet API to the API server and to monitoring.",
        fix: SERVER_KEY_FIX,
        links: &[],
    },
};

/// Readable by a user other than root: other-readable, or group-readable by a non-root group.
pub fn readable_by_others(st: &FileStat) -> bool {
    st.mode & 0o004 != 0 || (st.mode & 0o040 != 0 && st.gid != 0)
}

fn exposure_evidence(path: &str, st: &FileStat) -> Evidence {
    Evidence::observed(
        format!("{} {}", st.mode_octal(), st.owner()),
        stat_source(path),
    )
    .with_expected("no read access for group (unless root) or others, e.g. 0600 root:root")
}

/// Common frame: locate, stat, read (bounded), then judge with `judge(content, stat)`.
fn credential_finding(
    c: &Ctx,
    meta: &CheckMeta,
    file: Option<Located>,
    what: &str,
    judge: impl Fn(&str, &FileStat) -> (Status, String, Option<kubeward_core::Severity>),
) -> Finding {
    let Some(file) = file else {
        return c.finding(
            meta,
            Status::NotApplicable,
            format!("no {what} is configured on this node"),
        );
    };
    let path_ev = Evidence::observed(file.path.clone(), file.source.clone())
        .with_note(format!("path of the {what}"));
    let st = match look(c.fs, &file.path) {
        FileLook::Stat(st) => st,
        FileLook::Missing(r) => {
            return c
                .finding(
                    meta,
                    Status::NotApplicable,
                    format!("{r}: nothing to check"),
                )
                .with_evidence(path_ev);
        }
        FileLook::Broken(r) => {
            return c
                .finding(meta, Status::Error, format!("cannot check the {what}: {r}"))
                .with_evidence(path_ev);
        }
    };
    let content = match c.fs.read(&file.path, MAX_CONFIG_BYTES) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) => {
            return c
                .finding(meta, Status::Error, format!("cannot read the {what}: {e}"))
                .with_evidence(path_ev);
        }
    };
    let (status, msg, sev) = judge(&content, &st);
    let mut f = c
        .finding(meta, status, msg)
        .with_evidence(path_ev)
        .with_evidence(exposure_evidence(&file.path, &st));
    if let Some(s) = sev {
        f = f.with_severity(s);
    }
    f
}

/// Does a kubeconfig carry a non-empty `users[].user.token`? Parsed as YAML (JSON is YAML); a file
/// that does not parse falls back to a line scan so a broken file holding a token still counts.
pub fn has_token(kubeconfig: &str) -> bool {
    if let Ok(doc) = crate::kubelet::parse_config_any(kubeconfig) {
        return doc
            .get("users")
            .and_then(|u| u.as_array())
            .is_some_and(|users| {
                users.iter().any(|u| {
                    u.get("user")
                        .and_then(|x| x.get("token"))
                        .and_then(|t| t.as_str())
                        .is_some_and(|t| !t.is_empty())
                })
            });
    }
    kubeconfig.lines().any(|l| {
        l.trim()
            .strip_prefix("token:")
            .is_some_and(|v| !v.trim().trim_matches(['"', '\'']).is_empty())
    })
}

fn bootstrap(c: &Ctx) -> Finding {
    credential_finding(
        c,
        &BOOTSTRAP_TOKEN,
        c.bootstrap_kubeconfig.clone(),
        "bootstrap kubeconfig",
        |text, st| match (has_token(text), readable_by_others(st)) {
            (true, true) => (
                Status::Fail,
                format!(
                    "the bootstrap kubeconfig holds a token and is readable by other users (mode {})",
                    st.mode_octal()
                ),
                None,
            ),
            (true, false) => (
                Status::Pass,
                "the bootstrap kubeconfig holds a token, readable by root only".into(),
                None,
            ),
            (false, _) => (
                Status::Pass,
                "the bootstrap kubeconfig holds no token".into(),
                None,
            ),
        },
    )
}

/// Does azure.json hold a non-empty service principal secret? (Its value is never reported.)
pub fn has_client_secret(azure_json: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(azure_json)
        .ok()
        .and_then(|v| {
            v.get("aadClientSecret")
                .and_then(|s| s.as_str())
                .map(|s| !s.is_empty() && s != "msi")
        })
        .unwrap_or(false)
}

fn azure_json(c: &Ctx) -> Finding {
    let file = Located {
        path: AZURE_JSON.into(),
        source: Source::origin("AKS cloud-provider configuration location"),
    };
    credential_finding(
        c,
        &AZURE_JSON_READABLE,
        Some(file),
        "azure.json",
        |text, st| {
            let secret = has_client_secret(text);
            let what = if secret {
                "holds a service principal secret"
            } else {
                "holds no service principal secret"
            };
            if readable_by_others(st) {
                (
                    Status::Fail,
                    format!(
                        "azure.json {what} and is readable by other users (mode {})",
                        st.mode_octal()
                    ),
                    secret.then_some(Severity::High),
                )
            } else {
                (
                    Status::Pass,
                    format!("azure.json {what} and is readable by root only"),
                    None,
                )
            }
        },
    )
}

fn server_key(c: &Ctx) -> Finding {
    let file = match c.config.effective("tlsPrivateKeyFile") {
        Err(e) => return c.finding(&SERVER_KEY_READABLE, Status::Error, e),
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
    credential_finding(
        c,
        &SERVER_KEY_READABLE,
        file,
        "kubelet serving key",
        |_, st| {
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
        },
    )
}

pub static CHECKS: [NodeCheck; 3] = [
    NodeCheck {
        meta: &BOOTSTRAP_TOKEN,
        eval: bootstrap,
    },
    NodeCheck {
        meta: &AZURE_JSON_READABLE,
        eval: azure_json,
    },
    NodeCheck {
        meta: &SERVER_KEY_READABLE,
        eval: server_key,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_credential_fix_speaks_of_its_own_file() {
        let fixes = [
            (BOOTSTRAP_TOKEN.doc.fix, "bootstrap"),
            (AZURE_JSON_READABLE.doc.fix, "managed identity"),
            (SERVER_KEY_READABLE.doc.fix, "serving certificate"),
        ];
        for (fix, topic) in fixes {
            assert!(fix.contains("--node-image-only"), "{fix}");
            assert!(fix.contains(topic), "{fix}");
        }
        assert!(!BOOTSTRAP_TOKEN.doc.fix.contains("azure.json"));
        assert!(!SERVER_KEY_READABLE.doc.fix.contains("managed identity"));
        assert!(!AZURE_JSON_READABLE.doc.fix.contains("bootstrap"));
    }

    #[test]
    fn token_detection() {
        assert!(has_token(
            "users:\n- name: kubelet-bootstrap\n  user:\n    token: abcdef.0123456789abcdef\n"
        ));
        assert!(!has_token(
            "users:\n- name: x\n  user:\n    client-certificate: /a\n    token: \"\"\n"
        ));
        assert!(has_token("{\"users\":[{\"user\":{\"token\": \"x.y\"}}]}"));
    }

    #[test]
    fn secret_detection_and_exposure() {
        assert!(has_client_secret(
            r#"{"aadClientId":"a","aadClientSecret":"s3cr3t"}"#
        ));
        assert!(!has_client_secret(
            r#"{"aadClientId":"msi","aadClientSecret":"msi"}"#
        ));
        assert!(!has_client_secret(
            r#"{"useManagedIdentityExtension":true}"#
        ));
        let st = |mode, gid| FileStat {
            mode,
            uid: 0,
            gid,
            kind: "regular file",
        };
        assert!(readable_by_others(&st(0o644, 0)));
        assert!(!readable_by_others(&st(0o640, 0)));
        assert!(readable_by_others(&st(0o640, 100)));
        assert!(!readable_by_others(&st(0o600, 100)));
    }
}
