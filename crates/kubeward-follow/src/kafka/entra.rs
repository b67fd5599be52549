//! Microsoft Entra ID tokens for Event Hubs' OAUTHBEARER, from AKS workload identity: the pod's
//! projected service-account token (`AZURE_FEDERATED_TOKEN_FILE`) is exchanged at the Entra ID
//! token endpoint (`AZURE_AUTHORITY_HOST`, `AZURE_TENANT_ID`) for an access token of the managed
//! identity or app registration `AZURE_CLIENT_ID`, scoped to the Event Hubs namespace. The
//! workload identity webhook sets those four variables in the pod.

use std::path::PathBuf;
use std::time::Duration;

/// Longest token endpoint answer read (a token response is a few KiB).
const MAX_RESPONSE_BYTES: usize = 256 * 1024;
/// Longest projected token read (a service-account JWT is about 1 KiB).
const MAX_ASSERTION_BYTES: u64 = 64 * 1024;
const HTTP_TIMEOUT: Duration = Duration::from_secs(15);
const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com/";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadIdentity {
    pub authority: String,
    pub tenant_id: String,
    pub client_id: String,
    pub token_file: PathBuf,
    /// `https://<namespace>.servicebus.windows.net/.default`
    pub scope: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    /// Entra ID refused the exchange (a wrong client id, tenant or federation): exit 2.
    #[error("Entra ID refused the token request: {0}")]
    Refused(String),
    /// The endpoint could not be reached or answered oddly: retried by librdkafka.
    #[error("Entra ID token request failed: {0}")]
    Transient(String),
    /// The workload identity environment is missing.
    #[error("{0}")]
    Setup(String),
}

/// An access token and when it expires (milliseconds since the Unix epoch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub access_token: String,
    pub expires_at_ms: i64,
}

impl WorkloadIdentity {
    /// From the workload identity variables, for the Event Hubs namespace of `bootstrap`
    /// (`NS.servicebus.windows.net:9093`).
    pub fn from_env(bootstrap: &str) -> Result<Self, TokenError> {
        Self::from_vars(bootstrap, &|k| std::env::var(k).ok())
    }

    fn from_vars(
        bootstrap: &str,
        get: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, TokenError> {
        let var = |k: &str| {
            get(k).filter(|v| !v.trim().is_empty()).ok_or_else(|| {
                TokenError::Setup(format!(
                    "--kafka-entra-id needs {k} (set by AKS workload identity in a pod whose \
                     service account is federated with the identity)"
                ))
            })
        };
        let host = bootstrap
            .split(',')
            .next()
            .unwrap_or_default()
            .trim()
            .rsplit_once(':')
            .map_or(bootstrap.trim(), |(h, _)| h);
        if host.is_empty() {
            return Err(TokenError::Setup("--kafka names no host".into()));
        }
        Ok(WorkloadIdentity {
            authority: get("AZURE_AUTHORITY_HOST")
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| DEFAULT_AUTHORITY.into()),
            tenant_id: var("AZURE_TENANT_ID")?,
            client_id: var("AZURE_CLIENT_ID")?,
            token_file: PathBuf::from(var("AZURE_FEDERATED_TOKEN_FILE")?),
            scope: format!("https://{host}/.default"),
        })
    }

    fn endpoint(&self) -> String {
        format!(
            "{}/{}/oauth2/v2.0/token",
            self.authority.trim_end_matches('/'),
            self.tenant_id
        )
    }

    /// Exchanges the projected token (read again each time: the kubelet rotates it) for an
    /// access token. Runs on its own thread so that the blocking client never meets an async
    /// runtime of the caller's.
    pub fn token(&self) -> Result<Token, TokenError> {
        let me = self.clone();
        std::thread::spawn(move || me.exchange())
            .join()
            .unwrap_or_else(|_| Err(TokenError::Transient("the token request panicked".into())))
    }

    fn exchange(&self) -> Result<Token, TokenError> {
        let assertion = kubeward_core::input::read_string(
            &self.token_file,
            MAX_ASSERTION_BYTES,
            "federated token",
        )
        .map_err(|e| TokenError::Setup(format!("{}: {e}", self.token_file.display())))?;
        let client = reqwest::blocking::Client::builder()
            .timeout(HTTP_TIMEOUT)
            .build()
            .map_err(|e| TokenError::Transient(e.to_string()))?;
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("scope", self.scope.as_str()),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion.trim()),
        ];
        let now_ms = now_ms();
        let mut resp = client
            .post(self.endpoint())
            .form(&form)
            .send()
            .map_err(|e| TokenError::Transient(e.without_url().to_string()))?;
        let status = resp.status();
        let mut body = Vec::new();
        use std::io::Read;
        (&mut resp)
            .take(MAX_RESPONSE_BYTES as u64)
            .read_to_end(&mut body)
            .map_err(|e| TokenError::Transient(e.to_string()))?;
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        if !status.is_success() {
            // Entra ID's error and description name the problem (AADSTS codes); never a secret.
            let what = match (v["error"].as_str(), v["error_description"].as_str()) {
                (Some(e), Some(d)) => format!("{e}: {}", d.lines().next().unwrap_or_default()),
                (Some(e), None) => e.to_string(),
                _ => format!("HTTP {status}"),
            };
            return Err(if status.is_client_error() {
                TokenError::Refused(what)
            } else {
                TokenError::Transient(what)
            });
        }
        let token = v["access_token"]
            .as_str()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| TokenError::Transient("the answer has no access_token".into()))?;
        // expires_in is a number, or a string of one in some versions of the endpoint.
        let secs = v["expires_in"]
            .as_i64()
            .or_else(|| v["expires_in"].as_str().and_then(|s| s.parse().ok()))
            .unwrap_or(3600)
            .clamp(60, 86_400);
        Ok(Token {
            access_token: token.to_string(),
            expires_at_ms: now_ms + secs * 1000,
        })
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;

    /// A one-shot token endpoint on 127.0.0.1: answers `status` and `body`, returns the request.
    fn endpoint(status: u16, body: &'static str) -> (String, std::thread::JoinHandle<String>) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        let h = std::thread::spawn(move || {
            let (s, _) = l.accept().unwrap();
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut head = String::new();
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                r.read_line(&mut line).unwrap();
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap();
                }
                head.push_str(&line);
                if line == "\r\n" {
                    break;
                }
            }
            let mut b = vec![0; len];
            r.read_exact(&mut b).unwrap();
            let mut s = s;
            write!(
                s,
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            )
            .unwrap();
            head + &String::from_utf8(b).unwrap()
        });
        (format!("http://{addr}/"), h)
    }

    fn identity(authority: String, dir: &tempfile::TempDir) -> WorkloadIdentity {
        let f = dir.path().join("token");
        std::fs::write(&f, "eyJhbGciOiJSUzI1NiJ9.projected.sig\n").unwrap();
        WorkloadIdentity {
            authority,
            tenant_id: "72f988bf-0000-0000-0000-000000000000".into(),
            client_id: "5f3b1c2d-0000-0000-0000-000000000000".into(),
            token_file: f,
            scope: "https://ns.servicebus.windows.net/.default".into(),
        }
    }

    #[test]
    fn exchanges_the_projected_token_for_an_access_token() {
        let (url, h) = endpoint(
            200,
            r#"{"token_type":"Bearer","expires_in":3599,"access_token":"at-123"}"#,
        );
        let dir = tempfile::tempdir().unwrap();
        let t = identity(url, &dir).token().unwrap();
        assert_eq!(t.access_token, "at-123");
        assert!(t.expires_at_ms > now_ms() + 3_500_000);
        let req = h.join().unwrap();
        assert!(req.starts_with("POST /72f988bf-0000-0000-0000-000000000000/oauth2/v2.0/token "));
        assert!(req.contains("grant_type=client_credentials"));
        assert!(req.contains("client_id=5f3b1c2d-0000-0000-0000-000000000000"));
        assert!(req.contains("scope=https%3A%2F%2Fns.servicebus.windows.net%2F.default"));
        assert!(req.contains(
            "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
        ));
        assert!(req.contains("client_assertion=eyJhbGciOiJSUzI1NiJ9.projected.sig"));
    }

    #[test]
    fn a_refusal_is_an_auth_error_with_entra_ids_reason() {
        let (url, h) = endpoint(
            401,
            r#"{"error":"invalid_client","error_description":"AADSTS700213: No matching federated identity record found.\r\nTrace ID: x"}"#,
        );
        let dir = tempfile::tempdir().unwrap();
        let e = identity(url, &dir).token().unwrap_err();
        assert_eq!(
            e,
            TokenError::Refused(
                "invalid_client: AADSTS700213: No matching federated identity record found.".into()
            )
        );
        h.join().unwrap();
    }

    #[test]
    fn the_scope_is_the_namespace_of_the_bootstrap() {
        let vars = |k: &str| match k {
            "AZURE_TENANT_ID" => Some("t".to_string()),
            "AZURE_CLIENT_ID" => Some("c".to_string()),
            "AZURE_FEDERATED_TOKEN_FILE" => {
                Some("/var/run/secrets/azure/tokens/azure-identity-token".to_string())
            }
            _ => None,
        };
        let w = WorkloadIdentity::from_vars("ns.servicebus.windows.net:9093", &vars).unwrap();
        assert_eq!(w.scope, "https://ns.servicebus.windows.net/.default");
        assert_eq!(
            w.endpoint(),
            "https://login.microsoftonline.com/t/oauth2/v2.0/token"
        );
        let missing = WorkloadIdentity::from_vars("ns.servicebus.windows.net:9093", &|_| None);
        assert!(matches!(missing, Err(TokenError::Setup(m)) if m.contains("AZURE_TENANT_ID")));
    }
}
