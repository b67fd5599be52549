//! Shared by kubeward's own credential checks: credential files on the node that other local users
//! can read. CIS allows 644 on the kubeconfig, but a bootstrap token, the cloud-provider secret or
//! the kubelet's serving key readable by every local account is a credential leak.

use kubeward_core::{CheckMeta, Evidence, Finding, Severity, Status};

use super::shared::{stat_located, stat_source};
use super::{Ctx, Located};
use crate::hostfs::{FileStat, MAX_CONFIG_BYTES};

/// Readable by a user other than root: other-readable, or group-readable by a non-root group.
pub fn readable_by_others(st: &FileStat) -> bool {
    st.mode & 0o004 != 0 || (st.mode & 0o040 != 0 && st.gid != 0)
}

pub fn exposure_evidence(path: &str, st: &FileStat) -> Evidence {
    Evidence::observed(
        format!("{} {}", st.mode_octal(), st.owner()),
        stat_source(path),
    )
    .with_expected("no read access for group (unless root) or others, e.g. 0600 root:root")
}

/// Common frame: locate, stat, read (bounded), then judge with `judge(content, stat)`.
pub fn credential_finding(
    c: &Ctx,
    meta: &CheckMeta,
    file: Option<Located>,
    what: &str,
    judge: impl Fn(&str, &FileStat) -> (Status, String, Option<Severity>),
) -> Finding {
    let Some(file) = file else {
        return c.finding(
            meta,
            Status::NotApplicable,
            format!("no {what} is configured on this node"),
        );
    };
    let (path_ev, st) = match stat_located(c, c.fs, meta, &file, what) {
        Ok(found) => found,
        Err(finding) => return *finding,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Each credential check's fix speaks of its own file, not of another check's.
    #[test]
    fn fix_speaks_of_its_own_file() {
        use super::super::{
            n150_bootstrap_token_readable as n150, n151_azure_json_readable as n151,
            n152_kubelet_server_key_readable as n152,
        };
        for (meta, own, other) in [
            (&n150::META, "bootstrap", "azure.json"),
            (&n151::META, "managed identity", "bootstrap"),
            (&n152::META, "serving certificate", "managed identity"),
        ] {
            let fix = meta.doc.fix;
            assert!(
                fix.contains("--node-image-only") && fix.contains(own),
                "{}",
                meta.code
            );
            assert!(!fix.contains(other), "{}", meta.code);
        }
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
