//! Event Hubs' OAUTHBEARER tokens from AKS workload identity: the shared exchange
//! ([`crate::entra`]) for the scope of the Event Hubs namespace. librdkafka renews the token
//! itself before it expires, so nothing is cached here.

use std::time::Duration;

use crate::entra;
pub use crate::entra::EntraError as TokenError;

/// Bounds the whole exchange: librdkafka's poll waits on it.
const HTTP_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadIdentity {
    pub identity: entra::WorkloadIdentity,
    /// `https://<namespace>.servicebus.windows.net/.default`
    pub scope: String,
}

/// An access token and when it expires (milliseconds since the Unix epoch).
#[derive(Clone)]
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
        let first = bootstrap.split(',').next().unwrap_or_default().trim();
        let host = first.rsplit_once(':').map_or(first, |(h, _)| h);
        if host.is_empty() {
            return Err(TokenError::Setup("--kafka names no host".into()));
        }
        Ok(WorkloadIdentity {
            identity: entra::WorkloadIdentity::from_vars("--kafka-entra-id", get)?,
            scope: format!("https://{host}/.default"),
        })
    }

    pub fn client_id(&self) -> &str {
        &self.identity.client_id
    }

    /// A new access token. librdkafka calls this from inside `poll`, which may run within an
    /// async runtime of the caller's: the blocking client runs on a thread of its own.
    pub fn token(&self) -> Result<Token, TokenError> {
        let me = self.clone();
        std::thread::spawn(move || {
            let http = reqwest::blocking::Client::builder()
                .timeout(HTTP_TIMEOUT)
                .build()
                .map_err(|e| TokenError::Transient(format!("cannot build the HTTP client: {e}")))?;
            let t = me.identity.fetch(&http, &me.scope)?;
            Ok(Token {
                expires_at_ms: t.expires_at_unix_ms(),
                access_token: t.access_token,
            })
        })
        .join()
        .unwrap_or_else(|_| Err(TokenError::Transient("the token request panicked".into())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entra::tests::endpoint;

    /// The token callback runs the exchange for the namespace's scope, even from a thread of an
    /// async runtime (where a blocking client of its own would panic).
    #[test]
    fn the_token_is_for_the_namespace_of_the_bootstrap() {
        let answer = r#"{"token_type":"Bearer","expires_in":3599,"access_token":"at-123"}"#;
        let (url, h) = endpoint(vec![(200, answer.to_string())]);
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("token");
        std::fs::write(&f, "eyJhbGciOiJSUzI1NiJ9.projected.sig\n").unwrap();
        let file = f.display().to_string();
        let vars = move |k: &str| match k {
            "AZURE_TENANT_ID" => Some("t".to_string()),
            "AZURE_CLIENT_ID" => Some("c".to_string()),
            "AZURE_FEDERATED_TOKEN_FILE" => Some(file.clone()),
            "AZURE_AUTHORITY_HOST" => Some(url.clone()),
            _ => None,
        };
        let w = WorkloadIdentity::from_vars("ns.servicebus.windows.net:9093", &vars).unwrap();
        assert_eq!(w.scope, "https://ns.servicebus.windows.net/.default");
        assert_eq!(w.client_id(), "c");
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let t = rt.block_on(async { w.token() }).unwrap();
        assert_eq!(t.access_token, "at-123");
        let req = h.join().unwrap().remove(0);
        assert!(req.starts_with("POST /t/oauth2/v2.0/token "), "{req}");
        assert!(req.contains("scope=https%3A%2F%2Fns.servicebus.windows.net%2F.default"));
    }

    #[test]
    fn missing_variables_name_the_flag() {
        let missing = WorkloadIdentity::from_vars("ns.servicebus.windows.net:9093", &|_| None);
        assert!(
            matches!(&missing, Err(TokenError::Setup(m)) if m.starts_with("--kafka-entra-id needs AZURE_")),
            "{missing:?}"
        );
        let nohost = WorkloadIdentity::from_vars(":9093", &|_| Some("x".into()));
        assert!(matches!(nohost, Err(TokenError::Setup(_))));
    }
}
