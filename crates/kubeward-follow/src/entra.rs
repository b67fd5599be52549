//! Microsoft Entra ID access tokens from AKS workload identity, shared by the sources that use
//! them (Event Hubs' OAUTHBEARER, Blob storage's bearer token). The workload identity webhook sets
//! `AZURE_FEDERATED_TOKEN_FILE`, `AZURE_CLIENT_ID`, `AZURE_TENANT_ID` and `AZURE_AUTHORITY_HOST`
//! in the pod; the projected service-account token in the file is exchanged at
//! `{authority}/{tenant}/oauth2/v2.0/token` (OAuth 2.0 client credentials with a JWT-bearer client
//! assertion) for an access token of the client id for one scope. The file is read again on every
//! exchange: the kubelet rotates it.
//!
//! Errors never hold the assertion nor an access token; Entra ID's own reason (its error code and
//! the first line of its description) is kept, escaped for a terminal.

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use reqwest::Url;

const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com/";
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Longest projected token read (a service-account JWT is about 1 KiB).
const MAX_ASSERTION_BYTES: u64 = 64 * 1024;
/// Longest token endpoint answer read (a token response is a few KiB).
const MAX_ANSWER_BYTES: u64 = 64 * 1024;
/// Longest part of Entra ID's description kept in an error.
const MAX_REASON_CHARS: usize = 300;
/// Lifetime assumed when the answer gives none: short, since renewing early costs one request
/// and using an expired token costs an authentication failure.
const DEFAULT_LIFETIME_SECS: u64 = 300;
/// Bounds on the lifetime believed: a minute (no renewal loop) to a day.
const MIN_LIFETIME_SECS: u64 = 60;
const MAX_LIFETIME_SECS: u64 = 86_400;
/// A cached token is renewed this long before it expires (at most half its lifetime).
const RENEW_EARLY: Duration = Duration::from_secs(300);

/// Why no token was obtained. The caller decides the exit: `Setup` and `Refused` are the
/// configuration's fault (exit 2), `Transient` is worth retrying.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntraError {
    /// The workload identity environment is missing or malformed, or the token file unreadable.
    #[error("{0}")]
    Setup(String),
    /// Entra ID refused the exchange (a 4xx other than 408 and 429): a wrong client id, tenant
    /// or federated credential.
    #[error("Microsoft Entra ID refused the workload identity token exchange: {0}")]
    Refused(String),
    /// No answer, a 5xx, 408 or 429, or an answer without a token.
    #[error("the Microsoft Entra ID token request failed: {0}")]
    Transient(String),
}

/// The pod's workload identity (no secret: the assertion is read from the file when needed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadIdentity {
    pub token_file: PathBuf,
    pub client_id: String,
    pub tenant_id: String,
    /// `AZURE_AUTHORITY_HOST`, with a trailing slash.
    pub authority: Url,
}

/// An access token. `Debug` does not show it.
#[derive(Clone)]
pub struct Token {
    pub access_token: String,
    /// The lifetime given by Entra ID (defaulted and clamped), from `asked`.
    pub lifetime: Duration,
    /// When the request was sent (the lifetime counts from no later than that).
    pub asked: Instant,
    asked_wall: SystemTime,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("access_token", &"[redacted]")
            .field("lifetime", &self.lifetime)
            .finish_non_exhaustive()
    }
}

impl Token {
    pub fn expires_at(&self) -> Instant {
        self.asked + self.lifetime
    }

    /// Expiry in milliseconds since the Unix epoch (what librdkafka takes).
    pub fn expires_at_unix_ms(&self) -> i64 {
        let at = self.asked_wall + self.lifetime;
        at.duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }
}

impl WorkloadIdentity {
    /// From the process environment. `flag` is the command-line flag that asked for Entra ID,
    /// named in the error with every missing variable.
    pub fn from_env(flag: &str) -> Result<Self, EntraError> {
        Self::from_vars(flag, &|k| std::env::var(k).ok())
    }

    pub(crate) fn from_vars(
        flag: &str,
        get: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, EntraError> {
        let var = |name: &str| {
            get(name)
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
            return Err(EntraError::Setup(format!(
                "{flag} needs {} (not set): AKS workload identity sets them in a pod labelled \
                 azure.workload.identity/use: \"true\" whose service account has the \
                 azure.workload.identity/client-id annotation and a federated credential",
                missing.join(", ")
            )));
        }
        Self::new(
            var("AZURE_FEDERATED_TOKEN_FILE").unwrap_or_default().into(),
            var("AZURE_CLIENT_ID").unwrap_or_default(),
            var("AZURE_TENANT_ID").unwrap_or_default(),
            &var("AZURE_AUTHORITY_HOST").unwrap_or_else(|| DEFAULT_AUTHORITY.into()),
        )
    }

    pub fn new(
        token_file: PathBuf,
        client_id: String,
        tenant_id: String,
        authority: &str,
    ) -> Result<Self, EntraError> {
        let with_slash = if authority.ends_with('/') {
            authority.to_string()
        } else {
            format!("{authority}/")
        };
        let authority = Url::parse(&with_slash)
            .ok()
            .filter(|u| matches!(u.scheme(), "https" | "http") && u.host().is_some())
            .ok_or_else(|| {
                EntraError::Setup(format!(
                    "AZURE_AUTHORITY_HOST is not an http(s) URL: {}",
                    kubeward_core::escape::terminal(authority)
                ))
            })?;
        // A tenant ID (a GUID) or a tenant's domain name: it becomes a path segment.
        let tenant_ok = !tenant_id.is_empty()
            && tenant_id.len() <= 256
            && tenant_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            && !tenant_id.starts_with('.');
        if !tenant_ok {
            return Err(EntraError::Setup(format!(
                "AZURE_TENANT_ID is not a tenant ID or domain: {}",
                kubeward_core::escape::terminal(&tenant_id)
            )));
        }
        Ok(WorkloadIdentity {
            token_file,
            client_id,
            tenant_id,
            authority,
        })
    }

    /// `{authority}/{tenant}/oauth2/v2.0/token`.
    pub fn endpoint(&self) -> Result<Url, EntraError> {
        self.authority
            .join(&format!("{}/oauth2/v2.0/token", self.tenant_id))
            .map_err(|e| EntraError::Setup(format!("the token endpoint: {e}")))
    }

    /// Exchanges the projected token for an access token to `scope`, with the caller's blocking
    /// client (its timeouts bound the request; never call from inside an async runtime).
    pub fn fetch(
        &self,
        http: &reqwest::blocking::Client,
        scope: &str,
    ) -> Result<Token, EntraError> {
        let endpoint = self.endpoint()?;
        let assertion = kubeward_core::input::read_string(
            &self.token_file,
            MAX_ASSERTION_BYTES,
            "federated token",
        )
        .map_err(|e| {
            EntraError::Setup(format!(
                "cannot read the federated token file {}: {e}",
                self.token_file.display()
            ))
        })?;
        let assertion = assertion.trim();
        self.exchange(http, endpoint, scope, assertion)
            .map_err(|e| scrub(e, assertion))
    }

    fn exchange(
        &self,
        http: &reqwest::blocking::Client,
        endpoint: Url,
        scope: &str,
        assertion: &str,
    ) -> Result<Token, EntraError> {
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("scope", scope),
            ("client_assertion_type", ASSERTION_TYPE),
            ("client_assertion", assertion),
        ];
        let asked = Instant::now();
        let asked_wall = SystemTime::now();
        let resp = http.post(endpoint).form(&form).send().map_err(|e| {
            EntraError::Transient(format!(
                "token endpoint: {}",
                crate::blob::client::describe_http_error(&e)
            ))
        })?;
        let status = resp.status();
        let body = kubeward_core::input::read_limited(resp, MAX_ANSWER_BYTES, "token answer", 0)
            .map_err(|e| EntraError::Transient(format!("the token endpoint's answer: {e}")))?;
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        if !status.is_success() {
            let reason = reason(status, &v);
            let s = status.as_u16();
            return Err(if (400..500).contains(&s) && s != 408 && s != 429 {
                EntraError::Refused(reason)
            } else {
                EntraError::Transient(reason)
            });
        }
        let Some(access_token) = v["access_token"].as_str().filter(|t| !t.is_empty()) else {
            return Err(EntraError::Transient(format!(
                "the token endpoint's answer (HTTP {}) has no access_token",
                status.as_u16()
            )));
        };
        Ok(Token {
            access_token: access_token.to_string(),
            lifetime: lifetime(&v["expires_in"]),
            asked,
            asked_wall,
        })
    }
}

/// `HTTP 401 invalid_client: AADSTS700016: …`: the status, Entra ID's error code and the first
/// line of its description (AADSTS codes name the problem), bounded and escaped.
fn reason(status: reqwest::StatusCode, v: &serde_json::Value) -> String {
    let mut r = format!("HTTP {}", status.as_u16());
    if let Some(code) = v["error"].as_str() {
        r.push(' ');
        r.push_str(&code.chars().take(80).collect::<String>());
    }
    if let Some(desc) = v["error_description"]
        .as_str()
        .and_then(|d| d.lines().next())
    {
        r.push_str(": ");
        r.push_str(&desc.chars().take(MAX_REASON_CHARS).collect::<String>());
    }
    kubeward_core::escape::terminal(&r).into_owned()
}

/// `expires_in`: seconds as a number, or a string of one (older endpoint versions).
fn lifetime(v: &serde_json::Value) -> Duration {
    let secs = v
        .as_u64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
        .unwrap_or(DEFAULT_LIFETIME_SECS)
        .clamp(MIN_LIFETIME_SECS, MAX_LIFETIME_SECS);
    Duration::from_secs(secs)
}

/// Belt and braces: an endpoint that echoes the assertion does not get it into an error.
fn scrub(e: EntraError, assertion: &str) -> EntraError {
    let clean = |m: String| {
        if assertion.is_empty() {
            m
        } else {
            m.replace(assertion, "[redacted]")
        }
    };
    match e {
        EntraError::Setup(m) => EntraError::Setup(clean(m)),
        EntraError::Refused(m) => EntraError::Refused(clean(m)),
        EntraError::Transient(m) => EntraError::Transient(clean(m)),
    }
}

/// The access token for one scope, fetched again when none is held or it expires within five
/// minutes (at most half its lifetime).
pub struct TokenCache {
    scope: String,
    token: Option<Token>,
}

impl TokenCache {
    pub fn new(scope: impl Into<String>) -> Self {
        TokenCache {
            scope: scope.into(),
            token: None,
        }
    }

    /// A token valid for a while yet.
    pub fn get(
        &mut self,
        id: &WorkloadIdentity,
        http: &reqwest::blocking::Client,
    ) -> Result<&Token, EntraError> {
        let fresh = self
            .token
            .as_ref()
            .is_some_and(|t| Instant::now() + RENEW_EARLY.min(t.lifetime / 2) < t.expires_at());
        if !fresh {
            self.token = None;
            self.token = Some(id.fetch(http, &self.scope)?);
        }
        self.token
            .as_ref()
            .ok_or_else(|| EntraError::Transient("no token".into()))
    }

    /// Forgets the token (the service refused it: the next `get` fetches another).
    pub fn clear(&mut self) {
        self.token = None;
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    const ASSERTION: &str = "eyJhbGciOiJSUzI1NiJ9.e30.c2ln";

    /// A token endpoint on 127.0.0.1 answering `answers` in turn (one connection each), then
    /// gone; returns the requests it read.
    pub(crate) fn endpoint(
        answers: Vec<(u16, String)>,
    ) -> (String, std::thread::JoinHandle<Vec<String>>) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        let h = std::thread::spawn(move || {
            let mut seen = Vec::new();
            for (status, body) in answers {
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
                seen.push(String::from_utf8_lossy(&req).to_string());
            }
            seen
        });
        (format!("http://{addr}"), h)
    }

    fn one(status: u16, body: &str) -> (String, std::thread::JoinHandle<Vec<String>>) {
        endpoint(vec![(status, body.to_string())])
    }

    fn identity(authority: &str) -> (WorkloadIdentity, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("token");
        std::fs::write(&f, format!("{ASSERTION}\n")).unwrap();
        let id = WorkloadIdentity::new(
            f,
            "5f3b1c2d-0000-0000-0000-000000000000".into(),
            "72f988bf-0000-0000-0000-000000000000".into(),
            authority,
        )
        .unwrap();
        (id, dir)
    }

    fn http() -> reqwest::blocking::Client {
        reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap()
    }

    const SCOPE: &str = "https://storage.azure.com/.default";

    #[test]
    fn the_projected_token_is_exchanged_with_the_form_of_client_credentials() {
        let (url, h) = one(
            200,
            r#"{"token_type":"Bearer","expires_in":3599,"access_token":"at-1"}"#,
        );
        let (id, _dir) = identity(&url);
        let t = id
            .fetch(&http(), "https://ns.servicebus.windows.net/.default")
            .unwrap();
        assert_eq!(t.access_token, "at-1");
        assert_eq!(t.lifetime, Duration::from_secs(3599));
        let now_ms = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        assert!(t.expires_at_unix_ms() > now_ms + 3_500_000);
        assert!(!format!("{t:?}").contains("at-1"));
        let req = h.join().unwrap().remove(0);
        assert!(
            req.starts_with(
                "POST /72f988bf-0000-0000-0000-000000000000/oauth2/v2.0/token HTTP/1.1"
            ),
            "{req}"
        );
        let body = req.split("\r\n\r\n").nth(1).unwrap();
        for part in [
            "grant_type=client_credentials",
            "client_id=5f3b1c2d-0000-0000-0000-000000000000",
            "scope=https%3A%2F%2Fns.servicebus.windows.net%2F.default",
            "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer",
            "client_assertion=eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
        ] {
            assert!(body.split('&').any(|p| p == part), "{part} in {body}");
        }
    }

    #[test]
    fn the_cache_asks_once_and_again_after_being_cleared() {
        let ok = r#"{"expires_in":"3599","access_token":"at-1"}"#.to_string();
        let again = r#"{"expires_in":3599,"access_token":"at-2"}"#.to_string();
        let (url, h) = endpoint(vec![(200, ok), (200, again)]);
        let (id, _dir) = identity(&url);
        let http = http();
        let mut cache = TokenCache::new(SCOPE);
        assert_eq!(cache.get(&id, &http).unwrap().access_token, "at-1");
        // Cached: the endpoint's second answer is not asked for.
        assert_eq!(cache.get(&id, &http).unwrap().access_token, "at-1");
        cache.clear();
        assert_eq!(cache.get(&id, &http).unwrap().access_token, "at-2");
        let reqs = h.join().unwrap();
        assert_eq!(reqs.len(), 2);
        assert!(reqs[1].contains("scope=https%3A%2F%2Fstorage.azure.com%2F.default"));
    }

    #[test]
    fn a_short_lived_token_is_renewed_before_it_expires() {
        // 60 s: renewed at half its lifetime, so a second get within the minute is cached.
        let (url, h) = endpoint(vec![(
            200,
            r#"{"expires_in":5,"access_token":"at-1"}"#.to_string(),
        )]);
        let (id, _dir) = identity(&url);
        let http = http();
        let mut cache = TokenCache::new(SCOPE);
        let t = cache.get(&id, &http).unwrap();
        assert_eq!(t.lifetime, Duration::from_secs(MIN_LIFETIME_SECS));
        assert_eq!(cache.get(&id, &http).unwrap().access_token, "at-1");
        assert_eq!(h.join().unwrap().len(), 1);
    }

    #[test]
    fn the_lifetime_is_a_number_or_a_string_defaulted_and_clamped() {
        assert_eq!(
            lifetime(&serde_json::json!(3599)),
            Duration::from_secs(3599)
        );
        assert_eq!(
            lifetime(&serde_json::json!("3599")),
            Duration::from_secs(3599)
        );
        assert_eq!(
            lifetime(&serde_json::Value::Null),
            Duration::from_secs(DEFAULT_LIFETIME_SECS)
        );
        assert_eq!(lifetime(&serde_json::json!(-5)), Duration::from_secs(300));
        assert_eq!(lifetime(&serde_json::json!(1)), Duration::from_secs(60));
        assert_eq!(
            lifetime(&serde_json::json!(10_000_000)),
            Duration::from_secs(86_400)
        );
    }

    #[test]
    fn a_refusal_keeps_entra_ids_reason_and_no_secret() {
        // An endpoint echoing the assertion: it still stays out of the error.
        let (url, h) = one(
            401,
            &format!(
                r#"{{"error":"invalid_client","error_description":"AADSTS700213: No matching federated identity record found for {ASSERTION}.\r\nTrace ID: x"}}"#
            ),
        );
        let (id, _dir) = identity(&url);
        let e = id.fetch(&http(), SCOPE).unwrap_err();
        h.join().unwrap();
        let EntraError::Refused(m) = &e else {
            panic!("refused: {e:?}")
        };
        assert_eq!(
            m,
            "HTTP 401 invalid_client: AADSTS700213: No matching federated identity record found for [redacted]."
        );
        assert!(!e.to_string().contains("eyJ"), "{e}");
        assert!(!e.to_string().contains("Trace ID"), "{e}");
    }

    #[test]
    fn throttling_server_errors_and_a_missing_token_are_transient() {
        for (status, body) in [
            (429, r#"{"error":"temporarily_unavailable"}"#),
            (408, "{}"),
            (503, "not json"),
            (200, r#"{"token_type":"Bearer","expires_in":3599}"#),
        ] {
            let (url, h) = one(status, body);
            let (id, _dir) = identity(&url);
            let e = id.fetch(&http(), SCOPE).unwrap_err();
            h.join().unwrap();
            assert!(matches!(e, EntraError::Transient(_)), "{status}: {e:?}");
            assert!(!e.to_string().contains("eyJ"), "{e}");
        }
        // 400 is the request's fault: refused.
        let (url, h) = one(400, r#"{"error":"invalid_request"}"#);
        let (id, _dir) = identity(&url);
        let e = id.fetch(&http(), SCOPE).unwrap_err();
        h.join().unwrap();
        assert_eq!(e, EntraError::Refused("HTTP 400 invalid_request".into()));
    }

    #[test]
    fn no_endpoint_is_transient_and_an_unreadable_file_is_setup() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", l.local_addr().unwrap());
        drop(l);
        let (id, dir) = identity(&url);
        let e = id.fetch(&http(), SCOPE).unwrap_err();
        assert!(matches!(e, EntraError::Transient(_)), "{e:?}");
        let mut gone = id.clone();
        gone.token_file = dir.path().join("missing");
        let e = gone.fetch(&http(), SCOPE).unwrap_err();
        assert!(
            matches!(&e, EntraError::Setup(m) if m.contains("federated token file")),
            "{e:?}"
        );
    }

    #[test]
    fn an_oversized_answer_is_not_read_whole() {
        let big = format!(
            r#"{{"access_token":"at-1","pad":"{}"}}"#,
            "x".repeat(MAX_ANSWER_BYTES as usize)
        );
        let (url, h) = endpoint(vec![(200, big)]);
        let (id, _dir) = identity(&url);
        let e = id.fetch(&http(), SCOPE).unwrap_err();
        h.join().unwrap();
        assert!(matches!(e, EntraError::Transient(_)), "{e:?}");
    }

    #[test]
    fn the_identity_comes_from_the_environment_with_every_missing_variable_named() {
        let vars = |k: &str| match k {
            "AZURE_TENANT_ID" => Some("t-1".to_string()),
            "AZURE_CLIENT_ID" => Some("c".to_string()),
            "AZURE_FEDERATED_TOKEN_FILE" => {
                Some("/var/run/secrets/azure/tokens/azure-identity-token".to_string())
            }
            "AZURE_AUTHORITY_HOST" => Some("https://login.microsoftonline.us".to_string()),
            _ => None,
        };
        let w = WorkloadIdentity::from_vars("--x-entra-id", &vars).unwrap();
        assert_eq!(
            w.endpoint().unwrap().as_str(),
            "https://login.microsoftonline.us/t-1/oauth2/v2.0/token"
        );
        let default = WorkloadIdentity::from_vars("--x-entra-id", &|k| {
            (k != "AZURE_AUTHORITY_HOST").then(|| vars(k)).flatten()
        })
        .unwrap();
        assert_eq!(
            default.endpoint().unwrap().as_str(),
            "https://login.microsoftonline.com/t-1/oauth2/v2.0/token"
        );
        let Err(EntraError::Setup(m)) = WorkloadIdentity::from_vars("--x-entra-id", &|k| {
            (k == "AZURE_CLIENT_ID").then(|| "c".to_string())
        }) else {
            panic!("missing variables accepted")
        };
        assert!(
            m.starts_with("--x-entra-id needs AZURE_FEDERATED_TOKEN_FILE, AZURE_TENANT_ID "),
            "{m}"
        );
        assert!(m.contains("workload identity"), "{m}");
    }

    #[test]
    fn a_tenant_or_authority_that_would_change_the_endpoint_is_refused() {
        for tenant in ["t/../x", "t?x=1", "t#x", "", ".."] {
            let e = WorkloadIdentity::new(
                "/f".into(),
                "c".into(),
                tenant.into(),
                "https://login.microsoftonline.com",
            )
            .unwrap_err();
            assert!(
                matches!(&e, EntraError::Setup(m) if m.contains("AZURE_TENANT_ID")),
                "{tenant}: {e:?}"
            );
        }
        for authority in ["login.microsoftonline.com", "file:///etc/", "ftp://x/"] {
            let e =
                WorkloadIdentity::new("/f".into(), "c".into(), "t".into(), authority).unwrap_err();
            assert!(
                matches!(&e, EntraError::Setup(m) if m.contains("AZURE_AUTHORITY_HOST")),
                "{authority}: {e:?}"
            );
        }
        assert!(
            WorkloadIdentity::new(
                "/f".into(),
                "c".into(),
                "contoso.onmicrosoft.com".into(),
                "https://login.microsoftonline.com"
            )
            .is_ok()
        );
    }
}
