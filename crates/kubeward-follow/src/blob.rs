//! A storage account's audit container (`insights-logs-kube-audit[-admin]`): hourly append blobs
//! listed, read, and polled for appended bytes.

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
}

/// Opens the container (and its checkpoint).
pub fn open(_opts: &StorageOptions) -> Result<Box<dyn Source>, SourceError> {
    Err(SourceError::Config(
        "this build of kubeward has no storage support".into(),
    ))
}
