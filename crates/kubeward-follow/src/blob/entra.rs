//! Microsoft Entra ID workload identity for storage: the pod's projected service-account token
//! (`AZURE_FEDERATED_TOKEN_FILE`) is exchanged for an access token to
//! `https://storage.azure.com/.default` (OAuth 2.0 client credentials with a JWT client
//! assertion), sent as `Authorization: Bearer`. The AKS workload identity webhook sets the four
//! variables read here. The token is renewed five minutes before it expires, re-reading the
//! file each time (the kubelet rotates it).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use reqwest::Url;

use super::client::ClientError;

const SCOPE: &str = "https://storage.azure.com/.default";
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com/";
/// Renew this long before the token expires.
const EARLY: Duration = Duration::from_secs(300);
/// The token endpoint's answer is small; more is refused.
const MAX_ANSWER: u64 = 64 * 1024;

#[derive(Debug, Clone)]
pub struct WorkloadIdentity {
    pub token_file: PathBuf,
    pub client_id: String,
    pub tenant_id: String,
    /// `AZURE_AUTHORITY_HOST`, with a trailing slash.
    pub authority: Url,
}

impl WorkloadIdentity {
    /// From the variables the workload identity webhook injects into the pod.
    pub fn from_env() -> Result<Self, String> {
        let var = |name: &str| {
            std::env::var(name)
                .ok()
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let missing: Vec<&str> = [
            "AZURE_FEDERATED_TOKEN_FILE",
            "AZURE_CLIENT_ID",
            "AZURE_TENANT_ID",
        ]
        .into_iter()
        .filter(|n| var(n).is_none())
        .collect();
        if !missing.is_empty() {
            return Err(format!(
                "--storage-entra-id needs workload identity: {} not set (label the pod azure.workload.identity/use: \"true\" and give its service account the client-id annotation)",
                missing.join(", ")
            ));
        }
        let authority = var("AZURE_AUTHORITY_HOST").unwrap_or_else(|| DEFAULT_AUTHORITY.into());
        Self::new(
            var("AZURE_FEDERATED_TOKEN_FILE").unwrap_or_default().into(),
            var("AZURE_CLIENT_ID").unwrap_or_default(),
            var("AZURE_TENANT_ID").unwrap_or_default(),
            &authority,
        )
    }

    pub fn new(
        token_file: PathBuf,
        client_id: String,
        tenant_id: String,
        authority: &str,
    ) -> Result<Self, String> {
        let with_slash = if authority.ends_with('/') {
            authority.to_string()
        } else {
            format!("{authority}/")
        };
        let authority =
            Url::parse(&with_slash).map_err(|e| format!("AZURE_AUTHORITY_HOST: {e}"))?;
        if tenant_id.contains(['/', '?', '#']) {
            return Err("AZURE_TENANT_ID is not a tenant ID".into());
        }
        Ok(WorkloadIdentity {
            token_file,
            client_id,
            tenant_id,
            authority,
        })
    }

    fn endpoint(&self) -> Result<Url, ClientError> {
        self.authority
            .join(&format!("{}/oauth2/v2.0/token", self.tenant_id))
            .map_err(|e| ClientError::Fatal(format!("the token endpoint: {e}")))
    }
}

/// A cached access token.
#[derive(Default)]
pub struct TokenCache {
    token: Option<(String, Instant)>,
}

impl TokenCache {
    /// A valid token, fetched anew when none is cached or it expires within five minutes.
    pub fn get(
        &mut self,
        id: &WorkloadIdentity,
        http: &reqwest::blocking::Client,
    ) -> Result<&str, ClientError> {
        let fresh = self
            .token
            .as_ref()
            .is_some_and(|(_, until)| Instant::now() + EARLY < *until);
        if !fresh {
            self.token = Some(fetch(id, http)?);
        }
        Ok(self.token.as_ref().map(|(t, _)| t.as_str()).unwrap_or(""))
    }

    /// Forgets the token (the service refused it: fetch another before giving up).
    pub fn clear(&mut self) {
        self.token = None;
    }
}

fn fetch(
    id: &WorkloadIdentity,
    http: &reqwest::blocking::Client,
) -> Result<(String, Instant), ClientError> {
    let assertion = kubeward_core::input::read_string(&id.token_file, MAX_ANSWER, "token")
        .map_err(|e| {
            ClientError::Auth(format!(
                "cannot read the federated token file {}: {e}",
                id.token_file.display()
            ))
        })?;
    let form = [
        ("client_id", id.client_id.as_str()),
        ("scope", SCOPE),
        ("grant_type", "client_credentials"),
        ("client_assertion_type", ASSERTION_TYPE),
        ("client_assertion", assertion.trim()),
    ];
    let body = form
        .iter()
        .map(|(k, v)| format!("{k}={}", super::auth::percent_encode(v, false)))
        .collect::<Vec<_>>()
        .join("&");
    let asked = Instant::now();
    let resp = http
        .post(id.endpoint()?)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .map_err(|e| {
            ClientError::Transient(format!(
                "token endpoint: {}",
                super::client::describe_http_error(&e)
            ))
        })?;
    let status = resp.status();
    let text = super::client::read_bounded(resp, MAX_ANSWER)
        .map_err(|e| ClientError::Transient(format!("token endpoint: {e}")))?;
    let v: serde_json::Value = serde_json::from_slice(&text).unwrap_or_default();
    if !status.is_success() {
        // error: invalid_client, unauthorized_client, invalid_request…; the description's first
        // line says which (AADSTS codes), without secrets.
        let code = v["error"].as_str().unwrap_or("");
        let desc = v["error_description"]
            .as_str()
            .and_then(|d| d.lines().next())
            .unwrap_or("")
            .chars()
            .take(300)
            .collect::<String>();
        let msg = format!(
            "Microsoft Entra ID refused the workload identity token exchange (HTTP {status} {code}): {desc}"
        );
        return Err(if status.is_server_error() || status.as_u16() == 429 {
            ClientError::Transient(msg)
        } else {
            ClientError::Auth(msg)
        });
    }
    let Some(token) = v["access_token"].as_str().filter(|t| !t.is_empty()) else {
        return Err(ClientError::Fatal(
            "the token endpoint's answer has no access_token".into(),
        ));
    };
    let secs = v["expires_in"]
        .as_u64()
        .or_else(|| v["expires_in"].as_str().and_then(|s| s.parse().ok()))
        .unwrap_or(300);
    Ok((token.to_string(), asked + Duration::from_secs(secs)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    /// A token endpoint on 127.0.0.1 that records the request and answers `status` + `body`.
    fn endpoint(status: u16, body: &'static str) -> (String, std::thread::JoinHandle<String>) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        let h = std::thread::spawn(move || {
            let (mut s, _) = l.accept().unwrap();
            let mut req = Vec::new();
            let mut buf = [0u8; 4096];
            loop {
                let n = s.read(&mut buf).unwrap();
                req.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&req).to_string();
                if let Some(i) = text.find("\r\n\r\n") {
                    let len: usize = text
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse().unwrap())
                        })
                        .unwrap_or(0);
                    if req.len() >= i + 4 + len {
                        break;
                    }
                }
                if n == 0 {
                    break;
                }
            }
            let answer = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            s.write_all(answer.as_bytes()).unwrap();
            String::from_utf8_lossy(&req).to_string()
        });
        (format!("http://{addr}"), h)
    }

    fn identity(authority: &str) -> (WorkloadIdentity, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("token");
        std::fs::write(&f, "eyJhbGciOiJSUzI1NiJ9.e30.c2ln\n").unwrap();
        let id = WorkloadIdentity::new(f, "client-1".into(), "tenant-1".into(), authority).unwrap();
        (id, dir)
    }

    #[test]
    fn the_federated_token_is_exchanged_for_a_storage_token() {
        let (url, h) = endpoint(
            200,
            r#"{"token_type":"Bearer","expires_in":3599,"access_token":"at-1"}"#,
        );
        let (id, _dir) = identity(&url);
        let http = reqwest::blocking::Client::new();
        let mut cache = TokenCache::default();
        assert_eq!(cache.get(&id, &http).unwrap(), "at-1");
        let req = h.join().unwrap();
        assert!(
            req.starts_with("POST /tenant-1/oauth2/v2.0/token HTTP/1.1"),
            "{req}"
        );
        let body = req.split("\r\n\r\n").nth(1).unwrap();
        for part in [
            "client_id=client-1",
            "scope=https%3A%2F%2Fstorage.azure.com%2F.default",
            "grant_type=client_credentials",
            "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer",
            "client_assertion=eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
        ] {
            assert!(body.split('&').any(|p| p == part), "{part} in {body}");
        }
        // Cached: no second request (the endpoint answered once and is gone).
        assert_eq!(cache.get(&id, &http).unwrap(), "at-1");
    }

    #[test]
    fn a_refused_exchange_is_an_authentication_failure() {
        let (url, h) = endpoint(
            401,
            r#"{"error":"invalid_client","error_description":"AADSTS700016: Application not found.\r\nTrace ID: x"}"#,
        );
        let (id, _dir) = identity(&url);
        let http = reqwest::blocking::Client::new();
        let e = TokenCache::default().get(&id, &http).unwrap_err();
        h.join().unwrap();
        let ClientError::Auth(m) = e else {
            panic!("auth: {e:?}")
        };
        assert!(
            m.contains("invalid_client") && m.contains("AADSTS700016"),
            "{m}"
        );
        assert!(!m.contains("eyJ"), "{m}");
    }
}
