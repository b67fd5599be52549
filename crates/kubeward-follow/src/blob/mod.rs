//! A storage account's audit container (`insights-logs-kube-audit[-admin]`): hourly append blobs
//! listed, read, and polled for appended bytes, through the Blob REST API (reads only: List
//! Blobs and ranged Get Blob) with a SAS token, Shared Key, or a Microsoft Entra ID token.
//!
//! - [`auth`]: credentials, the Shared Key signer;
//! - [`entra`]: workload identity token exchange;
//! - [`client`]: the REST calls;
//! - [`checkpoint`]: per-blob positions, written atomically;
//! - [`source`]: the follower's [`Source`](crate::Source).

pub mod auth;
pub mod checkpoint;
pub mod client;
pub mod entra;
pub mod source;

use std::path::PathBuf;
use std::time::Duration;

use crate::secret::SecretRef;
use crate::source::{Source, SourceError};

#[derive(Debug, Clone)]
pub enum StorageAuth {
    /// A container URL with its SAS token (`--storage-container-url-env`/`-file`).
    ContainerUrl(SecretRef),
    /// A connection string (Shared Key) and the container's name.
    ConnectionString {
        secret: SecretRef,
        container: String,
    },
    /// Microsoft Entra ID through AKS workload identity (`--storage-account-url URL
    /// --storage-entra-id --container NAME`): no secret in kubeward's configuration.
    EntraId {
        account_url: String,
        container: String,
    },
}

#[derive(Debug, Clone)]
pub struct StorageOptions {
    pub auth: StorageAuth,
    /// Only blobs under this name prefix (a subscription, a cluster, a date).
    pub prefix: Option<String>,
    /// Per-blob offsets, written atomically; a restart continues from it.
    pub checkpoint: Option<PathBuf>,
    /// How often the container is listed and blobs are checked for appended bytes.
    pub poll_interval: Duration,
    /// Longest line handed out; longer ones are skipped and reported.
    pub max_line: usize,
    /// How long after the end of its hour a blob is taken as complete (its last line without a
    /// newline is a line; a `{"records": [...]}` blob is read).
    pub settle: Duration,
}

impl StorageOptions {
    pub fn new(auth: StorageAuth) -> Self {
        StorageOptions {
            auth,
            prefix: None,
            checkpoint: None,
            poll_interval: Duration::from_secs(10),
            max_line: kubeward_audit::reader::DEFAULT_MAX_UNIT,
            settle: DEFAULT_SETTLE,
        }
    }
}

/// AKS may still append a few minutes after the hour; a quarter of an hour is a safe margin.
pub const DEFAULT_SETTLE: Duration = Duration::from_secs(15 * 60);

/// Opens the container (and its checkpoint), and lists it once: refused credentials or a
/// missing container fail here.
pub fn open(opts: &StorageOptions) -> Result<Box<dyn Source>, SourceError> {
    // Each reason is the configuration's: shown as it is, and the follower exits 2.
    fn config(e: impl std::fmt::Display) -> SourceError {
        SourceError::Config(e.to_string())
    }
    let (target, identity) = match &opts.auth {
        StorageAuth::ContainerUrl(s) => {
            let url = s.resolve().map_err(config)?;
            (auth::from_container_url(&url).map_err(config)?, None)
        }
        StorageAuth::ConnectionString { secret, container } => {
            let cs = secret.resolve().map_err(config)?;
            (
                auth::from_connection_string(&cs, container).map_err(config)?,
                None,
            )
        }
        StorageAuth::EntraId {
            account_url,
            container,
        } => (
            auth::from_account_url(account_url, container).map_err(config)?,
            Some(entra::from_env().map_err(config)?),
        ),
    };
    let client = client::BlobClient::new(target, identity).map_err(config)?;
    let src = source::BlobSource::new(
        client,
        source::Settings {
            prefix: opts.prefix.clone(),
            checkpoint: opts.checkpoint.clone(),
            poll_interval: opts.poll_interval,
            settle: opts.settle,
            max_line: opts.max_line,
        },
    )?;
    Ok(Box::new(src))
}
