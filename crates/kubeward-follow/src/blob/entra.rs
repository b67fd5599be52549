//! Storage's bearer token from AKS workload identity: the shared exchange ([`crate::entra`]) for
//! `https://storage.azure.com/.default`, cached and renewed five minutes before it expires, its
//! errors mapped to the client's.

use super::client::ClientError;
pub use crate::entra::WorkloadIdentity;
use crate::entra::{EntraError, TokenCache as Cache};

const SCOPE: &str = "https://storage.azure.com/.default";

/// The identity from the variables the workload identity webhook injects into the pod.
pub fn from_env() -> Result<WorkloadIdentity, EntraError> {
    WorkloadIdentity::from_env("--storage-entra-id")
}

/// The storage token, cached.
pub struct TokenCache(Cache);

impl Default for TokenCache {
    fn default() -> Self {
        TokenCache(Cache::new(SCOPE))
    }
}

impl TokenCache {
    /// A valid token, fetched anew when none is cached or it is about to expire.
    pub fn get(
        &mut self,
        id: &WorkloadIdentity,
        http: &reqwest::blocking::Client,
    ) -> Result<&str, ClientError> {
        match self.0.get(id, http) {
            Ok(t) => Ok(t.access_token.as_str()),
            // An unreadable token file or a refusal is the configuration's: exit 2.
            Err(e @ (EntraError::Setup(_) | EntraError::Refused(_))) => {
                Err(ClientError::Auth(e.to_string()))
            }
            Err(e @ EntraError::Transient(_)) => Err(ClientError::Transient(e.to_string())),
        }
    }

    /// Forgets the token (the service refused it: fetch another before giving up).
    pub fn clear(&mut self) {
        self.0.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_map_to_the_clients() {
        // No endpoint listening: transient; a missing token file: an authentication failure.
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", l.local_addr().unwrap());
        drop(l);
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("token");
        std::fs::write(&f, "eyJ.e30.sig").unwrap();
        let http = reqwest::blocking::Client::new();
        let id = WorkloadIdentity::new(f, "c".into(), "t".into(), &url).unwrap();
        let e = TokenCache::default().get(&id, &http).unwrap_err();
        assert!(matches!(e, ClientError::Transient(_)), "{e:?}");
        let gone =
            WorkloadIdentity::new(dir.path().join("no"), "c".into(), "t".into(), &url).unwrap();
        let e = TokenCache::default().get(&gone, &http).unwrap_err();
        assert!(matches!(e, ClientError::Auth(_)), "{e:?}");
    }
}
