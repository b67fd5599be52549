//! Secrets never come on the command line: an option names an environment variable or a file.

use std::path::PathBuf;

/// Longest secret read from a file (a connection string or a SAS URL is well under this).
pub const MAX_SECRET_BYTES: u64 = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretRef {
    Env(String),
    File(PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("environment variable {0} is not set or not UTF-8")]
    Env(String),
    #[error("{path}: {reason}")]
    File { path: String, reason: String },
    #[error("{0} holds an empty secret")]
    Empty(String),
}

impl SecretRef {
    /// The secret, with surrounding whitespace (a trailing newline in a mounted file) removed.
    pub fn resolve(&self) -> Result<String, SecretError> {
        let (what, text) = match self {
            SecretRef::Env(var) => (
                format!("environment variable {var}"),
                std::env::var(var).map_err(|_| SecretError::Env(var.clone()))?,
            ),
            SecretRef::File(path) => {
                let name = path.display().to_string();
                let text = kubeward_core::input::read_string(path, MAX_SECRET_BYTES, "secret")
                    .map_err(|e| SecretError::File {
                        path: name.clone(),
                        reason: e.to_string(),
                    })?;
                (name, text)
            }
        };
        let t = text.trim();
        if t.is_empty() {
            return Err(SecretError::Empty(what));
        }
        Ok(t.to_string())
    }
}
